"""Read and validate a submission: JSON Lines, one object per document.

    {"doc_id": str, "outlet": str|null, "published": "YYYY-MM-DD"|null, "quotes": [QUOTE, ...]|null}

QUOTE has exactly one locator --
    {"start": int, "end": int}   code-point offsets into the article, end-exclusive, 0 <= start < end <= len(text)
    {"text": str}                aligned to the article (`benchmark.submission.align`: exact, then tolerant of
                                 whitespace, quote marks and HTML entities, then ellipsis pieces, then fuzzy) and
                                 placed with the document's other text locators (`text_locators`: ranked places,
                                 distinct occurrences for repeats, "occurrence": N (1-based, in text order) to
                                 choose); a text not found is kept without a span (a spurious prediction), an
                                 error with strict=True
    {"quote_id": str}            a gold quote of this document (subtasks with gold spans given)
-- plus optional "speaker": str|null, "speaker_start"/"speaker_end": int (a predicted speaker-mention span),
"stance": favor|against|neutral|none|null, "type": direct|partial|indirect|null.

Every key except doc_id is optional. An absent key means the task was not attempted; a present null means
attempted, nothing predicted. A document absent from the file predicts nothing (a warning, as in the SQuAD
script); an unknown or repeated doc_id is an error.

Extra keys: any key not listed above is an error (it is most likely a typo, e.g. "stnace", which would otherwise
silently score as "not attempted"), except a few harmless bookkeeping keys that extractors commonly emit and the
scorer ignores: "note" (str|null) on a document, and "id" (str|int), "note" (str|null), "confidence" (number)
on a quote.

Integers: JSON true/false are not integers; a number with a zero fraction (5.0) is accepted as an integer, as in
JSON Schema. Labels are case-sensitive (lowercase), as in the gold.

Every problem is collected (up to `max_problems`) as `FILE:LINE: field: problem`, with field paths such as
`quotes[3].stance` (0-based index), and raised together as one `InputError`. Size caps (`max_file_bytes`, 1 GiB;
`max_line_bytes`, `max_quotes_per_doc`, `max_depth`) are checked before the expensive work, so a hostile file
cannot exhaust memory or the recursion limit; only a regular file is read (`benchmark.safe_io`). A key given
twice in one object and a lone surrogate (`"\\ud800"`, which no output could encode) are errors.
`benchmark/submission/submission.schema.json` publishes the same format as JSON Schema.


Modules: `reader` (the line-by-line reader, the specification), `columnar` (its fast path for clean files),
`align` (the candidate places of a quote given as text), `text_locators` (which place each quote of a document
takes), `lines` (reading JSON Lines defensively), `model` (the parsed submission).
"""
from __future__ import annotations

from benchmark.submission.model import (
                                        DOCUMENT_EXTRA_KEYS,
                                        DOCUMENT_KEYS,
                                        MAX_DEPTH,
                                        MAX_FILE_BYTES,
                                        MAX_LINE_BYTES,
                                        MAX_MISSING_WARNINGS,
                                        MAX_PROBLEMS,
                                        MAX_QUOTES_PER_DOC,
                                        NO_QUOTES,
                                        QUOTE_EXTRA_KEYS,
                                        QUOTE_KEYS,
                                        QUOTE_ROW_FIELDS,
                                        TASKS,
                                        DocumentPrediction,
                                        PredictedQuote,
                                        Submission,
                                        attempted_tasks,
                                        missing_warnings,
                                        parse_date,
)
from benchmark.submission.reader import read_submission

SCHEMA_FILE = __import__("pathlib").Path(__file__).resolve().parent / "submission.schema.json"

__all__ = ["read_submission", "Submission", "DocumentPrediction", "PredictedQuote", "parse_date",
           "attempted_tasks", "missing_warnings", "DOCUMENT_KEYS", "DOCUMENT_EXTRA_KEYS", "QUOTE_KEYS",
           "QUOTE_EXTRA_KEYS", "QUOTE_ROW_FIELDS", "NO_QUOTES", "TASKS", "MAX_LINE_BYTES", "MAX_FILE_BYTES",
           "MAX_QUOTES_PER_DOC", "MAX_DEPTH", "MAX_PROBLEMS", "MAX_MISSING_WARNINGS", "SCHEMA_FILE"]

"""The parsed submission, as every reader returns it, and the rules shared by the readers: size caps, allowed keys,
which tasks a submission attempts, dates."""
from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from benchmark.submission.lines import _json_type, _show

# Safe defaults for the size caps (all keyword options of read_submission). The real articles are < 20k
# characters with < 100 quotes; these leave room for corpora of long documents without letting one line take
# the machine down.
MAX_LINE_BYTES = 8 * 1024 * 1024
MAX_FILE_BYTES = 1 << 30     # 1 GiB: about 10 million predicted quotes; a larger file is refused before it is read
MAX_QUOTES_PER_DOC = 10_000
MAX_DEPTH = 16       # a valid line nests 3 levels (document -> quotes -> quote); anything deeper is invalid anyway
MAX_PROBLEMS = 50
MAX_MISSING_WARNINGS = 20

DOCUMENT_KEYS = ("doc_id", "outlet", "published", "quotes")
DOCUMENT_EXTRA_KEYS = ("note",)
QUOTE_KEYS = ("start", "end", "text", "occurrence", "quote_id",
              "speaker", "speaker_start", "speaker_end", "stance", "type")
QUOTE_EXTRA_KEYS = ("id", "note", "confidence")
TASKS = ("quotes", "attribution", "stance", "date", "outlet", "gold_spans")

# fields of a DocumentPrediction, by bitmask (shared frozensets: no allocation per document)
_FIELD_BITS = ("outlet", "published", "quotes", "speaker", "stance", "type")
_FIELDSETS = [frozenset(f for bit, f in enumerate(_FIELD_BITS) if mask >> bit & 1) for mask in range(64)]


class Alignment(NamedTuple):
    """How a quote given by its `text` was located (`benchmark.submission.text_locators`)."""
    method: str                # "exact", "normalised", "ellipsis", "fuzzy", or "not found"
    similarity: float          # 1.0 for exact and normalised; found: of the match; not found: of the closest
    text: str                  # the submitted text, shortened for display
    closest: str | None = None         # not found: the most similar passage of the article (shortened), if any
    closest_start: int | None = None   # its offset

    @property
    def found(self) -> bool:
        return self.method != "not found"

    def message(self) -> str:
        """What the error list and the report say about a quote that was not found."""
        if self.closest is None:
            return "not found in the article; no similar passage"
        return (f"not found in the article; closest: {self.closest!r} (similarity {self.similarity:.2f}) "
                f"at offset {self.closest_start}")


@dataclass(slots=True)
class PredictedQuote:
    start: int | None          # resolved code-point offsets (None when located by quote_id, or not found)
    end: int | None
    quote_id: str | None
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    stance: str | None
    type: str | None
    line: int                  # 1-based line of the submission file it came from
    # a quote given by `text`: how it was located. Not found (start = end = quote_id = None): the quote still
    # counts, as a prediction that matches nothing (benchmark.scoring.reference)
    alignment: Alignment | None = field(default=None, compare=False)     # how, not where: not compared

    @property
    def unaligned(self) -> bool:
        """Given by a text that is not in the article: a counted prediction with no span."""
        return self.start is None and self.quote_id is None


# The quotes of a document whose quotes are kept elsewhere (as arrays, by a streaming reader): shared, immutable
NO_QUOTES: tuple = ()

# A quote row, as `on_quote_rows` receives it: a PredictedQuote located by offsets, as a plain tuple of these
QUOTE_ROW_FIELDS = ("start", "end", "speaker", "speaker_start", "speaker_end", "stance", "type")


@dataclass(slots=True)
class DocumentPrediction:
    doc_id: str
    outlet: str | None
    published: datetime.date | None
    quotes: list[PredictedQuote]   # NO_QUOTES when a streaming reader keeps them as arrays
    fields: frozenset[str]     # keys present: subset of {"outlet","published","quotes","speaker","stance","type"}
    line: int


@dataclass
class Submission:
    path: str
    documents: dict[str, DocumentPrediction]
    attempted: frozenset[str]  # tasks attempted anywhere: "quotes","attribution","stance","date","outlet","gold_spans"
    warnings: list[str]
    # set by a streaming reader (benchmark.scoring.fast.PredictionColumns): the quotes as arrays; the documents
    # then carry no quotes of their own
    columns: object = None
    # doc_id -> warnings about its text locators (ties broken by text order); the scorer shows those of the
    # documents it scores
    alignment_warnings: dict[str, list[str]] = field(default_factory=dict)


def missing_warnings(name: str, documents: Iterable[str], predicted: Collection[str]) -> list[str]:
    """Warnings for the documents being scored that the submission does not predict (or for no document at all)."""
    warnings = []
    missing = [d for d in documents if d not in predicted]
    if not predicted:
        warnings.append(f"{name}: warning: the submission predicts no documents")
    for doc_id in missing[:MAX_MISSING_WARNINGS]:
        warnings.append(f"{name}: warning: no prediction for document {doc_id}: it counts as predicting nothing")
    if len(missing) > MAX_MISSING_WARNINGS:
        warnings.append(f"{name}: warning: ... and {len(missing) - MAX_MISSING_WARNINGS} more documents "
                        "without a prediction")
    return warnings


def attempted_tasks(outlet_key: bool, published_key: bool, quotes_key: bool, span_quote: bool,
                    gold_span_quote: bool, span_speaker: bool, span_stance: bool) -> frozenset[str]:
    """The tasks a submission attempts, from which keys occur anywhere in it (an absent key = not attempted)."""
    attempted = set()
    if outlet_key:
        attempted.add("outlet")
    if published_key:
        attempted.add("date")
    # detection is attempted by a "quotes" key, unless every located quote in the file names a gold quote_id
    if quotes_key and (span_quote or not gold_span_quote):
        attempted.add("quotes")
    if gold_span_quote:
        attempted.add("gold_spans")
    # end-to-end tasks are attempted by quotes the submission located itself (not by gold quote_ids)
    if span_speaker:
        attempted.add("attribution")
    if span_stance:
        attempted.add("stance")
    return frozenset(attempted)


_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_CACHE: dict[str, datetime.date] = {}


def parse_date(value) -> tuple[datetime.date | None, str | None]:
    """(the date, None) for a "YYYY-MM-DD" string of a real calendar date, else (None, the problem)."""
    if type(value) is not str:
        return None, f"expected a date string YYYY-MM-DD or null, got {_json_type(value)}"
    date = _DATE_CACHE.get(value)
    if date is not None:
        return date, None
    if not _DATE_RE.fullmatch(value):
        return None, f"not a date in YYYY-MM-DD form: {_show(value)}"
    try:
        date = datetime.date.fromisoformat(value)
    except ValueError:
        return None, f"not a real calendar date: {_show(value)}"
    if len(_DATE_CACHE) < 100_000:
        _DATE_CACHE[value] = date
    return date, None

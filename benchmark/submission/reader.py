"""The line-by-line submission reader: `read_submission` validates every line and reports every problem (the
specification of a valid submission; `benchmark.submission.columnar` is its fast path for clean files)."""
from __future__ import annotations

import difflib
import gc
import json
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

from benchmark.errors import InputError
from benchmark.labels import QUOTE_TYPES, STANCES
from benchmark.safe_io import display_path, open_regular
from benchmark.submission.align import Article
from benchmark.submission.fast_quotes import _STANCE, _TYPE, _fast_quotes
from benchmark.submission.lines import (
    _DECODER,
    _TOO_LONG,
    _as_int,
    _file_lines,
    _label_message,
    _nesting_depth,
    _not_jsonl_message,
    decoded_line_problems,
    json_value_error,
    surrogate_problems,
)
from benchmark.submission.model import (
    _FIELDSETS,
    DOCUMENT_EXTRA_KEYS,
    DOCUMENT_KEYS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LINE_BYTES,
    MAX_PROBLEMS,
    MAX_QUOTES_PER_DOC,
    QUOTE_EXTRA_KEYS,
    QUOTE_KEYS,
    DocumentPrediction,
    PredictedQuote,
    Submission,
    _json_type,
    _show,
    attempted_tasks,
    missing_warnings,
    parse_date,
)
from benchmark.submission.text_locators import TextLocator, place_text_locators

_DOC_ALLOWED = frozenset(DOCUMENT_KEYS + DOCUMENT_EXTRA_KEYS)
_QUOTE_ALLOWED = frozenset(QUOTE_KEYS + QUOTE_EXTRA_KEYS)
_MISSING = object()
def read_submission(
    source: str | Path | Iterable[str] | list[dict],
    documents: Mapping[str, str],
    gold_quote_ids: Collection[str] = (),
    *,
    boilerplate: Mapping[str, list[dict]] | None = None,
    strict: bool = False,
    max_line_bytes: int = MAX_LINE_BYTES,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_quotes_per_doc: int = MAX_QUOTES_PER_DOC,
    max_depth: int = MAX_DEPTH,
    max_problems: int = MAX_PROBLEMS,
    name: str | None = None,
    on_document: Callable[[DocumentPrediction], DocumentPrediction] | None = None,
    on_quote_rows: Callable[[str, list[tuple]], None] | None = None,
) -> Submission:
    """Read, validate and resolve a submission.

    source: a path to a JSONL file; or an iterable of JSONL lines (str or bytes); or a list of already parsed
    objects (dicts; line numbers are then list positions + 1). documents: doc_id -> article text of every
    document being evaluated (for offset range checks and text alignment). gold_quote_ids: the gold quote ids
    that "quote_id" locators may name. boilerplate: doc_id -> its boilerplate regions (dicts with start and end),
    which rank the candidates of text locators (`benchmark.submission.text_locators`). strict: a quote given by a
    text that is not in the article, or that fits several places equally well, is an error (by default the first
    counts as a spurious prediction and the second takes the first place in text order, with a warning).
    name: how problems name the source (default: the path, or "<predictions>").
    on_document: called with each valid document as soon as it is read; the Submission keeps what it returns
    (a streaming consumer takes the quotes and returns the document without them, so memory stays small). The
    validation is the same; on invalid input InputError is still raised at the end, after every line is read.
    on_quote_rows: called as on_quote_rows(doc_id, rows) with the quotes of each document whose quotes all took
    the fast path (located by offsets, keys among start/end/speaker/stance/type), as tuples of QUOTE_ROW_FIELDS
    instead of PredictedQuote objects (that document's `quotes` is then empty): a columnar consumer skips
    making and taking apart an object per quote. It may be called for a document that then turns out invalid;
    InputError is raised at the end all the same.

    A path is read only when it is a regular file of at most max_file_bytes; a key given twice in one object and a
    lone surrogate (a \\ud800 escape without its pair) are problems like any other.

    Returns a Submission whose quotes all carry resolved offsets, a gold quote_id, or (a text not found) neither,
    as `PredictedQuote.unaligned`. Raises InputError with every
    problem found (up to max_problems), each `FILE:LINE: field: problem`.
    """
    # The reader allocates millions of long-lived, acyclic objects; the cyclic garbage collector would traverse
    # them again and again (measured: half the reading time on 1M quotes) and can find nothing to free.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(source, documents, gold_quote_ids, max_line_bytes, max_quotes_per_doc, max_depth,
                     max_problems, name, on_document, on_quote_rows, boilerplate or {}, strict, max_file_bytes)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read(source, documents, gold_quote_ids, max_line_bytes, max_quotes_per_doc, max_depth, max_problems,
          name, on_document, on_quote_rows, boilerplate, strict, max_file_bytes=MAX_FILE_BYTES) -> Submission:
    if isinstance(source, (str, os.PathLike)):
        label = name or display_path(source)
        reader = _Reader(label, documents, gold_quote_ids, max_line_bytes, max_quotes_per_doc, max_depth,
                         max_problems, on_document, on_quote_rows, boilerplate, strict)
        try:
            with open_regular(source, limit=max_file_bytes, label=label, what="the submission") as f:
                reader.read_lines(_file_lines(f, max_line_bytes))
        except _TooMany:
            pass
        except OSError as err:
            raise InputError(f"{label}: file: cannot read the submission: {err.strerror or err}") from None
    else:
        label = name or "<predictions>"
        reader = _Reader(label, documents, gold_quote_ids, max_line_bytes, max_quotes_per_doc, max_depth,
                         max_problems, on_document, on_quote_rows, boilerplate, strict)
        try:
            reader.read_items(source)
        except _TooMany:
            pass
    return reader.finish()


# --------------------------------------------------------------------------------------------------------------
# reading lines

class _TooMany(Exception):
    """Raised internally when max_problems is reached: stop reading."""


# --------------------------------------------------------------------------------------------------------------
# validation

class _Reader:
    def __init__(self, name, documents, gold_quote_ids, max_line_bytes, max_quotes_per_doc, max_depth,
                 max_problems, on_document=None, on_quote_rows=None, boilerplate=None, strict=False):
        self.name = name
        self.documents = documents
        self.gold_ids = gold_quote_ids if isinstance(gold_quote_ids, (set, frozenset, dict)) else set(gold_quote_ids)
        self.max_line_bytes = max_line_bytes
        self.max_quotes = max_quotes_per_doc
        self.max_depth = max_depth
        self.max_problems = max_problems
        self.on_document = on_document
        self.on_quote_rows = on_quote_rows
        self.problems: list[str] = []
        self.result: dict[str, DocumentPrediction] = {}
        self.first_line: dict[str, int] = {}
        self.seen_first = False          # has the first non-blank line been looked at (file sniffing)?
        self.stopped = False
        self.attempted: set[str] = set()
        self.any_quotes_key = False
        self.any_span_quote = False
        self.any_gold_span_quote = False
        self.any_span_speaker = False
        self.strings: dict[str, str] = {}   # one shared object per distinct speaker string
        self.any_span_stance = False
        self.boilerplate = boilerplate or {}
        self.strict = strict
        self.alignment_warnings: dict[str, list[str]] = {}

    # -- problems
    def add(self, line: int, field: str, message: str) -> None:
        self.problems.append(f"{self.name}:{line}: {field}: {message}")
        if len(self.problems) >= self.max_problems:
            self.problems.append(f"{self.name}: stopped after {self.max_problems} problems "
                                 "(fix these, or raise max_problems to see more)")
            raise _TooMany

    def stop(self, line: int, message: str) -> None:
        self.add(line, "file", message)
        self.stopped = True

    # -- sources
    def read_lines(self, lines: Iterable) -> None:
        lineno = 0
        for raw in lines:
            lineno += 1
            self.read_raw_line(raw, lineno)
            if self.stopped:
                return

    def read_items(self, items: Iterable) -> None:
        lineno = 0
        for item in items:
            lineno += 1
            if type(item) is dict:
                self.seen_first = True
                for field, message in surrogate_problems(item, self.max_depth + 1):
                    self.add(lineno, field, message)
                self.check_document(item, lineno)
            elif isinstance(item, (str, bytes)):
                self.read_raw_line(item, lineno)
            else:
                self.seen_first = True
                self.add(lineno, "line", f"expected a JSON object (one document per line), got {_json_type(item)}")
            if self.stopped:
                return

    def read_raw_line(self, raw, lineno: int) -> None:
        if raw is _TOO_LONG:
            self.add(lineno, "line", f"longer than max_line_bytes={self.max_line_bytes} bytes; not parsed")
            return
        if isinstance(raw, str):
            if len(raw) > self.max_line_bytes // 4 and len(raw.encode("utf-8", "surrogatepass")) > self.max_line_bytes:
                self.add(lineno, "line", f"longer than max_line_bytes={self.max_line_bytes} bytes; not parsed")
                return
            text = raw
            if lineno == 1 and text.startswith("\ufeff"):
                text = text[1:]
            if text.isspace() or not text:
                return
            raw = None
        else:
            if len(raw) > self.max_line_bytes:
                self.add(lineno, "line", f"longer than max_line_bytes={self.max_line_bytes} bytes; not parsed")
                return
            if lineno == 1:
                if raw.startswith(b"\xef\xbb\xbf"):        # UTF-8 byte-order mark: tolerated
                    raw = raw[3:]
                elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    self.stop(lineno, "the file is UTF-16, not UTF-8: re-save it as UTF-8")
                    return
            if raw.isspace() or not raw:
                return
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                self.seen_first = True
                self.add(lineno, "encoding", f"not valid UTF-8: byte 0x{raw[err.start]:02x} at byte "
                                             f"{err.start + 1} of the line")
                return
        if text.count("[") + text.count("{") > self.max_depth:
            depth = _nesting_depth(raw if raw is not None else text.encode("utf-8", "surrogatepass"))
            if depth > self.max_depth:
                self.seen_first = True
                self.add(lineno, "line", f"values nested {depth} levels deep (limit max_depth={self.max_depth}; "
                                         "a valid line nests 3); not parsed")
                return
        parsed, error = None, None
        try:
            parsed = _DECODER.decode(text)
        except json.JSONDecodeError as err:
            error = err
        except RecursionError:
            self.seen_first = True
            self.add(lineno, "line", "values nested too deeply to parse")
            return
        except ValueError as err:    # NaN/Infinity, integers with more than 4300 digits
            self.seen_first = True
            self.add(lineno, "json", f"invalid JSON: {json_value_error(err)}")
            return
        if not self.seen_first:
            self.seen_first = True
            message = _not_jsonl_message(text.strip(), parsed, error)
            if message:
                self.stop(lineno, message)
                return
        if error is not None:
            self.add(lineno, "json", f"invalid JSON: {error.msg} (column {error.colno})")
            return
        if type(parsed) is dict:
            for field, message in decoded_line_problems(raw if raw is not None else text, text, parsed):
                self.add(lineno, field, message)
        self.check_document(parsed, lineno)

    # -- one document
    def unknown_keys(self, obj: dict, allowed: frozenset, line: int, prefix: str) -> None:
        # a key of the other level (e.g. "stance" on the document, "outlet" in a quote) is a likely mix-up
        other, where = ((_DOC_ALLOWED, "a key of the document line") if prefix
                        else (_QUOTE_ALLOWED, 'a key of each quote in "quotes"'))
        for key in obj:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(str(key), sorted(allowed | other), n=1)
            if hint and hint[0] in allowed:
                message = f"unknown key; did you mean {hint[0]!r}?"
            elif hint:
                message = f"unknown key here; did you mean {hint[0]!r}, {where}?"
            else:
                message = f"unknown key; allowed: {', '.join(sorted(allowed))}"
            self.add(line, f"{prefix}{key}", message)

    def check_document(self, obj, line: int) -> None:
        add = self.add
        if type(obj) is not dict:
            add(line, "line", f"expected a JSON object (one document per line), got {_json_type(obj)}")
            return
        if not obj.keys() <= _DOC_ALLOWED:
            self.unknown_keys(obj, _DOC_ALLOWED, line, "")
        ok = True
        text = None
        doc_id = obj.get("doc_id", _MISSING)
        if doc_id is _MISSING:
            add(line, "doc_id", "missing: every line needs the doc_id of the article it predicts")
            ok = False
        elif type(doc_id) is not str:
            add(line, "doc_id", f"expected a string, got {_json_type(doc_id)}")
            ok = False
        else:
            text = self.documents.get(doc_id)
            if text is None:
                add(line, "doc_id", self.unknown_doc_message(doc_id))
                ok = False
            elif doc_id in self.first_line:
                add(line, "doc_id", f"duplicate: {doc_id!r} already predicted on line {self.first_line[doc_id]}")
                ok = False
            else:
                self.first_line[doc_id] = line
        mask = 0
        outlet = obj.get("outlet")
        if "outlet" in obj:
            mask |= 1
            if outlet is not None and type(outlet) is not str:
                add(line, "outlet", f"expected a string or null, got {_json_type(outlet)}")
                ok = False
        published = obj.get("published")
        if "published" in obj:
            mask |= 2
            if published is not None:
                published, message = parse_date(published)
                if message:
                    add(line, "published", message)
                    ok = False
        if "note" in obj and obj["note"] is not None and type(obj["note"]) is not str:
            add(line, "note", f"expected a string or null, got {_json_type(obj['note'])}")
        quotes_in = obj.get("quotes")
        quotes: list[PredictedQuote] = []
        if "quotes" in obj:
            mask |= 4
            self.any_quotes_key = True
            if quotes_in is None:
                pass
            elif type(quotes_in) is not list:
                add(line, "quotes", f"expected an array (or null), got {_json_type(quotes_in)}")
                ok = False
            elif len(quotes_in) > self.max_quotes:
                add(line, "quotes", f"{len(quotes_in)} quotes, more than max_quotes_per_doc={self.max_quotes}; "
                                    "not checked")
                ok = False
            else:
                before = len(self.problems)
                mask |= self.check_quotes(quotes_in, quotes, line, doc_id if text is not None else None, text)
                ok = ok and len(self.problems) == before
        if ok:
            document = DocumentPrediction(doc_id, outlet, published, quotes, _FIELDSETS[mask], line)
            self.result[doc_id] = document if self.on_document is None else self.on_document(document)

    def unknown_doc_message(self, doc_id: str) -> str:
        message = f"unknown document {_show(doc_id)}: not one of the {len(self.documents)} documents being scored"
        if len(self.documents) <= 1000:
            hint = difflib.get_close_matches(doc_id, list(self.documents), n=1, cutoff=0.5)
            if hint:
                message += f"; did you mean {hint[0]!r}?"
        return message

    def check_quotes(self, quotes_in: list, out: list, line: int, doc_id: str | None, text: str | None) -> int:
        """Validate and resolve the quotes of one document (appending to out); return the field bits present.

        Fast path: `_fast_quotes` resolves a document whose quotes all have the common shape (keys among
        start/end/speaker/stance/type) and valid values with a few dict and type checks per quote. If anything
        differs, every quote of the document goes through `check_quote`, which reports each problem. Fast-path
        quotes go to `on_quote_rows` as rows when it is set."""
        n = len(text) if text is not None else -1
        fast = _fast_quotes(quotes_in, n, self.strings) if n >= 0 else None
        if fast is not None:
            rows, mask = fast
            span_mask = mask
            if rows and self.on_quote_rows is not None:
                self.on_quote_rows(doc_id, rows)        # a columnar consumer: no object per quote
            else:
                out.extend([PredictedQuote(s, e, None, sp, ss, se, st, t, line) for s, e, sp, ss, se, st, t in rows])
            any_quote = bool(rows)
        else:
            mask = span_mask = 0
            seen_ids: dict[str, int] = {}
            pending: list[tuple[TextLocator, PredictedQuote | None]] = []     # text locators, resolved together
            for i, q in enumerate(quotes_in):
                bits, span_located = self.check_quote(q, i, line, doc_id, text, n, seen_ids, out, pending)
                mask |= bits
                if span_located:
                    span_mask |= bits
            if pending:
                self.place_texts(pending, line, doc_id, text)
            any_quote = bool(out)
        if any_quote:
            if fast is not None or any(q.quote_id is None for q in out):
                self.any_span_quote = True
            # end-to-end tasks are attempted by quotes the submission located itself (not by gold quote_ids)
            if span_mask & 8:
                self.any_span_speaker = True
            if span_mask & 16:
                self.any_span_stance = True
        return mask

    def check_quote(self, q, i: int, line: int, doc_id: str | None, text: str | None, n: int, seen_ids: dict,
                    out: list, pending: list) -> tuple[int, bool]:
        """The slow path for one quote: every check, every problem reported. Returns (field bits, located by
        offsets or text) and appends the quote to out when it is valid (a text locator with no span yet: it is
        added to `pending`, placed with the document's other text locators by `place_texts`)."""
        add = self.add
        if type(q) is not dict:
            add(line, f"quotes[{i}]", f"expected an object, got {_json_type(q)}")
            return 0, False
        if not q.keys() <= _QUOTE_ALLOWED:
            self.unknown_keys(q, _QUOTE_ALLOWED, line, f"quotes[{i}].")
        start, end, quote_id, bad = self.locate(q, i, line, doc_id, text, seen_ids)
        mask = 1 << 6      # "located" marker, dropped below
        speaker = q.get("speaker")
        speaker_start = speaker_end = None
        if "speaker" in q:
            mask |= 8
            if speaker is not None:
                if type(speaker) is str:
                    speaker = self.strings.setdefault(speaker, speaker)
                else:
                    add(line, f"quotes[{i}].speaker", f"expected a string or null, got {_json_type(speaker)}")
                    bad = True
        if "speaker_start" in q or "speaker_end" in q:
            mask |= 8
            speaker_start, speaker_end, span_bad = self.offsets(q, i, line, n, "speaker_start", "speaker_end")
            bad = bad or span_bad
        stance = q.get("stance")
        if "stance" in q:
            mask |= 16
            if stance is not None:
                canonical = _STANCE.get(stance) if type(stance) is str else None
                if canonical is None:
                    add(line, f"quotes[{i}].stance", _label_message(stance, STANCES))
                    bad = True
                stance = canonical
        qtype = q.get("type")
        if "type" in q:
            mask |= 32
            if qtype is not None:
                canonical = _TYPE.get(qtype) if type(qtype) is str else None
                if canonical is None:
                    add(line, f"quotes[{i}].type", _label_message(qtype, QUOTE_TYPES))
                    bad = True
                qtype = canonical
        if "id" in q or "note" in q or "confidence" in q:
            bad = self.extras(q, i, line) or bad
        if not bad:
            out.append(PredictedQuote(start, end, quote_id, speaker, speaker_start, speaker_end, stance, qtype,
                                      line))
        if isinstance(start, TextLocator):
            pending.append((start, out[-1] if not bad else None))
        return mask & 63, quote_id is None and not bad

    def extras(self, q: dict, i: int, line: int) -> bool:
        """The ignored bookkeeping keys still have to be well-formed (same verdicts as the JSON Schema)."""
        bad = False
        if "id" in q and type(q["id"]) is not str and _as_int(q["id"])[1]:
            self.add(line, f"quotes[{i}].id", f"expected a string or an integer, got {_json_type(q['id'])}")
            bad = True
        if "note" in q and q["note"] is not None and type(q["note"]) is not str:
            self.add(line, f"quotes[{i}].note", f"expected a string or null, got {_json_type(q['note'])}")
            bad = True
        if "confidence" in q and type(q["confidence"]) not in (int, float):
            self.add(line, f"quotes[{i}].confidence", f"expected a number, got {_json_type(q['confidence'])}")
            bad = True
        return bad

    def offsets(self, q: dict, i: int, line: int, n: int, start_key: str, end_key: str):
        """Check an integer span q[start_key]:q[end_key] against the text length n (-1: unknown document)."""
        add = self.add
        if start_key not in q or end_key not in q:
            present, absent = (start_key, end_key) if start_key in q else (end_key, start_key)
            add(line, f"quotes[{i}].{absent}", f"missing: {present} is given, so {absent} is required too")
            return None, None, True
        start, message = _as_int(q[start_key])
        if message:
            add(line, f"quotes[{i}].{start_key}", message)
        end, message2 = _as_int(q[end_key])
        if message2:
            add(line, f"quotes[{i}].{end_key}", message2)
        if message or message2:
            return None, None, True
        bad = False
        if start < 0:
            add(line, f"quotes[{i}].{start_key}", f"negative offset {start}")
            bad = True
        if n >= 0 and end > n:
            add(line, f"quotes[{i}].{end_key}", f"offset {end} is past the end of the article ({n} characters)")
            bad = True
        if start > end:
            add(line, f"quotes[{i}].{start_key}", f"reversed span: start {start} > end {end}")
            bad = True
        elif start == end:
            add(line, f"quotes[{i}].{start_key}", f"empty span: start = end = {start}")
            bad = True
        return start, end, bad

    def locate(self, q: dict, i: int, line: int, doc_id: str | None, text: str | None, seen_ids: dict):
        """The slow path of the locator: (start, end, quote_id, bad), reporting every problem."""
        add = self.add
        has_span = "start" in q or "end" in q
        has_text = "text" in q
        has_id = "quote_id" in q
        given = [name for name, present in (("start/end", has_span), ("text", has_text), ("quote_id", has_id))
                 if present]
        if "occurrence" in q and not has_text:
            add(line, f"quotes[{i}].occurrence", "only allowed together with a text locator")
        if not given:
            add(line, f"quotes[{i}]", "no locator: give start and end, or text, or quote_id")
            return None, None, None, True
        if len(given) > 1:
            add(line, f"quotes[{i}]", f"more than one locator ({' and '.join(given)}): give exactly one")
            return None, None, None, True
        if has_span:
            start, end, bad = self.offsets(q, i, line, len(text) if text is not None else -1, "start", "end")
            return start, end, None, bad or "occurrence" in q
        if has_id:
            quote_id = q["quote_id"]
            if type(quote_id) is not str:
                add(line, f"quotes[{i}].quote_id", f"expected a string, got {_json_type(quote_id)}")
                return None, None, None, True
            if quote_id not in self.gold_ids:
                add(line, f"quotes[{i}].quote_id", f"unknown gold quote id {_show(quote_id)}")
                return None, None, None, True
            if doc_id is not None and not quote_id.startswith(doc_id + "-"):
                add(line, f"quotes[{i}].quote_id", f"{quote_id!r} is a quote of another document, not {doc_id!r}")
                return None, None, None, True
            if quote_id in seen_ids:
                add(line, f"quotes[{i}].quote_id", f"duplicate: {quote_id!r} already predicted at "
                                                   f"quotes[{seen_ids[quote_id]}]")
                return None, None, None, True
            seen_ids[quote_id] = i
            self.any_gold_span_quote = True
            return None, None, quote_id, False
        # text locator
        needle = q["text"]
        occurrence = None
        bad = False
        if "occurrence" in q:
            occurrence, message = _as_int(q["occurrence"])
            if message or occurrence < 1:
                add(line, f"quotes[{i}].occurrence", message or f"must be 1 or more (1 = first), got {occurrence}")
                bad = True
        if type(needle) is not str:
            add(line, f"quotes[{i}].text", f"expected a string, got {_json_type(needle)}")
            return None, None, None, True
        if not needle.strip():
            add(line, f"quotes[{i}].text", "empty text")
            return None, None, None, True
        if text is None or bad:
            return None, None, None, True
        # placed later, with the document's other text locators (distinct occurrences for identical quotes)
        return TextLocator(i, needle, occurrence), None, None, False

    def place_texts(self, pending: list, line: int, doc_id: str, text: str) -> None:
        """Place the text locators of one document (`benchmark.submission.text_locators`): set the offsets and
        alignment of each valid quote; errors become problems, warnings the document's alignment warnings."""
        placements, issues = place_text_locators(Article(text), self.boilerplate.get(doc_id, ()),
                                                 [loc for loc, _ in pending], self.strict)
        for (loc, quote), placed in zip(pending, placements):
            if quote is not None:
                quote.start, quote.end, quote.alignment = placed if placed is not None else (None, None, None)
        for issue in issues:
            if issue.error:
                self.add(line, f"quotes[{issue.position}].{issue.field}", issue.message)
            else:
                self.alignment_warnings.setdefault(doc_id, []).append(
                    f"{self.name}:{line}: quotes[{issue.position}].{issue.field}: warning: {issue.message}")

    # -- end
    def finish(self) -> Submission:
        if self.problems:
            raise InputError(self.problems)
        docs = self.result.values()
        attempted = attempted_tasks(any("outlet" in d.fields for d in docs),
                                    any("published" in d.fields for d in docs), self.any_quotes_key,
                                    self.any_span_quote, self.any_gold_span_quote, self.any_span_speaker,
                                    self.any_span_stance)
        return Submission(self.name, self.result, attempted,
                          missing_warnings(self.name, self.documents, self.first_line),
                          alignment_warnings=self.alignment_warnings)

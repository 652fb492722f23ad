"""The columnar fast path for reading a large submission file: pyarrow's JSON reader instead of one json.loads
and a dozen Python checks per quote.

`read_columns` either returns the submission as arrays -- exactly what `benchmark.submission.read_submission`
would have made of the file, same values, same fields, same tasks attempted -- or None, and the caller reads
the file with `read_submission`, which is the specification and reports every problem. So this module decides
nothing about validity on its own: it only recognises the common, clean case and hands everything else over.

The common case, precisely (anything else returns None):
- UTF-8 (checked), every line starting with "{" and holding one JSON object (so no blank lines, no byte-order
  mark), no line longer than max_line_bytes;
- document keys among doc_id, outlet, published, quotes, note; each of outlet, published and quotes either on
  every line with a non-null value, or on no line (a null there may mean "attempted, nothing predicted", which
  pyarrow cannot tell from an absent key, and the outlet score depends on that difference);
- every quote located by integer start/end inside its article; other quote keys among speaker, stance, type
  (strings or null; a quote key's presence matters only corpus-wide, which pyarrow's schema tells);
- known and distinct doc_ids, labels and dates that `read_submission` accepts, at most max_quotes_per_doc quotes;
- no "[" byte but the one opening "quotes" on a line, and every "{" opening a line or following "[" or "," (after
  at most one space). Checked on the bytes before pyarrow sees them: such a line nests at most 3 levels, while a
  deeply nested one crashes pyarrow's parser (a segfault at 20,000 levels) or takes quadratic time. A bracket
  inside a string only makes the check hand the file over.
A repeated key or a lone surrogate escape makes pyarrow fail, so such a file is handed over too.

Cost: the file is read twice, once as bytes (`_scan`: line structure, line lengths, UTF-8, which pyarrow does not
check or report by line) and once by pyarrow in 4 MB batches; a file handed over is then read a third time by
`read_submission`. Both extra passes are cheap next to parsing JSON in Python.
"""
from __future__ import annotations

import codecs
import datetime
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from benchmark.errors import InputError
from benchmark.labels import QUOTE_TYPES, STANCES
from benchmark.safe_io import open_regular
from benchmark.submission.model import (
    _FIELD_BITS,
    _FIELDSETS,
    MAX_FILE_BYTES,
    NO_QUOTES,
    DocumentPrediction,
    Submission,
    attempted_tasks,
    missing_warnings,
)

_CHUNK = 1 << 20           # bytes scanned at once (as fast as larger chunks, and a small fixed cost)
_DOC_KEYS = {"doc_id", "outlet", "published", "quotes", "note"}
_QUOTE_KEYS = {"start", "end", "speaker", "stance", "type"}


@dataclass
class Columns:
    """A submission read by `read_columns`. Per document (file order): doc_ids, outlets (or None when no line has
    an outlet key), published (dates, or None likewise), fields (the keys present on every line). Per quote (file
    order): doc (row of its document), start, end, speaker (index into speaker_names, -1 for none), stance (index
    into STANCES, len(STANCES) for none), type (index into QUOTE_TYPES, -1 for none). quote_keys: the quote keys
    present anywhere in the file."""
    doc_ids: list[str]
    outlets: list[str] | None
    published: list[datetime.date] | None
    fields: frozenset[str]
    quote_keys: frozenset[str]
    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    speaker: np.ndarray
    speaker_names: list[str]
    stance: np.ndarray
    type: np.ndarray


def read_columns(path: str, documents: Mapping[str, str], *, max_line_bytes: int,
                 max_quotes_per_doc: int, max_file_bytes: int = MAX_FILE_BYTES) -> Columns | None:
    """The submission file at `path` as arrays, or None when it is not in the common case (see the module) or
    cannot be read (not a regular file, over max_file_bytes: `read_submission` then says so)."""
    try:
        scan = _scan(path, max_line_bytes, max_file_bytes)
    except InputError:
        return None
    if scan is None:
        return None
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        # Batches of 4 MB of the file: the whole file is never one table. "published" is declared a string
        # (pyarrow would infer timestamps from date-like strings); the other types are inferred from the first
        # block, and a later block that does not fit them is an error, so such a file goes to the reference path.
        reader = pj.open_json(path, read_options=pj.ReadOptions(block_size=_BLOCK_BYTES),
                              parse_options=pj.ParseOptions(explicit_schema=pa.schema([("published", pa.string())]),
                                                            unexpected_field_behavior="infer"))
        collector = _Collector(reader.schema, documents, max_quotes_per_doc)
        if not collector.fits:
            return None
        for batch in reader:
            if not collector.add(batch):
                return None
        if collector.rows != scan.lines:                 # e.g. two objects on one line
            return None
        return collector.finish(scan.published_bytes)
    except pa.ArrowException:       # pyarrow cannot read or convert it: the reference path will say why
        return None


_BLOCK_BYTES = 1 << 22      # larger blocks read faster, smaller ones take less memory (pyarrow: ~25x the block)


@dataclass
class _Scan:
    lines: int
    published_bytes: bool      # the bytes "published" (in quotes) occur, or an escaped ASCII character does


_OBJECT_FOLLOWS = np.zeros(256, dtype=bool)        # bytes that may come right before a "{" in the common case
_OBJECT_FOLLOWS[[ord("["), ord(","), ord("\n")]] = True


def _scan(path: str, max_line_bytes: int, max_file_bytes: int = MAX_FILE_BYTES) -> _Scan | None:
    """One pass over the bytes: line count, line lengths, line starts, UTF-8 validity, the nesting bound. None
    when not clean."""
    decoder = None
    lines = 0
    line_length = 0              # bytes of the current (unfinished) line so far
    at_line_start = True
    published = False
    tail = b""                   # the last bytes of the previous chunk, for patterns across a chunk boundary
    before = b"\n\n"             # the two bytes before this chunk (the file starts as if after a line break)
    bracket_on_line = False      # the current (unfinished) line already holds a "["
    with open_regular(path, limit=max_file_bytes) as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            if decoder is None and not chunk.isascii():
                decoder = codecs.getincrementaldecoder("utf-8")()      # earlier chunks were ASCII: no state
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    return None
            window = tail + chunk[:16]
            if not published and (b'"published"' in window or b"\\u00" in window or b'"published"' in chunk
                                  or b"\\u00" in chunk):
                published = True
            tail = chunk[-16:]
            data = np.frombuffer(chunk, dtype=np.uint8)
            newlines = np.flatnonzero(data == 10)
            if at_line_start and chunk[:1] != b"{":
                return None
            brackets = np.flatnonzero(data == 91)
            if not _shallow(data, newlines, brackets, before, bracket_on_line):
                return None
            if len(newlines):
                bracket_on_line = bool(len(brackets)) and int(brackets[-1]) > int(newlines[-1])
            else:
                bracket_on_line = bracket_on_line or bool(len(brackets))
            before = (before + chunk)[-2:]
            if len(newlines):
                lengths = np.diff(newlines, prepend=-1)
                lengths[0] += line_length
                if int(lengths.max()) > max_line_bytes:
                    return None
                follows = newlines[newlines + 1 < len(chunk)] + 1
                if len(follows) and not (data[follows] == 123).all():
                    return None
                lines += len(newlines)
                line_length = len(chunk) - 1 - int(newlines[-1])
                at_line_start = line_length == 0
            else:
                line_length += len(chunk)
                at_line_start = False
            if line_length > max_line_bytes:
                return None
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    if line_length:
        lines += 1                                       # a last line without a newline
    if lines == 0:
        return None
    return _Scan(lines, published)


def _shallow(data: np.ndarray, newlines: np.ndarray, brackets: np.ndarray, before: bytes,
             bracket_on_line: bool) -> bool:
    """Does this chunk keep every line at most 3 levels deep (see the module)? At most one "[" per line (the
    unfinished line of the previous chunk may already hold one), and each "{" right after "[", "," or a line
    break, or after one space following "[" or "," (json.dumps writes ", "). Never a false "yes". `brackets`:
    the positions of "[" in the chunk."""
    if len(brackets):
        line_of = np.searchsorted(newlines, brackets)          # 0 = the line continued from the previous chunk
        if (bracket_on_line and line_of[0] == 0) or (len(line_of) > 1 and not np.diff(line_of).all()):
            return False
    opens = np.flatnonzero(data == 123)
    if not len(opens):
        return True
    extended = np.concatenate([np.frombuffer(before, dtype=np.uint8), data])   # index i + 2 = data[i]
    previous = extended[opens + 1]
    spaced = previous == 32
    if spaced.any():
        previous[spaced] = extended[opens[spaced]]
        previous[spaced & (previous == 10)] = 0                # " {" at a line start is not the common case
    return bool(_OBJECT_FOLLOWS[previous].all())


class _Collector:
    """Checks each batch and keeps its values as compact arrays; `finish` makes the Columns."""

    def __init__(self, schema, documents: Mapping[str, str], max_quotes_per_doc: int):
        import pyarrow as pa

        self.max_quotes = max_quotes_per_doc
        self.known = pa.array(list(documents), type=pa.string())
        self.text_length = np.fromiter(map(len, documents.values()), dtype=np.int64, count=len(documents))
        self.rows = 0
        self.doc_ids: list[str] = []
        self.outlets: list[str] = []
        self.dates: list = []
        self.published_nulls = 0
        self.positions: list[np.ndarray] = []
        self.parts: dict[str, list[np.ndarray]] = {k: [] for k in ("doc", "start", "end", "speaker", "stance",
                                                                     "type")}
        self.names: dict[str, int] = {}
        self.null_items = False
        self.fits = self._check_schema(schema)

    def _check_schema(self, schema) -> bool:
        import pyarrow as pa

        def string_or_null(t) -> bool:
            return t in (pa.string(), pa.null())

        names = set(schema.names)
        if not names <= _DOC_KEYS or "doc_id" not in names or schema.field("doc_id").type != pa.string():
            return False
        if "note" in names and not string_or_null(schema.field("note").type):
            return False
        if "outlet" in names and schema.field("outlet").type != pa.string():
            return False
        self.fields = names & {"outlet", "quotes"}
        self.quote_keys: set[str] = set()
        if "quotes" in names:
            lists = schema.field("quotes").type
            if not pa.types.is_list(lists):
                return False
            item = lists.value_type
            if pa.types.is_struct(item):
                self.quote_keys = {item.field(i).name for i in range(item.num_fields)}
                if not self.quote_keys <= _QUOTE_KEYS or not {"start", "end"} <= self.quote_keys:
                    return False
                if item.field("start").type != pa.int64() or item.field("end").type != pa.int64():
                    return False
                if not all(string_or_null(item.field(k).type) for k in self.quote_keys - {"start", "end"}):
                    return False
            elif item != pa.null():
                return False
            else:
                self.null_items = True       # every quote list empty, or holding only nulls (checked per batch)
        return True

    def add(self, batch) -> bool:
        """Check one batch and keep its values; False as soon as something is not in the common case."""
        import pyarrow.compute as pc

        from benchmark.submission import parse_date

        column = dict(zip(batch.schema.names, batch.columns))
        if column["doc_id"].null_count or any(column[k].null_count for k in self.fields):
            return False                     # a null (or absent key) on some line: null vs absent is unknown
        position = pc.index_in(column["doc_id"], value_set=self.known)
        if position.null_count:
            return False
        position = position.to_numpy()
        self.positions.append(position.astype(np.int32))
        self.doc_ids += column["doc_id"].to_pylist()
        if "outlet" in self.fields:                 # few distinct outlets: one shared string object each
            encoded = pc.dictionary_encode(column["outlet"])
            self.outlets += map(encoded.dictionary.to_pylist().__getitem__, encoded.indices.to_numpy().tolist())
        published = column["published"]
        self.published_nulls += published.null_count
        if published.null_count == 0 and len(published):
            encoded = pc.dictionary_encode(published)
            dates = []
            for value in encoded.dictionary.to_pylist():
                date, message = parse_date(value)
                if message:
                    return False
                dates.append(date)
            self.dates += map(dates.__getitem__, encoded.indices.to_numpy().tolist())
        if self.null_items and len(pc.list_flatten(column["quotes"])):
            return False                     # "quotes": [null]: the reference rejects each null quote
        if self.quote_keys and not self._add_quotes(column["quotes"], position):
            return False
        if "quotes" in self.fields and not self.quote_keys and pc.list_flatten(column["quotes"]).null_count:
            return False                     # "quotes": [null]: an invalid quote the line-by-line reader reports
        self.rows += batch.num_rows
        return True

    def _add_quotes(self, lists, position: np.ndarray) -> bool:
        import pyarrow as pa
        import pyarrow.compute as pc

        lengths = pc.list_value_length(lists).to_numpy()
        if len(lengths) and int(lengths.max()) > self.max_quotes:
            return False
        items = pc.list_flatten(lists)
        if items.null_count:
            return False
        doc = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        start, end = pc.struct_field(items, "start"), pc.struct_field(items, "end")
        if start.null_count or end.null_count:
            return False
        start, end = start.to_numpy(), end.to_numpy()
        if not ((start >= 0) & (start < end) & (end <= self.text_length[position][doc])).all():
            return False
        parts = self.parts
        parts["doc"].append(doc + np.int32(self.rows))
        parts["start"].append(start.astype(np.int32))          # offsets inside a text: far below 2**31
        parts["end"].append(end.astype(np.int32))
        if "speaker" in self.quote_keys:
            encoded = pc.dictionary_encode(pc.struct_field(items, "speaker").cast(pa.string()))
            names = self.names
            ids = np.array([names.setdefault(n, len(names)) for n in encoded.dictionary.to_pylist()] + [-1],
                           dtype=np.int32)
            parts["speaker"].append(ids[pc.fill_null(encoded.indices, -1).to_numpy()])
        else:
            parts["speaker"].append(np.full(len(start), -1, dtype=np.int32))
        for key, labels, none in (("stance", STANCES, len(STANCES)), ("type", QUOTE_TYPES, -1)):
            values = pc.struct_field(items, key).cast(pa.string()) if key in self.quote_keys else \
                pa.nulls(len(start), pa.string())
            code = pc.index_in(values, value_set=pa.array(labels))
            if code.null_count != values.null_count:          # an unknown label
                return False
            parts[key].append(pc.fill_null(code, none).to_numpy().astype(np.int8))
        return True

    def finish(self, published_bytes: bool) -> Columns | None:
        fields = set(self.fields)
        if self.published_nulls == 0 and self.rows:
            fields.add("published")
        elif self.published_nulls < self.rows or published_bytes:
            return None                      # some nulls, or maybe a "published": null on every line
        positions = np.concatenate(self.positions) if self.positions else np.zeros(0, dtype=np.int32)
        if len(positions) and np.bincount(positions).max() > 1:
            return None                      # a repeated doc_id
        parts = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int32) for k, v in self.parts.items()}
        return Columns(self.doc_ids, self.outlets if "outlet" in fields else None,
                       self.dates if "published" in fields else None, frozenset(fields),
                       frozenset(self.quote_keys if len(parts["start"]) else ()), **parts,
                       speaker_names=list(self.names))


def submission_from_columns(name: str, columns, documents: Mapping[str, str]) -> Submission:
    """The Submission of a file read by `benchmark.submission.columnar.read_columns` (its quotes stay in `columns`:
    the documents carry none). Document `fields` hold the document keys; quote keys count corpus-wide."""
    fields = _FIELDSETS[sum(1 << bit for bit, key in enumerate(_FIELD_BITS[:3]) if key in columns.fields)]
    n = len(columns.doc_ids)
    outlets = columns.outlets if columns.outlets is not None else [None] * n
    published = columns.published if columns.published is not None else [None] * n
    result = {doc_id: DocumentPrediction(doc_id, outlet, date, NO_QUOTES, fields, line)
              for line, (doc_id, outlet, date) in enumerate(zip(columns.doc_ids, outlets, published), 1)}
    quotes = len(columns.start) > 0
    attempted = attempted_tasks("outlet" in columns.fields, "published" in columns.fields,
                                "quotes" in columns.fields, quotes, False,
                                quotes and "speaker" in columns.quote_keys, quotes and "stance" in columns.quote_keys)
    return Submission(name, result, attempted, missing_warnings(name, documents, result))

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
- known and distinct doc_ids, labels and dates that `read_submission` accepts, at most max_quotes_per_doc quotes.
"""
from __future__ import annotations

import codecs
import datetime
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from benchmark.gold import QUOTE_TYPES, STANCES

_CHUNK = 1 << 23
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
                 max_quotes_per_doc: int) -> Columns | None:
    """The submission file at `path` as arrays, or None when it is not in the common case (see the module)."""
    scan = _scan(path, max_line_bytes)
    if scan is None:
        return None
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        # "published" is declared a string: pyarrow would otherwise infer timestamps from date-like strings
        table = pj.read_json(path, read_options=pj.ReadOptions(block_size=_block_size(max_line_bytes)),
                             parse_options=pj.ParseOptions(
                                 explicit_schema=pa.schema([("published", pa.string())]),
                                 unexpected_field_behavior="infer"))
        if table.num_rows != scan.lines:                 # e.g. two objects on one line
            return None
        return _columns(table, scan, documents, max_quotes_per_doc)
    except pa.ArrowException:       # pyarrow cannot read or convert it: the reference path will say why
        return None


def _block_size(max_line_bytes: int) -> int:
    return max(1 << 20, min(max_line_bytes, 1 << 24))


@dataclass
class _Scan:
    lines: int
    published_bytes: bool      # the bytes "published" (in quotes) occur, or an escaped ASCII character does


def _scan(path: str, max_line_bytes: int) -> _Scan | None:
    """One pass over the bytes: line count, line lengths, line starts, UTF-8 validity. None when not clean."""
    decoder = None
    lines = 0
    line_length = 0              # bytes of the current (unfinished) line so far
    at_line_start = True
    published = False
    tail = b""                   # the last bytes of the previous chunk, for patterns across a chunk boundary
    with open(path, "rb") as f:
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
            newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            if at_line_start and chunk[:1] != b"{":
                return None
            if len(newlines):
                lengths = np.diff(newlines, prepend=-1)
                lengths[0] += line_length
                if int(lengths.max()) > max_line_bytes:
                    return None
                follows = newlines[newlines + 1 < len(chunk)] + 1
                if len(follows) and not (np.frombuffer(chunk, dtype=np.uint8)[follows] == 123).all():
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


def _columns(table, scan: _Scan, documents: Mapping[str, str], max_quotes_per_doc: int) -> Columns | None:
    import pyarrow as pa
    import pyarrow.compute as pc

    from benchmark.submission import _parse_date

    names = set(table.column_names)
    column = {name: table.column(name).combine_chunks() for name in names}
    if not names <= _DOC_KEYS or "doc_id" not in names:
        return None
    schema = table.schema
    fields = set()
    if schema.field("doc_id").type != pa.string() or column["doc_id"].null_count:
        return None
    if "note" in names and schema.field("note").type not in (pa.string(), pa.null()):
        return None
    for key in ("outlet", "quotes"):
        if key in names:
            if column[key].null_count:             # null or absent on some line: the reference path
                return None
            fields.add(key)
    if "outlet" in names and schema.field("outlet").type != pa.string():
        return None
    published_column = column["published"]
    if published_column.null_count == 0:
        fields.add("published")
    elif published_column.null_count < len(published_column) or scan.published_bytes:
        return None                                      # some nulls, or maybe a "published": null everywhere

    # documents: known, distinct
    doc_ids = column["doc_id"].to_pylist()
    known = list(documents)
    position = pc.index_in(column["doc_id"], value_set=pa.array(known, type=pa.string()))
    if position.null_count:
        return None
    position = position.to_numpy()
    if len(position) and np.bincount(position).max() > 1:
        return None

    outlets = column["outlet"].to_pylist() if "outlet" in fields else None
    published = None
    if "published" in fields:
        encoded = pc.dictionary_encode(published_column)
        dates = []
        for value in encoded.dictionary.to_pylist():
            date, message = _parse_date(value)
            if message:
                return None
            dates.append(date)
        published = [dates[i] for i in encoded.indices.to_numpy().tolist()]

    # quotes
    empty = np.zeros(0, dtype=np.int64)
    quote = {"doc": empty, "start": empty, "end": empty, "speaker": empty, "stance": empty, "type": empty}
    speaker_names: list[str] = []
    quote_keys: set[str] = set()
    if "quotes" in fields:
        lists = column["quotes"]
        if not pa.types.is_list(lists.type):
            return None
        lengths = pc.list_value_length(lists).to_numpy()
        if len(lengths) and int(lengths.max()) > max_quotes_per_doc:
            return None
        items = pc.list_flatten(lists)
        if len(items):
            if not pa.types.is_struct(items.type) or items.null_count:
                return None
            item_type = items.type
            quote_keys = {item_type.field(i).name for i in range(item_type.num_fields)}
            if not quote_keys <= _QUOTE_KEYS or not {"start", "end"} <= quote_keys:
                return None
            parts = {k: pc.struct_field(items, k) for k in quote_keys}
            for key in ("start", "end"):
                if parts[key].type != pa.int64() or parts[key].null_count:
                    return None
            for key in ("speaker", "stance", "type"):
                if key in parts and parts[key].type not in (pa.string(), pa.null()):
                    return None
            doc = np.repeat(np.arange(len(lengths)), lengths)
            start, end = parts["start"].to_numpy(), parts["end"].to_numpy()
            text_length = np.array([len(documents[d]) for d in known], dtype=np.int64)[position]
            if not ((start >= 0) & (start < end) & (end <= text_length[doc])).all():
                return None
            quote.update(doc=doc, start=start, end=end)
            if "speaker" in parts:
                encoded = pc.dictionary_encode(parts["speaker"].cast(pa.string()))
                quote["speaker"] = pc.fill_null(encoded.indices, -1).to_numpy()
                speaker_names = encoded.dictionary.to_pylist()
            else:
                quote["speaker"] = np.full(len(start), -1, dtype=np.int64)
            for key, labels, none in (("stance", STANCES, len(STANCES)), ("type", QUOTE_TYPES, -1)):
                values = parts[key].cast(pa.string()) if key in parts else pa.nulls(len(start), pa.string())
                code = pc.index_in(values, value_set=pa.array(labels))
                if code.null_count != values.null_count:          # an unknown label
                    return None
                quote[key] = pc.fill_null(code, none).to_numpy()
    return Columns(doc_ids, outlets, published, frozenset(fields), frozenset(quote_keys), **quote,
                   speaker_names=speaker_names)

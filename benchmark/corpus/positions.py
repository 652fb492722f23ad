"""Annotation files as JSON with the line of every value: a strict loader (only a regular file within the cap of
`benchmark.corpus.annotations.MAX_ANNOTATION_BYTES` is read; duplicate keys, non-UTF-8 bytes, invalid JSON, deep
nesting and integers too long to parse are problems, never tracebacks or hangs) and the positions a validator
needs to say `FILE:LINE`, and values shown short in messages; the problems (and warnings) a validator reports,
each named `FILE:LINE: ID: FIELD: message`."""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.corpus.annotations import MAX_ANNOTATION_BYTES
from benchmark.safe_io import (
    FileRefused,
    json_nesting_depth,
    json_value_error,
    lone_surrogates,
    read_bytes,
    surrogate_message,
)

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
MAX_JSON_DEPTH = 64        # a gold file nests 4 levels (document -> quotes -> quote -> speaker_mention)


class _Positions:
    """Map from a JSON path (tuple of keys and indices) to the 1-based line where it starts.

    For an object member the line is that of its key. Built by a small scanner over text that `json.loads`
    already accepted, so it can trust the syntax. Also records duplicate keys (json.loads keeps the last).
    """

    def __init__(self, text: str):
        self.text = text
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]
        self.lines: dict[tuple, int] = {}
        self.duplicates: list[tuple[tuple, int]] = []
        self._scan(self._ws(0), ())

    def line_of(self, index: int) -> int:
        return bisect.bisect_left(self.newlines, index) + 1

    def line(self, path: tuple) -> int:
        """Line of `path`, or of its nearest existing ancestor."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def _ws(self, i: int) -> int:
        return _WS.match(self.text, i).end()

    def _scan(self, i: int, path: tuple) -> int:
        s = self.text
        self.lines.setdefault(path, self.line_of(i))
        if s[i] == "{":
            i = self._ws(i + 1)
            seen: set[str] = set()
            if s[i] == "}":
                return i + 1
            while True:
                key_line = self.line_of(i)
                key, i = json.decoder.scanstring(s, i + 1)
                if key in seen:
                    self.duplicates.append((path + (key,), key_line))
                seen.add(key)
                self.lines[path + (key,)] = key_line
                i = self._ws(self._ws(i) + 1)  # skip ':'
                i = self._ws(self._scan(i, path + (key,)))
                if s[i] == "}":
                    return i + 1
                i = self._ws(i + 1)  # skip ','
        if s[i] == "[":
            i = self._ws(i + 1)
            if s[i] == "]":
                return i + 1
            n = 0
            while True:
                i = self._ws(self._scan(i, path + (n,)))
                n += 1
                if s[i] == "]":
                    return i + 1
                i = self._ws(i + 1)
        _value, end = _DECODER.raw_decode(s, i)
        return end


def _load_json(path: Path, display: str, report) -> tuple[Any, str | None, bool]:
    """Parse a JSON file: (value, source text, whether some object repeats a key).
    On any failure report it and return (None, None, False)."""
    try:
        raw = read_bytes(path, limit=MAX_ANNOTATION_BYTES)      # a FIFO or a device is refused, not read
    except FileRefused as err:
        report.add(display, 1, None, None, err.reason)
        return None, None, False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        report.add(display, line, None, None, f"not valid UTF-8 (byte {raw[err.start]:#04x} at byte offset {err.start})")
        return None, None, False
    if (depth := json_nesting_depth(raw)) > MAX_JSON_DEPTH:
        report.add(display, 1, None, None, f"values nested {depth} levels deep (limit {MAX_JSON_DEPTH}); not parsed")
        return None, None, False
    repeated = []

    def pairs(items: list) -> dict:
        if len({k for k, _ in items}) != len(items):
            repeated.append(True)
        return dict(items)
    try:
        value = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as err:
        report.add(display, err.lineno, None, None, f"invalid JSON: {err.msg} (column {err.colno})")
        return None, None, False
    except RecursionError:
        report.add(display, 1, None, None, "invalid JSON: nested too deeply")
        return None, None, False
    except ValueError as err:          # NaN is accepted by json.loads; an integer of more than 4300 digits is not
        long_number = re.search(r"[0-9]{4301,}", text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else 1
        report.add(display, line, None, None, f"invalid JSON: {json_value_error(err)}")
        return None, None, False
    return value, text, bool(repeated)


# --------------------------------------------------------------------------------------------- reporting


def _show(value: Any, limit: int = 60) -> str:
    """Short readable form of a JSON value for messages: strings as Python repr ('pro'), the rest as JSON."""
    if isinstance(value, str):
        s = repr(value if len(value) <= limit else value[:limit] + "…")
    else:
        try:
            s = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            s = repr(value)
        if len(s) > limit:
            s = s[:limit] + "…"
    return s


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


# ------------------------------------------------------------------- problems, each at its file and line
@dataclass
class _Problem:
    file: str
    line: int
    what: str | None
    field: str | None
    message: str
    label: str | None = None          # "warning" for the lines that do not fail validation

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}"] + [p for p in (self.label, self.what, self.field) if p] + [self.message]
        return ": ".join(parts)


class _Report:
    def __init__(self, label: str | None = None) -> None:
        self.problems: list[_Problem] = []
        self.file_order: dict[str, int] = {}
        self.label = label

    def add(self, file: str, line: int, what: str | None, field: str | None, message: str) -> None:
        self.file_order.setdefault(file, len(self.file_order))
        self.problems.append(_Problem(file, line, what, field, message, self.label))

    def lines(self) -> list[str]:
        ordered = sorted(self.problems, key=lambda p: (self.file_order[p.file], p.line))  # stable
        out, seen = [], set()
        for p in ordered:
            if str(p) not in seen:
                seen.add(str(p))
                out.append(str(p))
        return out


class _FileContext:
    """Knows how to name things inside one JSON file (quote id / boilerplate[i] / speaker id) and their lines."""

    def __init__(self, display: str, data: Any, source: str, kind: str, repeated_keys: bool = False):
        self.display, self.data, self.source, self.kind = display, data, source, kind
        self.repeated_keys = repeated_keys
        self._positions: _Positions | None = None

    @property
    def positions(self) -> _Positions | None:
        """Built only when a problem needs a line number (valid files never pay for it)."""
        if self._positions is None:
            try:
                self._positions = _Positions(self.source)
            except (RecursionError, ValueError, IndexError):  # pragma: no cover - json.loads accepted it
                return None
        return self._positions

    def line(self, path: tuple) -> int:
        return self.positions.line(path) if self.positions else 1

    def report_decoding_problems(self, report: "_Report") -> None:
        """What json.loads lets through: repeated keys, and strings holding a lone surrogate (no writer could
        encode them: the build would fail on a file the validator passed)."""
        if self.repeated_keys and self.positions:
            for dup_path, line in self.positions.duplicates:
                what, fld = self.split(dup_path)
                report.add(self.display, line, what, fld, "duplicate key (JSON keeps only the last value)")
        for path, text in lone_surrogates(self.data) if "\\u" in self.source else ():
            self.add(report, path, surrogate_message(text))

    def _item_name(self, container: str, index: int) -> str:
        try:
            item = self.data[container][index]
        except (KeyError, IndexError, TypeError):
            item = None
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, str) and ident:
            return ident
        return f"{container}[{index}]"

    def split(self, path: tuple) -> tuple[str | None, str | None]:
        """(what, field) for a JSON path."""
        if not path:
            return None, None
        head, rest = path[0], path[1:]
        if self.kind == "gold":
            if head in ("quotes", "boilerplate") and rest and isinstance(rest[0], int):
                what = self._item_name("quotes", rest[0]) if head == "quotes" else f"boilerplate[{rest[0]}]"
                return what, _field_name(rest[1:]) or None
            if head == "metadata":
                return "metadata", _field_name(rest) or None
            return "document", _field_name(path)
        if head == "speakers" and rest and isinstance(rest[0], int):
            return self._item_name("speakers", rest[0]), _field_name(rest[1:]) or None
        return None, _field_name(path)

    def add(self, report: _Report, path: tuple, message: str) -> None:
        what, fld = self.split(path)
        report.add(self.display, self.line(path), what, fld, message)


def _field_name(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out

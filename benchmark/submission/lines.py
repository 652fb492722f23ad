"""Reading JSON Lines defensively: lines read with a cap on their length, nesting measured before parsing
(`benchmark.safe_io.json_nesting_depth`), a strict decoder and the repeated keys it cannot see, short renderings
of values for messages, and the one message for a file that is not JSON Lines."""
from __future__ import annotations

import json

from benchmark.safe_io import json_nesting_depth as _nesting_depth  # noqa: F401  (the reader's depth check)
from benchmark.safe_io import json_value_error, lone_surrogates, may_hold_surrogates, surrogate_message  # noqa: F401

_TOO_LONG = object()   # marker yielded instead of a line longer than max_line_bytes


def _file_lines(f, max_line_bytes: int):
    """Yield the raw lines of a binary file without ever holding more than max_line_bytes of one line."""
    readline = f.readline
    limit = max_line_bytes + 1
    while True:
        raw = readline(limit)
        if not raw:
            return
        if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):     # skip the rest of the oversized line
                raw = readline(1 << 20)
            yield _TOO_LONG
        else:
            yield raw


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__} (not a JSON value)"


def _show(value, limit: int = 60) -> str:
    """A short JSON-ish rendering of a value for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


class _KeyedObject(dict):
    """A JSON object decoded by `_PAIRS_DECODER`: `repeated` lists the keys it held more than once."""
    __slots__ = ("repeated",)


def _keyed_object(pairs: list[tuple[str, object]]) -> dict:
    obj = _KeyedObject(pairs)
    repeated: dict[str, None] = {}
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                repeated[key] = None
            seen.add(key)
    obj.repeated = list(repeated)
    return obj


# Slower than _DECODER (a Python call per object), so only used on a line that may repeat a key.
_PAIRS_DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_keyed_object)


def may_repeat_keys(line: str | bytes, obj: dict) -> bool:
    """Could decoded line `obj` (a document) have lost a repeated key? `json.loads` keeps the last value of a
    repeated key silently. Each key of an object comes with one ':' outside strings, so when the line holds no
    more ':' than the document and its quote objects have keys, no object anywhere repeated a key (and no ':' is
    inside a string). Otherwise (a ':' in a text, a nested value) the caller decodes again with
    `_PAIRS_DECODER` to know."""
    colons = line.count(b":" if isinstance(line, bytes) else ":")
    keys = len(obj)
    if colons <= keys:
        return False
    quotes = obj.get("quotes")
    if type(quotes) is list:
        try:
            keys += sum(map(len, quotes))      # a quote that is not an object is reported anyway
        except TypeError:
            keys += sum(len(q) for q in quotes if type(q) is dict)
    return colons > keys


def repeated_keys(value, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path of the object, key) for every repeated key in a value decoded by `_PAIRS_DECODER`."""
    found = []
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            found += [(where, key) for key in getattr(item, "repeated", ())]
            stack.extend((child, where + (key,)) for key, child in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((child, where + (i,)) for i, child in reversed(list(enumerate(item))))
    return found


def field_path(path: tuple) -> str:
    """A JSON path as the reader names fields: quotes[3].speaker (0-based index)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def surrogate_problems(obj, max_depth: int) -> list[tuple[str, str]]:
    """(field, message) for each string of a decoded line holding a lone surrogate: no output could be written
    with one, so it is rejected here, where it is read."""
    return [(field_path(path) or "line", surrogate_message(text)) for path, text in lone_surrogates(obj, max_depth)]


def decoded_line_problems(source: str | bytes, text: str, obj: dict) -> list[tuple[str, str]]:
    """(field, message) for what `_DECODER` let through in the document `obj` decoded from `text` (`source`: the
    line as read, bytes or str): keys given twice in one object, and lone surrogates. Cheap when there are none:
    a count of ':' and a search for \\uD8.. escapes."""
    problems = []
    if may_repeat_keys(source, obj):
        problems += [(field_path(path + (key,)), "key given twice in one object (JSON keeps only the last value, "
                                                 "and readers differ): give it once")
                     for path, key in repeated_keys(_PAIRS_DECODER.decode(text))]
    if may_hold_surrogates(source):
        problems += surrogate_problems(obj, 64)
    return problems


def _not_jsonl_message(stripped: str, parsed, error: json.JSONDecodeError | None) -> str | None:
    """If the first non-blank line shows the file is not JSON Lines at all, one message saying so; else None."""
    if error is None:
        if isinstance(parsed, list):
            return ("the file is a JSON array, not JSON Lines: write one JSON object per line "
                    "(for example: jq -c '.[]' FILE > FILE.jsonl)")
        if isinstance(parsed, dict):
            return None
        return (f"the file is not JSON Lines: its first line is {_json_type(parsed)}, not a JSON object "
                "(write one object per document, one per line)")
    if stripped.startswith("["):
        return ("the file looks like a JSON array spread over several lines, not JSON Lines: write one JSON "
                "object per line (for example: jq -c '.[]' FILE > FILE.jsonl)")
    if stripped.startswith("{"):
        if error.pos >= len(stripped.rstrip()):    # the object continues on the next lines
            return ("the file looks like pretty-printed JSON (an object spread over several lines), not JSON "
                    "Lines: put each document's object on a single line (for example: jq -c . FILE)")
        return None                                  # an ordinary broken line: reported as invalid JSON
    if "," in stripped or "\t" in stripped:
        kind = "CSV/TSV"
    elif stripped.startswith("<"):
        kind = "XML/HTML"
    else:
        kind = "plain text"
    return (f"the file is not JSON Lines (one JSON object per line, starting with '{{'); it looks like {kind}: "
            f"{_show(stripped[:40])}")


def _as_int(value) -> tuple[int | None, str | None]:
    if type(value) is int:
        return value, None
    if type(value) is float and value.is_integer():
        return int(value), None
    if type(value) is float:
        return None, f"expected an integer, got a number with a fraction: {_show(value)}"
    return None, f"expected an integer, got {_json_type(value)}" + (
        f" {_show(value)}" if isinstance(value, (str, bool)) else "")


def _label_message(value, labels: tuple[str, ...]) -> str:
    allowed = ", ".join(labels)
    if type(value) is not str:
        return f"expected one of {allowed} or null, got {_json_type(value)}"
    if value.lower() in labels:
        return f"unknown label {_show(value)}: labels are lowercase ({value.lower()!r})"
    return f"unknown label {_show(value)}: expected one of {allowed} or null"



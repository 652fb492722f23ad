"""Reading JSON Lines defensively: lines read with a cap on their length, nesting measured before parsing, a
strict decoder, short renderings of values for messages, and the one message for a file that is not JSON Lines."""
from __future__ import annotations

import json
import re
from itertools import accumulate

_JSON_STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")   # read as signed bytes: +1 / -1


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


def _nesting_depth(raw: bytes) -> int:
    """Maximum bracket nesting of a JSON line, computed without recursion (strings are skipped)."""
    brackets = _JSON_STRING_RE.sub(b"", raw).translate(None, _NOT_BRACKETS).translate(_BRACKET_STEP)
    return max(accumulate(memoryview(brackets).cast("b")), default=0)


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

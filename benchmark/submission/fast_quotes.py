"""The reader's fast path for the quotes of one document: when every quote has the common shape (located by
start/end; keys among speaker, stance, type) and valid values, a few dict and type checks per quote and no message
building. Anything unusual returns None and `reader` checks quote by quote."""
from __future__ import annotations

from itertools import combinations, permutations

from benchmark.labels import QUOTE_TYPES, STANCES

_STANCE = {s: s for s in STANCES}            # value -> the canonical (shared) string object
_TYPE = {t: t for t in QUOTE_TYPES}
_SHARED_INT_LIMIT = 1 << 17
_SHARED_INTS = list(range(_SHARED_INT_LIMIT))

# The fast path's quote shapes: every key tuple (any order) made of start, end and any of speaker (bit 8),
# stance (16), type (32) -> its field bits.
_FAST_SHAPES: dict[tuple, int] = {
    keys: sum({"speaker": 8, "stance": 16, "type": 32}.get(k, 0) for k in keys)
    for extra in range(4) for optional in combinations(("speaker", "stance", "type"), extra)
    for keys in permutations(("start", "end", *optional))
}
_STANCE_OR_NONE = {**_STANCE, None: None}
_TYPE_OR_NONE = {**_TYPE, None: None}


def _fast_quotes(quotes: list, n: int, strings: dict) -> tuple[list[tuple], int] | None:
    """The quotes of one document, when all have a common shape and valid values: a few dict and type checks
    per quote, no message building. None as soon as anything differs (the caller then checks quote by quote).

    Returns (rows, field bits): one QuoteRow tuple per quote (the caller makes PredictedQuote objects of them, or
    hands them to a columnar `on_quote_rows` consumer as they are)."""
    out: list[tuple] = []
    append = out.append
    shapes = _FAST_SHAPES
    ints = _SHARED_INTS
    limit = _SHARED_INT_LIMIT
    mask = 0
    try:    # KeyError / TypeError: an unusual shape, an unknown label, an unhashable value -> slow path
        for q in quotes:
            shape = shapes[tuple(q)]
            start = q["start"]
            end = q["end"]
            if type(start) is not int or type(end) is not int or not 0 <= start < end <= n:
                return None
            if end < limit:             # share int objects: 1M quotes need not own 2M ints
                start = ints[start]
                end = ints[end]
            speaker = stance = qtype = None
            if shape:
                if shape & 8:
                    speaker = q["speaker"]
                    if type(speaker) is str:
                        speaker = strings.setdefault(speaker, speaker)   # one object per distinct name
                    elif speaker is not None:
                        return None
                if shape & 16:
                    stance = _STANCE_OR_NONE[q["stance"]]
                if shape & 32:
                    qtype = _TYPE_OR_NONE[q["type"]]
                mask |= shape
            append((start, end, speaker, None, None, stance, qtype))
    except (KeyError, TypeError, RecursionError):     # RecursionError: hashing a deeply nested tuple
        return None
    return out, mask



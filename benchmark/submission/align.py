"""Locate a quoted string in an article: exact occurrences first, then a tolerant match.

The articles are messy on purpose (HTML entities, line-wrapped quotes, mixed quote marks), and a submission may
give a quote by its text instead of offsets. Tolerant matching compares a *normalised* copy of the article with
the normalised needle, where normalisation

- decodes HTML entities (`&quot;`, `&#39;`, `&#x2019;`, `&amp;`, also doubly escaped `&amp;quot;`),
- folds every quote-mark style (straight, curly, single, double, primes, guillemets, backtick) to one mark, and
  a run of marks (’” closing a nested quote) to one mark,
- collapses each run of whitespace, including line breaks and no-break spaces, to one space,
- drops invisible characters (zero-width space/joiners, soft hyphen, BOM),

and the needle additionally loses its surrounding quote marks and whitespace. Each normalised character remembers
the original span it came from, so matches are reported as offsets into the original text (Python `str`
indices = Unicode code points, end-exclusive), covering whole entities / whitespace runs at the edges.

Nothing is guessed: `align_text` returns every occurrence and the caller decides what to do with 0 or 2+.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import NamedTuple

# Every character treated as a quotation mark or apostrophe; all fold to '"'.
QUOTE_MARKS = (
    "\"'`\u00b4"                            # straight double/single, backtick, acute accent
    "\u2018\u2019\u201a\u201b"              # ‘ ’ ‚ ‛
    "\u201c\u201d\u201e\u201f"              # “ ” „ ‟
    "\u2032\u2033\u2035\u2036"              # ′ ″ ‵ ‶ (primes, used as quote marks by some CMSs)
    "\u00ab\u00bb\u2039\u203a"              # « » ‹ ›
    "\u300c\u300d\u300e\u300f"              # 「 」 『 』
    "\uff02\uff07"                          # fullwidth " '
)
FOLDED_QUOTE = '"'
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

# One "special" chunk of the original text: an entity (possibly with repeated `amp;` from double escaping),
# a whitespace run, one quote mark, or a run of invisible characters. Everything between chunks is copied as is.
_ENTITY = r"&(?:amp;)*(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_SPECIAL = re.compile(
    rf"(?P<entity>{_ENTITY})|(?P<space>\s+)|(?P<quote>[{re.escape(QUOTE_MARKS)}])|(?P<invisible>[{INVISIBLE}]+)"
)
_SPACE_OR_QUOTE = " " + FOLDED_QUOTE


class Normalised(NamedTuple):
    text: str              # the normalised copy
    starts: list[int]      # starts[i] = original offset where normalised character i begins
    ends: list[int]        # ends[i] = original offset where normalised character i ends


def _decode_entity(entity: str) -> str:
    # Decode repeatedly so that double escaping (`&amp;quot;`) yields the character a reader sees.
    decoded = html.unescape(entity)
    while decoded != entity and "&" in decoded:
        entity, decoded = decoded, html.unescape(decoded)
    return decoded


def _fold_char(ch: str) -> str:
    """Normal form of one character produced by entity decoding ('' = dropped)."""
    if ch in QUOTE_MARKS:
        return FOLDED_QUOTE
    if ch.isspace():
        return " "
    if ch in INVISIBLE:
        return ""
    return ch


def normalise(text: str) -> Normalised:
    """The tolerant normal form of `text` with its map back to original offsets (see the module docstring)."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last_folded = ""                    # the last emitted character if it was a folded space or quote mark
    pos = 0

    def emit(chars: str, start: int, end: int) -> None:
        nonlocal last_folded
        for ch in chars:
            if ch == last_folded:
                ends[-1] = end          # a run of spaces (or of quote marks, e.g. ’” closing a nested quote)
                continue                # becomes one character covering the whole run
            pieces.append(ch)
            starts.append(start)
            ends.append(end)
            last_folded = ch if ch in _SPACE_OR_QUOTE else ""

    for m in _SPECIAL.finditer(text):
        s, e = m.span()
        if s > pos:                     # ordinary stretch: copied one to one
            pieces.append(text[pos:s])
            starts.extend(range(pos, s))
            ends.extend(range(pos + 1, s + 1))
            last_folded = ""
        kind = m.lastgroup
        if kind == "space":
            emit(" ", s, e)
        elif kind == "quote":
            emit(FOLDED_QUOTE, s, e)
        elif kind == "entity":
            emit("".join(_fold_char(ch) for ch in _decode_entity(m.group())), s, e)
        # invisible characters: emit nothing
        pos = e
    if pos < len(text):
        pieces.append(text[pos:])
        starts.extend(range(pos, len(text)))
        ends.extend(range(pos + 1, len(text) + 1))
    return Normalised("".join(pieces), starts, ends)


@lru_cache(maxsize=256)
def _normalised_article(text: str) -> Normalised:
    # Cached per article text: a submission locates many quotes in the same document.
    return normalise(text)


def normalise_needle(needle: str) -> str:
    """Normal form of a searched string: as `normalise`, minus surrounding quote marks and whitespace."""
    return normalise(needle).text.strip(_SPACE_OR_QUOTE)


def _find_all(haystack: str, needle: str) -> list[int]:
    """Start offsets of every occurrence, overlapping ones included (each is a distinct candidate)."""
    found = []
    i = haystack.find(needle)
    while i != -1:
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


def align_text(text: str, needle: str) -> list[tuple[int, int]]:
    """All spans of `text` where `needle` occurs, as (start, end) code-point offsets, in text order.

    Exact occurrences if there are any; otherwise occurrences of the normalised needle in the normalised text
    (see the module docstring), mapped back to original offsets. An empty needle (or one that is only quote
    marks and whitespace) matches nothing.
    """
    if not needle:
        return []
    exact = _find_all(text, needle)
    if exact:
        return [(i, i + len(needle)) for i in exact]
    target = normalise_needle(needle)
    if not target:
        return []
    norm = _normalised_article(text)
    n = len(target)
    return [(norm.starts[i], norm.ends[i + n - 1]) for i in _find_all(norm.text, target)]

"""Which place of the article each quote given by its `text` takes: the candidates of `benchmark.submission.align`,
ranked and assigned per document (the reader calls `place_text_locators` with all text locators of a document).

- A quote with `"occurrence": N` takes the N-th candidate, in text order, of the first tier that found any (exact,
  normalised, ellipsis, fuzzy); fewer than N candidates is an error. These quotes are placed first.
- Every other quote, in submission order, takes the best-ranked candidate that no earlier quote of the document
  has taken (the same span up to surrounding whitespace and quote marks), looking through the tiers in order; so
  repeated identical quotes take distinct occurrences. When every candidate is taken it repeats the best-ranked
  one of the first tier (the matching, one-to-one, then counts the repeat as spurious).
- Rank within a tier: higher similarity (fuzzy and ellipsis tiers), then delimited by quotation marks (an opening
  mark right before and a closing one right after, possibly after `,.;:!?`; an apostrophe inside a word, as in
  Trump’s, is no quotation mark), then a whole-word match, then not inside a boilerplate region, then text order.
- A tie the ranking cannot break -- more untaken candidates of the best rank than identical quotes left to place
  -- goes to the first in text order, with a warning naming the candidates; `strict` makes it an error. No
  warning when every tied candidate lies inside boilerplate: the prediction is ignored wherever it goes.
- A quote that no tier finds is *not found*: it keeps no span and counts as a spurious prediction; its Alignment
  names the closest passage and its similarity. `strict` makes it an error.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from benchmark.submission.align import (
    _ENTITY_RE,
    FOLDED_QUOTE,
    QUOTE_MARKS,
    Article,
    Candidate,
    _decode_entity,
    _fold_char,
)
from benchmark.submission.lines import _show
from benchmark.submission.model import Alignment

SNIPPET = 100
MAX_NAMED = 5                       # candidates named in a warning
CLOSEST_MIN = 0.5                   # a closest passage less similar than this is not shown
_CLOSING_PUNCTUATION = ",.;:!?\u2026"


class TextLocator(NamedTuple):
    position: int                   # index of the quote in the document's "quotes" array
    text: str
    occurrence: int | None


class Placement(NamedTuple):
    start: int | None               # None: not found
    end: int | None
    alignment: Alignment


class Issue(NamedTuple):
    position: int
    field: str                      # "text" or "occurrence"
    message: str
    error: bool                     # an error (the document is invalid) or a warning


def place_text_locators(article: Article, boilerplate: Sequence, locators: Sequence[TextLocator],
                        strict: bool = False) -> tuple[list[Placement | None], list[Issue]]:
    """The placement of each locator (None where an error was found) and the issues, per the module docstring.
    boilerplate: the document's regions, as dicts with start and end."""
    regions = [(r["start"], r["end"]) for r in boilerplate or ()]
    placer = _Placer(article, regions)
    placements: list[Placement | None] = [None] * len(locators)
    issues: list[Issue] = []
    explicit = [k for k, loc in enumerate(locators) if loc.occurrence is not None]
    automatic = [k for k, loc in enumerate(locators) if loc.occurrence is None]
    for k in explicit:
        loc = locators[k]
        first = placer.tier(loc.text, 0)
        if first is None:
            placements[k] = placer.not_found(loc, strict, issues)
        elif loc.occurrence > len(first):
            issues.append(Issue(loc.position, "occurrence", f"{loc.occurrence} asked, but the text is found only "
                                                            f"{len(first)} time(s)", True))
        else:
            chosen = sorted(first)[loc.occurrence - 1]
            placer.taken.add(placer.identity(chosen))
            placements[k] = placer.placement(loc, chosen)
    left = Counter(locators[k].text for k in automatic)     # identical quotes not placed yet
    warned: set[str] = set()
    for k in automatic:
        loc = locators[k]
        chosen, tied = placer.best_free(loc.text)
        if chosen is None:
            placements[k] = placer.not_found(loc, strict, issues)
        else:
            if len(tied) > left[loc.text] and loc.text not in warned and not all(map(placer.in_boilerplate, tied)):
                warned.add(loc.text)
                where = ", ".join(str(c.start) for c in tied[:MAX_NAMED]) + (", ..." if len(tied) > MAX_NAMED else "")
                if strict:
                    issues.append(Issue(loc.position, "text", f"ambiguous: found {len(tied)} places equally good "
                                        f"(at offsets {where}); add \"occurrence\": N (1-based) to say which: "
                                        f"{_show(loc.text)}", True))
                    left[loc.text] -= 1
                    continue
                issues.append(Issue(loc.position, "text", f"{_show(loc.text)} fits {len(tied)} places equally well "
                                    f"(at offsets {where}): took offset {chosen.start}, the first not taken in "
                                    "text order; add \"occurrence\": N (1-based) to choose", False))
            placer.taken.add(placer.identity(chosen))
            placements[k] = placer.placement(loc, chosen)
        left[loc.text] -= 1
    return placements, issues


class _Placer:
    """The candidates of each distinct text of one document (each tier searched once, when first needed), their
    ranks, and the candidates taken so far."""

    def __init__(self, article: Article, regions: list[tuple[int, int]]):
        self.article = article
        self.text = article.text
        self.regions = regions
        self.taken: set[tuple[int, int]] = set()
        self._tiers: dict[str, tuple[list, object]] = {}

    def tier(self, needle: str, k: int) -> list[Candidate] | None:
        """The k-th tier that found candidates for `needle` (None when there are fewer)."""
        found, more = self._tiers.get(needle) or self._tiers.setdefault(needle, ([], self.article.tiers(needle)))
        while len(found) <= k:
            nxt = next(more, None)
            if nxt is None:
                return None
            found.append(sorted(nxt, key=lambda c: (self.rank(c), c.start, c.end)))
        return found[k]

    def best_free(self, needle: str) -> tuple[Candidate | None, list[Candidate]]:
        """(the best-ranked candidate not taken, looking through the tiers in order -- or, when all are taken,
        the best of the first tier; the untaken candidates of the chosen one's rank), or (None, []) when not
        found."""
        k = 0
        while (tier := self.tier(needle, k)) is not None:
            free = [c for c in tier if self.identity(c) not in self.taken]
            if free:
                best = self.rank(free[0])
                return free[0], sorted(c for c in free if self.rank(c) == best)
            k += 1
        first = self.tier(needle, 0)
        return (first[0], []) if first else (None, [])

    def rank(self, c: Candidate) -> tuple:
        start, end = self.identity(c)
        text = self.text
        whole_word = (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())
        delimited = _mark_before(text, start) and _mark_after(text, end)
        return -c.similarity, not delimited, not whole_word, self.in_boilerplate(c)

    def in_boilerplate(self, c: Candidate) -> bool:
        return any(s <= c.start and c.end <= e for s, e in self.regions)

    def identity(self, c: Candidate) -> tuple[int, int]:
        """The candidate's span without surrounding whitespace and quote marks: two candidates with the same
        identity are the same occurrence."""
        start, end, text = c.start, c.end, self.text
        while start < end and (text[start].isspace() or text[start] in QUOTE_MARKS):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in QUOTE_MARKS):
            end -= 1
        return start, end

    def placement(self, loc: TextLocator, c: Candidate) -> Placement:
        return Placement(c.start, c.end, Alignment(c.method, c.similarity, _snippet(loc.text)))

    def not_found(self, loc: TextLocator, strict: bool, issues: list[Issue]) -> Placement | None:
        closest = self.article.closest(loc.text)
        if closest is not None and closest.similarity < CLOSEST_MIN:
            closest = None                  # nothing worth showing
        alignment = Alignment("not found", closest.similarity if closest else 0.0, _snippet(loc.text),
                              _snippet(self.text[closest.start:closest.end]) if closest else None,
                              closest.start if closest else None)
        if strict:
            issues.append(Issue(loc.position, "text", f"{alignment.message()}: {_show(loc.text)}", True))
            return None
        return Placement(None, None, alignment)


def _snippet(text: str) -> str:
    s = " ".join(text[:4 * SNIPPET].split())         # a prefix first: a text locator may be megabytes long
    return s if len(s) <= SNIPPET else s[: SNIPPET - 1] + "\u2026"


def _is_quote_entity(entity: str) -> bool:
    return bool(_ENTITY_RE.fullmatch(entity)) and {_fold_char(ch) for ch in _decode_entity(entity)} == {FOLDED_QUOTE}


def _mark_before(text: str, start: int) -> int:
    """1 when a quote mark (or an HTML entity of one) ends right before `start` (not an apostrophe inside a word:
    a mark right after a letter or digit does not open a quotation)."""
    if start > 0 and text[start - 1] in QUOTE_MARKS:
        return int(start < 2 or not text[start - 2].isalnum())
    if start > 0 and text[start - 1] == ";":
        amp = text.rfind("&", max(0, start - 40), start)
        return int(amp >= 0 and _is_quote_entity(text[amp:start]))
    return 0


def _mark_after(text: str, end: int) -> int:
    """1 when a quote mark (or an HTML entity of one) follows `end`, possibly after closing punctuation (not an
    apostrophe: a mark right before a letter or digit, as in Trump’s, does not close a quotation)."""
    j = end
    while j < len(text) and j - end < 3 and text[j] in _CLOSING_PUNCTUATION:
        j += 1
    if j < len(text) and text[j] in QUOTE_MARKS:
        return int(j + 1 >= len(text) or not text[j + 1].isalnum())
    if j < len(text) and text[j] == "&":
        entity = _ENTITY_RE.match(text, j)
        return int(entity is not None and _is_quote_entity(entity.group()))
    return 0

"""Locate a quoted string in an article: exact occurrences first, then a tolerant match, then a fuzzy one.

The articles are messy on purpose (HTML entities, line-wrapped quotes, mixed quote marks), and a submission may
give a quote by its text instead of offsets -- often as a chat model writes it: quote marks straightened, "US"
for "U.S.", a final comma turned into a period, a long quote abridged with "...". Tolerant matching compares a
*normalised* copy of the article with the normalised needle, where normalisation

- decodes HTML entities (`&quot;`, `&#39;`, `&#x2019;`, `&amp;`, also doubly escaped `&amp;quot;`),
- folds every quote-mark style (straight, curly, single, double, primes, guillemets, backtick) to one mark, and
  a run of marks (’” closing a nested quote) to one mark,
- collapses each run of whitespace, including line breaks and no-break spaces, to one space,
- drops invisible characters (zero-width space/joiners, soft hyphen, BOM),

and the needle additionally loses its surrounding quote marks and whitespace. Each normalised character remembers
the original span it came from, so matches are reported as offsets into the original text (Python `str`
indices = Unicode code points, end-exclusive), covering whole entities / whitespace runs at the edges.

The tiers of candidates, each tried only when the ones before it found nothing (`Article.candidates`):

1. `exact`: every occurrence of the needle as given;
2. `normalised`: every occurrence of the normalised needle in the normalised article;
3. `ellipsis`: a needle with an ellipsis (`...`, `…`, `. . .`, `[...]`, `[…]`) is cut into pieces, which must
   occur in order within one paragraph (each exactly after normalisation, or else fuzzily); the candidate is the
   hull from the first piece to the last;
4. `fuzzy`: passages whose similarity to the normalised needle (case folded) is at least FUZZY_THRESHOLD, for a
   needle of at least MIN_FUZZY_CHARS characters.

Similarity is rapidfuzz's normalised Indel similarity, 1 - (insertions + deletions) / (len(a) + len(b)), of the
case-folded normal forms. The threshold and minimum length were chosen on hand cases (`tests/test_align.py`):
the edits chat models make score 0.95-0.99 ("US" for "U.S." in a 56-character quote 0.965, "analyse" for
"analyze" 0.963, a dropped word 0.978, "historic lows" for "historic low" 0.960), paraphrases and invented quotes
at most 0.83 ("we will never accept this" for "we would never accept that" 0.824); under 12 characters one
changed letter already falls below 0.9 or matches unrelated words, so short needles must match exactly.

The fuzzy search stays near-linear: the needle's words that occur at most MAX_POSTINGS times in the article vote
for alignment diagonals (article offset minus needle offset), and only the MAX_CLUSTERS densest ones are checked
with `rapidfuzz.fuzz.partial_ratio_alignment` on a window around them; the window's ends are then moved to word
boundaries where the similarity is highest. A needle too long to reach the threshold against the whole article is
not searched at all.

Nothing here chooses among the candidates: `benchmark.submission.text_locators` ranks them and assigns them to
the quotes of a document.
"""
from __future__ import annotations

import bisect
import html
import re
from functools import cached_property, lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

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


_INVISIBLE_DELETED = str.maketrans({**{c: FOLDED_QUOTE for c in QUOTE_MARKS}, **{c: None for c in INVISIBLE}})
_ENTITY_RE = re.compile(_ENTITY)
_WHITESPACE_RUN = re.compile(r"\s+")
_QUOTE_RUN = re.compile(FOLDED_QUOTE + "{2,}")


def normal_form(text: str) -> str:
    """`normalise(text).text` without the offset map: whole-string operations, so a needle of megabytes costs
    megabytes (the map would cost two Python lists of one integer per character)."""
    if "&" in text:
        text = _ENTITY_RE.sub(lambda m: "".join(_fold_char(ch) for ch in _decode_entity(m.group())), text)
    text = _WHITESPACE_RUN.sub(" ", text.translate(_INVISIBLE_DELETED))
    return _QUOTE_RUN.sub(FOLDED_QUOTE, text) if FOLDED_QUOTE * 2 in text else text


def normalise_needle(needle: str) -> str:
    """Normal form of a searched string: as `normalise`, minus surrounding quote marks and whitespace."""
    return normal_form(needle).strip(_SPACE_OR_QUOTE)


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
    marks and whitespace) matches nothing. (Tiers 1 and 2 only: `Article.candidates` has all four.)
    """
    article = Article(text)
    found = article.exact(needle)
    return [(c.start, c.end) for c in (found or article.normalised(normalise_needle(needle)))]


# ----------------------------------------------------------------------------------------------------------------
# all tiers

FUZZY_THRESHOLD = 0.90        # least similarity of a fuzzy match (hand cases in the module docstring)
MIN_FUZZY_CHARS = 12          # a needle shorter than this (normal form) is never matched fuzzily
MAX_POSTINGS = 64             # a word more frequent in the article than this is not an anchor
MAX_CLUSTERS = 3              # alignment diagonals checked per needle
HARD_WRAP_WIDTH = 100         # a text whose lines are (nearly) all this short is hard-wrapped
ELLIPSIS = re.compile(r"\[\s*(?:\.\s*){3}\]|\[\s*\u2026\s*\]|\.\s?\.\s?\.|\u2026")
_PIECE_EDGES = " " + FOLDED_QUOTE + ",.;:"
_WORD = re.compile(r"\w+")


class Candidate(NamedTuple):
    """A place in the article where a needle may be: original offsets, the tier that found it, its similarity."""
    start: int
    end: int
    method: str               # "exact", "normalised", "ellipsis" or "fuzzy"
    similarity: float         # 1.0 for exact and normalised matches


class Article:
    """One article prepared for alignment; every derived form is computed once, when first needed."""

    def __init__(self, text: str):
        self.text = text
        self._fuzzy: dict[str, tuple[list[Candidate], Candidate | None]] = {}
        self._targets: dict[str, str] = {}

    @cached_property
    def norm(self) -> Normalised:
        return _normalised_article(self.text)

    @cached_property
    def folded(self) -> str:
        """The normal form, case folded character by character (so offsets still map through `norm`)."""
        lower = self.norm.text.lower()
        if len(lower) == len(self.norm.text):
            return lower
        return "".join(c if len(c.lower()) != 1 else c.lower() for c in self.norm.text)

    @cached_property
    def words(self) -> tuple[list[int], list[int], dict[str, list[int]]]:
        """Word starts and ends in `folded` (text order), and each word's starts."""
        starts, ends, index = [], [], {}
        for m in _WORD.finditer(self.folded):
            starts.append(m.start())
            ends.append(m.end())
            index.setdefault(m.group(), []).append(m.start())
        return starts, ends, index

    @cached_property
    def paragraph_breaks(self) -> list[int]:
        """Original offsets of the line breaks that end a paragraph: a blank line, a line break before an
        indented line, and -- unless the text is hard-wrapped (at most 5% of its lines longer than
        HARD_WRAP_WIDTH) -- every line break."""
        lines = [len(line.strip()) for line in self.text.split("\n") if line.strip()]
        wrapped = sum(n > HARD_WRAP_WIDTH for n in lines) <= 0.05 * len(lines)
        pattern = r"\n(?=[^\S\n]*\n|[^\S\n])" if wrapped else r"\n"
        return [m.start() for m in re.finditer(pattern, self.text)]

    def paragraph(self, offset: int) -> int:
        return bisect.bisect_right(self.paragraph_breaks, offset)

    # -- the tiers
    def exact(self, needle: str) -> list[Candidate]:
        if not needle:
            return []
        return [Candidate(i, i + len(needle), "exact", 1.0) for i in _find_all(self.text, needle)]

    def normalised(self, target: str) -> list[Candidate]:
        """Occurrences of a normalised needle (`normalise_needle`) in the normalised article."""
        if not target:
            return []
        norm, n = self.norm, len(target)
        return [Candidate(norm.starts[i], norm.ends[i + n - 1], "normalised", 1.0)
                for i in _find_all(norm.text, target)]

    def tiers(self, needle: str):
        """Yield the tiers of candidates of `needle` that found something, in order (exact, normalised, ellipsis,
        fuzzy); each is searched only when the caller asks for the next one."""
        exact = self.exact(needle)
        if exact:
            yield exact
        normalised = self.normalised(normalise_needle(needle))
        if normalised:
            yield normalised
        abridged = self.ellipsis(needle)
        if abridged:
            yield abridged
        fuzzy = self.fuzzy(self._fuzzy_target(needle))[0]
        if fuzzy:
            yield fuzzy

    def closest(self, needle: str) -> Candidate | None:
        """The passage most similar to `needle` that the fuzzy search saw (method "closest"), whatever its
        similarity; None when no passage shares a word with it."""
        return self.fuzzy(self._fuzzy_target(needle))[1]

    def _fuzzy_target(self, needle: str) -> str:
        """What the fuzzy tier compares: the case-folded normal form, an ellipsis counted as a space (cached: a
        needle may be megabytes long)."""
        if needle not in self._targets:
            self._targets[needle] = normalise_needle(ELLIPSIS.sub(" ", needle)).lower()
        return self._targets[needle]

    def ellipsis(self, needle: str) -> list[Candidate]:
        """Tier 3: the pieces of a needle cut at its ellipses, in order within one paragraph; the hull of each
        chain (one per occurrence of the first piece that starts a complete chain)."""
        if not ELLIPSIS.search(needle):
            return []
        pieces = [p.strip(_PIECE_EDGES) for p in ELLIPSIS.split(normal_form(needle))]
        pieces = [p for p in pieces if p]
        if len(pieces) == 1:               # a leading or trailing ellipsis only marks a cut: the piece itself
            return [c._replace(method="ellipsis") for c in self.normalised(pieces[0])] or \
                [c._replace(method="ellipsis") for c in self.fuzzy(pieces[0].lower())[0]]
        if not pieces:
            return []
        found: list[list[Candidate] | None] = [None] * len(pieces)

        def of(k: int) -> list[Candidate]:
            if found[k] is None:
                found[k] = self.normalised(pieces[k]) or self.fuzzy(pieces[k].lower())[0]
            return found[k]

        chains = []
        for first in of(0):
            paragraph, end, similarity = self.paragraph(first.start), first.end, first.similarity
            for k in range(1, len(pieces)):
                nxt = next((c for c in of(k) if c.start >= end), None)
                if nxt is None or self.paragraph(nxt.end - 1) != paragraph:
                    break
                end, similarity = nxt.end, min(similarity, nxt.similarity)
            else:
                chains.append(Candidate(first.start, end, "ellipsis", similarity))
        return chains

    def fuzzy(self, target: str) -> tuple[list[Candidate], Candidate | None]:
        """Tier 4: (passages at least FUZZY_THRESHOLD similar to the case-folded normal form `target`, when it
        has at least MIN_FUZZY_CHARS characters; the most similar passage found, whatever its similarity)."""
        if target not in self._fuzzy:
            self._fuzzy[target] = self._search(target)
        return self._fuzzy[target]

    def _search(self, target: str) -> tuple[list[Candidate], Candidate | None]:
        text, m = self.folded, len(target)
        if not m or not text or m > len(text) * (2 / FUZZY_THRESHOLD - 1) + 1:
            return [], None                # even the whole article is too short to be that similar
        found: dict[tuple[int, int], float] = {}
        slack = m // 4 + 16
        for guess in self._anchors(target):
            lo, hi = max(0, guess - slack), min(len(text), guess + m + slack)
            window = fuzz.partial_ratio_alignment(target, text[lo:hi])
            if window is None:
                continue
            start, end, similarity = self._snap(target, lo + window.dest_start, lo + window.dest_end)
            if end > start:
                found[(start, end)] = max(similarity, found.get((start, end), 0.0))
        if not found:
            return [], None
        norm = self.norm
        spans = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
        best = spans[0]
        closest = Candidate(norm.starts[best[0][0]], norm.ends[best[0][1] - 1], "closest", best[1])
        if m < MIN_FUZZY_CHARS:
            return [], closest
        kept: list[tuple[int, int, float]] = []
        for (s, e), similarity in spans:     # best first: a passage overlapping a better one is the same place
            if similarity >= FUZZY_THRESHOLD and all(min(e, e2) - max(s, s2) <= 0 for s2, e2, _ in kept):
                kept.append((s, e, similarity))
        return sorted((Candidate(norm.starts[s], norm.ends[e - 1], "fuzzy", sim) for s, e, sim in kept)), closest

    def _anchors(self, target: str) -> list[int]:
        """Likely start offsets (in `folded`) of the passage most similar to `target`, best first: the densest
        clusters of the diagonals voted for by the target's words that occur at most MAX_POSTINGS times."""
        _, _, index = self.words
        hits: list[tuple[int, int]] = []          # (diagonal, weight)
        tokens = [(m.start(), m.group()) for m in _WORD.finditer(target)]
        usable = [(a, w) for a, w in tokens if len(index.get(w, ())) <= MAX_POSTINGS and w in index]
        if not usable and tokens:                 # only frequent words: the rarest one still anchors
            rare = min((t for t in tokens if t[1] in index), key=lambda t: len(index[t[1]]), default=None)
            usable = [rare] if rare is not None else []
        for a, w in usable:
            hits.extend((p - a, len(w)) for p in index[w][:4 * MAX_POSTINGS])
        if not hits:
            # no shared word: a short needle can still be compared with the whole article at once
            if len(target) <= 64:
                window = fuzz.partial_ratio_alignment(target, self.folded)
                return [window.dest_start] if window is not None else []
            return []
        hits.sort()
        width = max(8, len(target) // 8)
        diagonals = [d for d, _ in hits]
        weights = [0]
        for _, w in hits:
            weights.append(weights[-1] + w)
        scored = []
        for i, d in enumerate(diagonals):         # weight of the hits within `width` after each diagonal
            j = bisect.bisect_right(diagonals, d + width, lo=i)
            scored.append((weights[j] - weights[i], -d))
        scored.sort(reverse=True)
        chosen: list[int] = []
        for _, neg in scored:
            d = -neg
            if all(abs(d - c) > width for c in chosen):
                chosen.append(d)
                if len(chosen) == MAX_CLUSTERS:
                    break
        return [max(0, d) for d in chosen]

    def _snap(self, target: str, start: int, end: int) -> tuple[int, int, float]:
        """The span near [start, end) of `folded` most similar to `target`, with its ends moved to word boundaries
        (a start may take up to 3 marks before a word, an end up to 3 after one, such as `],` or `."`), grown to
        the closing (opening) bracket of a bracket it opens (closes) right at its edge."""
        text = self.folded
        word_starts, word_ends, _ = self.words
        k = bisect.bisect_left(word_starts, start)
        starts = {word_starts[i] for i in range(max(0, k - 1), min(len(word_starts), k + 2))}
        k = bisect.bisect_left(word_ends, end)
        ends = {word_ends[i] for i in range(max(0, k - 1), min(len(word_ends), k + 2))}
        for s in list(starts):
            for back in range(1, 4):
                if s - back < 0 or text[s - back] == " " or text[s - back].isalnum():
                    break
                starts.add(s - back)
        for e in list(ends):
            for ahead in range(1, 4):
                if e + ahead > len(text) or text[e + ahead - 1] == " " or text[e + ahead - 1].isalnum():
                    break
                ends.add(e + ahead)
        best, best_key = (0, 0, 0.0), None
        for s in starts:
            for e in ends:
                if e > s:
                    similarity = Indel.normalized_similarity(target, text[s:e])
                    key = (similarity, -abs(e - s - len(target)), -s)      # then nearest the needle's length
                    if best_key is None or key > best_key:
                        best, best_key = (s, e, similarity), key
        s, e, similarity = best
        grown = _balanced(text, s, e)         # never cut a bracket pair the needle left out: "[in Ukraine]"
        if grown != (s, e):
            s, e = grown
            similarity = Indel.normalized_similarity(target, text[s:e])
        return s, e, similarity


def _balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) grown by one character at an edge where that closes a bracket the span opened, or opens one it
    closed."""
    for opening, closing in ("[]", "()"):
        inner = text[start:end]
        if inner.count(opening) > inner.count(closing) and end < len(text) and text[end] == closing:
            end += 1
        elif inner.count(closing) > inner.count(opening) and start > 0 and text[start - 1] == opening:
            start -= 1
    return start, end

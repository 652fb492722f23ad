"""Quotation marks (`find_quotes`), sentences with quote contents masked, and which segments are reported
speech of which type (`is_reported_speech`, `quote_type`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from baselines.rules.lexicon import _THAT_CUE_RE, ABBREVIATIONS, REPORTING_PARTICIPLES, REPORTING_VERBS, SCARE_MARKERS

DOUBLE_MARKS = ("&quot;", "&#34;", '"', "“", "”", "„", "«", "»")
SINGLE_MARKS = ("&#39;", "&#x27;", "&apos;", "'", "‘", "’")
_MARK_RE = re.compile("|".join(re.escape(m) for m in (*DOUBLE_MARKS, *SINGLE_MARKS)))
OPENING_GLYPHS = frozenset("“„«‘")
CLOSING_GLYPHS = frozenset("”»’")
_OPEN_CONTEXT = set("([{—–-/:") | set("“‘\"'„«")       # what may precede an opening mark (besides space)
_CLOSE_CONTEXT = set(".,;:!?)]}—–-…&") | set("”’\"'»")  # what may follow a closing mark (besides space)
_ESCAPED_TAG_RE = re.compile(r"&lt;.*?&gt;", re.S)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
MAX_QUOTE_CHARS = 2000
MAX_SINGLE_QUOTE_CHARS = 300


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    single: bool
    can_open: bool
    can_close: bool


@dataclass(frozen=True)
class QuoteSpan:
    start: int            # content, marks excluded, surrounding whitespace trimmed
    end: int
    open_start: int       # the opening mark
    close_end: int        # end of the closing mark
    nested_in: int | None = None  # index of the enclosing quote in the list returned by find_quotes


def _marks(text: str) -> list[Mark]:
    masked = [(m.start(), m.end()) for m in _ESCAPED_TAG_RE.finditer(text)]
    marks = []
    for m in _MARK_RE.finditer(text):
        if any(a <= m.start() < b for a, b in masked):
            continue
        glyph = m.group()
        single = glyph in SINGLE_MARKS
        before = text[m.start() - 1] if m.start() > 0 else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if single and before.isalnum() and after.isalnum():
            continue  # an apostrophe: don't, Trump's, Trump&#39;s
        can_open = not after.isspace() and (
            before.isspace() or before in _OPEN_CONTEXT or (glyph in OPENING_GLYPHS and not before.isalnum()))
        can_close = not before.isspace() and (
            after.isspace() or after in _CLOSE_CONTEXT or (glyph in CLOSING_GLYPHS and not after.isalnum()))
        if single:  # single quotes open on a word and never close right after an opening bracket
            can_open = can_open and (after.isalnum() or after in "[(")
        if can_open or can_close:
            marks.append(Mark(m.start(), m.end(), single, can_open, can_close))
    return marks


def _pair(text: str, marks: list[Mark], max_chars: int) -> list[tuple[Mark, Mark]]:
    """Pair marks left to right; an opening never closed before a blank line (or a newer opening) is dropped."""
    pairs, open_mark = [], None
    for mark in marks:
        if open_mark is not None and (mark.start - open_mark.end > max_chars
                                      or _BLANK_LINE_RE.search(text, open_mark.end, mark.start)):
            open_mark = None
        if open_mark is None:
            if mark.can_open:
                open_mark = mark
        elif mark.can_close and mark.start > open_mark.end:
            pairs.append((open_mark, mark))
            open_mark = None
        elif mark.can_open:
            open_mark = mark
    return pairs


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_quotes(text: str) -> list[QuoteSpan]:
    """Every quotation-mark-delimited segment, in text order; single-quoted segments inside a double-quoted one
    carry `nested_in` (the index of the enclosing segment)."""
    marks = _marks(text)
    doubles = _pair(text, [m for m in marks if not m.single], MAX_QUOTE_CHARS)
    singles = [m for m in marks if m.single]
    # Single marks pair only inside one region: the content of a double-quoted segment, or a gap between them.
    regions, cursor = [], 0
    for o, c in doubles:
        regions += [(cursor, o.start, None), (o.end, c.start, (o, c))]
        cursor = c.end
    regions.append((cursor, len(text), None))
    found: list[tuple[int, int, int, int, tuple | None]] = []
    for o, c in doubles:
        found.append((o.start, o.end, c.start, c.end, None))
    for lo, hi, outer in regions:
        inside = [m for m in singles if lo <= m.start and m.end <= hi]
        for o, c in _pair(text, inside, MAX_SINGLE_QUOTE_CHARS):
            found.append((o.start, o.end, c.start, c.end, outer))
    found.sort(key=lambda f: (f[0], -f[3]))
    quotes: list[QuoteSpan] = []
    index_of_open = {}
    for open_start, open_end, close_start, close_end, outer in found:
        start, end = _trimmed(text, open_end, close_start)
        if start == end:
            continue
        nested_in = index_of_open.get(outer[0].start) if outer else None
        index_of_open[open_start] = len(quotes)
        quotes.append(QuoteSpan(start, end, open_start, close_end, nested_in))
    return quotes


# --------------------------------------------------------------------------------------------------------------
# Sentences (quote contents masked, so a period inside a quote does not end the sentence around it)
# --------------------------------------------------------------------------------------------------------------
_WORD_RE = re.compile(r"[\w’'&#;.-]+")


MASK = "x"   # quote contents are overwritten with this in the masked text (same length, no words or cues)
_MASKED_WORD_RE = re.compile(r"x{3,}[.!?]?")


def _masked(text: str, quotes: list[QuoteSpan]) -> str:
    chars = list(text)
    for q in quotes:
        if q.nested_in is not None:
            continue
        keep_last = text[q.end - 1] in ".!?"
        for i in range(q.start, q.end - (1 if keep_last else 0)):
            chars[i] = MASK
    return "".join(chars)


def sentence_spans(text: str, quotes: list[QuoteSpan]) -> list[tuple[int, int]]:
    masked = _masked(text, quotes)
    cuts = {0, len(text)}
    for m in re.finditer(r"[.!?](?:&quot;|[”\"’'])*(\s+)(?=&quot;|[A-Z0-9“\"‘'”\[])", masked):
        token = re.search(r"([\w.]+)[.!?]$", masked[max(0, m.start() - 20):m.start() + 1])
        word = token.group(1).rstrip(".").lower() if token else ""
        if masked[m.start()] == "." and (word in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", word)):
            continue  # Mr. Putin, U.S. officials
        cuts.add(m.start(1))
    for m in _BLANK_LINE_RE.finditer(masked):
        cuts.add(m.start())
    for m in re.finditer(r"\n", masked):
        line_start = masked.rfind("\n", 0, m.start()) + 1
        previous = masked[line_start:m.start()].rstrip()
        following = masked[m.end():].lstrip()[:1]
        if not previous or not (previous[-1].islower() or previous[-1] in ",;:—–-(") or (
                len(previous.strip()) < 60 and following.isupper() and previous[-1] not in ",;:"):
            cuts.add(m.start())
    ordered = sorted(cuts)
    return [(a, b) for a, b in zip(ordered, ordered[1:]) if text[a:b].strip()]


# --------------------------------------------------------------------------------------------------------------
# 2. Which segments are quotes, and of which type
# --------------------------------------------------------------------------------------------------------------
def _words(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    return [(lo + m.start(), lo + m.end(), m.group()) for m in _WORD_RE.finditer(text[lo:hi])]


def _bare(word: str) -> str:
    return word.strip(".,;:!?()[]“”\"'‘’").lower()


def _cues(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Reporting cues in text[lo:hi] as (start, end, kind), kind = verb / participle / according."""
    cues = []
    words = _words(text, lo, hi)
    for i, (a, _, w) in enumerate(words):
        bare = _bare(w)
        if i + 1 < len(words) and _bare(words[i + 1][2]) in ("as", "by"):
            continue  # a passive modifier: "a source described as close to ...", "quoted by"
        if bare in REPORTING_VERBS or bare in REPORTING_PARTICIPLES:
            a += w.lower().find(bare)  # skip leading punctuation
            cues.append((a, a + len(bare), "verb" if bare in REPORTING_VERBS else "participle"))
    for m in re.finditer(r"\baccording to\b", text[lo:hi], re.I):
        cues.append((lo + m.start(), lo + m.end(), "according"))
    for m in _THAT_CUE_RE.finditer(text, lo, hi):
        if not any(c[0] == m.start() for c in cues):
            cues.append((m.start(), m.start() + len(m.group().split()[0].rstrip(",")), "verb"))
    return sorted(cues)


def is_reported_speech(text: str, q: QuoteSpan, sentence: tuple[int, int], masked: str) -> bool:
    """False for headings on a line of their own, "so-called" scare quotes, and short fragments (three words or
    fewer, not a sentence of their own) in a sentence without any reporting cue (scare quotes, titles)."""
    line_start = text.rfind("\n", 0, q.open_start) + 1
    line_end = text.find("\n", q.close_end)
    line_end = len(text) if line_end < 0 else line_end
    n_words = len(text[q.start:q.end].split())
    alone_on_line = not text[line_start:q.open_start].strip() and not text[q.close_end:line_end].strip()
    if alone_on_line and n_words <= 5 and text[q.end - 1] not in ".!?,":
        return False
    before = text[max(sentence[0], q.open_start - 25):q.open_start].lower()
    if any(marker in before for marker in SCARE_MARKERS):
        return False
    a_sentence = text[q.end - 1] in ".!?" or masked[sentence[0]:q.open_start].rstrip().endswith(":")
    return n_words > 3 or a_sentence or bool(_cues(masked, sentence[0], sentence[1]))


def quote_type(text: str, q: QuoteSpan, lead: str) -> str:
    """direct when the quote opens a clause (nothing, a colon or a comma before it) with a capital; else partial."""
    first = text[q.start]
    lead = lead.rstrip()
    opens_clause = not lead or lead[-1] in ":,—–" or lead.endswith(("&quot;", "“", "‘", '"'))
    return "direct" if opens_clause and (first.isupper() or first.isdigit() or first in "[(…") else "partial"

"""Speakers: noun phrases around reporting cues (`Attributor`), and the reported clause of indirect speech
(`reported_clause`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from baselines.rules.lexicon import CLAUSE_OPENERS, DETERMINERS, LEADING_JUNK, NP_STOP_WORDS, PRONOUNS, REPORTING_VERBS
from baselines.rules.quotes import _MASKED_WORD_RE, MASK, QuoteSpan, _bare, _cues, _trimmed, _words


@dataclass(frozen=True)
class Mention:
    text: str     # the name to report (the antecedent when the mention is a pronoun, "Mr X" or "the source")
    start: int    # where the mention itself is in the article
    end: int


_CAPITALISED_RUN_RE = re.compile(r"(?:[A-Z][\w’'.-]*[ \t]+|al-\w+[ \t]+)*[A-Z][\w’'-]*")
HONORIFICS = ("Mr", "Mrs", "Ms", "Dr", "Mr.", "Mrs.", "Ms.", "Dr.")
# Titles that precede a name: "President Trump" is not a full name for "Trump" ("Donald Trump" is).
TITLES = frozenset("President Vice Prime Minister Chancellor King Queen Pope Senator Governor General Secretary "
                   "Mayor Sir Former Leader Spokesman Spokesperson Ambassador Chairman".split())


def _clean_np(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Trim a candidate noun phrase: drop leading conjunctions, cut at an auxiliary, adverb or verb."""
    words = _words(text, lo, hi)
    while words and (_bare(words[0][2]) in LEADING_JUNK or _MASKED_WORD_RE.fullmatch(words[0][2])):
        words = words[1:]  # "and", "with" ...; or the masked content of a quote before the noun phrase
    for i, (_, _, w) in enumerate(words[1:], start=1):
        bare = _bare(w)
        following = _bare(words[i + 1][2]) if i + 1 < len(words) else ""
        passive_modifier = following in ("as", "by")  # "a source described as close to ..."
        if bare == "and" and following in DETERMINERS:  # "a diplomat and a source ...": the first of two sources
            words = words[:i]
            break
        if bare in NP_STOP_WORDS or (not passive_modifier and (
                bare in REPORTING_VERBS or (w.islower() and bare.endswith("ed") and len(bare) > 4))):
            words = words[:i]
            break
    if not words or len(words) > 12:
        return None
    first = _bare(words[0][2])
    if not (words[0][2][0].isupper() or first in DETERMINERS or first in PRONOUNS):
        return None
    return words[0][0], words[-1][1]


def _is_proper_name(segment: str) -> bool:
    words = segment.split()
    return 0 < len(words) <= 5 and all(w[0].isupper() or w in ("of", "al", "bin", "de") for w in words)


def _np_before(text: str, lo: int, cue: int) -> tuple[int, int] | None:
    """The noun phrase right before a cue; in "Name, an appositive, said" it is the Name."""
    segments, pos = [], lo
    for piece in re.split(r"[,;:]", text[lo:cue]):
        if piece.strip():
            segments.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    if not segments:
        return None
    a, b = segments[-1]
    if len(segments) >= 2:
        pa, pb = segments[-2]
        if _is_proper_name(text[pa:pb]) and not _is_proper_name(text[a:b]):
            a, b = pa, pb
    return _clean_np(text, a, b)


def _np_after(text: str, cue_end: int, hi: int) -> tuple[int, int] | None:
    """The noun phrase right after an inverted cue ("said Sergei Glazyev, a ..."), up to a comma or period."""
    m = re.match(r"\s*([^,;:.!?]+)", text[cue_end:hi])
    return _clean_np(text, cue_end + m.start(1), cue_end + m.end(1)) if m else None


def _subject(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The subject of the clause text[lo:hi]: the first noun phrase after any introductory adverbial."""
    pos = lo
    for piece in re.split(r"(?<=[,;:])", text[lo:hi]):
        words = piece.split()
        if words and not (_bare(words[0]) in CLAUSE_OPENERS and piece.rstrip().endswith(",")):
            np = _clean_np(text, pos, pos + len(piece.rstrip(",;:")))
            if np:
                return np
        pos += len(piece)
    return None


class Attributor:
    """Speaker attribution with the state a reader keeps: the last speaker, earlier mentions, full names."""

    def __init__(self, text: str, masked: str):
        self.text, self.masked = text, masked
        self.last: Mention | None = None
        self.mentions: list[Mention] = []
        # Full names "Mr Putin" or "Putin" may refer to: the last two words of each capitalised run in the text.
        self.names = []
        for m in _CAPITALISED_RUN_RE.finditer(text):
            words = m.group().split()
            if len(words) >= 2 and words[-2] not in HONORIFICS and words[-2] not in TITLES \
                    and _bare(words[-2]) not in CLAUSE_OPENERS and not words[-2].endswith("."):
                self.names.append(" ".join(words[-2:]))

    def _expand(self, start: int, end: int) -> Mention:
        """A Mention for text[start:end] with a reportable name."""
        raw = " ".join(self.text[start:end].split())
        words = raw.split()
        first = _bare(words[0])
        if len(words) == 1 and first in PRONOUNS:  # he, she, they -> the last speaker
            return Mention(self.last.text if self.last else raw, start, end)
        if first in DETERMINERS:  # a description; "the source" -> the earlier "a source ..." if any
            if first == "the":
                for earlier in reversed(self.mentions):
                    earlier_words = [w.lower() for w in earlier.text.split()]
                    if words[-1].lower() in earlier_words and earlier_words[0] != "the":
                        return Mention(earlier.text, start, end)
            return Mention(raw, start, end)
        run = re.search(r"(?:[A-Z][\w’'.-]*\s)*[A-Z][\w’'-]*$", raw)  # the trailing name of "Kremlin spokesperson X"
        if not run:
            return Mention(raw, start, end)
        name = run.group().split()
        if name[0] in HONORIFICS:
            name = name[1:]
        if len(name) == 1:  # "Putin", "Mr Putin" -> the first full name in the article ending in "Putin"
            full = next((n for n in self.names if n.split()[-1] == name[0]), None)
            return Mention(full or name[0], start, end)
        return Mention(" ".join(name[-2:]) if len(name) > 3 else " ".join(name), start, end)

    def _from_cue(self, view: str, cue: tuple[int, int, str], lo: int, hi: int, after_quote: bool):
        start, end, kind = cue
        if kind == "according":
            return _np_after(view, end, hi)
        if kind == "participle":  # "X weighed in, saying ..." / "with Clinton accusing Trump ..."
            chunk = view[lo:start]
            comma = max(chunk.rfind(","), chunk.rfind(";"))
            own = _clean_np(view, lo + comma + 1, start) if chunk[comma + 1:].strip() else None
            if own or comma <= 0:
                return own
            # the participle belongs to the clause just before its comma ("..., and Trump returned the
            # compliment, calling ..."); when that clause has no subject, to the sentence's
            previous = max(chunk.rfind(",", 0, comma), chunk.rfind(";", 0, comma))
            return _subject(view, lo + previous + 1, lo + comma) or _subject(view, lo, lo + comma)
        if after_quote and not view[lo:start].strip(" ,\n\t"):
            return _np_after(view, end, hi)  # '"...," said X'
        return _np_before(view, lo, start)

    def _mention(self, view: str, span: tuple[int, int], lo: int) -> Mention:
        """Expand a found span; a pronoun first looks for the subject earlier in the same sentence."""
        if self.text[span[0]:span[1]].lower() in PRONOUNS:
            subject = _subject(view, lo, span[0])
            if subject and self.text[subject[0]:subject[1]].lower() not in PRONOUNS:
                return Mention(self._expand(*subject).text, *span)
        return self._expand(*span)

    def speaker(self, q: QuoteSpan, sentence: tuple[int, int], partial: bool,
                outer: QuoteSpan | None = None) -> Mention | None:
        """The speaker of q from a reporting cue in its sentence: after it first for a direct quote ('"...," X
        said'), before it first for a partial one (X told CNN it would be "silly"); else the last speaker.
        A nested quote is attributed inside the quote that encloses it, and does not change the last speaker."""
        if outer is None:
            view, (lo, hi) = self.masked, sentence
        else:
            view, lo, hi = self.text[:q.start] + MASK * (q.end - q.start) + self.text[q.end:], outer.start, outer.end

        def after() -> tuple[int, int] | None:
            cues = [c for c in _cues(view, q.close_end, hi) if c[2] != "participle"]
            return self._from_cue(view, cues[0], q.close_end, hi, after_quote=True) if cues else None

        def before() -> tuple[int, int] | None:
            cues = _cues(view, lo, q.open_start)
            if cues:
                return self._from_cue(view, cues[-1], lo, q.open_start, after_quote=False)
            if view[lo:q.open_start].rstrip().endswith(":"):
                return _subject(view, lo, q.open_start)  # "X was more blunt: '...'"
            return None

        found = (before() or after()) if partial else (after() or before())
        if found is None:
            return self.last
        mention = self._mention(view, found, lo)
        if outer is None:
            self.heard(mention)
        return mention

    def heard(self, mention: Mention) -> None:
        self.last = mention
        self.mentions.append(mention)

    def reported_speech(self, sentence: tuple[int, int]) -> tuple[Mention, tuple[int, int] | None] | None:
        """A sentence without quotes that reports speech ("the Kremlin said in a statement that ...") sets the last
        speaker. Returns (speaker, the reported clause or None) for the Track B rule, or None."""
        lo, hi = sentence
        for cue in _cues(self.masked, lo, hi):
            found = self._from_cue(self.masked, cue, lo, hi, after_quote=False) if cue[2] != "participle" else None
            if found:
                mention = self._mention(self.masked, found, lo)
                self.heard(mention)
                return mention, reported_clause(self.text, lo, hi, cue, found)
        return None


    def that_clauses(self, sentence: tuple[int, int]) -> list[tuple[Mention, tuple[int, int]]]:
        """Track B in a sentence that also holds quotes: every "X added that CLAUSE" / "..., saying that CLAUSE"
        (the clause may contain partial quotes); the last speaker is left to the quotes."""
        lo, hi = sentence
        cues = [c for c in _cues(self.masked, lo, hi) if c[2] != "according"]
        found = []
        for i, cue in enumerate(cues):
            that = _THAT_AFTER_CUE_RE.match(self.masked[cue[1]:hi].replace("\n", " "))
            speaker = self._from_cue(self.masked, cue, lo, hi, after_quote=False) if that else None
            if speaker is None:
                continue
            start = cue[1] + that.end()
            end = hi
            for later in cues[i + 1:]:  # "..., before stressing that ...": the next cue starts the next clause
                cut = max(self.masked.rfind(",", start, later[0]), -1)
                if cut > start:
                    end = cut
                    break
            a, b = _trimmed(self.text, start, end)
            while b > a and self.text[b - 1] in ".!?":
                b -= 1
            if len(self.text[a:b].split()) >= 4:
                found.append((self._mention(self.masked, speaker, lo), (a, b)))
        return found


# After a reporting verb: optional adverbial ("on Wednesday", "in a statement", "repeatedly"), then "that".
_THAT_AFTER_CUE_RE = re.compile(r"(?:\s+\w+ly|\s+on\s+\w+day|\s+in\s+an?\s+(?:statement|interview|speech|post)"
                                r"|\s+(?:last|this)\s+(?:week|month|year)|\s+earlier|,\s+\w+,)?,?\s+that\s+")
_NOT_A_CLAUSE_START = frozenset("in on at to during after before last this with by for of about from".split())


def reported_clause(text: str, lo: int, hi: int, cue: tuple[int, int, str], speaker: tuple[int, int]
                    ) -> tuple[int, int] | None:
    """Track B: the content clause of reported speech in text[lo:hi], given its cue and speaker span:
    "X said (on Wednesday) that CLAUSE", "X said CLAUSE", "CLAUSE, X said (...)", "According to X, CLAUSE",
    "CLAUSE, according to X". Four words at least; the final period left out."""
    start, end, kind = cue
    content = None
    before = text[lo:min(start, speaker[0])].rstrip()
    after = text[end:hi].replace("\n", " ")
    that = _THAT_AFTER_CUE_RE.match(after)
    clause = re.match(r"\s+([\w’']+)", after)
    if kind == "according":
        comma = text.find(",", speaker[1], hi)
        if before.endswith(",") and len(before.split()) >= 4:      # CLAUSE, according to X
            content = (lo, lo + len(before) - 1)
        elif comma > 0:                                              # According to X, CLAUSE
            content = (comma + 1, hi)
    elif that:                                                       # X said (on Wednesday) that CLAUSE
        content = (end + that.end(), hi)
    elif clause and text[start:end].lower() in ("said", "says") and clause.group(1).lower() not in _NOT_A_CLAUSE_START:
        content = (end + clause.start(1), hi)                        # X said CLAUSE
    elif before.endswith(",") and len(before.split()) >= 4 and (len(after.split()) <= 4 or after.startswith(",")):
        content = (lo, lo + len(before) - 1)                         # CLAUSE, X said (in a statement).
    if content is None:
        return None
    a, b = _trimmed(text, *content)
    while b > a and text[b - 1] in ".!?":
        b -= 1
    return (a, b) if len(text[a:b].split()) >= 4 else None

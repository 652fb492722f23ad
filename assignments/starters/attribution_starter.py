"""Starter for handout 02 (speaker attribution). Runs and scores out of the box; work the TODOs.

    kremlin-reactions evaluate assignments.starters.attribution_starter:Starter --split train
    kremlin-reactions run assignments.starters.attribution_starter:Starter --split test -o speakers.jsonl
    kremlin-reactions score speakers.jsonl --errors        # see "wrong speaker" and "missed" per document

What it does now: finds quotes like the quote-detection starter (straight or curly pairs on one line), then looks
in the rest of the sentence AFTER the closing mark for a capitalised name followed or preceded by a cue verb:
`..." Dmitri Peskov said` or `..." said Sergei Glazyev`. Everything else gets speaker null.
The runner gives `extract` only `doc_id` and `text`.
"""
from __future__ import annotations

import re

QUOTE_RE = re.compile(r'"([^"\n]+)"|“([^”\n]+)”')
CUE = r"(?:said|says|told|added|wrote|noted|warned)"
NAME = r"[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)+"          # two or more capitalised words: "Dmitri Peskov"
NAME_THEN_CUE_RE = re.compile(rf"({NAME}) {CUE}\b")
CUE_THEN_NAME_RE = re.compile(rf"\b{CUE} ({NAME})")
SENTENCE_END_RE = re.compile(r"[.!?](?:\s|$)|\n")


def speaker_after(text: str, quote_end: int) -> tuple[int, int] | None:
    """Span of a name linked by a cue verb in the rest of the sentence after a quote, or None."""
    tail_start = quote_end + 1                                   # skip the closing mark
    stop = SENTENCE_END_RE.search(text, tail_start)
    tail_end = stop.start() if stop else len(text)
    best = None
    for regex in (NAME_THEN_CUE_RE, CUE_THEN_NAME_RE):
        match = regex.search(text, tail_start, tail_end)
        if match and (best is None or match.start() < best[0]):
            best = match.span(1)
    return best


class Starter:
    def extract(self, document: dict) -> dict:
        text = document["text"]
        quotes = []
        for match in QUOTE_RE.finditer(text):
            group = 1 if match.group(1) is not None else 2
            start, end = match.span(group)
            quote = {"start": start, "end": end, "speaker": None}
            mention = speaker_after(text, end)
            if mention is not None:
                # Giving the mention's span as well lets the scorer accept it when it overlaps the gold mention.
                quote.update(speaker=text[mention[0]:mention[1]], speaker_start=mention[0], speaker_end=mention[1])
            # TODO: cues BEFORE the quote: `Peskov told reporters: “...”`,
            #   `Medvedev ..., saying that ... “...”`.
            # TODO: one-word names and titles: `Mr Putin said`, `Peskov said` (NAME needs two words now).
            # TODO: anonymous and group sources are speakers too: `a Kremlin spokesman said`, `one source said`,
            #   `analysts predict that` -- the gold speaker is the description itself (guideline S3, S8).
            # TODO: in-document coreference: `he added`, `the source noted`, `the Russian leader` -> the right
            #   earlier speaker; but "another source" is a NEW speaker (S4).
            # TODO: a quote with no cue that continues the previous speaker's words belongs to that speaker (S7).
            quotes.append(quote)
        # TODO: better quote detection (handout 01): attribution is scored only on quotes you found.
        return {"doc_id": document["doc_id"], "quotes": quotes}


Extractor = Starter  # the class name the Gradescope autograder looks for in an uploaded extractor.py

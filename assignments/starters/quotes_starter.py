"""Starter for handout 01 (quote detection). Runs and scores out of the box; improve it by working the TODOs.

    kremlin-reactions evaluate assignments.starters.quotes_starter:Starter --split train   # develop on train
    kremlin-reactions run assignments.starters.quotes_starter:Starter --split test -o quotes.jsonl
    kremlin-reactions score quotes.jsonl --errors                                          # what it got wrong

What it does now: every span between a straight pair "..." or a curly pair “...” on ONE line is a quote. That is
all: no filtering, no quote type, no Track B. It predicts spans only (no speaker, no stance), so only quote
detection is scored. The runner gives `extract` only `doc_id` and `text`.
"""
from __future__ import annotations

import re

# A straight pair "..." or a curly pair “...”, never crossing a line break.
QUOTE_RE = re.compile(r'"([^"\n]+)"|“([^”\n]+)”')


class Starter:
    def extract(self, document: dict) -> dict:
        text = document["text"]
        quotes = []
        for match in QUOTE_RE.finditer(text):
            group = 1 if match.group(1) is not None else 2
            # The span excludes the marks themselves (guideline A2).
            quotes.append({"start": match.start(group), "end": match.end(group)})
            # TODO (A6): add "type": "direct" or "partial". Test from the guidelines: delete the marks -- does the
            #   reporter's sentence still need the quoted words? Cheap signals: capital first letter, a comma or
            #   colon before the opening mark, a cue verb ("said", "told") right after the closing mark.
        # TODO (A1): HTML-escaped marks: &quot;...&quot; (the CNN article, 000) -- the span excludes the entities.
        # TODO (A3): mismatched and mixed marks: ”We shouldn’t ...,” (004) opens with a CLOSING mark;
        #   "I'm an optimist ...” (002) opens straight and closes curly.
        # TODO (A1, A8): single marks ‘...’ and '...' -- but an apostrophe between two letters (shouldn’t) is
        #   never a mark, and single marks inside a double-quoted quote are a nested quote.
        # TODO (A4): a quote may wrap across line breaks (002), but never across a blank line.
        # TODO (A7): drop what is not a quote: section headings in marks ('Euphoric'), so-called scare quotes,
        #   escaped HTML attributes (&lt;a href=&quot;...&quot;&gt;).
        # TODO (Track B, handout part 2): reported speech without marks after "said that", "according to", ...
        #   Track B is scored with `kremlin-reactions score FILE --track B` and must carry "type": "indirect".
        return {"doc_id": document["doc_id"], "quotes": quotes}


Extractor = Starter  # the class name the Gradescope autograder looks for in an uploaded extractor.py

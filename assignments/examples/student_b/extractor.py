"""Example student submission for handout 01/02 (an extractor, uploaded to Gradescope as `extractor.py`).

A typical second-week attempt: the quote-detection starter extended to any double mark (straight, curly, mixed,
&quot;) on up to three lines, a speaker from "X said" / "said X" after the quote, and "he/she" resolved to the last
speaker. No stance, no metadata (those keys are absent: not attempted).
"""
from __future__ import annotations

import re

MARK = r'(?:"|“|”|&quot;)'
QUOTE_RE = re.compile(rf'{MARK}((?:(?!{MARK})[^\n]|\n(?!\s*\n)){{2,600}}?){MARK}')
CUE = r"(?:said|says|told|added|wrote|noted|warned|stated)"
NAME = r"(?:[A-Z][\w’'-]+ ){0,2}[A-Z][\w’'-]+"
AFTER_RE = re.compile(rf"\b(?:({NAME}) {CUE}|{CUE} ({NAME})|(he|she) {CUE})")


class Extractor:
    def extract(self, document: dict) -> dict:
        text = document["text"]
        quotes, last_speaker = [], None
        for match in QUOTE_RE.finditer(text):
            start, end = match.span(1)
            if "\n" not in text[start:end] and len(text[start:end].split()) < 2:
                continue                      # one-word headings such as 'Euphoric' are not quotes
            quote = {"start": start, "end": end}
            stop = re.compile(r"[.!?\n]").search(text, match.end() + 1)
            cue = AFTER_RE.search(text, match.end(), stop.start() if stop else len(text))
            if cue and (cue.group(1) or cue.group(2)):
                last_speaker = cue.group(1) or cue.group(2)
                quote["speaker"] = last_speaker
            elif cue and last_speaker:
                quote["speaker"] = last_speaker
            else:
                quote["speaker"] = None
            quotes.append(quote)
        return {"doc_id": document["doc_id"], "quotes": quotes}

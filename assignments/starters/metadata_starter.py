"""Starter for handout 04 (publication date and outlet). Runs and scores out of the box; work the TODOs.

    kremlin-reactions evaluate assignments.starters.metadata_starter:Starter --split train
    kremlin-reactions run assignments.starters.metadata_starter:Starter --split test -o meta.jsonl
    kremlin-reactions score meta.jsonl --errors

What it does now: the FIRST "Month D, YYYY" date anywhere in the text is the publication date, and an
all-capitals name in brackets such as "(CNN)" is the outlet. It never abstains on purpose: it predicts null only
when nothing matches. It predicts no quotes (the key "quotes" is absent = task not attempted).
The runner gives `extract` only `doc_id` and `text` (the `published` and `outlet` columns are the answers).
"""
from __future__ import annotations

import datetime
import re

MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
     ("november", "nov"), ("december", "dec")], start=1) for name in names}
MONTH_DAY_YEAR_RE = re.compile(r"\b([A-Z][a-z]{2,8})\.? (\d{1,2}), (\d{4})\b")
# "(CNN)" -- a dateline credit: two or more capital letters in brackets.
BRACKETED_CAPS_RE = re.compile(r"\(([A-Z]{2,})\)")


def find_date(text: str) -> str | None:
    for match in MONTH_DAY_YEAR_RE.finditer(text):
        month = MONTHS.get(match.group(1).lower())
        if month is None:
            continue
        try:
            return datetime.date(int(match.group(3)), month, int(match.group(2))).isoformat()
        except ValueError:          # "February 30, 2017"
            continue
    # TODO: the first date is not always the publication date: 004 prints a 2019 photo caption date right after
    #   its "Nov 6, 2024, 2:34pm EST" line. Prefer dates next to "Updated", "Published", or alone on a short line.
    # TODO: other formats: "9 November 2016", "2016-11-09", "Wed November 9, 2016".
    # TODO: when no date is printed, relative references ("on Wednesday", after a known event) can pin the day --
    #   or abstain (null). Which is better for the score? Read the date metrics in handout 04.
    return None


def find_outlet(text: str) -> str | None:
    match = BRACKETED_CAPS_RE.search(text)
    # TODO: "(AP)" inside a sentence is not a dateline; check that the bracket starts a line or a paragraph.
    # TODO: other clues: "first published by X", "X Logo", a byline "By Name, CNN", "rights reserved by X".
    # TODO: canonical names: map variants ("Cable News Network") to the name the gold uses.
    # TODO: abstain (return None) when the text does not name its publisher: null is scored correct then,
    #   and a guessed name is wrong.
    return match.group(1) if match else None


class Starter:
    def extract(self, document: dict) -> dict:
        text = document["text"]
        return {"doc_id": document["doc_id"], "published": find_date(text), "outlet": find_outlet(text)}


Extractor = Starter  # the class name the Gradescope autograder looks for in an uploaded extractor.py

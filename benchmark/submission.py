"""Read and validate a submission: JSON Lines, one object per document (see the README and
`benchmark/schema/submission.schema.json`).

    {"doc_id": str, "outlet": str|null, "published": "YYYY-MM-DD"|null, "quotes": [QUOTE, ...]}

QUOTE has exactly one locator -- {"start", "end"} code-point offsets, {"text"} (aligned to the article with
`benchmark.align`), or {"quote_id"} of a gold quote -- plus optional "speaker", "speaker_start"/"speaker_end",
"stance" and "type".
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass
class PredictedQuote:
    start: int | None          # resolved code-point offsets (None only when located by quote_id)
    end: int | None
    quote_id: str | None
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    stance: str | None
    type: str | None
    line: int                  # 1-based line of the submission file it came from


@dataclass
class DocumentPrediction:
    doc_id: str
    outlet: str | None
    published: datetime.date | None
    quotes: list[PredictedQuote]
    fields: frozenset[str]     # keys present: subset of {"outlet","published","quotes","speaker","stance","type"}
    line: int


@dataclass
class Submission:
    path: str
    documents: dict[str, DocumentPrediction]
    attempted: frozenset[str]  # tasks attempted anywhere: "quotes","attribution","stance","date","outlet","gold_spans"
    warnings: list[str]

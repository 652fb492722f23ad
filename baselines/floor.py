"""Floor baselines: the score of (almost) doing nothing, the line every real extractor must clear.

`FloorExtractor` predicts no quotes, no date and no outlet. Its stance is the majority stance of the train
split's scored quotes, learned in `fit` (`stance_label`): with no spans there is nothing to give it to, so only
the oracle floor row (`baselines.oracle.OracleSpansFloor`: gold spans + this label) uses it. With no quotes its
end-to-end quote score is 0 and attribution and stance are not attempted (0 in the overall score);
its date and outlet scores are the share of documents where "nothing" is right (the outlet task accepts null
for a document whose outlet is not named in its text).

`FloorMetaExtractor` adds two trivial metadata guesses and still no quotes: the first full date printed anywhere
in the text, and the most frequent capitalised acronym (2-6 capital letters, common country/organisation codes
such as US, UK, EU, UN, NATO excluded) as the outlet.

Where they fail (from `kremlin-reactions score PREDS --errors`; more in baselines/README.md): every gold quote is
missed. FloorMeta's acronym is whatever is shouted most: outlet gold 'CNN', predicted 'ETX' (a trading firm in
two photo captions); gold 'The Moscow Times', predicted 'PR' ("PR move"); gold 'Semafor', predicted 'BXL' (a
navigation bar). Its date is right only where a full date is printed.
"""
from __future__ import annotations

import re
from collections import Counter

from baselines.rules.metadata import _dates
from benchmark.labels import TRACK_A_TYPES


def scored_units(quotes: list[dict]) -> list[dict]:
    """The quotes the scorer scores: Track A, not optional, not in boilerplate. Fitted baselines learn from these
    only (the calendar sayings in the CNN photo gallery are don't-care units labelled none; counting them would
    make "none" the majority label of quotes that are scored)."""
    return [q for q in quotes if q["type"] in TRACK_A_TYPES and not q.get("optional") and not q.get("in_boilerplate")]

_ACRONYM_RE = re.compile(r"\b[A-Z]{2,6}\b")
# Codes that name a country or an alliance far more often than a publisher.
NOT_OUTLETS = frozenset("US USA UK EU UN NATO ISIS AD PM AM ET EST GMT TV".split())


class FloorExtractor:
    """No quotes, no date, no outlet; the majority train stance is kept for gold-span use."""

    def __init__(self) -> None:
        self.stance_label: str | None = None

    def fit(self, documents: list[dict], quotes: list[dict]) -> "FloorExtractor":
        labels = Counter(q["stance"] for q in scored_units(quotes))
        # Ties broken alphabetically so the choice never depends on row order.
        self.stance_label = min(labels, key=lambda label: (-labels[label], label)) if labels else None
        return self

    def extract(self, document: dict) -> dict:
        return {"doc_id": document["doc_id"], "outlet": None, "published": None, "quotes": []}


class FloorMetaExtractor(FloorExtractor):
    """The floor plus the first printed date and the most frequent capitalised acronym as the outlet."""

    def extract(self, document: dict) -> dict:
        text = document["text"]
        dates = _dates(text)
        acronyms = Counter(a for a in _ACRONYM_RE.findall(text) if a not in NOT_OUTLETS)
        outlet = min(acronyms, key=lambda a: (-acronyms[a], text.index(a))) if acronyms else None
        return {"doc_id": document["doc_id"], "outlet": outlet,
                "published": dates[0][1].isoformat() if dates else None, "quotes": []}

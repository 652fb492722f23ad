"""ORACLE rows: the baselines given the gold quote spans. They read gold, so they are never ranked.

An oracle row answers "how good would this baseline be if quote detection were perfect?": the gap between a
baseline and its oracle row is what detection costs; what the oracle row still gets wrong is attribution and
stance. Each oracle reads the gold Track A spans of the document it is asked about through the public dataset
API (`benchmark.dataset.read_rows("quotes")`) -- the only baselines allowed to, and they say so in their names.
It uses nothing else from the gold (no speakers, no stance, no cue positions).

- `OracleSpansRules`: gold spans + the rule-based speaker finder and lexicon stance (`baselines.rules`).
- `OracleSpansSklearn`: gold spans + rule speakers + the TF-IDF/logistic-regression stance (`baselines.stance_sklearn`).
- `OracleSpansFloor`: gold spans, no speaker, the majority train stance for every quote (the stance floor).
Date and outlet are those of the non-oracle baseline (rules; none for the floor).

Where they fail: exactly where rules and sklearn-stance fail on attribution and stance (e.g. 'old wars and avoiding
new ones.' gold Donald Trump, predicted Dmitry Peskov; 'desperate' gold favor, predicted against): on this gold
the quote finder already detects every Track A unit, so the oracle rows equal their non-oracle rows and every
remaining error is an attribution or stance error. More in baselines/README.md.
"""
from __future__ import annotations

from pathlib import Path

from baselines.floor import FloorExtractor
from baselines.rules import extract_quotes, find_date, find_outlet
from baselines.stance_sklearn import SEED, SklearnStance
from benchmark.labels import TRACK_A_TYPES


class _GoldSpans:
    """Gold Track A spans per document, read once through the public dataset API."""

    def __init__(self, data_dir: str | Path | None = None) -> None:
        self.data_dir = data_dir
        self._by_doc: dict[str, list[dict]] | None = None

    def of(self, doc_id: str) -> list[dict]:
        if self._by_doc is None:
            from benchmark.dataset import read_rows

            self._by_doc = {}
            for row in read_rows("quotes", "all", data_dir=self.data_dir):
                if row["type"] in TRACK_A_TYPES:
                    self._by_doc.setdefault(row["doc_id"], []).append(row)
        return self._by_doc.get(doc_id, [])


def _with_gold_spans(text: str, gold: list[dict]) -> list[dict]:
    """Rule attribution and stance on the gold spans; the gold type is kept so the scorer's track filter
    treats each prediction as the unit it is."""
    predictions = extract_quotes(text, spans=[(q["start"], q["end"]) for q in gold])
    gold_type = {(q["start"], q["end"]): q["type"] for q in gold}
    for p in predictions:
        p["type"] = gold_type.get((p["start"], p["end"]), p["type"])
    return predictions


class OracleSpansRules:
    """ORACLE: gold quote spans + rule-based speakers and lexicon stance."""

    def __init__(self, data_dir: str | Path | None = None) -> None:
        self.gold = _GoldSpans(data_dir)

    def extract(self, document: dict) -> dict:
        text = document["text"]
        return {"doc_id": document["doc_id"], "outlet": find_outlet(text), "published": find_date(text),
                "quotes": _with_gold_spans(text, self.gold.of(document["doc_id"]))}


class OracleSpansSklearn(SklearnStance):
    """ORACLE: gold quote spans + rule-based speakers + the scikit-learn stance model (fit on train)."""

    def __init__(self, data_dir: str | Path | None = None, seed: int = SEED) -> None:
        super().__init__(seed)
        self.gold = _GoldSpans(data_dir)

    def extract(self, document: dict) -> dict:
        text = document["text"]
        quotes = _with_gold_spans(text, self.gold.of(document["doc_id"]))
        for quote, label in zip(quotes, self.predict([text[q["start"]:q["end"]] for q in quotes])):
            quote["stance"] = label
        return {"doc_id": document["doc_id"], "outlet": find_outlet(text), "published": find_date(text),
                "quotes": quotes}


class OracleSpansFloor(FloorExtractor):
    """ORACLE: gold quote spans, no speaker, the majority train stance everywhere; no date, no outlet."""

    def __init__(self, data_dir: str | Path | None = None) -> None:
        super().__init__()
        self.gold = _GoldSpans(data_dir)

    def extract(self, document: dict) -> dict:
        quotes = [{"start": q["start"], "end": q["end"], "type": q["type"], "speaker": None,
                   "stance": self.stance_label} for q in self.gold.of(document["doc_id"])]
        return {"doc_id": document["doc_id"], "outlet": None, "published": None, "quotes": quotes}

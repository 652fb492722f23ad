"""Starter for handout 03 (stance with scikit-learn). Runs and scores out of the box; work the TODOs.

    kremlin-reactions evaluate assignments.starters.stance_starter:Starter            # fit on train, score on test
    kremlin-reactions run assignments.starters.stance_starter:Starter --split test -o stance.jsonl
    kremlin-reactions score stance.jsonl --errors
    python -m assignments.starters.stance_starter -o gold_spans.jsonl   # stance of the GOLD spans (see below)

What it does now: finds quotes like the quote-detection starter (straight or curly pairs on one line) and labels
each with a scikit-learn Pipeline -- word counts + logistic regression with default settings -- trained in `fit`
on the TRAIN split's quotes (the 2016-17 articles). The runner calls `fit(train documents, train quotes)` before
`extract`, so the 2024 test articles are never seen in training.
At prediction time the runner gives `extract` only `doc_id` and `text`.

Gold spans given (to measure stance without your detection errors): `python -m assignments.starters.stance_starter
-o FILE` fits the same model, labels the text of every gold Track A unit of the test split -- reading its
quote_id and text, never its stance -- and writes `{"quote_id": ..., "stance": ...}` predictions, scored as
`gold_spans.stance` by `kremlin-reactions score FILE`.
"""
from __future__ import annotations

import argparse
import json
import re
import sys

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

QUOTE_RE = re.compile(r'"([^"\n]+)"|“([^”\n]+)”')
SEED = 0


class Starter:
    def __init__(self) -> None:
        self.model: Pipeline | None = None

    def fit(self, documents: list[dict], quotes: list[dict]) -> "Starter":
        """documents, quotes: rows of the `documents` and `quotes` configs of the train split."""
        # TODO: should Track B units (type "indirect") be training examples for a Track A stance model?
        # TODO: optional units (q["optional"]) and units in boilerplate (q["in_boilerplate"]) are not scored --
        #   are they good training data?
        texts = [q["text"] for q in quotes]
        labels = [q["stance"] for q in quotes]
        self.model = Pipeline([
            ("words", CountVectorizer()),
            # TODO: TfidfVectorizer, word bigrams ("not expect"), negation handling, the quote's sentence as
            #   extra context (`document["text"]` around the span), class_weight="balanced" for rare labels.
            ("classifier", LogisticRegression(max_iter=1000, random_state=SEED)),
        ])
        self.model.fit(texts, labels)
        # TODO: leave-one-document-out cross-validation on the TRAIN articles only (sklearn's LeaveOneGroupOut
        #   with groups = q["doc_id"]) to choose settings without touching the test split.
        return self

    def extract(self, document: dict) -> dict:
        if self.model is None:
            raise RuntimeError("Starter.fit(train documents, train quotes) must run before extract; "
                               "`kremlin-reactions evaluate/run` does this for you")
        text = document["text"]
        spans = []
        for match in QUOTE_RE.finditer(text):
            group = 1 if match.group(1) is not None else 2
            spans.append(match.span(group))
        # TODO: better spans (handout 01) -- end-to-end stance is scored only on quotes you found.
        labels = self.model.predict([text[start:end] for start, end in spans]) if spans else []
        quotes = [{"start": start, "end": end, "stance": str(label)} for (start, end), label in zip(spans, labels)]
        return {"doc_id": document["doc_id"], "quotes": quotes}


Extractor = Starter  # the class name the Gradescope autograder looks for in an uploaded extractor.py


def predict_gold_spans(split: str = "test", data_dir: str | None = None) -> list[dict]:
    """One submission object per document of `split`: the stance of each gold Track A unit, by quote_id."""
    from benchmark.dataset import read_rows

    model = Starter().fit(read_rows("documents", "train", data_dir), read_rows("quotes", "train", data_dir))
    units = [q for q in read_rows("quotes", split, data_dir) if q["type"] != "indirect"]   # Track A units
    labels = model.model.predict([q["text"] for q in units]) if units else []
    by_doc: dict[str, list[dict]] = {}
    for unit, label in zip(units, labels):
        by_doc.setdefault(unit["doc_id"], []).append({"quote_id": unit["quote_id"], "stance": str(label)})
    return [{"doc_id": d["doc_id"], "quotes": by_doc.get(d["doc_id"], [])}
            for d in read_rows("documents", split, data_dir)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assignments.starters.stance_starter",
                                     description="stance predictions for the gold quote spans (quote_id locators)")
    parser.add_argument("-o", "--output", required=True, help="JSONL file to write")
    parser.add_argument("--split", choices=("test", "train"), default="test")
    args = parser.parse_args(argv)
    with open(args.output, "w", encoding="utf-8") as f:
        for row in predict_gold_spans(args.split):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

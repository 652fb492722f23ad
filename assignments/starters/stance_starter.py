"""Starter for handout 03 (stance with scikit-learn). Runs and scores out of the box; work the TODOs.

    kremlin-reactions evaluate assignments.starters.stance_starter:Starter            # fit on train, score on test
    kremlin-reactions run assignments.starters.stance_starter:Starter --split test -o stance.jsonl
    kremlin-reactions score stance.jsonl --errors

What it does now: finds quotes like the quote-detection starter (straight or curly pairs on one line) and labels
each with a scikit-learn Pipeline -- word counts + logistic regression with default settings -- trained in `fit`
on the TRAIN split's quotes (the 2016-17 articles). The runner calls `fit(train documents, train quotes)` before
`extract`, so the 2024 test articles are never seen in training.
At prediction time the runner gives `extract` only `doc_id` and `text`.
"""
from __future__ import annotations

import re

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

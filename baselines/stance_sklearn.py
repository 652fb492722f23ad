"""SklearnStance: a learned stance classifier (TF-IDF + logistic regression) on top of the rule-based spans.

What it does: a scikit-learn `Pipeline(TfidfVectorizer, LogisticRegression)` reads the text of a quote and
predicts favor / against / neutral / none. `fit(documents, quotes)` trains it on the Track A quotes it is given
(the train split's, when run by the harness or `run_baselines`); `predict(texts)` labels quote texts;
`extract(document)` is the rule-based extractor (`baselines.rules`: spans, types, speakers, date, outlet) with
the stance replaced by the model's. Everything is seeded and single-threaded, so two runs give identical output.

`cross_validate(quotes)` is leave-one-document-out cross-validation over all five articles: train on four, label
the gold quotes of the fifth, score stance with the scorer's own stance metrics; it reports each fold and the
mean, sample standard deviation, min and max over folds, and the pooled score. It is the only place where the model
meets quotes from the test articles' gold, and its rows are named as cross-validation everywhere they appear.

It learns only from the units the scorer scores (Track A, not optional, not in boilerplate): 18 quotes in the two
train articles.

Where it fails (from `kremlin-reactions score PREDS --errors`; more in baselines/README.md): the 2016-2017
vocabulary barely overlaps the 2024 articles', so the model falls back on its prior and predicts favor for most
test quotes, never against: 'Let’s not forget that we are talking about an unfriendly country ...' gold against,
predicted favor; 'We shouldn’t expect a miracle here,' gold against, predicted neutral; 'We carefully analyze
everything, monitor everything, ...' gold neutral, predicted favor.
"""
from __future__ import annotations

import statistics
from collections import Counter

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from baselines.floor import scored_units
from baselines.rules import extract_quotes, find_date, find_outlet

SEED = 12345


def make_pipeline(seed: int = SEED) -> Pipeline:
    return Pipeline([
        ("tfidf", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
        ("logreg", LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000, random_state=seed)),
    ])


class SklearnStance:
    """Rule-based spans and speakers, stance from a TF-IDF + logistic regression model trained in `fit`."""

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self.pipeline: Pipeline | None = None
        self.constant: str | None = None      # the only label, when the training quotes have just one
        self.trained_on: tuple[str, ...] = ()  # doc_ids of the training quotes (the honesty tests check them)

    def fit(self, documents: list[dict], quotes: list[dict]) -> "SklearnStance":
        rows = scored_units(quotes)
        if not rows:
            raise ValueError("SklearnStance.fit: no Track A quotes to learn from")
        texts = [q["text"] for q in rows]
        labels = [q["stance"] for q in rows]
        self.trained_on = tuple(sorted({q["doc_id"] for q in rows}))
        counts = Counter(labels)
        if len(counts) == 1:
            self.pipeline, self.constant = None, labels[0]
        else:
            self.pipeline, self.constant = make_pipeline(self.seed).fit(texts, labels), None
        return self

    def predict(self, texts: list[str]) -> list[str]:
        if self.pipeline is None and self.constant is None:
            raise RuntimeError("SklearnStance: call fit(train documents, train quotes) before predict/extract")
        if not texts:
            return []
        if self.constant is not None:
            return [self.constant] * len(texts)
        return [str(label) for label in self.pipeline.predict(texts)]

    def extract(self, document: dict) -> dict:
        text = document["text"]
        quotes = extract_quotes(text)
        for quote, label in zip(quotes, self.predict([text[q["start"]:q["end"]] for q in quotes])):
            quote["stance"] = label
        return {"doc_id": document["doc_id"], "outlet": find_outlet(text), "published": find_date(text),
                "quotes": quotes}


def stance_scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    """accuracy, macro-F1 and F_avg computed by the scorer's stance module (same definitions as the table)."""
    from benchmark.scoring.metrics import stance as stance_metrics

    s = stance_metrics.scores(stance_metrics.confusion(stance_metrics.codes(gold), stance_metrics.codes(predicted)))
    return {"accuracy": float(s["accuracy"]), "macro_f1": float(s["macro_f1"]), "f_avg": float(s["f_avg"])}


def cross_validate(quotes: list[dict], seed: int = SEED) -> dict:
    """Leave-one-document-out cross-validation of the stance model on gold Track A quotes (all documents given).

    Returns {"folds": [{doc_id, n, accuracy, macro_f1, f_avg}], "mean"/"std"/"min"/"max": {metric: value},
    "pooled": {metric: value over all held-out predictions}, "n_documents": int}. Optional units are left out,
    as the scorer leaves them out, and so are units in boilerplate (don't-care for the scorer too).
    """
    rows = scored_units(quotes)
    doc_ids = sorted({q["doc_id"] for q in rows})
    folds, all_gold, all_pred = [], [], []
    for held_out in doc_ids:
        train = [q for q in rows if q["doc_id"] != held_out]
        test = [q for q in rows if q["doc_id"] == held_out]
        model = SklearnStance(seed).fit([], train)
        predicted = model.predict([q["text"] for q in test])
        gold = [q["stance"] for q in test]
        folds.append({"doc_id": held_out, "n": len(test), **stance_scores(gold, predicted)})
        all_gold += gold
        all_pred += predicted
    metrics = ("accuracy", "macro_f1", "f_avg")
    result = {"n_documents": len(doc_ids), "folds": folds, "pooled": stance_scores(all_gold, all_pred)}
    for name, fn in (("mean", statistics.fmean), ("std", _sample_sd), ("min", min), ("max", max)):
        result[name] = {m: float(fn([f[m] for f in folds])) if folds else 0.0 for m in metrics}
    return result


def _sample_sd(values: list[float]) -> float:
    """Sample standard deviation (n - 1), 0 for a single fold."""
    return statistics.stdev(values) if len(values) > 1 else 0.0


def main() -> None:
    """`python -m baselines.stance_sklearn`: print the leave-one-document-out cross-validation."""
    from benchmark.dataset import read_rows

    cv = cross_validate(read_rows("quotes", "all"))
    print("SklearnStance leave-one-document-out cross-validation (stance on gold Track A quotes)")
    for fold in cv["folds"]:
        print(f"  held out {fold['doc_id']}  n={fold['n']:3d}  acc={fold['accuracy']:.3f}  "
              f"macro-F1={fold['macro_f1']:.3f}  F_avg={fold['f_avg']:.3f}")
    for name in ("mean", "std", "min", "max", "pooled"):
        v = cv[name]
        print(f"  {name:>6}              acc={v['accuracy']:.3f}  macro-F1={v['macro_f1']:.3f}  F_avg={v['f_avg']:.3f}")


if __name__ == "__main__":
    main()

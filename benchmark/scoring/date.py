"""Publication date: exact-day accuracy (the htmldate benchmark rule), accuracy within ±1 day, mean absolute
error in days over the documents with a prediction. No output is a miss."""
from __future__ import annotations

import datetime

import numpy as np

from benchmark.labels import DATE_EVIDENCE

COUNTS = ("date_exact", "date_within_1", "date_abs_days", "date_predicted", "date_n")


def date_counts(gold: list[datetime.date], predicted: list[datetime.date | None]) -> dict[str, np.ndarray]:
    """Per document: exact hit, hit within one day, absolute error in days (0 when no prediction),
    whether a date was predicted, and 1 (the document counts)."""
    diff = np.array([abs((p - g).days) if p is not None else -1 for g, p in zip(gold, predicted)], dtype=np.int64)
    predicted_mask = diff >= 0
    return {
        "date_exact": (diff == 0).astype(np.int64),
        "date_within_1": (predicted_mask & (diff <= 1)).astype(np.int64),
        "date_abs_days": np.where(predicted_mask, diff, 0),
        "date_predicted": predicted_mask.astype(np.int64),
        "date_n": np.ones(len(diff), dtype=np.int64),
    }


def date_scores(c: dict) -> dict:
    """accuracy, within_1_day, mae_days (None when nothing was predicted), n, n_predicted from summed counts."""
    n, n_pred = int(c["date_n"]), int(c["date_predicted"])
    return {
        "accuracy": float(c["date_exact"]) / n if n else 0.0,
        "within_1_day": float(c["date_within_1"]) / n if n else 0.0,
        "mae_days": float(c["date_abs_days"]) / n_pred if n_pred else None,
        "n": n,
        "n_predicted": n_pred,
    }


def date_results(counts: dict[str, np.ndarray], evidence: list[str]) -> dict:
    """Scores over all documents, plus `by_evidence` (explicit / inferred / external)."""
    evidence = np.asarray(evidence, dtype=object)
    out = date_scores({k: counts[k].sum() for k in COUNTS})
    out["by_evidence"] = {
        kind: date_scores({k: counts[k][evidence == kind].sum() for k in COUNTS})
        for kind in DATE_EVIDENCE if (evidence == kind).any()
    }
    return out

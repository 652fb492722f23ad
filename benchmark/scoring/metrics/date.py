"""Publication date: exact-day accuracy (the htmldate benchmark rule), accuracy within ±1 day, mean absolute
error in days over the documents with a prediction. No output is a miss."""
from __future__ import annotations

import numpy as np

from benchmark.labels import DATE_EVIDENCE
from benchmark.scoring.metrics.base import Context, Metric, Row, Task, div

COUNTS = ("date_exact", "date_within_1", "date_abs_days", "date_predicted", "date_n")


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


def _mae(results: dict) -> str:
    date = results.get("date") or {}
    mae = date.get("mae_days")
    return f"  (MAE {'-' if mae is None else f'{mae:.3f}'} days over {date.get('n_predicted')} predicted)"


def _iso(date) -> str | None:
    return date.isoformat() if date is not None else None


class Date(Task):
    def __init__(self):
        super().__init__(
            name="date",
            counts={name: () for name in COUNTS},
            metrics=(Metric("date.accuracy", "date accuracy", "Publication date, exact day", column=True, grade=True,
                            document_key="date.exact", codabench="date_accuracy"),
                     Metric("date.within_1_day", "date within 1 day", "Publication date, within one day")),
            rows=(Row("date", "exact / within 1 day", ("date.accuracy", "date.within_1_day"), "date.accuracy",
                      suffix=_mae),),
        )

    def scores(self, c, undefined):
        return {"date.accuracy": div(c["date_exact"], c["date_n"], undefined),
                "date.within_1_day": div(c["date_within_1"], c["date_n"], undefined)}

    def results(self, ctx: Context):
        return {"date": date_results(ctx.counts, [d.get("date_evidence") for d in ctx.docs])}

    def document(self, scores, counts, gold, prediction):
        predicted = prediction.published if prediction is not None and "published" in prediction.fields else None
        return {"date": {"gold": _iso(gold.get("published")), "predicted": _iso(predicted),
                         "exact": bool(counts["date_exact"])}}


TASK = Date()

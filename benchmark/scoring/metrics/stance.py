"""Stance: accuracy, macro-F1 over the four labels, SemEval-2016 F_avg, from a confusion matrix, on the
overlap-matched quotes and end to end.

The matrix has one extra row and column, NULL: row NULL holds predictions with no gold unit (spurious, end-to-end
only), column NULL gold units with no predicted stance (missed quote, or a matched quote predicted without a
stance). The same function therefore scores matched pairs (row NULL empty) and end-to-end.

Per label L: F1_L = 2·tp / (predicted L + gold L), as scikit-learn computes it. A label that occurs neither in
the gold nor in the predictions is left out of the averages (so a perfect prediction scores 1.0 whatever labels
the gold happens to contain); scikit-learn agrees when given `labels=` the labels that occur.
F_avg = mean of F1 over favor and against (SemEval-2016 Task 6), with the same rule.
All functions accept a leading batch of matrices (bootstrap resamples) and return arrays then.
"""
from __future__ import annotations

import numpy as np

from benchmark.labels import STANCES
from benchmark.scoring.metrics.base import Context, Metric, Row, Task, div

LABELS = STANCES                    # ("favor", "against", "neutral", "none")
NULL = len(LABELS)                  # code of "no label" in a confusion matrix
CODE = {label: i for i, label in enumerate(LABELS)}
F_AVG_LABELS = (CODE["favor"], CODE["against"])


def codes(labels) -> np.ndarray:
    """Label strings (None for no label) -> integer codes 0..3, NULL for None."""
    return np.fromiter((NULL if x is None else CODE[x] for x in labels), dtype=np.int64)


def confusion(gold: np.ndarray, pred: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
    """Counts of (gold code, predicted code); per group (e.g. document) when `group` is given: (n_groups, 5, 5)."""
    k = NULL + 1
    cell = np.asarray(gold, dtype=np.int64) * k
    cell += np.asarray(pred)                # in place: one int64 temporary for a million pairs
    if group is None:
        return np.bincount(cell, minlength=k * k).reshape(k, k)
    cell += np.asarray(group, dtype=np.int64) * (k * k)
    return np.bincount(cell, minlength=n_groups * k * k).reshape(n_groups, k, k)


def add_confusion(out: np.ndarray, gold: np.ndarray, pred: np.ndarray, group: np.ndarray) -> None:
    """out[group, gold, pred] += 1 for each pair, in place. out: (n_groups, 4, 5), the gold labels' rows of per-group
    confusions (a pair whose gold code is NULL is left out, as its row is). Unlike `confusion`, no temporary the
    size of `out`: a table of 100k documents is written directly."""
    gold = np.asarray(gold)
    labelled = gold < NULL
    if not labelled.all():
        gold, pred, group = gold[labelled], np.asarray(pred)[labelled], np.asarray(group)[labelled]
    np.add.at(out, (group, gold, pred), 1)


def scores(cm: np.ndarray, undefined: float = 0.0) -> dict[str, np.ndarray]:
    """accuracy (matched pairs), micro precision/recall/F1 (end-to-end), per-label P/R/F1, macro_f1, f_avg.
    `undefined`: the value of a ratio with a zero denominator (per-label scores always use 0, as sklearn)."""
    cm = np.asarray(cm, dtype=np.float64)
    n = NULL
    tp = np.diagonal(cm[..., :n, :n], axis1=-2, axis2=-1)       # (..., 4)
    pred = cm[..., :, :n].sum(axis=-2)                           # predicted label L, anywhere
    gold = cm[..., :n, :].sum(axis=-1)                           # gold label L, whatever predicted
    correct = tp.sum(axis=-1)
    n_gold = gold.sum(axis=-1)
    n_pred = pred.sum(axis=-1)
    f1 = div(2 * tp, pred + gold)
    present = (pred + gold) > 0
    fav = list(F_AVG_LABELS)
    return {
        "accuracy": div(correct, n_gold, undefined),
        "precision": div(correct, n_pred, undefined),
        "recall": div(correct, n_gold, undefined),
        "f1": div(2 * correct, n_pred + n_gold, undefined),
        "macro_f1": _masked_mean(f1, present, undefined),
        "f_avg": _masked_mean(f1[..., fav], present[..., fav], undefined),
        "label_precision": div(tp, pred),
        "label_recall": div(tp, gold),
        "label_f1": f1,
        "label_support": gold,
    }


def summary(cm: np.ndarray, end_to_end: bool = False) -> dict:
    """The JSON-ready stance results for one confusion matrix."""
    s = scores(cm)
    out = {"n": int(np.asarray(cm)[:NULL].sum())}
    keys = ("precision", "recall", "f1", "macro_f1", "f_avg") if end_to_end else ("accuracy", "macro_f1", "f_avg")
    out.update({k: float(s[k]) for k in keys})
    out["per_label"] = {
        label: {"precision": float(s["label_precision"][i]), "recall": float(s["label_recall"][i]),
                "f1": float(s["label_f1"][i]), "support": int(s["label_support"][i])}
        for i, label in enumerate(LABELS)
    }
    rows = list(LABELS) + (["(no gold unit)"] if end_to_end else [])
    out["confusion"] = {
        "gold": rows,
        "predicted": list(LABELS) + ["(none predicted)"],
        "matrix": np.asarray(cm)[: len(rows)].astype(int).tolist(),
    }
    return out


def _masked_mean(values, mask, undefined: float = 0.0):
    count = mask.sum(axis=-1)
    total = np.where(mask, values, 0.0).sum(axis=-1)
    return div(total, count, undefined)


def matrices(c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(matched-pair confusion, end-to-end confusion) from summed counts, both (batch, 5, 5) with the NULL row and
    column: end to end adds the missed units (NULL column) and the spurious predictions (NULL row)."""
    matched = pad_null_row(c["stance_cm"])
    e2e = matched.copy()
    e2e[:, :NULL, NULL] += c["stance_missed"]
    e2e[:, NULL, :] += c["stance_spurious"]
    return matched, e2e


def pad_null_row(cm: np.ndarray) -> np.ndarray:
    """(batch, 4, 5) gold rows -> (batch, 5, 5) with an empty NULL row."""
    return np.concatenate([cm, np.zeros((len(cm), 1, NULL + 1), dtype=cm.dtype)], axis=1)


class Stance(Task):
    def __init__(self):
        super().__init__(
            name="stance",
            counts={"stance_cm": (NULL, NULL + 1), "stance_missed": (NULL,), "stance_spurious": (NULL + 1,)},
            metrics=(
                Metric("stance_e2e.macro_f1", "stance macro-F1 (end to end)",
                       "Stance macro-F1, end to end (quote found and stance right)", column=True, grade=True,
                       document_key="stance_e2e.macro_f1", codabench="stance_macro_f1"),
                Metric("stance.accuracy", "stance accuracy", "Stance accuracy on the quotes you found"),
                Metric("stance.macro_f1", "stance macro-F1 (matched)", "Stance macro-F1 on the quotes you found",
                       grade=True, codabench="stance_matched_macro_f1"),
                Metric("stance.f_avg", "stance F_avg", "Stance F_avg (mean F1 of favor and against)", codabench="stance_f_avg"),
            ),
            rows=(Row("stance, matched quotes", "accuracy / macro-F1 / F_avg",
                      ("stance.accuracy", "stance.macro_f1", "stance.f_avg"), "stance.macro_f1"),
                  Row("stance, end to end", "macro-F1 / F_avg", ("stance_e2e.macro_f1", "stance_e2e.f_avg"),
                      "stance_e2e.macro_f1")),
            per_document=("stance.accuracy", "stance.macro_f1", "stance_e2e.macro_f1"),
        )

    def scores(self, c, undefined):
        matched, e2e = matrices(c)
        s, e = scores(matched, undefined), scores(e2e, undefined)
        return {**{f"stance.{k}": s[k] for k in ("accuracy", "macro_f1", "f_avg")},
                **{f"stance_e2e.{k}": e[k] for k in ("precision", "recall", "f1", "macro_f1", "f_avg")}}

    def results(self, ctx: Context):
        matched, e2e = matrices({k: v[None] for k, v in ctx.totals.items()})
        return {"stance": summary(matched[0]), "stance_e2e": summary(e2e[0], end_to_end=True)}

    def document(self, scores, counts, gold, prediction):
        return {"stance": {"accuracy": scores("stance.accuracy"), "macro_f1": scores("stance.macro_f1")},
                "stance_e2e": {"macro_f1": scores("stance_e2e.macro_f1")}}


TASK = Stance()

"""Stance: accuracy, macro-F1 over the four labels, SemEval-2016 F_avg, from a confusion matrix.

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
from benchmark.scoring.matching import _div

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
    f1 = _div(2 * tp, pred + gold)
    present = (pred + gold) > 0
    fav = list(F_AVG_LABELS)
    return {
        "accuracy": _div(correct, n_gold, undefined),
        "precision": _div(correct, n_pred, undefined),
        "recall": _div(correct, n_gold, undefined),
        "f1": _div(2 * correct, n_pred + n_gold, undefined),
        "macro_f1": _masked_mean(f1, present, undefined),
        "f_avg": _masked_mean(f1[..., fav], present[..., fav], undefined),
        "label_precision": _div(tp, pred),
        "label_recall": _div(tp, gold),
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
    return _div(total, count, undefined)

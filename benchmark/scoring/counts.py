"""Per-document counts, the one thing both engines produce, and the metrics computed from them.

`COUNT_SHAPES` names every count a document contributes (defined in `benchmark.scoring.reference`); a `CountTable`
packs them for all documents into one int32 matrix; `metrics` turns counts summed over any set of documents into
every number (vectorised over a leading batch axis, so the same code gives point estimates, bootstrap resamples
and randomisation tests). A `Run` is what an engine returns for one submission.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmark.scoring import stance as stance_mod
from benchmark.scoring.date import COUNTS as DATE_COUNTS
from benchmark.scoring.matching import _div, prf

NULL = stance_mod.NULL
# overall = mean of these four; a task that was not attempted contributes 0
OVERALL_PARTS = {"attribution.f1": "attribution", "stance_e2e.macro_f1": "stance",
                 "date.accuracy": "date", "outlet.accuracy": "outlet"}

# every per-document count: name -> its shape per document (the columns of a CountTable, in this order)
COUNT_SHAPES = {"exact": (3,), "overlap": (3,), "chars": (3,),          # tp, predictions, gold units
                "attr_correct": (1,), "stance_cm": (NULL, NULL + 1), "stance_missed": (NULL,),
                "stance_spurious": (NULL + 1,), "gs_n": (1,), "gs_attr_correct": (1,), "gs_cm": (NULL, NULL + 1),
                **{name: () for name in DATE_COUNTS}, "outlet_correct": (1,), "outlet_n": (1,)}


@dataclass
class Findings:
    """One document's pairs and lists for the error report, in the reference's orders: matched = (gold unit row,
    prediction, speaker right) for the overlap-matched pairs with a counted unit, in prediction order; missed =
    counted units in no pair, in gold row order; spurious = counted predictions in no pair, in prediction order."""
    matched: list
    missed: list
    spurious: list


@dataclass
class Run:
    """What an engine found for one submission."""
    table: "CountTable"                  # every per-document count
    attempted: frozenset[str]
    docs: list                           # the DocumentPrediction (or None) of each gold document
    ignored: dict[str, int]              # predictions ignored: boilerplate, other_track, invalid
    findings: list[Findings] | None      # per gold document (only when the error report is asked for)

    @property
    def counts(self) -> dict[str, np.ndarray]:
        """name -> (n_docs, ...) per-document counts (views into the table)."""
        return self.table.counts

    @property
    def predicted_docs(self) -> np.ndarray:
        """bool per gold document: the submission has a line for it."""
        return np.array([d is not None for d in self.docs], dtype=bool)


class CountTable:
    """Per-document counts in one int32 matrix (n_docs x K; counts are small integers), unpacked again by name
    after summing rows.

    `counts`: name -> a view into the matrix, of shape (n_docs, *COUNT_SHAPES[name]); `evaluate` writes each
    count into its view. Sums go through `totals` (exact, in int64) or a float64 copy of some rows (`rows`),
    never through int32 arithmetic."""

    def __init__(self, n_docs: int, shapes: dict[str, tuple] = COUNT_SHAPES):
        self.names = list(shapes)
        self.shapes = [tuple(shapes[n]) for n in self.names]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.matrix = np.zeros((n_docs, sum(self.sizes)), dtype=np.int32)
        self.counts = self.unpack(self.matrix)

    @classmethod
    def from_rows(cls, rows: list[dict]) -> "CountTable":
        """A table from one {name: count} row per document (plain ints and nested lists, as the reference gives)."""
        table = cls(len(rows))
        for name, view in table.counts.items():
            if len(rows):
                view[:] = np.array([row[name] for row in rows], dtype=np.int64).reshape(view.shape)
        return table

    def totals(self) -> np.ndarray:
        """The column sums as a (1, K) float row (summed exactly, in int64)."""
        return self.matrix.sum(axis=0, dtype=np.int64).astype(np.float64)[None]

    def rows(self, first: int, stop: int) -> np.ndarray:
        """Rows first..stop as float64 (what `statistic` takes)."""
        return self.matrix[first:stop].astype(np.float64)

    def unpack(self, summed: np.ndarray) -> dict[str, np.ndarray]:
        out, col = {}, 0
        for name, shape, size in zip(self.names, self.shapes, self.sizes):
            out[name] = summed[:, col:col + size].reshape(len(summed), *shape)
            col += size
        return out

    def statistic(self, summed: np.ndarray, undefined: float = 0.0) -> dict[str, np.ndarray]:
        """Every metric, for each row of `summed` (rows = count vectors summed over some documents)."""
        return metrics(self.unpack(summed), undefined)

    def statistic_nan(self, summed: np.ndarray) -> dict[str, np.ndarray]:
        """As `statistic`, with NaN for undefined ratios (bootstrap resamples leave them out)."""
        return metrics(self.unpack(summed), np.nan)


def metrics(c: dict[str, np.ndarray], undefined: float = 0.0) -> dict[str, np.ndarray]:
    """All metrics from summed counts (each array has a leading batch axis). Flat dotted keys. `undefined`: the
    value of a ratio with a zero denominator (0 as in scikit-learn; NaN for bootstrap resamples)."""
    out = {}
    u = undefined
    for kind in ("exact", "overlap", "chars"):
        p, r, f = prf(c[kind][:, 0], c[kind][:, 1], c[kind][:, 2], u)
        out[f"quotes.{kind}.precision"], out[f"quotes.{kind}.recall"], out[f"quotes.{kind}.f1"] = p, r, f
    tp, n_pred, n_gold = c["overlap"][:, 0], c["overlap"][:, 1], c["overlap"][:, 2]
    correct = c["attr_correct"][:, 0]
    out["attribution.accuracy"] = _div(correct, tp, u)
    out["attribution.precision"], out["attribution.recall"], out["attribution.f1"] = prf(correct, n_pred, n_gold, u)
    matched_cm, e2e_cm = stance_matrices(c)
    s = stance_mod.scores(matched_cm, u)
    out.update({f"stance.{k}": s[k] for k in ("accuracy", "macro_f1", "f_avg")})
    e = stance_mod.scores(e2e_cm, u)
    out.update({f"stance_e2e.{k}": e[k] for k in ("precision", "recall", "f1", "macro_f1", "f_avg")})
    out["gold_spans.attribution_accuracy"] = _div(c["gs_attr_correct"][:, 0], c["gs_n"][:, 0], u)
    g = stance_mod.scores(_pad_null_row(c["gs_cm"]), u)
    out.update({f"gold_spans.stance.{k}": g[k] for k in ("accuracy", "macro_f1", "f_avg")})
    out["date.accuracy"] = _div(c["date_exact"], c["date_n"], u)
    out["date.within_1_day"] = _div(c["date_within_1"], c["date_n"], u)
    out["outlet.accuracy"] = _div(c["outlet_correct"][:, 0], c["outlet_n"][:, 0], u)
    # A task that was not attempted has no correct predictions, so its part is 0 here without a special case.
    out["overall"] = sum(out[k] for k in OVERALL_PARTS) / len(OVERALL_PARTS)
    return out


def stance_matrices(c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(matched-pair confusion, end-to-end confusion), both (batch, 5, 5) with the NULL row/column."""
    matched = _pad_null_row(c["stance_cm"])
    e2e = matched.copy()
    e2e[:, :NULL, NULL] += c["stance_missed"]
    e2e[:, NULL, :] += c["stance_spurious"]
    return matched, e2e


def _pad_null_row(cm: np.ndarray) -> np.ndarray:
    return np.concatenate([cm, np.zeros((len(cm), 1, NULL + 1), dtype=cm.dtype)], axis=1)

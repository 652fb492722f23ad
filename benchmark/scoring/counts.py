"""Per-document counts, the one thing both engines produce: a `CountTable` packs the counts of every document
(`metrics.COUNT_SHAPES`, defined in `benchmark.scoring.reference`) into one int32 matrix, and its `statistic`
turns counts summed over any set of documents into every number (`metrics.scores`). A `Run` is what an engine
returns for one submission."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmark.scoring.metrics import COUNT_SHAPES, scores


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
    unaligned: int = 0                   # counted predictions given by a text not found in the article

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

    def statistic(self, summed: np.ndarray, undefined: float = 0.0, keys=None) -> dict[str, np.ndarray]:
        """Every metric (or the tasks of `keys`), for each row of `summed` (rows = count vectors summed over some
        documents)."""
        return scores(self.unpack(summed), undefined, keys)

    def statistic_nan(self, summed: np.ndarray) -> dict[str, np.ndarray]:
        """As `statistic`, with NaN for undefined ratios (bootstrap resamples leave them out)."""
        return scores(self.unpack(summed), np.nan)

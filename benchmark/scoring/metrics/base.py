"""What a task module declares: its per-document counts, how summed counts become numbers, the results block it
writes, the metrics it names (headline keys, columns, grading tests) and how it is shown.

Every number is a function of counts summed over documents, so one vectorised `scores(counts, undefined)` serves
the point estimate, bootstrap resamples and randomisation tests (arrays with a leading batch axis).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Metric:
    """One number a task reports, and where it appears."""
    key: str                          # results key, e.g. "quotes.overlap.f1"
    title: str                        # short column title
    description: str                  # one line for a student (Gradescope test names, leaderboard legends)
    headline: bool = True             # bootstrap interval and paired tests
    column: bool = False              # a leaderboard column (and a Codabench one)
    grade: bool = False               # a Gradescope test of its task
    document_key: str | None = None   # its place in a per-document row (None: not kept per document)
    codabench: str | None = None      # its Codabench scores.json key, a plain word (None: not a Codabench column)


@dataclass(frozen=True)
class Row:
    """One line of the terminal and Markdown tables."""
    label: str
    what: str
    keys: tuple[str, ...]
    interval: str                     # the key whose bootstrap interval is shown
    suffix: Callable[[dict], str] | None = None     # more text from the results (e.g. the date's MAE)


@dataclass
class Context:
    """What a task's results block may read: the point estimates, the counts summed over documents, the
    per-document counts, the gold document rows, the engine's Run and the options."""
    point: dict[str, float]
    totals: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]
    docs: list[dict]
    run: object
    options: object


@dataclass
class Task:
    """A task: `name` is what a submission attempts (see `benchmark.submission.attempted_tasks`)."""
    name: str
    counts: dict[str, tuple] = field(default_factory=dict)
    metrics: tuple[Metric, ...] = ()
    rows: tuple[Row, ...] = ()
    per_document: tuple[str, ...] = ()        # the keys `document` reads per document
    subtask: bool = False                     # shown only when attempted, never listed as "not attempted"

    def scores(self, c: dict[str, np.ndarray], undefined: float) -> dict[str, np.ndarray]:
        """Flat dotted keys -> values, from counts summed over documents (leading batch axis)."""
        return {}

    def results(self, ctx: Context) -> dict[str, object]:
        """The task's blocks of the results dict."""
        return {}

    def document(self, scores: Callable[[str], float | None], counts: dict[str, list], gold: dict,
                 prediction) -> dict[str, object]:
        """The task's blocks of one document's row in `results["per_document"]`."""
        return {}


def div(num, den, undefined: float = 0.0):
    """num / den, `undefined` where den is 0."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.full(np.broadcast(num, den).shape, undefined), where=den > 0)


def prf(tp, n_pred, n_gold, undefined: float = 0.0) -> tuple:
    """Precision, recall, F1 from counts (numbers or arrays); `undefined` (0, as scikit-learn's zero_division=0)
    where a denominator is 0: precision with nothing predicted, recall with no gold, F1 with neither.

    >>> prf(3, 4, 6)
    (0.75, 0.5, 0.6)
    """
    tp, n_pred, n_gold = (np.asarray(x, dtype=np.float64) for x in (tp, n_pred, n_gold))
    out = div(tp, n_pred, undefined), div(tp, n_gold, undefined), div(2 * tp, n_pred + n_gold, undefined)
    return tuple(float(x) if np.ndim(x) == 0 else x for x in out)

"""The metric registry: one module per task (`quotes`, `attribution`, `stance`, `gold_spans`, `date`, `outlet`),
each a `base.Task` declaring its per-document counts, how summed counts become numbers, its results block, its
metrics (headline keys, leaderboard columns, grading tests) and how it is shown. Results, the terminal and
Markdown tables, the leaderboard columns and the Gradescope and Codabench outputs all read this registry.

overall = the mean of `OVERALL_PARTS` (a task that was not attempted contributes 0).
"""
from __future__ import annotations

import numpy as np

from benchmark.scoring.metrics import (
    attribution,
    date,
    gold_spans,
    outlet,
    quotes,
    stance,
)
from benchmark.scoring.metrics.base import Metric, Row, Task

TASKS: tuple[Task, ...] = tuple(m.TASK for m in (quotes, attribution, stance, gold_spans, date, outlet))
BY_NAME: dict[str, Task] = {task.name: task for task in TASKS}
OVERALL = Metric("overall", "overall", "Overall: mean of attribution F1, end-to-end stance macro-F1, date accuracy "
                 "and outlet accuracy", column=True, document_key="overall", codabench="overall")
# overall = mean of these four; a task that was not attempted contributes 0
OVERALL_PARTS = {"attribution.f1": "attribution", "stance_e2e.macro_f1": "stance", "date.accuracy": "date",
                 "outlet.accuracy": "outlet"}
OVERALL_NOTE = ("overall = mean of attribution F1 (end to end), stance macro-F1 (end to end), date accuracy and "
                "outlet accuracy; a task not attempted counts 0")
# every per-document count: name -> its shape per document (the columns of a CountTable, in this order)
COUNT_SHAPES: dict[str, tuple] = {name: shape for task in TASKS for name, shape in task.counts.items()}
METRICS: dict[str, Metric] = {"overall": OVERALL, **{m.key: m for task in TASKS for m in task.metrics}}
# keys that get bootstrap intervals and paired tests
MAIN_KEYS: list[str] = [key for key, m in METRICS.items() if m.headline]
TASK_OF: dict[str, str | None] = {"overall": None, **{m.key: task.name for task in TASKS for m in task.metrics}}


def scores(c: dict[str, np.ndarray], undefined: float = 0.0, keys=None) -> dict[str, np.ndarray]:
    """Every metric from counts summed over documents (each array has a leading batch axis); flat dotted keys.
    `undefined`: the value of a ratio with a zero denominator (0 as in scikit-learn; NaN for bootstrap
    resamples). `keys`: only the tasks these keys need are computed (with overall's parts; default all)."""
    needed = None if keys is None else {task_of(k) for k in keys} | set(OVERALL_PARTS.values())
    out: dict[str, np.ndarray] = {}
    for task in TASKS:
        if needed is None or task.name in needed:
            out.update(task.scores(c, undefined))
    # a task that was not attempted has no correct predictions, so its part is 0 here without a special case
    out["overall"] = sum(out[k] for k in OVERALL_PARTS) / len(OVERALL_PARTS)
    return out


def task_of(key: str) -> str | None:
    """The task a results key belongs to ("stance_e2e.macro_f1" -> "stance"); None for overall."""
    if key in TASK_OF:
        return TASK_OF[key]
    head = key.split(".", 1)[0]
    return {"stance_e2e": "stance"}.get(head, head)


__all__ = ["TASKS", "BY_NAME", "METRICS", "MAIN_KEYS", "COUNT_SHAPES", "OVERALL", "OVERALL_PARTS", "OVERALL_NOTE",
           "Metric", "Row", "Task", "scores", "task_of"]

"""The subtasks with gold spans given: quotes located by the `quote_id` of a gold unit, so attribution and stance
are scored on every counted unit without detection (a unit with no prediction is wrong)."""
from __future__ import annotations

import numpy as np

from benchmark.scoring.metrics.base import Context, Metric, Row, Task, div
from benchmark.scoring.metrics.stance import NULL, pad_null_row, scores, summary


class GoldSpans(Task):
    def __init__(self):
        super().__init__(
            name="gold_spans",
            counts={"gs_n": (1,), "gs_attr_correct": (1,), "gs_cm": (NULL, NULL + 1)},
            metrics=(
                Metric("gold_spans.attribution_accuracy", "speaker accuracy (gold spans)",
                       "Speaker accuracy with the gold spans given"),
                Metric("gold_spans.stance.macro_f1", "stance macro-F1 (gold spans)",
                       "Stance macro-F1 with the gold spans given"),
            ),
            rows=(Row("gold spans given: speaker", "accuracy", ("gold_spans.attribution_accuracy",),
                      "gold_spans.attribution_accuracy"),
                  Row("gold spans given: stance", "accuracy / macro-F1 / F_avg",
                      ("gold_spans.stance.accuracy", "gold_spans.stance.macro_f1", "gold_spans.stance.f_avg"),
                      "gold_spans.stance.macro_f1")),
            subtask=True,
        )

    def scores(self, c, undefined):
        s = scores(pad_null_row(c["gs_cm"]), undefined)
        return {"gold_spans.attribution_accuracy": div(c["gs_attr_correct"][:, 0], c["gs_n"][:, 0], undefined),
                **{f"gold_spans.stance.{k}": s[k] for k in ("accuracy", "macro_f1", "f_avg")}}

    def results(self, ctx: Context):
        cm = np.concatenate([ctx.totals["gs_cm"], np.zeros((1, NULL + 1))]).astype(int)
        return {"gold_spans": {"attribution_accuracy": ctx.point["gold_spans.attribution_accuracy"],
                               "n": int(ctx.totals["gs_n"][0]), "n_correct": int(ctx.totals["gs_attr_correct"][0]),
                               "stance": summary(cm)}}


TASK = GoldSpans()

"""Quote detection: precision, recall and F1 of predicted spans, matched exactly, by overlap, and by character.

Counts per document (defined in `benchmark.scoring.reference`): `exact` and `overlap` = [pairs with a counted
unit, counted predictions minus pairs with a don't-care unit, counted units]; `chars` = [predicted gold
characters, predicted characters that are gold or not don't-care, gold characters].
"""
from __future__ import annotations

from benchmark.scoring.metrics.base import Context, Metric, Row, Task, prf

KINDS = ("exact", "overlap", "chars")


class Quotes(Task):
    def __init__(self):
        super().__init__(
            name="quotes",
            counts={kind: (3,) for kind in KINDS},
            metrics=(
                Metric("quotes.overlap.f1", "quotes F1 (overlap)", "Quote detection F1 (overlap match)",
                       column=True, grade=True, document_key="quotes.overlap.f1", codabench="quotes_f1"),
                Metric("quotes.exact.f1", "quotes F1 (exact)", "Quote detection F1 (exact match)", column=True,
                       grade=True, document_key="quotes.exact.f1", codabench="quotes_exact_f1"),
                Metric("quotes.chars.f1", "quotes F1 (characters)", "Quote detection F1 (characters)"),
            ),
            rows=tuple(Row(f"quote detection, {'characters' if kind == 'chars' else kind}", "P / R / F1",
                           tuple(f"quotes.{kind}.{m}" for m in ("precision", "recall", "f1")), f"quotes.{kind}.f1")
                       for kind in KINDS),
            per_document=tuple(f"quotes.{kind}.{m}" for kind in ("exact", "overlap")
                               for m in ("precision", "recall", "f1")),
        )

    def scores(self, c, undefined):
        out = {}
        for kind in KINDS:
            values = prf(c[kind][:, 0], c[kind][:, 1], c[kind][:, 2], undefined)
            out.update(zip((f"quotes.{kind}.{m}" for m in ("precision", "recall", "f1")), values))
        return out

    def results(self, ctx: Context):
        def block(kind: str) -> dict:
            tp, n_pred, n_gold = (int(x) for x in ctx.totals[kind])
            return {**{m: ctx.point[f"quotes.{kind}.{m}"] for m in ("precision", "recall", "f1")},
                    "tp": tp, "n_pred": n_pred, "n_gold": n_gold}

        return {"quotes": {"exact": block("exact"), "overlap": {**block("overlap"), "threshold": ctx.options.overlap},
                           "chars": block("chars"), "ignored": dict(ctx.run.ignored),
                           "not_found": ctx.run.unaligned}}

    def document(self, scores, counts, gold, prediction):
        (exact_tp, _, _), (overlap_tp, n_pred, n_gold) = counts["exact"], counts["overlap"]
        return {"quotes": {
            "exact": {**{m: scores(f"quotes.exact.{m}") for m in ("precision", "recall", "f1")}, "tp": exact_tp},
            "overlap": {**{m: scores(f"quotes.overlap.{m}") for m in ("precision", "recall", "f1")},
                        "tp": overlap_tp},
            "n_pred": n_pred, "n_gold": n_gold}}


TASK = Quotes()

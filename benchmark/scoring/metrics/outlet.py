"""Outlet: the predicted name must equal the canonical name or an alias (normalised). When the outlet is not
named in the text (outlet_evidence "external"), an explicit null is also correct; a wrong name is always wrong,
and so is a missing prediction (document absent or no "outlet" key)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from benchmark.scoring.metrics.base import Context, Metric, Row, Task, div

_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)
def normalize_outlet(name: str) -> str:
    """Case, accents, punctuation and a leading "The" do not matter: "The Moscow Times" = "moscow times".

    >>> normalize_outlet("The Irish Times"), normalize_outlet("C.N.N.")
    ('irish times', 'c n n')
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = _NON_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def outlet_correct(predicted: str | None, attempted: bool, outlet: str, aliases, evidence: str) -> bool:
    """Is one document's outlet prediction correct? `attempted`: the document's prediction has an "outlet" key."""
    if not attempted:
        return False
    if predicted is None:
        return evidence == "external"
    norm = normalize_outlet(predicted)
    return bool(norm) and norm in {normalize_outlet(a) for a in [outlet, *(aliases or ())] if a}


class Outlet(Task):
    def __init__(self):
        super().__init__(
            name="outlet",
            counts={"outlet_correct": (1,), "outlet_n": (1,)},
            metrics=(Metric("outlet.accuracy", "outlet accuracy",
                            "Outlet (null is right when the text never names it)", column=True, grade=True,
                            document_key="outlet.correct", codabench="outlet_accuracy"),),
            rows=(Row("outlet", "accuracy", ("outlet.accuracy",), "outlet.accuracy"),),
        )

    def scores(self, c, undefined):
        return {"outlet.accuracy": div(c["outlet_correct"][:, 0], c["outlet_n"][:, 0], undefined)}

    def results(self, ctx: Context):
        return {"outlet": {"accuracy": ctx.point["outlet.accuracy"], "n": len(ctx.docs),
                           "n_correct": int(ctx.totals["outlet_correct"][0])}}

    def document(self, scores, counts, gold, prediction):
        predicted = prediction.outlet if prediction is not None and "outlet" in prediction.fields else None
        return {"outlet": {"gold": gold.get("outlet"), "predicted": predicted, "correct": bool(counts["outlet_correct"][0])}}


TASK = Outlet()

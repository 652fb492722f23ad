"""Attribution: is the predicted speaker the gold speaker? Accuracy on the overlap-matched quotes, and end-to-end
precision, recall and F1 (a pair counts when the quote is found and its speaker is right).

The rule (`benchmark.scoring.reference.speaker_right`, on `name_form`s): a predicted name is right when it equals
an alias of the gold speaker (or the gold mention text), or contains one as a contiguous word sequence while naming
no other speaker of the document -- so titles, roles, middle initials and appositives around the name do not
matter ("Kremlin spokesman Dmitry Peskov", "Peskov, the Kremlin spokesman", "Dmitry S. Peskov"), and a name of
two speakers ("Putin and Peskov") is wrong. A predicted speaker-mention span that overlaps the gold mention is
right too.

Normalisation folds case, accents and quote-mark style, drops possessive 's and punctuation, and strips
honorifics (Mr, Dr, President, ...) at the start; `name_form` also drops middle initials. It deliberately keeps
articles: unlike SQuAD normalisation, "a Kremlin spokesman" (a description of an unnamed source) must not become
"kremlin spokesman".
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from benchmark.scoring.metrics.base import Context, Metric, Row, Task, div, prf

HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "mister", "madam", "madame", "mme", "dr", "doctor", "prof", "professor",
    "president", "sir", "dame", "lord", "lady", "senator", "sen", "rep", "representative", "gov", "governor",
})
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u00b4`\u2032"})
_POSSESSIVE = re.compile(r"(?<=\w)'s?\b")
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> str:
    """Normalised form of a speaker name for comparison.

    >>> normalize_name("President Vladimir Putin's")
    'vladimir putin'
    >>> normalize_name("Mr. Peskov"), normalize_name("A Kremlin spokesman")
    ('peskov', 'a kremlin spokesman')
    """
    text = unicodedata.normalize("NFKD", name).translate(_APOSTROPHES)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _POSSESSIVE.sub("", text)
    words = _NON_WORD.sub(" ", text).split()
    while len(words) > 1 and words[0] in HONORIFICS:
        words.pop(0)
    if len(words) > 1 and words[0] == "elect":    # "President-elect Trump"
        words.pop(0)
    return " ".join(words)


_INITIAL = re.compile(r"[^\W\d_]\.?")


def _is_name_word(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and not _INITIAL.fullmatch(word)


@lru_cache(maxsize=1 << 16)
def name_form(name: str) -> str:
    """`normalize_name` after dropping middle initials -- a run of single capital letters (with or without a
    period) between two capitalised words: the form the speaker rule compares.

    >>> name_form("Dmitry S. Peskov"), name_form("George H. W. Bush"), name_form("U.S. President Donald Trump")
    ('dmitry peskov', 'george bush', 'u s president donald trump')
    """
    words = name.split()
    keep = [True] * len(words)
    k = 0
    while k < len(words):
        end = k
        while end < len(words) and _INITIAL.fullmatch(words[end]) and words[end][0].isupper():
            end += 1
        if end > k and k > 0 and end < len(words) and _is_name_word(words[k - 1]) and _is_name_word(words[end]):
            keep[k:end] = [False] * (end - k)
        k = max(end, k + 1)
    return normalize_name(" ".join(w for w, kept in zip(words, keep) if kept))


class Attribution(Task):
    def __init__(self):
        super().__init__(
            name="attribution",
            counts={"attr_correct": (1,)},
            metrics=(
                Metric("attribution.f1", "attribution F1", "Attribution F1 (quote found and speaker right)",
                       column=True, grade=True, document_key="attribution.f1", codabench="attribution_f1"),
                Metric("attribution.accuracy", "attribution accuracy", "Speaker accuracy on the quotes you found",
                       grade=True, document_key="attribution.accuracy", codabench="attribution_accuracy"),
            ),
            rows=(Row("attribution, matched quotes", "accuracy", ("attribution.accuracy",), "attribution.accuracy"),
                  Row("attribution, end to end", "P / R / F1",
                      ("attribution.precision", "attribution.recall", "attribution.f1"), "attribution.f1")),
            per_document=("attribution.accuracy", "attribution.f1"),
        )

    def scores(self, c, undefined):
        correct, (tp, n_pred, n_gold) = c["attr_correct"][:, 0], c["overlap"].T
        precision, recall, f1 = prf(correct, n_pred, n_gold, undefined)
        return {"attribution.accuracy": div(correct, tp, undefined), "attribution.precision": precision,
                "attribution.recall": recall, "attribution.f1": f1}

    def results(self, ctx: Context):
        return {"attribution": {**{m: ctx.point[f"attribution.{m}"] for m in ("accuracy", "precision", "recall", "f1")},
                                "n_matched": int(ctx.totals["overlap"][0]),
                                "n_correct": int(ctx.totals["attr_correct"][0])}}

    def document(self, scores, counts, gold, prediction):
        return {"attribution": {"accuracy": scores("attribution.accuracy"), "f1": scores("attribution.f1")}}


TASK = Attribution()

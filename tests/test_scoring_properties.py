"""Property-based tests: random gold and random valid submissions never crash the scorer, every score is in
[0, 1], counts are consistent, the gold itself scores 1.0, and the order of predictions does not change counts."""
from __future__ import annotations

import datetime
import math
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_gold import SPEAKERS

from benchmark.scoring import Options, score_corpus
from benchmark.submission import read_submission

WORDS = ["Putin", "said", "ready", "talks", "\u201cno\u201d", '"yes,"', "&quot;fine&quot;", "Kremlin", "\n", "war,"]
STANCES = ["favor", "against", "neutral", "none"]
TYPES = ["direct", "partial", "indirect"]


@st.composite
def corpora(draw):
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    n_docs = draw(st.integers(1, 4))
    docs, quotes, preds = [], [], []
    for i in range(n_docs):
        doc_id = f"d{i}"
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(5, 40)))
        boilerplate = []
        if rnd.random() < 0.3:
            a = rnd.randrange(len(text))
            boilerplate.append({"start": a, "end": rnd.randint(a + 1, len(text)), "kind": "caption"})
        docs.append({"doc_id": doc_id, "text": text, "outlet": "CNN", "outlet_aliases": ["CNN"],
                     "outlet_evidence": rnd.choice(["explicit", "external"]),
                     "published": datetime.date(2024, 11, rnd.randint(1, 28)),
                     "date_evidence": rnd.choice(["explicit", "inferred", "external"]), "boilerplate": boilerplate})
        for k in range(rnd.randint(0, 5)):
            s = rnd.randrange(len(text))
            e = rnd.randint(s + 1, min(len(text), s + 30))
            sid = rnd.choice(list(SPEAKERS))
            name, aliases = SPEAKERS[sid]
            m = rnd.randrange(len(text)) if rnd.random() < 0.5 else None
            quotes.append({"quote_id": f"{doc_id}-q{k}", "doc_id": doc_id, "start": s, "end": e,
                           "type": rnd.choice(TYPES), "speaker_id": sid, "speaker": name, "speaker_aliases": aliases,
                           "speaker_start": m, "speaker_end": None if m is None else min(len(text), m + 5),
                           "stance": rnd.choice(STANCES), "optional": rnd.random() < 0.2,
                           # as the validator requires: flagged exactly when wholly inside a region
                           "in_boilerplate": any(b["start"] <= s and e <= b["end"] for b in boilerplate)})
        if rnd.random() < 0.85:
            qs = []
            for _ in range(rnd.randint(0, 6)):
                s = rnd.randrange(len(text))
                q = {"start": s, "end": rnd.randint(s + 1, min(len(text), s + 30))}
                if rnd.random() < 0.8:
                    q["speaker"] = rnd.choice([None, "Putin", "President Putin", "a Kremlin source", "Lavrov", "x"])
                if rnd.random() < 0.3:
                    q["speaker_start"] = rnd.randrange(len(text))
                    q["speaker_end"] = min(len(text), q["speaker_start"] + 4)
                if rnd.random() < 0.8:
                    q["stance"] = rnd.choice(STANCES + [None])
                if rnd.random() < 0.3:
                    q["type"] = rnd.choice(TYPES + [None])
                qs.append(q)
            pred = {"doc_id": doc_id, "quotes": qs}
            if rnd.random() < 0.7:
                pred["outlet"] = rnd.choice([None, "CNN", "cnn", "BBC"])
            if rnd.random() < 0.7:
                pred["published"] = rnd.choice([None, f"2024-11-{rnd.randint(1, 28):02d}"])
            preds.append(pred)
    return docs, quotes, preds, rnd.choice(["A", "B", "all"]), rnd.choice([0.3, 0.5, 1.0])


def _numbers(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(value, float):
        yield path, value


def _score(docs, quotes, preds, track, overlap, n_boot=20):
    texts = {d["doc_id"]: d["text"] for d in docs}
    sub = read_submission(preds, texts, {q["quote_id"] for q in quotes})
    return score_corpus(docs, quotes, sub, Options(track=track, overlap=overlap, n_boot=n_boot, errors=True))


SETTINGS = settings(max_examples=int(__import__("os").environ.get("SCORING_EXAMPLES", "80")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(corpora())
def test_random_submissions_give_consistent_scores(corpus):
    docs, quotes, preds, track, overlap = corpus
    r = _score(docs, quotes, preds, track, overlap)
    for key in ("overall", "quotes", "attribution", "stance", "stance_e2e", "gold_spans", "outlet"):
        for path, x in _numbers(r[key], key):
            if not path.endswith(".threshold"):
                assert 0.0 <= x <= 1.0 and not math.isnan(x), path
    for kind in ("exact", "overlap", "chars"):
        q = r["quotes"][kind]
        assert 0 <= q["tp"] <= min(q["n_pred"], q["n_gold"])
    assert r["attribution"]["n_correct"] <= r["attribution"]["n_matched"] == r["quotes"]["overlap"]["tp"]
    parts = [r["attribution"]["f1"], r["stance_e2e"]["macro_f1"], r["date"]["accuracy"], r["outlet"]["accuracy"]]
    assert math.isclose(r["overall"], sum(parts) / 4)
    errors = r["errors"]
    assert sum(len(e["missed"]) for e in errors.values()) == r["quotes"]["overlap"]["n_gold"] - r["quotes"]["overlap"]["tp"]
    assert sum(len(e["spurious"]) for e in errors.values()) == r["quotes"]["overlap"]["n_pred"] - r["quotes"]["overlap"]["tp"]
    for iv in r["intervals"].values():
        assert 0.0 <= iv["low"] <= iv["high"] <= 1.0


@SETTINGS
@given(corpora())
def test_gold_as_submission_is_perfect_and_order_does_not_change_counts(corpus):
    docs, quotes, preds, track, overlap = corpus
    gold_preds = [{"doc_id": d["doc_id"], "outlet": d["outlet"], "published": d["published"].isoformat(),
                   "quotes": [{"start": q["start"], "end": q["end"], "speaker": q["speaker"], "stance": q["stance"],
                               "type": q["type"]} for q in quotes if q["doc_id"] == d["doc_id"]]} for d in docs]
    r = _score(docs, quotes, gold_preds, track, overlap, n_boot=0)
    if r["quotes"]["overlap"]["n_gold"]:
        for block in (r["quotes"]["exact"], r["quotes"]["overlap"], r["attribution"]):
            assert block["f1"] == 1.0
        assert r["stance_e2e"]["macro_f1"] == 1.0
    assert r["date"]["accuracy"] == r["outlet"]["accuracy"] == 1.0
    shuffled = [dict(p, quotes=list(reversed(p["quotes"]))) for p in reversed(preds)]
    a = _score(docs, quotes, preds, track, overlap, n_boot=0)
    b = _score(docs, quotes, shuffled, track, overlap, n_boot=0)
    for kind in ("exact", "overlap", "chars"):
        assert a["quotes"][kind] == b["quotes"][kind]


@SETTINGS
@given(corpora())
def test_matching_block_by_block_changes_nothing(corpus):
    """Documents are matched a block at a time; one document per block gives the same results (errors too)."""
    from benchmark.scoring.fast import engine as fast

    docs, quotes, preds, track, overlap = corpus
    quotes = random.Random(len(quotes)).sample(quotes, len(quotes))    # gold rows not in document order
    texts = {d["doc_id"]: d["text"] for d in docs}
    options = Options(track=track, overlap=overlap, n_boot=20, errors=True)
    whole = score_corpus(docs, quotes, read_submission(preds, texts, {q["quote_id"] for q in quotes}), options)
    saved, fast._MATCH_BLOCK = fast._MATCH_BLOCK, 1
    try:
        blocks = score_corpus(docs, quotes, read_submission(preds, texts, {q["quote_id"] for q in quotes}), options)
    finally:
        fast._MATCH_BLOCK = saved
    assert blocks == whole

"""The streaming scorer (a file read one line at a time into arrays) gives exactly the batch results, and the
same InputError messages; the float32 bootstrap products equal the float64 ones."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import given
from test_scoring_properties import SETTINGS, corpora

from benchmark.errors import InputError
from benchmark.scoring import Options, read_predictions, score_corpus, stats
from benchmark.submission import read_submission


def _write(path, lines) -> str:
    path.write_text("".join(line if isinstance(line, str) else json.dumps(line) + "\n" for line in lines),
                    encoding="utf-8")
    return str(path)


def _both(docs, quotes, path, options):
    texts = {d["doc_id"]: d["text"] for d in docs}
    ids = {q["quote_id"] for q in quotes}
    scored = docs[:-1] if len(docs) > 1 else docs      # a document outside the scored split is ignored
    batch = score_corpus(scored, quotes, read_predictions(path, texts, ids), options)
    stream = read_predictions(path, texts, ids, stream=True)
    assert stream.columns is not None and all(not d.quotes for d in stream.documents.values())
    return batch, score_corpus(scored, quotes, stream, options)


@SETTINGS
@given(corpora())
def test_streaming_equals_batch(tmp_path_factory, corpus):
    docs, quotes, preds, track, overlap = corpus
    rnd = random.Random(len(preds))
    rnd.shuffle(preds)                                 # file order differs from gold order
    for p in preds:                                    # some quotes name a gold quote_id (gold-span subtasks)
        own = [q["quote_id"] for q in quotes if q["doc_id"] == p["doc_id"]]
        if own and rnd.random() < 0.3:
            p["quotes"].append({"quote_id": rnd.choice(own), "stance": rnd.choice(["favor", None])})
    path = _write(tmp_path_factory.mktemp("s") / "preds.jsonl", preds)
    batch, stream = _both(docs, quotes, path, Options(track=track, overlap=overlap, n_boot=30))
    assert stream == batch


@pytest.mark.parametrize("lines", [
    [{"doc_id": "d0", "quotes": [{"start": 0, "end": 3, "stance": "Favor"}]}, "{not json\n"],
    [{"doc_id": "d0", "quotes": [{"start": 5, "end": 2}]}, {"doc_id": "d0"}, {"doc_id": "zz"}],
    [{"doc_id": "d0", "quotes": [{"start": 0, "end": 3, "stnace": "none"}, {"text": "absent words"}]}],
])
def test_streaming_reports_the_same_problems(tmp_path, lines):
    texts = {"d0": "Putin said no to the talks.", "d1": "Lavrov said yes."}
    path = _write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(InputError) as batch:
        read_submission(path, texts)
    with pytest.raises(InputError) as stream:
        read_predictions(path, texts, set(), stream=True)
    assert str(stream.value) == str(batch.value) and str(batch.value)


def test_float32_bootstrap_products_equal_float64():
    rng = np.random.default_rng(0)
    n = 3000
    table = np.stack([rng.integers(0, 10, n), rng.integers(0, 50_000, n), rng.random(n) < 0.5,
                      np.zeros(n), rng.integers(0, 3, n) + 0.5], axis=1).astype(np.float64)
    seen = []

    def statistic(sums):
        seen.append(sums.copy())
        return {"x": sums[:, 0] / np.maximum(sums[:, 2], 1)}

    stats.bootstrap_intervals(table, statistic, ["x"], n_boot=100, seed=7)
    expected = np.concatenate([w @ table for w in stats.resample_weights(n, 100, 7)])
    assert np.array_equal(np.concatenate(seen), expected)
    small, large = stats._float32_exact(table, np.arange(5))
    assert small.tolist() == [0, 2, 3] and large.tolist() == [1, 4]     # big values, fractions: float64


def test_per_document_rows_are_made_on_access_and_written_as_an_object(tmp_path):
    from benchmark.reports.text import to_json

    texts = {"d0": "Putin said no to the talks.", "d1": "Lavrov said yes."}
    docs = [{"doc_id": d, "text": t, "outlet": "CNN", "outlet_aliases": [], "outlet_evidence": "explicit",
             "published": None, "date_evidence": "none", "boilerplate": []} for d, t in texts.items()]
    quotes = [{"quote_id": "d0-q00", "doc_id": "d0", "start": 11, "end": 26, "type": "indirect",
               "speaker_id": "putin", "speaker": "Putin", "speaker_aliases": ["Putin"], "speaker_start": 0,
               "speaker_end": 5, "stance": "against", "optional": False, "in_boilerplate": False}]
    path = _write(tmp_path / "p.jsonl", [{"doc_id": "d0", "outlet": "CNN", "quotes": [{"start": 11, "end": 26}]}])
    results = score_corpus(docs, quotes, read_predictions(path, texts, set(), stream=True),
                           Options(track="B", n_boot=0))
    per_doc = results["per_document"]
    plain = {doc_id: per_doc[doc_id] for doc_id in per_doc}
    assert list(per_doc) == ["d0", "d1"] and per_doc == plain and "d1" in per_doc and "d9" not in per_doc
    assert plain["d0"]["quotes"]["overlap"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 1}
    assert plain["d1"]["predicted"] is False and plain["d1"]["quotes"]["exact"]["f1"] is None
    assert plain["d0"]["outlet"] == {"gold": "CNN", "predicted": "CNN", "correct": True}
    assert json.loads(to_json(results))["per_document"] == plain


def test_offsets_out_of_any_range_in_a_hand_made_submission_are_ignored_not_wrapped():
    # a Submission object built by hand skips validation; offsets beyond int32 must stay invalid (the arrays are
    # int32: clipping keeps them outside every text) and a huge mention span must not match a gold mention
    from benchmark.submission import DocumentPrediction, PredictedQuote, Submission

    text = "Putin said no to the talks."
    docs = [{"doc_id": "d0", "text": text, "outlet": "CNN", "outlet_aliases": [], "outlet_evidence": "explicit",
             "published": None, "date_evidence": "none", "boilerplate": []}]
    quotes = [{"quote_id": "d0-q00", "doc_id": "d0", "start": 11, "end": 26, "type": "indirect",
               "speaker_id": "putin", "speaker": "Putin", "speaker_aliases": ["Putin"], "speaker_start": 0,
               "speaker_end": 5, "stance": "against", "optional": False, "in_boilerplate": False}]

    def q(start, end, m_start=None, m_end=None, speaker=None):
        return PredictedQuote(start, end, None, speaker, m_start, m_end, "against", None, 1)

    wrapped = 2 ** 32 + 11          # would be 11 again if cut to 32 bits
    pred = [q(11, 26, 2 ** 40, 2 ** 41, speaker="Lavrov"), q(-5, 26), q(wrapped, wrapped + 15), q(11, 2 ** 40)]
    sub = Submission("hand", {"d0": DocumentPrediction("d0", "CNN", None, pred, frozenset({"outlet", "quotes"}), 1)},
                     frozenset({"quotes", "attribution", "stance", "outlet"}), [])
    r = score_corpus(docs, quotes, sub, Options(track="B", n_boot=0))
    assert r["quotes"]["ignored"]["invalid"] == 3
    assert r["quotes"]["overlap"]["tp"] == 1 and r["quotes"]["overlap"]["n_pred"] == 1
    assert r["attribution"]["n_correct"] == 0          # wrong name, and the mention span is nowhere near

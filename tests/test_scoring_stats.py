"""Statistics over documents: bootstrap intervals, exact paired randomisation (checked against scipy), paired
bootstrap, win/loss, and the 5-document floor on p."""
from __future__ import annotations

import datetime

import numpy as np
import pytest
from scipy.stats import permutation_test
from scoring_gold import doc, gold_as_submission, quote

from benchmark.scoring import Options, score_corpus, stats
from benchmark.scoring.signature import Signature
from benchmark.submission import read_submission


def accuracy(summed: np.ndarray) -> dict[str, np.ndarray]:
    """A statistic over count columns (correct, n)."""
    return {"acc": np.divide(summed[:, 0], summed[:, 1], out=np.zeros(len(summed)), where=summed[:, 1] > 0)}


def f1(summed: np.ndarray) -> dict[str, np.ndarray]:
    """Corpus F1 over count columns (tp, n_pred, n_gold)."""
    den = summed[:, 1] + summed[:, 2]
    return {"f1": np.divide(2 * summed[:, 0], den, out=np.zeros(len(summed)), where=den > 0)}


def test_min_two_sided_p():
    assert stats.min_two_sided_p(5) == 0.0625
    assert stats.min_two_sided_p(3) == 0.25
    assert stats.min_two_sided_p(1) == 1.0
    assert 0 <= stats.min_two_sided_p(100_000) < 1e-300


def test_randomisation_five_documents_one_system_wins_everywhere():
    a = np.array([[1, 1]] * 5, dtype=float)
    b = np.array([[0, 1]] * 5, dtype=float)
    r = stats.paired_randomisation(a, b, accuracy, ["acc"], n_resamples=1000, seed=1)
    assert r["exact"] and r["n_permutations"] == 32
    assert r["p"]["acc"] == 0.0625             # 2 / 2^5: identity and full swap; p < 0.05 is impossible
    assert r["observed"]["acc"] == 1.0


@pytest.mark.parametrize("seed", range(6))
def test_randomisation_equals_scipy_permutation_test(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 9))
    a = rng.integers(0, 6, size=(n, 3)).astype(float)
    a[:, 1] += a[:, 0]                                    # n_pred >= tp
    a[:, 2] += a[:, 0]                                    # n_gold >= tp
    b = a.copy()
    b[:, 0] = np.minimum(b[:, 0], rng.integers(0, 6, size=n))
    b[:, 1] = b[:, 0] + rng.integers(0, 4, size=n)
    ours = stats.paired_randomisation(a, b, f1, ["f1"], n_resamples=0, seed=0)["p"]["f1"]

    def statistic(x, y, axis):            # x, y: (..., 3, n) with the documents on the last axis
        def corpus_f1(z):
            tp, pred, gold = z[..., 0, :].sum(-1), z[..., 1, :].sum(-1), z[..., 2, :].sum(-1)
            return np.divide(2 * tp, pred + gold, out=np.zeros(np.shape(tp)), where=(pred + gold) > 0)
        return corpus_f1(x) - corpus_f1(y)

    theirs = permutation_test((a.T, b.T), statistic, permutation_type="samples", n_resamples=np.inf,
                              vectorized=True, axis=-1, alternative="two-sided").pvalue
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_randomisation_monte_carlo_beyond_twenty_documents():
    rng = np.random.default_rng(0)
    a = np.stack([rng.integers(0, 2, 40), np.ones(40)], axis=1).astype(float)
    b = np.stack([rng.integers(0, 2, 40), np.ones(40)], axis=1).astype(float)
    r1 = stats.paired_randomisation(a, b, accuracy, ["acc"], n_resamples=500, seed=7)
    r2 = stats.paired_randomisation(a, b, accuracy, ["acc"], n_resamples=500, seed=7)
    assert not r1["exact"] and r1["n_permutations"] == 500 and r1["p"] == r2["p"]
    assert 1 / 501 <= r1["p"]["acc"] <= 1


def test_bootstrap_is_reproducible_with_the_seed():
    rng = np.random.default_rng(3)
    table = np.stack([rng.integers(0, 5, 12), np.full(12, 5)], axis=1).astype(float)
    one = stats.bootstrap_intervals(table, accuracy, ["acc"], n_boot=300, seed=12345)
    two = stats.bootstrap_intervals(table, accuracy, ["acc"], n_boot=300, seed=12345)
    other = stats.bootstrap_intervals(table, accuracy, ["acc"], n_boot=300, seed=1)
    assert one == two and one != other
    point = table[:, 0].sum() / table[:, 1].sum()
    assert one["acc"]["low"] <= point <= one["acc"]["high"]
    assert stats.bootstrap_intervals(table, accuracy, ["acc"], n_boot=0, seed=1) == {}


def test_bootstrap_weights_resample_documents():
    chunks = list(stats.resample_weights(7, 50, seed=2))
    weights = np.concatenate(chunks)
    assert weights.shape == (50, 7) and (weights.sum(axis=1) == 7).all()


@pytest.mark.parametrize("n_docs, n_boot", [(7, 50), (3001, 700), (50_000, 45)])
def test_bootstrap_resamples_do_not_depend_on_the_chunk_size(n_docs, n_boot, monkeypatch):
    # resample i must draw the same documents however the draws are chunked (memory settings must not change
    # the intervals): the same as one draw of every resample at once
    drawn = np.random.default_rng(4).integers(0, n_docs, size=(n_boot, n_docs), dtype=np.int32)
    expected = np.stack([np.bincount(row, minlength=n_docs) for row in drawn])
    for cells, rows in ((1, 64), (n_docs * 3 + 1, 64), (1 << 20, 64), (1 << 20, 7)):
        monkeypatch.setattr(stats, "_YIELD_CELLS", cells)
        monkeypatch.setattr(stats, "_YIELD_ROWS", rows)
        chunks = list(stats.resample_weights(n_docs, n_boot, seed=4))
        assert np.array_equal(np.concatenate(chunks), expected)
        assert len(chunks) == -(-n_boot // max(1, min(rows, cells // n_docs)))


def test_paired_bootstrap():
    a = np.array([[1, 1]] * 5, dtype=float)
    b = np.array([[0, 1]] * 5, dtype=float)
    # A is better on every document: no resample gains more than twice the observed difference
    assert stats.paired_bootstrap(a, b, accuracy, ["acc"], n_boot=200, seed=1) == {"acc": 0.0}
    assert stats.paired_bootstrap(a, a, accuracy, ["acc"], n_boot=200, seed=1) == {"acc": 1.0}
    # A 2/5, B 1/5: observed gain 0.2; resamples gaining more than 0.4 exist but are rare
    a = np.array([[1, 1], [0, 1], [1, 1], [0, 1], [0, 1]], dtype=float)
    b = np.array([[0, 1], [1, 1], [0, 1], [0, 1], [0, 1]], dtype=float)
    p = stats.paired_bootstrap(a, b, accuracy, ["acc"], n_boot=2000, seed=1)["acc"]
    assert 0 < p < 0.5
    assert stats.paired_bootstrap(b, a, accuracy, ["acc"], n_boot=2000, seed=1)["acc"] == p   # symmetric


def test_win_loss():
    wl = stats.win_loss(["a", "b", "c", "d"], [0.5, 0.2, 0.3, np.nan], [0.4, 0.2, 0.9, np.nan])
    assert [r["winner"] for r in wl["documents"]] == ["A", "tie", "B", "tie"]
    assert (wl["wins_a"], wl["wins_b"], wl["ties"]) == (1, 1, 2)
    assert wl["documents"][3]["a"] is None


def _five_documents():
    docs, quotes = [], []
    for i in range(5):
        d = doc(f"00{i}_x", f'Putin said: "Deal number {i} is close." Then nothing.',
                published=datetime.date(2024, 11, 6 + i % 2))
        docs.append(d)
        quotes.append(quote(d, "q01", f"Deal number {i} is close.", mention="Putin", stance="favor"))
    return docs, quotes


def test_compare_through_the_scorer_five_documents():
    docs, quotes = _five_documents()
    texts = {d["doc_id"]: d["text"] for d in docs}
    good = read_submission(gold_as_submission(docs, quotes), texts)
    empty = read_submission([{"doc_id": d["doc_id"]} for d in docs], texts)
    r = score_corpus(docs, quotes, good, Options(n_boot=200), compare=empty)
    c = r["compare"]
    assert c["scores"]["overall"]["difference"] == 1.0
    assert c["scores"]["overall"]["p_randomisation"] == 0.0625
    assert c["randomisation"]["exact"] and c["randomisation"]["n_permutations"] == 32
    assert c["win_loss"]["wins_a"] == 5
    assert c["min_two_sided_p"] == 0.0625
    assert "p < 0.05 is impossible" in c["note"]
    assert "significant" not in str(c).lower()


def test_signature():
    sig = Signature("0123456789abcdef", "test", "A", 0.5, 1000, 12345, "2", "0.1.0")
    assert str(sig) == ("kremlin-reactions|data:01234567|split:test|track:A|match:overlap0.5|boot:1000/seed12345|"
                        "scorer:2|v:0.1.0")
    assert str(Signature("", "all", "B", 0.8, 0, 1, "2", "9")).startswith("kremlin-reactions|data:memory|split:all|track:B")


def test_prefetched_resamples_equal_direct_ones_and_errors_reach_the_caller():
    from benchmark.scoring.stats import prefetched, resample_weights

    direct = list(resample_weights(50_000, 300, 9))
    ahead = list(prefetched(resample_weights(50_000, 300, 9)))
    assert len(direct) == len(ahead) > 1 and all(np.array_equal(a, b) for a, b in zip(direct, ahead))

    def failing():
        yield np.zeros(1)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        list(prefetched(failing()))
    first = next(iter(prefetched(resample_weights(50_000, 300, 9))))     # abandoned early: the thread stops
    assert np.array_equal(first, direct[0])

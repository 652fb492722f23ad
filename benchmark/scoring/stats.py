"""Honest statistics over documents, the independent unit.

Every metric here is a function of counts summed over documents (true positives, predictions, a confusion
matrix, ...). A per-document count table (n_docs x K) therefore lets one vectorised `statistic(summed)` serve the
point estimate, every bootstrap resample (weights @ table) and every randomisation (swapped sums).

- `bootstrap_intervals`: percentile intervals, resampling documents with replacement (seeded). A resample where
  a metric is undefined (NaN: e.g. F1 with no gold unit and no prediction in the resampled documents) is left
  out of that metric's interval.
- `paired_randomisation`: exact over all 2^n swaps of the two systems' outputs per document when n <= 20, else
  seeded Monte Carlo. The identity and the full swap always tie the observed difference, so the smallest
  possible two-sided p is 2 / 2^n: 0.0625 for 5 documents, where p < 0.05 is impossible.
- `paired_bootstrap`: Berg-Kirkpatrick et al. (2012): p = share of resamples whose gain exceeds twice the
  observed gain (one-sided, in the direction of the observed difference).
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

import numpy as np
from threadpoolctl import threadpool_limits

Statistic = Callable[[np.ndarray], dict[str, np.ndarray]]
EXACT_MAX_DOCS = 20
_CHUNK_CELLS = 1 << 22     # randomisation swaps made in chunks of about this many cells (memory vs. speed)
_YIELD_CELLS = 1 << 20     # resample weights handed out in chunks of about this many cells,
_YIELD_ROWS = 64           # and at most this many resamples (a small corpus needs no large chunks)
_ROW_BLOCK = 8192          # documents copied or checked at once (no full-size temporary)
_WIDE_ROWS = 4             # resamples whose weights are widened to float64 at once (columns float32 cannot sum)
_TOLERANCE = 1e-12
# The products here are thin (a few hundred rows): one BLAS thread is as fast, and multi-threaded OpenBLAS
# degrades badly (10-30x measured) when the machine is busy.
_ONE_THREAD = {"limits": 1, "user_api": "blas"}


def min_two_sided_p(n_docs: int) -> float:
    """Smallest two-sided p an exact paired randomisation test over n documents can give."""
    return 1.0 if n_docs <= 1 else 2.0 ** (1 - min(n_docs, 2000))


def resample_weights(n_docs: int, n_boot: int, seed: int, dtype=np.float64) -> Iterator[np.ndarray]:
    """Bootstrap resamples of documents as count weights: chunks of shape (c, n_docs), c rows summing to n_docs,
    with at most about _YIELD_CELLS cells and _YIELD_ROWS rows each. Resample i draws the same documents whatever
    the chunk size: numpy's generator hands out the same stream of int32 draws however it is split into calls
    (tested)."""
    rng = np.random.default_rng(seed)
    rows = max(1, min(_YIELD_ROWS, _YIELD_CELLS // max(n_docs, 1)))
    for first in range(0, n_boot, rows):
        draws = rng.integers(0, n_docs, size=(min(rows, n_boot - first), n_docs), dtype=np.int32)
        weights = np.empty(draws.shape, dtype=dtype)
        for row, drawn in zip(weights, draws):      # one bincount per resample: no int64 copy of the draws
            row[:] = np.bincount(drawn, minlength=n_docs)
        yield weights


def prefetched(chunks: Iterator[np.ndarray], depth: int = 1) -> Iterator[np.ndarray]:
    """The items of `chunks`, made in a background thread up to `depth` ahead: numpy's random draws and bincount
    release the GIL, so the next resamples are drawn while the caller computes with the current ones. The
    iterator runs in one thread, in order, so the values are exactly those of iterating it directly."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        box.put((chunk, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put((done, None))
        except BaseException as err:        # handed to the consumer, raised there
            box.put((done, err))

    worker = threading.Thread(target=produce, name="bootstrap-resamples", daemon=True)
    worker.start()
    try:
        while True:
            chunk, err = box.get()
            if chunk is done:
                if err is not None:
                    raise err
                return
            yield chunk
    finally:
        stop.set()
        worker.join()


def bootstrap_intervals(table: np.ndarray, statistic: Statistic, keys: list[str], n_boot: int, seed: int,
                        level: float = 0.95) -> dict[str, dict[str, float]]:
    """Percentile bootstrap interval of each key, resampling the rows (documents) of `table`."""
    n_docs = len(table)
    if n_boot <= 0 or n_docs == 0:
        return {}
    table = np.asarray(table)                         # any numeric dtype: only the used columns are copied
    # all-zero columns stay zero in every resample (max and min: no n_docs x K temporary, unlike any())
    used = np.flatnonzero((table.max(axis=0) != 0) | (table.min(axis=0) != 0))
    small, large = _float32_exact(table, used)
    table32, table64 = _copy_columns(table, small, np.float32), _copy_columns(table, large, np.float64)
    sums = np.zeros((n_boot, table.shape[1]))
    row = 0
    with threadpool_limits(**_ONE_THREAD):
        # the loop only multiplies, so the thread drawing the resamples is never held up: np.dot, not the @
        # operator, which (numpy 2.x) holds the GIL during the BLAS call, so the draws would wait for it
        for weights in prefetched(resample_weights(n_docs, n_boot, seed, dtype=np.float32)):
            sums[row:row + len(weights), small] = np.dot(weights, table32)
            for first in range(0, len(weights) if len(large) else 0, _WIDE_ROWS):
                wide = weights[first:first + _WIDE_ROWS].astype(np.float64)
                sums[row + first:row + first + len(wide), large] = np.dot(wide, table64)
            row += len(weights)
    stats = statistic(sums)         # row-wise: the same values as chunk by chunk
    values = {k: [np.asarray(stats[k])] for k in keys}
    tail = (1 - level) / 2 * 100
    out = {}
    for k in keys:
        v = np.concatenate(values[k])
        v = v[~np.isnan(v)]        # resamples where the metric is undefined (e.g. no gold units and no predictions)
        if len(v):
            low, high = np.percentile(v, [tail, 100 - tail])
            out[k] = {"low": float(low), "high": float(high)}
    return out


def _copy_columns(table: np.ndarray, columns: np.ndarray, dtype) -> np.ndarray:
    """table[:, columns] as `dtype`, copied a row block at a time (no full-size temporary of the source dtype)."""
    out = np.empty((len(table), len(columns)), dtype=dtype)
    for first in range(0, len(table), _ROW_BLOCK):
        out[first:first + _ROW_BLOCK] = table[first:first + _ROW_BLOCK, columns]
    return out


def _float32_exact(table: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split `columns` into those whose resampled sums float32 computes exactly, and the rest.

    A resample's weights are non-negative integers summing to n_docs, so every product and partial sum of an
    integer-valued column stays below n_docs * max|value|; below 2**24 float32 represents all of them exactly,
    whatever the summation order, and the sums equal the float64 ones bit for bit (at twice the speed)."""
    high = np.maximum(table.max(axis=0, initial=0).astype(np.float64),
                      -table.min(axis=0, initial=0).astype(np.float64))     # in float64: no int32 overflow
    exact = len(table) * high < 2 ** 24
    for first in range(0, len(table) if table.dtype.kind == "f" else 0, _ROW_BLOCK):   # integers need no check
        block = table[first:first + _ROW_BLOCK]
        exact &= (block == np.rint(block)).all(axis=0)
    exact = exact[columns]
    return columns[exact], columns[~exact]


def paired_randomisation(table_a: np.ndarray, table_b: np.ndarray, statistic: Statistic, keys: list[str],
                         n_resamples: int, seed: int) -> dict:
    """Two-sided p of the difference statistic(A) - statistic(B) under random swaps of the two systems' outputs
    per document: exact (all 2^n swaps) for n <= 20 documents, else `n_resamples` seeded random swaps
    (p = (hits + 1) / (n_resamples + 1))."""
    with threadpool_limits(**_ONE_THREAD):
        return _paired_randomisation(table_a, table_b, statistic, keys, n_resamples, seed)


def _paired_randomisation(table_a, table_b, statistic, keys, n_resamples, seed) -> dict:
    a, b = np.asarray(table_a, dtype=np.float64), np.asarray(table_b, dtype=np.float64)
    n_docs = len(a)
    diff = a - b
    total_a, total_b = a.sum(axis=0), b.sum(axis=0)
    observed = _difference(statistic, total_a[None], total_b[None], keys)
    hits = {k: 0 for k in keys}
    exact = n_docs <= EXACT_MAX_DOCS
    if exact:
        n_total = 1 << n_docs
        step = max(1, _CHUNK_CELLS // max(n_docs, 1))
        for first in range(0, n_total, step):
            index = np.arange(first, min(first + step, n_total))
            swap = ((index[:, None] >> np.arange(n_docs)) & 1).astype(np.float64)
            _count_hits(statistic, swap, diff, total_a, total_b, keys, observed, hits)
        p = {k: hits[k] / n_total for k in keys}
        n_used = n_total
    else:
        rng = np.random.default_rng(seed)
        step = max(1, _CHUNK_CELLS // n_docs)
        done = 0
        while done < n_resamples:
            c = min(step, n_resamples - done)
            swap = rng.integers(0, 2, size=(c, n_docs)).astype(np.float64)
            _count_hits(statistic, swap, diff, total_a, total_b, keys, observed, hits)
            done += c
        p = {k: (hits[k] + 1) / (n_resamples + 1) for k in keys}
        n_used = n_resamples
    return {"p": p, "exact": exact, "n_permutations": n_used, "observed": {k: float(observed[k][0]) for k in keys}}


def _count_hits(statistic, swap, diff, total_a, total_b, keys, observed, hits) -> None:
    moved = swap @ diff                         # what swapping moves from A to B
    d = _difference(statistic, total_a - moved, total_b + moved, keys)
    for k in keys:
        limit = abs(observed[k][0]) * (1 - _TOLERANCE) - _TOLERANCE
        hits[k] += int(np.count_nonzero(np.abs(d[k]) >= limit))


def _difference(statistic, sums_a, sums_b, keys):
    sa, sb = statistic(sums_a), statistic(sums_b)
    return {k: np.asarray(sa[k], dtype=np.float64) - np.asarray(sb[k], dtype=np.float64) for k in keys}


def paired_bootstrap(table_a: np.ndarray, table_b: np.ndarray, statistic: Statistic, keys: list[str],
                     n_boot: int, seed: int) -> dict[str, float]:
    """Berg-Kirkpatrick paired bootstrap: both systems resampled with the same documents; p = share of resamples
    whose difference exceeds twice the observed one, in the observed direction (1.0 when the systems tie)."""
    with threadpool_limits(**_ONE_THREAD):
        return _paired_bootstrap(table_a, table_b, statistic, keys, n_boot, seed)


def _paired_bootstrap(table_a, table_b, statistic, keys, n_boot, seed) -> dict[str, float]:
    a, b = np.asarray(table_a, dtype=np.float64), np.asarray(table_b, dtype=np.float64)
    observed = _difference(statistic, a.sum(axis=0)[None], b.sum(axis=0)[None], keys)
    if n_boot <= 0 or len(a) == 0:
        return {k: 1.0 for k in keys}
    above = {k: 0 for k in keys}
    for weights in resample_weights(len(a), n_boot, seed):
        d = _difference(statistic, weights @ a, weights @ b, keys)
        for k in keys:
            delta = observed[k][0]
            if delta > 0:
                above[k] += int(np.count_nonzero(d[k] > 2 * delta))
            elif delta < 0:
                above[k] += int(np.count_nonzero(d[k] < 2 * delta))
    return {k: (above[k] / n_boot if observed[k][0] != 0 else 1.0) for k in keys}


def win_loss(doc_ids: list[str], score_a: np.ndarray, score_b: np.ndarray) -> dict:
    """Per-document comparison of one score: rows with the winner, and the totals."""
    rows = []
    for doc_id, sa, sb in zip(doc_ids, np.asarray(score_a, float).tolist(), np.asarray(score_b, float).tolist()):
        sa, sb = (None if x != x else x for x in (sa, sb))          # NaN: undefined for the document
        if sa is None or sb is None or abs(sa - sb) <= _TOLERANCE:
            winner = "tie"
        else:
            winner = "A" if sa > sb else "B"
        rows.append({"doc_id": doc_id, "a": sa, "b": sb, "winner": winner})
    return {
        "documents": rows,
        "wins_a": sum(r["winner"] == "A" for r in rows),
        "wins_b": sum(r["winner"] == "B" for r in rows),
        "ties": sum(r["winner"] == "tie" for r in rows),
    }

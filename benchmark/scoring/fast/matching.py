"""The fast engine's span matching: candidate pairs, the one-to-one matching, characters, and P/R/F1 from counts.

What is computed is defined in `benchmark.scoring.reference` (candidate pairs, `best_matching`, `pair_weights`,
the character counts); this module computes the same for many documents at once. Spans are *keys*:
`doc_index * stride + offset`, with `stride` larger than every text, so spans of different documents never
overlap and one sort covers the whole corpus. Components of one pair, or stars (one prediction with several units
touched by nothing else, or the reverse), are solved directly in numpy (their first best pair, as the solver
chooses there); every other component by `linear_sum_assignment` on the reference's weights.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from benchmark.scoring.reference import TRAILING_PUNCTUATION, pair_weights, trim_span  # noqa: F401 (trim_span: re-exported)
from benchmark.submission.align import QUOTE_MARKS

# the characters trim_span removes, as strings for str.strip: every whitespace character Python knows, plus the
# marks (the fast engine's check of exact pairs)
_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
LEADING_CHARS = _WHITESPACE + QUOTE_MARKS
TRAILING_CHARS = _WHITESPACE + QUOTE_MARKS + TRAILING_PUNCTUATION


def overlapping_pairs(p_start: np.ndarray, p_end: np.ndarray, g_start: np.ndarray, g_end: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (prediction, gold) pair of keyed spans sharing at least one character: (pred idx, gold idx, overlap).

    Gold spans may nest, so the candidates of a prediction are found between the first gold whose running
    maximum end passes the prediction's start and the first gold starting at or after its end (both by binary
    search), then filtered. Cost is linear in the number of candidates plus n log n.
    """
    presorted = is_sorted(g_start)                 # the usual case: gold in text order
    order = None if presorted else np.argsort(g_start, kind="stable")
    gs, ge = (g_start, g_end) if presorted else (g_start[order], g_end[order])
    reach = np.maximum.accumulate(ge) if len(ge) else ge
    lo = np.searchsorted(reach, p_start, side="right")
    hi = np.searchsorted(gs, p_end, side="left")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    pi = np.repeat(np.arange(len(p_start)), counts)
    first = np.repeat(lo - np.cumsum(counts) + counts, counts)
    sorted_gi = first + np.arange(total)
    overlap = np.minimum(p_end[pi], ge[sorted_gi]) - np.maximum(p_start[pi], gs[sorted_gi])
    keep = overlap > 0
    return pi[keep], sorted_gi[keep] if presorted else order[sorted_gi[keep]], overlap[keep]


def max_matching(pi: np.ndarray, gi: np.ndarray, overlap: np.ndarray, care: np.ndarray,
                 same: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one matching on the edges (pi[k], gi[k]); returns the indices of the chosen edges, split as
    (pred indices, gold indices). care[k]: the edge's gold unit counts (not don't-care); same[k]: its two spans
    are equal after trim_span (None: every edge is such a pair, as among the exact candidates).

    Objective, lexicographic: pairs with counted units, then all pairs, then pairs of equal trimmed spans, then
    total overlap, then order (see
    `reference.pair_weights`; gold indices must be in text order). Components that are one edge, or a star (one
    prediction with several golds touched by nothing else, or the reverse) are solved directly with numpy (their
    first best edge); the rest with linear_sum_assignment on the reference's weights.
    """
    pi, gi, overlap, care = (np.asarray(a) for a in (pi, gi, overlap, care))
    same = np.ones(len(pi), dtype=bool) if same is None else np.asarray(same, dtype=bool)
    if len(pi) == 0:
        return pi[:0], gi[:0]
    n_p, n_g = int(pi.max()) + 1, int(gi.max()) + 1
    deg_p = np.bincount(pi, minlength=n_p)
    deg_g = np.bincount(gi, minlength=n_g)
    single = (deg_p[pi] == 1) & (deg_g[gi] == 1)          # the fast path: a component of one edge
    # A star centred on a prediction: none of its golds touches another prediction (and vice versa).
    shared_g = np.bincount(pi, weights=deg_g[gi] > 1, minlength=n_p) > 0
    shared_p = np.bincount(gi, weights=deg_p[pi] > 1, minlength=n_g) > 0
    pred_star = ~single & ~shared_g[pi]
    gold_star = ~single & ~pred_star & ~shared_p[gi]
    chosen = [np.flatnonzero(single),
              _best_per_centre(pi, care, same, overlap, np.flatnonzero(pred_star)),
              _best_per_centre(gi, care, same, overlap, np.flatnonzero(gold_star))]
    rest = np.flatnonzero(~single & ~pred_star & ~gold_star)
    if len(rest):
        chosen.append(_assignment(pi, gi, overlap, care, same, rest))
    edges = np.sort(np.concatenate(chosen))
    return pi[edges], gi[edges]


def _best_per_centre(centre: np.ndarray, care: np.ndarray, same: np.ndarray, overlap: np.ndarray,
                     edges: np.ndarray) -> np.ndarray:
    """For each centre node among `edges`, the edge with the highest (care, same, overlap); ties: lowest edge
    index."""
    if len(edges) == 0:
        return edges
    order = edges[np.lexsort((edges, -overlap[edges], -same[edges].astype(np.int64), -care[edges].astype(np.int64),
                              centre[edges]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = centre[order[1:]] != centre[order[:-1]]
    return order[first]


def _assignment(pi, gi, overlap, care, same, edges: np.ndarray) -> np.ndarray:
    """Exact maximum-weight matching of the general components among `edges` (linear_sum_assignment each)."""
    n_p = int(pi.max()) + 1
    nodes, inverse = np.unique(np.concatenate([pi[edges], gi[edges] + n_p]), return_inverse=True)
    a, b = inverse[: len(edges)], inverse[len(edges):]
    graph = coo_matrix((np.ones(len(edges)), (a, b)), shape=(len(nodes), len(nodes)))
    _, label = connected_components(graph, directed=False)
    component = label[a]
    order = np.argsort(component, kind="stable")
    bounds = np.flatnonzero(np.diff(component[order])) + 1
    chosen = []
    for group in np.split(edges[order], bounds):
        rows, r = np.unique(pi[group], return_inverse=True)
        cols, c = np.unique(gi[group], return_inverse=True)
        # the reference's weights (gold indices are in text order, so columns are too)
        weight = np.zeros((len(rows), len(cols)))
        weight[r, c] = pair_weights(r, c, overlap[group], care[group], same[group])
        edge_at = np.full((len(rows), len(cols)), -1, dtype=np.int64)
        edge_at[r, c] = group
        rr, cc = linear_sum_assignment(weight, maximize=True)
        picked = edge_at[rr, cc]
        chosen.append(picked[picked >= 0])
    return np.concatenate(chosen)


def character_counts(gold: tuple[np.ndarray, np.ndarray], dont_care: tuple[np.ndarray, np.ndarray],
                     predicted: tuple[np.ndarray, np.ndarray], stride: int, n_docs: int) -> np.ndarray:
    """Per document (n_docs x 3): characters predicted and gold, characters predicted and not don't-care (gold or
    outside every don't-care span), and gold characters; each layer is (start keys, end keys), spans may overlap.

    With each layer merged into disjoint spans, |P and (G or not D)| = |P| + |P and G| - |P and (D or G)|, and
    the overlap of a span with a merged layer is a difference of that layer's running covered length (binary
    search): no per-character or per-event sweep."""
    g = merge_intervals(*gold)
    p = merge_intervals(*predicted)
    u = merge_intervals(np.concatenate([gold[0], dont_care[0]]), np.concatenate([gold[1], dont_care[1]]))
    p_doc = p[0] // stride

    def per_doc(values: np.ndarray, doc: np.ndarray) -> np.ndarray:
        return np.bincount(doc, weights=values, minlength=n_docs).astype(np.int64) if len(doc) else \
            np.zeros(n_docs, dtype=np.int64)

    p_len = per_doc(p[1] - p[0], p_doc)
    p_and_g = per_doc(_overlap_with(p, g), p_doc)
    p_and_u = per_doc(_overlap_with(p, u), p_doc)
    g_len = per_doc(g[1] - g[0], g[0] // stride)
    return np.stack([p_and_g, p_len + p_and_g - p_and_u, g_len], axis=1)


def is_sorted(values: np.ndarray) -> bool:
    """True when `values` never decrease (so a sort would change nothing)."""
    return len(values) < 2 or bool((values[1:] >= values[:-1]).all())


def merge_intervals(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The union of [start, end) spans as disjoint, sorted spans (touching spans merge)."""
    start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
    keep = end > start
    if not keep.all():
        start, end = start[keep], end[keep]
    if not is_sorted(start):
        order = np.argsort(start, kind="stable")
        start, end = start[order], end[order]
    if len(start) == 0:
        return start, end
    reach = np.maximum.accumulate(end)
    first = np.ones(len(start), dtype=bool)
    np.greater(start[1:], reach[:-1], out=first[1:])    # a new run begins where no earlier span reaches
    heads = np.flatnonzero(first)
    last = np.empty_like(heads)
    last[:-1] = heads[1:] - 1
    last[-1] = len(start) - 1
    return start[heads], reach[last]


def _overlap_with(spans: tuple[np.ndarray, np.ndarray], merged: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """For each span, the characters it shares with the disjoint sorted spans `merged`."""
    m_start, m_end = merged
    before = np.concatenate([[0], np.cumsum(m_end - m_start)])     # covered length before each merged span

    def covered(x: np.ndarray) -> np.ndarray:             # covered length of `merged` below position x
        j = np.searchsorted(m_start, x, side="right") - 1
        inside = np.minimum(x, m_end[np.maximum(j, 0)]) - m_start[np.maximum(j, 0)]
        return np.where(j >= 0, before[np.maximum(j, 0)] + inside, 0)

    if len(m_start) == 0:
        return np.zeros(len(spans[0]), dtype=np.int64)
    return covered(spans[1]) - covered(spans[0])

"""The fast engine's core: the counts of `benchmark.scoring.reference`, computed for a whole corpus at once with numpy.

It exists for corpora of thousands of documents (`python -m benchmark.bench`); for the five articles of the
benchmark the reference runs instead (`score(..., engine="auto")`). Its results are the reference's exactly:
`tests/test_scoring_engines.py` compares the count rows, pairs and lists on random corpora.

Reading guide: `Gold` (gold rows as arrays); `PredictionColumns` (predicted quotes as arrays, in
`fast.columns`); `evaluate` (one submission -> a CountTable). Spans of all documents are handled at once as corpus keys, doc index * stride +
offset, so spans of different documents never overlap.
"""
from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from itertools import chain, repeat
from operator import getitem, itemgetter

import numpy as np

from benchmark.labels import QUOTE_TYPES
from benchmark.scoring.counts import CountTable, Findings, Run
from benchmark.scoring.fast.columns import (
    PREDICTION_ARRAYS,
    STANCE_CODE,
    TYPE_CODE,
    PredictionColumns,
    int_or_minus_one,
)
from benchmark.scoring.fast.matching import (
    LEADING_CHARS,
    TRAILING_CHARS,
    character_counts,
    is_sorted,
    max_matching,
    overlapping_pairs,
    trim_span,
)
from benchmark.scoring.fast.speakers import SpeakerTable, mention_overlaps
from benchmark.scoring.metrics import stance as stance_mod
from benchmark.scoring.metrics.attribution import name_form
from benchmark.scoring.metrics.outlet import outlet_correct
from benchmark.scoring.reference import TRACKS

NULL = stance_mod.NULL
_MATCH_BLOCK = 8192          # documents matched at once
_KEY_CHUNK = 1 << 18         # predictions whose corpus keys are made at once


class Gold:
    """Gold rows as numpy arrays (spans become corpus keys, doc index * stride + offset, when matched).

    quotes: rows of the `quotes` config as the pyarrow Table of `benchmark.dataset.read_table` (columnar, no
    Python object per row), or as a list of row dicts (made into such a table).
    """

    def __init__(self, docs: list[dict], quotes, track: str):
        self.docs = docs
        self.n_docs = len(docs)
        # map() with itemgetter: C-level loops over what may be 100k document rows
        self.doc_ids = list(map(itemgetter("doc_id"), docs))
        self.index = dict(zip(self.doc_ids, range(self.n_docs)))
        if len(self.index) != len(docs):
            raise ValueError("duplicate doc_id in the gold documents")
        table = quotes if hasattr(quotes, "column_names") else _table_of_rows(quotes)
        # the quote columns in a second thread (pyarrow's compute functions release the GIL) while this one
        # goes through the document rows
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scoring") as background:
            quote_columns = background.submit(_table_columns, table, self.index)
            self.texts = list(map(itemgetter("text"), docs))
            self.text_len = np.fromiter(map(len, self.texts), dtype=np.int32, count=self.n_docs)
            regions = [d.get("boilerplate") or () for d in docs]
            c = quote_columns.result()
        self._table = c["table"]
        # compact dtypes (a million gold units): offsets and codes fit int32
        self.doc, self.start, self.end = (c[k].astype(np.int32, copy=False) for k in ("doc", "start", "end"))
        self.stance = c["stance"].astype(np.int8, copy=False)
        in_track = np.isin(c["type"], [TYPE_CODE[t] for t in TRACKS[track]])
        self.care = in_track & ~c["optional"] & ~c["in_boilerplate"]
        # one registration per gold speaker (canonical name + aliases)
        self.speakers = SpeakerTable()
        index = [self.speakers.speaker(sid, name, aliases) for sid, name, aliases in c["speakers"]]
        self.speaker = np.array(index, dtype=np.int32)[c["speaker"]] if index else c["speaker"].astype(np.int32)
        del c
        self.stride = int(max(self.text_len.max(initial=0), self.end.max(initial=0))) + 1
        flat = list(chain.from_iterable(regions))
        bp_doc = np.repeat(np.arange(self.n_docs, dtype=np.int64), np.fromiter(map(len, regions), dtype=np.int64,
                                                                              count=self.n_docs))
        bp_start = bp_doc * self.stride + np.fromiter(map(itemgetter("start"), flat), dtype=np.int64, count=len(flat))
        bp_end = bp_doc * self.stride + np.fromiter(map(itemgetter("end"), flat), dtype=np.int64, count=len(flat))
        order = np.argsort(bp_start, kind="stable")
        self.bp_start, self.bp_end = bp_start[order], bp_end[order]
        self.bp_reach = np.maximum.accumulate(self.bp_end) if len(order) else self.bp_end
        self.n_care = np.bincount(self.doc[self.care], minlength=self.n_docs)

    @cached_property
    def mentions(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) of each unit's speaker mention, -1 for none: made only when a submission predicts mention
        spans (two arrays as long as the gold, which most submissions never need)."""
        import pyarrow.compute as pc

        return tuple(pc.fill_null(self._table.column(k), -1).to_numpy().astype(np.int32)
                     for k in ("speaker_start", "speaker_end"))

    @cached_property
    def mention_forms(self) -> tuple[np.ndarray, list[str]]:
        """(per unit, the index of the `name_form` of its speaker mention in the list; "" for none): made only
        when a predicted name is not an alias of its gold speaker."""
        import pyarrow.compute as pc

        if "speaker_mention" not in self._table.column_names:
            return np.zeros(len(self.doc), dtype=np.int32), [""]
        column = self._table.column("speaker_mention").combine_chunks().dictionary_encode()
        forms = [name_form(m) if m else "" for m in column.dictionary.to_pylist()] + [""]
        index = pc.fill_null(column.indices, len(forms) - 1).to_numpy().astype(np.int32)
        return index, forms

    @cached_property
    def doc_speakers(self) -> np.ndarray:
        """Sorted keys doc * n_speakers + speaker of every speaker of every document (the speaker rule's
        "other speakers of the document")."""
        keys = np.sort(self.doc.astype(np.int64) * len(self.speakers.speakers) + self.speaker)
        # deduplicated by hand: numpy 2.4's np.unique without return_* hashes, ~30x slower than this on 1M keys
        return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys

    @cached_property
    def rows(self) -> list[dict]:
        """The gold quote rows as dicts (made from the table only when the error report needs them)."""
        return self._table.to_pylist()

    @cached_property
    def by_quote_id(self) -> dict[str, int]:
        return {qid: i for i, qid in enumerate(self._table.column("quote_id").to_pylist())}


def _table_of_rows(rows: list[dict]):
    """Quote rows as a pyarrow Table of the columns the scorer reads (typed, so a column of nulls is too)."""
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=_quote_schema())


def _quote_schema():
    import pyarrow as pa

    text, integer, flag = pa.string(), pa.int64(), pa.bool_()
    return pa.schema([("quote_id", text), ("doc_id", text), ("start", integer), ("end", integer), ("type", text),
                      ("speaker_id", text), ("speaker", text), ("speaker_aliases", pa.list_(text)),
                      ("speaker_mention", text),
                      ("speaker_start", integer), ("speaker_end", integer), ("stance", text), ("optional", flag),
                      ("in_boilerplate", flag)])


def _table_columns(table, index: dict[str, int]) -> dict:
    """The arrays Gold needs, from a pyarrow Table, without a Python object per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def codes(name: str, labels) -> np.ndarray:
        found = pc.index_in(table.column(name), value_set=pa.array(list(labels)))
        if found.null_count:
            raise ValueError(f"gold quotes: unknown {name} label")
        return found.to_numpy().astype(np.int32)

    def encoded(name: str) -> tuple[np.ndarray, list]:
        column = table.column(name).combine_chunks().dictionary_encode()
        return column.indices.to_numpy().astype(np.int32), column.dictionary.to_pylist()

    doc = pc.fill_null(pc.index_in(table.column("doc_id"), value_set=pa.array(list(index), type=pa.string())),
                       -1).to_numpy().astype(np.int32)
    if not (doc >= 0).all():
        table = table.filter(pa.array(doc >= 0))
        doc = doc[doc >= 0]
    speaker, speaker_ids = encoded("speaker_id")
    # dictionary codes number the values in order of first appearance: the running maximum steps up there
    first = np.flatnonzero(np.diff(np.maximum.accumulate(speaker), prepend=-1) > 0) if len(speaker) else \
        np.zeros(0, dtype=np.int64)
    first_rows = table.take(pa.array(first)).select(["speaker_id", "speaker", "speaker_aliases"]).to_pylist()
    by_id = {r["speaker_id"]: r for r in first_rows}
    return {
        "table": table, "doc": doc,
        "start": table.column("start").to_numpy().astype(np.int32),
        "end": table.column("end").to_numpy().astype(np.int32),
        "type": codes("type", QUOTE_TYPES), "stance": codes("stance", stance_mod.LABELS),
        "optional": pc.fill_null(table.column("optional"), False).to_numpy().astype(bool),
        "in_boilerplate": pc.fill_null(table.column("in_boilerplate"), False).to_numpy().astype(bool),
        "speaker": speaker,
        "speakers": [(sid, by_id[sid]["speaker"], by_id[sid]["speaker_aliases"]) for sid in speaker_ids],
    }


def evaluate(gold: Gold, submission, track: str, overlap: float, errors: bool = False) -> Run:
    """Match one submission against the gold: every count per document; the findings when `errors`."""
    docs = list(map(submission.documents.get, gold.doc_ids))
    p, ignored = _counted_predictions(gold, submission, docs, track)
    table = CountTable(gold.n_docs)
    counts = table.counts
    # candidate pairs, both matchings and the characters, block by block of documents (no span crosses a
    # document, so the results are those of the whole corpus at once; the temporaries stay small)
    mp, mg, eg, chars = _match_blocks(gold, p["doc"], p["start"], p["end"], overlap)
    counts["chars"][:] = chars
    n_pred = np.bincount(p["doc"], minlength=gold.n_docs)
    for name, b in (("exact", eg), ("overlap", mg)):
        care = gold.care[b]
        counts[name][:, 0] = np.bincount(gold.doc[b[care]], minlength=gold.n_docs)
        counts[name][:, 1] = n_pred - np.bincount(gold.doc[b[~care]], minlength=gold.n_docs)
        counts[name][:, 2] = gold.n_care
    findings = _attribution_and_stance(gold, p, mp, mg, counts, errors)
    for name, values in _gold_span_counts(gold, p["id_quotes"], p["id_doc"]).items():
        counts[name][:] = values
    dates = date_counts([d["published"] for d in gold.docs],
                        [d.published if d is not None and "published" in d.fields else None for d in docs])
    for name, values in dates.items():
        counts[name][:] = values
    counts["outlet_correct"][:, 0] = _outlets_correct(gold.docs, docs)
    counts["outlet_n"][:] = 1
    unaligned = int(np.count_nonzero(p["unaligned"])) if p["unaligned"] is not None else 0
    return Run(table, frozenset(submission.attempted), docs, ignored, findings, unaligned)


def _counted_predictions(gold: Gold, submission, docs: list, track: str) -> tuple[dict, dict[str, int]]:
    """The counted predictions of the gold documents as arrays (see `PredictionColumns.arrays`; a streaming
    reader has made them already), `kept` = their positions among the quote objects (when kept), and the counts
    of the ignored ones."""
    columns = getattr(submission, "columns", None)
    if columns is None:
        columns = PredictionColumns(keep_quotes=True)
        for d in docs:
            if d is not None:
                columns.add(d)
    c = columns.arrays(gold.index, gold.speakers)
    # offsets outside the text can only come from an unvalidated Submission object: never let them count
    valid = (c["start"] >= 0) & (c["start"] < c["end"]) & (c["end"] <= gold.text_len[c["doc"]])
    in_track = (c["type"] < 0) | np.isin(c["type"], [TYPE_CODE[t] for t in TRACKS[track]])
    in_bp = _in_boilerplate(gold, c["doc"], c["start"], c["end"])
    if c["unaligned"] is not None:          # not found: counted with its empty span, which overlaps nothing
        valid |= c["unaligned"]
        in_bp &= ~c["unaligned"]
    counted = valid & in_track & ~in_bp
    ignored = {"boilerplate": int(np.count_nonzero(valid & in_track & in_bp)),
               "other_track": int(np.count_nonzero(valid & ~in_track)), "invalid": int(np.count_nonzero(~valid))}
    c["kept"] = np.flatnonzero(counted) if c["quotes"] is not None else None
    if not counted.all():                   # copies only when some predictions do not count
        for k in (*PREDICTION_ARRAYS, "unaligned"):
            if c[k] is not None:
                c[k] = c[k][counted]
    return c, ignored


def _attribution_and_stance(gold: Gold, p: dict, mp, mg, counts: dict, errors: bool) -> list[Findings] | None:
    """Attribution and stance counts on the overlap-matched pairs with counted units, the missed units and the
    spurious predictions; the findings for the error report when `errors`."""
    n_docs = gold.n_docs
    spurious = np.ones(len(p["doc"]), dtype=bool)    # unmatched (a prediction matched to a don't-care unit
    spurious[mp] = False                              # is dropped, not spurious)
    keep = gold.care[mg]
    mp, mg = mp[keep], mg[keep]
    mentions = (p["speaker_start"][mp], p["speaker_end"][mp]) if p["speaker_start"] is not None else (None, None)
    speaker_ok = _speaker_correct(gold, p["speaker"][mp], *mentions, mg)
    counts["attr_correct"][:, 0] = np.bincount(gold.doc[mg[speaker_ok]], minlength=n_docs)
    stance_mod.add_confusion(counts["stance_cm"], gold.stance[mg], p["stance"][mp], gold.doc[mg])
    matched_gold = np.zeros(len(gold.doc), dtype=bool)
    matched_gold[mg] = True
    missed = np.flatnonzero(gold.care & ~matched_gold)
    counts["stance_missed"][:] = np.bincount(gold.doc[missed] * NULL + gold.stance[missed],
                                             minlength=n_docs * NULL).reshape(n_docs, NULL)
    counts["stance_spurious"][:] = np.bincount(p["doc"][spurious] * (NULL + 1) + p["stance"][spurious],
                                               minlength=n_docs * (NULL + 1)).reshape(n_docs, NULL + 1)
    if not errors:
        return None
    return _findings(gold, p["quotes"], p["kept"], p["doc"], spurious, mp, mg, speaker_ok, missed)


def _findings(gold: Gold, quotes, kept, p_doc, spurious, mp, mg, speaker_ok, missed) -> list[Findings]:
    """The error report's pairs and lists per gold document, from the arrays (orders as the reference's)."""
    out = [Findings([], [], []) for _ in range(gold.n_docs)]
    rows = gold.rows
    kept = kept.tolist()
    for p, g, ok in zip(mp.tolist(), mg.tolist(), speaker_ok.tolist()):      # mp in prediction order
        out[gold.doc[g]].matched.append((rows[g], quotes[kept[p]], ok))
    for g in missed.tolist():
        out[gold.doc[g]].missed.append(rows[g])
    for k in np.flatnonzero(spurious).tolist():
        out[p_doc[k]].spurious.append(quotes[kept[k]])
    return out


def _in_boilerplate(gold: Gold, p_doc, p_start, p_end) -> np.ndarray:
    """Per prediction: does it lie wholly inside a boilerplate region? (Corpus keys made a chunk at a time.)"""
    inside = np.zeros(len(p_doc), dtype=bool)
    if not len(gold.bp_start):
        return inside
    for i in range(0, len(p_doc), _KEY_CHUNK):
        part = slice(i, i + _KEY_CHUNK)
        key = p_doc[part].astype(np.int64) * gold.stride
        region = np.searchsorted(gold.bp_start, key + p_start[part], side="right") - 1
        # the farthest end of the regions starting at or before the prediction (regions may overlap)
        inside[part] = (region >= 0) & (key + p_end[part] <= gold.bp_reach[np.maximum(region, 0)])
    return inside


def _match_blocks(gold: Gold, p_doc, p_start, p_end, threshold: float):
    """(overlap-matched pred and gold indices, exact-matched gold indices, per-document character counts),
    computed _MATCH_BLOCK documents at a time. Predictions are in document order; the gold is sliced in
    document order too. Spans become corpus keys (doc * stride + offset) a block at a time. The character counts
    of a block (pure numpy, which releases the GIL) are computed in a second thread while its matching runs in
    this one."""
    n_docs, stride = gold.n_docs, gold.stride
    # gold in text order (document, start, then row): the matching's column order, as in the reference
    g_key = gold.doc.astype(np.int64) * stride + gold.start
    g_order = None if is_sorted(g_key) else np.argsort(g_key, kind="stable")
    del g_key
    g_doc = gold.doc if g_order is None else gold.doc[g_order]
    edges = np.arange(0, n_docs + _MATCH_BLOCK, _MATCH_BLOCK)
    g_bounds = np.searchsorted(g_doc, edges, side="left")
    p_bounds = np.searchsorted(p_doc, edges, side="left")
    bp_bounds = np.searchsorted(gold.bp_start, edges * stride, side="left")
    chosen: list[list[np.ndarray]] = [[], [], []]
    chars = np.zeros((n_docs, 3), dtype=np.int64)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scoring") as background:
        for block in range(len(edges) - 1):
            g0, g1, p0, p1 = g_bounds[block], g_bounds[block + 1], p_bounds[block], p_bounds[block + 1]
            b0, b1 = bp_bounds[block], bp_bounds[block + 1]
            g_sel = np.arange(g0, g1) if g_order is None else g_order[g0:g1]
            care = gold.care[g_sel]
            g_key = gold.doc[g_sel].astype(np.int64) * stride
            g_ks, g_ke = g_key + gold.start[g_sel], g_key + gold.end[g_sel]
            p_key = p_doc[p0:p1].astype(np.int64) * stride
            p_ks, p_ke = p_key + p_start[p0:p1], p_key + p_end[p0:p1]
            # G = counted gold, D = don't-care (other gold units, boilerplate), P = predictions
            block_chars = background.submit(
                character_counts, (g_ks[care], g_ke[care]),
                (np.concatenate([g_ks[~care], gold.bp_start[b0:b1]]),
                 np.concatenate([g_ke[~care], gold.bp_end[b0:b1]])),
                (p_ks, p_ke), stride, n_docs)
            pi, gi, overlap = overlapping_pairs(p_ks, p_ke, g_ks, g_ke)
            edge_care = care[gi]
            glen = gold.end[g_sel[gi]] - gold.start[g_sel[gi]]
            eligible = np.flatnonzero(overlap >= threshold * glen - 1e-9)
            exact = _exact_edges(gold, p_doc, p_start, p_end, pi + p0, g_sel[gi])
            same = np.zeros(len(pi), dtype=bool)
            same[exact] = True
            mp, mg = max_matching(pi[eligible], gi[eligible], overlap[eligible], edge_care[eligible], same[eligible])
            _, eg = max_matching(pi[exact], gi[exact], overlap[exact], edge_care[exact])
            for out, part in zip(chosen, (mp + p0, g_sel[mg], g_sel[eg])):
                out.append(part.astype(np.int32))       # int32 indices: a million pairs in half the memory
            chars += block_chars.result()
    mp, mg, eg = (np.concatenate(c) if c else np.zeros(0, dtype=np.int32) for c in chosen)
    return mp, mg, eg, chars


def date_counts(gold: list[datetime.date], predicted: list[datetime.date | None]) -> dict[str, np.ndarray]:
    """Per document: exact hit, hit within one day, absolute error in days (0 when no prediction),
    whether a date was predicted, and 1 (the document counts)."""
    diff = np.array([abs((p - g).days) if p is not None else -1 for g, p in zip(gold, predicted)], dtype=np.int64)
    predicted_mask = diff >= 0
    return {
        "date_exact": (diff == 0).astype(np.int64),
        "date_within_1": (predicted_mask & (diff <= 1)).astype(np.int64),
        "date_abs_days": np.where(predicted_mask, diff, 0),
        "date_predicted": predicted_mask.astype(np.int64),
        "date_n": np.ones(len(diff), dtype=np.int64),
    }


def _outlets_correct(gold_docs: list[dict], docs: list) -> list[bool]:
    """`outlet_correct` of each document; a corpus has few distinct (prediction, gold outlet) cases, so each is
    decided once."""
    attempted = [p is not None and "outlet" in p.fields for p in docs]
    predicted = [p.outlet if a else None for p, a in zip(docs, attempted)]
    get = dict.get
    aliases = [tuple(a) if a else () for a in map(get, gold_docs, repeat("outlet_aliases"))]
    cases = list(zip(predicted, attempted, map(get, gold_docs, repeat("outlet")), aliases,
                     map(get, gold_docs, repeat("outlet_evidence"))))
    verdicts = {case: outlet_correct(*case) for case in set(cases)}
    return list(map(verdicts.__getitem__, cases))


def _exact_edges(gold: Gold, p_doc, p_start, p_end, pi, gi) -> np.ndarray:
    """Indices of the candidate pairs whose spans are equal after `trim_span`, as in the reference. Identical spans
    are. Most other pairs are told apart by one character: when the span that starts first starts with a
    character trim_span keeps, its trimmed start stays before the other's (likewise at the ends). The rest are
    trimmed and compared."""
    ps, pe, gs, ge = p_start[pi], p_end[pi], gold.start[gi], gold.end[gi]
    same = (ps == gs) & (pe == ge)
    todo = np.flatnonzero(~same)
    if len(todo):
        texts = list(map(gold.texts.__getitem__, p_doc[pi[todo]].tolist()))
        ps, pe, gs, ge = ps[todo], pe[todo], gs[todo], ge[todo]
        n = len(todo)
        first = np.fromiter(map(_TRIMMED_AT_START.__contains__, map(getitem, texts, np.minimum(ps, gs).tolist())),
                            dtype=bool, count=n)
        last = np.fromiter(map(_TRIMMED_AT_END.__contains__, map(getitem, texts, (np.maximum(pe, ge) - 1).tolist())),
                           dtype=bool, count=n)
        k = np.flatnonzero((first | (ps == gs)) & (last | (pe == ge)))
        texts = [texts[i] for i in k.tolist()]
        p_trim, g_trim = _trimmed(texts, ps[k], pe[k]), _trimmed(texts, gs[k], ge[k])
        same[todo[k]] = (p_trim[0] == g_trim[0]) & (p_trim[1] == g_trim[1])
    return np.flatnonzero(same)


# what trim_span may remove at a start / an end, with the first / last character of an HTML entity
_TRIMMED_AT_START = frozenset(LEADING_CHARS + "&")
_TRIMMED_AT_END = frozenset(TRAILING_CHARS + ";")


def _trimmed(texts: list[str], start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`trim_span` of each span texts[i][start[i]:end[i]], with str.strip (map over slices: C-level loops): the
    leading characters it removes, then the trailing ones, never past the new start. A quote-mark entity goes
    whole or not at all, which strip cannot see: a span with an '&' in it takes trim_span itself."""
    n = len(texts)
    bodies = list(map(getitem, texts, map(slice, start.tolist(), end.tolist())))
    head = (end - start) - np.fromiter(map(len, map(str.lstrip, bodies, repeat(LEADING_CHARS))), dtype=np.int64,
                                       count=n)
    kept = np.fromiter(map(len, map(str.rstrip, bodies, repeat(TRAILING_CHARS))), dtype=np.int64, count=n)
    new_start = start + head
    new_end = np.maximum(new_start, start + kept)
    for i in np.flatnonzero(np.fromiter(map(str.__contains__, bodies, repeat("&")), dtype=bool, count=n)).tolist():
        new_start[i], new_end[i] = trim_span(texts[i], int(start[i]), int(end[i]))
    return new_start, new_end


def _name_ids(table: SpeakerTable, names) -> np.ndarray:
    """Interned ids of predicted speaker strings (-1 for None)."""
    ids = {name: table.name_id(name) for name in set(names)}
    return np.fromiter(map(ids.__getitem__, names), dtype=np.int64, count=len(names))


def _speaker_correct(gold: Gold, name_ids, mention_start, mention_end, gold_index: np.ndarray) -> np.ndarray:
    """`reference.speaker_right` of each pair: True where the predicted speaker is an alias of the gold speaker,
    its mention span overlaps the gold mention, or its name contains a form of the gold speaker and names no other
    speaker of the document; else False (also for no speaker predicted). mention_start/end None: no mention spans
    predicted."""
    ok = gold.speakers.name_matches(name_ids, gold.speaker[gold_index])
    if mention_start is not None:
        g_start, g_end = gold.mentions
        ok |= mention_overlaps(mention_start, mention_end, g_start[gold_index], g_end[gold_index])
    rest = np.flatnonzero(~ok & (np.asarray(name_ids) >= 0))      # a name that is no alias: does it contain one?
    if len(rest):
        units = gold_index[rest]
        mention, forms = gold.mention_forms
        ok[rest] = gold.speakers.contains(np.asarray(name_ids)[rest], gold.speaker[units], mention[units], forms,
                                          gold.doc[units], gold.doc_speakers)
    return ok


def _gold_span_counts(gold: Gold, quotes: list, quote_doc: list[int]) -> dict[str, np.ndarray]:
    """Subtasks with gold spans given: attribution and stance over every counted gold unit (no prediction for a
    unit = wrong)."""
    n_docs = gold.n_docs
    out = {"gs_n": gold.n_care[:, None]}
    if not quotes:
        # every counted unit predicted nothing: the confusion's NULL column holds the gold labels per document
        # (made directly: the general confusion of a million units would take tens of MB)
        out["gs_attr_correct"] = np.zeros((n_docs, 1), dtype=np.int32)
        cm = out["gs_cm"] = np.zeros((n_docs, NULL, NULL + 1), dtype=np.int32)
        labelled = gold.care & (gold.stance < NULL)
        cm[:, :, NULL] = np.bincount(gold.doc[labelled].astype(np.int64) * NULL + gold.stance[labelled],
                                     minlength=n_docs * NULL).reshape(n_docs, NULL)
        return out
    counted = np.flatnonzero(gold.care)
    given: dict[int, object] = {}
    for q, d in zip(quotes, quote_doc):
        g = gold.by_quote_id.get(q.quote_id)
        if g is not None and gold.doc[g] == d:
            given.setdefault(g, q)
    qs = [given.get(g) for g in counted.tolist()]
    present = [q for q in qs if q is not None]
    has = np.array([q is not None for q in qs], dtype=bool)
    ok = np.zeros(len(counted), dtype=bool)
    names = [q.speaker for q in present]
    ok[has] = _speaker_correct(gold, _name_ids(gold.speakers, names),
                               int_or_minus_one([q.speaker_start for q in present]),
                               int_or_minus_one([q.speaker_end for q in present]), counted[has])
    out["gs_attr_correct"] = np.bincount(gold.doc[counted[ok]], minlength=n_docs)[:, None]
    p_stance = np.array([STANCE_CODE[q.stance] if q is not None else NULL for q in qs], dtype=np.int64)
    out["gs_cm"] = stance_mod.confusion(gold.stance[counted], p_stance, gold.doc[counted], n_docs)[:, :NULL, :]
    return out
"""The scorer core: gold rows + a parsed submission -> results. No file I/O, so any gold can be fed in.

Reading guide (top to bottom): `Options`; `score_corpus`; `Gold` (gold rows as arrays); `evaluate` (one
submission -> a per-document count table); `metrics` (counts -> every number, vectorised so the same code gives
point estimates, bootstrap resamples and randomisation tests); the results and error report builders.

Don't-care gold units: optional units, units in boilerplate, and (for tracks A and B) units of the other track.
They are matched like any unit, but a prediction matched to one is dropped from both counts, and an unmatched one
is not missed. Predictions lying wholly inside a boilerplate region are ignored, and so are predictions whose
predicted `type` belongs to the other track.
"""
from __future__ import annotations

import gc
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, compress, repeat
from operator import attrgetter, getitem, is_not, itemgetter

import numpy as np

from benchmark.gold import QUOTE_TYPES, TRACK_A_TYPES, TRACK_B_TYPES
from benchmark.scoring import stance as stance_mod
from benchmark.scoring import stats
from benchmark.scoring.attribution import SpeakerTable, mention_overlaps
from benchmark.scoring.date import COUNTS as DATE_COUNTS
from benchmark.scoring.date import date_counts, date_results
from benchmark.scoring.matching import (LEADING_CHARS, TRAILING_CHARS, _div, character_counts, is_sorted,
                                        max_matching, overlapping_pairs, prf, trim_span)
from benchmark.scoring.outlet import outlet_correct
from benchmark.scoring.signature import Signature
from benchmark.submission import NO_QUOTES, QUOTE_ROW_FIELDS

TRACKS = {"A": TRACK_A_TYPES, "B": TRACK_B_TYPES, "all": QUOTE_TYPES}
TASKS = ("quotes", "attribution", "stance", "date", "outlet", "gold_spans")
# overall = mean of these four; a task that was not attempted contributes 0
OVERALL_PARTS = {"attribution.f1": "attribution", "stance_e2e.macro_f1": "stance",
                 "date.accuracy": "date", "outlet.accuracy": "outlet"}
# keys that get bootstrap intervals and paired tests
MAIN_KEYS = ["overall", "quotes.exact.f1", "quotes.overlap.f1", "quotes.chars.f1", "attribution.accuracy",
             "attribution.f1", "stance.accuracy", "stance.macro_f1", "stance.f_avg", "stance_e2e.macro_f1",
             "gold_spans.attribution_accuracy", "gold_spans.stance.macro_f1", "date.accuracy",
             "date.within_1_day", "outlet.accuracy"]
NULL = stance_mod.NULL
_STANCE_CODE = {**stance_mod.CODE, None: NULL}
_TYPE_CODE = {**{t: i for i, t in enumerate(QUOTE_TYPES)}, None: -1}
# the arrays of PredictionColumns, in the order of its chunks
_PREDICTION_ARRAYS = ("doc", "start", "end", "type", "speaker", "speaker_start", "speaker_end", "stance")
SNIPPET = 100
_DOCUMENT_BLOCK = 8192       # documents whose metrics are computed at once
_MATCH_BLOCK = 8192          # documents matched at once
_KEY_CHUNK = 1 << 18         # predictions whose corpus keys are made at once


@dataclass(frozen=True)
class Options:
    split: str = "test"
    track: str = "A"                  # A (direct+partial), B (indirect), all
    overlap: float = 0.5              # a pair matches when overlap chars / gold length >= this
    n_boot: int = 1000                # bootstrap resamples (also Monte Carlo swaps when > 20 documents)
    seed: int = 12345
    errors: bool = False              # add the per-document error lists
    data_fingerprint: str | None = None
    version: str = ""

    def signature(self) -> Signature:
        from benchmark import __version__
        return Signature(self.data_fingerprint or "", self.split, self.track, self.overlap, self.n_boot,
                         self.seed, self.version or __version__)


def score_corpus(gold_docs: list[dict], gold_quotes: list[dict], submission, options: Options = Options(),
                 compare=None) -> dict:
    """Score a parsed `benchmark.submission.Submission` against gold rows of the `documents` and `quotes` configs.

    Only documents in `gold_docs` are scored (predictions for other documents are ignored); a gold document
    without a prediction predicts nothing. `compare`: a second Submission for a paired comparison.
    """
    if options.track not in TRACKS:
        raise ValueError(f"track must be one of {', '.join(TRACKS)}, got {options.track!r}")
    if not 0 < options.overlap <= 1:
        raise ValueError(f"overlap threshold must be in (0, 1], got {options.overlap}")
    with gc_paused():
        gold = Gold(gold_docs, gold_quotes, options.track)
        run = evaluate(gold, submission, options)
        results = build_results(gold, run, submission, options)
        if compare is not None:
            results["compare"] = build_comparison(gold, run, evaluate(gold, compare, options), compare, options)
    return results


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector: scoring allocates millions of acyclic objects, and with a large heap
    every collection would walk all of them again (quadratic time). Reference counting still frees memory."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ----------------------------------------------------------------------------------------------------------------
# gold as arrays

class Gold:
    """Gold rows as numpy arrays (spans become corpus keys, doc index * stride + offset, when matched).

    quotes: rows of the `quotes` config, as a list of dicts (`benchmark.dataset.read_rows`) or as a pyarrow
    Table (`benchmark.dataset.read_table`: columnar, no Python object per row, for large corpora).
    """

    def __init__(self, docs: list[dict], quotes, track: str):
        self.docs = docs
        self.n_docs = len(docs)
        # map() with itemgetter: C-level loops over what may be 100k document rows
        self.doc_ids = list(map(itemgetter("doc_id"), docs))
        self.index = dict(zip(self.doc_ids, range(self.n_docs)))
        if len(self.index) != len(docs):
            raise ValueError("duplicate doc_id in the gold documents")
        # the quote columns in a second thread (pyarrow's compute functions release the GIL) while this one
        # goes through the document rows
        columns = _table_columns if hasattr(quotes, "column_names") else _row_columns
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scoring") as background:
            quote_columns = background.submit(columns, quotes, self.index)
            self.texts = list(map(itemgetter("text"), docs))
            self.text_len = np.fromiter(map(len, self.texts), dtype=np.int32, count=self.n_docs)
            regions = [d.get("boilerplate") or () for d in docs]
            c = quote_columns.result()
        self._rows, self._table = c["rows"], c["table"]
        # compact dtypes (a million gold units): offsets and codes fit int32
        self.doc, self.start, self.end = (c[k].astype(np.int32, copy=False) for k in ("doc", "start", "end"))
        self.stance = c["stance"].astype(np.int8, copy=False)
        in_track = np.isin(c["type"], [_TYPE_CODE[t] for t in TRACKS[track]])
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
        self.n_care = np.bincount(self.doc[self.care], minlength=self.n_docs)

    @cached_property
    def mentions(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) of each unit's speaker mention, -1 for none: made only when a submission predicts mention
        spans (two arrays as long as the gold, which most submissions never need)."""
        if self._table is not None:
            import pyarrow.compute as pc

            return tuple(pc.fill_null(self._table.column(k), -1).to_numpy().astype(np.int32)
                         for k in ("speaker_start", "speaker_end"))
        return tuple(_int_or_minus_one(list(map(itemgetter(k), self._rows))).astype(np.int32)
                     for k in ("speaker_start", "speaker_end"))

    @cached_property
    def rows(self) -> list[dict]:
        """The gold quote rows as dicts (made from the table only when the error report needs them)."""
        return self._rows if self._rows is not None else self._table.to_pylist()

    @cached_property
    def by_quote_id(self) -> dict[str, int]:
        ids = (q["quote_id"] for q in self._rows) if self._rows is not None else \
            self._table.column("quote_id").to_pylist()
        return {qid: i for i, qid in enumerate(ids)}


_QUOTE_COLUMNS = ("doc_id", "start", "end", "type", "stance", "speaker_id", "optional", "in_boilerplate")


def _row_columns(rows: list[dict], index: dict[str, int]) -> dict:
    """The arrays Gold needs, from row dicts (quotes of documents not in `index` left out)."""
    columns = list(zip(*map(itemgetter(*_QUOTE_COLUMNS), rows))) if rows else [()] * len(_QUOTE_COLUMNS)
    doc = np.fromiter(map(index.get, columns[0], repeat(-1)), dtype=np.int64, count=len(rows))
    if not (doc >= 0).all():
        keep = (doc >= 0).tolist()
        rows = list(compress(rows, keep))
        columns = [tuple(compress(c, keep)) for c in columns]
        doc = doc[doc >= 0]
    n = len(rows)
    (_, starts, ends, types, stances, speaker_ids, optional, in_boilerplate) = columns
    first_row = dict(zip(reversed(speaker_ids), range(n - 1, -1, -1)))     # speaker id -> its first row
    order = sorted(first_row, key=first_row.__getitem__)
    code = {sid: k for k, sid in enumerate(order)}
    return {
        "rows": rows, "table": None, "doc": doc,
        "start": np.array(starts, dtype=np.int64), "end": np.array(ends, dtype=np.int64),
        "type": np.fromiter(map(_TYPE_CODE.__getitem__, types), dtype=np.int64, count=n),
        "stance": np.fromiter(map(_STANCE_CODE.__getitem__, stances), dtype=np.int64, count=n),
        "optional": np.array(optional, dtype=bool), "in_boilerplate": np.array(in_boilerplate, dtype=bool),
        "speaker": np.fromiter(map(code.__getitem__, speaker_ids), dtype=np.int64, count=n),
        "speakers": [(sid, rows[first_row[sid]]["speaker"], rows[first_row[sid]].get("speaker_aliases"))
                     for sid in order],
    }


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
        "rows": None, "table": table, "doc": doc,
        "start": table.column("start").to_numpy().astype(np.int32),
        "end": table.column("end").to_numpy().astype(np.int32),
        "type": codes("type", QUOTE_TYPES), "stance": codes("stance", stance_mod.LABELS),
        "optional": pc.fill_null(table.column("optional"), False).to_numpy().astype(bool),
        "in_boilerplate": pc.fill_null(table.column("in_boilerplate"), False).to_numpy().astype(bool),
        "speaker": speaker,
        "speakers": [(sid, by_id[sid]["speaker"], by_id[sid]["speaker_aliases"]) for sid in speaker_ids],
    }


def _int_or_minus_one(values) -> np.ndarray:
    """Integers with None -> -1 (via float NaN: one C-level conversion)."""
    return np.nan_to_num(np.array(values, dtype=np.float64), nan=-1).astype(np.int64)


def _or(value, default):
    return default if value is None else value


# ----------------------------------------------------------------------------------------------------------------
# one submission -> per-document counts

class PredictionColumns:
    """The predicted quotes of a submission as compact arrays, filled one document at a time.

    A streaming scorer passes `add_rows` as the `on_quote_rows` hook of `benchmark.submission.read_submission`
    (validated quotes arrive as tuples, no object per quote) and `add` as its `on_document` hook (quotes that
    did not take the reader's fast path arrive as objects); only arrays are kept, so the whole parsed submission
    never has to be in memory. `arrays` orders the quotes as the batch path does (gold document order, then
    submission order), so both give the same matching, tie-breaks included.
    keep_quotes: also keep the PredictedQuote objects (the error report needs them) and leave documents intact.
    """
    _ROW = attrgetter(*QUOTE_ROW_FIELDS)
    _FLUSH = 1 << 16                         # quotes buffered as Python tuples before they become arrays

    def __init__(self, keep_quotes: bool = False):
        self.keep_quotes = keep_quotes
        self.doc_ids: list[str] = []         # local document number -> doc_id (documents with quotes)
        self.names: dict = {}                # predicted speaker string (or None) -> local name number
        self.quotes: list = []               # the span-located PredictedQuote objects (keep_quotes only)
        self.id_quotes: list = []            # quotes located by a gold quote_id (few: always kept)
        self.id_doc: list[int] = []
        self._doc: list[int] = []            # buffered: local document number and QUOTE_ROW_FIELDS tuple per quote
        self._rows: list[tuple] = []
        self._chunks: list[list[np.ndarray]] = [[] for _ in range(8)]

    @classmethod
    def from_columns(cls, columns) -> "PredictionColumns":
        """The quotes of a file read by `benchmark.columnar_reader.read_columns` (already arrays)."""
        self = cls()
        self.doc_ids = list(columns.doc_ids)
        self.names = {name: i for i, name in enumerate(columns.speaker_names)}
        self.names.setdefault(None, len(self.names))
        speaker = columns.speaker
        speaker[speaker < 0] = self.names[None]             # in place: the reader's arrays are ours now
        arrays = (columns.doc, columns.start, columns.end, columns.type, speaker, None, None, columns.stance)
        self._chunks = [[a] if a is not None else [] for a in arrays]      # no mention spans in such a file
        return self

    def add_rows(self, doc_id: str, rows: list[tuple]) -> None:
        """Take the span-located quotes of one document as QUOTE_ROW_FIELDS tuples."""
        self._doc.extend(repeat(len(self.doc_ids), len(rows)))
        self.doc_ids.append(doc_id)
        self._rows.extend(rows)
        if len(self._rows) >= self._FLUSH:
            self._flush()

    def add(self, document):
        """Take the quotes of one document; returns the document to keep (without its quotes, unless
        keep_quotes)."""
        quotes = document.quotes
        if quotes:
            by_id = [q.quote_id is not None for q in quotes]
            if any(by_id):                                       # some quotes name a gold quote_id
                self.id_quotes.extend(compress(quotes, by_id))
                self.id_doc.extend(repeat(len(self.doc_ids), sum(by_id)))
                quotes = [q for q in quotes if q.quote_id is None]
            if self.keep_quotes:
                self.quotes.extend(quotes)
            self.add_rows(document.doc_id, list(map(self._ROW, quotes)))
        if not self.keep_quotes:
            document.quotes = NO_QUOTES
        return document

    def _flush(self) -> None:
        n = len(self._rows)
        if not n:
            return
        starts, ends, names, m_starts, m_ends, stances, types = zip(*self._rows)
        known = self.names
        for name in set(names) - known.keys():
            known[name] = len(known)
        arrays = (np.array(self._doc, dtype=np.int32), np.array(starts, dtype=np.int64),
                  np.array(ends, dtype=np.int64),
                  np.fromiter(map(_TYPE_CODE.__getitem__, types), dtype=np.int8, count=n),
                  np.fromiter(map(known.__getitem__, names), dtype=np.int32, count=n),
                  _int_or_minus_one(m_starts), _int_or_minus_one(m_ends),
                  np.fromiter(map(_STANCE_CODE.__getitem__, stances), dtype=np.int8, count=n))
        for chunks, array in zip(self._chunks, arrays):
            chunks.append(array)
        self._doc, self._rows = [], []

    def arrays(self, index: dict[str, int], speakers: SpeakerTable) -> dict:
        """The quotes of the documents in `index` (doc_id -> gold index), in gold document order, in compact
        arrays: int32 doc (gold index), start, end, speaker (id in `speakers`, -1 none), speaker_start and
        speaker_end (-1 none; both None when no quote has a mention span); int8 type (code, -1 none) and stance
        (code); plus quotes (objects or None), id_quotes and id_doc. Offsets are clipped to [-1, 2**31 - 1]:
        an offset outside that range is outside every text either way."""
        self._flush()
        out = {}
        for k, chunks in zip(_PREDICTION_ARRAYS, self._chunks):
            a = chunks[0] if len(chunks) == 1 else np.concatenate(chunks) if chunks else None
            if a is not None and a.dtype == np.int64:       # offsets from Python ints (the line-by-line reader)
                a = np.clip(a, -1, np.iinfo(np.int32).max).astype(np.int32)
            out[k] = a
        self._chunks = [[] for _ in range(8)]
        for k in ("doc", "start", "end", "speaker", "type", "stance"):      # no quotes at all
            if out[k] is None:
                out[k] = np.zeros(0, dtype=np.int8 if k in ("type", "stance") else np.int32)
        to_gold = np.fromiter(map(index.get, self.doc_ids, repeat(-1)), dtype=np.int32, count=len(self.doc_ids))
        doc = out["doc"] = to_gold[out["doc"]]
        quotes = self.quotes if self.keep_quotes else None
        if len(doc) and not (is_sorted(doc) and doc[0] >= 0):     # not already in gold order
            order = np.argsort(doc, kind="stable")
            order = order[doc[order] >= 0]                   # documents of other splits: ignored
            out = {k: v[order] if v is not None else None for k, v in out.items()}
            if quotes is not None:
                quotes = [quotes[i] for i in order.tolist()]
        names = np.array([speakers.name_id(name) for name in self.names], dtype=np.int32)
        out["speaker"] = names[out["speaker"]] if len(names) else out["speaker"]
        id_doc = to_gold[np.array(self.id_doc, dtype=np.int64)] if self.id_doc else np.zeros(0, dtype=np.int32)
        id_order = [i for i in np.argsort(id_doc, kind="stable").tolist() if id_doc[i] >= 0]
        out["quotes"] = quotes
        out["id_quotes"] = [self.id_quotes[i] for i in id_order]
        out["id_doc"] = id_doc[id_order].tolist()
        return out


@dataclass
class Run:
    table: "CountTable"                  # every per-document count, packed
    attempted: frozenset[str]
    predicted_docs: np.ndarray           # bool per gold document: the submission has a line for it
    docs: list                           # the DocumentPrediction (or None) of each gold document
    pred: dict | None                    # arrays and quote objects of the counted predictions (options.errors)
    pairs: dict | None                   # overlap-matched pairs (options.errors)
    ignored: dict[str, int]

    @property
    def counts(self) -> dict[str, np.ndarray]:
        """name -> (n_docs, ...) per-document counts (views into the table)."""
        return self.table.counts


def evaluate(gold: Gold, submission, options: Options) -> Run:
    """Match one submission against the gold; every count per document (see `metrics` for what they become)."""
    n_docs = gold.n_docs
    docs = list(map(submission.documents.get, gold.doc_ids))
    predicted_docs = np.fromiter(map(is_not, docs, repeat(None)), dtype=bool, count=len(docs))

    # -- the predicted quotes of the gold documents as arrays (a streaming reader has made them already);
    #    quote_id locators feed the gold-span subtasks
    columns = getattr(submission, "columns", None)
    if columns is None:
        columns = PredictionColumns(keep_quotes=True)
        for d in docs:
            if d is not None:
                columns.add(d)
    c = columns.arrays(gold.index, gold.speakers)
    span_q, id_q, id_doc = c.pop("quotes"), c.pop("id_quotes"), c.pop("id_doc")
    # offsets outside the text can only come from an unvalidated Submission object: never let them count
    valid = (c["start"] >= 0) & (c["start"] < c["end"]) & (c["end"] <= gold.text_len[c["doc"]])

    # -- which predictions count: right track (when typed), not wholly inside boilerplate
    track_codes = [_TYPE_CODE[t] for t in TRACKS[options.track]]
    in_track = (c["type"] < 0) | np.isin(c["type"], track_codes)
    in_bp = _in_boilerplate(gold, c["doc"], c["start"], c["end"])
    counted = valid & in_track & ~in_bp
    ignored = {"boilerplate": int(np.count_nonzero(valid & in_track & in_bp)),
               "other_track": int(np.count_nonzero(valid & ~in_track)), "invalid": int(np.count_nonzero(~valid))}
    del valid, in_track, in_bp, c["type"]
    kept = np.flatnonzero(counted) if span_q is not None else None     # -> the quote objects (error report)
    if not counted.all():                   # copies only when some predictions do not count
        c = {k: v[counted] if v is not None else None for k, v in c.items()}
    del counted
    p_doc, p_start, p_end, p_name, p_stance = c["doc"], c["start"], c["end"], c["speaker"], c["stance"]
    p_mention_start, p_mention_end = c["speaker_start"], c["speaker_end"]
    del c
    n_pred = np.bincount(p_doc, minlength=n_docs)

    # -- candidate pairs, overlap matching, exact matching, characters: block by block of documents (no span
    #    crosses a document, so the results are those of the whole corpus at once), so the temporaries stay small
    mp, mg, ep, eg, chars = _match_blocks(gold, p_doc, p_start, p_end, options)
    del p_start, p_end

    # every count is written into its view of one int32 table (no second copy of the counts exists)
    table = CountTable(n_docs)
    counts = table.counts
    for name, b in (("exact", eg), ("overlap", mg)):
        counted = gold.care[b]
        counts[name][:, 0] = np.bincount(gold.doc[b[counted]], minlength=n_docs)
        counts[name][:, 1] = n_pred - np.bincount(gold.doc[b[~counted]], minlength=n_docs)
        counts[name][:, 2] = gold.n_care
    counts["chars"][:] = chars
    del chars, counted

    # -- attribution and stance on the overlap-matched pairs with counted gold units
    spurious = np.ones(len(p_doc), dtype=bool)       # unmatched (a prediction matched to a don't-care unit
    spurious[mp] = False                              # is dropped, not spurious)
    keep = gold.care[mg]
    mp, mg = mp[keep], mg[keep]
    mentions = (p_mention_start[mp], p_mention_end[mp]) if p_mention_start is not None else (None, None)
    speaker_ok = _speaker_correct(gold, p_name[mp], *mentions, mg)
    counts["attr_correct"][:, 0] = np.bincount(gold.doc[mg[speaker_ok]], minlength=n_docs)
    stance_mod.add_confusion(counts["stance_cm"], gold.stance[mg], p_stance[mp], gold.doc[mg])
    matched_gold = np.zeros(len(gold.doc), dtype=bool)
    matched_gold[mg] = True
    missed = np.flatnonzero(gold.care & ~matched_gold)
    counts["stance_missed"][:] = np.bincount(gold.doc[missed] * NULL + gold.stance[missed],
                                             minlength=n_docs * NULL).reshape(n_docs, NULL)
    counts["stance_spurious"][:] = np.bincount(p_doc[spurious] * (NULL + 1) + p_stance[spurious],
                                               minlength=n_docs * (NULL + 1)).reshape(n_docs, NULL + 1)
    # only the error report reads the arrays of the predictions and pairs: without it they are freed now
    pred = pairs = None
    if options.errors:
        pred = {"quotes": span_q, "kept": kept, "doc": p_doc, "spurious": spurious}
        pairs = {"pred": mp, "gold": mg, "speaker_ok": speaker_ok, "stance": p_stance[mp], "exact_pred": ep,
                 "exact_gold": eg, "missed": missed}
    del span_q, kept, p_doc, p_name, p_stance, p_mention_start, p_mention_end, mentions, spurious, mp, mg, ep, eg
    del speaker_ok, missed, matched_gold

    # -- subtasks with gold spans given (quote_id locators)
    for name, values in _gold_span_counts(gold, id_q, id_doc).items():
        counts[name][:] = values

    # -- date and outlet
    dates = date_counts([d["published"] for d in gold.docs],
                        [d.published if d is not None and "published" in d.fields else None for d in docs])
    for name, values in dates.items():
        counts[name][:] = values
    counts["outlet_correct"][:, 0] = _outlets_correct(gold.docs, docs)
    counts["outlet_n"][:] = 1
    return Run(table, frozenset(submission.attempted), predicted_docs, docs, pred, pairs, ignored)


def _in_boilerplate(gold: Gold, p_doc, p_start, p_end) -> np.ndarray:
    """Per prediction: does it lie wholly inside a boilerplate region? (Corpus keys made a chunk at a time.)"""
    inside = np.zeros(len(p_doc), dtype=bool)
    if not len(gold.bp_start):
        return inside
    for i in range(0, len(p_doc), _KEY_CHUNK):
        part = slice(i, i + _KEY_CHUNK)
        key = p_doc[part].astype(np.int64) * gold.stride
        region = np.searchsorted(gold.bp_start, key + p_start[part], side="right") - 1
        inside[part] = (region >= 0) & (key + p_end[part] <= gold.bp_end[np.maximum(region, 0)])
    return inside


def _match_blocks(gold: Gold, p_doc, p_start, p_end, options: Options):
    """(overlap-matched pred and gold indices, exact-matched pred and gold indices, per-document character
    counts), computed _MATCH_BLOCK documents at a time. Predictions are in document order; the gold is sliced in
    document order too. Spans become corpus keys (doc * stride + offset) a block at a time. The character counts
    of a block (pure numpy, which releases the GIL) are computed in a second thread while its matching runs in
    this one."""
    n_docs, stride = gold.n_docs, gold.stride
    g_order = None if is_sorted(gold.doc) else np.argsort(gold.doc, kind="stable")
    g_doc = gold.doc if g_order is None else gold.doc[g_order]
    edges = np.arange(0, n_docs + _MATCH_BLOCK, _MATCH_BLOCK)
    g_bounds = np.searchsorted(g_doc, edges, side="left")
    p_bounds = np.searchsorted(p_doc, edges, side="left")
    bp_bounds = np.searchsorted(gold.bp_start, edges * stride, side="left")
    chosen: list[list[np.ndarray]] = [[], [], [], []]
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
            eligible = np.flatnonzero(overlap >= options.overlap * glen - 1e-9)
            mp, mg = max_matching(pi[eligible], gi[eligible], overlap[eligible], edge_care[eligible])
            exact = _exact_edges(gold, p_doc, p_start, p_end, pi + p0, g_sel[gi])
            ep, eg = max_matching(pi[exact], gi[exact], overlap[exact], edge_care[exact])
            for out, part in zip(chosen, (mp + p0, g_sel[mg], ep + p0, g_sel[eg])):
                out.append(part.astype(np.int32))       # int32 indices: a million pairs in half the memory
            chars += block_chars.result()
    mp, mg, ep, eg = (np.concatenate(c) if c else np.zeros(0, dtype=np.int32) for c in chosen)
    return mp, mg, ep, eg, chars


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
    """Indices of the candidate pairs that match exactly: equal spans after `trim_span` on both sides.

    Two overlapping spans trim to the same span exactly when the text between their starts holds only
    characters trimmed at a start, and the text between their ends only characters trimmed at an end; that is
    checked with str.strip, falling back to `trim_span` when an HTML entity is involved.
    """
    ps, pe, gs, ge = p_start[pi], p_end[pi], gold.start[gi], gold.end[gi]
    same = (ps == gs) & (pe == ge)
    todo = np.flatnonzero(~same)
    if len(todo):
        # Most differing pairs are told apart by one character: if the span that starts first starts with a
        # character trim_span keeps, its trimmed start stays before the other's (likewise at the ends).
        texts = list(map(gold.texts.__getitem__, p_doc[pi[todo]].tolist()))
        ps, pe, gs, ge = ps[todo], pe[todo], gs[todo], ge[todo]
        a, e = np.minimum(ps, gs), np.maximum(pe, ge)
        n = len(todo)
        first = np.fromiter(map(_TRIMMED_AT_START.__contains__, map(getitem, texts, a.tolist())), dtype=bool,
                            count=n)
        last = np.fromiter(map(_TRIMMED_AT_END.__contains__, map(getitem, texts, (e - 1).tolist())), dtype=bool,
                           count=n)
        differ = (~first & (ps != gs)) | (~last & (pe != ge))
        k = np.flatnonzero(~differ)
        same[todo[k]] = _trim_equal([texts[i] for i in k.tolist()], ps[k], pe[k], gs[k], ge[k])
    return np.flatnonzero(same)


# what trim_span may remove at a start / an end, with the first / last character of an HTML entity
_TRIMMED_AT_START = frozenset(LEADING_CHARS + "&")
_TRIMMED_AT_END = frozenset(TRAILING_CHARS + ";")


def _trim_equal(texts: list[str], ps, pe, gs, ge) -> np.ndarray:
    """For overlapping span pairs (p, g) in texts: do they trim to the same span? The text between their starts
    must hold only characters trimmed at a start, the text between their ends only characters trimmed at an end
    (str.strip checks that), and something must be left; an HTML entity at an edge needs the full trim_span.
    map() over slices and str methods: C-level loops, no Python bytecode per pair."""
    n = len(texts)
    a, b = np.minimum(ps, gs).tolist(), np.maximum(ps, gs).tolist()
    c, e = np.minimum(pe, ge).tolist(), np.maximum(pe, ge).tolist()
    heads = list(map(getitem, texts, map(slice, a, b)))
    tails = list(map(getitem, texts, map(slice, c, e)))
    differ = (np.fromiter(map(bool, map(str.strip, heads, repeat(LEADING_CHARS))), dtype=bool, count=n)
              | np.fromiter(map(bool, map(str.strip, tails, repeat(TRAILING_CHARS))), dtype=bool, count=n))
    equal = np.zeros(n, dtype=bool)
    k = np.flatnonzero(~differ).tolist()
    middles = map(getitem, map(texts.__getitem__, k), map(slice, map(b.__getitem__, k), map(c.__getitem__, k)))
    equal[k] = np.fromiter(map(bool, map(str.strip, middles, repeat(LEADING_CHARS))), dtype=bool, count=len(k))
    for i in np.flatnonzero(differ).tolist():
        if "&" in heads[i] or "&" in tails[i]:
            t = trim_span(texts[i], int(ps[i]), int(pe[i]))
            equal[i] = t[0] < t[1] and t == trim_span(texts[i], int(gs[i]), int(ge[i]))
    return equal


def _name_ids(table: SpeakerTable, names) -> np.ndarray:
    """Interned ids of predicted speaker strings (-1 for None)."""
    ids = {name: table.name_id(name) for name in set(names)}
    return np.fromiter(map(ids.__getitem__, names), dtype=np.int64, count=len(names))


def _speaker_correct(gold: Gold, name_ids, mention_start, mention_end, gold_index: np.ndarray) -> np.ndarray:
    """True where the predicted speaker names an alias of the gold speaker or its mention span overlaps the gold
    mention, else False (also for no speaker predicted). mention_start/end None: no mention spans predicted."""
    ok = gold.speakers.name_matches(name_ids, gold.speaker[gold_index])
    if mention_start is not None:
        g_start, g_end = gold.mentions
        ok |= mention_overlaps(mention_start, mention_end, g_start[gold_index], g_end[gold_index])
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
                               _int_or_minus_one([q.speaker_start for q in present]),
                               _int_or_minus_one([q.speaker_end for q in present]), counted[has])
    out["gs_attr_correct"] = np.bincount(gold.doc[counted[ok]], minlength=n_docs)[:, None]
    p_stance = np.array([_STANCE_CODE[q.stance] if q is not None else NULL for q in qs], dtype=np.int64)
    out["gs_cm"] = stance_mod.confusion(gold.stance[counted], p_stance, gold.doc[counted], n_docs)[:, :NULL, :]
    return out


# ----------------------------------------------------------------------------------------------------------------
# counts -> numbers (vectorised over a leading batch axis)

# every per-document count: name -> its shape per document (the columns of a CountTable, in this order)
COUNT_SHAPES = {"exact": (3,), "overlap": (3,), "chars": (3,),          # tp, predictions, gold units
                "attr_correct": (1,), "stance_cm": (NULL, NULL + 1), "stance_missed": (NULL,),
                "stance_spurious": (NULL + 1,), "gs_n": (1,), "gs_attr_correct": (1,), "gs_cm": (NULL, NULL + 1),
                **{name: () for name in DATE_COUNTS}, "outlet_correct": (1,), "outlet_n": (1,)}


class CountTable:
    """Per-document counts in one int32 matrix (n_docs x K; counts are small integers), unpacked again by name
    after summing rows.

    `counts`: name -> a view into the matrix, of shape (n_docs, *COUNT_SHAPES[name]); `evaluate` writes each
    count into its view. Sums go through `totals` (exact, in int64) or a float64 copy of some rows (`rows`),
    never through int32 arithmetic."""

    def __init__(self, n_docs: int, shapes: dict[str, tuple] = COUNT_SHAPES):
        self.names = list(shapes)
        self.shapes = [tuple(shapes[n]) for n in self.names]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.matrix = np.zeros((n_docs, sum(self.sizes)), dtype=np.int32)
        self.counts = self.unpack(self.matrix)

    def totals(self) -> np.ndarray:
        """The column sums as a (1, K) float row (summed exactly, in int64)."""
        return self.matrix.sum(axis=0, dtype=np.int64).astype(np.float64)[None]

    def rows(self, first: int, stop: int) -> np.ndarray:
        """Rows first..stop as float64 (what `statistic` takes)."""
        return self.matrix[first:stop].astype(np.float64)

    def unpack(self, summed: np.ndarray) -> dict[str, np.ndarray]:
        out, col = {}, 0
        for name, shape, size in zip(self.names, self.shapes, self.sizes):
            out[name] = summed[:, col:col + size].reshape(len(summed), *shape)
            col += size
        return out

    def statistic(self, summed: np.ndarray, undefined: float = 0.0) -> dict[str, np.ndarray]:
        """Every metric, for each row of `summed` (rows = count vectors summed over some documents)."""
        return metrics(self.unpack(summed), undefined)

    def statistic_nan(self, summed: np.ndarray) -> dict[str, np.ndarray]:
        """As `statistic`, with NaN for undefined ratios (bootstrap resamples leave them out)."""
        return metrics(self.unpack(summed), np.nan)


def metrics(c: dict[str, np.ndarray], undefined: float = 0.0) -> dict[str, np.ndarray]:
    """All metrics from summed counts (each array has a leading batch axis). Flat dotted keys. `undefined`: the
    value of a ratio with a zero denominator (0 as in scikit-learn; NaN for bootstrap resamples)."""
    out = {}
    u = undefined
    for kind in ("exact", "overlap", "chars"):
        p, r, f = prf(c[kind][:, 0], c[kind][:, 1], c[kind][:, 2], u)
        out[f"quotes.{kind}.precision"], out[f"quotes.{kind}.recall"], out[f"quotes.{kind}.f1"] = p, r, f
    tp, n_pred, n_gold = c["overlap"][:, 0], c["overlap"][:, 1], c["overlap"][:, 2]
    correct = c["attr_correct"][:, 0]
    out["attribution.accuracy"] = _div(correct, tp, u)
    out["attribution.precision"], out["attribution.recall"], out["attribution.f1"] = prf(correct, n_pred, n_gold, u)
    matched_cm, e2e_cm = stance_matrices(c)
    s = stance_mod.scores(matched_cm, u)
    out.update({f"stance.{k}": s[k] for k in ("accuracy", "macro_f1", "f_avg")})
    e = stance_mod.scores(e2e_cm, u)
    out.update({f"stance_e2e.{k}": e[k] for k in ("precision", "recall", "f1", "macro_f1", "f_avg")})
    out["gold_spans.attribution_accuracy"] = _div(c["gs_attr_correct"][:, 0], c["gs_n"][:, 0], u)
    g = stance_mod.scores(_pad_null_row(c["gs_cm"]), u)
    out.update({f"gold_spans.stance.{k}": g[k] for k in ("accuracy", "macro_f1", "f_avg")})
    out["date.accuracy"] = _div(c["date_exact"], c["date_n"], u)
    out["date.within_1_day"] = _div(c["date_within_1"], c["date_n"], u)
    out["outlet.accuracy"] = _div(c["outlet_correct"][:, 0], c["outlet_n"][:, 0], u)
    # A task that was not attempted has no correct predictions, so its part is 0 here without a special case.
    out["overall"] = sum(out[k] for k in OVERALL_PARTS) / len(OVERALL_PARTS)
    return out


def stance_matrices(c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(matched-pair confusion, end-to-end confusion), both (batch, 5, 5) with the NULL row/column."""
    matched = _pad_null_row(c["stance_cm"])
    e2e = matched.copy()
    e2e[:, :NULL, NULL] += c["stance_missed"]
    e2e[:, NULL, :] += c["stance_spurious"]
    return matched, e2e


def _pad_null_row(cm: np.ndarray) -> np.ndarray:
    return np.concatenate([cm, np.zeros((len(cm), 1, NULL + 1), dtype=cm.dtype)], axis=1)




# ----------------------------------------------------------------------------------------------------------------
# results

def build_results(gold: Gold, run: Run, submission, options: Options) -> dict:
    table = run.table
    point = {k: float(v[0]) for k, v in table.statistic(table.totals()).items()}
    totals = {name: a.sum(axis=0) for name, a in run.counts.items()}
    matched_cm, e2e_cm = stance_matrices({k: v[None] for k, v in totals.items()})

    def prf_block(name: str) -> dict:
        tp, n_pred, n_gold = (int(x) for x in totals[name])
        block = {k: point[f"quotes.{name}.{k}"] for k in ("precision", "recall", "f1")}
        return {**block, "tp": tp, "n_pred": n_pred, "n_gold": n_gold}

    missing = [doc_id for doc_id, seen in zip(gold.doc_ids, run.predicted_docs) if not seen]
    extra = len(set(submission.documents) - set(gold.index))
    warnings = list(getattr(submission, "warnings", []))
    warnings += [f"no prediction for document {doc_id}: it counts as predicting nothing" for doc_id in missing[:20]]
    if len(missing) > 20:
        warnings.append(f"... and {len(missing) - 20} more documents without a prediction")
    if extra:
        warnings.append(f"{extra} predicted documents are not in split {options.split!r} and were ignored")
    if run.ignored["boilerplate"]:
        warnings.append(f"{run.ignored['boilerplate']} predicted quotes lie wholly inside boilerplate regions "
                        "and were ignored")
    if run.ignored["invalid"]:
        warnings.append(f"{run.ignored['invalid']} predicted quotes have offsets outside their text and were ignored")
    if run.ignored["other_track"]:
        warnings.append(f"{run.ignored['other_track']} predicted quotes are typed for another track than "
                        f"{options.track!r} and were ignored")
    attempted = [t for t in TASKS if t in run.attempted]
    results = {
        "overall": point["overall"],
        "quotes": {
            "exact": prf_block("exact"),
            "overlap": {**prf_block("overlap"), "threshold": options.overlap},
            "chars": prf_block("chars"),
            "ignored": dict(run.ignored),
        },
        "attribution": {
            "accuracy": point["attribution.accuracy"], "precision": point["attribution.precision"],
            "recall": point["attribution.recall"], "f1": point["attribution.f1"],
            "n_matched": int(totals["overlap"][0]), "n_correct": int(totals["attr_correct"][0]),
        },
        "stance": stance_mod.summary(matched_cm[0]),
        "stance_e2e": stance_mod.summary(e2e_cm[0], end_to_end=True),
        "gold_spans": {
            "attribution_accuracy": point["gold_spans.attribution_accuracy"],
            "n": int(totals["gs_n"][0]),
            "n_correct": int(totals["gs_attr_correct"][0]),
            "stance": stance_mod.summary(np.concatenate([totals["gs_cm"], np.zeros((1, NULL + 1))]).astype(int)),
        },
        "date": date_results(run.counts, [d.get("date_evidence") for d in gold.docs]),
        "outlet": {"accuracy": point["outlet.accuracy"], "n": gold.n_docs,
                   "n_correct": int(totals["outlet_correct"][0])},
        "attempted": attempted,
        "not_attempted": [t for t in TASKS if t not in run.attempted and t != "gold_spans"],   # a subtask
        "n_documents": gold.n_docs,
        "missing_documents": missing,
        "warnings": warnings,
        "per_document": per_document(gold, run, table),
        # after the per-document scores, not alongside: the bootstrap already keeps two cores busy, and their
        # temporaries never add up
        "intervals": stats.bootstrap_intervals(table.matrix, table.statistic_nan, MAIN_KEYS, options.n_boot,
                                               options.seed),
        "bootstrap": {"n": options.n_boot, "seed": options.seed, "level": 0.95, "unit": "document",
                      "method": "percentile", "min_two_sided_p": stats.min_two_sided_p(gold.n_docs)},
        "options": {"split": options.split, "track": options.track, "overlap": options.overlap,
                    "n_boot": options.n_boot, "seed": options.seed},
        "submission": getattr(submission, "path", None),
        "signature": str(options.signature()),
    }
    if options.errors:
        results["errors"] = build_errors(gold, run)
    return results


def document_scores(table: CountTable, keys) -> dict[str, np.ndarray]:
    """The metrics `keys` per document; NaN where undefined (no gold unit and no prediction in the document), and
    `overall` = the mean of the parts defined for the document."""
    wanted = set(keys) | set(OVERALL_PARTS)
    n = len(table.matrix)
    m = {k: np.empty(n) for k in wanted}
    # row blocks: every metric is row-wise, and the temporaries of 100k documents at once take ~100 MB
    for i in range(0, n, _DOCUMENT_BLOCK):
        block = table.statistic(table.rows(i, i + _DOCUMENT_BLOCK), undefined=np.nan)
        for k in wanted:
            m[k][i:i + _DOCUMENT_BLOCK] = block[k]
    parts = np.stack([m[k] for k in OVERALL_PARTS])
    defined = ~np.isnan(parts)
    m["overall"] = np.divide(np.where(defined, parts, 0).sum(axis=0), defined.sum(axis=0),
                             out=np.full(parts.shape[1], np.nan), where=defined.any(axis=0))
    return m


def per_document(gold: Gold, run: Run, table: CountTable) -> "PerDocument":
    """Per document: the main scores (None where undefined) and counts, and the date/outlet prediction next to
    the gold."""
    return PerDocument(gold, run, document_scores(table, PerDocument.SCORES))


class PerDocument(Mapping):
    """doc_id -> that document's results (a dict, see `row`), made when asked for from per-document arrays: a
    corpus of 100k documents does not hold 100k nested dicts that most consumers never read. A read-only
    Mapping: compares equal to the plain dict of the same rows; `render.to_json` writes it as an object."""

    SCORES = ("overall", "quotes.exact.precision", "quotes.exact.recall", "quotes.exact.f1",
               "quotes.overlap.precision", "quotes.overlap.recall", "quotes.overlap.f1", "attribution.accuracy",
               "attribution.f1", "stance.accuracy", "stance.macro_f1", "stance_e2e.macro_f1")

    def __init__(self, gold: Gold, run: Run, scores: dict[str, np.ndarray]):
        self._doc_ids, self._index = gold.doc_ids, gold.index
        self._gold_docs, self._docs = gold.docs, run.docs
        self._scores = {k: scores[k] for k in self.SCORES}
        self._predicted = run.predicted_docs
        self._counts = np.stack([run.counts["exact"][:, 0], *run.counts["overlap"].T,
                                 run.counts["date_exact"].reshape(len(run.predicted_docs), -1)[:, 0],
                                 run.counts["outlet_correct"][:, 0]], axis=1)

    def __len__(self) -> int:
        return len(self._doc_ids)

    def __iter__(self):
        return iter(self._doc_ids)

    def __contains__(self, doc_id) -> bool:
        return doc_id in self._index

    def __getitem__(self, doc_id: str) -> dict:
        return self.row(self._index[doc_id])

    def row(self, i: int) -> dict:
        """The results of the i-th gold document."""
        def score(key):
            x = float(self._scores[key][i])
            return None if x != x else x

        e_tp, o_tp, n_pred, n_gold, d_ok, o_ok = self._counts[i].tolist()
        g, p = self._gold_docs[i], self._docs[i]
        return {
            "predicted": bool(self._predicted[i]), "overall": score("overall"),
            "quotes": {"exact": {"precision": score("quotes.exact.precision"), "recall": score("quotes.exact.recall"),
                                 "f1": score("quotes.exact.f1"), "tp": e_tp},
                       "overlap": {"precision": score("quotes.overlap.precision"),
                                   "recall": score("quotes.overlap.recall"), "f1": score("quotes.overlap.f1"),
                                   "tp": o_tp},
                       "n_pred": n_pred, "n_gold": n_gold},
            "attribution": {"accuracy": score("attribution.accuracy"), "f1": score("attribution.f1")},
            "stance": {"accuracy": score("stance.accuracy"), "macro_f1": score("stance.macro_f1")},
            "stance_e2e": {"macro_f1": score("stance_e2e.macro_f1")},
            "date": {"gold": _iso(g.get("published")),
                     "predicted": _iso(p.published) if p is not None and "published" in p.fields else None,
                     "exact": bool(d_ok)},
            "outlet": {"gold": g.get("outlet"),
                       "predicted": p.outlet if p is not None and "outlet" in p.fields else None,
                       "correct": bool(o_ok)},
        }

    def __repr__(self) -> str:
        return f"<per_document: {len(self)} documents>"


def _iso(date) -> str | None:
    return date.isoformat() if date is not None else None


def _snippet(text: str, start: int, end: int) -> str:
    s = " ".join(text[start:end].split())
    return s if len(s) <= SNIPPET else s[: SNIPPET - 1] + "…"


def build_errors(gold: Gold, run: Run) -> dict[str, dict]:
    """Per document: missed gold units, spurious predictions, boundary differences of matched pairs, wrong
    speakers, wrong stances, and a wrong date/outlet, each with the text snippet and the submission line; plus
    `matched`, every counted matched pair with both spans, speakers and stances (for the HTML error report)."""
    out = {doc_id: {"matched": [], "missed": [], "spurious": [], "boundary": [], "wrong_speaker": [],
                    "wrong_stance": [], "date": None, "outlet": None} for doc_id in gold.doc_ids}
    rows, texts = gold.rows, gold.texts
    for g in run.pairs["missed"].tolist():
        row = rows[g]
        out[row["doc_id"]]["missed"].append({
            "quote_id": row["quote_id"], "type": row["type"], "start": row["start"], "end": row["end"],
            "text": _snippet(texts[gold.doc[g]], row["start"], row["end"]), "speaker": row["speaker"],
            "stance": row["stance"]})
    quotes, kept, p_doc = run.pred["quotes"], run.pred["kept"].tolist(), run.pred["doc"].tolist()
    for k in np.flatnonzero(run.pred["spurious"]).tolist():
        q, i = quotes[kept[k]], p_doc[k]
        out[gold.doc_ids[i]]["spurious"].append({
            "line": q.line, "start": q.start, "end": q.end, "text": _snippet(texts[i], q.start, q.end),
            "speaker": q.speaker, "stance": q.stance})
    pairs = run.pairs
    for p, g, ok, st in zip(pairs["pred"].tolist(), pairs["gold"].tolist(), pairs["speaker_ok"].tolist(),
                            pairs["stance"].tolist()):
        q, row, text = quotes[kept[p]], rows[g], texts[gold.doc[g]]
        errors = out[row["doc_id"]]
        where = {"quote_id": row["quote_id"], "line": q.line, "text": _snippet(text, row["start"], row["end"])}
        # every counted matched pair, right or wrong (the HTML error report draws them all)
        errors["matched"].append({**where, "gold": [row["start"], row["end"]], "predicted": [q.start, q.end],
                                  "gold_speaker": row["speaker"], "predicted_speaker": q.speaker,
                                  "speaker_correct": bool(ok) if "attribution" in run.attempted else None,
                                  "gold_stance": row["stance"], "predicted_stance": q.stance,
                                  "stance_correct": (st == _STANCE_CODE[row["stance"]]) if "stance" in run.attempted
                                  else None})
        if trim_span(text, q.start, q.end) != trim_span(text, row["start"], row["end"]):
            errors["boundary"].append({**where, "gold": [row["start"], row["end"]], "predicted": [q.start, q.end],
                                       "predicted_text": _snippet(text, q.start, q.end)})
        # a task the submission did not attempt has no wrong answers to list (the report says "not attempted")
        if not ok and "attribution" in run.attempted:
            errors["wrong_speaker"].append({**where, "gold": row["speaker"], "predicted": q.speaker})
        if st != _STANCE_CODE[row["stance"]] and "stance" in run.attempted:
            errors["wrong_stance"].append({**where, "gold": row["stance"], "predicted": q.stance})
    per_doc = per_document_dates_outlets(gold, run)
    for doc_id, (date, outlet) in per_doc.items():
        out[doc_id]["date"], out[doc_id]["outlet"] = date, outlet
    return out


def per_document_dates_outlets(gold: Gold, run: Run) -> dict[str, tuple]:
    """doc_id -> (date error or None, outlet error or None)."""
    out = {}
    for i, (doc_id, g, p) in enumerate(zip(gold.doc_ids, gold.docs, run.docs)):
        date = outlet = None
        if not run.counts["date_exact"][i]:
            date = {"gold": _iso(g.get("published")),
                    "predicted": _iso(p.published) if p is not None and "published" in p.fields else None,
                    "evidence": g.get("date_evidence")}
        if not run.counts["outlet_correct"][i, 0]:
            outlet = {"gold": g.get("outlet"), "aliases": list(g.get("outlet_aliases") or ()),
                      "predicted": p.outlet if p is not None and "outlet" in p.fields else None,
                      "attempted": p is not None and "outlet" in p.fields, "evidence": g.get("outlet_evidence")}
        out[doc_id] = (date, outlet)
    return out


def key_task(key: str) -> str:
    """The task a results key belongs to: "stance_e2e.macro_f1" -> "stance"."""
    head = key.split(".", 1)[0]
    return {"stance_e2e": "stance"}.get(head, head)


def build_comparison(gold: Gold, run_a: Run, run_b: Run, other, options: Options) -> dict:
    """Paired comparison of two submissions over the same documents (A = the scored one, B = `other`)."""
    table_a, table_b = run_a.table, run_b.table
    point_a = table_a.statistic(table_a.totals())
    point_b = table_b.statistic(table_b.totals())
    attempted = run_a.attempted | run_b.attempted
    keys = [k for k in MAIN_KEYS if k == "overall" or key_task(k) in attempted]
    rand = stats.paired_randomisation(table_a.matrix, table_b.matrix, table_a.statistic, keys, options.n_boot,
                                      options.seed)
    boot = stats.paired_bootstrap(table_a.matrix, table_b.matrix, table_a.statistic, keys, options.n_boot,
                                  options.seed)
    doc_a = document_scores(table_a, ["overall"])["overall"]
    doc_b = document_scores(table_b, ["overall"])["overall"]
    n = gold.n_docs
    min_p = stats.min_two_sided_p(n)
    note = (f"{n} documents: an exact paired randomisation test has {2 ** n if n <= stats.EXACT_MAX_DOCS else 'many'}"
            f" outcomes, so the smallest possible two-sided p is {min_p:.4g}")
    if min_p > 0.05:
        note += "; p < 0.05 is impossible with this few documents, whatever the systems do"
    if n < 30:
        note += (f". The paired bootstrap can only recombine these {n} documents, so with this few it understates "
                 "the uncertainty (a tiny p_bootstrap is not evidence): read p_randomisation")
    return {
        "b": getattr(other, "path", None),
        "scores": {k: {"a": float(point_a[k][0]), "b": float(point_b[k][0]),
                       "difference": float(point_a[k][0] - point_b[k][0]),
                       "p_randomisation": rand["p"][k], "p_bootstrap": boot[k]} for k in keys},
        "randomisation": {"exact": rand["exact"], "n_permutations": rand["n_permutations"],
                          "two_sided": True, "unit": "document"},
        "paired_bootstrap": {"n": options.n_boot, "seed": options.seed, "one_sided": True,
                             "rule": "share of resamples whose difference exceeds twice the observed one"},
        "win_loss": stats.win_loss(gold.doc_ids, doc_a, doc_b),
        "n_documents": n,
        "min_two_sided_p": min_p,
        "note": note,
    }

"""Predicted quotes as compact arrays for the fast engine (`PredictionColumns`), filled one document at a time by a
streaming reader or from a parsed Submission."""
from __future__ import annotations

from itertools import compress, repeat
from operator import attrgetter

import numpy as np

from benchmark.labels import QUOTE_TYPES
from benchmark.scoring.fast.matching import is_sorted
from benchmark.scoring.fast.speakers import SpeakerTable
from benchmark.scoring.metrics import stance as stance_mod
from benchmark.submission import NO_QUOTES, QUOTE_ROW_FIELDS

NULL = stance_mod.NULL
STANCE_CODE = {**stance_mod.CODE, None: NULL}
TYPE_CODE = {**{t: i for i, t in enumerate(QUOTE_TYPES)}, None: -1}
# the arrays of PredictionColumns, in the order of its chunks
PREDICTION_ARRAYS = ("doc", "start", "end", "type", "speaker", "speaker_start", "speaker_end", "stance")


def int_or_minus_one(values) -> np.ndarray:
    """Integers with None -> -1 (via float NaN: one C-level conversion)."""
    return np.nan_to_num(np.array(values, dtype=np.float64), nan=-1).astype(np.int64)


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
        self.n_rows = 0                      # quotes taken (span-located and not found)
        self.unaligned: list[int] = []       # the rows of quotes given by a text not found (row 0..0, flagged)

    @classmethod
    def from_columns(cls, columns) -> "PredictionColumns":
        """The quotes of a file read by `benchmark.submission.columnar.read_columns` (already arrays)."""
        self = cls()
        self.doc_ids = list(columns.doc_ids)
        self.names = {name: i for i, name in enumerate(columns.speaker_names)}
        self.names.setdefault(None, len(self.names))
        speaker = columns.speaker
        speaker[speaker < 0] = self.names[None]             # in place: the reader's arrays are ours now
        arrays = (columns.doc, columns.start, columns.end, columns.type, speaker, None, None, columns.stance)
        self._chunks = [[a] if a is not None else [] for a in arrays]      # no mention spans in such a file
        self.n_rows = len(columns.doc)
        return self

    def add_rows(self, doc_id: str, rows: list[tuple]) -> None:
        """Take the span-located quotes of one document as QUOTE_ROW_FIELDS tuples."""
        self._doc.extend(repeat(len(self.doc_ids), len(rows)))
        self.doc_ids.append(doc_id)
        self._rows.extend(rows)
        self.n_rows += len(rows)
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
            rows = list(map(self._ROW, quotes))
            for k, q in enumerate(quotes):
                if q.start is None:              # not found: an empty span at 0, flagged (see `arrays`)
                    self.unaligned.append(self.n_rows + k)
                    rows[k] = (0, 0, *rows[k][2:])
            self.add_rows(document.doc_id, rows)
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
                  np.fromiter(map(TYPE_CODE.__getitem__, types), dtype=np.int8, count=n),
                  np.fromiter(map(known.__getitem__, names), dtype=np.int32, count=n),
                  int_or_minus_one(m_starts), int_or_minus_one(m_ends),
                  np.fromiter(map(STANCE_CODE.__getitem__, stances), dtype=np.int8, count=n))
        for chunks, array in zip(self._chunks, arrays):
            chunks.append(array)
        self._doc, self._rows = [], []

    def arrays(self, index: dict[str, int], speakers: SpeakerTable) -> dict:
        """The quotes of the documents in `index` (doc_id -> gold index), in gold document order, in compact
        arrays: int32 doc (gold index), start, end, speaker (id in `speakers`, -1 none), speaker_start and
        speaker_end (-1 none; both None when no quote has a mention span); int8 type (code, -1 none) and stance
        (code); bool unaligned (None when every quote has a span: a quote given by a text not found, whose span
        is then 0..0); plus quotes (objects or None), id_quotes and id_doc. Offsets are clipped to
        [-1, 2**31 - 1]: an offset outside that range is outside every text either way."""
        self._flush()
        out = {"unaligned": None}
        if self.unaligned:
            out["unaligned"] = np.zeros(self.n_rows, dtype=bool)
            out["unaligned"][self.unaligned] = True
        for k, chunks in zip(PREDICTION_ARRAYS, self._chunks):
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

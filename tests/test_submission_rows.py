"""read_submission's `on_quote_rows` hook: the fast path's quotes as rows carry exactly the fields of the
PredictedQuote objects the plain reader makes, and the slow path still gives objects."""
from __future__ import annotations

import dataclasses

from benchmark.submission import QUOTE_ROW_FIELDS, read_submission

TEXTS = {"d0": "Putin said no to the talks.", "d1": "Lavrov said yes.", "d2": "Peskov said nothing."}
LINES = [
    {"doc_id": "d0", "quotes": [{"start": 0, "end": 5, "speaker": "Putin", "stance": "against"},
                                {"end": 27, "start": 11, "type": "indirect", "stance": None}]},
    {"doc_id": "d1", "outlet": None, "quotes": [{"text": "said yes", "speaker_start": 0, "speaker_end": 6}]},
    {"doc_id": "d2", "quotes": []},
]


def test_rows_equal_the_objects():
    plain = read_submission(LINES, TEXTS)
    rows: dict[str, list[tuple]] = {}
    streamed = read_submission(LINES, TEXTS, on_quote_rows=lambda doc_id, r: rows.setdefault(doc_id, []).extend(r))
    assert list(rows) == ["d0"]                                  # d1 took the slow path, d2 has no quotes
    assert rows["d0"] == [tuple(getattr(q, f) for f in QUOTE_ROW_FIELDS) for q in plain.documents["d0"].quotes]
    assert streamed.documents["d0"].quotes == []
    assert streamed.documents["d1"].quotes == plain.documents["d1"].quotes
    assert streamed.attempted == plain.attempted
    assert [dataclasses.replace(d, quotes=[]) for d in streamed.documents.values()] == \
        [dataclasses.replace(d, quotes=[]) for d in plain.documents.values()]

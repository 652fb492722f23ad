"""The columnar fast path (`benchmark.submission.columnar`) reads a file exactly as `read_submission` does, or hands
it over (None): never a different value, field, task attempted, or a file accepted that the reference rejects."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_submission_fuzz import DOCS, FUZZ, IDS, apply, apply_line, json_values, line_mutation, mutation, outcome

from benchmark.errors import InputError
from benchmark.labels import QUOTE_TYPES, STANCES
from benchmark.scoring import read_predictions
from benchmark.submission import read_submission
from benchmark.submission.columnar import read_columns

LIMITS = {"max_line_bytes": 4000, "max_quotes_per_doc": 3}


def fast_object(doc_index: int) -> dict:
    """A line in the fast path's shape."""
    return {"doc_id": IDS[doc_index], "outlet": "CNN", "published": "2016-11-09", "quotes": [
        {"start": 0, "end": 10, "speaker": "Putin", "stance": "favor", "type": "direct"},
        {"end": 40, "start": 20, "speaker": None, "stance": None},
        {"start": 5, "end": len(DOCS[IDS[doc_index]]), "type": "indirect"}]}


def quote_rows(columns) -> list[tuple]:
    names = columns.speaker_names
    return [(columns.doc_ids[d], s, e, names[sp] if sp >= 0 else None, STANCES[st] if st < len(STANCES) else None,
             QUOTE_TYPES[t] if t >= 0 else None)
            for d, s, e, sp, st, t in zip(columns.doc.tolist(), columns.start.tolist(), columns.end.tolist(),
                                          columns.speaker.tolist(), columns.stance.tolist(), columns.type.tolist())]


def assert_same_as_reference(path) -> bool:
    """read_columns is None, or equals read_submission. Returns whether the fast path took the file."""
    columns = read_columns(str(path), DOCS, **LIMITS)
    try:
        reference = read_submission(path, DOCS, **LIMITS)
    except InputError:
        assert columns is None, "the fast path accepted a file the reference rejects"
        outcome("invalid")
        return False
    if columns is None:
        outcome("handed over")
        return False
    outcome("fast")
    docs = list(reference.documents.values())
    assert columns.doc_ids == [d.doc_id for d in docs]
    assert (columns.outlets or [None] * len(docs)) == [d.outlet for d in docs]
    assert (columns.published or [None] * len(docs)) == [d.published for d in docs]
    for d in docs:
        assert d.fields & {"outlet", "published", "quotes"} == columns.fields
    assert quote_rows(columns) == [(d.doc_id, q.start, q.end, q.speaker, q.stance, q.type)
                                   for d in docs for q in d.quotes]
    fast = read_predictions(str(path), DOCS, set(), stream=True)
    assert fast.columns is not None and fast.attempted == reference.attempted
    return True


def write(tmp_path, lines, name="sub.jsonl"):
    path = tmp_path / name
    path.write_bytes(b"".join(line if isinstance(line, bytes) else (json.dumps(line) + "\n").encode()
                              for line in lines))
    return path


@FUZZ
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=4), st.lists(mutation, max_size=2), line_mutation,
                          st.booleans()), min_size=1, max_size=4))
def test_mutated_files_read_as_the_reference_does(tmp_path_factory, docs):
    lines = []
    for doc_index, mutations, line_mut, mutate_line in docs:
        obj = fast_object(doc_index)
        for m in mutations:
            apply(obj, m)
        raw = json.dumps(obj).encode()
        lines.append(apply_line(raw, line_mut) if mutate_line else raw)
    path = tmp_path_factory.mktemp("columnar") / "sub.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert_same_as_reference(path)


@FUZZ
@given(st.lists(st.dictionaries(st.sampled_from(["doc_id", "outlet", "published", "quotes", "note"]),
                                json_values, max_size=5), min_size=1, max_size=4))
def test_random_documents_read_as_the_reference_does(tmp_path_factory, objects):
    assert_same_as_reference(write(tmp_path_factory.mktemp("columnar"), objects))


def test_clean_files_take_the_fast_path(tmp_path):
    assert assert_same_as_reference(write(tmp_path, [fast_object(i) for i in range(5)]))
    quotes_only = [{"doc_id": IDS[i], "quotes": [{"start": 1, "end": 9}]} for i in range(3)]
    assert assert_same_as_reference(write(tmp_path, quotes_only, "q.jsonl"))
    no_quotes = [{"doc_id": IDS[i], "quotes": []} for i in range(2)]
    assert assert_same_as_reference(write(tmp_path, no_quotes, "n.jsonl"))
    last_line_open = write(tmp_path, [json.dumps(fast_object(0)).encode()], "open.jsonl")
    assert assert_same_as_reference(last_line_open)
    escaped_key = write(tmp_path, [CLEAN.replace('"doc_id"', '"doc_\\u0069d"').encode() + b"\n"], "e.jsonl")
    assert assert_same_as_reference(escaped_key)                            # keys are decoded alike


CLEAN = json.dumps(fast_object(0))


@pytest.mark.parametrize("content", [
    b"\xef\xbb\xbf" + CLEAN.encode() + b"\n",                                  # byte-order mark
    CLEAN.encode() + b"\n\n",                                                 # a blank line
    CLEAN.encode() + b"\n   \n",                                              # a whitespace line
    CLEAN.encode() + json.dumps(fast_object(1)).encode() + b"\n",             # two objects on one line
    CLEAN.replace('"CNN"', "null").encode() + b"\n",                          # outlet null: null or absent?
    CLEAN.replace('"2016-11-09"', "null").encode() + b"\n",                   # published null everywhere
    CLEAN.replace('"Putin"', '"\\ud800"').encode() + b"\n",                   # a lone surrogate (json accepts it)
    CLEAN.replace('"start": 0', '"start": 0.0').encode() + b"\n",             # 0.0: an integer to the reference
    CLEAN.replace('"start": 0', '"start": 0, "start": 1').encode() + b"\n",   # a repeated key
    CLEAN.replace('"Putin"', "NaN").encode() + b"\n",
    CLEAN.replace('"published"', '"p\\u0075blished"').replace('"2016-11-09"', "null").encode() + b"\n",
    CLEAN.replace('"quotes": [', '"quotes": [{"text": "Putin"}, ').encode() + b"\n",   # a text locator
    CLEAN.replace('"Putin",', '"Putin", "speaker_start": 1, "speaker_end": 3,').encode() + b"\n",
    CLEAN.replace('"favor"', '"Favor"').encode() + b"\n",
    CLEAN.replace('"2016-11-09"', '"2016-02-30"').encode() + b"\n",
    (CLEAN + "\n" + CLEAN + "\n").encode(),                                  # a repeated doc_id
    CLEAN.replace(IDS[0], "nope").encode() + b"\n",
    CLEAN.replace('"Putin"', '"Pu\xfftin"').encode("latin-1") + b"\n",          # not UTF-8
    CLEAN.replace('"Putin"', '"' + "x" * 5000 + '"').encode() + b"\n",        # longer than max_line_bytes
    b"",
    (json.dumps({"doc_id": IDS[0], "quotes": [None]}) + "\n").encode(),      # a null quote (found by the fuzzer)
])
def test_unusual_files_are_handed_over(tmp_path, content):
    path = tmp_path / "sub.jsonl"
    path.write_bytes(content)
    assert read_columns(str(path), DOCS, **LIMITS) is None
    assert not assert_same_as_reference(path)


ABSENT = object()


@st.composite
def near_valid_lines(draw) -> dict:
    """Lines that are mostly valid, varying exactly what pyarrow sees differently from json: null vs absent keys,
    quote keys on some quotes only, edge offsets, labels, dates."""
    doc_id = draw(st.sampled_from(IDS))
    n = len(DOCS[doc_id])
    obj = {"doc_id": doc_id}
    for key, values in (("outlet", ["CNN", None, "", ABSENT]), ("published", ["2016-11-09", "2024-11-07", None,
                                                                             "2016-11-9", ABSENT]),
                        ("note", ["x", None, ABSENT, ABSENT])):
        value = draw(st.sampled_from(values))
        if value is not ABSENT:
            obj[key] = value
    shape = draw(st.sampled_from(["list", "list", "list", "empty", "null", "absent"]))
    if shape == "list":
        quotes = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            start = draw(st.sampled_from([0, 1, n - 1, n, -1, 5]))
            end = draw(st.sampled_from([1, 10, n, n + 1, start + 1]))
            q = {"start": start, "end": end}
            for key, values in (("speaker", ["Putin", "", None, ABSENT]), ("stance", [*STANCES, None, ABSENT]),
                                ("type", [*QUOTE_TYPES, None, ABSENT, "Direct"])):
                value = draw(st.sampled_from(values))
                if value is not ABSENT:
                    q[key] = value
            quotes.append(q)
        obj["quotes"] = quotes
    elif shape != "absent":
        obj["quotes"] = [] if shape == "empty" else None
    return obj


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(near_valid_lines(), min_size=1, max_size=5))
def test_near_valid_files_read_as_the_reference_does(tmp_path_factory, objects):
    assert_same_as_reference(write(tmp_path_factory.mktemp("columnar"), objects))

"""Property-based tests: random and mutated submissions never crash the reader.

read_submission either returns a Submission whose every value is valid (offsets inside the article, known labels,
real dates) or raises InputError with `FILE:LINE: field: problem` lines -- never any other exception. Through the
command line the exit status is 0 or 2, nothing else, and there is never a traceback."""
import datetime
import json
import sys
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from benchmark.cli import main
from benchmark.corpus.build import build
from benchmark.errors import InputError
from benchmark.labels import QUOTE_TYPES, STANCES
from benchmark.submission import Submission, read_submission

ROOT = Path(__file__).resolve().parents[1]
DOCS = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "annotations" / "documents").glob("*.txt"))}
IDS = sorted(DOCS)
GOLD_IDS = {f"{IDS[3]}-q01", f"{IDS[3]}-q02"}
KEYS = ["doc_id", "outlet", "published", "quotes", "note", "start", "end", "text", "occurrence", "quote_id",
        "speaker", "speaker_start", "speaker_end", "stance", "type", "id", "confidence", "stnace", ""]

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10 ** 30, max_value=10 ** 30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
    st.sampled_from(IDS + list(STANCES) + list(QUOTE_TYPES) + ["2016-11-09", "2024-02-30", "FAVOR", ""]),
)
json_values = st.recursive(json_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=5)), max_leaves=20)


def valid_object(doc_index: int) -> dict:
    doc_id = IDS[doc_index]
    text = DOCS[doc_id]
    return {"doc_id": doc_id, "outlet": "CNN", "published": "2016-11-09", "quotes": [
        {"start": 0, "end": 10, "speaker": "Putin", "stance": "favor", "type": "direct"},
        {"text": text[20:60], "speaker_start": 3, "speaker_end": 9, "stance": None},
        {"start": 5, "end": len(text), "type": "indirect", "id": 1, "confidence": 0.5},
    ]}


def outcome(name: str) -> None:
    """Count outcomes in `pytest --hypothesis-show-statistics` (a no-op outside a hypothesis test)."""
    try:
        event(name)
    except InvalidArgument:
        pass


def check_outcome(source, **kw) -> Submission | None:
    try:
        sub = read_submission(source, DOCS, GOLD_IDS, **kw)
        outcome("valid")
    except InputError as err:
        outcome("invalid")
        assert err.problems
        for problem in err.problems:
            assert isinstance(problem, str) and problem.count(":") >= 2 and "\n" not in problem, problem
        return None
    for doc_id, doc in sub.documents.items():
        n = len(DOCS[doc_id])
        assert doc.outlet is None or isinstance(doc.outlet, str)
        assert doc.published is None or type(doc.published) is datetime.date
        for q in doc.quotes:
            if q.quote_id is None:
                assert type(q.start) is int and type(q.end) is int and 0 <= q.start < q.end <= n
            else:
                assert q.quote_id in GOLD_IDS and q.start is None
            assert q.stance in (*STANCES, None) and q.type in (*QUOTE_TYPES, None)
            assert q.speaker is None or isinstance(q.speaker, str)
            if q.speaker_start is not None:
                assert 0 <= q.speaker_start < q.speaker_end <= n
    return sub


# -- random input ----------------------------------------------------------------------------------------------

@FUZZ
@given(st.lists(json_values, max_size=5))
def test_random_json_lines(values):
    check_outcome([json.dumps(v) for v in values])


@FUZZ
@given(st.lists(json_values, max_size=5))
def test_random_python_objects(values):
    check_outcome(values)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "sub.jsonl"
    path.write_bytes(data)
    check_outcome(path, max_line_bytes=200)


# -- mutations of a valid submission -----------------------------------------------------------------------------

def set_path(obj: dict, path: tuple, value):
    target = obj
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def del_path(obj: dict, path: tuple):
    target = obj
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]


PATHS = [("doc_id",), ("outlet",), ("published",), ("quotes",), ("quotes", 0), ("quotes", 0, "start"),
         ("quotes", 0, "end"), ("quotes", 0, "speaker"), ("quotes", 0, "stance"), ("quotes", 0, "type"),
         ("quotes", 1, "text"), ("quotes", 1, "speaker_start"), ("quotes", 1, "speaker_end"),
         ("quotes", 2, "end"), ("quotes", 2, "id"), ("quotes", 2, "confidence")]

mutation = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(PATHS)),
    st.tuples(st.just("set"), st.sampled_from(PATHS), json_values),
    st.tuples(st.just("huge"), st.sampled_from(PATHS), st.sampled_from([10 ** 18, -10 ** 18, 1e308, 2 ** 63])),
    st.tuples(st.just("nest"), st.sampled_from(PATHS), st.integers(min_value=1, max_value=40)),
    st.tuples(st.just("add_key"), st.sampled_from(KEYS), json_values),
)
line_mutation = st.one_of(
    st.tuples(st.just("truncate"), st.integers(min_value=0, max_value=400)),
    st.tuples(st.just("insert_bytes"), st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("none"), st.just(0)),
)


def apply(obj: dict, m) -> None:
    kind, path = m[0], m[1]
    try:
        if kind == "delete":
            del_path(obj, path)
        elif kind == "set":
            set_path(obj, path, m[2])
        elif kind == "huge":
            set_path(obj, path, m[2])
        elif kind == "nest":
            value = "x"
            for _ in range(m[2]):
                value = [value]
            set_path(obj, path, value)
        elif kind == "add_key":
            obj[path] = m[2]
    except (KeyError, IndexError, TypeError):
        pass                                # the path no longer exists after an earlier mutation


def apply_line(raw: bytes, m) -> bytes:
    if m[0] == "truncate":
        return raw[:m[1]]
    if m[0] == "insert_bytes":
        return raw[:m[1]] + m[2] + raw[m[1]:]
    return raw


@FUZZ
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=4), st.lists(mutation, max_size=3), line_mutation),
                min_size=1, max_size=4),
       st.integers(min_value=3, max_value=20))
def test_mutated_valid_submissions(tmp_path_factory, docs, max_depth):
    lines = []
    for doc_index, mutations, line_mut in docs:
        obj = valid_object(doc_index)
        for m in mutations:
            apply(obj, m)
        lines.append(apply_line(json.dumps(obj).encode(), line_mut))
    path = tmp_path_factory.mktemp("fuzz") / "sub.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    check_outcome(path, max_depth=max_depth, max_line_bytes=4000, max_quotes_per_doc=3)
    check_outcome([line.decode("utf-8", "replace") for line in lines], max_depth=max_depth)


def test_unmutated_valid_submission_is_accepted():
    sub = check_outcome([json.dumps(valid_object(i)) for i in range(5)])
    assert sub is not None and len(sub.documents) == 5


# -- through the command line: exit 0 or 2 -----------------------------------------------------------------------

FIXTURE = Path(__file__).parent / "fixtures" / "dataset_annotations"
TEST_DOC = "901_bbbbbbbbbbbbbbbb"


class ReplayExtractor:
    """Returns whatever the test put in PREDICTION (a fuzzed submission object)."""
    PREDICTION: object = None

    def extract(self, document):
        return ReplayExtractor.PREDICTION


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("fuzzdata") / "data"
    build(FIXTURE, out)
    module = types.ModuleType("_fuzz_replay_extractor")
    module.ReplayExtractor = ReplayExtractor
    sys.modules[module.__name__] = module
    return str(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.one_of(json_values, st.dictionaries(st.sampled_from(KEYS), json_values, max_size=4)),
       st.lists(mutation, max_size=3))
def test_cli_run_exit_status_is_0_or_2(data_dir, tmp_path_factory, capsys, prediction, mutations):
    if isinstance(prediction, dict):
        prediction = {"doc_id": TEST_DOC, **prediction} if "doc_id" not in prediction else prediction
        for m in mutations:
            apply(prediction, m)
    ReplayExtractor.PREDICTION = prediction
    out = tmp_path_factory.mktemp("cli") / "p.jsonl"
    code = main(["run", "_fuzz_replay_extractor:ReplayExtractor", "--data", data_dir, "-o", str(out), "--quiet"])
    _, err = capsys.readouterr()
    event(f"exit {code}")
    assert code in (0, 2), err
    assert "Traceback" not in err
    assert out.exists() == (code == 0)


def valid_fixture_object() -> dict:
    return {"doc_id": TEST_DOC, "outlet": "Example Wire", "published": "2024-11-06", "quotes": [
        {"start": 127, "end": 148, "speaker": "Peskov", "stance": "none", "type": "direct"},
        {"text": "Nothing will change quickly.", "speaker_start": 0, "speaker_end": 5, "stance": None},
        {"start": 257, "end": 279, "type": "direct", "id": 1, "confidence": 0.5},
    ]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(mutation, max_size=3), line_mutation, st.booleans())
def test_cli_score_exit_status_is_0_or_2(data_dir, tmp_path_factory, capsys, mutations, line_mut, twice):
    obj = valid_fixture_object()
    for m in mutations:
        apply(obj, m)
    raw = apply_line(json.dumps(obj).encode(), line_mut)
    path = tmp_path_factory.mktemp("score") / "sub.jsonl"
    path.write_bytes(raw + b"\n" + (raw + b"\n" if twice else b""))
    code = main(["score", str(path), "--data", data_dir, "--bootstrap", "0", "--track", "all"])
    out, err = capsys.readouterr()
    event(f"exit {code}")
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert out == ""                      # never a score from invalid input
        assert err.strip()
    else:
        assert "kremlin-reactions|data:" in out

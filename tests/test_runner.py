"""benchmark.submission.runner: run_extractor and `kremlin-reactions run` on a small dataset built from the repo's fixture
(tests/fixtures/dataset_annotations: 900 = train, 901 = test)."""
import datetime
import json
import textwrap
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.corpus.build import build
from benchmark.dataset import read_rows
from benchmark.submission import read_submission
from benchmark.submission.runner import ExtractorFailed, load_extractor, run_extractor, to_json_object, to_jsonl_lines

FIXTURE = Path(__file__).parent / "fixtures" / "dataset_annotations"
TRAIN, TEST = "900_aaaaaaaaaaaaaaaa", "901_bbbbbbbbbbbbbbbb"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("runner") / "data"
    build(FIXTURE, out)
    return str(out)


def extractor_file(tmp_path: Path, body: str, name: str = "ext.py") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


GOOD = """
    import datetime
    SEEN = []
    class Good:
        def __init__(self):
            self.fitted = None
        def fit(self, documents, quotes):
            self.fitted = (sorted(d["doc_id"] for d in documents), len(quotes), sorted(documents[0]))
            return self
        def extract(self, document):
            SEEN.append(sorted(document))
            text = document["text"]
            i = text.index("Peskov") if "Peskov" in text else 0
            # keys deliberately in a non-canonical order; a date object; a text locator
            return {"quotes": [{"type": "direct", "stance": "none", "end": i + 6, "start": i, "speaker": "Peskov"},
                               {"text": text[1:12]}],
                    "published": datetime.date(2024, 11, 6), "outlet": None}
    class NoFit:
        def extract(self, document):
            return {"doc_id": document["doc_id"], "quotes": []}
"""


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_writes_a_valid_deterministic_submission(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, GOOD) + ":Good"
    out = tmp_path / "preds.jsonl"
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(out))
    assert code == 0, err
    assert f"wrote {out}: 1 documents, 2 quotes" in err
    assert "in-sample" not in err
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert list(obj) == ["doc_id", "outlet", "published", "quotes"]          # canonical key order
    assert list(obj["quotes"][0]) == ["start", "end", "speaker", "stance", "type"]
    assert obj["doc_id"] == TEST and obj["published"] == "2024-11-06"
    first = out.read_bytes()
    assert run_cli(capsys, "run", spec, "--data", data, "-o", str(out))[0] == 0
    assert out.read_bytes() == first                                          # byte-identical rerun
    texts = {r["doc_id"]: r["text"] for r in read_rows("documents", "test", data)}
    sub = read_submission(out, texts)
    assert sub.documents[TEST].quotes[1].start == 1


def test_fit_on_train_then_predict_with_inputs_only(data):
    ext = load_extractor(extractor_file(Path(data).parent, GOOD, "fit_ext.py") + ":Good")
    from benchmark.submission.runner import fit_extractor
    fit_extractor(ext, read_rows("documents", "train", data), read_rows("quotes", "train", data))
    docs = read_rows("documents", "test", data)
    preds = run_extractor(ext, docs, progress=False)
    assert ext.fitted[0] == [TRAIN] and ext.fitted[1] > 0
    assert "outlet" in ext.fitted[2]                   # fit sees the full gold rows
    import sys
    seen = sys.modules["fit_ext"].SEEN
    assert seen == [["doc_id", "text"]]               # extract sees only the inputs: no gold metadata
    assert len(preds) == 1


def test_in_sample_warning_for_train_and_all(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, GOOD) + ":Good"
    for split in ("train", "all"):
        code, _, err = run_cli(capsys, "run", spec, "--split", split, "--data", data, "-o", str(tmp_path / "p.jsonl"))
        assert code == 0
        assert "fitted on the train split" in err and "in-sample" in err
    no_fit = extractor_file(tmp_path, GOOD, "nf.py") + ":NoFit"
    code, _, err = run_cli(capsys, "run", no_fit, "--split", "train", "--data", data, "-o", str(tmp_path / "p.jsonl"))
    assert code == 0 and "in-sample" not in err     # nothing was learnt: no warning
    assert json.loads((tmp_path / "p.jsonl").read_text().splitlines()[0])["doc_id"] == TRAIN


def test_extract_exception_reported_per_document_and_nothing_written(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, """
        class Crashy:
            def extract(self, document):
                raise KeyError("speaker table")
    """) + ":Crashy"
    out = tmp_path / "preds.jsonl"
    code, _, err = run_cli(capsys, "run", spec, "--split", "all", "--data", data, "-o", str(out))
    assert code == 1
    assert f"extract() failed on 2 of 2 documents; {out} was NOT written" in err
    assert f"  {TRAIN}: KeyError: 'speaker table'" in err and f"  {TEST}: KeyError: 'speaker table'" in err
    assert "Traceback" not in err and "--debug" in err
    assert not out.exists()
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(out), "--debug")
    assert code == 1 and "Traceback (most recent call last)" in err and 'raise KeyError("speaker table")' in err


def test_existing_output_not_replaced_on_failure(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, """
        class Bad:
            def extract(self, document):
                return {"quotes": [{"start": 5, "end": 2}]}
    """) + ":Bad"
    out = tmp_path / "preds.jsonl"
    out.write_text("previous\n")
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(out))
    assert code == 2
    assert err.splitlines()[0] == f"{out}: not written: the extractor's predictions are not a valid submission (line = document number):"
    assert f"{out}:1: quotes[0].start: reversed span: start 5 > end 2" in err
    assert out.read_text() == "previous\n"


@pytest.mark.parametrize("returned, message", [
    ("['not', 'a', 'dict']", "prediction: extract() returned list, expected a dict"),
    ("{'doc_id': 'someone-else'}", "prediction: extract() returned doc_id 'someone-else' for document"),
    ("{'quotes': {1, 2}}", "prediction: extract() returned a prediction that cannot be written as JSON: Object of type set"),
    ("{'quotes': [{'start': 0, 'end': float('nan')}]}", "cannot be written as JSON: Out of range float values"),
    ("{'published': __import__('datetime').datetime(2024, 1, 1, 5)}", "a datetime (2024-01-01T05:00:00) where a date"),
    ("{'quotes': [{'start': 0, 'end': 3, 'stance': 'FAVOR'}]}", "quotes[0].stance: unknown label \"FAVOR\""),
])
def test_invalid_return_values_exit_2(data, tmp_path, capsys, returned, message):
    spec = extractor_file(tmp_path, f"""
        class Odd:
            def extract(self, document):
                return {returned}
    """) + ":Odd"
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(tmp_path / "p.jsonl"))
    assert code == 2 and message in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "p.jsonl").exists()


def test_stdout_output(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, GOOD) + ":NoFit"
    code, out, _ = run_cli(capsys, "run", spec, "--data", data, "-o", "-")
    assert code == 0 and out == f'{{"doc_id": "{TEST}", "quotes": []}}\n'


def test_module_spec_from_working_directory(data, tmp_path, capsys, monkeypatch):
    extractor_file(tmp_path, GOOD, "student_ext_mod.py")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    code, _, err = run_cli(capsys, "run", "student_ext_mod:NoFit", "--data", data, "-o", "p.jsonl")
    assert code == 0, err
    assert (tmp_path / "p.jsonl").exists()


@pytest.mark.parametrize("spec, code, message", [
    ("no_colon_here", 2, "extractor: expected MODULE:CLASS"),
    ("surely_missing_module_xyz:X", 2, "extractor: cannot import module 'surely_missing_module_xyz'"),
    ("benchmark.submission.runner:Nope", 2, "extractor: module 'benchmark.submission.runner' has no 'Nope' (its classes: "),
    ("benchmark.submission.runner:DocumentFailure", 1, "benchmark.submission.runner:DocumentFailure(): TypeError"),
    ("benchmark.errors:InputError", 1, "InputError(): TypeError"),
    ("/nonexistent/ext.py:X", 2, "extractor: /nonexistent/ext.py: no such file"),
])
def test_bad_extractor_specs(data, tmp_path, capsys, spec, code, message):
    got, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(tmp_path / "p.jsonl"))
    assert got == code and message in err, err
    assert "Traceback" not in err


def test_class_without_extract_and_import_crash(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, "class Empty:\n    pass\n", "empty.py") + ":Empty"
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(tmp_path / "p.jsonl"))
    assert code == 2 and "has no extract(document) method" in err
    spec = extractor_file(tmp_path, "import surely_missing_dependency_abc\n", "crash.py") + ":X"
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(tmp_path / "p.jsonl"))
    assert code == 1 and "importing" in err and "surely_missing_dependency_abc" in err
    spec = extractor_file(tmp_path, "class F:\n    def fit(self, d, q):\n        1/0\n    def extract(self, d):\n        return {}\n",
                          "fitcrash.py") + ":F"
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(tmp_path / "p.jsonl"))
    assert code == 1 and "fit() failed: ZeroDivisionError: division by zero" in err


def test_run_extractor_collects_every_failure_in_order():
    class Half:
        def extract(self, document):
            if document["doc_id"].endswith("1"):
                raise ValueError(f"bad {document['doc_id']}")
            return {}
    rows = [{"doc_id": f"d{i}", "text": "x", "outlet": "secret"} for i in range(4)]
    with pytest.raises(ExtractorFailed) as info:
        run_extractor(Half(), rows, progress=False)
    assert [(f.doc_id, f.message) for f in info.value.failures] == [("d1", "ValueError: bad d1")]
    assert info.value.n_documents == 4


def test_json_conversion_of_python_values():
    import numpy as np
    obj = to_json_object({"quotes": ({"end": np.int64(5), "start": np.int32(1), "confidence": np.float32(0.5)},),
                          "published": datetime.date(2016, 11, 9)}, "d")
    assert obj == {"doc_id": "d", "published": "2016-11-09",
                   "quotes": [{"start": 1, "end": 5, "confidence": 0.5}]}
    assert list(obj) == ["doc_id", "published", "quotes"]
    assert to_jsonl_lines([{"outlet": "Ведомости"}], [{"doc_id": "d"}], name="x") == \
        ['{"doc_id": "d", "outlet": "Ведомости"}']


# -- evaluate = run + score ---------------------------------------------------------------------------------------

def test_evaluate_runs_and_scores(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, GOOD) + ":Good"
    out, js = tmp_path / "preds.jsonl", tmp_path / "results.json"
    code, stdout, err = run_cli(capsys, "evaluate", spec, "--data", data, "--bootstrap", "0", "--track", "all",
                                "-o", str(out), "--json", str(js))
    assert code == 0, err
    assert "split:test|track:all|" in stdout and stdout.rstrip().splitlines()[-1].startswith("kremlin-reactions|data:")
    assert out.exists() and json.loads(out.read_text())["doc_id"] == TEST
    results = json.loads(js.read_text())
    # the scores equal those of `score` on the written file
    code, _, _ = run_cli(capsys, "score", str(out), "--data", data, "--bootstrap", "0", "--track", "all",
                         "--json", str(tmp_path / "r2.json"))
    assert code == 0
    again = json.loads((tmp_path / "r2.json").read_text())
    assert results["overall"] == again["overall"] and results["quotes"] == again["quotes"]


def test_evaluate_in_sample_warning_and_failures(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, GOOD) + ":Good"
    code, _, err = run_cli(capsys, "evaluate", spec, "--split", "train", "--data", data, "--bootstrap", "0")
    assert code == 0 and "in-sample" in err
    crashy = extractor_file(tmp_path, "class C:\n    def extract(self, d):\n        raise RuntimeError('boom')\n",
                            "crashy.py") + ":C"
    code, stdout, err = run_cli(capsys, "evaluate", crashy, "--data", data)
    assert code == 1 and f"{TEST}: RuntimeError: boom" in err and "kremlin-reactions|" not in stdout
    bad = extractor_file(tmp_path, "class B:\n    def extract(self, d):\n        return {'published': 'soon'}\n",
                         "bad.py") + ":B"
    code, stdout, err = run_cli(capsys, "evaluate", bad, "--data", data)
    assert code == 2 and ':1: published: not a date in YYYY-MM-DD form: "soon"' in err
    assert stdout == ""                                            # no score printed from invalid input


def test_unwritable_output_is_a_clear_error(data, tmp_path, capsys):
    spec = extractor_file(tmp_path, GOOD) + ":NoFit"
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(tmp_path / "missing_dir" / "p.jsonl"))
    assert code == 2 and "p.jsonl: cannot write: No such file or directory" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "run", spec, "--data", data, "-o", str(tmp_path))      # a directory
    assert code == 2 and "cannot write" in err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]                 # no temp file left

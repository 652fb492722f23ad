"""Gradescope and Codabench bundles: build, unpack into a temp folder, run their entry points as the platforms do
(paths redirected with AUTOGRADER_ROOT / CODABENCH_ROOT; nothing installed: the bundle's own package copy is put
on PYTHONPATH and the current interpreter is used), and check the results files."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bundle_files import unpack

import benchmark
from benchmark.cli import main as cli_main
from benchmark.errors import InputError
from benchmark.grading.bundles import build_bundle
from benchmark.grading.codabench import CODABENCH_COLUMNS
from benchmark.grading.gradescope import TASK_METRICS, metric_value

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "assignments" / "examples"
STARTERS = ROOT / "assignments" / "starters"
FIXTURE_ANNOTATIONS = ROOT / "tests" / "fixtures" / "dataset_annotations"
TEST_KEYS = {"name", "score", "max_score", "output", "visibility"}

pytestmark = pytest.mark.slow


def env_for(package: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_ROOT", "CODABENCH_ROOT", "PYTHONPATH")}
    return {**env, "PYTHONPATH": str(package), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", **extra}


# ----------------------------------------------------------------------------------------------------------------
# Gradescope

class Gradescope:
    """An unpacked Gradescope autograder: source/ = the zip, as on Gradescope's /autograder."""

    def __init__(self, bundle: Path, root: Path):
        self.root = root
        unpack(bundle, root / "source")
        # a dry run without the sandbox (the grader's interpreter lives under /root, which the grading uid cannot
        # run, and the starters need scikit-learn): tests/test_sandbox.py runs the same bundles sandboxed, as root
        self.env = env_for(root / "source" / "package", AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable,
                           AUTOGRADER_SANDBOX="off")
        subprocess.run(["bash", str(root / "source" / "setup.sh")], env=self.env, check=True, capture_output=True)
        self.config = json.loads((root / "source" / "autograder.json").read_text())

    def grade(self, *files: Path, rename: dict[str, str] | None = None) -> dict:
        submission = self.root / "submission"
        shutil.rmtree(submission, ignore_errors=True)
        submission.mkdir()
        for f in files:
            shutil.copy(f, submission / (rename or {}).get(f.name, f.name))
        shutil.rmtree(self.root / "results", ignore_errors=True)
        proc = subprocess.run([str(self.root / "source" / "run_autograder")], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return json.loads((self.root / "results" / "results.json").read_text(encoding="utf-8"))


def check_results(results: dict, task: str, points: float) -> None:
    assert set(results) >= {"score", "output", "tests"}
    assert len(results["tests"]) == len(TASK_METRICS[task])
    for test in results["tests"]:
        assert TEST_KEYS <= set(test), test
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        assert isinstance(test["output"], str) and test["output"]
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(points)
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    assert 0 <= results["score"] <= points


@pytest.fixture(scope="module")
def starter_predictions(tmp_path_factory) -> dict[str, Path]:
    """Predictions of each starter on the test split, made with `kremlin-reactions run`."""
    folder = tmp_path_factory.mktemp("starter_predictions")
    out = {}
    for name in ("quotes", "attribution", "stance", "metadata"):
        out[name] = folder / f"{name}.jsonl"
        assert cli_main(["run", f"assignments.starters.{name}_starter:Starter", "-o", str(out[name]), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def quotes_grader(tmp_path_factory) -> Gradescope:
    folder = tmp_path_factory.mktemp("gradescope_quotes")
    bundle = build_bundle("gradescope", folder / "autograder.zip", task="quotes")
    return Gradescope(bundle, folder / "autograder")


@pytest.fixture(scope="module")
def all_grader(tmp_path_factory) -> Gradescope:
    folder = tmp_path_factory.mktemp("gradescope_all")
    bundle = build_bundle("gradescope", folder / "autograder.zip", task="all", points=50)
    return Gradescope(bundle, folder / "autograder")


def test_gradescope_bundle_layout_and_determinism(tmp_path):
    a = build_bundle("gradescope", tmp_path / "a.zip", task="quotes")
    b = build_bundle("gradescope", tmp_path / "b.zip", task="quotes")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) for i in zf.infolist()}
    assert {"setup.sh", "run_autograder", "autograder.json", "README.md", "package/pyproject.toml",
            "package/benchmark/scoring/engines.py", "package/benchmark/submission/runner.py", "data/README.md",
            "data/gold_fingerprint.txt", "data/documents/test.parquet", "data/quotes/test.parquet"} <= names
    assert not any(n.startswith(".git") or "/.git/" in n or "__pycache__" in n for n in names)
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert not modes["autograder.json"] & stat.S_IXUSR


def test_gradescope_package_copy_builds_a_wheel_offline(tmp_path):
    """setup.sh pip-installs package/: check offline that it builds and the wheel holds code and package data."""
    bundle = build_bundle("gradescope", tmp_path / "autograder.zip", task="quotes")
    source = unpack(bundle, tmp_path / "source")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "--quiet", "-w", str(tmp_path / "dist"), str(source / "package")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = (tmp_path / "dist").glob("kremlin_reactions-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"benchmark/grading/gradescope.py", "benchmark/submission/runner.py", "benchmark/scoring/engines.py", "benchmark/corpus/card_template.md",
            "benchmark/submission/submission.schema.json", "baselines/rules/__init__.py", "baselines/rules/quotes.py"} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kremlin-reactions = benchmark.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_gradescope_predictions_file_from_the_starter(quotes_grader, starter_predictions):
    results = quotes_grader.grade(starter_predictions["quotes"])
    check_results(results, "quotes", 100)
    expected = benchmark.score(str(starter_predictions["quotes"]))
    overlap = expected["quotes"]["overlap"]["f1"]
    assert 0 < overlap < 1
    assert results["tests"][0]["score"] == pytest.approx(overlap * 50, abs=1e-3)
    assert "quotes.jsonl (predictions)" in results["output"]
    assert expected["signature"] in results["output"]


def test_gradescope_runs_an_uploaded_extractor_like_the_runner(quotes_grader, starter_predictions):
    # the starter file, uploaded under another name: a single .py file is the extractor; class Extractor
    by_file = quotes_grader.grade(starter_predictions["quotes"].with_name("quotes.jsonl"))
    by_code = quotes_grader.grade(STARTERS / "quotes_starter.py")
    assert by_code["score"] == pytest.approx(by_file["score"]) and by_code["score"] > 0
    assert "quotes_starter.py (extractor)" in by_code["output"]


def test_gradescope_extractor_with_fit_and_both_files(all_grader, starter_predictions):
    results = all_grader.grade(STARTERS / "stance_starter.py", starter_predictions["metadata"],
                               rename={"stance_starter.py": "extractor.py"})
    check_results(results, "all", 50)
    expected = benchmark.score(str(starter_predictions["stance"]))
    assert results["score"] == pytest.approx(expected["overall"] * 50, abs=1e-3)
    assert results["score"] > 0
    assert "the .jsonl was ignored" in results["output"]


@pytest.mark.parametrize("content, expected", [
    ('{"doc_id": "002_61610625a1c92d28", "quotes": [{"start": -1, "end": 3, "stance": "pro"}]}\nnot json\n',
     ["predictions.jsonl:1: quotes[0].start", 'unknown label "pro"', "predictions.jsonl:2: json"]),
    ("\x00\xff binary", ["predictions.jsonl"]),
])
def test_gradescope_malformed_predictions_score_zero_with_the_problems(quotes_grader, tmp_path, content, expected):
    bad = tmp_path / "predictions.jsonl"
    bad.write_text(content, encoding="latin-1")
    results = quotes_grader.grade(bad)
    check_results(results, "quotes", 100)
    assert results["score"] == 0
    assert "could not be graded" in results["output"]
    for fragment in expected:
        assert fragment in results["output"]
    assert str(quotes_grader.root) not in results["output"]        # no grading-machine paths shown


def test_gradescope_empty_predictions_file_is_graded_as_predicting_nothing(quotes_grader, tmp_path):
    empty = tmp_path / "predictions.jsonl"
    empty.write_text("")
    results = quotes_grader.grade(empty)
    check_results(results, "quotes", 100)
    assert results["score"] == 0 and "no prediction for document 002_61610625a1c92d28" in results["output"]


def test_gradescope_failing_extractor_scores_zero_with_its_traceback(quotes_grader, tmp_path):
    broken = tmp_path / "extractor.py"
    broken.write_text("class Extractor:\n    def extract(self, document):\n        raise ValueError('boom')\n")
    results = quotes_grader.grade(broken)
    check_results(results, "quotes", 100)
    assert results["score"] == 0
    assert "ValueError: boom" in results["output"] and "002_61610625a1c92d28" in results["output"]
    assert "extractor.py\", line 3" in results["output"]

    exits = tmp_path / "exits.py"
    exits.write_text("import os\nos._exit(3)\n")
    results = quotes_grader.grade(exits, rename={"exits.py": "extractor.py"})
    assert results["score"] == 0 and "exit status 3" in results["output"]

    wrong_class = tmp_path / "extractor.py"
    wrong_class.write_text("class Starter:\n    def extract(self, document):\n        return {}\n")
    results = quotes_grader.grade(wrong_class)
    assert results["score"] == 0 and "no 'Extractor'" in results["output"] and "Starter" in results["output"]


def test_gradescope_empty_or_ambiguous_upload(quotes_grader, tmp_path):
    results = quotes_grader.grade()
    assert results["score"] == 0 and "found no predictions file" in results["output"]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("")
    b.write_text("")
    results = quotes_grader.grade(a, b)
    assert results["score"] == 0 and "several .jsonl files" in results["output"]


def test_gradescope_grades_the_three_example_submissions(all_grader):
    """What an instructor does first: grade assignments/examples/ with the bundle."""
    a = all_grader.grade(EXAMPLES / "student_a.jsonl")
    b = all_grader.grade(EXAMPLES / "student_b" / "extractor.py")
    c = all_grader.grade(EXAMPLES / "student_c.jsonl")
    for results in (a, b, c):
        check_results(results, "all", 50)
    assert a["score"] == pytest.approx(benchmark.score(str(EXAMPLES / "student_a.jsonl"))["overall"] * 50, abs=1e-3)
    assert 0 < a["score"] < 50 and "no prediction for document 002_61610625a1c92d28" in a["output"]
    assert 0 < b["score"] < a["score"]
    assert c["score"] == 0
    for problem in ("student_c.jsonl:1: quotes[0].start: reversed span", "student_c.jsonl:2: quotes[0].stnace",
                    'unknown document "005_does_not_exist"', "student_c.jsonl:5: json"):
        assert problem in c["output"]


def test_gradescope_failure_before_grading_still_writes_results(tmp_path):
    bundle = build_bundle("gradescope", tmp_path / "autograder.zip", task="metadata")
    root = tmp_path / "autograder"
    unpack(bundle, root / "source")
    (root / "submission").mkdir()
    env = env_for(root / "source" / "package", AUTOGRADER_ROOT=str(root),
                  AUTOGRADER_PYTHON=str(tmp_path / "no-such-python"))
    proc = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True)
    assert proc.returncode == 0
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "autograder failed" in results["output"]


def test_gradescope_private_test_article(tmp_path):
    """An instructor's private build (here the fixture annotations) is what the bundle grades against."""
    private = tmp_path / "private_data"
    subprocess.run([sys.executable, "-m", "benchmark", "build", "--annotations", str(FIXTURE_ANNOTATIONS),
                    "--out", str(private)], check=True, capture_output=True, env=env_for(ROOT))
    bundle = build_bundle("gradescope", tmp_path / "autograder.zip", task="metadata", data_dir=private)
    grader = Gradescope(bundle, tmp_path / "autograder")
    assert grader.config["data_fingerprint"] == benchmark.data_fingerprint(private)
    results = grader.grade(STARTERS / "metadata_starter.py")
    check_results(results, "metadata", 100)
    assert "901_bbbbbbbbbbbbbbbb" in results["tests"][0]["output"]        # the private test document
    assert "002_61610625a1c92d28" not in json.dumps(results)


def test_bundle_options_are_checked(tmp_path):
    with pytest.raises(InputError):
        build_bundle("gradescope", tmp_path / "x.zip", class_name="not a name")
    with pytest.raises(InputError):
        build_bundle("gradescope", tmp_path / "x.zip", data_dir=tmp_path)        # not a dataset folder
    with pytest.raises(InputError):
        build_bundle("moodle", tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_cli_builds_both_bundles(tmp_path):
    for platform in ("gradescope", "codabench"):
        out = tmp_path / f"{platform}.zip"
        proc = subprocess.run([sys.executable, "-m", "benchmark", "autograder", platform, "-o", str(out),
                               "--task", "stance"], capture_output=True, text=True, env=env_for(ROOT))
        assert proc.returncode == 0, proc.stderr
        assert zipfile.is_zipfile(out)
    proc = subprocess.run([sys.executable, "-m", "benchmark", "autograder", "gradescope", "-o", str(out),
                           "--data", str(tmp_path)], capture_output=True, text=True, env=env_for(ROOT))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and str(tmp_path) in proc.stderr


# ----------------------------------------------------------------------------------------------------------------
# Codabench

@pytest.fixture(scope="module")
def codabench(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("codabench")
    bundle = build_bundle("codabench", folder / "bundle.zip")
    unpack(bundle, folder / "app" / "program")
    return folder / "app"


def run_codabench(app: Path, *submission: Path) -> subprocess.CompletedProcess:
    for sub in ("input/res", "output"):
        shutil.rmtree(app / sub, ignore_errors=True)
    (app / "input" / "res").mkdir(parents=True)
    (app / "input" / "ref").mkdir(parents=True, exist_ok=True)
    for f in submission:
        shutil.copy(f, app / "input" / "res" / f.name)
    command = (app / "program" / "metadata.yaml").read_text().split("command:", 1)[1].split()
    assert command == ["python3", "/app/program/score.py", "/app/input", "/app/output"]
    command[0], command[1] = sys.executable, str(app / "program" / "score.py")    # the rest: rebased by the env
    env = env_for(app / "program" / "lib", CODABENCH_ROOT=str(app), CODABENCH_NO_PIP="1")
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def test_codabench_scores_the_starter(codabench, starter_predictions):
    proc = run_codabench(codabench, starter_predictions["attribution"])
    assert proc.returncode == 0, proc.stderr
    scores = json.loads((codabench / "output" / "scores.json").read_text())
    assert list(scores) == list(CODABENCH_COLUMNS)
    expected = benchmark.score(str(starter_predictions["attribution"]))
    for column, key in CODABENCH_COLUMNS.items():
        assert scores[column] == pytest.approx(metric_value(expected, key), abs=1e-6)
        assert 0 <= scores[column] <= 1
    assert scores["quotes_f1"] > 0 and scores["attribution_f1"] > 0
    legacy = (codabench / "output" / "scores.txt").read_text().splitlines()
    assert legacy[0].startswith("overall: ") and len(legacy) == len(CODABENCH_COLUMNS)
    full = json.loads((codabench / "output" / "results.json").read_text())
    assert full["signature"] == expected["signature"]


def test_codabench_malformed_submission_fails_with_messages(codabench):
    proc = run_codabench(codabench, EXAMPLES / "student_c.jsonl")
    assert proc.returncode == 2
    assert "student_c.jsonl:2: quotes[0].stnace" in proc.stderr and "Traceback" not in proc.stderr
    assert not (codabench / "output" / "scores.json").exists()
    proc = run_codabench(codabench)
    assert proc.returncode == 2 and "expected exactly one predictions file" in proc.stderr


def test_codabench_reference_data_overrides_the_bundled_gold(codabench, tmp_path):
    ref = codabench / "input" / "ref"
    shutil.rmtree(ref, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "benchmark", "build", "--annotations", str(FIXTURE_ANNOTATIONS),
                    "--out", str(ref)], check=True, capture_output=True, env=env_for(ROOT))
    submission = tmp_path / "private.jsonl"
    submission.write_text('{"doc_id": "901_bbbbbbbbbbbbbbbb", "outlet": "Example Wire", "published": null}\n')
    try:
        proc = run_codabench(codabench, submission)
    finally:
        shutil.rmtree(ref)
    assert proc.returncode == 0, proc.stderr
    scores = json.loads((codabench / "output" / "scores.json").read_text())
    assert scores["outlet_accuracy"] == 1.0 and scores["date_accuracy"] == 0.0


# ----------------------------------------------------------------------------------------------------------------
# --strict in the bundles: a chat model's invented quote is spurious by default, refused when the instructor says so

def test_both_bundles_grade_strictly_only_when_built_with_strict(tmp_path):
    chat = EXAMPLES / "chat_model.jsonl"
    lenient = benchmark.score(str(chat), n_boot=0)
    assert lenient["quotes"]["not_found"] > 0                 # the example holds texts that are not in the articles
    with pytest.raises(InputError):
        benchmark.score(str(chat), n_boot=0, strict=True)
    for strict in (False, True):
        folder = tmp_path / f"strict_{strict}"
        grader = Gradescope(build_bundle("gradescope", folder / "autograder.zip", task="quotes", strict=strict,
                                         n_boot=0), folder / "autograder")
        assert grader.config["strict"] is strict
        results = grader.grade(chat, rename={chat.name: "predictions.jsonl"})
        check_results(results, "quotes", 100)
        if strict:
            assert results["score"] == 0 and "could not be graded" in results["output"]
            assert "not found" in results["output"]
        else:
            keys = [key for key, _ in TASK_METRICS["quotes"]]
            expected = 100 * sum(metric_value(lenient, key) for key in keys) / len(keys)
            assert results["score"] == pytest.approx(expected, abs=0.01) and "not found" in results["output"]
        app = folder / "app"
        unpack(build_bundle("codabench", folder / "codabench.zip", strict=strict, n_boot=0), app / "program")
        proc = run_codabench(app, chat)
        assert proc.returncode == (2 if strict else 0), proc.stderr
        assert (app / "output" / "scores.json").exists() is not strict
        assert ("not found" in proc.stderr) is strict and "Traceback" not in proc.stderr


def test_the_cli_passes_strict_to_the_bundle(tmp_path):
    for args, expected in (([], False), (["--strict"], True)):
        out = tmp_path / f"b{len(args)}.zip"
        assert cli_main(["autograder", "gradescope", "-o", str(out), *args]) == 0
        assert json.loads(zipfile.ZipFile(out).read("autograder.json"))["strict"] is expected

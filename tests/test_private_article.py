"""An instructor's own article, end to end, on a fresh copy of the annotations: the walk-through in
assignments/INSTRUCTOR.md ("Private article") run line by line on the made-up fixture article
(tests/fixtures/new_article), then everything the issue asks of the new split: it validates, builds, loads as its
own split with `load_dataset`, scores with `--split private`, appears on a leaderboard and in both bundles, and
the bundles grade on it."""
from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from new_article import TEXT, fill_gold
from test_competition import score_phase, unpacker_problems

from benchmark.cli import main
from benchmark.corpus.validate import validate
from benchmark.dataset import read_rows

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR = ROOT / "assignments" / "INSTRUCTOR.md"
STARTERS = ROOT / "assignments" / "starters"

pytestmark = pytest.mark.slow
SECRET = TEXT.read_bytes() + "This copy is kept out of the public repository.\n".encode()


def walkthrough() -> list[str]:
    text = INSTRUCTOR.read_text(encoding="utf-8")
    block = re.search(r"<!-- private-walkthrough:start -->\n```bash\n(.*?)```\n<!-- private-walkthrough:end -->",
                      text, re.S)
    assert block, "INSTRUCTOR.md: no private walk-through block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def first_quote() -> str:
    annotation = json.loads((TEXT.parent / "annotation.json").read_text(encoding="utf-8"))
    return annotation["quotes"][0]["text"]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    """Run the walk-through: `~` is a temporary home, secret.txt the fixture article; `$EDITOR` fills in its gold."""
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("work")
    # one line more than the fixture, so that it is a new text even where the fixture article is already annotated
    (work / "secret.txt").write_bytes(SECRET)
    variables: dict[str, str] = {}
    outputs: list[tuple[str, int, str]] = []
    cwd = os.getcwd()
    os.chdir(work)
    try:
        for line in walkthrough():
            command = line.split("  #")[0].strip()
            expanded = command.replace("~", str(home))
            for name, value in variables.items():
                expanded = expanded.replace(f'"${name}"', value).replace(f"${name}", value)
            words = shlex.split(expanded)
            if all("=" in w for w in words):
                variables.update(w.split("=", 1) for w in words)
            elif words[:2] == ["mkdir", "-p"]:
                Path(words[2]).mkdir(parents=True, exist_ok=True)
            elif words[:2] == ["cp", "-r"]:
                shutil.copytree(ROOT / words[2], words[3])
            elif words[0] == "$EDITOR":
                fill_gold(Path(variables["PRIVATE"]), Path(words[1]).stem)
            else:
                assert words[0] == "kremlin-reactions", line
                args = [first_quote() if w == "exact quoted words" else w for w in words[1:]]
                out, err = io.StringIO(), io.StringIO()
                from contextlib import redirect_stderr, redirect_stdout

                with redirect_stdout(out), redirect_stderr(err):
                    code = main(args)
                outputs.append((command, code, out.getvalue() + err.getvalue()))
    finally:
        os.chdir(cwd)
    # the repository's own private articles, if it has any, come along with the copy
    in_repo = validate(ROOT / "annotations").counts["splits"].get("private", 0)
    return {"private": Path(variables["PRIVATE"]), "data": Path(variables["DATA"]), "work": work, "runs": outputs,
            "n_private": in_repo + 1}


def run_of(course: dict, prefix: str, nth: int = 0) -> tuple[int, str]:
    runs = [(code, out) for command, code, out in course["runs"] if command.startswith(prefix)]
    return runs[nth]


def test_the_walkthrough_runs_as_written(course):
    commands = [command for command, _, _ in course["runs"]]
    assert len(commands) == len([line for line in walkthrough() if line.startswith("kremlin-reactions")])
    code, out = run_of(course, "kremlin-reactions add-article")
    assert code == 0 and "added 950_secret (split private)" in out
    code, out = run_of(course, "kremlin-reactions validate", 0)            # the skeleton: guidance, not ok
    assert code == 2 and "950_secret.json:4: metadata: outlet: missing required field: the publisher" in out
    code, out = run_of(course, "kremlin-reactions locate")
    assert code == 0 and json.loads(out.splitlines()[0])["text"] == first_quote()
    code, out = run_of(course, "kremlin-reactions validate", 1)
    n = len(list((course["private"] / "gold").glob("*.json")))
    assert code == 0 and out.startswith(f"ok: {course['private']}: {n} documents (train ")
    assert re.search(rf"test \d+, private {course['n_private']}\)", out.splitlines()[0])
    for command, code, out in course["runs"]:
        if not command.startswith("kremlin-reactions validate"):
            assert code == 0, (command, out)
    code, out = run_of(course, "kremlin-reactions stats")
    assert f"| private | {course['n_private']} | 2025-03-14 | The Example Courier |" in out
    code, out = run_of(course, "kremlin-reactions evaluate")
    assert "split:private" in out


def test_the_private_split_is_built_and_loads_as_its_own_split(course, tmp_path):
    from datasets import load_dataset

    import benchmark

    data = course["data"]
    assert benchmark.dataset.splits(data)[-1] == "private" and benchmark.dataset.splits(data)[:2] == ["train", "test"]
    assert "950_secret" in [d["doc_id"] for d in read_rows("documents", "private", data)]
    quotes = load_dataset(str(data), "quotes", split="private", cache_dir=str(tmp_path / "cache"))
    assert quotes.num_rows == len(read_rows("quotes", "private", data))
    assert sum(q["doc_id"] == "950_secret" for q in quotes) == 4
    assert quotes.features["stance"].names == ["favor", "against", "neutral", "none"]
    docs = benchmark.load("documents", data_dir=data, cache_dir=tmp_path / "cache2")
    assert list(docs) == ["train", "test", "private"]
    text = docs["private"][0]["text"]
    assert text == SECRET.decode("utf-8") and all(text[q["start"]:q["end"]] == q["text"] for q in quotes)
    everything = benchmark.load("documents", split="all", data_dir=data, cache_dir=tmp_path / "cache2")
    assert everything.num_rows == sum(d.num_rows for d in docs.values())
    card = (data / "README.md").read_text(encoding="utf-8")
    n = course["n_private"]
    assert "split: private" in card
    assert f"`private` has {n} document{'s' if n > 1 else ''}, so p >= {min(1.0, 2 / 2 ** n):.4g}" in card
    croissant = json.loads((data / "croissant.json").read_text(encoding="utf-8"))
    splits = next(r for r in croissant["recordSet"] if r["@id"] == "quotes_splits")["data"]
    assert [s["quotes_splits/split_name"] for s in splits] == ["train", "test", "private"]
    assert (course["private"] / "documents" / "950_secret.txt").read_bytes() == SECRET
    assert not (ROOT / "annotations" / "documents" / "950_secret.txt").exists()     # the repository is untouched


def test_it_scores_with_split_private_and_ranks_on_a_leaderboard(course, tmp_path, capsys):
    data = course["data"]
    preds = tmp_path / "board" / "rules.jsonl"
    preds.parent.mkdir()
    assert main(["run", "baselines.rules:RuleExtractor", "--data", str(data), "--split", "private", "-o", str(preds),
                 "--quiet"]) == 0
    out_json = tmp_path / "r.json"
    assert main(["score", str(preds), "--data", str(data), "--split", "private", "--json", str(out_json)]) == 0
    results = json.loads(out_json.read_text())
    assert "|split:private|" in results["signature"] and results["n_documents"] == course["n_private"]
    assert results["quotes"]["overlap"]["f1"] > 0
    capsys.readouterr()
    assert main(["score", str(preds), "--data", str(data), "--split", "secret"]) == 2
    err = capsys.readouterr().err
    assert "--split: no split 'secret'" in err and "(it has: train, test, private, all)" in err
    assert main(["leaderboard", str(preds.parent), "-o", str(tmp_path / "site"), "--data", str(data), "--split",
                 "private", "--no-baselines", "--bootstrap", "20"]) == 0
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text())
    assert "private" in json.dumps(board) and "rules" in json.dumps(board)


def test_agreement_names_the_article_no_pass_has(course, capsys):
    passes = course["private"] / "passes"
    assert main(["agreement", str(passes / "a"), str(passes / "b"), "--no-disagreements"]) == 0
    assert "950_secret (in neither pass)" in capsys.readouterr().out


def test_the_gradescope_bundle_grades_on_the_private_article(course, tmp_path):
    bundle = course["work"] / "autograder.zip"
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
        config = json.loads(zf.read("autograder.json"))
        assert config["split"] == "private" and "data/documents/private.parquet" in zf.namelist()
        assert "950_secret" in config["private_documents"]             # never shown to students (messages.py)
        assert not set(config["private_documents"]) & {d["doc_id"] for d in read_rows("documents", "all")}
    for name in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / name, 0o755)
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "AUTOGRADER_ROOT": str(root),
           "AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": str(root / "source" / "package"),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           # a dry run without the sandbox, as in tests/test_autograder.py (this interpreter lives under /root, which
           # the grading uid cannot run; tests/test_sandbox.py covers the sandbox itself)
           "AUTOGRADER_SANDBOX": "off"}
    subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, check=True, capture_output=True)
    (root / "submission").mkdir()
    shutil.copy(STARTERS / "attribution_starter.py", root / "submission" / "extractor.py")
    proc = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert "split:private" in results["output"] and "950_secret" in json.dumps(results)
    assert not any(d["doc_id"] in json.dumps(results) for d in read_rows("documents", "test"))


def test_the_codabench_competition_has_a_private_phase_that_grades(course, tmp_path):
    bundle = course["work"] / "competition.zip"
    assert unpacker_problems(bundle.read_bytes()) == []
    with zipfile.ZipFile(bundle) as zf:
        import yaml

        y = yaml.safe_load(zf.read("competition.yaml"))
        kit = zipfile.ZipFile(io.BytesIO(zf.read("starting_kit_private.zip")))
        texts = [json.loads(line) for line in kit.read("texts_private.jsonl").decode().splitlines()]
        sample = kit.read("sample_submission.zip")
    assert [p["name"] for p in y["phases"]] == ["Phase 1: test", "Phase 2: private"]
    assert [t["reference_data"] for t in y["tasks"]] == ["reference_data_test.zip", "reference_data_private.zip"]
    assert {"doc_id": "950_secret", "text": SECRET.decode("utf-8")} in texts        # the text, no gold
    assert [t["doc_id"] for t in texts] == [d["doc_id"] for d in read_rows("documents", "private", course["data"])]
    assert all(set(t) == {"doc_id", "text"} for t in texts)
    proc = score_phase(bundle, "private", sample, tmp_path / "app")
    assert proc.returncode == 0, proc.stderr
    scores = json.loads((tmp_path / "app" / "output" / "scores.json").read_text())
    results = json.loads((tmp_path / "app" / "output" / "results.json").read_text())
    assert "|split:private|" in results["signature"] and scores["quotes_f1"] > 0


def test_a_private_split_stays_private_when_built_into_the_packaged_data_folder(course, monkeypatch):
    """An instructor who builds the private article into the repository's own data folder (annotations/README's
    recipe) still gets its text withheld: privacy follows the split, not only the comparison with the packaged
    data (which then holds the private article too)."""
    import benchmark
    from benchmark.grading.gradescope import private_documents

    monkeypatch.setattr(benchmark, "DATA_DIR", course["data"])
    private = private_documents(course["data"])
    assert "950_secret" in private
    assert not set(private) & {d["doc_id"] for d in read_rows("documents", "all")}     # the public ones are shown

"""The classroom kit: handouts in sync with real numbers, their snippets run, starters score low but non-zero."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assignments import numbers
from benchmark.cli import COMMANDS
from benchmark.dataset import read_rows
from benchmark.submission import read_submission

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "assignments"
HANDOUTS = sorted(KIT.glob("0*.md"))
DOCS = [*HANDOUTS, KIT / "INSTRUCTOR.md"]
STARTERS = sorted((KIT / "starters").glob("*_starter.py"))
OFFLINE = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_four_handouts_and_a_starter_each():
    assert [p.name for p in HANDOUTS] == list(numbers.HANDOUTS)
    assert [p.stem for p in STARTERS] == ["attribution_starter", "metadata_starter", "quotes_starter",
                                          "stance_starter"]
    for path in HANDOUTS:
        text = path.read_text(encoding="utf-8")
        for heading in ("## Learning goals", "## The task", "## Data", "## How it is scored",
                        "## What good looks like"):
            assert heading in text, f"{path.name}: missing {heading}"


@pytest.fixture(scope="module")
def tables() -> dict[str, str]:
    cache: dict = {}
    out = {name: numbers.table(name, _cache=cache) for name in numbers.HANDOUTS}
    out[numbers.INSTRUCTOR] = numbers.instructor_table(_cache=cache)
    return out


@pytest.mark.slow
def test_handout_numbers_are_generated_and_in_sync(tables):
    for name, block in tables.items():
        text = (KIT / name).read_text(encoding="utf-8")
        assert block in text, f"{name}: 'what good looks like' is stale; run `{numbers.COMMAND}`"
        assert numbers.replace_block(text, block, name) == text


def _row(block: str, label_start: str) -> list[str]:
    line = next(l for l in block.splitlines() if l.startswith(f"| {label_start}"))
    return [c.strip() for c in line.strip("|").split("|")][1:]


@pytest.mark.slow
def test_starters_score_low_but_not_zero(tables):
    """On its handout's main metric each starter scores > 0 and below the best baseline."""
    for name, block in tables.items():
        if name == numbers.INSTRUCTOR:
            continue
        starter = _row(block, "starter `")
        baselines = [_row(block, label) for label in numbers.BASELINE_LABEL.values() if f"| {label}" in block]
        col = numbers.HANDOUTS[name]["main"]
        value = float(starter[col].split()[0])
        best = max(float(b[col].split()[0]) for b in baselines if b[col] != "n/a")
        assert 0 < value < best, (name, value, best)


def test_handout_json_examples_are_valid_submission_lines():
    texts = {d["doc_id"]: d["text"] for d in read_rows("documents", "all")}
    examples = [(path, block) for path in HANDOUTS for block in blocks(path, "json")]
    assert len(examples) >= 3
    for path, block in examples:
        read_submission(block.strip().splitlines(), texts, name=path.name)   # raises InputError if invalid


@pytest.mark.slow
def test_handout_python_snippets_run(tmp_path):
    for path in HANDOUTS:
        for i, code in enumerate(blocks(path, "python")):
            proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=OFFLINE, capture_output=True,
                                  text=True, timeout=300)
            assert proc.returncode == 0, f"{path.name} python block {i}:\n{proc.stderr[-2000:]}"


def test_commands_named_in_the_kit_exist():
    named = set()
    for path in DOCS:
        if path.exists():
            named |= set(re.findall(r"kremlin-reactions ([a-z][a-z-]+)", path.read_text(encoding="utf-8")))
    named.discard("contributors")
    assert named, "no commands found"
    missing = sorted(named - set(COMMANDS))
    assert not missing, f"commands named in assignments/ but not in benchmark/cli.py: {missing}"


def test_starters_use_only_the_public_api_and_the_text():
    for path in STARTERS + [KIT / "examples" / "student_b" / "extractor.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert "baselines" not in imported and "assignments" not in imported, path.name
        source = path.read_text(encoding="utf-8")
        assert "annotations/" not in source, path.name
        # extract() may read only the input fields the runner gives it
        read_keys = set(re.findall(r'document\["(\w+)"\]', source))
        assert read_keys <= {"doc_id", "text"}, (path.name, read_keys)


@pytest.mark.parametrize("starter", STARTERS, ids=lambda p: p.stem)
def test_each_starter_runs_from_the_command_line(starter, tmp_path):
    out = tmp_path / "preds.jsonl"
    spec = f"assignments.starters.{starter.stem}:Starter"
    proc = subprocess.run([sys.executable, "-m", "benchmark", "run", spec, "--split", "test", "-o", str(out),
                           "--quiet"], cwd=ROOT, env=OFFLINE, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in rows] == [d["doc_id"] for d in read_rows("documents", "test")]
    # every starter is also gradable as an uploaded extractor.py (class Extractor)
    module = ast.parse(starter.read_text(encoding="utf-8"))
    assigned = {t.id for node in module.body if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name)}
    assert "Extractor" in assigned, starter.name


def test_stance_starter_gold_spans_never_reads_gold_stance(monkeypatch):
    """The gold-spans mode labels gold units by text: hiding their stance changes nothing."""
    from assignments.starters import stance_starter
    from benchmark import dataset

    real = dataset.read_rows
    honest = stance_starter.predict_gold_spans("test")

    def without_test_stance(config, split=None, data_dir=None):
        rows = real(config, split, data_dir)
        if config == "quotes" and split == "test":
            rows = [{**r, "stance": "MASKED"} for r in rows]
        return rows

    monkeypatch.setattr(dataset, "read_rows", without_test_stance)
    assert stance_starter.predict_gold_spans("test") == honest
    assert {q["stance"] for row in honest for q in row["quotes"]} <= {"favor", "against", "neutral", "none"}


# the INSTRUCTOR's "common mistakes" quote real errors reports: each quoted line must still be produced
MISTAKE_SOURCES = {
    "starter.jsonl": "assignments.starters.quotes_starter:Starter",
    "rules.jsonl": "baselines.rules:RuleExtractor",
    "sklearn.jsonl": "baselines.stance_sklearn:SklearnStance",
    "floor-meta.jsonl": "baselines.floor:FloorMetaExtractor",
}


@pytest.mark.slow
def test_instructor_common_mistakes_are_real_errors_report_lines(tmp_path):
    from benchmark.reports import text as render
    from benchmark.scoring import score

    quoted: dict[str, list[str]] = {}
    for block in blocks(KIT / "INSTRUCTOR.md", "text"):
        lines = block.splitlines()
        source = lines[0].split()[1]                      # "# rules.jsonl = ..." or "# rules.jsonl"
        quoted.setdefault(source, []).extend(l for l in lines[1:] if l.strip())
    assert set(quoted) == set(MISTAKE_SOURCES)
    for source, lines in quoted.items():
        out = tmp_path / source
        from benchmark.cli import main as cli_main
        assert cli_main(["run", MISTAKE_SOURCES[source], "-o", str(out), "--quiet"]) == 0
        report = render.error_text(score(str(out), errors=True)["errors"])
        for line in lines:
            assert line in report, f"{source}: no longer in the errors report: {line}"


@pytest.mark.slow
def test_instructor_leaderboard_recipe_on_the_examples(tmp_path):
    """INSTRUCTOR.md 'Publishing a leaderboard', on the three examples (student_c is listed as invalid)."""
    from benchmark.cli import main as cli_main

    board = tmp_path / "board"
    board.mkdir()
    for name in ("student_a.jsonl", "student_a.meta.json", "student_c.jsonl"):
        (board / name).write_bytes((KIT / "examples" / name).read_bytes())
    assert cli_main(["run", str(KIT / "examples" / "student_b" / "extractor.py") + ":Extractor",
                     "-o", str(board / "student_b.jsonl"), "--quiet"]) == 0
    assert cli_main(["leaderboard", str(board), "-o", str(tmp_path / "site"), "--n-boot", "200"]) == 0
    page = json.loads((tmp_path / "site" / "leaderboard.json").read_text(encoding="utf-8"))
    text = json.dumps(page)
    assert "Student A" in text and "student_b" in text and "student_c" in text
    assert (tmp_path / "site" / "leaderboard.html").read_text(encoding="utf-8").startswith("<!")

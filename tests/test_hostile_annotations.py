"""Issue 14, crashes and wrong verdicts: hostile annotation folders against `validate`, `locate`, `build` and
`agreement`. Every case is a `FILE:LINE: ...` problem and exit status 2 within seconds: never a hang on a FIFO or
/dev/zero, never a traceback, never a build that crashes after `validate` said ok, and nothing written."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.corpus import positions
from benchmark.corpus import validate as validate_module
from benchmark.corpus.validate import validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "annotations_small"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
GOLD = "900_bridge"


@pytest.fixture
def folder(tmp_path) -> Path:
    root = tmp_path / "annotations"
    shutil.copytree(FIXTURE, root)
    return root


def gold_path(root: Path, doc_id: str = GOLD) -> Path:
    return root / "gold" / f"{doc_id}.json"


def subprocess_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line in a fresh interpreter, with a timeout: a hang fails the test instead of stalling it."""
    return subprocess.run([sys.executable, "-m", "benchmark", *args], env=ENV, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def assert_refused_everywhere(root: Path, problem: str, tmp_path: Path, capsys) -> None:
    """validate, build and agreement all exit 2 with `problem` among their lines; build writes nothing."""
    result = validate(root)
    assert not result.ok and problem in result.problems, result.problems
    for args in (["validate", str(root)], ["build", "--annotations", str(root), "--out", str(tmp_path / "data")],
                 ["agreement", str(root), str(root / "passes" / "b"), "--documents", str(root / "documents")]):
        capsys.readouterr()
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert problem in err.splitlines() and "Traceback" not in err, (args, err)
    assert not (tmp_path / "data").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_in_gold_is_a_problem_not_a_hang(folder):
    os.mkfifo(folder / "gold" / "902_pipe.json")
    result = subprocess_cli("validate", str(folder))
    assert result.returncode == 2
    assert (f"{folder}/gold/902_pipe.json:1: is a FIFO (named pipe), not a regular file: only regular files are read"
            in result.stderr.splitlines())
    result = subprocess_cli("build", "--annotations", str(folder), "--out", str(folder.parent / "data"))
    assert result.returncode == 2 and not (folder.parent / "data").exists()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_text_linked_to_dev_zero_is_a_problem_for_validate_and_locate(folder):
    text = folder / "documents" / f"{GOLD}.txt"
    text.unlink()
    text.symlink_to("/dev/zero")
    result = subprocess_cli("validate", str(folder))
    assert result.returncode == 2
    assert (f"{text}:1: is a character device, not a regular file: only regular files are read"
            in result.stderr.splitlines())
    result = subprocess_cli("locate", GOLD, "bridge", "--annotations", str(folder))
    assert result.returncode == 2
    assert result.stderr == f"{text}: file: is a character device, not a regular file: only regular files are read\n"


def test_a_symlinked_text_is_legitimate(folder, capsys):
    text = folder / "documents" / f"{GOLD}.txt"
    real = folder.parent / "elsewhere.txt"
    shutil.move(text, real)
    text.symlink_to(real)
    assert validate(folder).ok
    assert main(["locate", GOLD, "new river bridge", "--annotations", str(folder)]) == 0


def test_files_over_the_cap_are_refused_before_they_are_read(folder, monkeypatch, capsys):
    monkeypatch.setattr(validate_module, "MAX_ANNOTATION_BYTES", 100)
    monkeypatch.setattr(positions, "MAX_ANNOTATION_BYTES", 100)
    problems = validate(folder).problems
    size = gold_path(folder).stat().st_size
    assert f"{gold_path(folder)}:1: {size} bytes, over the cap of 100 bytes" in problems
    monkeypatch.undo()
    for command in ("validate", "locate", "agreement"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "of at most 16 MiB" in " ".join(capsys.readouterr().out.split()), command


def test_a_5000_digit_integer_is_a_problem_line_in_validate_build_and_agreement(folder, tmp_path, capsys):
    path = gold_path(folder)
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if '"start":' in line)
    lines[index] = lines[index].split(":")[0] + ": " + "7" * 5000 + ","
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = (f"{path}:{index + 1}: invalid JSON: a number with more than 4300 digits (an offset, a count or a "
               "value this long cannot be right)")
    assert_refused_everywhere(folder, problem, tmp_path, capsys)


def test_a_lone_surrogate_in_a_gold_note_fails_validation_so_build_never_crashes(folder, tmp_path, capsys):
    path = gold_path(folder)
    text = path.read_text(encoding="utf-8")
    assert '"note": "made-up test article"' in text
    path.write_text(text.replace('"note": "made-up test article"', '"note": "made-up \\ud800 article"'),
                    encoding="utf-8")
    line = text[: text.index('"note": "made-up')].count("\n") + 1
    problem = (f"{path}:{line}: metadata: note: not valid Unicode: a lone surrogate \\ud800 (a JSON \\uD800-\\uDFFF "
               "escape must be half of a surrogate pair); remove it or write the character itself")
    assert_refused_everywhere(folder, problem, tmp_path, capsys)


def test_a_lone_surrogate_in_speakers_json_is_a_problem(folder):
    path = folder / "speakers.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["speakers"][0]["aliases"].append("\udc00")
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")     # ensure_ascii: written as a \udc00 escape
    speaker = data["speakers"][0]["id"]
    problems = [p for p in validate(folder).problems if "lone surrogate" in p]
    assert len(problems) == 1 and problems[0].startswith(f"{path}:")
    assert f": {speaker}: aliases[{len(data['speakers'][0]['aliases']) - 1}]: not valid Unicode" in problems[0]


def test_deeply_nested_gold_is_refused_before_parsing(folder):
    path = gold_path(folder)
    path.write_text("[" * 20000 + "]" * 20000, encoding="utf-8")
    assert f"{path}:1: values nested 20000 levels deep (limit 64); not parsed" in validate(folder).problems

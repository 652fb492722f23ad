"""The distribution builds without deprecation or missing-package warnings, carries its data and its licenses, and
takes its version from one place (`benchmark.__version__`)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import benchmark

ROOT = Path(__file__).resolve().parents[1]


def tracked_copy(folder: Path) -> Path:
    """A copy of what git tracks, so a build leaves no build/ folder in the checkout."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    return folder


@pytest.mark.slow
def test_the_editable_install_of_the_two_readme_commands_prints_no_warning(tmp_path):
    """dev.py installs with `pip install -e .`: setuptools' PEP 660 hook, run here directly, says nothing (a flat
    layout it cannot see as one makes it warn about a meta path finder, on every set-up)."""
    source = tracked_copy(tmp_path / "source")
    hook = ("import sys, warnings; warnings.simplefilter('always'); from setuptools import build_meta; "
            "print(build_meta.build_editable(sys.argv[1]))")
    proc = subprocess.run([sys.executable, "-c", hook, str(tmp_path)], cwd=source, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert not re.search(r"warning|deprecat|careful", proc.stderr, re.I), proc.stderr
    assert (tmp_path / proc.stdout.split()[-1]).is_file()


@pytest.mark.slow
def test_wheel_builds_without_warnings_and_carries_data_and_licenses(tmp_path):
    source = tracked_copy(tmp_path / "source")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "-w", str(tmp_path), str(source)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    output = proc.stdout + proc.stderr
    assert not re.search(r"deprecat|absent from|SetuptoolsDeprecationWarning", output, re.I), output
    (wheel,) = tmp_path.glob("kremlin_reactions-*.whl")
    assert wheel.name.startswith(f"kremlin_reactions-{benchmark.__version__}-")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(next(n for n in names if n.endswith("METADATA"))).decode()
    for path in ("benchmark/data/README.md", "benchmark/data/croissant.json", "benchmark/data/gold_fingerprint.txt",
                 "benchmark/data/files.sha256",
                 "benchmark/data/quotes/test.parquet", "benchmark/data/documents/train.parquet",
                 "benchmark/corpus/card_template.md", "benchmark/submission/submission.schema.json",
                 "baselines/rules/__init__.py"):
        assert path in names, path
    assert "License-Expression: MIT AND CC-BY-4.0" in metadata
    assert {n.rsplit("licenses/", 1)[-1] for n in names if "/licenses/" in n} == {
        "LICENSE", "LICENSES/MIT.txt", "LICENSES/CC-BY-4.0.txt"}


def test_one_version_source():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"] and config["project"]["dynamic"] == ["version"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "benchmark.__version__"}


def test_license_file_says_what_is_licensed_how():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "MIT" in text and "CC-BY-4.0" in text and "NOT licensed by this project" in text
    assert "Attribution 4.0 International" in (ROOT / "LICENSES" / "CC-BY-4.0.txt").read_text(encoding="utf-8")

"""The scorer's results over fixed fixtures (tests/golden/) must not change unless the scorer version moves.

When this fails after a deliberate change to the scorer: bump SCORER_VERSION in benchmark/scoring/reference.py
and run `python tests/golden/regenerate.py` (it refuses to record changed results under the old version)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from benchmark.scoring.reference import SCORER_VERSION

HERE = Path(__file__).resolve().parent / "golden"
spec = importlib.util.spec_from_file_location("golden_regenerate", HERE / "regenerate.py")
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)


@pytest.fixture(scope="module")
def recorded():
    return golden.stored()


def test_golden_file_is_of_this_scorer_version(recorded):
    assert recorded.get("scorer_version") == SCORER_VERSION, (
        f"tests/golden/results.json holds scorer version {recorded.get('scorer_version')!r}, the scorer is "
        f"{SCORER_VERSION!r}: run `{golden.COMMAND}`")


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_results_are_the_golden_ones(recorded, engine):
    results = golden.compute(engine)
    assert results.keys() == recorded["results"].keys()
    for name, expected in recorded["results"].items():
        assert results[name] == expected, (
            f"{name}: the scorer's results changed. If that is intended, bump SCORER_VERSION in "
            f"benchmark/scoring/reference.py and run `{golden.COMMAND}`")


def test_regenerating_refuses_changed_results_under_the_same_version(monkeypatch, tmp_path, recorded):
    import json

    fake = tmp_path / "results.json"
    tampered = json.loads(json.dumps(recorded))
    first = next(iter(tampered["results"]))
    tampered["results"][first]["overall"] = -1.0          # as if the scorer had given other numbers
    fake.write_text(json.dumps(tampered), encoding="utf-8")
    monkeypatch.setattr(golden, "RESULTS", fake)
    assert golden.main([]) == 1                           # same version, changed results: refused
    assert json.loads(fake.read_text(encoding="utf-8")) == tampered
    assert golden.main(["--check"]) == 1
    tampered["scorer_version"] = "0"                      # after a bump the file may be rewritten
    fake.write_text(json.dumps(tampered), encoding="utf-8")
    assert golden.main([]) == 0
    assert json.loads(fake.read_text(encoding="utf-8"))["results"] == recorded["results"]
    assert golden.main(["--check"]) == 0

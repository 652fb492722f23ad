"""README.md stays true: the results table is exactly what `kremlin-reactions results` prints today."""
from __future__ import annotations

from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_readme_results_table_equals_the_results_command():
    from baselines import results

    text = README.read_text(encoding="utf-8")
    start, end = text.index(results.README_START), text.index(results.README_END)
    committed = text[start + len(results.README_START):end].strip()
    fresh = results.render(results.score_baselines(), markdown=True).strip()
    assert committed == fresh, "README.md results are stale: run `kremlin-reactions results --markdown --update-readme README.md`"


def test_readme_starts_with_the_two_commands():
    lines = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("python3.11 dev.py")]
    assert [line.split("#")[0].strip() for line in lines[:2]] == ["python3.11 dev.py demo", "python3.11 dev.py test"]

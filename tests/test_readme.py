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


def test_readme_python_example_and_submission_example_work():
    """The README's ten-line example runs, and its submission example is a valid submission line."""
    import json
    import re
    import subprocess
    import sys

    from benchmark.dataset import read_rows
    from benchmark.submission import read_submission

    text = README.read_text(encoding="utf-8")
    example = re.search(r"## Ten lines of Python\n\n```python\n(.*?)```", text, re.S).group(1)
    assert len(example.strip().splitlines()) <= 12
    out = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "kremlin-reactions|data:" in out.stdout

    line = re.search(r"\*\*Submission format\*\*.*?```json\n(.*?)```", text, re.S).group(1)
    documents = {d["doc_id"]: d["text"] for d in read_rows("documents")}
    submission = read_submission([json.loads(line)], documents, name="README.md")
    quotes = submission.documents["003_847f753f01714433"].quotes
    assert documents["003_847f753f01714433"][quotes[0].start:quotes[0].end].startswith("Let’s not forget")

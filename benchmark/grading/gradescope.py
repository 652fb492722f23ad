"""Grading on Gradescope: the bundle's two scripts, the grading run inside it (`python -m
benchmark.grading.gradescope`, what run_autograder calls), and results.json (one test per graded metric of the
task, read from the metric registry).

Inside the image: ROOT is /autograder; the environment variable AUTOGRADER_ROOT redirects it (tests, dry runs),
and AUTOGRADER_PYTHON names an interpreter that already has the package (then setup.sh installs nothing).
What a student uploads (one of): a predictions file, exactly one `*.jsonl`; or an extractor, `extractor.py` (or a
single `.py` file of any name) defining the class `Extractor` (name set by --class-name), run like `kremlin-reactions
run` in a child process with a time limit. A submission that cannot be graded gets a results.json with score 0
and the problems in `output`.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmark.errors import InputError
from benchmark.scoring.metrics import METRICS, OVERALL_PARTS, task_of
from benchmark.scoring.results import get as get_metric

CONFIG_FILE = "autograder.json"
EXTRACTOR_FILE = "extractor.py"
DEFAULT_CLASS = "Extractor"
DEFAULT_POINTS = 100.0
DEFAULT_TIMEOUT = 600            # seconds for fit + extract of a student's extractor
MAX_OUTPUT_CHARS = 20_000         # of a child process's messages shown to the student


def _graded(*tasks: str) -> list[tuple[str, str]]:
    return [(m.key, m.description) for m in METRICS.values() if m.grade and task_of(m.key) in tasks]


# task -> the metrics it grades, one Gradescope test each: (results key, test name), from the metric registry.
# Points are shared equally among a task's metrics, so for `all` (the parts of `overall`) the score is overall x
# points.
TASK_METRICS: dict[str, list[tuple[str, str]]] = {
    "quotes": _graded("quotes"), "attribution": _graded("attribution"), "stance": _graded("stance"),
    "metadata": _graded("date", "outlet"), "all": [(key, METRICS[key].description) for key in OVERALL_PARTS],
}
TASKS = tuple(TASK_METRICS)


SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root with network, when it builds the autograder image.
# Installs Python >= 3.11 (if the image has none), a venv in $ROOT/venv, and kremlin-reactions from package/.
# AUTOGRADER_ROOT redirects /autograder; AUTOGRADER_PYTHON = an interpreter that already has the package
# (local testing): then nothing is installed, only the import is checked.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
if [ -n "${AUTOGRADER_PYTHON:-}" ]; then
  "$AUTOGRADER_PYTHON" -c "import benchmark.grading.gradescope, benchmark.scoring"
  echo "setup.sh: AUTOGRADER_PYTHON given; nothing installed"
  exit 0
fi
PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 \
     && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    PYTHON="$candidate"; break
  fi
done
if [ -z "$PYTHON" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3.11 python3.11-venv
  PYTHON=python3.11
fi
if ! "$PYTHON" -m venv "$ROOT/venv"; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$(basename "$PYTHON")-venv" || apt-get install -y -qq python3-venv
  "$PYTHON" -m venv "$ROOT/venv"
fi
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet "$SOURCE/package"
# Fail the image build now, not at grading time.
"$ROOT/venv/bin/python" -c "import benchmark.grading.gradescope, benchmark.scoring"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for each submission: grade $ROOT/submission, write $ROOT/results/results.json.
# AUTOGRADER_ROOT redirects /autograder; AUTOGRADER_PYTHON overrides the interpreter ($ROOT/venv/bin/python).
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
"$PYTHON" -m benchmark.grading.gradescope --root "$ROOT"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # The grader itself failed before writing results: still give Gradescope a valid results file.
  message="The autograder failed (exit status $status) before grading this submission."
  message="$message Nothing you uploaded was scored; please tell your instructor."
  printf '{"score": 0, "output": "%s", "tests": []}\n' "$message" > "$ROOT/results/results.json"
fi
exit 0
"""

def metric_value(results: dict, key: str) -> float:
    value = get_metric(results, key)
    return float(value) if isinstance(value, (int, float)) else 0.0


def metric_detail(results: dict, key: str) -> str:
    """One line a student can read: value, bootstrap interval, per-document values."""
    value = metric_value(results, key)
    parts = [f"{value:.3f}"]
    interval = (results.get("intervals") or {}).get(key)       # keyed by the dotted name
    if isinstance(interval, dict) and "low" in interval:
        parts.append(f"(95% bootstrap interval over documents {interval['low']:.3f}-{interval['high']:.3f})")
    per_doc = []
    for doc_id, row in sorted((results.get("per_document") or {}).items()):
        v = get_metric(row, METRICS[key].document_key or key) if key in METRICS else None
        if isinstance(v, bool):
            per_doc.append(f"{doc_id} {'right' if v else 'wrong'}")
        elif isinstance(v, (int, float)):
            per_doc.append(f"{doc_id} {v:.2f}")
    if per_doc:
        parts[-1] += "; per document: " + ", ".join(per_doc)
    return " ".join(parts)


def gradescope_results(results: dict, task: str, points: float = DEFAULT_POINTS,
                       visibility: str = "visible", note: str = "") -> dict:
    """Gradescope results.json for a scored submission: one test per metric of `task`, score = metric x points."""
    metrics = TASK_METRICS[task]
    share = points / len(metrics)
    tests = []
    for number, (key, name) in enumerate(metrics, start=1):
        tests.append({"name": name, "number": str(number), "score": round(metric_value(results, key) * share, 4),
                      "max_score": round(share, 4), "output": f"{key} = {metric_detail(results, key)}",
                      "visibility": visibility})
    lines = []
    if note:
        lines.append(note)
    lines.append(f"Signature: {results.get('signature', '')}")
    lines.append(f"Graded: {task} on the {results.get('options', {}).get('split', '?')} split "
                 f"({results.get('n_documents', '?')} documents)."
                 + (f" overall = {metric_detail(results, 'overall')}" if task == "all" else ""))
    if results.get("not_attempted"):
        lines.append("Not attempted (keys absent from every document): " + ", ".join(results["not_attempted"]))
    for warning in results.get("warnings") or []:
        lines.append(f"warning: {warning}")
    lines.append("With so few documents, the intervals are wide: a difference of a few points between two "
                 "submissions is not evidence that one is better.")
    return {
        "score": round(sum(t["score"] for t in tests), 4),
        "output": "\n".join(lines),
        "tests": tests,
        "leaderboard": [{"name": name, "value": round(metric_value(results, key), 4), "order": "desc"}
                        for key, name in [("overall", "overall"), *metrics]],
        "visibility": visibility,
    }


def gradescope_failure(task: str, message: str, points: float = DEFAULT_POINTS, visibility: str = "visible") -> dict:
    """results.json for a submission that could not be graded: score 0, the problems in `output`."""
    metrics = TASK_METRICS[task]
    share = points / len(metrics)
    text = "Your submission could not be graded, so it scores 0.\n\n" + message.rstrip()
    tests = [{"name": name, "number": str(number), "score": 0.0, "max_score": round(share, 4),
              "output": "not graded: see the problems above", "visibility": visibility}
             for number, (_, name) in enumerate(metrics, start=1)]
    return {"score": 0.0, "output": text, "tests": tests, "visibility": visibility}


class NotGradable(Exception):
    """The submission cannot be graded; the message is shown to the student."""


def _visible_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not any(part.startswith(".") or part in ("__pycache__", "__MACOSX")
                              for part in p.relative_to(folder).parts))


def find_submission(folder: Path) -> tuple[str, Path, str]:
    """("extractor" | "predictions", path, note) for the student's upload. Raises NotGradable."""
    files = _visible_files(folder)
    listing = ", ".join(str(p.relative_to(folder)) for p in files[:20]) or "nothing"
    python = [p for p in files if p.suffix == ".py"]
    jsonl = [p for p in files if p.suffix == ".jsonl"]
    named = [p for p in python if p.name == EXTRACTOR_FILE]
    extractor = named[0] if len(named) == 1 else (python[0] if len(python) == 1 and not named else None)
    if len(named) > 1:
        raise NotGradable(f"several {EXTRACTOR_FILE} files were uploaded ({listing}); upload one")
    if extractor is not None:
        note = (f"Both an extractor and {len(jsonl)} .jsonl file(s) were uploaded: the extractor "
                f"{extractor.relative_to(folder)} was run and graded; the .jsonl was ignored." if jsonl else "")
        return "extractor", extractor, note
    if len(jsonl) == 1:
        return "predictions", jsonl[0], ""
    if len(jsonl) > 1:
        raise NotGradable(f"several .jsonl files were uploaded ({listing}); upload exactly one predictions file")
    if python:
        raise NotGradable(f"several .py files were uploaded ({listing}) and none is named {EXTRACTOR_FILE}: name the "
                          f"file that defines your extractor class {EXTRACTOR_FILE}")
    raise NotGradable(f"found no predictions file (*.jsonl) and no extractor ({EXTRACTOR_FILE}) in the upload; "
                      f"found: {listing}")


def run_extractor_file(path: Path, class_name: str, split: str, data_dir: Path, out: Path,
                       timeout: float = DEFAULT_TIMEOUT) -> None:
    """Run a student's extractor like `kremlin-reactions run FILE:CLASS` in a child process; raise NotGradable with
    its messages when it fails. The child cannot take the grader down (sys.exit, os._exit, crashes, time limit)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(path.parent), os.environ.get("PYTHONPATH", "")]),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "benchmark", "run", f"{path}:{class_name}", "--split", split,
           "--data", str(data_dir), "-o", str(out), "--quiet", "--debug"]
    try:
        proc = subprocess.run(cmd, cwd=str(out.parent), env=env, capture_output=True, text=True,
                              timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        raise NotGradable(f"{path.name}: the extractor did not finish within {timeout:g} seconds") from None
    if proc.returncode != 0 or not out.is_file():
        # Paths of the grading machine mean nothing to the student: show file names.
        messages = (proc.stderr or "").replace(str(out), out.name).replace(str(path.parent) + os.sep, "").strip()
        if len(messages) > MAX_OUTPUT_CHARS:
            messages = messages[:MAX_OUTPUT_CHARS] + "\n... (truncated)"
        raise NotGradable(f"Running {path.name} (class {class_name}) failed (exit status {proc.returncode}):\n"
                          f"{messages or '(no message)'}")


def grade_gradescope(root: Path, config: dict | None = None) -> dict:
    """Grade root/submission into root/results/results.json; return the results dict written."""
    from benchmark.scoring import score

    root = Path(root)
    config = config if config is not None else json.loads((root / "source" / CONFIG_FILE).read_text())
    task, points, visibility = config["task"], float(config["points"]), config.get("visibility", "visible")
    data_dir = root / "source" / "data"
    results_path = root / "results" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        kind, path, note = find_submission(root / "submission")
        with tempfile.TemporaryDirectory(prefix="kr-grade-") as tmp:
            if kind == "extractor":
                predictions = Path(tmp) / "predictions.jsonl"
                run_extractor_file(path, config.get("class_name", DEFAULT_CLASS), config["split"], data_dir,
                                   predictions, float(config.get("timeout", DEFAULT_TIMEOUT)))
            else:
                predictions = path
            try:
                results = score(str(predictions), split=config["split"], track=config.get("track", "A"),
                                data_dir=data_dir, n_boot=int(config.get("n_boot", 1000)))
            except InputError as err:
                shown = [line.replace(str(predictions), predictions.name) for line in err.problems[:50]]
                more = len(err.problems) - len(shown)
                raise NotGradable(f"{predictions.name} is not a valid submission:\n" + "\n".join(shown)
                                  + (f"\n... and {more} more problems" if more > 0 else "")) from None
        graded = gradescope_results(results, task, points, visibility,
                                    note=f"Graded {path.name} ({kind}). {note}".strip())
    except NotGradable as err:
        graded = gradescope_failure(task, str(err), points, visibility)
    results_path.write_text(json.dumps(graded, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return graded


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmark.grading.gradescope [--root ROOT]`: what run_autograder runs for each submission."""
    parser = argparse.ArgumentParser(prog="python -m benchmark.grading.gradescope",
                                     description="grade ROOT/submission into ROOT/results/results.json")
    parser.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = parser.parse_args(argv)
    grade_gradescope(Path(args.root))
    return 0


if __name__ == "__main__":
    sys.exit(main())

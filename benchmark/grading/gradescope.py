"""Grading on Gradescope: the bundle's two scripts, the grading run inside it (`python -m
benchmark.grading.gradescope`, what run_autograder calls), and results.json (one test per graded metric of the
task, read from the metric registry).

Inside the image: ROOT is /autograder; the environment variable AUTOGRADER_ROOT redirects it (tests, dry runs),
and AUTOGRADER_PYTHON names an interpreter that already has the package (then setup.sh installs nothing).
What a student uploads (one of): a predictions file, exactly one `*.jsonl`; or an extractor, `extractor.py` (or a
single `.py` file of any name) defining the class `Extractor` (name set by --class-name). An extractor runs in the
grading sandbox (`benchmark.grading.graded_run`: a dedicated unprivileged uid, resource limits, every process of
the uid killed before scoring; AUTOGRADER_SANDBOX=off for a local dry run without it). A submission that cannot be
graded gets a results.json with score 0 and the problems in `output`. results.json is written by root only,
atomically, after the extractor's processes are dead.
"""
from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from benchmark.errors import InputError
from benchmark.grading import graded_run
from benchmark.grading.graded_run import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, NotGradable  # noqa: F401 (re-exported)
from benchmark.grading.messages import MAX_OUTPUT_CHARS, Redactor, printable  # noqa: F401 (re-exported)
from benchmark.grading.sandbox import SandboxError, lock_down
from benchmark.safe_io import write_atomic
from benchmark.scoring.metrics import METRICS, OVERALL_PARTS, task_of
from benchmark.scoring.results import get as get_metric

CONFIG_FILE = "autograder.json"
EXTRACTOR_FILE = "extractor.py"
DEFAULT_CLASS = "Extractor"
DEFAULT_POINTS = 100.0


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
# Installs Python >= 3.11 (if the image has none), a venv in $ROOT/venv, and kremlin-reactions from package/;
# creates the grading user kr-student (no home, no login) that students' extractors run as, and checks the
# sandbox. AUTOGRADER_ROOT redirects /autograder; AUTOGRADER_PYTHON = an interpreter that already has the package
# (local testing): then nothing is installed and no user is created, only the import is checked.
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
     && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) and sys.version_info[:3] != (3, 12, 0) else 1)'; then
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
# The grading user: a dedicated uid that nothing else uses; students' extractors run as it (benchmark.grading.sandbox).
if ! id -u kr-student >/dev/null 2>&1; then
  NOLOGIN="$(command -v nologin || echo /bin/false)"
  if command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell "$NOLOGIN" kr-student
  else
    adduser --system --group --no-create-home --home /nonexistent --shell "$NOLOGIN" kr-student
  fi
fi
chmod -R a+rX "$ROOT/venv"                # the extractor's interpreter and libraries, readable by kr-student
chmod 755 "$ROOT"
"$ROOT/venv/bin/python" -m benchmark.grading.graded_run --check --root "$ROOT"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for each submission, as root: grade $ROOT/submission, write $ROOT/results/results.json.
# An uploaded extractor runs in the grading sandbox as the user kr-student (benchmark.grading.graded_run).
# AUTOGRADER_ROOT redirects /autograder; AUTOGRADER_PYTHON overrides the grader's interpreter ($ROOT/venv/bin/python);
# AUTOGRADER_CHILD_PYTHON the extractor's; AUTOGRADER_SANDBOX=off makes a local dry run without the sandbox;
# AUTOGRADER_UID/AUTOGRADER_GID a grading uid where there is no kr-student user.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1
cd "$ROOT" || exit 0
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
        "output_format": "text", "test_output_format": "text",     # untrusted text is never rendered as HTML
    }


def gradescope_failure(task: str, message: str, points: float = DEFAULT_POINTS, visibility: str = "visible") -> dict:
    """results.json for a submission that could not be graded: score 0, the problems in `output`."""
    metrics = TASK_METRICS[task]
    share = points / len(metrics)
    text = "Your submission could not be graded, so it scores 0.\n\n" + message.rstrip()
    tests = [{"name": name, "number": str(number), "score": 0.0, "max_score": round(share, 4),
              "output": "not graded: see the problems above", "visibility": visibility}
             for number, (_, name) in enumerate(metrics, start=1)]
    return {"score": 0.0, "output": text, "tests": tests, "visibility": visibility,
            "output_format": "text", "test_output_format": "text"}


def _visible_files(folder: Path) -> list[Path]:
    """Regular files of the upload, never through a symlink (one could point at the gold), hidden ones skipped."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for base, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in graded_run.SKIPPED_PARTS]
        found.extend(Path(base) / name for name in files
                     if not name.startswith(".") and stat.S_ISREG(os.lstat(Path(base) / name).st_mode))
    return sorted(found)


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


SANDBOX_NOTE = ("NOT SANDBOXED: this was a dry run (AUTOGRADER_SANDBOX=off, or the grader is not root): the "
                "extractor ran as the grader's own user, could read the gold and outlive the run. Never grade "
                "students this way.")
AUTOGRADER_PROBLEM = ("The autograder could not run your code safely, so nothing you uploaded was scored. This is "
                      "a problem of the autograder's set-up, not of your submission: please tell your instructor.")


PUBLIC_SPLITS = ("train", "test")      # the benchmark's own; any other split is an instructor's and may be private


def private_documents(data_dir: str | Path) -> list[str]:
    """doc_ids of the folder's documents that are not public benchmark articles: their text is never shown to
    students (`benchmark.grading.messages`). Public = in a train or test split here and in the packaged data folder
    with the same id and text; so every document of a split of the instructor's own (`private`, ...) is private,
    also when it was built into the packaged folder, and every document when that folder is not available."""
    from benchmark import DATA_DIR
    from benchmark.dataset import read_rows, splits

    def keyed(folder, name) -> dict[str, str]:
        return {row["doc_id"]: row.get("text_sha256") or row["text"] for row in read_rows("documents", name, folder)}
    try:
        public = {k: v for name in splits(DATA_DIR) if name in PUBLIC_SPLITS for k, v in keyed(DATA_DIR, name).items()}
    except InputError:                                  # an installed copy without the data folder
        public = {}
    return sorted(doc_id for name in splits(data_dir) for doc_id, key in keyed(data_dir, name).items()
                  if name not in PUBLIC_SPLITS or public.get(doc_id) != key)


def _redactor(config: dict, data_dir: Path) -> Redactor:
    """Private documents: those listed in autograder.json; every document when the list is missing (fail safe)."""
    from benchmark.dataset import read_rows

    listed = config.get("private_documents")
    private = None if not isinstance(listed, list) else set(listed)
    if private == set():
        return Redactor([])
    return Redactor(row["text"] for row in read_rows("documents", "all", data_dir)
                    if private is None or row["doc_id"] in private)


def _write_results(path: Path, graded: dict) -> None:
    """results.json, atomically (a temporary file in the same root-only folder, then a rename)."""
    write_atomic({path: json.dumps(graded, indent=2, ensure_ascii=False) + "\n"})


def grade_gradescope(root: Path, config: dict | None = None, environ=os.environ) -> dict:
    """Grade root/submission into root/results/results.json; return the results dict written."""
    from benchmark.scoring import score

    root = Path(root)
    config = config if config is not None else json.loads((root / "source" / CONFIG_FILE).read_text())
    task, points, visibility = config["task"], float(config["points"]), config.get("visibility", "visible")
    data_dir = root / "source" / "data"
    results_path = root / "results" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    try:
        settings = graded_run.settings_for(root, config, environ)
        if settings.sandboxed:
            lock_down(str(root))
        else:
            notes.append(SANDBOX_NOTE)
            print(f"WARNING: {SANDBOX_NOTE}", file=sys.stderr)
        redactor = _redactor(config, data_dir)
        kind, path, note = find_submission(root / "submission")
        with tempfile.TemporaryDirectory(prefix="kr-grade-") as tmp:      # root 0700
            if kind == "extractor":
                class_name = config.get("class_name", DEFAULT_CLASS)
                outcome = graded_run.run_uploaded(root / "submission", path, class_name=class_name,
                                                  split=config["split"], data_dir=data_dir, settings=settings,
                                                  work=Path(tmp))
                if outcome.predictions is None:
                    raise NotGradable(graded_run.failure_message(outcome, upload_name=path.name,
                                                                 class_name=class_name, timeout=settings.timeout,
                                                                 redactor=redactor))
                predictions = outcome.predictions
                printed = graded_run.output_section(outcome.result, redactor).strip()
                if (outcome.report or {}).get("fitted") and config["split"] in ("train", "all"):
                    notes.append(f"warning: {path.name} was fitted on the train split and graded on "
                                 f"{config['split']}: in-sample, optimistic numbers")
            else:
                predictions, printed = path, ""
            try:
                results = score(str(predictions), split=config["split"], track=config.get("track", "A"),
                                data_dir=data_dir, n_boot=int(config.get("n_boot", 1000)),
                                strict=bool(config.get("strict", False)))
            except InputError as err:
                shown = [redactor.problem(line.replace(str(predictions), predictions.name))
                         for line in err.problems[:50]]
                more = len(err.problems) - len(shown)
                raise NotGradable(f"{predictions.name} is not a valid submission:\n" + "\n".join(shown)
                                  + (f"\n... and {more} more problems" if more > 0 else "")) from None
        results["warnings"] = [redactor.problem(w) for w in results.get("warnings") or []]
        graded = gradescope_results(results, task, points, visibility,
                                    note="\n".join([*notes, f"Graded {path.name} ({kind}). {note}".strip()]))
        if printed:
            graded["output"] += "\n\n" + printed
    except NotGradable as err:
        graded = gradescope_failure(task, "\n".join([*notes, str(err)]), points, visibility)
    except SandboxError as err:
        print(f"[grader] sandbox problem: {err}", file=sys.stderr)
        graded = gradescope_failure(task, f"{AUTOGRADER_PROBLEM}\n({printable(err)})", points, visibility)
    _write_results(results_path, graded)
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

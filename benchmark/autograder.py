"""`kremlin-reactions autograder gradescope|codabench -o FILE.zip`: grading bundles for a course.

Gradescope bundle (upload as the assignment's autograder zip):
    setup.sh          installs Python >= 3.11 if the image lacks it, a venv in $ROOT/venv, and the package from the
                      source copy in package/ (Gradescope builds the image with network; no git repository needed)
    run_autograder    grades $ROOT/submission and writes $ROOT/results/results.json (`python -m benchmark.autograder
                      gradescope`); if anything fails before results are written it still writes a results.json
    autograder.json   what to grade: task, split, track, points, the extractor class name
    data/             the dataset folder graded against (the packaged one, or an instructor's private build)
    package/          a source copy of the `benchmark` and `baselines` packages with a minimal pyproject.toml
ROOT is /autograder on Gradescope; the environment variable AUTOGRADER_ROOT redirects it (tests, dry runs), and
AUTOGRADER_PYTHON names an interpreter that already has the package (then setup.sh installs nothing).

What a student uploads (one of):
    a predictions file: exactly one `*.jsonl` (the submission format; see `kremlin-reactions score --help`);
    an extractor: `extractor.py` (or a single `.py` file of any name) defining the class `Extractor` (name set by
    --class-name); other `.py` files uploaded with it are importable. It is run like `kremlin-reactions run`:
    fit(train documents, train quotes) if it has fit, then extract({"doc_id", "text"}) per document of the split,
    in a child process with a time limit. If both are uploaded, the extractor is graded and the output says so.
A submission that cannot be graded (no file, malformed JSONL, an extractor that raises) gets a results.json with
score 0 and the problems (`FILE:LINE: field: problem`, or the extractor's traceback) in `output`.

Codabench bundle (upload as the scoring program; metadata.yaml runs
`python3 /app/program/score.py /app/input /app/output`): score.py, config.json, requirements.txt, lib/ (the same
source copy, with the gold in lib/benchmark/data/). score.py runs `benchmark.codabench` from lib/: the submission is
the one `*.jsonl` in input/res (Codabench submissions are result files; no participant code runs); the gold is
input/ref when it holds a dataset folder, else the bundled one; it writes output/scores.json (the leaderboard
columns, CODABENCH_COLUMNS), the legacy scores.txt and results.json. An invalid submission exits 2 with the
problems on stderr and writes no scores (Codabench marks it failed). The environment variable CODABENCH_ROOT
rebases every `/app/...` argument, so the exact metadata command runs in a temp folder.

Zips are deterministic: fixed timestamps, sorted entries, so the same inputs give byte-identical bundles.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from benchmark.errors import InputError
from benchmark.reports.text import get as get_metric

HELP = "build a Gradescope autograder zip or a Codabench scoring-program zip for a task"

PLATFORMS = ("gradescope", "codabench")
# task -> the metrics it grades: (results key, test name). Points are shared equally among a task's metrics, so
# for `all` (the four parts of `overall`) the total score is overall x points.
TASK_METRICS: dict[str, list[tuple[str, str]]] = {
    "quotes": [("quotes.overlap.f1", "Quote detection F1 (overlap match)"),
               ("quotes.exact.f1", "Quote detection F1 (exact match)")],
    "attribution": [("attribution.f1", "Attribution F1 (quote found and speaker right)"),
                    ("attribution.accuracy", "Speaker accuracy on the quotes you found")],
    "stance": [("stance_e2e.macro_f1", "Stance macro-F1, end to end (quote found and stance right)"),
               ("stance.macro_f1", "Stance macro-F1 on the quotes you found")],
    "metadata": [("date.accuracy", "Publication date, exact day"),
                 ("outlet.accuracy", "Outlet (null is right when the text never names it)")],
    "all": [("attribution.f1", "Attribution F1 (quote found and speaker right)"),
            ("stance_e2e.macro_f1", "Stance macro-F1, end to end"),
            ("date.accuracy", "Publication date, exact day"),
            ("outlet.accuracy", "Outlet")],
}
TASKS = tuple(TASK_METRICS)
# Per-document value of a metric: per_document rows name a few metrics differently.
PER_DOCUMENT_KEY = {"date.accuracy": "date.exact", "outlet.accuracy": "outlet.correct",
                    "quotes.overlap.f1": "quotes.overlap.f1", "quotes.exact.f1": "quotes.exact.f1"}
# Codabench leaderboard columns (scores.json keys) -> results key.
CODABENCH_COLUMNS = {
    "overall": "overall",
    "quotes_f1": "quotes.overlap.f1",
    "quotes_exact_f1": "quotes.exact.f1",
    "attribution_f1": "attribution.f1",
    "attribution_accuracy": "attribution.accuracy",
    "stance_macro_f1": "stance_e2e.macro_f1",
    "stance_matched_macro_f1": "stance.macro_f1",
    "stance_f_avg": "stance.f_avg",
    "date_accuracy": "date.accuracy",
    "outlet_accuracy": "outlet.accuracy",
}
CONFIG_NAME = {"gradescope": "autograder.json", "codabench": "config.json"}
EXTRACTOR_FILE = "extractor.py"
DEFAULT_CLASS = "Extractor"
DEFAULT_POINTS = 100.0
DEFAULT_TIMEOUT = 600            # seconds for fit + extract of a student's extractor
MAX_OUTPUT_CHARS = 20_000         # of a child process's messages shown to the student
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PACKAGES = ("benchmark", "baselines")   # copied into the bundles (baselines: students may build on them)

# ----------------------------------------------------------------------------------------------------------------
# the scripts inside the bundles

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root with network, when it builds the autograder image.
# Installs Python >= 3.11 (if the image has none), a venv in $ROOT/venv, and kremlin-reactions from package/.
# AUTOGRADER_ROOT redirects /autograder; AUTOGRADER_PYTHON = an interpreter that already has the package
# (local testing): then nothing is installed, only the import is checked.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
if [ -n "${AUTOGRADER_PYTHON:-}" ]; then
  "$AUTOGRADER_PYTHON" -c "import benchmark.autograder, benchmark.scoring"
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
"$ROOT/venv/bin/python" -c "import benchmark.autograder, benchmark.scoring"
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
"$PYTHON" -m benchmark.autograder gradescope --root "$ROOT"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # The grader itself failed before writing results: still give Gradescope a valid results file.
  message="The autograder failed (exit status $status) before grading this submission."
  message="$message Nothing you uploaded was scored; please tell your instructor."
  printf '{"score": 0, "output": "%s", "tests": []}\n' "$message" > "$ROOT/results/results.json"
fi
exit 0
"""

SCORE_PY = r'''#!/usr/bin/env python3
"""Codabench scoring program for kremlin-reactions: python3 score.py INPUT_DIR OUTPUT_DIR.

INPUT_DIR/res holds the participant's one predictions *.jsonl; INPUT_DIR/ref may hold a dataset folder (else the
bundled lib/benchmark/data/ is the gold). Scoring is `python -m benchmark.codabench` of the bundled package: writes
OUTPUT_DIR/scores.json, scores.txt and results.json; an invalid submission exits 2 with the problems on stderr.
CODABENCH_ROOT, when set, replaces the leading /app of the arguments (local testing).
Needs Python >= 3.11 with numpy, scipy, pyarrow, scikit-learn (requirements.txt): when they are missing, they are
pip-installed into a temporary folder unless CODABENCH_NO_PIP=1.
"""
from __future__ import annotations  # so that an old Python reaches the version message below

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "lib"))


def rebase(path: str) -> Path:
    root = os.environ.get("CODABENCH_ROOT")
    if root and (path == "/app" or path.startswith("/app/")):
        return Path(root) / path[len("/app/"):] if path != "/app" else Path(root)
    return Path(path)


def ensure_requirements() -> None:
    try:
        import numpy, scipy, pyarrow, sklearn  # noqa: F401
        return
    except ImportError as err:
        if os.environ.get("CODABENCH_NO_PIP") == "1":
            sys.exit(f"score.py: missing dependency ({err}); install requirements.txt in the scoring image")
    target = tempfile.mkdtemp(prefix="kr-deps-")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", target,
                    "-r", str(HERE / "requirements.txt")], check=True)
    sys.path.insert(1, target)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        sys.exit(f"score.py needs Python >= 3.11 (this is {sys.version.split()[0]}): "
                 "choose a Python 3.11+ docker image for the competition")
    input_dir = rebase(argv[1] if len(argv) > 1 else "/app/input")
    output_dir = rebase(argv[2] if len(argv) > 2 else "/app/output")
    ensure_requirements()
    import json
    from benchmark.codabench import main as score_submission

    config = json.loads((HERE / "config.json").read_text())
    return score_submission([str(input_dir), str(output_dir), "--split", config["split"], "--track",
                             config["track"], "--bootstrap", str(config["n_boot"])])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''

METADATA_YAML = "command: python3 /app/program/score.py /app/input /app/output\n"


# ----------------------------------------------------------------------------------------------------------------
# results helpers

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
        v = get_metric(row, PER_DOCUMENT_KEY.get(key, key))
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


# ----------------------------------------------------------------------------------------------------------------
# grading on Gradescope

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
    config = config if config is not None else json.loads((root / "source" / CONFIG_NAME["gradescope"]).read_text())
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


# ----------------------------------------------------------------------------------------------------------------
# grading on Codabench

def _is_dataset_folder(folder: Path) -> bool:
    return (folder / "README.md").is_file() and (folder / "documents").is_dir() and (folder / "quotes").is_dir()


def codabench_gold(ref: Path, program: Path) -> Path:
    """The dataset folder to score against: input/ref (or its one subfolder) if it is one, else program/data."""
    if _is_dataset_folder(ref):
        return ref
    subfolders = [p for p in ref.iterdir() if p.is_dir()] if ref.is_dir() else []
    if len(subfolders) == 1 and _is_dataset_folder(subfolders[0]):
        return subfolders[0]
    return program / "data"


# ----------------------------------------------------------------------------------------------------------------
# building the bundles

def _requirements() -> list[str]:
    """Runtime dependencies of the installed distribution (no extras)."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires("kremlin-reactions") or []
    except PackageNotFoundError:
        reqs = []
    return sorted(r for r in reqs if "extra ==" not in r)


def _package_files() -> dict[str, bytes]:
    """arcname (relative to the package root) -> bytes, for the packages in PACKAGES (no data folder, no caches)."""
    import importlib

    files: dict[str, bytes] = {}
    for name in PACKAGES:
        folder = Path(importlib.import_module(name).__file__).resolve().parent
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if (not path.is_file() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo")
                    or (name == "benchmark" and rel.parts[0] == "data")):
                continue
            files[f"{name}/{rel.as_posix()}"] = path.read_bytes()
    return files


def _pyproject(files: dict[str, bytes]) -> str:
    from benchmark import __version__

    packages = sorted({arc.rsplit("/", 1)[0].replace("/", ".") for arc in files if arc.endswith("/__init__.py")})
    deps = ",\n".join(f"    {json.dumps(r)}" for r in _requirements())
    return (
        "# Minimal build file for the copy of kremlin-reactions inside a grading bundle.\n"
        "[build-system]\nrequires = [\"setuptools>=68\"]\nbuild-backend = \"setuptools.build_meta\"\n\n"
        f"[project]\nname = \"kremlin-reactions\"\nversion = \"{__version__}\"\nrequires-python = \">=3.11\"\n"
        f"dependencies = [\n{deps}\n]\n\n"
        "[project.scripts]\nkremlin-reactions = \"benchmark.cli:main\"\n\n"
        f"[tool.setuptools]\npackages = {json.dumps(packages)}\n\n"
        "[tool.setuptools.package-data]\n\"*\" = [\"*.md\", \"*.json\"]\n"
    )


def _data_files(data_dir: Path, split: str) -> dict[str, bytes]:
    from benchmark.dataset import available_splits, data_fingerprint

    data_fingerprint(data_dir)                          # raises InputError for a folder that is not a build
    if split != "all" and split not in available_splits("documents", data_dir):
        raise InputError(f"{data_dir}: no {split!r} split in this dataset folder")
    return {f"data/{p.relative_to(data_dir).as_posix()}": p.read_bytes()
            for p in sorted(data_dir.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def _write_zip(path: Path, entries: dict[str, bytes], executable: set[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
            info.external_attr = ((0o755 if arcname in executable else 0o644) | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, entries[arcname])
    os.replace(tmp, path)


def _bundle_readme(platform: str, config: dict) -> str:
    head = (f"# kremlin-reactions {platform} bundle\n\n"
            f"Built by `kremlin-reactions autograder {platform}`. Grading configuration:\n\n"
            + "".join(f"- {k}: {v}\n" for k, v in config.items()) + "\n")
    if platform == "gradescope":
        return head + (
            "Upload this zip as the autograder of a Gradescope programming assignment (any Ubuntu base image; "
            "setup.sh installs Python 3.11+ when needed).\n\n"
            f"Students upload ONE of: a predictions file `*.jsonl`, or `{EXTRACTOR_FILE}` defining class "
            f"`{config['class_name']}` (extra `.py` helpers may be uploaded with it).\n\n"
            "Test it locally without Gradescope: unzip into DIR/source, put a submission in DIR/submission, then\n"
            "`AUTOGRADER_ROOT=DIR AUTOGRADER_PYTHON=python3 DIR/source/run_autograder` (with kremlin-reactions "
            "installed in that python) and read DIR/results/results.json.\n")
    return head + (
        "Upload this zip as the scoring program of a Codabench task. Use a docker image with Python 3.11+ "
        "(e.g. `python:3.11`); score.py pip-installs requirements.txt when numpy/scipy/pyarrow/scikit-learn are "
        "missing. The gold is the bundled lib/benchmark/data/ unless the task's reference data is a dataset "
        "folder.\n\n"
        "Participants submit a zip holding one predictions `*.jsonl`. Leaderboard columns (scores.json keys): "
        + ", ".join(f"`{c}`" for c in CODABENCH_COLUMNS) + ".\n\n"
        "Test it locally: unzip into DIR/program, put the submission in DIR/input/res, then\n"
        "`CODABENCH_ROOT=DIR python3 DIR/program/score.py /app/input /app/output` and read DIR/output/scores.json.\n")


def build_bundle(platform: str, output: str | Path, *, task: str = "all", split: str = "test", track: str = "A",
                 data_dir: str | Path | None = None, points: float = DEFAULT_POINTS, class_name: str = DEFAULT_CLASS,
                 visibility: str = "visible", timeout: float = DEFAULT_TIMEOUT, n_boot: int = 1000) -> Path:
    """Write a Gradescope or Codabench zip; return its path."""
    from benchmark import DATA_DIR, data_fingerprint

    if platform not in PLATFORMS:
        raise InputError(f"platform: expected one of {', '.join(PLATFORMS)}, got {platform!r}")
    if task not in TASK_METRICS:
        raise InputError(f"--task: expected one of {', '.join(TASKS)}, got {task!r}")
    if not class_name.isidentifier():
        raise InputError(f"--class-name: {class_name!r} is not a Python class name")
    if points <= 0:
        raise InputError(f"--points: must be positive, got {points:g}")
    data = Path(data_dir if data_dir is not None else DATA_DIR).resolve()
    data_entries = _data_files(data, split)
    package = _package_files()
    config = {"split": split, "track": track, "n_boot": n_boot, "data_fingerprint": data_fingerprint(data)}
    if platform == "gradescope":     # Codabench always writes every leaderboard column; the task picks Gradescope tests
        config.update(task=task, points=points, class_name=class_name, visibility=visibility, timeout=timeout)
        entries = {"setup.sh": SETUP_SH.encode(), "run_autograder": RUN_AUTOGRADER.encode(),
                   **{f"package/{k}": v for k, v in package.items()},
                   "package/pyproject.toml": _pyproject(package).encode(), **data_entries}
        executable = {"setup.sh", "run_autograder"}
    else:      # the gold goes where the bundled package's own data folder is: `benchmark.codabench` falls back to it
        entries = {"metadata.yaml": METADATA_YAML.encode(), "score.py": SCORE_PY.encode(),
                   "requirements.txt": ("".join(r + "\n" for r in _requirements())).encode(),
                   **{f"lib/{k}": v for k, v in package.items()},
                   **{f"lib/benchmark/{k}": v for k, v in data_entries.items()}}
        executable = {"score.py"}
    entries[CONFIG_NAME[platform]] = (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()
    entries["README.md"] = _bundle_readme(platform, config).encode()
    output = Path(output)
    _write_zip(output, entries, executable)
    return output


# ----------------------------------------------------------------------------------------------------------------
# command line: `kremlin-reactions autograder ...` builds; `python -m benchmark.autograder ...` grades (in bundles)

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("platform", choices=PLATFORMS,
                        help="gradescope (autograder zip) or codabench (scoring program)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="where to write the bundle")
    parser.add_argument("--task", choices=TASKS, default="all",
                        help="Gradescope: the metrics graded, one test each (default: all = the four parts of "
                             "`overall`); Codabench always reports every leaderboard column")
    parser.add_argument("--split", choices=("test", "train", "all"), default="test", help="documents graded")
    parser.add_argument("--track", choices=("A", "B", "all"), default="A", help="quote track (default A)")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="dataset folder to grade against, e.g. a private build with an extra test article "
                             "(default: the packaged benchmark/data)")
    parser.add_argument("--points", type=float, default=DEFAULT_POINTS,
                        help="Gradescope: total points, shared equally by the task's metrics "
                             f"(default {DEFAULT_POINTS:g})")
    parser.add_argument("--class-name", default=DEFAULT_CLASS,
                        help=f"Gradescope: class an uploaded {EXTRACTOR_FILE} must define "
                             f"(default {DEFAULT_CLASS})")
    parser.add_argument("--visibility", choices=("visible", "hidden", "after_due_date", "after_published"),
                        default="visible", help="Gradescope: visibility of the tests (default visible)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="Gradescope: seconds allowed for an extractor's fit + extract "
                             f"(default {DEFAULT_TIMEOUT})")


def run(args: argparse.Namespace) -> int:
    path = build_bundle(args.platform, args.output, task=args.task, split=args.split, track=args.track,
                        data_dir=args.data, points=args.points, class_name=args.class_name,
                        visibility=args.visibility, timeout=args.timeout)
    with zipfile.ZipFile(path) as zf:
        n = len(zf.namelist())
    print(f"wrote {path} ({args.platform}, task {args.task}, split {args.split}, {n} files)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.autograder",
                                     description="grading entry points used inside the bundles")
    sub = parser.add_subparsers(dest="platform", required=True)
    gs = sub.add_parser("gradescope", help="grade ROOT/submission into ROOT/results/results.json")
    gs.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = parser.parse_args(argv)
    grade_gradescope(Path(args.root))
    return 0


if __name__ == "__main__":
    sys.exit(main())

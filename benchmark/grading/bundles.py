"""`kremlin-reactions autograder gradescope|codabench -o FILE.zip`: grading bundles for a course.

Gradescope bundle (upload as the assignment's autograder zip):
    setup.sh          installs Python >= 3.11 if the image lacks it, a venv in $ROOT/venv, and the package from the
                      source copy in package/ (Gradescope builds the image with network; no git repository needed)
    run_autograder    grades $ROOT/submission and writes $ROOT/results/results.json (`benchmark.grading.gradescope`)
    autograder.json   what to grade: task, split, track, points, the extractor class name, the sandbox's timeout
                      and memory limit, the documents that are private (not public benchmark articles)
    data/             the dataset folder graded against (the packaged one, or an instructor's private build)
    package/          a source copy of the `benchmark` and `baselines` packages with a minimal pyproject.toml

Codabench bundle (upload as the scoring program; metadata.yaml runs
`python3 /app/program/score.py /app/input /app/output`): score.py, config.json, requirements.txt, lib/ (the same
source copy, with the gold in lib/benchmark/data/); see `benchmark.grading.codabench`. With `--competition`, a
whole Codabench competition bundle instead (`benchmark.grading.competition`).

Zips are deterministic: fixed timestamps, sorted entries, so the same inputs give byte-identical bundles.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from pathlib import Path

from benchmark.errors import InputError
from benchmark.grading.codabench import CODABENCH_COLUMNS, METADATA_YAML, SCORE_PY
from benchmark.grading.gradescope import (
    DEFAULT_CLASS,
    DEFAULT_MEMORY_MB,
    DEFAULT_POINTS,
    DEFAULT_TIMEOUT,
    EXTRACTOR_FILE,
    RUN_AUTOGRADER,
    SETUP_SH,
    TASK_METRICS,
    TASKS,
    private_documents,
)
from benchmark.safe_io import write_atomic
from benchmark.scoring import options as scoring_options

DEFAULT_PHASE_DAYS = 28          # a Codabench competition phase (`benchmark.grading.competition`)
HELP = "build a Gradescope autograder zip or a Codabench scoring-program zip for a task"
PLATFORMS = ("gradescope", "codabench")
CONFIG_NAME = {"gradescope": "autograder.json", "codabench": "config.json"}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PACKAGES = ("benchmark", "baselines")   # copied into the bundles (baselines: students may build on them)
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
    from benchmark.dataset import check_split, data_fingerprint

    data_fingerprint(data_dir)                          # raises InputError for a folder that is not a build
    check_split(split, data_dir)                        # any split the folder has (its gold declares), or all
    return {f"data/{p.relative_to(data_dir).as_posix()}": p.read_bytes()
            for p in sorted(data_dir.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def zip_bytes(entries: dict[str, bytes], executable: frozenset[str] | set[str] = frozenset()) -> bytes:
    """A deterministic zip (fixed timestamps, sorted entries) of `entries`, files at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
            info.external_attr = ((0o755 if arcname in executable else 0o644) | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, entries[arcname])
    return buffer.getvalue()


def write_zip(path: Path, entries: dict[str, bytes], executable: frozenset[str] | set[str] = frozenset()) -> None:
    """`zip_bytes` written to path atomically (complete, or not at all; InputError for an unwritable place)."""
    write_atomic([(path, zip_bytes(entries, executable))])


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
            "An uploaded extractor runs in the grading sandbox: as the user kr-student (created by setup.sh), with "
            f"a {config['timeout']:g}-second limit for fit + extract and a {config['memory_mb']} MB memory limit per "
            "process; every process it started is killed before scoring; it cannot read data/ or this "
            "configuration, nor write results.json. Set Gradescope's own timeout to at least "
            f"{config['timeout'] / 60 + 2:.0f} minutes. What the sandbox does and does not guarantee: "
            "assignments/INSTRUCTOR.md in the repository.\n\n"
            "Test it locally without Gradescope: unzip into DIR/source, put a submission in DIR/submission, then\n"
            "`AUTOGRADER_ROOT=DIR AUTOGRADER_PYTHON=python3 DIR/source/run_autograder` (with kremlin-reactions "
            "installed in that python) and read DIR/results/results.json. Run as a normal user, that is a dry run "
            "without the sandbox (results.json says so); as root, the sandbox is used, with "
            "AUTOGRADER_CHILD_PYTHON=/usr/bin/python3 (an interpreter the grading uid can run) and AUTOGRADER_UID "
            "(an unused uid, default 64123).\n")
    return head + (
        "Upload this zip as the scoring program of a Codabench task. Use a docker image with Python 3.11+ and "
        "requirements.txt installed (`kremlin-reactions autograder codabench --competition` writes a whole "
        "competition bundle with the Dockerfile of one); with another image, score.py pip-installs requirements.txt "
        "for each submission when numpy/scipy/pyarrow/scikit-learn are missing (CODABENCH_NO_PIP=1 forbids it). "
        "The gold is the bundled lib/benchmark/data/ unless the task's reference data is a dataset folder.\n\n"
        "Participants submit a zip holding one predictions `*.jsonl`. Leaderboard columns (scores.json keys): "
        + ", ".join(f"`{c}`" for c in CODABENCH_COLUMNS) + ".\n\n"
        "Test it locally: unzip into DIR/program, put the submission in DIR/input/res, then\n"
        "`CODABENCH_ROOT=DIR python3 DIR/program/score.py /app/input /app/output` and read DIR/output/scores.json.\n")


def build_bundle(platform: str, output: str | Path, *, task: str = "all", split: str = "test", track: str = "A",
                 data_dir: str | Path | None = None, points: float = DEFAULT_POINTS, class_name: str = DEFAULT_CLASS,
                 visibility: str = "visible", timeout: float = DEFAULT_TIMEOUT, n_boot: int = 1000,
                 memory_mb: int = DEFAULT_MEMORY_MB, strict: bool = False) -> Path:
    """Write a Gradescope or Codabench zip; return its path. strict: grade as `score --strict` (a quote given as
    text that is not in the article, or fits several places equally well, makes the submission ungradable instead
    of counting as spurious or taking the first place)."""
    from benchmark import DATA_DIR, data_fingerprint

    if platform not in PLATFORMS:
        raise InputError(f"platform: expected one of {', '.join(PLATFORMS)}, got {platform!r}")
    if task not in TASK_METRICS:
        raise InputError(f"--task: expected one of {', '.join(TASKS)}, got {task!r}")
    if not class_name.isidentifier():
        raise InputError(f"--class-name: {class_name!r} is not a Python class name")
    if points <= 0:
        raise InputError(f"--points: must be positive, got {points:g}")
    if not timeout > 0:
        raise InputError(f"--timeout: must be positive, got {timeout:g}")
    if memory_mb < 256:
        raise InputError(f"--memory-mb: at least 256 (numpy and scikit-learn need about 500), got {memory_mb}")
    data = Path(data_dir if data_dir is not None else DATA_DIR).resolve()
    data_entries = _data_files(data, split)
    package = _package_files()
    config = {"split": split, "track": track, "n_boot": n_boot, "strict": strict,
              "data_fingerprint": data_fingerprint(data)}
    if platform == "gradescope":     # Codabench always writes every leaderboard column; the task picks Gradescope tests
        config.update(task=task, points=points, class_name=class_name, visibility=visibility, timeout=timeout,
                      memory_mb=memory_mb, private_documents=private_documents(data))
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
    write_zip(output, entries, executable)
    return output


# ----------------------------------------------------------------------------------------------------------------
# command line: `kremlin-reactions autograder ...` builds the bundles

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("platform", choices=PLATFORMS,
                        help="gradescope (autograder zip) or codabench (scoring program)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="where to write the bundle")
    parser.add_argument("--task", choices=TASKS, default="all",
                        help="Gradescope: the metrics graded, one test each (default: all = the four parts of "
                             "`overall`); Codabench always reports every leaderboard column")
    scoring_options.add_arguments(parser, "split", "track", "bootstrap", "data", "strict")   # --data: a private build
    parser.add_argument("--points", type=float, default=DEFAULT_POINTS,
                        help="Gradescope: total points, shared equally by the task's metrics "
                             f"(default {DEFAULT_POINTS:g})")
    parser.add_argument("--class-name", default=DEFAULT_CLASS,
                        help=f"Gradescope: class an uploaded {EXTRACTOR_FILE} must define "
                             f"(default {DEFAULT_CLASS})")
    parser.add_argument("--visibility", choices=("visible", "hidden", "after_due_date", "after_published"),
                        default="visible", help="Gradescope: visibility of the tests (default visible)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="Gradescope: seconds allowed for an extractor's fit + extract (default "
                             f"{DEFAULT_TIMEOUT}: below Gradescope's own 10-minute limit, so a hang still gets a "
                             "message; raise Gradescope's limit to at least this + 2 minutes)")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help="Gradescope: virtual memory limit of each process of the extractor, in MB "
                             f"(default {DEFAULT_MEMORY_MB})")
    competition = parser.add_argument_group(
        "Codabench competition bundle (--competition; `benchmark.grading.competition`)")
    competition.add_argument("--competition", action="store_true",
                             help="codabench: write a whole competition bundle (competition.yaml, pages, scoring "
                                  "program, reference data, starting kits), not only the scoring program; --split "
                                  "takes a comma-separated list, one phase each (e.g. test,private)")
    competition.add_argument("--docker-image", default=None, metavar="IMAGE",
                             help="the scoring image (default: kremlinreactions/scorer:VERSION, built from the "
                                  "bundle's docker/Dockerfile; push it under your name and pass it here)")
    competition.add_argument("--allow-pip", action="store_true",
                             help="let score.py pip-install missing dependencies for each submission (off: the "
                                  "image has them)")
    competition.add_argument("--start", type=_date, default=None, metavar="YYYY-MM-DD",
                             help="first phase's start, 00:00 UTC (default: today)")
    competition.add_argument("--phase-days", type=int, default=None, metavar="N",
                             help="length of each phase in days; phases follow each other "
                                  f"(default {DEFAULT_PHASE_DAYS})")
    competition.add_argument("--title", default=None, help="competition title (default: names the splits)")


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def run(args: argparse.Namespace) -> int:
    if not args.competition:      # the competition's own options would be silently ignored
        given = [flag for flag, value in (("--docker-image", args.docker_image), ("--allow-pip", args.allow_pip),
                                          ("--start", args.start), ("--title", args.title),
                                          ("--phase-days", args.phase_days is not None)) if value]
        if given:
            raise InputError(f"{given[0]}: only with --competition (a whole competition bundle)")
    if args.competition:
        if args.platform != "codabench":
            raise InputError("--competition: only for codabench (a Gradescope autograder has no competition)")
        from benchmark.grading.competition import build_competition, default_docker_image

        splits = [s.strip() for s in args.split.split(",")]
        path = build_competition(args.output, splits=splits, track=args.track, data_dir=args.data_dir,
                                 n_boot=args.n_boot, strict=args.strict, docker_image=args.docker_image,
                                 allow_pip=args.allow_pip,
                                 start=args.start, title=args.title,
                                 phase_days=DEFAULT_PHASE_DAYS if args.phase_days is None else args.phase_days)
        image = args.docker_image or default_docker_image()
        print(f"wrote {path} (Codabench competition, phases: {', '.join(splits)}); docker_image {image} must be on "
              f"Docker Hub before the first submission: build it from the bundle's docker/ folder "
              f"(`docker build -t {image} . && docker push {image}`)", file=sys.stderr)
        return 0
    path = build_bundle(args.platform, args.output, task=args.task, split=args.split, track=args.track,
                        data_dir=args.data_dir, points=args.points, class_name=args.class_name,
                        visibility=args.visibility, timeout=args.timeout, n_boot=args.n_boot,
                        memory_mb=args.memory_mb, strict=args.strict)
    with zipfile.ZipFile(path) as zf:
        n = len(zf.namelist())
    print(f"wrote {path} ({args.platform}, task {args.task}, split {args.split}, {n} files)", file=sys.stderr)
    return 0

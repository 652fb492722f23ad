"""Grading on Codabench: the scoring program inside the bundle (score.py, metadata.yaml) and its entry,
`python -m benchmark.codabench INPUT_DIR OUTPUT_DIR [--split S] [--track T]`.

INPUT_DIR/ref holds the gold dataset folder (or nothing: the packaged `benchmark/data` is used); INPUT_DIR/res
holds the submission, exactly one `*.jsonl` file. Writes OUTPUT_DIR/scores.json (every headline metric of the
registry, as a plain key: `quotes.overlap.f1` -> `quotes_overlap_f1`), the legacy scores.txt, and results.json
(everything). An invalid submission prints `FILE:LINE: field: problem` lines on stderr, writes no scores and exits
2, so Codabench marks the submission failed with a readable log. The environment variable CODABENCH_ROOT rebases
every `/app/...` argument of score.py, so the exact metadata command runs in a temp folder.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from benchmark.errors import InputError
from benchmark.safe_io import write_atomic
from benchmark.scoring import options as scoring_options
from benchmark.scoring.metrics import METRICS

# Codabench leaderboard columns: scores.json key (a plain word) -> results key, from the metric registry
CODABENCH_COLUMNS = {m.codabench: m.key for m in METRICS.values() if m.codabench}

SCORE_PY = r'''#!/usr/bin/env python3
"""Codabench scoring program for kremlin-reactions: python3 score.py INPUT_DIR OUTPUT_DIR.

INPUT_DIR/res holds the participant's one predictions *.jsonl; INPUT_DIR/ref may hold a dataset folder (else the
bundled lib/benchmark/data/ is the gold). Scoring is `python -m benchmark.codabench` of the bundled package: writes
OUTPUT_DIR/scores.json, scores.txt and results.json; an invalid submission exits 2 with the problems on stderr.
CODABENCH_ROOT, when set, replaces the leading /app of the arguments (local testing).
Needs Python >= 3.11 with numpy, scipy, pyarrow, scikit-learn (requirements.txt), best from a docker image that
has them (the competition bundle's docker/Dockerfile). When they are missing, they are pip-installed into a
temporary folder, for every submission, only if config.json allows it ("pip_fallback") and CODABENCH_NO_PIP is
not 1. The split scored is INPUT_DIR/ref/scoring.json's "split" when the task's reference data has one (one task
per split in a competition), else config.json's.
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


def ensure_requirements(pip_fallback: bool) -> None:
    try:
        import numpy, scipy, pyarrow, sklearn  # noqa: F401
        return
    except ImportError as err:
        if not pip_fallback or os.environ.get("CODABENCH_NO_PIP") == "1":
            sys.exit(f"score.py: missing dependency ({err}); use a docker image with requirements.txt installed "
                     "(the competition bundle's docker/Dockerfile builds one)")
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
    import json

    config = json.loads((HERE / "config.json").read_text())
    ensure_requirements(config.get("pip_fallback", True))
    from benchmark.codabench import main as score_submission

    task = input_dir / "ref" / "scoring.json"
    split = json.loads(task.read_text())["split"] if task.is_file() else config["split"]
    return score_submission([str(input_dir), str(output_dir), "--split", split, "--track",
                             config["track"], "--bootstrap", str(config["n_boot"])]
                            + (["--strict"] if config.get("strict") else []))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''

METADATA_YAML = "command: python3 /app/program/score.py /app/input /app/output\n"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.codabench", description=__doc__.split("\n")[0])
    parser.add_argument("input_dir", type=Path)
    parser.add_argument("output_dir", type=Path)
    scoring_options.add_arguments(parser, "split", "track", "bootstrap", "strict")
    args = parser.parse_args(argv)
    try:
        scores = grade(args.input_dir, args.output_dir, args.split, args.track, args.n_boot, strict=args.strict)
    except InputError as err:
        from benchmark.reports.escape import terminal

        for line in err.problems[:50]:
            print(terminal(line), file=sys.stderr)
        return 2
    print("".join(f"{k}: {v}\n" for k, v in scores.items()), end="")
    return 0


def grade(input_dir: Path, output_dir: Path, split: str = "test", track: str = "A", n_boot: int = 1000,
          strict: bool = False) -> dict:
    """Score input_dir/res against the gold; write the outputs; return the leaderboard scores. strict: as
    `score --strict`."""
    import benchmark
    from benchmark.grading.gradescope import metric_value
    from benchmark.reports import text as render
    from benchmark.scoring import score

    res = Path(input_dir) / "res"
    if not res.is_dir():
        raise InputError(f"{res}: missing: the submission folder input/res does not exist")
    found = sorted(p for p in res.rglob("*") if p.is_file() and not p.name.startswith("."))
    jsonl = [p for p in found if p.suffix == ".jsonl"]
    if len(jsonl) != 1:
        listing = ", ".join(p.name for p in found[:20]) or "nothing"
        raise InputError(f"{res}: expected exactly one predictions file (*.jsonl), found: {listing}")
    # input/ref when it holds a dataset folder, else the packaged data (program = the benchmark package)
    gold = codabench_gold(Path(input_dir) / "ref", Path(benchmark.__file__).resolve().parent)
    results = score(str(jsonl[0]), split=split, track=track, data_dir=gold, n_boot=n_boot, strict=strict)
    # Codabench stores each score in a DecimalField: always a finite number (0.0 for an undefined metric)
    scores = {column: round(value, 6) if math.isfinite(value := metric_value(results, key)) else 0.0
              for column, key in CODABENCH_COLUMNS.items()}
    output_dir = Path(output_dir)
    # rendered first, written atomically, scores.json (what Codabench reads) last: never a partial score
    write_atomic([(output_dir / "results.json", render.to_json(results)),
                  (output_dir / "scores.txt", "".join(f"{k}: {v}\n" for k, v in scores.items())),
                  (output_dir / "scores.json", json.dumps(scores, indent=2) + "\n")])
    return scores


if __name__ == "__main__":
    sys.exit(main())

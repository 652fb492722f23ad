"""Codabench scoring program entry: `python -m benchmark.codabench INPUT_DIR OUTPUT_DIR [--split S] [--track T]`.

INPUT_DIR/ref holds the gold dataset folder (or nothing: the packaged `benchmark/data` is used); INPUT_DIR/res
holds the submission, exactly one `*.jsonl` file. Writes OUTPUT_DIR/scores.json (the leaderboard columns of
`benchmark.autograder.CODABENCH_COLUMNS`), the legacy scores.txt, and results.json (everything). An invalid
submission prints `FILE:LINE: field: problem` lines on stderr, writes no scores and exits 2, so Codabench marks
the submission failed with a readable log. `kremlin-reactions autograder codabench` builds a complete bundle
around the same scorer.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmark.errors import InputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.codabench", description=__doc__.split("\n")[0])
    parser.add_argument("input_dir", type=Path)
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--split", choices=("test", "train", "all"), default="test")
    parser.add_argument("--track", choices=("A", "B", "all"), default="A")
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args(argv)
    try:
        scores = grade(args.input_dir, args.output_dir, args.split, args.track, args.bootstrap)
    except InputError as err:
        for line in err.problems[:50]:
            print(line, file=sys.stderr)
        return 2
    print("".join(f"{k}: {v}\n" for k, v in scores.items()), end="")
    return 0


def grade(input_dir: Path, output_dir: Path, split: str = "test", track: str = "A", n_boot: int = 1000) -> dict:
    """Score input_dir/res against the gold; write the outputs; return the leaderboard scores."""
    import benchmark
    from benchmark.autograder import CODABENCH_COLUMNS, codabench_gold, metric_value
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
    results = score(str(jsonl[0]), split=split, track=track, data_dir=gold, n_boot=n_boot)
    scores = {column: round(metric_value(results, key), 6) for column, key in CODABENCH_COLUMNS.items()}
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "scores.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    (output_dir / "scores.txt").write_text("".join(f"{k}: {v}\n" for k, v in scores.items()), encoding="utf-8")
    (output_dir / "results.json").write_text(render.to_json(results), encoding="utf-8")
    return scores


if __name__ == "__main__":
    sys.exit(main())

"""`kremlin-reactions score SUBMISSION.jsonl`: the command-line mirror of `benchmark.score`."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmark.errors import InputError

HELP = "score a submission (JSONL) against the gold: quotes, attribution, stance, date, outlet"


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", help="predictions, one JSON object per document (see the README)")
    parser.add_argument("--split", choices=("test", "train", "all"), default="test", help="default: test")
    parser.add_argument("--track", choices=("A", "B", "all"), default="A",
                        help="A = direct and partial quotes (default), B = indirect, all = both")
    parser.add_argument("--json", metavar="FILE", help="write the full results as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="write the report as Markdown")
    parser.add_argument("--gradescope", metavar="FILE", help="write a Gradescope results.json (all four tasks)")
    parser.add_argument("--errors", action="store_true",
                        help="list missed, spurious, boundary, speaker and stance errors per document")
    parser.add_argument("--compare", metavar="OTHER.jsonl",
                        help="paired comparison with another submission (randomisation test, bootstrap, win/loss)")
    parser.add_argument("--overlap", type=_fraction, default=0.5,
                        help="a quote matches when overlap / gold length >= this (default 0.5)")
    parser.add_argument("--bootstrap", type=_count, default=1000, metavar="N",
                        help="bootstrap resamples over documents (default 1000; 0 = no intervals)")
    parser.add_argument("--seed", type=int, default=12345, help="bootstrap seed (default 12345)")
    parser.add_argument("--data", metavar="DIR", help="dataset folder (default: the packaged benchmark/data)")
    parser.add_argument("--engine", choices=("auto", "reference", "fast"), default="auto",
                        help="reference = benchmark/scoring/reference.py, the definition (plain Python); fast = "
                             "numpy, for large corpora; auto (default) = the reference for small inputs. Every "
                             "output is the same whichever runs")


def run(args: argparse.Namespace) -> int:
    from benchmark.reports import text as render
    from benchmark.scoring import score

    if args.data is not None and not Path(args.data).is_dir():
        raise InputError(f"{args.data}: --data: not a folder")
    results = score(args.submission, split=args.split, track=args.track, data_dir=args.data, overlap=args.overlap,
                    n_boot=args.bootstrap, seed=args.seed, compare=args.compare, errors=args.errors,
                    engine=args.engine)
    print(render.terminal(results, errors=args.errors))
    if args.json:
        _write(args.json, render.to_json(results))
    if args.markdown:
        _write(args.markdown, render.markdown(results, errors=args.errors))
    if args.gradescope:
        from benchmark.autograder import gradescope_results

        _write(args.gradescope, json.dumps(gradescope_results(results, "all"), indent=2) + "\n")
    return 0


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(f"{path}: cannot write: {err.strerror or err}") from None

"""`kremlin-reactions demo`: the project's main job end to end (what `python3.11 dev.py demo` runs).

1. validate the gold in `annotations/` (when run from a clone; a pip-installed package has no annotations/);
2. check that the packaged dataset folder is a fresh build of that gold (`kremlin-reactions build --check`);
3. run every baseline over the test documents as a submitted extractor would be run, score each against the gold
   (`benchmark.score`), and print a leaderboard: ranked baselines by overall score, oracle rows apart, and the
   scorer's signature.
Exit status 0 when everything passed, 1 when the gold is invalid or the data is out of sync (the leaderboard is
still printed from the packaged data, so the user sees what is affected).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from benchmark.scoring import options as scoring_options

HELP = "validate the gold, check the packaged data is in sync, run all baselines, print the test leaderboard"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--annotations", default="annotations", metavar="DIR",
                        help="annotations folder to validate and to compare the data with (default: annotations)")
    scoring_options.add_arguments(parser, "data", "split", "bootstrap")


def run(args: argparse.Namespace) -> int:
    import benchmark
    from baselines.results import COLUMNS, ORACLES, format_table, metric_rows, run_baselines
    from benchmark.corpus.build import check
    from benchmark.corpus.validate import validate
    from benchmark.reports.escape import terminal
    from benchmark.scoring.stats import min_two_sided_p

    status = 0
    annotations = Path(args.annotations)
    print(f"1. gold: validating {annotations}/")
    if annotations.is_dir():
        result = validate(annotations)
        if result.ok:
            total = result.counts["total"]
            print(f"   ok: {len(result.counts['documents'])} documents, {total['track_a']} Track A and "
                  f"{total['track_b']} Track B units, {total['speakers']} speakers")
        else:
            status = 1
            print(f"   INVALID: {len(result.problems)} problems, first ones:")
            for line in result.problems[:10]:
                print(f"   {terminal(line)}")
        print(f"2. data: checking {args.data_dir or benchmark.DATA_DIR} is a fresh build of {annotations}/")
        problems = check(annotations, args.data_dir or benchmark.DATA_DIR) if result.ok else ["skipped: gold invalid"]
        if problems:
            status = 1
            for line in problems:
                print(f"   {terminal(line)}")
        else:
            print("   ok: in sync")
    else:
        print(f"   skipped: no {annotations}/ folder here (run from a clone to validate the gold)")
        print("2. data: skipped (nothing to compare the packaged data with)")

    print(f"3. baselines on the {args.split} split (fitted on train; oracle rows read the gold spans)")
    predictions = run_baselines(args.split, data_dir=args.data_dir, oracles=True)
    scored = {name: benchmark.score(preds, split=args.split, data_dir=args.data_dir, n_boot=args.n_boot)
              for name, preds in predictions.items()}
    ranked = sorted((n for n in scored if n not in ORACLES), key=lambda n: -scored[n]["overall"])
    header = ["#", "baseline"] + [c[0] for c in COLUMNS]
    rows = metric_rows({args.split: {n: scored[n] for n in ranked}})
    print()
    print(format_table(header, [[str(i + 1)] + r[1:] for i, r in enumerate(rows)], markdown=False))
    print()
    print("Oracle rows (gold quote spans given; not ranked):")
    oracle_rows = metric_rows({args.split: {n: scored[n] for n in ORACLES}})
    print(format_table(header, [["-"] + r[1:] for r in oracle_rows], markdown=False))
    print()
    print("overall = mean of attribution F1, end-to-end stance macro-F1, date accuracy, outlet accuracy; "
          "[low, high] = 95% bootstrap interval over documents; n/a = task not attempted.")
    n_docs = len(next(iter(predictions.values())))
    print(f"{n_docs} documents: the smallest two-sided p of an exact paired test over documents is "
          f"{min_two_sided_p(n_docs):.3g}; compare two submissions with `kremlin-reactions score A.jsonl "
          "--compare B.jsonl`.")
    print(scored[ranked[0]]["signature"])
    return status

"""`kremlin-reactions evaluate MODULE:CLASS`: run an extractor (`benchmark.submission.runner`) and score its
predictions (the `score` command's options and output) in one go."""
from __future__ import annotations

import argparse

from benchmark.cli import score as score_cli
from benchmark.cli.run import add_run_arguments, predict, report_extractor_problem
from benchmark.submission.runner import ExtractorError, ExtractorFailed, write_lines

HELP = "run an extractor (MODULE:CLASS) and score its predictions (= run, then score)"
_OWN_OPTIONS = {"submission", "split", "data_dir", "help"}   # score options that run already defines (or replaces)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_arguments(parser)
    parser.add_argument("-o", "--output", metavar="PREDS.jsonl", default=None,
                        help="also write the predictions to this file")
    # the score options, taken from the score command itself so the two never drift apart
    score_options = argparse.ArgumentParser(add_help=False)
    score_cli.add_arguments(score_options)
    for action in score_options._actions:
        if action.dest not in _OWN_OPTIONS:
            parser._add_action(action)


def run(args: argparse.Namespace) -> int:
    name = args.output or f"<predictions of {args.extractor}>"
    try:
        lines, _, submission = predict(args, name=name)
    except (ExtractorError, ExtractorFailed) as err:
        return report_extractor_problem(err, args.debug, args.output)
    if args.output:
        write_lines(lines, args.output)
    args.submission = submission          # benchmark.score accepts an already validated Submission
    return score_cli.run(args)

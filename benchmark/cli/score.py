"""`kremlin-reactions score SUBMISSION.jsonl`: the command-line mirror of `benchmark.score`.

Every output file is rendered first and written atomically (`benchmark.safe_io.write_atomic`), then the report is
printed with control characters escaped: an invalid submission or an unwritable place prints no score and leaves
no partial file."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmark.errors import InputError
from benchmark.safe_io import size_text, write_atomic
from benchmark.scoring import options
from benchmark.submission.model import MAX_FILE_BYTES

HELP = "score a submission (JSONL) against the gold: quotes, attribution, stance, date, outlet"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", help="predictions, one JSON object per document (see the README): a regular "
                                           f"file of at most {size_text(MAX_FILE_BYTES)}")
    options.add_arguments(parser)
    parser.add_argument("--json", metavar="FILE", help="write the full results as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="write the report as Markdown")
    parser.add_argument("--gradescope", metavar="FILE", help="write a Gradescope results.json (all four tasks)")
    parser.add_argument("--errors", action="store_true",
                        help="list missed, spurious, boundary, speaker and stance errors per document")
    parser.add_argument("--compare", metavar="OTHER.jsonl",
                        help="paired comparison with another submission (randomisation test, bootstrap, win/loss)")


def run(args: argparse.Namespace) -> int:
    from benchmark.reports import text as render
    from benchmark.reports.escape import terminal
    from benchmark.scoring import score

    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        raise InputError(f"{args.data_dir}: --data: not a folder")
    results = score(args.submission, **options.options_from(args, compare=args.compare, errors=args.errors))
    outputs: dict[str, str] = {}
    if args.json:
        outputs[args.json] = render.to_json(results)
    if args.markdown:
        outputs[args.markdown] = render.markdown(results, errors=args.errors)
    if args.gradescope:
        from benchmark.grading.gradescope import gradescope_results

        outputs[args.gradescope] = json.dumps(gradescope_results(results, "all"), indent=2) + "\n"
    write_atomic(outputs)
    print(terminal(render.terminal(results, errors=args.errors), keep_newlines=True))
    return 0

"""`kremlin-reactions run MODULE:CLASS -o PREDS.jsonl`: run an extractor over the documents of a split
(`benchmark.submission.runner`) and write its predictions as a submission; `evaluate` shares its options."""
from __future__ import annotations

import argparse
import sys

from benchmark.errors import InputError
from benchmark.reports.escape import terminal
from benchmark.scoring import options as scoring_options
from benchmark.submission import Submission
from benchmark.submission.runner import (
    ExtractorError,
    ExtractorFailed,
    fit_extractor,
    load_extractor,
    run_extractor,
    to_jsonl_lines,
    validate_predictions,
    write_lines,
)

HELP = "run an extractor (MODULE:CLASS) over the documents and write its predictions as a submission file"


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("extractor", metavar="MODULE:CLASS",
                        help="the extractor class, e.g. baselines.rules:RuleExtractor or my_extractor.py:Mine")
    scoring_options.add_arguments(parser, "split", "data")   # an extractor with fit() is always fitted on train
    parser.add_argument("--debug", action="store_true", help="print tracebacks of extractor errors")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def predict(args: argparse.Namespace, name: str) -> tuple[list[str], list[dict], Submission]:
    """Load, fit, run and validate: (JSONL lines, document rows, validated Submission). Raises InputError,
    ExtractorError, ExtractorFailed."""
    from benchmark.dataset import check_split, read_rows

    check_split(args.split, args.data_dir)
    documents = read_rows("documents", args.split, args.data_dir)
    quote_ids = [row["quote_id"] for row in read_rows("quotes", args.split, args.data_dir)]
    extractor = load_extractor(args.extractor)
    if callable(getattr(extractor, "fit", None)):
        fit_extractor(extractor, read_rows("documents", "train", args.data_dir),
                      read_rows("quotes", "train", args.data_dir))
        if args.split in ("train", "all"):
            print(f"warning: {args.extractor} was fitted on the train split and is now predicting "
                  f"{'it' if args.split == 'train' else 'all documents, train included'}: in-sample, optimistic "
                  "numbers (use --split test for an honest score)", file=sys.stderr)
    predictions = run_extractor(extractor, documents, progress=False if args.quiet else None)
    lines = to_jsonl_lines(predictions, documents, name=name)
    submission = validate_predictions(lines, documents, quote_ids, name=name, strict=getattr(args, "strict", False))
    return lines, documents, submission


def report_extractor_problem(err: Exception, debug: bool, written: str | None) -> int:
    """Print an ExtractorError / ExtractorFailed on stderr; return exit status 1."""
    prog = "kremlin-reactions"
    if isinstance(err, ExtractorFailed):
        print(f"{prog}: extract() failed on {len(err.failures)} of {err.n_documents} documents"
              + (f"; {written} was NOT written" if written else "") + ":", file=sys.stderr)
        for failure in err.failures:
            print(terminal(f"  {failure.doc_id}: {failure.message}"), file=sys.stderr)
            if debug and failure.traceback:
                print(terminal("    " + failure.traceback.rstrip().replace("\n", "\n    "), keep_newlines=True),
                      file=sys.stderr)
    else:
        print(terminal(f"{prog}: {err}" + (f"; {written} was NOT written" if written else "")), file=sys.stderr)
        if debug and getattr(err, "traceback", ""):
            print(terminal(err.traceback.rstrip(), keep_newlines=True), file=sys.stderr)
    if not debug:
        print(f"{prog}: run with --debug for tracebacks", file=sys.stderr)
    return 1



def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_arguments(parser)
    parser.add_argument("-o", "--output", required=True, metavar="PREDS.jsonl",
                        help="where to write the submission ('-' = standard output)")


def run(args: argparse.Namespace) -> int:
    try:
        lines, documents, submission = predict(args, name=args.output)
    except (ExtractorError, ExtractorFailed) as err:
        return report_extractor_problem(err, args.debug, args.output)
    except InputError as err:
        if err.problems and err.problems[0].startswith(f"{args.output}:"):
            err.problems.insert(0, f"{args.output}: not written: the extractor's predictions are not a valid "
                                   "submission (line = document number):")
        raise
    write_lines(lines, args.output)
    if args.output != "-":
        print(f"wrote {args.output}: {len(lines)} documents, "
              f"{sum(len(d.quotes) for d in submission.documents.values())} quotes", file=sys.stderr)
    return 0

"""`kremlin-reactions` command line. Each subcommand lives in one module, which defines `HELP` (one line),
`add_arguments(parser)` and `run(args) -> int`: next to what it runs when that is one stage (validate in
`benchmark.corpus`, leaderboard in `benchmark.reports`, ...), here in `benchmark.cli` when it ties stages together
(score, evaluate, demo). This file only dispatches."""
from __future__ import annotations

import argparse
import importlib
import sys

from benchmark.errors import InputError
from benchmark.reports.escape import terminal

# subcommand -> module implementing it (imported only when that subcommand runs)
COMMANDS: dict[str, str] = {
    "validate": "benchmark.corpus.validate",
    "add-article": "benchmark.corpus.add_article",
    "locate": "benchmark.corpus.locate",
    "agreement": "benchmark.corpus.agreement",
    "build": "benchmark.corpus.build",
    "stats": "benchmark.corpus.stats",
    "run": "benchmark.cli.run",
    "evaluate": "benchmark.cli.evaluate",
    "score": "benchmark.cli.score",
    "results": "baselines.results",
    "demo": "benchmark.cli.demo",
    "autograder": "benchmark.grading.bundles",
    "leaderboard": "benchmark.reports.leaderboard",
    "report": "benchmark.reports.error_report",
}

MAX_PRINTED_PROBLEMS = 50


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (``only``) one with just that subcommand, so a command imports only its own module."""
    from benchmark import __version__

    parser = argparse.ArgumentParser(
        prog="kremlin-reactions",
        description="Who said what, with what stance, when and where: validate, build, score, report.")
    parser.add_argument("--version", action="version", version=f"kremlin-reactions {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(first if first in COMMANDS else None)
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except InputError as err:
        for line in err.problems[:MAX_PRINTED_PROBLEMS]:
            print(terminal(line), file=sys.stderr)      # keys and values from the file: escaped
        if len(err.problems) > MAX_PRINTED_PROBLEMS:
            print(f"... and {len(err.problems) - MAX_PRINTED_PROBLEMS} more problems", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

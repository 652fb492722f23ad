"""The options that change a number, in one place: `Options` (carried in the signature) and the command-line
flags that set them, declared once (`add_arguments`, an argparse parent for every command that scores) with the
defaults taken from `Options`."""
from __future__ import annotations

import argparse
import numbers
from dataclasses import dataclass

from benchmark.scoring.reference import SCORER_VERSION, TRACKS
from benchmark.scoring.signature import Signature

ENGINES = ("auto", "reference", "fast")
MAX_RESAMPLES = 100_000        # 1e5 resamples of 100k documents is already 40 GB of weights drawn in chunks


@dataclass(frozen=True)
class Options:
    split: str = "test"
    track: str = "A"                  # A (direct+partial), B (indirect), all
    overlap: float = 0.5              # a pair matches when overlap chars / gold length >= this
    n_boot: int = 1000                # bootstrap resamples (also Monte Carlo swaps when > 20 documents)
    seed: int = 12345
    errors: bool = False              # add the per-document error lists
    data_fingerprint: str | None = None
    version: str = ""

    def __post_init__(self) -> None:
        # the same bounds as the flags, so benchmark.score(seed=-1) or n_boot=10**8 (50 GiB of resample weights)
        # fail at once with a ValueError instead of deep inside numpy
        for name, value, high in (("n_boot", self.n_boot, MAX_RESAMPLES), ("seed", self.seed, 2 ** 32 - 1)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= high:
                raise ValueError(f"{name} must be an integer from 0 to {high}, got {value!r}")

    def signature(self) -> Signature:
        from benchmark import __version__
        return Signature(self.data_fingerprint or "", self.split, self.track, self.overlap, self.n_boot,
                         self.seed, SCORER_VERSION, self.version or __version__)


DEFAULTS = Options()
FLAGS = ("split", "track", "overlap", "bootstrap", "seed", "data", "engine", "strict")


def add_arguments(parser: argparse.ArgumentParser, *flags: str) -> None:
    """Declare the shared scoring flags on `parser` (all of FLAGS, or those named), with one name each and the
    defaults of `Options`: --split, --track, --overlap, --bootstrap N (dest n_boot; --n-boot is an old spelling),
    --seed, --data DIR (dest data_dir), --engine, --strict."""
    for flag in flags or FLAGS:
        if flag == "split":
            # not argparse choices: the splits are those of the dataset folder (--data), checked when it is read
            parser.add_argument("--split", default=DEFAULTS.split, metavar="SPLIT",
                                help="a split of the dataset folder (train, test, or any split its gold declares) "
                                     f"or all (default: {DEFAULTS.split})")
        elif flag == "track":
            parser.add_argument("--track", choices=tuple(TRACKS), default=DEFAULTS.track,
                                help="A = direct and partial quotes, B = indirect, all = both "
                                     f"(default: {DEFAULTS.track})")
        elif flag == "overlap":
            parser.add_argument("--overlap", type=_fraction, default=DEFAULTS.overlap, metavar="R",
                                help=f"a quote matches when overlap / gold length >= R (default {DEFAULTS.overlap})")
        elif flag == "bootstrap":
            parser.add_argument("--bootstrap", "--n-boot", dest="n_boot", type=_resamples, default=DEFAULTS.n_boot,
                                metavar="N", help=f"bootstrap resamples over documents (default {DEFAULTS.n_boot}; "
                                                  f"0 = no intervals; at most {MAX_RESAMPLES})")
        elif flag == "seed":
            parser.add_argument("--seed", type=_seed, default=DEFAULTS.seed,
                                help=f"bootstrap seed, 0 to 2**32-1 (default {DEFAULTS.seed})")
        elif flag == "data":
            parser.add_argument("--data", dest="data_dir", metavar="DIR", default=None,
                                help="dataset folder (default: the packaged benchmark/data)")
        elif flag == "engine":
            parser.add_argument("--engine", choices=ENGINES, default="auto",
                                help="reference = benchmark/scoring/reference.py, the definition (plain Python); "
                                     "fast = numpy, for large corpora; auto (default) = the reference for small "
                                     "inputs. Every output is the same whichever runs")
        elif flag == "strict":
            parser.add_argument("--strict", action="store_true",
                                help="refuse a submission (exit 2) with a quote given as text that is not in the "
                                     "article or fits several places equally well (default: such a quote counts "
                                     "as a spurious prediction, or takes the first place, with a warning)")
        else:
            raise ValueError(f"unknown scoring flag {flag!r}")


def options_from(args: argparse.Namespace, **known) -> dict:
    """The keyword arguments of `benchmark.score` that the flags set (only those the parser declared)."""
    names = {"split": "split", "track": "track", "overlap": "overlap", "n_boot": "n_boot", "seed": "seed",
             "data_dir": "data_dir", "engine": "engine", "strict": "strict"}
    return {**{kw: getattr(args, dest) for dest, kw in names.items() if hasattr(args, dest)}, **known}




def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def _resamples(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value <= MAX_RESAMPLES:
        raise argparse.ArgumentTypeError(f"must be 0 to {MAX_RESAMPLES}, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be 0 to 2**32-1, got {text}")
    return value

"""`kremlin-reactions evaluate MODULE:CLASS`: run an extractor and score it in one go (see benchmark.runner)."""
from benchmark.runner import EVALUATE_HELP as HELP
from benchmark.runner import add_evaluate_arguments as add_arguments
from benchmark.runner import run_evaluate as run

__all__ = ["HELP", "add_arguments", "run"]

"""`python -m benchmark.codabench INPUT_DIR OUTPUT_DIR`: the Codabench scoring entry (`benchmark.grading.codabench`)."""
import sys

from benchmark.grading.codabench import grade, main

__all__ = ["grade", "main"]

if __name__ == "__main__":
    sys.exit(main())

"""A sacrebleu-style signature: one string recording everything that changes a number.

    kremlin-reactions|data:1a2b3c4d|split:test|track:A|match:overlap0.5|boot:1000/seed12345|scorer:4|v:0.1.0

data = the first 8 hex digits of the gold fingerprint (`benchmark.data_fingerprint()`; "memory" for gold rows
passed in directly without one), split and track scored, the overlap threshold of a match, bootstrap resamples and
seed (also used by the Monte Carlo randomisation test), the scorer version (`reference.SCORER_VERSION`: it moves
whenever a change to the scorer changes a printed number, guarded by `tests/test_scoring_golden.py`) and the
package version.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signature:
    data: str
    split: str
    track: str
    overlap: float
    n_boot: int
    seed: int
    scorer: str
    version: str

    def __str__(self) -> str:
        return "|".join([
            "kremlin-reactions",
            f"data:{self.data[:8] if self.data else 'memory'}",
            f"split:{self.split}",
            f"track:{self.track}",
            f"match:overlap{self.overlap:g}",
            f"boot:{self.n_boot}/seed{self.seed}",
            f"scorer:{self.scorer}",
            f"v:{self.version}",
        ])

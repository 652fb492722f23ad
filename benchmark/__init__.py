"""kremlin-reactions: who said what, with what stance, when and where — a teaching benchmark.

Public API (imported lazily so `import benchmark` stays fast):
    benchmark.DATA_DIR            path of the Hugging Face dataset folder
    benchmark.load(config, split) load a config safely (cache keyed on content)
    benchmark.data_fingerprint()  content hash of the gold the data was built from
    benchmark.score(predictions)  score a submission against the gold
    benchmark.validate(path)      validate an annotations folder
"""
from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"
# Dataset version (semver): bump MAJOR when gold labels change meaning, MINOR when units are added/adjudicated,
# PATCH for documentation-only changes.
DATA_VERSION = "1.2.0"
DATA_DIR: str = str(Path(__file__).resolve().parent / "data")

_LAZY = {
    "load": ("benchmark.dataset", "load"),
    "data_fingerprint": ("benchmark.dataset", "data_fingerprint"),
    "score": ("benchmark.scoring", "score"),
    "validate": ("benchmark.corpus.validate", "validate"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module_name, attr = _LAZY[name]
        return getattr(importlib.import_module(module_name), attr)
    raise AttributeError(f"module 'benchmark' has no attribute {name!r}")


__all__ = ["DATA_DIR", "DATA_VERSION", "__version__", *_LAZY]

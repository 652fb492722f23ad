"""The fast engine: the counts of `benchmark.scoring.reference`, for a whole corpus at once with numpy.

    engine    gold and predictions as arrays, `evaluate` (one submission -> a CountTable)
    matching  candidate pairs, the one-to-one matching and the character counts over corpus keys
    speakers  names and aliases interned as integers
"""
from benchmark.scoring.fast.engine import Gold, PredictionColumns, evaluate

__all__ = ["Gold", "PredictionColumns", "evaluate"]

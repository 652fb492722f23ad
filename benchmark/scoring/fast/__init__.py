"""The fast engine: the counts of `benchmark.scoring.reference`, for a whole corpus at once with numpy.

    engine    gold as arrays, `evaluate` (one submission -> a CountTable)
    columns   predicted quotes as arrays (`PredictionColumns`, filled by a streaming reader)
    matching  candidate pairs, the one-to-one matching and the character counts over corpus keys
    speakers  names and aliases interned as integers
"""
from benchmark.scoring.fast.columns import PredictionColumns
from benchmark.scoring.fast.engine import Gold, evaluate

__all__ = ["Gold", "PredictionColumns", "evaluate"]

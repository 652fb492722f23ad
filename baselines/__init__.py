"""Baselines for kremlin-reactions, each a plain extractor (`extract(document) -> submission dict`, optional
`fit(train documents, train quotes)`) that uses only the public API, like any submitted system:

    baselines.floor:FloorExtractor           no quotes, no date, no outlet (majority train stance kept)
    baselines.floor:FloorMetaExtractor       + first printed date, most frequent capitalised acronym as outlet
    baselines.rules:RuleExtractor            quotation-mark finder, cue-verb speakers, lexicon stance, date, outlet
    baselines.stance_sklearn:SklearnStance   rule spans and speakers + TF-IDF/logistic-regression stance
    baselines.oracle:OracleSpans{Floor,Rules,Sklearn}   ORACLE rows: gold spans given (never ranked)

`baselines.run_baselines(split)` runs them all (see `baselines.results`); `kremlin-reactions results` prints the
table; baselines/README.md says what each does and where it fails.
"""
from __future__ import annotations


def run_baselines(split: str = "test", **kwargs) -> dict[str, list[dict]]:
    """{baseline name: predictions} for `split`; see `baselines.results.run_baselines`."""
    from baselines.results import run_baselines as _run

    return _run(split, **kwargs)

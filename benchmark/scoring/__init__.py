"""Score a submission against the gold: `benchmark.score(predictions, ...)` and `kremlin-reactions score`.

Where each number is computed:

    reference   the definition: every per-document count, one document at a time in plain Python
    fast/       the same counts for a whole corpus at once (numpy); `engines` runs one or the other
    metrics/    one module per task: its counts, how summed counts become numbers, its results block, its
                headline keys and columns, how it is shown (the registry every output reads)
    counts      the per-document count table both engines fill
    results     the results dict, per-document scores, the error report, the paired comparison
    stats       bootstrap intervals and paired tests over documents
    options     the options that change a number (and the flags that set them); signature: the string of them

This file reads the gold artifact and the submission and calls `engines.score_corpus`.
"""
from __future__ import annotations

import os
from pathlib import Path

from benchmark.scoring.engines import AUTO_REFERENCE_MAX_QUOTES, gc_paused, score_corpus
from benchmark.scoring.fast import PredictionColumns
from benchmark.scoring.metrics import MAIN_KEYS
from benchmark.scoring.options import DEFAULTS, ENGINES, Options

__all__ = ["score", "score_corpus", "Options", "MAIN_KEYS", "ENGINES", "load_gold", "read_predictions", "articles"]


def load_gold(split: str = "test", data_dir: str | Path | None = None) -> tuple[list[dict], list[dict], str]:
    """(documents rows, quotes rows, data fingerprint) of a split ("all": every split), read from the built dataset
    folder. Raises InputError naming the folder's splits for a split it does not have."""
    from benchmark import dataset

    data_dir = str(data_dir) if data_dir is not None else None
    dataset.check_split(split, data_dir)
    docs = dataset.read_rows("documents", split, data_dir)
    quotes = dataset.read_rows("quotes", split, data_dir)
    return docs, quotes, dataset.data_fingerprint(data_dir)


def score(predictions, split: str = DEFAULTS.split, track: str = DEFAULTS.track, *,
          data_dir: str | Path | None = None, overlap: float = DEFAULTS.overlap, n_boot: int = DEFAULTS.n_boot,
          seed: int = DEFAULTS.seed, compare=None, errors: bool = False, engine: str = "auto",
          strict: bool = False, compare_key: str = "overall") -> dict:
    """Score a submission against the gold of `split`: any split of the dataset folder, or "all".

    predictions (and compare, for a paired comparison): a path to a JSONL submission, a list of submission
    dicts, or a parsed `benchmark.submission.Submission`. Documents of the dataset outside `split` may be in the
    submission (they are ignored, with a warning); unknown documents are an error. Raises
    `benchmark.errors.InputError` (every problem as `FILE:LINE: field: problem`) on an invalid submission.
    engine: "reference" (`benchmark.scoring.reference`, the definition), "fast" (numpy, for large corpora) or
    "auto" (the reference for small inputs); every result is the same whichever runs.
    strict: a quote given by a text that is not in the article, or that fits several places equally well, makes
    the submission invalid (InputError) instead of counting as a spurious prediction / taking the first place.
    compare_key: the headline metric whose per-document wins and losses the comparison counts.
    Returns the results dict (see `benchmark.scoring.results.build_results`).
    """
    from benchmark import dataset

    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if compare_key not in MAIN_KEYS:
        raise ValueError(f"compare_key must be a headline metric ({', '.join(MAIN_KEYS)}), got {compare_key!r}")
    data_dir = str(data_dir) if data_dir is not None else None
    dataset.check_split(split, data_dir)
    all_docs = dataset.read_rows("documents", "all", data_dir)
    all_quotes = dataset.read_table("quotes", "all", data_dir)      # columnar: fast for large corpora
    split_ids = {d["doc_id"] for d in dataset.read_rows("documents", split, data_dir)} if split != "all" else None
    docs = [d for d in all_docs if split_ids is None or d["doc_id"] in split_ids]
    options = Options(split=split, track=track, overlap=overlap, n_boot=n_boot, seed=seed, errors=errors,
                      data_fingerprint=dataset.data_fingerprint(data_dir))
    texts, boilerplate = articles(all_docs)
    quote_ids = set(all_quotes.column("quote_id").to_pylist()) if all_quotes.num_rows else set()
    # the reference engine and the error report need every predicted quote as an object; the fast engine streams
    # a large file into arrays
    stream = not errors and (engine == "fast" or engine == "auto" and _large(predictions, compare))
    with gc_paused():
        submission = read_predictions(predictions, texts, quote_ids, stream=stream, boilerplate=boilerplate,
                                      strict=strict)
        other = read_predictions(compare, texts, quote_ids, stream=stream, boilerplate=boilerplate,
                                 strict=strict) if compare is not None else None
        return score_corpus(docs, all_quotes, submission, options, compare=other, engine=engine,
                            compare_key=compare_key)


def _large(*sources) -> bool:
    """Is any submission file so large that engine="auto" will take the fast engine (so it is streamed)? About 100
    bytes make one predicted quote."""
    sizes = [os.path.getsize(s) for s in sources if isinstance(s, (str, os.PathLike)) and os.path.isfile(s)]
    return sum(sizes) > AUTO_REFERENCE_MAX_QUOTES * 100


def articles(docs: list[dict]) -> tuple[dict[str, str], dict[str, list[dict]]]:
    """(doc_id -> text, doc_id -> boilerplate regions) of documents rows: what a submission is read against (the
    regions rank the places a quote given by its text may take)."""
    return ({d["doc_id"]: d["text"] for d in docs}, {d["doc_id"]: list(d.get("boilerplate") or ()) for d in docs})


def read_predictions(predictions, texts: dict[str, str], quote_ids, stream: bool = False, *,
                     boilerplate: dict[str, list[dict]] | None = None, strict: bool = False, **limits):
    """A Submission from a path, a list of dicts, or a Submission (returned as is). `texts`: every document the
    submission may name; boilerplate, strict and `limits` (max_line_bytes, name, ...): as `read_submission`.

    stream: read a file into arrays, never holding the parsed file: with pyarrow's JSON reader when the file is in
    the common case of `benchmark.submission.columnar`, else one line at a time (`fast.PredictionColumns`). The same
    validation and results, a fraction of the time and memory, but the documents then carry no quote objects."""
    from benchmark.submission import Submission, read_submission

    if isinstance(predictions, Submission):
        return predictions
    is_file = isinstance(predictions, (str, os.PathLike))
    submission = _read_columnar(str(predictions), texts) if stream and is_file and not limits else None
    options = dict(boilerplate=boilerplate, strict=strict, **limits)
    if submission is None and stream and is_file:
        columns = PredictionColumns()
        submission = read_submission(predictions, texts, quote_ids, on_document=columns.add,
                                     on_quote_rows=columns.add_rows, **options)
        submission.columns = columns
    elif submission is None:
        submission = read_submission(predictions, texts, quote_ids, **options)
    return submission


def _read_columnar(path: str, texts: dict[str, str]):
    """The Submission from `benchmark.submission.columnar` when the file is in its common case, else None."""
    from benchmark.submission import MAX_LINE_BYTES, MAX_QUOTES_PER_DOC
    from benchmark.submission.columnar import read_columns, submission_from_columns

    try:
        columns = read_columns(path, texts, max_line_bytes=MAX_LINE_BYTES, max_quotes_per_doc=MAX_QUOTES_PER_DOC)
    except OSError:
        return None                     # read_submission reports it
    if columns is None:
        return None
    submission = submission_from_columns(path, columns, texts)
    submission.columns = PredictionColumns.from_columns(columns)
    return submission



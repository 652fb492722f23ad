"""`score_corpus`: gold rows + parsed submissions -> results, with one of two engines that give the same
per-document counts: `reference` (the definition, one document at a time in plain Python) and `fast` (numpy over
the whole corpus). Everything printed is then built from those counts (`benchmark.scoring.results`), whichever
engine ran. No file I/O, so any gold can be fed in."""
from __future__ import annotations

import gc
from contextlib import contextmanager

from benchmark.scoring import fast, reference
from benchmark.scoring.counts import CountTable, Findings, Run
from benchmark.scoring.options import ENGINES, Options
from benchmark.scoring.results import Documents, build_comparison, build_results

# engine="auto" runs the reference up to this many gold units plus predicted quotes (about 0.2 s there, 5-20x the
# fast engine: python -m benchmark.bench --engines), the fast engine above
AUTO_REFERENCE_MAX_QUOTES = 5_000


def score_corpus(gold_docs: list[dict], gold_quotes, submission, options: Options = Options(), compare=None,
                 engine: str = "auto", compare_key: str = "overall") -> dict:
    """Score a parsed `benchmark.submission.Submission` against gold rows of the `documents` and `quotes` configs
    (`gold_quotes`: row dicts, or the pyarrow Table of `benchmark.dataset.read_table`).

    Only documents in `gold_docs` are scored (predictions for other documents are ignored); a gold document
    without a prediction predicts nothing. `compare`: a second Submission for a paired comparison. `engine`:
    "reference", "fast" or "auto" (the reference for small inputs, see AUTO_REFERENCE_MAX_QUOTES); the engine
    never changes a result. `compare_key`: the metric of the comparison's per-document wins and losses.
    """
    if options.track not in reference.TRACKS:
        raise ValueError(f"track must be one of {', '.join(reference.TRACKS)}, got {options.track!r}")
    if not 0 < options.overlap <= 1:
        raise ValueError(f"overlap threshold must be in (0, 1], got {options.overlap}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    with gc_paused():
        if engine == "auto":
            engine = choose_engine(gold_quotes, submission, compare)
        if engine == "reference":
            units = gold_quotes.to_pylist() if hasattr(gold_quotes, "to_pylist") else gold_quotes
            evaluate = lambda sub, errors: reference_run(gold_docs, units, sub, options, errors)     # noqa: E731
        else:
            gold = fast.Gold(gold_docs, gold_quotes, options.track)
            evaluate = lambda sub, errors: fast.evaluate(gold, sub, options.track, options.overlap, errors)  # noqa
        run = evaluate(submission, options.errors)
        documents = Documents(gold_docs)
        results = build_results(documents, run, submission, options)
        if compare is not None:
            results["compare"] = build_comparison(documents, run, evaluate(compare, False), compare, options,
                                                  compare_key)
    return results


def choose_engine(gold_quotes, *submissions) -> str:
    """"reference" when every submission carries its quote objects and the gold units plus predicted quotes are
    at most AUTO_REFERENCE_MAX_QUOTES, else "fast"."""
    n = gold_quotes.num_rows if hasattr(gold_quotes, "num_rows") else len(gold_quotes)
    for submission in submissions:
        if submission is None:
            continue
        if getattr(submission, "columns", None) is not None:      # streamed into arrays: no quote objects
            return "fast"
        n += sum(len(d.quotes) for d in submission.documents.values())
    return "reference" if n <= AUTO_REFERENCE_MAX_QUOTES else "fast"


def reference_run(gold_docs: list[dict], units: list[dict], submission, options: Options, errors: bool) -> Run:
    """The reference engine's Run: `benchmark.scoring.reference` document by document, packed in a CountTable."""
    if getattr(submission, "columns", None) is not None:
        raise ValueError("the reference engine needs the quote objects: read the submission without stream=True")
    found = reference.score_documents(gold_docs, units, submission, options.track, options.overlap)
    ignored = {k: sum(r.ignored[k] for r in found) for k in ("boilerplate", "other_track", "invalid")}
    findings = [Findings(r.matched, r.missed, r.spurious) for r in found] if errors else None
    docs = [submission.documents.get(d["doc_id"]) for d in gold_docs]
    return Run(CountTable.from_rows([r.counts for r in found]), frozenset(submission.attempted), docs, ignored,
               findings, sum(r.unaligned for r in found))


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector: scoring allocates millions of acyclic objects, and with a large heap
    every collection would walk all of them again (quadratic time). Reference counting still frees memory."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ----------------------------------------------------------------------------------------------------------------
# results

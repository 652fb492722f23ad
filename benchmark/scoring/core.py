"""Scoring: gold rows + a parsed submission -> results. No file I/O, so any gold can be fed in.

`score_corpus` runs one of two engines, which give the same per-document counts (`benchmark.scoring.counts`):
`reference` (the definition, one document at a time in plain Python: read it to know what a number means) and
`fast` (numpy over the whole corpus, for large corpora). Then everything printed is built from those counts,
whichever engine ran: the results dict, per-document scores, the error report and the paired comparison.
"""
from __future__ import annotations

import gc
import re
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from benchmark.scoring import fast, reference
from benchmark.scoring import stance as stance_mod
from benchmark.scoring import stats
from benchmark.scoring.counts import NULL, OVERALL_PARTS, CountTable, Findings, Run, stance_matrices
from benchmark.scoring.date import date_results
from benchmark.scoring.matching import trim_span
from benchmark.scoring.signature import Signature

TRACKS = reference.TRACKS
TASKS = ("quotes", "attribution", "stance", "date", "outlet", "gold_spans")
# keys that get bootstrap intervals and paired tests
MAIN_KEYS = ["overall", "quotes.exact.f1", "quotes.overlap.f1", "quotes.chars.f1", "attribution.accuracy",
             "attribution.f1", "stance.accuracy", "stance.macro_f1", "stance.f_avg", "stance_e2e.macro_f1",
             "gold_spans.attribution_accuracy", "gold_spans.stance.macro_f1", "date.accuracy",
             "date.within_1_day", "outlet.accuracy"]
ENGINES = ("auto", "reference", "fast")
# engine="auto" runs the reference up to this many gold units plus predicted quotes (about 0.2 s there, 5-20x the
# fast engine: python -m benchmark.bench --engines), the fast engine above
AUTO_REFERENCE_MAX_QUOTES = 5_000
SNIPPET = 100
_MISSING_WARNING = re.compile(r"no prediction for document|more documents without a prediction")
_DOCUMENT_BLOCK = 8192       # documents whose metrics are computed at once


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

    def signature(self) -> Signature:
        from benchmark import __version__
        return Signature(self.data_fingerprint or "", self.split, self.track, self.overlap, self.n_boot,
                         self.seed, reference.SCORER_VERSION, self.version or __version__)


def score_corpus(gold_docs: list[dict], gold_quotes, submission, options: Options = Options(), compare=None,
                 engine: str = "auto") -> dict:
    """Score a parsed `benchmark.submission.Submission` against gold rows of the `documents` and `quotes` configs
    (`gold_quotes`: row dicts, or the pyarrow Table of `benchmark.dataset.read_table`).

    Only documents in `gold_docs` are scored (predictions for other documents are ignored); a gold document
    without a prediction predicts nothing. `compare`: a second Submission for a paired comparison. `engine`:
    "reference", "fast" or "auto" (the reference for small inputs, see AUTO_REFERENCE_MAX_QUOTES); the engine
    never changes a result.
    """
    if options.track not in TRACKS:
        raise ValueError(f"track must be one of {', '.join(TRACKS)}, got {options.track!r}")
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
            results["compare"] = build_comparison(documents, run, evaluate(compare, False), compare, options)
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
               findings)


class Documents:
    """The gold documents being scored: rows, ids and positions."""

    def __init__(self, docs: list[dict]):
        self.docs = docs
        self.doc_ids = [d["doc_id"] for d in docs]
        self.index = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        self.n_docs = len(docs)


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

def build_results(gold: Documents, run: Run, submission, options: Options) -> dict:
    table = run.table
    point = {k: float(v[0]) for k, v in table.statistic(table.totals()).items()}
    totals = {name: a.sum(axis=0) for name, a in run.counts.items()}
    matched_cm, e2e_cm = stance_matrices({k: v[None] for k, v in totals.items()})

    def prf_block(name: str) -> dict:
        tp, n_pred, n_gold = (int(x) for x in totals[name])
        block = {k: point[f"quotes.{name}.{k}"] for k in ("precision", "recall", "f1")}
        return {**block, "tp": tp, "n_pred": n_pred, "n_gold": n_gold}

    missing = [doc_id for doc_id, seen in zip(gold.doc_ids, run.predicted_docs) if not seen]
    extra = len(set(submission.documents) - set(gold.index))
    # the reader's "no prediction" warnings name every document it was given; these name the split's
    warnings = [w for w in getattr(submission, "warnings", []) if not _MISSING_WARNING.search(w)]
    warnings += [f"no prediction for document {doc_id}: it counts as predicting nothing" for doc_id in missing[:20]]
    if len(missing) > 20:
        warnings.append(f"... and {len(missing) - 20} more documents without a prediction")
    if extra:
        warnings.append(f"{extra} predicted documents are not in split {options.split!r} and were ignored")
    if run.ignored["boilerplate"]:
        warnings.append(f"{run.ignored['boilerplate']} predicted quotes lie wholly inside boilerplate regions "
                        "and were ignored")
    if run.ignored["invalid"]:
        warnings.append(f"{run.ignored['invalid']} predicted quotes have offsets outside their text and were ignored")
    if run.ignored["other_track"]:
        warnings.append(f"{run.ignored['other_track']} predicted quotes are typed for another track than "
                        f"{options.track!r} and were ignored")
    attempted = [t for t in TASKS if t in run.attempted]
    results = {
        "overall": point["overall"],
        "quotes": {
            "exact": prf_block("exact"),
            "overlap": {**prf_block("overlap"), "threshold": options.overlap},
            "chars": prf_block("chars"),
            "ignored": dict(run.ignored),
        },
        "attribution": {
            "accuracy": point["attribution.accuracy"], "precision": point["attribution.precision"],
            "recall": point["attribution.recall"], "f1": point["attribution.f1"],
            "n_matched": int(totals["overlap"][0]), "n_correct": int(totals["attr_correct"][0]),
        },
        "stance": stance_mod.summary(matched_cm[0]),
        "stance_e2e": stance_mod.summary(e2e_cm[0], end_to_end=True),
        "gold_spans": {
            "attribution_accuracy": point["gold_spans.attribution_accuracy"],
            "n": int(totals["gs_n"][0]),
            "n_correct": int(totals["gs_attr_correct"][0]),
            "stance": stance_mod.summary(np.concatenate([totals["gs_cm"], np.zeros((1, NULL + 1))]).astype(int)),
        },
        "date": date_results(run.counts, [d.get("date_evidence") for d in gold.docs]),
        "outlet": {"accuracy": point["outlet.accuracy"], "n": gold.n_docs,
                   "n_correct": int(totals["outlet_correct"][0])},
        "attempted": attempted,
        "not_attempted": [t for t in TASKS if t not in run.attempted and t != "gold_spans"],   # a subtask
        "n_documents": gold.n_docs,
        "missing_documents": missing,
        "warnings": warnings,
        "per_document": per_document(gold, run, table),
        # after the per-document scores, not alongside: the bootstrap already keeps two cores busy, and their
        # temporaries never add up
        "intervals": stats.bootstrap_intervals(table.matrix, table.statistic_nan, MAIN_KEYS, options.n_boot,
                                               options.seed),
        "bootstrap": {"n": options.n_boot, "seed": options.seed, "level": 0.95, "unit": "document",
                      "method": "percentile", "min_two_sided_p": stats.min_two_sided_p(gold.n_docs)},
        "options": {"split": options.split, "track": options.track, "overlap": options.overlap,
                    "n_boot": options.n_boot, "seed": options.seed},
        "submission": getattr(submission, "path", None),
        "signature": str(options.signature()),
    }
    if options.errors:
        results["errors"] = build_errors(gold, run)
    return results


def document_scores(table: CountTable, keys) -> dict[str, np.ndarray]:
    """The metrics `keys` per document; NaN where undefined (no gold unit and no prediction in the document), and
    `overall` = the mean of the parts defined for the document."""
    wanted = set(keys) | set(OVERALL_PARTS)
    n = len(table.matrix)
    m = {k: np.empty(n) for k in wanted}
    # row blocks: every metric is row-wise, and the temporaries of 100k documents at once take ~100 MB
    for i in range(0, n, _DOCUMENT_BLOCK):
        block = table.statistic(table.rows(i, i + _DOCUMENT_BLOCK), undefined=np.nan)
        for k in wanted:
            m[k][i:i + _DOCUMENT_BLOCK] = block[k]
    parts = np.stack([m[k] for k in OVERALL_PARTS])
    defined = ~np.isnan(parts)
    m["overall"] = np.divide(np.where(defined, parts, 0).sum(axis=0), defined.sum(axis=0),
                             out=np.full(parts.shape[1], np.nan), where=defined.any(axis=0))
    return m


def per_document(gold: Documents, run: Run, table: CountTable) -> "PerDocument":
    """Per document: the main scores (None where undefined) and counts, and the date/outlet prediction next to
    the gold."""
    return PerDocument(gold, run, document_scores(table, PerDocument.SCORES))


class PerDocument(Mapping):
    """doc_id -> that document's results (a dict, see `row`), made when asked for from per-document arrays: a
    corpus of 100k documents does not hold 100k nested dicts that most consumers never read. A read-only
    Mapping: compares equal to the plain dict of the same rows; `render.to_json` writes it as an object."""

    SCORES = ("overall", "quotes.exact.precision", "quotes.exact.recall", "quotes.exact.f1",
               "quotes.overlap.precision", "quotes.overlap.recall", "quotes.overlap.f1", "attribution.accuracy",
               "attribution.f1", "stance.accuracy", "stance.macro_f1", "stance_e2e.macro_f1")

    def __init__(self, gold: Documents, run: Run, scores: dict[str, np.ndarray]):
        self._doc_ids, self._index = gold.doc_ids, gold.index
        self._gold_docs, self._docs = gold.docs, run.docs
        self._scores = {k: scores[k] for k in self.SCORES}
        self._predicted = run.predicted_docs
        self._counts = np.stack([run.counts["exact"][:, 0], *run.counts["overlap"].T,
                                 run.counts["date_exact"].reshape(len(run.predicted_docs), -1)[:, 0],
                                 run.counts["outlet_correct"][:, 0]], axis=1)

    def __len__(self) -> int:
        return len(self._doc_ids)

    def __iter__(self):
        return iter(self._doc_ids)

    def __contains__(self, doc_id) -> bool:
        return doc_id in self._index

    def __getitem__(self, doc_id: str) -> dict:
        return self.row(self._index[doc_id])

    def row(self, i: int) -> dict:
        """The results of the i-th gold document."""
        def score(key):
            x = float(self._scores[key][i])
            return None if x != x else x

        e_tp, o_tp, n_pred, n_gold, d_ok, o_ok = self._counts[i].tolist()
        g, p = self._gold_docs[i], self._docs[i]
        return {
            "predicted": bool(self._predicted[i]), "overall": score("overall"),
            "quotes": {"exact": {"precision": score("quotes.exact.precision"), "recall": score("quotes.exact.recall"),
                                 "f1": score("quotes.exact.f1"), "tp": e_tp},
                       "overlap": {"precision": score("quotes.overlap.precision"),
                                   "recall": score("quotes.overlap.recall"), "f1": score("quotes.overlap.f1"),
                                   "tp": o_tp},
                       "n_pred": n_pred, "n_gold": n_gold},
            "attribution": {"accuracy": score("attribution.accuracy"), "f1": score("attribution.f1")},
            "stance": {"accuracy": score("stance.accuracy"), "macro_f1": score("stance.macro_f1")},
            "stance_e2e": {"macro_f1": score("stance_e2e.macro_f1")},
            "date": {"gold": _iso(g.get("published")),
                     "predicted": _iso(p.published) if p is not None and "published" in p.fields else None,
                     "exact": bool(d_ok)},
            "outlet": {"gold": g.get("outlet"),
                       "predicted": p.outlet if p is not None and "outlet" in p.fields else None,
                       "correct": bool(o_ok)},
        }

    def __repr__(self) -> str:
        return f"<per_document: {len(self)} documents>"


def _iso(date) -> str | None:
    return date.isoformat() if date is not None else None


def _snippet(text: str, start: int, end: int) -> str:
    s = " ".join(text[start:end].split())
    return s if len(s) <= SNIPPET else s[: SNIPPET - 1] + "…"


def build_errors(gold: Documents, run: Run) -> dict[str, dict]:
    """Per document: missed gold units, spurious predictions, boundary differences of matched pairs, wrong
    speakers, wrong stances, and a wrong date/outlet, each with the text snippet and the submission line; plus
    `matched`, every counted matched pair with both spans, speakers and stances (for the HTML error report)."""
    out = {}
    attribution, stance = "attribution" in run.attempted, "stance" in run.attempted
    for doc_id, document, found in zip(gold.doc_ids, gold.docs, run.findings):
        text = document["text"]
        errors = out[doc_id] = {"matched": [], "missed": [], "spurious": [], "boundary": [], "wrong_speaker": [],
                                "wrong_stance": [], "date": None, "outlet": None}
        for row in found.missed:
            errors["missed"].append({
                "quote_id": row["quote_id"], "type": row["type"], "start": row["start"], "end": row["end"],
                "text": _snippet(text, row["start"], row["end"]), "speaker": row["speaker"], "stance": row["stance"]})
        for q in found.spurious:
            errors["spurious"].append({"line": q.line, "start": q.start, "end": q.end,
                                       "text": _snippet(text, q.start, q.end), "speaker": q.speaker,
                                       "stance": q.stance})
        for row, q, ok in found.matched:
            where = {"quote_id": row["quote_id"], "line": q.line, "text": _snippet(text, row["start"], row["end"])}
            # every counted matched pair, right or wrong (the HTML error report draws them all)
            errors["matched"].append({**where, "gold": [row["start"], row["end"]], "predicted": [q.start, q.end],
                                      "gold_speaker": row["speaker"], "predicted_speaker": q.speaker,
                                      "speaker_correct": bool(ok) if attribution else None,
                                      "gold_stance": row["stance"], "predicted_stance": q.stance,
                                      "stance_correct": q.stance == row["stance"] if stance else None})
            if trim_span(text, q.start, q.end) != trim_span(text, row["start"], row["end"]):
                errors["boundary"].append({**where, "gold": [row["start"], row["end"]],
                                           "predicted": [q.start, q.end], "predicted_text": _snippet(text, q.start,
                                                                                                     q.end)})
            # a task the submission did not attempt has no wrong answers to list (the report says "not attempted")
            if not ok and attribution:
                errors["wrong_speaker"].append({**where, "gold": row["speaker"], "predicted": q.speaker})
            if q.stance != row["stance"] and stance:
                errors["wrong_stance"].append({**where, "gold": row["stance"], "predicted": q.stance})
    for doc_id, (date, outlet) in per_document_dates_outlets(gold, run).items():
        out[doc_id]["date"], out[doc_id]["outlet"] = date, outlet
    return out


def per_document_dates_outlets(gold: Documents, run: Run) -> dict[str, tuple]:
    """doc_id -> (date error or None, outlet error or None)."""
    out = {}
    for i, (doc_id, g, p) in enumerate(zip(gold.doc_ids, gold.docs, run.docs)):
        date = outlet = None
        if not run.counts["date_exact"][i]:
            date = {"gold": _iso(g.get("published")),
                    "predicted": _iso(p.published) if p is not None and "published" in p.fields else None,
                    "evidence": g.get("date_evidence")}
        if not run.counts["outlet_correct"][i, 0]:
            outlet = {"gold": g.get("outlet"), "aliases": list(g.get("outlet_aliases") or ()),
                      "predicted": p.outlet if p is not None and "outlet" in p.fields else None,
                      "attempted": p is not None and "outlet" in p.fields, "evidence": g.get("outlet_evidence")}
        out[doc_id] = (date, outlet)
    return out


def key_task(key: str) -> str:
    """The task a results key belongs to: "stance_e2e.macro_f1" -> "stance"."""
    head = key.split(".", 1)[0]
    return {"stance_e2e": "stance"}.get(head, head)


def build_comparison(gold: Documents, run_a: Run, run_b: Run, other, options: Options) -> dict:
    """Paired comparison of two submissions over the same documents (A = the scored one, B = `other`)."""
    table_a, table_b = run_a.table, run_b.table
    point_a = table_a.statistic(table_a.totals())
    point_b = table_b.statistic(table_b.totals())
    attempted = run_a.attempted | run_b.attempted
    keys = [k for k in MAIN_KEYS if k == "overall" or key_task(k) in attempted]
    rand = stats.paired_randomisation(table_a.matrix, table_b.matrix, table_a.statistic, keys, options.n_boot,
                                      options.seed)
    boot = stats.paired_bootstrap(table_a.matrix, table_b.matrix, table_a.statistic, keys, options.n_boot,
                                  options.seed)
    doc_a = document_scores(table_a, ["overall"])["overall"]
    doc_b = document_scores(table_b, ["overall"])["overall"]
    n = gold.n_docs
    min_p = stats.min_two_sided_p(n)
    note = (f"{n} documents: an exact paired randomisation test has {2 ** n if n <= stats.EXACT_MAX_DOCS else 'many'}"
            f" outcomes, so the smallest possible two-sided p is {min_p:.4g}")
    if min_p > 0.05:
        note += "; p < 0.05 is impossible with this few documents, whatever the systems do"
    if n < 30:
        note += (f". The paired bootstrap can only recombine these {n} documents, so with this few it understates "
                 "the uncertainty (a tiny p_bootstrap is not evidence): read p_randomisation")
    return {
        "b": getattr(other, "path", None),
        "scores": {k: {"a": float(point_a[k][0]), "b": float(point_b[k][0]),
                       "difference": float(point_a[k][0] - point_b[k][0]),
                       "p_randomisation": rand["p"][k], "p_bootstrap": boot[k]} for k in keys},
        "randomisation": {"exact": rand["exact"], "n_permutations": rand["n_permutations"],
                          "two_sided": True, "unit": "document"},
        "paired_bootstrap": {"n": options.n_boot, "seed": options.seed, "one_sided": True,
                             "rule": "share of resamples whose difference exceeds twice the observed one"},
        "win_loss": stats.win_loss(gold.doc_ids, doc_a, doc_b),
        "n_documents": n,
        "min_two_sided_p": min_p,
        "note": note,
    }

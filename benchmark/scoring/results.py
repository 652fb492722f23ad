"""Everything printed, built from an engine's Run whichever engine ran: the results dict (each task's block from
the metric registry), per-document scores, the error report and the paired comparison."""
from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from benchmark.scoring import stats
from benchmark.scoring.counts import CountTable, Run
from benchmark.scoring.metrics import MAIN_KEYS, OVERALL_PARTS, TASKS, task_of
from benchmark.scoring.metrics.base import Context
from benchmark.scoring.options import Options
from benchmark.scoring.reference import trim_span
from benchmark.submission.model import Alignment

SNIPPET = 100
MAX_ALIGNMENT_WARNINGS = 20
_MISSING_WARNING = re.compile(r"no prediction for document|more documents without a prediction")
_DOCUMENT_BLOCK = 8192       # documents whose metrics are computed at once


class Documents:
    """The gold documents being scored: rows, ids and positions."""

    def __init__(self, docs: list[dict]):
        self.docs = docs
        self.doc_ids = [d["doc_id"] for d in docs]
        self.index = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        self.n_docs = len(docs)


def get(results: dict, dotted: str):
    """results["a"]["b"] for "a.b"; None when any part is missing (the one dotted-key lookup for result dicts)."""
    value = results
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def build_results(gold: Documents, run: Run, submission, options: Options) -> dict:
    """The results dict: `overall`, each task's block (`metrics.TASKS`), what was attempted, warnings,
    per-document scores, bootstrap intervals, the options and the signature (and `errors` when asked for)."""
    table = run.table
    point = {k: float(v[0]) for k, v in table.statistic(table.totals()).items()}
    totals = {name: a.sum(axis=0) for name, a in run.counts.items()}
    ctx = Context(point, totals, run.counts, gold.docs, run, options)
    missing = [doc_id for doc_id, seen in zip(gold.doc_ids, run.predicted_docs) if not seen]
    extra = len(set(submission.documents) - set(gold.index))
    # the reader's "no prediction" warnings name every document it was given; these name the split's
    warnings = [w for w in getattr(submission, "warnings", []) if not _MISSING_WARNING.search(w)]
    if extra and len(missing) == gold.n_docs:      # a file of the other split only: one warning says so
        warnings.append(f"none of the {gold.n_docs} documents of split {options.split!r} is predicted: the "
                        f"submission's {extra} documents are all of another split (score it with --split all, or "
                        "the split of its documents)")
    else:
        warnings += [f"no prediction for document {doc_id}: it counts as predicting nothing"
                     for doc_id in missing[:20]]
        if len(missing) > 20:
            warnings.append(f"... and {len(missing) - 20} more documents without a prediction")
        if extra:
            warnings.append(f"{extra} predicted documents are not in split {options.split!r} and were ignored")
    # ties among the places of a quote given as text, in the documents scored (the others' do not matter)
    alignment = [w for doc_id in gold.doc_ids for w in getattr(submission, "alignment_warnings", {}).get(doc_id, ())]
    warnings += alignment[:MAX_ALIGNMENT_WARNINGS]
    if len(alignment) > MAX_ALIGNMENT_WARNINGS:
        warnings.append(f"... and {len(alignment) - MAX_ALIGNMENT_WARNINGS} more quotes given as text that fit "
                        "several places equally well")
    if run.unaligned:
        warnings.append(f"{run.unaligned} predicted quote{'s' if run.unaligned > 1 else ''} given as text "
                        f"{'were' if run.unaligned > 1 else 'was'} not found in the article, not even "
                        "approximately: each counts as a spurious prediction (--errors lists them with the closest "
                        "passage; --strict refuses such a file)")
    if run.ignored["boilerplate"]:
        warnings.append(f"{run.ignored['boilerplate']} predicted quotes lie wholly inside boilerplate regions "
                        "and were ignored")
    if run.ignored["invalid"]:
        warnings.append(f"{run.ignored['invalid']} predicted quotes have offsets outside their text and were ignored")
    if run.ignored["other_track"]:
        warnings.append(f"{run.ignored['other_track']} predicted quotes are typed for another track than "
                        f"{options.track!r} and were ignored")
    results = {"overall": point["overall"]}
    for task in TASKS:
        results.update(task.results(ctx))
    results.update({
        "attempted": [t.name for t in sorted(TASKS, key=lambda t: t.subtask) if t.name in run.attempted],
        "not_attempted": [t.name for t in TASKS if t.name not in run.attempted and not t.subtask],
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
    })
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
        block = table.statistic(table.rows(i, i + _DOCUMENT_BLOCK), undefined=np.nan, keys=wanted)
        for k in wanted:
            m[k][i:i + _DOCUMENT_BLOCK] = block[k]
    parts = np.stack([m[k] for k in OVERALL_PARTS])
    defined = ~np.isnan(parts)
    m["overall"] = np.divide(np.where(defined, parts, 0).sum(axis=0), defined.sum(axis=0),
                             out=np.full(parts.shape[1], np.nan), where=defined.any(axis=0))
    return m


def per_document(gold: Documents, run: Run, table: CountTable) -> "PerDocument":
    """Per document: the main scores (None where undefined) and counts, and the date/outlet prediction next to
    the gold (each task's `document` block)."""
    keys = ["overall", *(k for task in TASKS for k in task.per_document)]
    return PerDocument(gold, run, document_scores(table, keys))


class PerDocument(Mapping):
    """doc_id -> that document's results (a dict, see `row`), made when asked for from per-document arrays: a
    corpus of 100k documents does not hold 100k nested dicts that most consumers never read. A read-only
    Mapping: compares equal to the plain dict of the same rows; `reports.text.to_json` writes it as an object."""

    def __init__(self, gold: Documents, run: Run, scores: dict[str, np.ndarray]):
        self._doc_ids, self._index = gold.doc_ids, gold.index
        self._gold_docs, self._docs = gold.docs, run.docs
        self._scores = scores
        self._predicted = run.predicted_docs
        self._counts = run.counts

    def __len__(self) -> int:
        return len(self._doc_ids)

    def __iter__(self):
        return iter(self._doc_ids)

    def __contains__(self, doc_id) -> bool:
        return doc_id in self._index

    def __getitem__(self, doc_id: str) -> dict:
        return self.row(self._index[doc_id])

    def row(self, i: int) -> dict:
        """The results of the i-th gold document: whether it was predicted, overall, each task's block."""
        def score(key):
            x = float(self._scores[key][i])
            return None if x != x else x

        row = {"predicted": bool(self._predicted[i]), "overall": score("overall")}
        for task in TASKS:
            counts = {name: self._counts[name][i].tolist() for name in task.counts}
            row.update(task.document(score, counts, self._gold_docs[i], self._docs[i]))
        return row

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
            if q.start is None:             # given as text, not found: no span; what the reader found instead
                found_as = q.alignment or Alignment("not found", 0.0, "")
                errors["spurious"].append({"line": q.line, "start": None, "end": None, "text": found_as.text,
                                           "speaker": q.speaker, "stance": q.stance, "not_found": True,
                                           "message": found_as.message(), "closest": found_as.closest,
                                           "closest_start": found_as.closest_start,
                                           "similarity": round(found_as.similarity, 4)})
                continue
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


def build_comparison(gold: Documents, run_a: Run, run_b: Run, other, options: Options, key: str = "overall") -> dict:
    """Paired comparison of two submissions over the same documents (A = the scored one, B = `other`): every
    headline metric of a task either attempted (and always `key`), and the per-document wins and losses on
    `key`."""
    table_a, table_b = run_a.table, run_b.table
    point_a = table_a.statistic(table_a.totals())
    point_b = table_b.statistic(table_b.totals())
    attempted = run_a.attempted | run_b.attempted
    keys = [k for k in MAIN_KEYS if k in ("overall", key) or task_of(k) in attempted]
    rand = stats.paired_randomisation(table_a.matrix, table_b.matrix, table_a.statistic, keys, options.n_boot,
                                      options.seed)
    boot = stats.paired_bootstrap(table_a.matrix, table_b.matrix, table_a.statistic, keys, options.n_boot,
                                  options.seed)
    doc_a = document_scores(table_a, [key])[key]
    doc_b = document_scores(table_b, [key])[key]
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
        "win_loss": {**stats.win_loss(gold.doc_ids, doc_a, doc_b), "key": key},
        "n_documents": n,
        "min_two_sided_p": min_p,
        "note": note,
    }

"""Inter-annotator agreement between two independent annotation passes (`kremlin-reactions agreement A B`).

Pass A is treated as the reference and pass B as the prediction (span F1 is symmetric anyway). Within each
document, units are paired ONE-TO-ONE so that the total overlap (in characters) of the pairs is maximal
(`scipy.optimize.linear_sum_assignment`), considering only pairs that qualify:
- exact: identical (start, end);
- overlap: overlapping characters / max(len_a, len_b) >= 0.5 (`--overlap`).
Greedy pairing can lose matches (a long unit grabs the partner that a second unit needed); the assignment
cannot. On overlap-matched pairs we report speaker agreement (the passes have their own speaker registries, so
speakers agree when the normalised canonical names are equal, OR their normalised alias sets intersect, OR the
two speaker_mention spans overlap), type agreement, raw stance agreement and Cohen's kappa for stance
(`sklearn.metrics.cohen_kappa_score` over the four stance labels).

Tracks: `A` (direct + partial), `B` (indirect), `all` (every unit, matched regardless of track). Each is
reported per document and pooled over documents (match counts summed; agreement and kappa over all pairs).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from benchmark.corpus.annotations import MAX_ANNOTATION_BYTES, read_annotations, resolve_documents_dir
from benchmark.errors import InputError
from benchmark.labels import QUOTE_TYPES, STANCES, TRACK_A_TYPES, TRACK_B_TYPES
from benchmark.safe_io import for_terminal, size_text, write_atomic

HELP = "inter-annotator agreement between two annotation passes (span F1, speaker, type, stance kappa)"

TRACKS = {"A": TRACK_A_TYPES, "B": TRACK_B_TYPES, "all": QUOTE_TYPES}
DEFAULT_OVERLAP = 0.5
SNIPPET = 70


@dataclass(frozen=True)
class Unit:
    """One annotated quote of one pass, with what agreement needs to know about its speaker."""

    doc_id: str
    id: str
    start: int
    end: int
    text: str
    type: str
    stance: str
    speaker: str                          # speaker id in this pass's own registry
    speaker_name: str                     # canonical name
    speaker_keys: frozenset[str]          # normalised name and aliases
    mention: tuple[int, int] | None       # speaker_mention span


# ----------------------------------------------------------------------------------------------- metrics
def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Number of characters two end-exclusive spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def overlap_ratio(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared characters / length of the longer span (1.0 only for identical spans)."""
    longest = max(a[1] - a[0], b[1] - b[0])
    return overlap(a, b) / longest if longest > 0 else 0.0


def match_spans(a: list[tuple[int, int]], b: list[tuple[int, int]], min_ratio: float) -> list[tuple[int, int]]:
    """One-to-one pairs (i, j) of qualifying spans (overlap_ratio >= min_ratio) with maximal total overlap.

    `min_ratio=1.0` gives exact matching. Returns index pairs sorted by i.
    """
    if not a or not b:
        return []
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    weights = np.zeros((len(a), len(b)))
    for i, sa in enumerate(a):
        for j, sb in enumerate(b):
            if overlap_ratio(sa, sb) >= min_ratio:
                weights[i, j] = overlap(sa, sb)
    if not weights.any():
        return []
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return sorted((int(i), int(j)) for i, j in zip(rows, cols) if weights[i, j] > 0)


def prf(matches: int, n_reference: int, n_predicted: int) -> dict:
    """Precision, recall, F1 of `matches` pairs; a value is None when its denominator is zero."""
    p = matches / n_predicted if n_predicted else None
    r = matches / n_reference if n_reference else None
    f1 = 2 * matches / (n_reference + n_predicted) if n_reference + n_predicted else None
    return {"matches": matches, "precision": p, "recall": r, "f1": f1}


def stance_kappa(labels_a: list[str], labels_b: list[str]) -> float | None:
    """Cohen's kappa over the stance labels; None when undefined (no pairs, or chance agreement is 1)."""
    if not labels_a:
        return None
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kappa = cohen_kappa_score(labels_a, labels_b, labels=list(STANCES))
    return None if math.isnan(kappa) else float(kappa)


def normalise_name(s: str) -> str:
    """Compare speaker names/aliases across passes: Unicode-compatible, case-folded, straight apostrophes,
    whitespace folded, surrounding punctuation dropped. Articles are kept ("a Kremlin source" is a description)."""
    s = unicodedata.normalize("NFKC", s).casefold()
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(s.split()).strip(" .,;:'\"()[]")


def speakers_agree(a: Unit, b: Unit) -> bool:
    if normalise_name(a.speaker_name) == normalise_name(b.speaker_name):
        return True
    if a.speaker_keys & b.speaker_keys:
        return True
    return a.mention is not None and b.mention is not None and overlap(a.mention, b.mention) > 0


def _rate(agree: int, pairs: int) -> dict:
    return {"agree": agree, "pairs": pairs, "rate": agree / pairs if pairs else None}


def compare_units(units_a: list[Unit], units_b: list[Unit], min_ratio: float = DEFAULT_OVERLAP) -> dict:
    """All agreement figures for two lists of units of the same document (or pooled lists of pair results)."""
    spans_a = [(u.start, u.end) for u in units_a]
    spans_b = [(u.start, u.end) for u in units_b]
    exact = match_spans(spans_a, spans_b, 1.0)
    pairs = match_spans(spans_a, spans_b, min_ratio)
    matched = [(units_a[i], units_b[j]) for i, j in pairs]
    return {
        "n_a": len(units_a),
        "n_b": len(units_b),
        "exact": prf(len(exact), len(units_a), len(units_b)),
        "overlap": prf(len(pairs), len(units_a), len(units_b)),
        "speaker": _rate(sum(speakers_agree(a, b) for a, b in matched), len(matched)),
        "type": _rate(sum(a.type == b.type for a, b in matched), len(matched)),
        "stance": {**_rate(sum(a.stance == b.stance for a, b in matched), len(matched)),
                   "kappa": stance_kappa([a.stance for a, _ in matched], [b.stance for _, b in matched])},
        "_pairs": pairs,
        "_matched": matched,
    }


def _pool(per_doc: dict[str, dict]) -> dict:
    """Pool per-document results: sum counts, recompute rates and kappa over all matched pairs."""
    n_a = sum(r["n_a"] for r in per_doc.values())
    n_b = sum(r["n_b"] for r in per_doc.values())
    matched = [pair for r in per_doc.values() for pair in r["_matched"]]
    return {
        "n_a": n_a,
        "n_b": n_b,
        "exact": prf(sum(r["exact"]["matches"] for r in per_doc.values()), n_a, n_b),
        "overlap": prf(len(matched), n_a, n_b),
        "speaker": _rate(sum(speakers_agree(a, b) for a, b in matched), len(matched)),
        "type": _rate(sum(a.type == b.type for a, b in matched), len(matched)),
        "stance": {**_rate(sum(a.stance == b.stance for a, b in matched), len(matched)),
                   "kappa": stance_kappa([a.stance for a, _ in matched], [b.stance for _, b in matched])},
    }


# ----------------------------------------------------------------------------------------------- reading
def read_pass(root: str | Path, documents_dir: str | Path | None = None) -> dict[str, list[Unit]]:
    """Validate one annotation pass and return its units per document. Raises InputError if it is invalid."""
    from benchmark.corpus.validate import validate

    result = validate(root, documents_dir)
    if not result.ok:
        raise InputError(result.problems)
    ann = read_annotations(root, documents_dir)
    registry = {sp["id"]: sp for sp in ann.speakers}
    units: dict[str, list[Unit]] = {}
    for doc_id, doc in ann.documents.items():
        units[doc_id] = []
        for q in doc.gold["quotes"]:
            sp = registry[q["speaker"]]
            mention = q.get("speaker_mention")
            units[doc_id].append(Unit(
                doc_id=doc_id, id=q["id"], start=q["start"], end=q["end"], text=q["text"], type=q["type"],
                stance=q["stance"], speaker=q["speaker"], speaker_name=sp["name"],
                speaker_keys=frozenset(normalise_name(x) for x in [sp["name"], *sp["aliases"]]),
                mention=(mention["start"], mention["end"]) if mention else None,
            ))
    return units


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _boundary_detail(a: Unit, b: Unit) -> str:
    """Say which characters only one pass includes, e.g. `a 10-50, b 10-62: only b has ' and more'`."""
    def only(x: Unit, y: Unit) -> list[str]:
        parts = []
        if x.start < y.start:
            parts.append(x.text[: y.start - x.start])
        if x.end > y.end:
            parts.append(x.text[len(x.text) - (x.end - y.end):])
        return [repr(_snippet(p)) for p in parts]
    bits = [f"only {side} has {' … '.join(extra)}" for side, extra in (("a", only(a, b)), ("b", only(b, a))) if extra]
    return f"a {a.start}-{a.end}, b {b.start}-{b.end}: " + "; ".join(bits)


def _disagreements(doc_id: str, track: str, units_a: list[Unit], units_b: list[Unit], result: dict,
                   all_a: list[Unit], all_b: list[Unit]) -> list[dict]:
    """Every difference between the passes on one document and track, for adjudication."""
    out = []
    matched_a = {i for i, _ in result["_pairs"]}
    matched_b = {j for _, j in result["_pairs"]}

    def other_track_note(u: Unit, others: list[Unit], side: str) -> str:
        hits = [o for o in others if o.type not in TRACKS[track] and overlap((u.start, u.end), (o.start, o.end))]
        return "; ".join(f"pass {side} has an overlapping {o.type} unit {o.id}" for o in hits)

    for i, u in enumerate(units_a):
        if i not in matched_a:
            out.append({"doc_id": doc_id, "track": track, "kind": "only_in_a", "a_id": u.id, "b_id": None, "start": u.start,
                        "detail": f"{u.type}, {u.start}-{u.end}" + (f" ({n})" if (n := other_track_note(u, all_b, "b")) else ""),
                        "text": _snippet(u.text)})
    for j, u in enumerate(units_b):
        if j not in matched_b:
            out.append({"doc_id": doc_id, "track": track, "kind": "only_in_b", "a_id": None, "b_id": u.id, "start": u.start,
                        "detail": f"{u.type}, {u.start}-{u.end}" + (f" ({n})" if (n := other_track_note(u, all_a, "a")) else ""),
                        "text": _snippet(u.text)})
    for a, b in result["_matched"]:
        base = {"doc_id": doc_id, "track": track, "a_id": a.id, "b_id": b.id, "start": min(a.start, b.start),
                "text": _snippet(a.text)}
        if (a.start, a.end) != (b.start, b.end):
            out.append({**base, "kind": "boundary", "detail": _boundary_detail(a, b)})
        if not speakers_agree(a, b):
            out.append({**base, "kind": "speaker", "detail": f"{a.speaker} ({a.speaker_name}) vs {b.speaker} ({b.speaker_name})"})
        if a.type != b.type:
            out.append({**base, "kind": "type", "detail": f"{a.type} vs {b.type}"})
        if a.stance != b.stance:
            out.append({**base, "kind": "stance", "detail": f"{a.stance} vs {b.stance}"})
    return out


def agreement(a_dir: str | Path, b_dir: str | Path, documents_dir: str | Path | None = None,
              min_ratio: float = DEFAULT_OVERLAP) -> dict:
    """Agreement between the passes in `a_dir` (reference) and `b_dir`. Both are validated first.

    Only the articles annotated in both passes are compared (a pass need not cover every article). Returns
    {"options", "documents": [compared doc_ids], "not_compared": {doc_id: why}, "tracks": {track: {"pooled":
    metrics, "documents": {doc_id: metrics}}}, "disagreements": [...]} where metrics = {n_a, n_b, exact, overlap,
    speaker, type, stance}. Raises InputError when no article is in both passes.
    """
    problems = []
    passes = []
    for d in (a_dir, b_dir):
        try:
            passes.append(read_pass(d, documents_dir))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    units_a, units_b = passes
    # The passes are optional per article: compare the articles both passes annotated, and say which they did not.
    doc_ids = sorted(set(units_a) & set(units_b))
    texts = resolve_documents_dir(a_dir, documents_dir)
    known = {p.stem for p in texts.glob("*.txt")} if texts.is_dir() else set()
    not_compared = {doc_id: "only in pass a" if doc_id in units_a else "only in pass b" if doc_id in units_b
                    else "in neither pass" for doc_id in sorted((known | set(units_a) | set(units_b)) - set(doc_ids))}
    if not doc_ids:
        raise InputError(f"{b_dir}: no article is annotated in both {a_dir} and {b_dir}: nothing to compare")
    tracks: dict = {}
    disagreements: list[dict] = []
    for track, types in TRACKS.items():
        per_doc = {}
        for doc_id in doc_ids:
            all_a, all_b = units_a.get(doc_id, []), units_b.get(doc_id, [])
            ua = [u for u in all_a if u.type in types]
            ub = [u for u in all_b if u.type in types]
            per_doc[doc_id] = compare_units(ua, ub, min_ratio)
            if track != "all":
                disagreements += _disagreements(doc_id, track, ua, ub, per_doc[doc_id], all_a, all_b)
        pooled = _pool(per_doc)
        tracks[track] = {"pooled": pooled,
                         "documents": {d: {k: v for k, v in r.items() if not k.startswith("_")} for d, r in per_doc.items()}}
    disagreements.sort(key=lambda d: (d["doc_id"], d["start"], d["track"]))
    return {"options": {"a": str(a_dir), "b": str(b_dir), "overlap": min_ratio, "reference": "a"},
            "documents": doc_ids, "not_compared": not_compared, "tracks": tracks, "disagreements": disagreements}


# ----------------------------------------------------------------------------------------------- output
COLUMNS = ["track", "document", "units (a)", "units (b)", "exact F1", "overlap F1", "speaker", "type", "stance",
           "stance kappa"]


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _frac(r: dict) -> str:
    return "n/a" if r["rate"] is None else f"{r['rate']:.3f} ({r['agree']}/{r['pairs']})"


def table_rows(result: dict) -> list[list[str]]:
    rows = []
    for track, t in result["tracks"].items():
        for name, m in [*t["documents"].items(), ("pooled", t["pooled"])]:
            rows.append([track, name, str(m["n_a"]), str(m["n_b"]), _num(m["exact"]["f1"]), _num(m["overlap"]["f1"]),
                         _frac(m["speaker"]), _frac(m["type"]) if track != "B" else "—", _frac(m["stance"]),
                         _num(m["stance"]["kappa"])])
    return rows


def coverage(result: dict, markdown: bool = False) -> str:
    """Which articles the figures cover, and which they do not (not annotated in both passes)."""
    code = (lambda x: f"`{x}`") if markdown else str
    n = len(result["documents"])
    text = f"Covers the {n} article{'s' if n != 1 else ''} annotated in both passes."
    if result["not_compared"]:
        text += " Not compared (not annotated in both passes): " + ", ".join(
            f"{code(doc_id)} ({why})" for doc_id, why in result["not_compared"].items()) + "."
    return text


def format_table(result: dict) -> str:
    rows = [COLUMNS, *table_rows(result)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:], coverage(result)])


def format_markdown(result: dict) -> str:
    opts = result["options"]
    lines = [f"Agreement of `{opts['b']}` against `{opts['a']}` (overlap match: shared characters / longer span "
             f">= {opts['overlap']}; speaker, type and stance on overlap-matched units). {coverage(result, True)} "
             f"Command: `kremlin-reactions agreement {opts['a']} {opts['b']} --markdown`.", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(COLUMNS) - 2)) + "|"]
    for r in table_rows(result):
        if r[1] == "pooled":
            r = [r[0], "**pooled**", *r[2:]]
        lines.append("| " + " | ".join(r) + " |")
    return "\n".join(lines)


def format_disagreements(result: dict) -> str:
    items = result["disagreements"]
    lines = [f"{len(items)} disagreements (a = {result['options']['a']}, b = {result['options']['b']}):"]
    for d in items:
        ids = f"{d['a_id'] or '-'}/{d['b_id'] or '-'}"
        lines.append(f"{d['doc_id']}  {d['start']:>5}  {d['track']}  {d['kind']:<9}  {ids:<9}  {d['detail']}  \"{d['text']}\"")
    return "\n".join(lines)


def format_disagreements_markdown(result: dict) -> str:
    """The disagreements as a Markdown table (a starting point for ADJUDICATION.md)."""
    esc = lambda x: str(x).replace("|", "\\|").replace("\n", " ")
    lines = ["| document | offset | track | kind | a | b | detail | text |", "|---|---:|---|---|---|---|---|---|"]
    for d in result["disagreements"]:
        lines.append("| " + " | ".join(esc(x) for x in (d["doc_id"], d["start"], d["track"], d["kind"], d["a_id"] or "—",
                                                         d["b_id"] or "—", d["detail"], d["text"])) + " |")
    return f"{len(result['disagreements'])} disagreements:\n\n" + "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a_dir", metavar="A_DIR", help="reference pass, e.g. annotations/passes/a (gold/ + speakers.json; "
                                                       f"regular files of at most {size_text(MAX_ANNOTATION_BYTES)})")
    parser.add_argument("b_dir", metavar="B_DIR", help="other pass, e.g. annotations/passes/b")
    parser.add_argument("--documents", metavar="DIR", default=None,
                        help="folder of the texts (default: A_DIR/documents, or annotations/documents for passes/*)")
    parser.add_argument("--overlap", type=float, default=DEFAULT_OVERLAP, metavar="R",
                        help="overlap match threshold: shared chars / longer span >= R (default 0.5)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure and disagreement as JSON to FILE")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (for DATASHEET.md) instead of the text table")
    parser.add_argument("--no-disagreements", action="store_true", help="do not print the list of disagreements")


def run(args: argparse.Namespace) -> int:
    if not 0 < args.overlap <= 1:
        raise InputError(f"--overlap: {args.overlap} must be in (0, 1]")
    result = agreement(args.a_dir, args.b_dir, args.documents, args.overlap)
    if args.json:
        write_atomic({args.json: json.dumps(result, indent=2, ensure_ascii=False) + "\n"})
    print(for_terminal(format_markdown(result) if args.markdown else format_table(result), keep_newlines=True))
    if not args.no_disagreements:
        print()
        print(for_terminal(format_disagreements_markdown(result) if args.markdown else format_disagreements(result),
                           keep_newlines=True))
    if args.json:
        print(f"wrote {args.json}", file=sys.stderr)
    return 0

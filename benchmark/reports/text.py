"""Results dict -> text: the terminal table, Markdown, JSON and the error list; the rows and columns come from the
metric registry (`benchmark.scoring.metrics`). (Gradescope and Codabench formats live in `benchmark.grading`.)"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping

from benchmark.reports.escape import md
from benchmark.scoring.metrics import METRICS, OVERALL_NOTE, OVERALL_PARTS, TASKS, task_of
from benchmark.scoring.results import get


def _documents(n: int) -> str:
    return f"{n} document" + ("" if n == 1 else "s")


def _f(x) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def _interval(results: dict, key: str) -> str:
    """The bootstrap interval of a key as text ("" when not computed), followed by the key's short name."""
    iv = (results.get("intervals") or {}).get(key)
    return f"[{iv['low']:.3f}, {iv['high']:.3f}] {key.rsplit('.', 1)[-1]}" if iv else ""


def summary_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(task, metric, values, 95% interval) rows, 'not attempted' where a task was not attempted."""
    attempted = set(results.get("attempted", ()))
    rows = []
    for task in TASKS:
        if task.name not in attempted and task.subtask:
            continue                   # a subtask: only shown when used
        for row in task.rows:
            if task.name not in attempted:
                rows.append((row.label, row.what, "not attempted", ""))
                continue
            values = " / ".join(_f(get(results, k)) for k in row.keys)
            rows.append((row.label, row.what, values + (row.suffix(results) if row.suffix else ""),
                         _interval(results, row.interval)))
    rows.append(("OVERALL", "", _f(results["overall"]) + overall_note(results), _interval(results, "overall")))
    return rows


def overall_note(results: dict) -> str:
    """What an overall score leaves out: the parts of overall a submission did not attempt ("" when none)."""
    attempted = set(results.get("attempted", ()))
    missing = [task for task in OVERALL_PARTS.values() if task not in attempted]
    return f" ({', '.join(missing)} not attempted: each counts 0)" if missing else ""


# the per-document table: the leaderboard's columns, overall last
DOCUMENT_COLUMNS = [m for m in METRICS.values() if m.column and m.key != "overall"] + [METRICS["overall"]]


def per_document_rows(results: dict) -> list[tuple]:
    """One row per document; a task the submission did not attempt says so instead of a score ("wrong", 0)."""
    rows = [("document", *(m.title for m in DOCUMENT_COLUMNS))]
    attempted = set(results.get("attempted", ()))
    for doc_id, d in results["per_document"].items():
        cells = []
        for m in DOCUMENT_COLUMNS:
            value = get(d, m.document_key)
            if task_of(m.key) is not None and task_of(m.key) not in attempted:
                cells.append("not attempted")
            else:
                cells.append(("right" if value else "wrong") if isinstance(value, bool) else _f(value))
        rows.append((doc_id + ("" if d["predicted"] else " (no prediction)"), *cells))
    return rows


def statistics_note(results: dict) -> str:
    n = results["n_documents"]
    boot = results.get("bootstrap") or {}
    if not results.get("intervals"):
        return f"{_documents(n)}; no bootstrap intervals (--bootstrap 0)."
    text = (f"95% intervals: percentile bootstrap over the {_documents(n)} ({boot.get('n')} resamples, seed "
            f"{boot.get('seed')}); descriptive only")
    if n < 30:
        text += f", and with {_documents(n)} they are wide and coarse"
    return text + "."


def compare_rows(results: dict) -> list[tuple]:
    c = results["compare"]
    rows = [("metric", "A", "B", "A - B", "p randomisation", "p paired bootstrap")]
    for key, s in c["scores"].items():
        n_boot = (results.get("options") or {}).get("n_boot") or 0
        boot_p = f"< {1 / n_boot:.2g}" if s["p_bootstrap"] == 0 and n_boot else f"{s['p_bootstrap']:.4g}"
        rows.append((key, _f(s["a"]), _f(s["b"]), f"{s['difference']:+.3f}", f"{s['p_randomisation']:.4g}",
                     boot_p))
    return rows


def compare_notes(results: dict) -> list[str]:
    c = results["compare"]
    r = c["randomisation"]
    kind = (f"exact over all {r['n_permutations']} swaps" if r["exact"]
            else f"Monte Carlo, {r['n_permutations']} random swaps")
    wl = c["win_loss"]
    return [
        f"A = {results.get('submission')}, B = {c.get('b')}",
        f"paired randomisation over documents ({kind}), two-sided; paired bootstrap (Berg-Kirkpatrick), one-sided",
        f"per document (overall): A wins {wl['wins_a']}, B wins {wl['wins_b']}, ties {wl['ties']}",
        c["note"] + ".",
    ]


def _table(rows: list[tuple], header: bool = True) -> list[str]:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    if header:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def terminal(results: dict, errors: bool = False) -> str:
    """The compact report printed by `kremlin-reactions score`."""
    opts = results["options"]
    lines = [f"kremlin-reactions score: {results.get('submission')} — split {opts['split']}, track {opts['track']},"
             f" {_documents(results['n_documents'])}, match = overlap >= {opts['overlap']:g} of the gold span", ""]
    lines += _table([("task", "metric", "score", "95% interval")] + summary_rows(results))
    lines += ["", OVERALL_NOTE, statistics_note(results), ""]
    lines += _table(per_document_rows(results))
    if results.get("not_attempted"):
        lines += ["", "not attempted (key absent from every document): " + ", ".join(results["not_attempted"])]
    for w in results.get("warnings") or []:
        lines.append(f"warning: {w}")
    if "compare" in results:
        lines += ["", "comparison with another submission:"]
        lines += _table(compare_rows(results))
        lines += compare_notes(results)
    if errors and "errors" in results:
        lines += ["", error_text(results["errors"])]
    lines += ["", results["signature"]]
    return "\n".join(lines)


def error_text(errors: dict) -> str:
    """Per document, what went wrong, with text snippets (from `score(..., errors=True)`)."""
    out = []
    for doc_id, e in errors.items():
        n = sum(len(e[k]) for k in ("missed", "spurious", "boundary", "wrong_speaker", "wrong_stance"))
        out.append(f"== {doc_id}: {len(e['missed'])} missed, {len(e['spurious'])} spurious, "
                   f"{len(e['boundary'])} boundary, {len(e['wrong_speaker'])} wrong speaker, "
                   f"{len(e['wrong_stance'])} wrong stance" + ("" if n or e["date"] or e["outlet"] else " (none)"))
        for m in e["missed"]:
            out.append(f"  missed    {m['quote_id']} [{m['type']}] {m['text']!r} ({m['speaker']}, {m['stance']})")
        for s in e["spurious"]:
            if s.get("not_found"):
                out.append(f"  spurious  line {s['line']} {s['text']!r}: {s['message']}")
            else:
                out.append(f"  spurious  line {s['line']} {s['start']}-{s['end']} {s['text']!r}")
        for b in e["boundary"]:
            out.append(f"  boundary  {b['quote_id']} gold {b['text']!r} vs predicted {b['predicted_text']!r}")
        for w in e["wrong_speaker"]:
            out.append(f"  speaker   {w['quote_id']} gold {w['gold']!r}, predicted {w['predicted']!r}: {w['text']!r}")
        for w in e["wrong_stance"]:
            out.append(f"  stance    {w['quote_id']} gold {w['gold']}, predicted {w['predicted']}: {w['text']!r}")
        if e["date"]:
            out.append(f"  date      gold {e['date']['gold']} ({e['date']['evidence']}), "
                       f"predicted {e['date']['predicted']}")
        if e["outlet"]:
            o = e["outlet"]
            out.append(f"  outlet    gold {o['gold']!r} ({o['evidence']}), "
                       + (f"predicted {o['predicted']!r}" if o["attempted"] else "not predicted"))
    return "\n".join(out)


def _md_escape(text) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(rows: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(_md_escape(c) for c in rows[0]) + " |",
             "|" + "|".join("---" for _ in rows[0]) + "|"]
    lines += ["| " + " | ".join(_md_escape(c) for c in r) + " |" for r in rows[1:]]
    return lines


def markdown(results: dict, errors: bool = False) -> str:
    opts = results["options"]
    # the file name is the submitter's: escaped like any other text (in a code span a backtick would end it)
    lines = [f"## kremlin-reactions score: {md(results.get('submission'))}", "",
             f"Split `{opts['split']}`, track {opts['track']}, {_documents(results['n_documents'])}, "
             f"match = overlap ≥ {opts['overlap']:g} of the gold span.", ""]
    lines += _md_table([("task", "metric", "score", "95% interval")] + summary_rows(results))
    lines += ["", OVERALL_NOTE + ".", "", statistics_note(results), "", "### Per document", ""]
    lines += _md_table(per_document_rows(results))
    if results.get("not_attempted"):
        lines += ["", "Not attempted: " + ", ".join(results["not_attempted"])]
    if results.get("warnings"):
        lines += [""] + [f"- warning: {md(w)}" for w in results["warnings"]]
    if "compare" in results:
        lines += ["", "### Comparison", ""] + _md_table(compare_rows(results))
        lines += [""] + [f"- {_md_escape(n)}" for n in compare_notes(results)]
    if errors and "errors" in results:
        lines += ["", "### Errors", "", "```", error_text(results["errors"]).replace("```", "'''"), "```"]
    lines += ["", f"`{results['signature']}`", ""]
    return "\n".join(lines)


def to_json(results: dict) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False, default=_json_value) + "\n"


def _json_value(value):
    """Mappings (the per-document results) as objects; anything else not JSON (a date) as its string."""
    return dict(value) if isinstance(value, Mapping) else str(value)

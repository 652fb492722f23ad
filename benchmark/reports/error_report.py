"""`kremlin-reactions report SUBMISSION -o report.html`: a static HTML error report.

Every article of the split is shown with the gold and the predicted quotes marked in its text. Each mark has a
status, drawn with its own line style *and* an Okabe-Ito colour *and* a symbol in its number tag, so no status
depends on colour alone:

    matched        gold and prediction match; speaker and stance right         solid underline, bluish green, ✓
    wrong speaker  matched, but the predicted speaker is not the gold speaker  double underline, blue, S
    wrong stance   matched, but the predicted stance differs                   dashed overline, reddish purple, ≠
                   (a pair can be both: double underline + dashed overline)
    missed         gold quote no prediction matched                            thick underline on hatching, orange, ✗
    spurious       prediction matched to no gold quote                         dotted box, vermillion, +
    not scored     gold units the scorer does not count (optional, in          thin grey dotted underline, ○
                   boilerplate, other track) and predictions it ignores

Boilerplate regions (captions, widgets, sidebars) are shaded grey. Each mark's title (hover) and the side table
next to the article give gold vs predicted speaker and stance. A score strip per document is at the top. What a
submission did not attempt is never called right or wrong: for a span-only submission "matched" means the span
matched, and its speaker and stance columns say "not attempted". Quotes given as text that are not in the article
(spurious, with no span to draw) are listed under the article with the closest passage the scorer found.

The statuses come from the scorer's per-document `errors` (`benchmark.score(..., errors=True)`), so the counts on
the page are the scorer's counts. Overlapping and nested marks are drawn from elementary segments between all
span boundaries; overlapping marks get different underline offsets ("lanes"). The page has no script, a strict
Content-Security-Policy, and every string from the submission or the article is HTML-escaped.
"""
from __future__ import annotations

import argparse
import heapq
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmark.errors import InputError
from benchmark.reports.escape import esc, one_line
from benchmark.reports.page import BASE_CSS, OKABE_ITO, page, screenshot
from benchmark.safe_io import display_path, write_atomic
from benchmark.scoring import options as scoring_options

HELP = "write a static HTML error report of a submission: gold and predicted quotes marked in each article"

# status -> (label in the legend, tag symbol)
STATUSES = {
    "matched": ("matched: span, speaker and stance right", "\u2713"),
    "wrong-speaker": ("wrong speaker (span matched)", "S"),
    "wrong-stance": ("wrong stance (span matched)", "\u2260"),
    "missed": ("missed gold quote", "\u2717"),
    "spurious": ("spurious prediction (no gold quote)", "+"),
    "not-scored": ("not scored: optional / boilerplate / other-track gold, or an ignored prediction", "\u25cb"),
}
_STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
MAX_LANES = 6                          # underline offsets; more overlapping marks than this share the last one
MAX_NESTED = 8                         # marks drawn around one piece of text (the rest: in the side table)
MAX_MARKS = 1000                       # marks drawn per document; a hostile file cannot blow up the page
SNIPPET = 90


@dataclass
class Mark:
    """One highlighted thing in an article: a matched pair, a missed gold unit, a spurious or ignored prediction."""
    start: int
    end: int
    statuses: tuple[str, ...]          # e.g. ("wrong-speaker", "wrong-stance")
    gold: dict | None = None           # {"quote_id", "start", "end", "speaker", "stance"}
    predicted: dict | None = None      # {"line", "start", "end", "speaker", "stance"}
    note: str = ""
    number: int = 0
    lane: int = 0


# --------------------------------------------------------------------------------------------------------------
# geometry: lanes and elementary segments

def assign_lanes(spans: list[tuple[int, int]]) -> list[int]:
    """Interval-graph colouring: for spans sorted by (start, -end), the lowest lane free at each start, so two
    overlapping spans never share a lane (and their underlines never sit on top of each other)."""
    order = sorted(range(len(spans)), key=lambda k: (spans[k][0], -spans[k][1], k))
    active: list[tuple[int, int]] = []      # heap of (end, lane) of the spans placed and not yet ended
    free: list[int] = []                    # heap of lanes released again
    n_lanes = 0
    lanes = [0] * len(spans)
    for k in order:
        start, end = spans[k]
        while active and active[0][0] <= start:
            heapq.heappush(free, heapq.heappop(active)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane, n_lanes = n_lanes, n_lanes + 1
        lanes[k] = lane
        heapq.heappush(active, (end, lane))
    return lanes


def segments(length: int, spans: list[tuple[int, int]]) -> list[tuple[int, int, list[int]]]:
    """Cut [0, length) at every span boundary: (start, end, indices of the spans covering that piece), in text
    order, covering the whole text. Empty spans cover nothing; spans are clipped to the text.

    >>> segments(10, [(2, 6), (4, 8)])
    [(0, 2, []), (2, 4, [0]), (4, 6, [0, 1]), (6, 8, [1]), (8, 10, [])]
    """
    clipped = [(max(0, min(s, length)), max(0, min(e, length))) for s, e in spans]
    points = sorted({0, length, *(p for s, e in clipped if s < e for p in (s, e))})
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for k, (s, e) in enumerate(clipped):
        if s < e:
            starts.setdefault(s, []).append(k)
            ends.setdefault(e, []).append(k)
    active: set[int] = set()
    out = []
    for a, b in zip(points, points[1:]):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        out.append((a, b, sorted(active)))
    return out


# --------------------------------------------------------------------------------------------------------------
# marks from the scorer's errors

def _gold_info(row: dict) -> dict:
    return {"quote_id": row["quote_id"], "start": row["start"], "end": row["end"], "speaker": row.get("speaker"),
            "stance": row.get("stance"), "type": row.get("type")}


def _not_scored_reason(row: dict, track_types: tuple[str, ...]) -> str:
    if row.get("optional"):
        reason = row.get("optional_reason")
        return "optional" + (f" ({reason})" if reason else "")
    if row.get("in_boilerplate"):
        return "in boilerplate"
    if row.get("type") not in track_types:
        return f"{row.get('type')} quote: not in this track"
    return "not scored"


def document_marks(text: str, gold_rows: list[dict], predictions: list, errors: dict,
                   track_types: tuple[str, ...]) -> list[Mark]:
    """The marks of one document, numbered in text order.

    gold_rows: the document's gold quotes; predictions: its `PredictedQuote`s located by span; errors: the
    scorer's `errors[doc_id]`. Matched pairs, missed and spurious come from the scorer; gold units it did not
    count and predictions it ignored (in boilerplate, other track, matched to an optional unit) are 'not scored'.
    """
    marks: list[Mark] = []
    by_id = {row["quote_id"]: row for row in gold_rows}
    used_pred: dict[tuple, int] = {}
    for m in errors.get("matched", []):
        row = by_id[m["quote_id"]]
        (gs, ge), (ps, pe) = m["gold"], m["predicted"]
        # None = task not attempted: nothing to call wrong
        statuses = tuple(s for s, bad in (("wrong-speaker", m["speaker_correct"] is False),
                                          ("wrong-stance", m["stance_correct"] is False)) if bad) or ("matched",)
        note = "" if (gs, ge) == (ps, pe) else f"spans differ: gold {gs}\u2013{ge}, predicted {ps}\u2013{pe}"
        marks.append(Mark(min(gs, ps), max(ge, pe), statuses, gold=_gold_info(row),
                          predicted={"line": m["line"], "start": ps, "end": pe, "speaker": m["predicted_speaker"],
                                     "stance": m["predicted_stance"]}, note=note))
        key = (m["line"], ps, pe)
        used_pred[key] = used_pred.get(key, 0) + 1
    for g in errors.get("missed", []):
        marks.append(Mark(g["start"], g["end"], ("missed",), gold=_gold_info(by_id[g["quote_id"]])))
    for p in errors.get("spurious", []):
        if p.get("not_found"):
            continue                    # no span: listed under the article (render_not_found)
        marks.append(Mark(p["start"], p["end"], ("spurious",),
                          predicted={"line": p["line"], "start": p["start"], "end": p["end"],
                                     "speaker": p.get("speaker"), "stance": p.get("stance")}))
        key = (p["line"], p["start"], p["end"])
        used_pred[key] = used_pred.get(key, 0) + 1
    counted_gold = ({m["quote_id"] for m in errors.get("matched", [])}
                    | {g["quote_id"] for g in errors.get("missed", [])})
    for row in gold_rows:
        if row["quote_id"] not in counted_gold:
            marks.append(Mark(row["start"], row["end"], ("not-scored",), gold=_gold_info(row),
                              note="gold unit not scored: " + _not_scored_reason(row, track_types)))
    for q in predictions:
        key = (q.line, q.start, q.end)
        if used_pred.get(key, 0) > 0:
            used_pred[key] -= 1
            continue
        marks.append(Mark(q.start, q.end, ("not-scored",),
                          predicted={"line": q.line, "start": q.start, "end": q.end, "speaker": q.speaker,
                                     "stance": q.stance},
                          note="prediction not scored (inside boilerplate, typed for another track, "
                               "or matched to a gold unit that is not scored)"))
    marks.sort(key=lambda m: (m.start, -m.end, _STATUS_ORDER[m.statuses[0]], m.gold is None))
    for lane, (number, mark) in zip(assign_lanes([(m.start, m.end) for m in marks]), enumerate(marks, 1)):
        mark.number, mark.lane = number, min(lane, MAX_LANES - 1)
    return marks


def _status_words(mark: Mark) -> str:
    return " + ".join(s.replace("-", " ") for s in mark.statuses)


def _who(value) -> str:
    return "(none)" if value in (None, "") else one_line(value, 120)


def mark_title(mark: Mark) -> str:
    """Plain-text tooltip: number, status, gold vs predicted speaker and stance (escaped by the caller)."""
    parts = [f"#{mark.number} {_status_words(mark)}"]
    if mark.gold is not None:
        parts.append(f"gold: {_who(mark.gold['speaker'])} | stance {_who(mark.gold['stance'])}")
    if mark.predicted is not None:
        parts.append(f"predicted (line {mark.predicted['line']}): {_who(mark.predicted['speaker'])} | "
                     f"stance {_who(mark.predicted['stance'])}")
    if mark.note:
        parts.append(mark.note)
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------------------------
# HTML

def _pct(value) -> str:
    return "\u2013" if value is None else f"{100 * value:.1f}"


def render_article(doc_id: str, text: str, marks: list[Mark], boilerplate: list[dict]) -> str:
    """The article text as HTML: every piece between two boundaries wrapped in the spans of what covers it."""
    anchor = _anchor(doc_id)
    spans = [(m.start, m.end) for m in marks] + [(r["start"], r["end"]) for r in boilerplate]
    n_marks = len(marks)
    titles = [esc(mark_title(m)) for m in marks]
    starts_at: dict[int, list[Mark]] = {}
    for m in marks:
        starts_at.setdefault(max(0, min(m.start, len(text))), []).append(m)
    out = []
    for a, b, covering in segments(len(text), spans):
        for m in starts_at.pop(a, ()):
            symbol = STATUSES[m.statuses[0]][1]
            out.append(f'<a class="tag t-{m.statuses[0]}" href="#{anchor}-m{m.number}" '
                       f'id="{anchor}-at{m.number}">{esc(symbol)}{m.number}</a>')
        opened = 0
        for k in covering:
            if k >= n_marks:
                region = boilerplate[k - n_marks]
                out.append(f'<span class="bp" title="boilerplate: {esc(region.get("kind"))}">')
                opened += 1
        for k in sorted((k for k in covering if k < n_marks), key=lambda k: (marks[k].lane, k))[:MAX_NESTED]:
            m = marks[k]
            classes = " ".join(["m", *m.statuses, f"l{m.lane}"])
            out.append(f'<span class="{classes}" data-m="{m.number}" title="{titles[k]}">')
            opened += 1
        out.append(esc(text[a:b]))
        out.append("</span>" * opened)
    for ms in starts_at.values():           # marks at the very end of the text (empty spans)
        for m in ms:
            out.append(f'<a class="tag t-{m.statuses[0]}" href="#{anchor}-m{m.number}">'
                       f'{esc(STATUSES[m.statuses[0]][1])}{m.number}</a>')
    return "".join(out)


def _anchor(doc_id: str) -> str:
    return "doc-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in doc_id)


def render_panel(doc_id: str, text: str, marks: list[Mark]) -> str:
    """The side table: one row per mark with gold vs predicted speaker and stance."""
    anchor = _anchor(doc_id)
    rows = []
    for m in marks:
        span = m.gold or m.predicted
        snippet = one_line(" ".join(text[span["start"]:span["end"]].split()), SNIPPET)
        gold_sp = _who(m.gold["speaker"]) if m.gold else "\u2014"
        pred_sp = _who(m.predicted["speaker"]) if m.predicted else "\u2014"
        gold_st = _who(m.gold["stance"]) if m.gold else "\u2014"
        pred_st = _who(m.predicted["stance"]) if m.predicted else "\u2014"
        line = str(m.predicted["line"]) if m.predicted else ""
        status = _status_words(m)
        rows.append(
            f'<tr id="{anchor}-m{m.number}" class="row-{m.statuses[0]}">'
            f'<td class="num"><a href="#{anchor}-at{m.number}">{m.number}</a></td>'
            f'<td><span class="tag t-{m.statuses[0]}">{esc(STATUSES[m.statuses[0]][1])}</span> {esc(status)}'
            f'{"<br><small>" + esc(m.note) + "</small>" if m.note else ""}</td>'
            f"<td>{esc(snippet)}</td>"
            f'<td>{esc(gold_sp)}<br><span class="{"bad" if "wrong-speaker" in m.statuses else "pred"}">'
            f"\u2192 {esc(pred_sp)}</span></td>"
            f'<td>{esc(gold_st)}<br><span class="{"bad" if "wrong-stance" in m.statuses else "pred"}">'
            f"\u2192 {esc(pred_st)}</span></td>"
            f'<td class="num">{esc(line)}</td></tr>')
    head = ("<tr><th>#</th><th>status</th><th>quote</th><th>speaker<br>gold \u2192 predicted</th>"
            "<th>stance<br>gold \u2192 predicted</th><th>line</th></tr>")
    return f'<table class="panel">\n{head}\n' + "\n".join(rows) + "\n</table>"


def matched_label(attempted) -> str:
    """What "matched" means for this submission: only what it attempted is called right."""
    right = ["span"] + [what for task, what in (("attribution", "speaker"), ("stance", "stance")) if task in attempted]
    label = "matched: " + (", ".join(right[:-1]) + " and " + right[-1] if len(right) > 1 else right[0]) + " right"
    missing = [what for task, what in (("attribution", "speaker"), ("stance", "stance")) if task not in attempted]
    return label + (f" ({' and '.join(missing)} not attempted)" if missing else "")


def render_not_found(doc_id: str, errors: dict) -> str:
    """The quotes given as text that are not in the article: spurious predictions with no span to draw."""
    rows = [f'<tr><td class="num">{esc(str(p["line"]))}</td><td><span class="tag t-spurious">+</span> '
            f'{esc(one_line(p["text"], SNIPPET))}</td><td>{esc(one_line(p["message"], 300))}</td>'
            f'<td>{esc(_who(p.get("speaker")))}</td><td>{esc(_who(p.get("stance")))}</td></tr>'
            for p in errors.get("spurious", []) if p.get("not_found")]
    if not rows:
        return ""
    return (f'<h3 id="{_anchor(doc_id)}-not-found">Not found in the article ({len(rows)}: spurious, not drawn)</h3>'
            '<table class="panel"><tr><th>line</th><th>submitted text</th><th>scorer</th><th>speaker</th>'
            "<th>stance</th></tr>" + "".join(rows) + "</table>")


def _legend(attempted=("attribution", "stance")) -> str:
    items = []
    for status, (label, symbol) in STATUSES.items():
        if status == "matched":
            label = matched_label(attempted)
        elif status in ("wrong-speaker", "wrong-stance") and \
                {"wrong-speaker": "attribution", "wrong-stance": "stance"}[status] not in attempted:
            continue                    # never drawn for what was not attempted
        items.append(f'<li><span class="tag t-{status}">{esc(symbol)}</span> '
                     f'<span class="m {status} l0">{esc(label)}</span></li>')
    items.append('<li><span class="m wrong-speaker wrong-stance l0">wrong speaker and wrong stance</span></li>')
    items.append('<li><span class="bp">boilerplate region (caption, widget, sidebar, ...)</span></li>')
    return '<ul class="legend">' + "".join(items) + "</ul>"


def _counts(errors: dict) -> dict[str, int]:
    matched = errors.get("matched", [])
    return {
        "matched": sum(1 for m in matched if m["speaker_correct"] is not False and m["stance_correct"] is not False),
        "wrong-speaker": len(errors.get("wrong_speaker", [])),
        "wrong-stance": len(errors.get("wrong_stance", [])),
        "missed": len(errors.get("missed", [])),
        "spurious": len(errors.get("spurious", [])),
    }


def _date_cell(d: dict) -> str:
    ok = "\u2713" if d["exact"] else "\u2717"
    return f'{ok} {esc(d["gold"] or "none")}<br><span class="pred">\u2192 {esc(_who(d["predicted"]))}</span>'


def _outlet_cell(o: dict) -> str:
    ok = "\u2713" if o["correct"] else "\u2717"
    return f'{ok} {esc(_who(o["gold"]))}<br><span class="pred">\u2192 {esc(_who(o["predicted"]))}</span>'


def render_strip(docs: list[dict], results: dict) -> str:
    """The per-document score strip ("not attempted" for a task the submission did not attempt)."""
    attempted = set(results.get("attempted", ()))

    def task_cell(task: str, value) -> str:
        return _pct(value) if task in attempted else "not attempted"

    head = ("<tr><th>document</th><th>overall</th><th>quotes P / R / F1</th><th>\u2713 matched</th>"
            "<th>S wrong speaker</th><th>\u2260 wrong stance</th><th>\u2717 missed</th><th>+ spurious</th>"
            "<th>attribution acc.</th><th>stance acc.</th><th>date gold \u2192 predicted</th>"
            "<th>outlet gold \u2192 predicted</th></tr>")
    rows = []
    for d in docs:
        doc_id = d["doc_id"]
        pd = results["per_document"][doc_id]
        ov = pd["quotes"]["overlap"]
        c = _counts(results["errors"][doc_id])
        rows.append(
            f'<tr><td><a href="#{_anchor(doc_id)}">{esc(doc_id)}</a><br><small>{esc(one_line(d.get("headline"), 70))}'
            f'</small></td><td class="num">{_pct(pd["overall"])}</td>'
            f'<td class="num">{_pct(ov["precision"])} / {_pct(ov["recall"])} / {_pct(ov["f1"])}</td>'
            + "".join(f'<td class="num c-{k}">{v}</td>' for k, v in c.items())
            + f'<td class="num">{task_cell("attribution", pd["attribution"]["accuracy"])}</td>'
            f'<td class="num">{task_cell("stance", pd["stance"]["accuracy"])}</td>'
            f"<td>{_date_cell(pd['date']) if 'date' in attempted else 'not attempted'}</td>"
            f"<td>{_outlet_cell(pd['outlet']) if 'outlet' in attempted else 'not attempted'}</td></tr>")
    return '<table class="strip">\n' + head + "\n" + "\n".join(rows) + "\n</table>"


REPORT_CSS = BASE_CSS + f"""\
body {{ max-width: 110em; }}
.legend {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3em 1.4em; line-height: 2.2; }}
.doc {{ display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.2em; align-items: start; }}
@media (max-width: 900px) {{ .doc {{ grid-template-columns: minmax(0, 1fr); }} }}
.article {{ white-space: pre-wrap; overflow-wrap: anywhere; font: 14px/2.3 Georgia, "DejaVu Serif", serif;
            border: 1px solid #ccc; padding: 0.6em 0.9em; }}
.panel {{ font-size: 0.85em; }} .panel td, .strip td {{ overflow-wrap: anywhere; }}
.strip {{ width: 100%; }} .strip a {{ white-space: nowrap; }}
.pred {{ color: #444; }} .bad {{ font-weight: bold; text-decoration: underline; }}
.meta {{ color: #333; }}
.m {{ border-radius: 1px; }}
{"".join(f".l{k} {{ padding-bottom: {1 + 4 * k}px; padding-top: {1 + 3 * k}px; }}" for k in range(MAX_LANES))}
.matched {{ border-bottom: 3px solid {OKABE_ITO['bluish_green']}; background-color: rgba(0, 158, 115, 0.13); }}
.wrong-speaker {{ border-bottom: 5px double {OKABE_ITO['blue']}; background-color: rgba(0, 114, 178, 0.12); }}
.wrong-stance {{ border-top: 3px dashed {OKABE_ITO['reddish_purple']}; background-color: rgba(204, 121, 167, 0.16); }}
.missed {{ border-bottom: 4px solid {OKABE_ITO['orange']};
          background-image: repeating-linear-gradient(135deg, rgba(230, 159, 0, 0.32) 0 3px, transparent 3px 7px); }}
.spurious {{ border-bottom: 3px dotted {OKABE_ITO['vermillion']}; background-color: rgba(213, 94, 0, 0.10); }}
.not-scored {{ border-bottom: 2px dashed #8a8a8a; }}
.bp {{ background-color: #dcdcdc; color: #333; }}
.tag {{ font: bold 10px/1 system-ui, "DejaVu Sans", sans-serif; vertical-align: super; text-decoration: none;
        padding: 0 2px; margin: 0 1px; border-radius: 3px; color: #fff; }}
.t-matched {{ background: {OKABE_ITO['bluish_green']}; }} .t-wrong-speaker {{ background: {OKABE_ITO['blue']}; }}
.t-wrong-stance {{ background: #A0457A; }} .t-missed {{ background: #A86F00; }}
.t-spurious {{ background: {OKABE_ITO['vermillion']}; }} .t-not-scored {{ background: #6b6b6b; }}
"""


def render_report(results: dict, gold_docs: list[dict], gold_quotes: list[dict], submission, title: str) -> str:
    """The whole report page from the scorer's results (with errors) and the gold rows."""
    from benchmark.scoring.reference import TRACKS

    track_types = TRACKS[results["options"]["track"]]
    by_doc: dict[str, list[dict]] = {}
    for row in gold_quotes:
        by_doc.setdefault(row["doc_id"], []).append(row)
    o = results
    iv = o["intervals"].get("overall")
    ci = f' <span class="ci">[{_pct(iv["low"])}, {_pct(iv["high"])}] 95% bootstrap over documents</span>' if iv else ""
    attempted = set(o.get("attempted", ()))

    def part(task: str, value) -> str:
        return _pct(value) if task in attempted else "not attempted"

    summary = (
        f"<p>overall <b>{_pct(o['overall'])}</b>{ci} \u00b7 quotes F1 (overlap) "
        f"{part('quotes', o['quotes']['overlap']['f1'])}"
        f" \u00b7 exact F1 {part('quotes', o['quotes']['exact']['f1'])} \u00b7 attribution F1 "
        f"{part('attribution', o['attribution']['f1'])}"
        f" \u00b7 stance macro-F1 (end to end) {part('stance', o['stance_e2e']['macro_f1'])}"
        f" \u00b7 date {part('date', o['date']['accuracy'])} \u00b7 outlet {part('outlet', o['outlet']['accuracy'])}"
        " (all in %)</p>"
        f'<p class="sig">{esc(o["signature"])}</p>')
    if o.get("not_attempted"):
        summary += (f'<p class="note">tasks not attempted: {esc(", ".join(o["not_attempted"]))} (each counts 0 in '
                    "overall)</p>")
    for w in o.get("warnings", []):
        summary += f'<p class="note">{esc(one_line(w, 300))}</p>'
    parts = [f"<h1>Error report: {esc(title)}</h1>", summary, "<h2>Legend</h2>", _legend(set(o.get("attempted", ()))),
             "<h2>Scores per document</h2>", render_strip(gold_docs, results)]
    for d in gold_docs:
        doc_id, text = d["doc_id"], d["text"]
        pred_doc = submission.documents.get(doc_id)
        predictions = [q for q in (pred_doc.quotes if pred_doc is not None and pred_doc.quotes else [])
                       if q.quote_id is None and q.start is not None]
        marks = document_marks(text, by_doc.get(doc_id, []), predictions, o["errors"][doc_id], track_types)
        pd = o["per_document"][doc_id]
        meta = (f'<p class="meta">outlet: {_outlet_cell(pd["outlet"])} \u00b7 published: {_date_cell(pd["date"])}'
                f' \u00b7 {len(marks)} marks</p>').replace("<br>", " ")
        if len(marks) > MAX_MARKS:
            meta += (f'<p class="note">only the first {MAX_MARKS} of {len(marks)} marks are drawn and listed '
                     "(the scores above count all of them)</p>")
            marks = marks[:MAX_MARKS]
        if pred_doc is None:
            meta += '<p class="note">no prediction for this document (scored as predicting nothing)</p>'
        n_by_id = sum(1 for q in (pred_doc.quotes or []) if q.quote_id is not None) if pred_doc is not None else 0
        if n_by_id:
            meta += (f'<p class="note">{n_by_id} predictions located by quote_id (gold spans given) are scored '
                     "in the gold_spans subtask and not drawn here</p>")
        article = render_article(doc_id, text, marks, d.get("boilerplate") or [])
        parts.append(
            f'<section id="{_anchor(doc_id)}"><h2>{esc(doc_id)}: {esc(one_line(d.get("headline"), 200))}</h2>'
            f'{meta}<div class="doc"><div class="article">{article}'
            f'</div><div>{render_panel(doc_id, text, marks)}</div></div>'
            f'{render_not_found(doc_id, o["errors"][doc_id])}</section>')
    return page(f"Error report: {title}", "\n".join(parts) + "\n", REPORT_CSS)


def build_report(predictions, out: str | Path, split: str = "test", track: str = "A",
                 data_dir: str | Path | None = None, n_boot: int = 1000, title: str | None = None,
                 strict: bool = False) -> dict:
    """Score `predictions` (a submission path, or a list of submission dicts) with errors and write the HTML
    report to `out`; returns the scorer's results. strict: as `benchmark.score`."""
    from benchmark.scoring import articles, load_gold, read_predictions, score

    docs, quotes, _ = load_gold(split, data_dir)
    # read against every document, as `score` does: documents of the other split are ignored, not invalid
    all_docs, all_quotes, _ = load_gold("all", data_dir)
    texts, boilerplate = articles(all_docs)
    if title is None:
        title = display_path(Path(predictions).name) if isinstance(predictions, (str, Path)) else "predictions"
    submission = read_predictions(predictions, texts, {q["quote_id"] for q in all_quotes}, boilerplate=boilerplate,
                                  strict=strict, name=title)
    results = score(submission, split=split, track=track, data_dir=data_dir, n_boot=n_boot, errors=True)
    html_text = render_report(results, docs, quotes, submission, title)
    try:
        write_atomic({out: html_text})          # never a truncated page
    except InputError as err:
        raise InputError([f"{out}: cannot write the report ({p})" for p in err.problems]) from None
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", nargs="?", help="submission file (JSONL, one object per document)")
    parser.add_argument("--baseline", metavar="NAME", default=None,
                        help="report on a baseline's predictions instead of a file (e.g. rules; see "
                             "`kremlin-reactions results`)")
    parser.add_argument("-o", "--output", default="report.html", help="HTML file to write (default: report.html)")
    scoring_options.add_arguments(parser, "split", "track", "data", "strict")
    parser.add_argument("--screenshot", metavar="PNG", default=None,
                        help="also save a PNG of the top of the page, rendered by headless Chromium")
    parser.add_argument("--screenshot-size", metavar="WxH", default="1280x1500",
                        help="window size of the screenshot (default: 1280x1500)")


# The README's screenshot is made by this command (run from the repository root):
README_SCREENSHOT_COMMAND = ("kremlin-reactions report --baseline rules -o error-report.html "
                             "--screenshot assignments/img/error-report.png")


def run(args: argparse.Namespace) -> int:
    if (args.submission is None) == (args.baseline is None):
        raise InputError("report: give either a SUBMISSION file or --baseline NAME (exactly one)")
    size = None
    if args.screenshot:
        try:
            size = tuple(int(x) for x in args.screenshot_size.lower().split("x"))
            if len(size) != 2 or min(size) <= 0:
                raise ValueError
        except ValueError:
            raise InputError(f"--screenshot-size: expected WIDTHxHEIGHT such as 1280x1500, got "
                             f"{args.screenshot_size!r}") from None
    if args.baseline is not None:
        from baselines.results import run_baselines

        predictions = run_baselines(args.split, data_dir=args.data_dir, oracles=True, names=[args.baseline])
        build_report(predictions[args.baseline], args.output, split=args.split, track=args.track,
                     data_dir=args.data_dir, title=f"baseline {args.baseline}", strict=args.strict)
    else:
        build_report(args.submission, args.output, split=args.split, track=args.track, data_dir=args.data_dir,
                     strict=args.strict)
    print(f"wrote {args.output}")
    if size is not None:
        try:
            png = screenshot(args.output, args.screenshot, *size)
        except (RuntimeError, OSError, subprocess.SubprocessError) as err:
            print(f"screenshot: {err}", file=sys.stderr)
            return 1
        print(f"wrote {png}")
    return 0

"""The pages of a leaderboard (`benchmark.reports.leaderboard.build_leaderboard`): Markdown, CSV and a static
HTML page; every string from a submission is escaped for its format."""
from __future__ import annotations

import csv
import io

from benchmark.reports.escape import csv_cell, esc, md, one_line
from benchmark.reports.page import BASE_CSS, page
from benchmark.scoring.metrics import METRICS, task_of

# (column header, results key, task that must be attempted for the number to mean anything): the registry's
# leaderboard columns, overall first
COLUMNS = tuple((m.title, m.key, task_of(m.key)) for m in sorted((m for m in METRICS.values() if m.column),
                                                                 key=lambda m: m.key != "overall"))


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _interval(iv) -> str:
    return "" if not iv else f"[{iv['low']:.2f}, {iv['high']:.2f}]"


def _short_doc(doc_id: str) -> str:
    return doc_id.split("_", 1)[0]


def _p_note(board: dict) -> str:
    n, min_p = board["n_documents"], board["min_two_sided_p"]
    text = (f"With {n} documents an exact paired randomisation test has {2 ** n} equally likely outcomes, so the "
            f"smallest possible two-sided p is {min_p:.4g}")
    if min_p > 0.05:
        text += ": p < 0.05 is impossible here, even for a system that wins every document."
        if n < 5:
            text += " (With all five documents it would still be impossible: the minimum is 0.0625.)"
    else:
        text += "."
    return (text + " The p-values and win/loss counts describe how consistent a difference is across these "
            "documents; they are not evidence of a significant difference. Intervals are 95% percentile bootstrap "
            "intervals over documents: descriptive, and wide.")


def _comparison_words(c: dict | None, board: dict) -> str:
    if c is None:
        return ("best baseline: the reference of this column" if board["best_baseline"]
                else "no baseline to compare with")
    docs = ", ".join(f"{_short_doc(d['doc_id'])} {dict(win='won', loss='lost', tie='tied')[d['result']]}"
                     for d in c["per_document"])
    return (f"{c['metric']} {c['difference']:+.3f}; exact p = {c['p_randomisation']:.4g} ({c['n_permutations']} "
            f"swaps); documents won/lost/tied {c['wins']}/{c['losses']}/{c['ties']} ({docs})")


def _extra_column(board: dict) -> list[str]:
    """The ranking metric as a column of its own when it is not one of the leaderboard's columns."""
    return [] if board["rank_by"] in {k for _, k, _ in COLUMNS} else [board["rank_by"]]


def _not_attempted(e: dict) -> str:
    missing = e.get("not_attempted") or []
    return f"not attempted: {', '.join(missing)} (each counts 0 in overall)" if missing else ""


def _best_header(board: dict) -> str:
    best = board["best_baseline"]
    return f"vs best baseline ({best}) on {board['rank_by']}" if best else "vs best baseline"


def render_markdown(board: dict) -> str:
    lines = [f"# {board['title']}", "",
             f"Split `{board['split']}` ({board['n_documents']} documents), track {board['track']}. "
             f"Signature: `{board['signature']}`", "",
             f"Ranking: {board['ranking_rule']}. {board['overall_definition']}. "
             "[low, high] = 95% bootstrap interval over documents.", ""]
    extra = _extra_column(board)
    header = ["rank", "entry", "team", *extra, *(h for h, _, _ in COLUMNS), md(_best_header(board))]

    def table(rows: list[dict], ranked: bool) -> list[str]:
        out = ["| " + " | ".join(header if ranked else header[1:]) + " |",
               "|" + "|".join(["---:"] * ranked + ["---", "---"] + ["---:"] * (len(extra) + len(COLUMNS))
                              + ["---"]) + "|"]
        for e in rows:
            cells = [str(e["rank"])] if ranked else []
            note = _not_attempted(e)
            cells += [md(e["name"], 100) + (f" (file {md(e['file'])})" if e["file"] else f" *({e['kind']})*")
                      + (f"<br>*{note}*" if note else ""),
                      md(e.get("team") or "", 100)]
            cells += [_num(e["rank_value"]) for _ in extra]
            cells += [f"{_num(e['scores'][k])} {_interval(e['intervals'][k])}".strip() for _, k, _ in COLUMNS]
            cells.append(_comparison_words(e["comparison"], board))   # only numbers and gold doc ids
            out.append("| " + " | ".join(cells) + " |")
        return out

    lines += ["## Ranking", ""]
    lines += table(board["ranked"], True) if board["ranked"] else ["No valid entries."]
    lines += ["", "## Oracle rows (read the gold quote spans: not comparable, never ranked)", ""]
    lines += table(board["oracle"], False) if board["oracle"] else ["None (baselines turned off)." if not
                                                                     board["baselines_included"] else "None."]
    lines += ["", "## Statistics", "", _p_note(board), ""]
    if board["invalid"]:
        lines += ["## Invalid entries (not ranked)", "", "| entry | file | error (first lines) |", "|---|---|---|"]
        for e in board["invalid"]:
            lines.append(f"| {md(e['name'], 100)} | {md(e['file'])} | "
                         + "<br>".join(md(p) for p in e["errors"]) + " |")
        lines.append("")
    described = [e for e in board["ranked"] + board["oracle"] if e.get("description") or e.get("link") or e.get("date")]
    if described:
        lines += ["## Entries", ""]
        for e in described:
            parts = [f"- **{md(e['name'], 100)}**"]
            if e.get("team"):
                parts.append(f" ({md(e['team'], 100)})")
            if e.get("date"):
                parts.append(f", {md(e['date'])}")
            if e.get("description"):
                parts.append(f": {md(e['description'])}")
            if e.get("link"):
                parts.append(f" [link](<{e['link']}>)")
            lines.append("".join(parts))
        lines.append("")
    if board["ignored_files"]:
        lines += ["Ignored files (neither NAME.jsonl nor NAME.meta.json): "
                  + ", ".join(md(n, 80) for n in board["ignored_files"]), ""]
    lines += [f"Generated by `kremlin-reactions leaderboard` (split {board['split']}, track {board['track']}).", ""]
    return "\n".join(lines)


def render_csv(board: dict) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    head = ["section", "rank", "rank_by", "rank_value", "id", "kind", "file", "name", "team", "date", "link"]
    for _, key, _ in COLUMNS:
        head += [key, f"{key}.low", f"{key}.high"]
    head += ["best_baseline", "difference_overall", "p_randomisation_overall", "wins", "losses", "ties", "error",
             "signature"]
    writer.writerow(head)

    def number(x) -> str:
        return "" if x is None else repr(float(x))

    for section in ("ranked", "oracle"):
        for e in board[section]:
            row = [section, e["rank"] or "", board["rank_by"], number(e["rank_value"]), csv_cell(e["id"]), e["kind"],
                   csv_cell(e["file"] or ""),
                   csv_cell(e["name"]), csv_cell(e.get("team") or ""), csv_cell(e.get("date") or ""),
                   csv_cell(e.get("link") or "")]
            for _, key, _ in COLUMNS:
                iv = e["intervals"][key] or {}
                row += [number(e["scores"][key]), number(iv.get("low")), number(iv.get("high"))]
            c = e["comparison"]
            row += [board["best_baseline"] or "", number(c["difference"]) if c else "",
                    number(c["p_randomisation"]) if c else "", c["wins"] if c else "", c["losses"] if c else "",
                    c["ties"] if c else "", "", board["signature"]]
            writer.writerow(row)
    for e in board["invalid"]:
        row = ["invalid", "", board["rank_by"], "", csv_cell(e["id"]), e["kind"], csv_cell(e["file"] or ""),
               csv_cell(e["name"]),
               csv_cell(e.get("team") or ""), csv_cell(e.get("date") or ""), csv_cell(e.get("link") or "")]
        row += [""] * (3 * len(COLUMNS) + 6) + [csv_cell(" | ".join(e["errors"])), board["signature"]]
        writer.writerow(row)
    return buf.getvalue()


LEADERBOARD_CSS = BASE_CSS + """\
td.entry small, td.cmp small { color: #444; }
.rank { font-weight: bold; }
.invalid td { background: #fff6f0; }
.err { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.85em; white-space: pre-wrap;
       overflow-wrap: anywhere; margin: 0; }
.win { color: #006a4e; font-weight: bold; } .loss { color: #a33a00; font-weight: bold; }
"""


def _html_entry_cell(e: dict) -> str:
    out = f"<b>{esc(one_line(e['name']))}</b>"
    if not e["file"]:
        out += f" <small>({esc(e['kind'])})</small>"
    if e.get("team"):
        out += f"<br><small>team: {esc(one_line(e['team']))}</small>"
    if e["file"]:
        out += f"<br><small>file: <code>{esc(one_line(e['file']))}</code></small>"
    if e.get("date"):
        out += f"<br><small>date: {esc(e['date'])}</small>"
    if e.get("link"):
        out += f'<br><small><a href="{esc(e["link"])}" rel="nofollow noopener noreferrer">{esc(e["link"])}</a></small>'
    if e.get("description"):
        out += f"<br><small>{esc(one_line(e['description']))}</small>"
    if _not_attempted(e):
        out += f"<br><small><i>{esc(_not_attempted(e))}</i></small>"
    return out


_RESULT_SYMBOL = {"win": "\u25b2\u00a0won", "loss": "\u25bc\u00a0lost", "tie": "=\u00a0tied"}


def _html_comparison(c: dict | None, board: dict) -> str:
    if c is None:
        return esc(_comparison_words(None, board))
    marks = " ".join(
        f'<span class="{d["result"]}" title="{esc(d["doc_id"])}: {_num(d["value"])} vs {_num(d["best_baseline"])}">'
        f'{esc(_short_doc(d["doc_id"]))}&nbsp;{_RESULT_SYMBOL[d["result"]]}</span>'
        for d in c["per_document"])
    return (f"\u0394 {esc(c['metric'])} {c['difference']:+.3f}<br>exact p = {c['p_randomisation']:.4g} "
            f"<small>({c['n_permutations']} swaps)</small><br>won/lost/tied {c['wins']}/{c['losses']}/{c['ties']}"
            f"<br><small>{marks}</small>")


def _html_table(rows: list[dict], board: dict, ranked: bool) -> str:
    extra = _extra_column(board)
    head = (["rank"] if ranked else []) + ["entry"] + extra + [h for h, _, _ in COLUMNS] + [_best_header(board)]
    out = ["<table>", "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"]
    for e in rows:
        cells = [f'<td class="num rank">{e["rank"]}</td>'] if ranked else []
        cells.append(f'<td class="entry">{_html_entry_cell(e)}</td>')
        cells += [f'<td class="num">{_num(e["rank_value"])}</td>' for _ in extra]
        for _, key, _ in COLUMNS:
            iv = _interval(e["intervals"][key])
            cells.append(f'<td class="num">{_num(e["scores"][key])}'
                         + (f'<br><span class="ci">{iv}</span>' if iv else "") + "</td>")
        cells.append(f'<td class="cmp">{_html_comparison(e["comparison"], board)}</td>')
        out.append(f'<tr class="{e["kind"]}">' + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def render_html(board: dict) -> str:
    parts = [f"<h1>{esc(board['title'])}</h1>",
             f"<p>Split <b>{esc(board['split'])}</b> ({board['n_documents']} documents), track "
             f"{esc(board['track'])}.<br>Signature: <span class=\"sig\">{esc(board['signature'])}</span></p>",
             f"<p>Ranking: {esc(board['ranking_rule'])}. {esc(board['overall_definition'])}. "
             "[low, high] = 95% bootstrap interval over documents.</p>",
             f'<p class="note">{esc(_p_note(board))}</p>',
             "<h2>Ranking</h2>",
             _html_table(board["ranked"], board, True) if board["ranked"] else "<p>No valid entries.</p>",
             "<h2>Oracle rows (read the gold quote spans: not comparable, never ranked)</h2>",
             _html_table(board["oracle"], board, False) if board["oracle"] else "<p>None.</p>"]
    if board["invalid"]:
        rows = "".join(
            f'<tr class="invalid"><td><b>{esc(one_line(e["name"]))}</b></td>'
            f'<td><code>{esc(one_line(e["file"]))}</code></td>'
            f'<td><pre class="err">{esc(chr(10).join(e["errors"]))}</pre></td></tr>' for e in board["invalid"])
        parts += ["<h2>Invalid entries (not ranked)</h2>",
                  f"<table><tr><th>entry</th><th>file</th><th>error (first lines)</th></tr>{rows}</table>"]
    if board["ignored_files"]:
        parts.append("<p><small>Ignored files (neither NAME.jsonl nor NAME.meta.json): "
                     + ", ".join(f"<code>{esc(one_line(n, 80))}</code>" for n in board["ignored_files"])
                     + "</small></p>")
    parts.append("<p><small>Generated by <code>kremlin-reactions leaderboard</code>.</small></p>")
    return page(board["title"], "\n".join(parts) + "\n", LEADERBOARD_CSS)



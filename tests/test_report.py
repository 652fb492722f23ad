"""The HTML error report: segment geometry (hand-computed), page structure, counts equal to the scorer's, escaping."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from report_inputs import (
    IMG_PAYLOAD,
    SCRIPT_PAYLOAD,
    expected_counts,
    gold_rows,
    gold_submission,
    hostile_submission,
    parse,
    status_counts,
    write_jsonl,
)

from benchmark.cli import main
from benchmark.reports.error_report import STATUSES, assign_lanes, build_report, segments

# ---------------------------------------------------------------------------------------------------------------
# geometry, against hand-computed cases

def test_segments_overlapping_and_nested():
    # text of 12 chars; A = [2, 8), B = [4, 10) overlaps A, C = [5, 6) nested in both
    assert segments(12, [(2, 8), (4, 10), (5, 6)]) == [
        (0, 2, []), (2, 4, [0]), (4, 5, [0, 1]), (5, 6, [0, 1, 2]), (6, 8, [0, 1]), (8, 10, [1]), (10, 12, [])]


def test_segments_adjacent_identical_empty_and_clipped():
    assert segments(6, [(0, 3), (3, 6)]) == [(0, 3, [0]), (3, 6, [1])]
    assert segments(5, [(1, 3), (1, 3)]) == [(0, 1, []), (1, 3, [0, 1]), (3, 5, [])]
    assert segments(5, [(2, 2)]) == [(0, 5, [])]                  # an empty span covers nothing
    assert segments(5, [(-3, 2), (4, 99)]) == [(0, 2, [0]), (2, 4, []), (4, 5, [1])]
    assert segments(0, []) == []


def test_segments_cover_the_text_exactly_once():
    spans = [(0, 7), (3, 4), (3, 9), (8, 20), (15, 16), (19, 20)]
    pieces = segments(20, spans)
    assert [a for a, _, _ in pieces] == sorted({0, 3, 4, 7, 8, 9, 15, 16, 19})
    assert pieces[-1][1] == 20 and all(b == c for (_, b, _), (c, _, _) in zip(pieces, pieces[1:]))
    for a, b, covering in pieces:
        assert covering == [k for k, (s, e) in enumerate(spans) if s <= a and b <= e]


def test_lanes_never_shared_by_overlapping_spans():
    assert assign_lanes([(0, 10), (2, 4), (5, 8), (9, 12), (12, 13)]) == [0, 1, 1, 1, 0]
    assert assign_lanes([(0, 5), (0, 5), (0, 5)]) == [0, 1, 2]
    assert assign_lanes([]) == []


# ---------------------------------------------------------------------------------------------------------------
# the page

@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    sub = write_jsonl(folder / "hostile.jsonl", hostile_submission())
    out = folder / "report.html"
    results = build_report(sub, out, n_boot=50)
    return results, out.read_text(encoding="utf-8")


def test_marks_match_the_scorers_counts(hostile_report):
    results, html_text = hostile_report
    page = parse(html_text)
    counts = status_counts(page)
    docs, _ = gold_rows()
    total = Counter()
    for d in docs:
        expected = expected_counts(results["errors"][d["doc_id"]])
        got = counts.get(f"doc-{d['doc_id']}", Counter())
        assert {k: got[k] for k in expected} == dict(expected), d["doc_id"]
        total += expected
    # the hostile submission really exercises every status, and the totals are the scorer's headline counts
    assert all(total[s] > 0 for s in ("matched", "wrong-speaker", "wrong-stance", "missed", "spurious")), total
    assert total["missed"] == results["quotes"]["overlap"]["n_gold"] - results["quotes"]["overlap"]["tp"]
    assert total["spurious"] == results["quotes"]["overlap"]["n_pred"] - results["quotes"]["overlap"]["tp"]
    matched_pairs = sum(len(results["errors"][d["doc_id"]]["matched"]) for d in docs)
    assert matched_pairs == results["quotes"]["overlap"]["tp"]


def test_article_text_is_rendered_once_and_unchanged(hostile_report):
    _, html_text = hostile_report
    page = parse(html_text)
    docs, _ = gold_rows()
    for d in docs:
        assert "".join(page.articles[f"doc-{d['doc_id']}"]) == d["text"]


def test_structure_legend_strip_boilerplate_and_no_external_resources(hostile_report):
    _, html_text = hostile_report
    page = parse(html_text)
    docs, _ = gold_rows()
    assert page.elements["script"] == 0 and page.elements["img"] == 0 and page.elements["iframe"] == 0
    assert page.srcs == []
    assert all(h.startswith("#") for h in page.hrefs)                  # only in-page links
    assert "Content-Security-Policy" in html_text and "default-src 'none'" in html_text
    assert page.elements["section"] == len(docs)
    legend = re.search(r'<ul class="legend">(.*?)</ul>', html_text, re.S).group(1)
    for label, _ in STATUSES.values():
        assert label in legend
    strip = re.search(r'<table class="strip">(.*?)</table>', html_text, re.S).group(1)
    assert strip.count("<tr>") == len(docs) + 1
    n_regions = sum(len(d["boilerplate"] or []) for d in docs)
    assert n_regions > 0 and page.bp_fragments >= n_regions
    # every status differs from every other in more than colour: its CSS with the colours removed is unique
    styles = {s: re.search(rf"\.{s} {{([^}}]*)}}", html_text).group(1) for s in STATUSES}
    shapes = {s: re.sub(r"#[0-9A-Fa-f]{6}|rgba\([^)]*\)|\s+", "", css) for s, css in styles.items()}
    assert len(set(shapes.values())) == len(STATUSES), shapes
    assert all(re.search(r"border-(?:bottom|top):\d+px(?:solid|double|dashed|dotted)", v) for v in shapes.values())


def test_submission_strings_are_escaped(hostile_report):
    _, html_text = hostile_report
    assert SCRIPT_PAYLOAD not in html_text and IMG_PAYLOAD not in html_text
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in html_text
    assert "&lt;img src=x onerror=&quot;document.title=&#x27;PWNED&#x27;&quot;&gt;" in html_text
    assert parse(html_text).title == "Error report: hostile.jsonl"


def test_hover_titles_show_gold_and_predicted_speaker_and_stance(hostile_report):
    results, html_text = hostile_report
    wrong = next(e for d in results["errors"].values() for e in d["wrong_speaker"])
    m = re.search(r'class="m wrong-speaker[^"]*" data-m="\d+" title="([^"]*)"', html_text)
    assert m, "no wrong-speaker mark"
    title = m.group(1)
    assert "gold: " in title and "predicted (line" in title and "stance" in title
    assert any(e["gold"] in html_text for d in results["errors"].values() for e in d["wrong_speaker"])
    assert wrong["quote_id"]


def test_perfect_submission_only_matched(tmp_path):
    sub = write_jsonl(tmp_path / "gold.jsonl", gold_submission())
    results = build_report(sub, tmp_path / "r.html", n_boot=20)
    counts = sum(status_counts(parse((tmp_path / "r.html").read_text(encoding="utf-8"))).values(), Counter())
    assert results["overall"] == pytest.approx(1.0)
    assert counts["matched"] == results["quotes"]["overlap"]["n_gold"] > 0
    assert counts["missed"] == counts["spurious"] == counts["wrong-speaker"] == counts["wrong-stance"] == 0


def test_cli_report_exit_codes(tmp_path, capsys):
    sub = write_jsonl(tmp_path / "s.jsonl", gold_submission())
    assert main(["report", str(sub), "-o", str(tmp_path / "out.html")]) == 0
    assert (tmp_path / "out.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "nope"}\n', encoding="utf-8")
    assert main(["report", str(bad), "-o", str(tmp_path / "bad.html")]) == 2
    assert "bad.jsonl:1: doc_id" in capsys.readouterr().err
    assert not (tmp_path / "bad.html").exists()
    assert main(["report", "-o", str(tmp_path / "x.html")]) == 2        # neither a file nor --baseline


def test_report_is_deterministic(tmp_path):
    sub = write_jsonl(tmp_path / "h.jsonl", hostile_submission())
    build_report(sub, tmp_path / "a.html", n_boot=30)
    build_report(sub, tmp_path / "b.html", n_boot=30)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_hostile_volume_is_capped(tmp_path):
    """Thousands of overlapping predictions: lanes in n log n, at most MAX_MARKS marks drawn, nesting capped."""
    from benchmark.reports.error_report import MAX_MARKS, MAX_NESTED

    sub = gold_submission()
    text_length = len(gold_rows()[0][0]["text"])
    sub[0]["quotes"] = [{"start": i % (text_length - 400), "end": i % (text_length - 400) + 300}
                        for i in range(3000)]
    path = write_jsonl(tmp_path / "many.jsonl", sub)
    build_report(path, tmp_path / "many.html", n_boot=10)
    html_text = (tmp_path / "many.html").read_text(encoding="utf-8")
    page = parse(html_text)
    assert f"only the first {MAX_MARKS} of" in html_text
    assert len({n for (section, n) in page.marks if section == f"doc-{sub[0]['doc_id']}"}) <= MAX_MARKS
    assert max(len(m) for m in re.findall(r'(?:<span class="m [^>]*>)+', html_text)) < 400 * MAX_NESTED
    assert len(html_text) < 20_000_000


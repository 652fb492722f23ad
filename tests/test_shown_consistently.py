"""What the outputs show agrees with what a submission attempted: a span-only submission is never called right or
wrong on speakers and stances, an overall of 0 says which tasks were not attempted, per-document tables say "not
attempted", documents of the other split are not reported missing, and quotes not found are listed."""
from __future__ import annotations

import benchmark
from benchmark.dataset import read_rows
from benchmark.reports import text as render
from benchmark.reports.error_report import build_report, matched_label


def spans_only() -> list[dict]:
    quotes = read_rows("quotes", "test")
    return [{"doc_id": d["doc_id"], "quotes": [{"start": q["start"], "end": q["end"]} for q in quotes
                                                if q["doc_id"] == d["doc_id"] and q["type"] in ("direct", "partial")]}
            for d in read_rows("documents", "test")]


def test_overall_of_a_quotes_only_file_says_what_was_not_attempted():
    r = benchmark.score(spans_only(), n_boot=0)
    assert r["overall"] == 0.0 and r["quotes"]["overlap"]["f1"] == 1.0
    rows = {row[0]: row for row in render.summary_rows(r)}
    assert rows["OVERALL"][2] == "0.000 (attribution, stance, date, outlet not attempted: each counts 0)"
    assert "0.000 (attribution, stance, date, outlet not attempted" in render.markdown(r)
    full = benchmark.score(spans_only()[:1] + [{"doc_id": d["doc_id"], "outlet": None, "published": None}
                                               for d in read_rows("documents", "test")[1:]], n_boot=0)
    assert render.overall_note(full) == " (attribution, stance not attempted: each counts 0)"


def test_per_document_tables_say_not_attempted_rather_than_wrong():
    r = benchmark.score(spans_only(), n_boot=0)
    header, *rows = render.per_document_rows(r)
    assert header[3:7] == ("attribution F1", "stance macro-F1 (end to end)", "date accuracy", "outlet accuracy")
    for row in rows:
        assert row[1:3] == ("1.000", "1.000")
        assert row[3:7] == ("not attempted",) * 4 and "wrong" not in row
    dated = [dict(p, published="2024-11-06") for p in spans_only()]
    _, *rows = render.per_document_rows(benchmark.score(dated, n_boot=0))
    assert all(row[5] in ("right", "wrong") and row[6] == "not attempted" for row in rows)


def test_a_span_only_report_does_not_draw_speaker_and_stance_right(tmp_path):
    out = tmp_path / "r.html"
    build_report(spans_only(), out, n_boot=0)
    html = out.read_text(encoding="utf-8")
    assert "speaker and stance right" not in html
    assert "matched: span right (speaker and stance not attempted)" in html
    assert "attribution F1 not attempted" in html and "wrong speaker (span matched)" not in html
    assert matched_label({"attribution", "stance"}) == "matched: span, speaker and stance right"
    assert matched_label({"attribution"}) == "matched: span and speaker right (stance not attempted)"


def test_the_report_lists_quotes_not_found_beside_the_article(tmp_path):
    doc_id = "003_847f753f01714433"
    out = tmp_path / "r.html"
    r = build_report([{"doc_id": doc_id, "quotes": [{"text": "historic low"},
                                                    {"text": "We will never <b>accept</b> this deal with Washington"}]}],
                     out, n_boot=0)
    html = out.read_text(encoding="utf-8")
    assert r["quotes"]["not_found"] == 1
    assert "Not found in the article (1: spurious, not drawn)" in html
    assert "We will never &lt;b&gt;accept&lt;/b&gt; this deal with Washington" in html and "<b>accept" not in html
    assert "not found in the article; closest: &#x27;" in html or "not found in the article; no similar passage" in html


def test_a_file_of_the_other_split_is_not_reported_document_by_document():
    train = read_rows("documents", "train")
    r = benchmark.score([{"doc_id": d["doc_id"], "outlet": None} for d in train], split="test", n_boot=0)
    assert r["warnings"] == [
        "none of the 3 documents of split 'test' is predicted: the submission's 2 documents are all of another "
        "split (score it with --split all, or the split of its documents)"]
    both = benchmark.score([{"doc_id": d["doc_id"], "outlet": None} for d in read_rows("documents", "all")],
                           split="test", n_boot=0)
    assert both["warnings"] == ["2 predicted documents are not in split 'test' and were ignored"]
    test_only = benchmark.score([{"doc_id": d["doc_id"]} for d in read_rows("documents", "test")], n_boot=0)
    assert test_only["warnings"] == [] and test_only["missing_documents"] == []

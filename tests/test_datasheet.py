"""DATASHEET.md stays true: its count tables equal `kremlin-reactions stats`, its provenance table equals the data."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmark.corpus.stats import folder_stats, stats_markdown
from benchmark.dataset import read_rows

DATASHEET = Path(__file__).resolve().parents[1] / "DATASHEET.md"
SECTIONS = ("Motivation", "Composition", "Collection process", "Preprocessing, cleaning, labeling", "Uses",
            "Distribution", "Maintenance")


def block(text: str, name: str) -> str:
    match = re.search(rf"<!-- {re.escape(name)} -->\n(.*?)\n<!-- /", text, re.S)
    assert match, f"DATASHEET.md: no <!-- {name} --> block"
    return match.group(1).strip()


def test_datasheet_has_the_seven_sections_and_the_agreement_section():
    headings = re.findall(r"^## \d\. (.+)$", DATASHEET.read_text(encoding="utf-8"), re.M)
    assert tuple(headings) == SECTIONS
    assert "### Annotation process and agreement" in DATASHEET.read_text(encoding="utf-8")


@pytest.mark.parametrize("table", ["split_overview_table", "split_table", "document_table", "stance_table"])
def test_datasheet_counts_equal_kremlin_reactions_stats(table):
    expected = stats_markdown(folder_stats())[table]
    assert block(DATASHEET.read_text(encoding="utf-8"), f"stats:{table}") == expected, (
        f"DATASHEET.md: the {table} block is stale: paste it from `kremlin-reactions stats`")


def test_datasheet_provenance_matches_the_documents():
    lines = block(DATASHEET.read_text(encoding="utf-8"), "provenance").splitlines()[2:]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    documents = {d["doc_id"]: d for d in read_rows("documents")}
    listed = [row[0].strip("`") for row in cells]
    assert listed == sorted(documents), (
        f"DATASHEET.md: the provenance table (written by hand) needs one row per document: add "
        f"{sorted(set(documents) - set(listed))}, remove {sorted(set(listed) - set(documents))}")
    for doc_id, outlet, byline, published, date_evidence, outlet_evidence, url in cells:
        d = documents[doc_id.strip("`")]
        assert outlet.startswith(d["outlet"]), doc_id
        assert byline == (", ".join(d["authors"]) or "none"), doc_id
        assert published == d["published"].isoformat(), doc_id
        assert date_evidence.split(" ")[0] == d["date_evidence"], doc_id
        assert outlet_evidence.split(" ")[0] == d["outlet_evidence"], doc_id
        assert url == d["url"], doc_id


def _agreement_rows(markdown: str) -> dict[str, list[str]]:
    """Rows of a pooled agreement table keyed by track letter (A, B, all), cells stripped."""
    rows = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].split(" ")[0] in ("A", "B", "all") and len(cells) >= 7:
            rows[cells[0].split(" ")[0]] = cells
    return rows


@pytest.mark.parametrize("path", ["DATASHEET.md", "annotations/ADJUDICATION.md"])
def test_agreement_figures_equal_the_agreement_command(path):
    """The pooled agreement tables are produced by `kremlin-reactions agreement annotations/passes/a
    annotations/passes/b --markdown`; recompute and compare every number."""
    from benchmark.corpus.agreement import agreement

    root = Path(__file__).resolve().parents[1]
    result = agreement(root / "annotations/passes/a", root / "annotations/passes/b")
    rows = _agreement_rows((root / path).read_text(encoding="utf-8"))
    assert set(rows) == {"A", "B", "all"}, f"{path}: pooled agreement table not found"
    for track, cells in rows.items():
        m = result["tracks"][track]["pooled"]
        text = " ".join(cells)
        assert f"| {m['n_a']} |" in "| " + " | ".join(cells) + " |" and f"| {m['n_b']} |" in "| " + " | ".join(cells) + " |"
        for value in (m["exact"]["f1"], m["overlap"]["f1"], m["stance"]["kappa"]):
            assert f"{value:.3f}" in text, f"{path}: track {track}: {value:.3f} missing from {cells}"
        for key in ("speaker", "stance"):
            assert f"{m[key]['agree']}/{m[key]['pairs']}" in text, f"{path}: track {track}: {key} count stale"
    assert len(result["disagreements"]) == 11


def test_stats_tables_keep_a_cell_from_the_gold_in_its_cell():
    """An outlet such as 'Pipe | Co <b>x</b>' neither splits its cell nor opens HTML in the card and DATASHEET."""
    from benchmark.corpus.stats import _table

    table = _table(["outlet", "n"], [["Pipe | Co <b>x</b>", "two\nlines"]])
    assert table.splitlines()[2] == "| Pipe \\| Co &lt;b>x&lt;/b> | two lines |"

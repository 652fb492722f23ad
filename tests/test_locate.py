"""`benchmark.corpus.locate`: exact offsets of text the annotator chose; errors when missing or ambiguous."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.corpus.locate import find_all, find_all_any_whitespace, locate

FIXTURE = Path(__file__).parent / "fixtures" / "annotations_small"
TEXT = "He said “yes”.\nShe said\n“no”, and he said “yes” again."


def test_locate_unique_returns_python_str_offsets():
    start, end = locate(TEXT, "“no”")
    assert (start, end) == (24, 28)
    assert TEXT[start:end] == "“no”"


def test_locate_counts_code_points_not_bytes():
    text = "Привет “мир” ok"
    start, end = locate(text, "ok")
    assert (start, end) == (13, 15)  # 13 code points before; the UTF-8 byte offset would be 23


def test_locate_ambiguous_needs_occurrence():
    with pytest.raises(ValueError, match="occurs 2 times"):
        locate(TEXT, "yes")
    assert locate(TEXT, "yes", occurrence=1) == (9, 12)
    assert locate(TEXT, "yes", occurrence=2) == (TEXT.rindex("yes"), TEXT.rindex("yes") + 3)


def test_locate_errors():
    with pytest.raises(ValueError, match="not found"):
        locate(TEXT, "maybe")
    with pytest.raises(ValueError, match="occurrence 3 requested"):
        locate(TEXT, "yes", occurrence=3)
    with pytest.raises(ValueError, match="not found"):
        locate(TEXT, "")


def test_find_all_includes_overlapping_occurrences():
    assert find_all("aaaa", "aa") == [(0, 2), (1, 3), (2, 4)]


def test_any_whitespace_matches_line_breaks_but_nothing_else():
    assert find_all(TEXT, "She said “no”") == []
    spans = find_all_any_whitespace(TEXT, "She said “no”")
    assert [TEXT[s:e] for s, e in spans] == ["She said\n“no”"]
    assert find_all_any_whitespace(TEXT, 'She said "no"') == []  # quote marks are not folded
    with pytest.raises(ValueError, match="different whitespace"):
        locate(TEXT, "She said “no”")
    assert locate(TEXT, "She  said “no”", any_whitespace=True) == spans[0]


def test_cli_prints_span_json(capsys):
    rc = main(["locate", "900_bridge", "could still double", "--annotations", str(FIXTURE), "--any-whitespace"])
    out, err = capsys.readouterr()
    assert rc == 0
    span = json.loads(out)
    text = (FIXTURE / "documents" / "900_bridge.txt").read_text(encoding="utf-8")
    assert text[span["start"]:span["end"]] == span["text"] == "could still\ndouble"
    assert "occurrence 1 of 1" in err


def test_cli_accepts_unique_doc_id_prefix_and_occurrence(capsys):
    rc = main(["locate", "900", "Doe", "--occurrence", "3", "--annotations", str(FIXTURE)])
    out, err = capsys.readouterr()
    assert rc == 0
    text = (FIXTURE / "documents" / "900_bridge.txt").read_text(encoding="utf-8")
    span = json.loads(out)
    assert span["start"] == [i for i in range(len(text)) if text.startswith("Doe", i)][2]
    assert "occurrence 3 of 3" in err


@pytest.mark.parametrize("argv, expected", [
    (["900_bridge", "Doe"], "occurs 3 times"),
    (["900_bridge", "not in the text"], "not found"),
    (["900_bridge", "could still double"], "different whitespace"),
    (["9", "Doe"], "matches several documents"),
    (["123_missing", "Doe"], "no document '123_missing'"),
])
def test_cli_errors_exit_2_without_traceback(capsys, argv, expected):
    rc = main(["locate", *argv, "--annotations", str(FIXTURE)])
    out, err = capsys.readouterr()
    assert rc == 2
    assert out == ""
    assert expected in err
    assert "Traceback" not in err


def test_cli_pass_folder_reads_shared_documents(capsys):
    rc = main(["locate", "901_rain", "rain is likely", "--annotations", str(FIXTURE / "passes" / "a")])
    assert rc == 0
    assert json.loads(capsys.readouterr().out)["text"] == "rain is likely"

"""`kremlin-reactions add-article`: the text copied byte for byte, a skeleton the validator guides you through,
and refusals that write nothing."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from new_article import DOC_ID, TEXT, fill_gold

from benchmark.cli import main
from benchmark.corpus.add_article import add_article, skeleton
from benchmark.corpus.validate import validate
from benchmark.errors import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "annotations_small"


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "annotations"
    shutil.copytree(FIXTURE, target)
    return target


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_add_article_copies_the_text_and_writes_a_skeleton(folder, capsys):
    assert main(["add-article", str(TEXT), "--split", "private", "--annotations", str(folder)]) == 0
    out = capsys.readouterr().out
    text_path, gold_path = folder / "documents" / f"{DOC_ID}.txt", folder / "gold" / f"{DOC_ID}.json"
    assert text_path.read_bytes() == TEXT.read_bytes()
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    assert gold == skeleton(DOC_ID, hashlib.sha256(TEXT.read_bytes()).hexdigest(), "private")
    assert gold == {"doc_id": DOC_ID, "text_sha256": hashlib.sha256(TEXT.read_bytes()).hexdigest(),
                    "metadata": {"split": "private"}, "boilerplate": [], "quotes": []}
    assert f"added {DOC_ID} (split private)" in out
    for step in (f"kremlin-reactions validate {folder}", f"kremlin-reactions locate {DOC_ID}",
                 f"kremlin-reactions build --annotations {folder} --out DATA_DIR"):
        assert step in out, step


def test_the_validator_then_says_what_each_missing_field_needs(folder, capsys):
    add_article(TEXT, "private", annotations=folder)
    result = validate(folder)
    assert not result.ok
    gold_path = folder / "gold" / f"{DOC_ID}.json"
    mine = [line for line in result.problems if line.startswith(str(gold_path))]
    assert mine == result.problems                          # only the new article has problems
    fields = ["headline", "authors", "outlet", "outlet_aliases", "outlet_evidence", "published", "date_evidence", "url"]
    assert [line.split(": ")[2] for line in mine] == fields
    assert all(line.split(": ", 4)[3].startswith("missing required field") and len(line.split(": ")) >= 5
               for line in mine), mine                       # every line says what to write
    assert f"{gold_path}:4: metadata: published: missing required field: the publication date YYYY-MM-DD" in mine
    assert any("no quotes annotated yet" in w for w in result.warnings)
    fill_gold(folder)
    result = validate(folder)
    assert result.ok, result.problems
    assert result.counts["splits"] == {"test": 2, "private": 1} and result.warnings == []


def test_default_doc_id_is_the_stem_and_doc_id_overrides_it(folder, tmp_path):
    text_path, gold_path = add_article(TEXT, "test", annotations=folder)
    assert text_path.stem == gold_path.stem == TEXT.stem
    other = tmp_path / "other article.txt"
    other.write_bytes(TEXT.read_bytes() + b"\nA second edition.\n")
    with pytest.raises(InputError, match="the file name's stem; choose one with --doc-id"):
        add_article(other, "test", annotations=folder)
    text_path, _ = add_article(other, "test", doc_id="951_second", annotations=folder)
    assert text_path == folder / "documents" / "951_second.txt" and text_path.read_bytes() == other.read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--split", "Private"], "--split: 'Private' is not a split name"),
    (["--split", "all"], "--split: 'all' is reserved"),
    (["--split", "private", "--doc-id", "a-b"], "--doc-id: 'a-b' is not a document id"),
    (["--split", "private", "--doc-id", "900_bridge"], "--doc-id: '900_bridge' is already used"),
])
def test_refusals_write_nothing(folder, capsys, args, message):
    before = snapshot(folder)
    assert main(["add-article", str(TEXT), *args, "--annotations", str(folder)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert snapshot(folder) == before


def test_refuses_a_text_already_in_the_folder_or_not_utf8_or_empty(folder, tmp_path, capsys):
    before = snapshot(folder)
    copy = tmp_path / "copy.txt"
    copy.write_bytes((folder / "documents" / "900_bridge.txt").read_bytes())
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("First line\nCaf\u00e9 society\n".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b" \n")
    big = tmp_path / "big.txt"                               # what validate would refuse later is refused now
    big.write_bytes(b"a" * (16 * 1024 * 1024 + 1))
    for path, message in ((copy, "the same bytes are already in the folder as"),
                          (latin1, f"{latin1}:2: text: not valid UTF-8 (byte 0xe9"),
                          (empty, f"{empty}:1: text: empty"),
                          (tmp_path / "missing.txt", "cannot read"),
                          (Path("/dev/zero"), "/dev/zero: file: is a character device, not a regular file"),
                          (big, f"{big}: file: {big.stat().st_size} bytes, over the cap of 16 MiB")):
        assert main(["add-article", str(path), "--split", "private", "--annotations", str(folder)]) == 2
        assert message in capsys.readouterr().err, message
    assert snapshot(folder) == before


def test_refuses_a_pass_folder_and_a_missing_folder(folder, tmp_path):
    with pytest.raises(InputError, match="is an annotation pass"):
        add_article(TEXT, "private", annotations=folder / "passes" / "a")
    with pytest.raises(InputError, match="not a folder"):
        add_article(TEXT, "private", annotations=tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()

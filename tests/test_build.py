"""`kremlin-reactions build`: determinism, refusal of invalid gold, the sync check, the card and croissant.json.

Everything here runs on a small made-up fixture (tests/fixtures/dataset_annotations) built into tmp folders;
tests of the committed benchmark/data/ folder are in test_dataset.py.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")      # before anything imports datasets
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from benchmark import DATA_DIR, DATA_VERSION, cli
from benchmark.corpus.annotations import annotations_fingerprint
from benchmark.corpus.build import (
    CARD_TEMPLATE,
    PARQUET_OPTIONS,
    build,
    card_sections,
    check,
    compare_folders,
    features,
    write_folder,
)
from benchmark.dataset import available_splits, read_rows
from benchmark.errors import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "dataset_annotations"


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def front_matter(card: str) -> dict:
    return yaml.safe_load(card.split("---\n", 2)[1])


def type_name(feature) -> str:
    """How the card's column tables write a feature's type."""
    from datasets import ClassLabel, List, Value

    if isinstance(feature, ClassLabel):
        return f"ClassLabel({', '.join(feature.names)})"
    if isinstance(feature, List):
        inner = feature.feature
        if isinstance(inner, dict):
            return "list[{" + ", ".join(f"{k}: {type_name(v)}" for k, v in inner.items()) + "}]"
        return f"list[{type_name(inner)}]"
    assert isinstance(feature, Value)
    return feature.dtype


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "data"
    build(FIXTURE, out)
    return out


@pytest.fixture
def annotations_copy(tmp_path) -> Path:
    target = tmp_path / "annotations"
    shutil.copytree(FIXTURE, target)
    return target


def edit_gold(annotations: Path, doc_id: str, change) -> None:
    path = annotations / "gold" / f"{doc_id}.json"
    gold = json.loads(path.read_text(encoding="utf-8"))
    change(gold)
    path.write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------- files and determinism
def test_build_writes_every_config_and_split(built):
    assert sorted(digests(built)) == [
        "README.md", "croissant.json", "documents/test.parquet", "documents/train.parquet", "files.sha256",
        "gold_fingerprint.txt", "quotes/test.parquet", "quotes/train.parquet", "speakers/train.parquet",
    ]
    assert (built / "gold_fingerprint.txt").read_text() == annotations_fingerprint(FIXTURE) + "\n"


def test_build_is_byte_identical_on_rebuild(built, tmp_path):
    first = digests(built)
    report = build(FIXTURE, tmp_path / "again")
    assert digests(tmp_path / "again") == first
    assert report.files == {rel: digest for rel, digest in first.items()}
    build(FIXTURE, built)                              # rebuilding in place changes nothing either
    assert digests(built) == first


def test_parquet_stores_plain_strings_dates_and_int32(built):
    schema = pq.read_schema(built / "quotes" / "train.parquet")
    assert schema.field("stance").type == pa.string() and schema.field("type").type == pa.string()
    assert schema.field("start").type == pa.int32() and schema.field("speaker_end").type == pa.int32()
    assert schema.field("speaker_aliases").type == pa.list_(pa.string())
    assert b"huggingface" not in (schema.metadata or {})          # types are declared in the card, not here
    docs = pq.read_schema(built / "documents" / "train.parquet")
    assert docs.field("published").type == pa.date32()
    assert docs.field("boilerplate").type == pa.list_(
        pa.struct([("start", pa.int32()), ("end", pa.int32()), ("kind", pa.string())]))
    meta = pq.ParquetFile(built / "quotes" / "train.parquet").metadata
    assert meta.row_group(0).column(0).compression.lower() == PARQUET_OPTIONS["compression"]


def test_rows_follow_the_gold(built):
    gold = json.loads((FIXTURE / "gold" / "900_aaaaaaaaaaaaaaaa.json").read_text(encoding="utf-8"))
    text = (FIXTURE / "documents" / "900_aaaaaaaaaaaaaaaa.txt").read_text(encoding="utf-8")
    rows = {r["quote_id"]: r for r in read_rows("quotes", "train", built)}
    assert set(rows) == {f"900_aaaaaaaaaaaaaaaa-{q['id']}" for q in gold["quotes"]}
    starts = [r["start"] for r in read_rows("quotes", "train", built)]
    assert starts == sorted(starts)                                 # text order
    for q in gold["quotes"]:
        row = rows[f"900_aaaaaaaaaaaaaaaa-{q['id']}"]
        assert text[row["start"]:row["end"]] == row["text"] == q["text"]   # offsets are code points, not bytes
        assert (row["type"], row["stance"], row["speaker_id"]) == (q["type"], q["stance"], q["speaker"])
    nested = rows["900_aaaaaaaaaaaaaaaa-q06"]
    assert nested["nested_in"] == "900_aaaaaaaaaaaaaaaa-q05" and nested["speaker"] == "Vladimir Putin"
    no_cue = {r["quote_id"]: r for r in read_rows("quotes", "test", built)}["901_bbbbbbbbbbbbbbbb-q03"]
    assert no_cue["cue"] is None and no_cue["speaker_start"] is None and no_cue["optional"] is True


def test_stale_managed_files_are_removed_and_others_kept(built, tmp_path):
    out = tmp_path / "data"
    shutil.copytree(built, out)
    (out / "quotes" / "validation.parquet").write_bytes((out / "quotes" / "test.parquet").read_bytes())
    (out / ".gitattributes").write_text("*.parquet binary\n")
    build(FIXTURE, out)
    assert not (out / "quotes" / "validation.parquet").exists()
    assert (out / ".gitattributes").exists()


def test_a_build_that_fails_to_write_leaves_the_old_folder_as_it_was(built, tmp_path, monkeypatch):
    """Stale files go only after the new ones are in place: a write that fails deletes nothing."""
    import benchmark.corpus.build as build_module
    from benchmark.errors import InputError

    out = tmp_path / "data"
    shutil.copytree(built, out)
    (out / "quotes" / "validation.parquet").write_bytes((out / "quotes" / "test.parquet").read_bytes())
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def failing(files):
        raise InputError(f"{out}: cannot write: disk full")
    monkeypatch.setattr(build_module, "write_atomic", failing)
    with pytest.raises(InputError):
        build(FIXTURE, out)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# ------------------------------------------------------------------------------------------------ invalid input
def test_build_refuses_invalid_gold_with_exit_2(annotations_copy, tmp_path, capsys):
    def break_it(gold):
        gold["quotes"][0]["stance"] = "positive"
        gold["quotes"][1]["end"] += 1
    edit_gold(annotations_copy, "900_aaaaaaaaaaaaaaaa", break_it)
    out = tmp_path / "data"
    status = cli.main(["build", "--annotations", str(annotations_copy), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert "900_aaaaaaaaaaaaaaaa.json" in err and "stance" in err
    assert len(err.strip().splitlines()) >= 2                        # every problem, not just the first
    assert "Traceback" not in err
    assert not out.exists()                                          # nothing written


def test_build_leaves_existing_folder_alone_when_gold_is_invalid(annotations_copy, built, tmp_path):
    out = tmp_path / "data"
    shutil.copytree(built, out)
    before = digests(out)
    edit_gold(annotations_copy, "901_bbbbbbbbbbbbbbbb", lambda g: g["metadata"].update(published="2024-13-45"))
    with pytest.raises(InputError):
        build(annotations_copy, out)
    assert digests(out) == before


def test_build_refuses_a_missing_folder(tmp_path, capsys):
    assert cli.main(["build", "--annotations", str(tmp_path / "nope"), "--out", str(tmp_path / "d")]) == 2
    assert "nope" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------- sync check
def test_check_passes_in_sync_and_names_the_stale_files(annotations_copy, tmp_path, capsys):
    out = tmp_path / "data"
    build(annotations_copy, out)
    assert check(annotations_copy, out) == []
    assert cli.main(["build", "--check", "--annotations", str(annotations_copy), "--out", str(out)]) == 0

    def retag(gold):
        gold["quotes"][0]["stance"] = "favor"
    edit_gold(annotations_copy, "901_bbbbbbbbbbbbbbbb", retag)          # gold edited, folder not rebuilt
    capsys.readouterr()
    assert cli.main(["build", "--check", "--annotations", str(annotations_copy), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "quotes/test.parquet" in printed and "gold_fingerprint.txt" in printed
    assert "quotes/train.parquet" not in printed                          # untouched split still in sync


def test_compare_folders_accepts_reformatted_yaml_but_not_changed_prose(built, tmp_path):
    other = tmp_path / "data"
    shutil.copytree(built, other)
    card = (other / "README.md").read_text(encoding="utf-8")
    _, front, body = card.split("---\n", 2)
    reformatted = yaml.safe_dump(yaml.safe_load(front), default_flow_style=True, width=10_000)
    (other / "README.md").write_text(f"---\n{reformatted}---\n{body}", encoding="utf-8")
    assert compare_folders(built, other) == []
    (other / "README.md").write_text(f"---\n{reformatted}---\n{body.replace('declares its split', 'derives its split')}", encoding="utf-8")
    assert [p for p in compare_folders(built, other) if "README.md" in p]


# ------------------------------------------------------------------------------------------------ dataset card
def test_card_yaml_declares_configs_features_and_hub_metadata(built):
    from datasets import Features
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(built / "README.md")
    data = card.data.to_dict()
    for key in ("license", "language", "pretty_name", "task_categories", "size_categories", "annotations_creators",
                "source_datasets", "license_name", "license_link"):
        assert data.get(key), key
    configs = {c["config_name"]: c for c in data["configs"]}
    assert list(configs) == ["quotes", "documents", "speakers"]
    assert configs["quotes"].get("default") is True and not configs["documents"].get("default")
    expected = features()
    infos = {i["config_name"]: i for i in data["dataset_info"]}
    for name, config in configs.items():
        assert Features._from_yaml_list(config["features"]) == expected[name]
        assert Features._from_yaml_list(infos[name]["features"]) == expected[name]
        paths = {f["split"]: f["path"] for f in config["data_files"]}
        assert all((built / p).is_file() for p in paths.values())
        assert {s["name"]: s["num_examples"] for s in infos[name]["splits"]} == {
            split: len(read_rows(name, split, built)) for split in paths}


def test_card_explains_every_column_with_its_type(built):
    sections = card_sections((built / "README.md").read_text(encoding="utf-8"))
    for config, config_features in features().items():
        documented = sections["columns"][config]
        assert list(documented) == list(config_features), config
        for column, feature in config_features.items():
            type_text, meaning = documented[column]
            assert type_text.strip("`") == type_name(feature), (config, column)
            assert len(meaning) > 20, (config, column)


def test_card_prose_is_filled_in(built):
    card = (built / "README.md").read_text(encoding="utf-8")
    assert "${" not in card
    body = card.split("---\n", 2)[2]
    for needle in ("load_dataset(benchmark.DATA_DIR", "declares its split", "Copyright", "CC BY 4.0", "written contract",
                   "@misc{", DATA_VERSION, annotations_fingerprint(FIXTURE)):
        assert needle in body, needle
    assert "| train | 1 | 3 | 3 | 6 | 1 | 0 | 0 | 1 |" in body            # counts computed from the fixture
    assert CARD_TEMPLATE.is_file()


# ------------------------------------------------------------------------------------------------- croissant
def croissant_cli() -> str:
    return str(Path(sys.executable).with_name("mlcroissant"))


COMMITTED = Path(DATA_DIR)


@pytest.fixture(params=["fixture", "committed"])
def croissant_folder(request, built) -> Path:
    """The fixture build and the committed benchmark/data/ folder."""
    if request.param == "fixture":
        return built
    if not (COMMITTED / "croissant.json").is_file():
        pytest.skip("benchmark/data/ has not been built yet")
    return COMMITTED


def test_croissant_required_fields_are_present(croissant_folder):
    meta = json.loads((croissant_folder / "croissant.json").read_text(encoding="utf-8"))
    for key in ("name", "description", "url", "license", "creator", "datePublished", "citeAs", "version"):
        assert meta.get(key), key
    assert meta["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    assert meta["creator"].get("name") and meta["url"].startswith("https://")
    assert len(meta["description"]) > 100
    assert "CC BY 4.0" in " ".join(meta["license"]) and meta["datePublished"][:4].isdigit()
    assert [rs["name"] for rs in meta["recordSet"] if rs.get("dataType") != "cr:Split"] == [
        "documents", "quotes", "speakers"]


@pytest.mark.slow
def test_croissant_validates_and_loads_every_record_set(croissant_folder):
    import mlcroissant as mlc

    jsonld = croissant_folder / "croissant.json"
    result = subprocess.run([croissant_cli(), "validate", "--jsonld", str(jsonld)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    dataset = mlc.Dataset(jsonld=str(jsonld))
    records = {}
    for config, key in (("documents", "doc_id"), ("quotes", "quote_id"), ("speakers", "speaker_id")):
        records[config] = list(dataset.records(record_set=config))   # (a Records object iterates only once)
        split_of_row = {row[key]: split for split in available_splits(config, croissant_folder)
                        for row in read_rows(config, split, croissant_folder)}
        assert {r[f"{config}/{key}"].decode(): r[f"{config}/split"].decode() for r in records[config]} == split_of_row
        assert len(records[config]) == len(split_of_row), config
    by_id = {r["quote_id"]: r for r in read_rows("quotes", None, croissant_folder)}
    for record in records["quotes"]:
        row = by_id[record["quotes/quote_id"].decode()]
        assert record["quotes/stance"].decode() == row["stance"] and int(record["quotes/start"]) == row["start"]
    docs = {r["documents/doc_id"].decode(): r for r in records["documents"]}
    for row in read_rows("documents", None, croissant_folder):
        kinds = [b["documents/boilerplate/kind"].decode() for b in docs[row["doc_id"]]["documents/boilerplate"]]
        assert kinds == [b["kind"] for b in row["boilerplate"]]


# ------------------------------------------------------------------------------------------------- misc
def test_write_folder_reports_rows(tmp_path):
    report = write_folder(FIXTURE, tmp_path / "data")
    assert report.rows == {"documents": {"train": 1, "test": 1}, "quotes": {"train": 7, "test": 4},
                           "speakers": {"train": 6}}
    assert "gold fingerprint" in report.summary()

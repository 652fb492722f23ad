"""The committed dataset folder (benchmark/data/) and the loaders, offline with fresh temporary caches.

Expected counts are computed from annotations/ (the truth), never written down here.
"""
from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")      # before anything imports datasets
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import benchmark
import benchmark.dataset
from benchmark.corpus.annotations import annotations_fingerprint, read_annotations, split_of
from benchmark.corpus.build import build, compare_folders, features
from benchmark.dataset import CONFIGS, content_hash, read_rows, split_order
from benchmark.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "annotations"
DATA_DIR = Path(benchmark.DATA_DIR)
FIXTURE = Path(__file__).parent / "fixtures" / "dataset_annotations"


def expected_counts(annotations: Path) -> dict:
    """Rows per config and split, and label counts per split, straight from the gold files."""
    ann = read_annotations(annotations)
    counts = {"documents": Counter(), "quotes": Counter(), "type": {}, "stance": {}}
    for doc in ann.documents.values():
        split = split_of(doc.gold)
        counts["documents"][split] += 1
        counts["quotes"][split] += len(doc.gold["quotes"])
        for q in doc.gold["quotes"]:
            counts["type"].setdefault(split, Counter())[q["type"]] += 1
            counts["stance"].setdefault(split, Counter())[q["stance"]] += 1
    counts["speakers"] = Counter({"train": len(ann.speakers)})
    return counts


def labels(dataset, column: str) -> Counter:
    names = dataset.features[column]
    return Counter(names.int2str(value) for value in dataset[column])


def check_types(dataset, config: str) -> None:
    """Feature types as the issue requires them, checked on the loaded dataset itself."""
    from datasets import ClassLabel, List, Value

    f = dataset.features
    assert f == features()[config]
    assert all(isinstance(feature, (Value, ClassLabel, List)) for feature in f.values())
    if config == "quotes":
        assert isinstance(f["stance"], ClassLabel) and f["stance"].names == ["favor", "against", "neutral", "none"]
        assert isinstance(f["type"], ClassLabel) and f["type"].names == ["direct", "partial", "indirect"]
        for column in ("start", "end", "speaker_start", "speaker_end", "cue_start", "cue_end"):
            assert f[column] == Value("int32"), column
        assert f["speaker_aliases"] == List(Value("string"))
        assert f["in_boilerplate"] == Value("bool") and f["optional"] == Value("bool")
    elif config == "documents":
        assert f["published"] == Value("date32")
        assert f["authors"] == List(Value("string")) and f["outlet_aliases"] == List(Value("string"))
        assert f["boilerplate"] == List({"start": Value("int32"), "end": Value("int32"), "kind": Value("string")})
        if len(dataset):
            assert isinstance(dataset[0]["published"], datetime.date)
    else:
        assert f["aliases"] == List(Value("string"))


def gold_committed() -> bool:
    return any((ANNOTATIONS / "gold").glob("*.json"))


committed = pytest.mark.skipif(not gold_committed(), reason="annotations/gold/ is empty: no real gold to build from")


# ---------------------------------------------------------------------------------- the committed folder
@committed
def test_committed_folder_is_in_sync_with_annotations(tmp_path):
    """A gold edit without `kremlin-reactions build` fails here."""
    fresh = tmp_path / "data"
    build(ANNOTATIONS, fresh)
    assert compare_folders(fresh, DATA_DIR) == []
    writer = pq.ParquetFile(fresh / "quotes" / "test.parquet").metadata.created_by
    if pq.ParquetFile(DATA_DIR / "quotes" / "test.parquet").metadata.created_by == writer:
        # same pyarrow as the committed files: then every file must be byte-identical
        for path in sorted(p for p in fresh.rglob("*") if p.is_file()):
            rel = path.relative_to(fresh)
            assert path.read_bytes() == (DATA_DIR / rel).read_bytes(), rel
    assert benchmark.data_fingerprint() == annotations_fingerprint(ANNOTATIONS)


@committed
@pytest.mark.slow
def test_load_dataset_every_config_and_split_offline(tmp_path):
    from datasets import Dataset, DatasetDict, load_dataset

    expected = expected_counts(ANNOTATIONS)
    cache = str(tmp_path / "cache")
    quotes_test = load_dataset(benchmark.DATA_DIR, "quotes", split="test", cache_dir=cache)
    assert isinstance(quotes_test, Dataset) and quotes_test.num_rows == expected["quotes"]["test"]
    docs = load_dataset(benchmark.DATA_DIR, "documents", cache_dir=cache)
    assert isinstance(docs, DatasetDict) and list(docs) == split_order(expected["documents"])
    default = load_dataset(benchmark.DATA_DIR, cache_dir=cache)                 # `quotes` is the default config
    assert default["train"].num_rows == expected["quotes"]["train"]
    for config in CONFIGS:
        loaded = load_dataset(benchmark.DATA_DIR, config, cache_dir=cache)
        assert {split: ds.num_rows for split, ds in loaded.items()} == dict(expected[config]), config
        for split, ds in loaded.items():
            check_types(ds, config)
            if config == "quotes":
                assert labels(ds, "stance") == expected["stance"][split]
                assert labels(ds, "type") == expected["type"][split]
    by_doc = {d["doc_id"]: d["text"] for split in docs.values() for d in split}
    for q in quotes_test:
        assert by_doc[q["doc_id"]][q["start"]:q["end"]] == q["text"]


@committed
@pytest.mark.slow
def test_benchmark_load_matches_read_rows(tmp_path):
    expected = expected_counts(ANNOTATIONS)
    ds = benchmark.load("quotes", split="train", cache_dir=tmp_path)
    check_types(ds, "quotes")
    rows = read_rows("quotes", "train")
    assert ds.num_rows == len(rows) == expected["quotes"]["train"]
    assert [r["quote_id"] for r in rows] == ds["quote_id"]
    assert [r["stance"] for r in rows] == [ds.features["stance"].int2str(s) for s in ds["stance"]]
    speakers = benchmark.load("speakers", cache_dir=tmp_path)
    assert speakers["train"].num_rows == expected["speakers"]["train"]
    check_types(speakers["train"], "speakers")


@committed
def test_read_rows_gives_plain_python_values():
    expected = expected_counts(ANNOTATIONS)
    for config in CONFIGS:
        rows = read_rows(config)
        assert len(rows) == sum(expected[config].values())
        assert rows == read_rows(config, "all")
    gold = read_annotations(ANNOTATIONS).documents
    for split in expected["documents"]:              # each split holds exactly the articles whose gold declares it
        docs = read_rows("documents", split)
        assert len(docs) == expected["documents"][split]
        for d in docs:
            assert split_of(gold[d["doc_id"]].gold) == split
            assert d["published"] == datetime.date.fromisoformat(gold[d["doc_id"]].gold["metadata"]["published"])
    quote = read_rows("quotes", "test")[0]
    assert isinstance(quote["stance"], str) and isinstance(quote["start"], int)
    assert isinstance(quote["speaker_aliases"], list)


# The five seed articles and the split each had when splits were still derived from the publication year.
SEED_SPLITS = {"000_0d2c8cad854b4354": "train", "001_4edd818e3f1a05be": "train", "002_61610625a1c92d28": "test",
               "003_847f753f01714433": "test", "004_8116756d16084da1": "test"}


@committed
def test_the_seeds_keep_their_temporal_split():
    """The seeds' own gold declares the temporal split they always had: 2016-2017 train, November 2024 test."""
    split_of_doc = {d["doc_id"]: split for split in benchmark.dataset.splits() for d in read_rows("documents", split)}
    assert {doc_id: split_of_doc[doc_id] for doc_id in SEED_SPLITS} == SEED_SPLITS
    years = {d["doc_id"]: d["published"].year for d in read_rows("documents") if d["doc_id"] in SEED_SPLITS}
    assert {doc_id for doc_id, year in years.items() if year in (2016, 2017)} == {
        doc_id for doc_id, split in SEED_SPLITS.items() if split == "train"}
    assert {year for doc_id, year in years.items() if SEED_SPLITS[doc_id] == "test"} == {2024}


# ---------------------------------------------------------------------------------- loader behaviour (fixture)
@pytest.fixture
def fixture_folder(tmp_path) -> Path:
    out = tmp_path / "a" / "data"
    build(FIXTURE, out)
    return out


def test_read_rows_and_fingerprint_errors(fixture_folder, tmp_path):
    assert benchmark.data_fingerprint(fixture_folder) == annotations_fingerprint(FIXTURE)
    assert len(read_rows("speakers", None, fixture_folder)) == 6
    with pytest.raises(InputError, match="no split 'validation'"):
        read_rows("quotes", "validation", fixture_folder)
    with pytest.raises(InputError, match="unknown config 'quote'"):
        read_rows("quote", None, fixture_folder)
    with pytest.raises(InputError, match="not a dataset folder"):
        read_rows("quotes", None, tmp_path / "empty")
    (fixture_folder / "gold_fingerprint.txt").unlink()
    with pytest.raises(InputError, match="gold_fingerprint.txt"):
        benchmark.data_fingerprint(fixture_folder)
    with pytest.raises(InputError, match="no split 'dev'"):
        benchmark.load("quotes", split="dev", data_dir=fixture_folder, cache_dir=tmp_path / "c")


def declare_split(annotations: Path, doc_id: str, split: str) -> None:
    path = annotations / "gold" / f"{doc_id}.json"
    gold = json.loads(path.read_text(encoding="utf-8"))
    gold["metadata"]["split"] = split
    path.write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_every_valid_split_name_is_one_datasets_accepts():
    """Every name the validator accepts as a split is one `datasets` accepts (no hyphen: datasets refuses one)."""
    import re

    from datasets.naming import _split_re

    from benchmark.corpus.schema import SPLIT_PATTERN

    for name in ("train", "test", "private", "private_2026", "b2", "all"):
        assert re.fullmatch(SPLIT_PATTERN, name) and re.match(_split_re, name), name
    assert re.fullmatch(SPLIT_PATTERN, "p" * 32)
    for name in ("zz-private", "Private", "2026", "_x", "a b", "a.b", "", "p" * 33):     # 33: too long a file name part
        assert not re.fullmatch(SPLIT_PATTERN, name), name
    assert not re.match(_split_re, "zz-private")        # why the hyphen is out


@pytest.mark.slow
def test_any_declared_split_is_built_listed_and_loaded(tmp_path):
    """A split is whatever the gold declares: no year table, no fixed list. Order: train, test, then the others
    alphabetically; "all" is every split."""
    annotations = tmp_path / "annotations"
    shutil.copytree(FIXTURE, annotations)
    declare_split(annotations, "901_bbbbbbbbbbbbbbbb", "zz_private")
    folder = tmp_path / "data"
    report = build(annotations, folder)
    assert report.rows["documents"] == {"train": 1, "zz_private": 1}
    assert benchmark.dataset.splits(folder) == ["train", "zz_private"]
    assert not (folder / "documents" / "test.parquet").exists()
    assert benchmark.dataset.check_split("zz_private", folder) == "zz_private"
    assert benchmark.dataset.check_split("all", folder) == "all"
    with pytest.raises(InputError) as info:
        benchmark.dataset.check_split("test", folder)
    assert info.value.problems == [f"--split: no split 'test' in {folder} (it has: train, zz_private, all)"]
    docs = benchmark.load("documents", data_dir=folder, cache_dir=tmp_path / "cache")
    assert list(docs) == ["train", "zz_private"]
    assert [d["doc_id"] for d in docs["zz_private"]] == ["901_bbbbbbbbbbbbbbbb"]
    everything = benchmark.load("quotes", split="all", data_dir=folder, cache_dir=tmp_path / "cache")
    assert everything["quote_id"] == [r["quote_id"] for r in read_rows("quotes", "all", folder)]
    declare_split(annotations, "900_aaaaaaaaaaaaaaaa", "private")
    declare_split(annotations, "901_bbbbbbbbbbbbbbbb", "test")
    build(annotations, folder)                      # the stale split's files go, the new ones come
    assert benchmark.dataset.splits(folder) == ["test", "private"]
    assert sorted(p.name for p in (folder / "quotes").glob("*.parquet")) == ["private.parquet", "test.parquet"]


@pytest.mark.slow
def test_load_never_returns_stale_rows(tmp_path):
    """datasets 5.x misses in-place parquet rewrites; benchmark.load keys its cache on the folder's content."""
    annotations = tmp_path / "annotations"
    shutil.copytree(FIXTURE, annotations)
    folder = tmp_path / "data"
    cache = tmp_path / "cache"
    build(annotations, folder)
    first = benchmark.load("quotes", split="test", data_dir=folder, cache_dir=cache)
    assert first.num_rows == 4

    # 1. a parquet file rewritten in place, same number of rows (the card still matches)
    notes = [r["note"] for r in read_rows("quotes", "test", folder)]
    rewrite_column(folder / "quotes" / "test.parquet", "note", ["edited in place", *notes[1:]])
    second = benchmark.load("quotes", split="test", data_dir=folder, cache_dir=cache)
    assert second[0]["note"] == "edited in place"

    # 2. the gold edited (one unit dropped, one stance changed) and the folder rebuilt
    gold_path = annotations / "gold" / "901_bbbbbbbbbbbbbbbb.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold["quotes"] = [q for q in gold["quotes"] if q["id"] != "q02"]
    gold["quotes"][0]["stance"] = "favor"
    gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=2), encoding="utf-8")
    build(annotations, folder)
    third = benchmark.load("quotes", split="test", data_dir=folder, cache_dir=cache)
    assert third.num_rows == 3
    assert "901_bbbbbbbbbbbbbbbb-q02" not in third["quote_id"]
    changed = third.filter(lambda q: q["quote_id"] == f"901_bbbbbbbbbbbbbbbb-{gold['quotes'][0]['id']}")[0]
    assert third.features["stance"].int2str(changed["stance"]) == "favor"


def rewrite_column(path: Path, column: str, values: list) -> None:
    """Rewrite one column of a parquet file in place (same rows, same card)."""
    table = pq.read_table(path)
    index = table.schema.get_field_index(column)
    pq.write_table(table.set_column(index, column, pa.array(values, table.schema.field(column).type)), path)


@pytest.mark.slow
def test_two_folders_with_the_same_name_get_their_own_rows(tmp_path):
    """Same folder name, identical README, different parquet bytes: datasets alone would share one cache entry."""
    a, b = tmp_path / "a" / "data", tmp_path / "b" / "data"
    build(FIXTURE, a)
    shutil.copytree(a, b)
    rows = read_rows("quotes", "train", b)
    rewrite_column(b / "quotes" / "train.parquet", "note", [f"folder b, row {i}" for i in range(len(rows))])
    assert (a / "README.md").read_bytes() == (b / "README.md").read_bytes()
    cache = tmp_path / "cache"                              # one shared cache dir, as in ~/.cache/huggingface
    from_a = benchmark.load("quotes", split="train", data_dir=a, cache_dir=cache)
    from_b = benchmark.load("quotes", split="train", data_dir=b, cache_dir=cache)
    assert from_b["note"] == [f"folder b, row {i}" for i in range(len(rows))]
    assert from_a["note"] == [r["note"] for r in read_rows("quotes", "train", a)]
    assert benchmark.load("quotes", split="train", data_dir=a, cache_dir=cache)["note"] == from_a["note"]
    assert content_hash(a) != content_hash(b)


@committed
@pytest.mark.slow
def test_the_cards_quick_start_runs(tmp_path):
    card = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    snippet = card.split("```python\n", 1)[1].split("```", 1)[0]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_DATASETS_CACHE": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", snippet], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[0] in ("favor", "against", "neutral", "none")


# ---------------------------------------------------------------------------------- installed wheel
@committed
@pytest.mark.slow
def test_loads_from_an_installed_wheel(tmp_path):
    """Package data (parquet in subfolders, card, croissant.json, fingerprint) ships in the wheel."""
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    included = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    for name in sorted({pattern.rstrip("*").split(".")[0] for pattern in included}):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    shutil.copytree(ROOT / "LICENSES", source / "LICENSES")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    python = Path(sys.executable)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    built = subprocess.run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                            str(source), "-w", str(tmp_path / "wheel")], cwd=tmp_path, env=env, capture_output=True,
                           text=True)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheel = next((tmp_path / "wheel").glob("kremlin_reactions-*.whl"))
    target = tmp_path / "site"
    installed = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                                str(wheel)], env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-3000:]
    expected = expected_counts(ANNOTATIONS)
    script = f"""
import json, benchmark
from datasets import load_dataset
assert benchmark.DATA_DIR.startswith({str(target)!r}), benchmark.DATA_DIR
quotes = load_dataset(benchmark.DATA_DIR, "quotes", split="test", cache_dir={str(tmp_path / "cache")!r})
docs = benchmark.load("documents", cache_dir={str(tmp_path / "cache")!r})
print(json.dumps({{"quotes_test": quotes.num_rows, "docs": {{k: v.num_rows for k, v in docs.items()}},
                  "stance": type(quotes.features["stance"]).__name__, "fingerprint": benchmark.data_fingerprint()}}))
"""
    work = tmp_path / "elsewhere"
    work.mkdir()
    result = subprocess.run([python, "-c", script], cwd=work, env={**env, "PYTHONPATH": str(target)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got == {"quotes_test": expected["quotes"]["test"], "docs": dict(expected["documents"]),
                   "stance": "ClassLabel", "fingerprint": annotations_fingerprint(ANNOTATIONS)}


def test_parquet_is_read_with_one_thread(monkeypatch):
    """pyarrow's threaded read from a buffer can leave pool work that aborts the interpreter at exit ('terminate
    called without an active exception', exit 134: apache/arrow#33975), which turned exit statuses into 134."""
    import pyarrow.parquet as pq

    calls = []
    real = pq.read_table

    def recording(*args, **kwargs):
        calls.append(kwargs.get("use_threads", True))
        return real(*args, **kwargs)
    monkeypatch.setattr(pq, "read_table", recording)
    read_rows("documents", "all")
    assert calls and not any(calls)

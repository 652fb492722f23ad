"""Read the built dataset folder (`benchmark/data/`): safely with `datasets`, or fast with pyarrow.

- `load(config, split)`: a `datasets.Dataset`/`DatasetDict` with the card's types (ClassLabel, date32, ...). With
  a README `configs:`, datasets 5.x does not notice a parquet file rewritten in place and lets two folders with
  the same name share one cache entry, so the cache directory is keyed on a hash of the folder's contents:
  changed data can never come back stale, and another folder's data never comes back at all.
- `read_rows(config, split)`: plain dicts read with pyarrow (no `datasets` import): labels are strings, dates
  `datetime.date`. The scorer uses this.
- `data_fingerprint()`: the content hash of the gold the folder was built from (written by the build).
- `splits()`, `check_split(split)`: the splits the folder has. Each article's gold declares its split
  (`metadata.split`), so a folder may have any splits (e.g. train, test and an instructor's private one).

Folder layout (written by `benchmark.corpus.build`): `<config>/<split>.parquet`, README.md, croissant.json,
gold_fingerprint.txt.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from benchmark import DATA_DIR
from benchmark.errors import InputError

CONFIGS = ("documents", "quotes", "speakers")
# Splits are declared per article in the gold (`metadata.split`); any name may exist. These come first, in this
# order, and any others follow alphabetically.
SPLIT_ORDER = ("train", "test")
ALL_SPLITS = "all"                    # `--split all`: every split at once
SPEAKERS_SPLIT = "train"              # the speaker registry is one table: Hugging Face's name for a single split
FINGERPRINT_FILE = "gold_fingerprint.txt"
CACHE_SUBDIR = "kremlin-reactions"


def split_path(config: str, split: str) -> str:
    """Path of a config's split inside the folder (relative, POSIX)."""
    return f"{config}/{split}.parquet"


def _folder(data_dir: str | Path | None) -> Path:
    folder = Path(data_dir if data_dir is not None else DATA_DIR)
    if not (folder / "README.md").is_file():
        raise InputError(f"{folder}: not a dataset folder (no README.md); build one with `kremlin-reactions build`")
    return folder


def split_order(names) -> list[str]:
    """`names` in the order train, test, then any others alphabetically (the order of every split listing)."""
    names = set(names)
    return [s for s in SPLIT_ORDER if s in names] + sorted(names - set(SPLIT_ORDER))


def available_splits(config: str, data_dir: str | Path | None = None) -> list[str]:
    """Splits present for `config`, in the order train, test, then any others alphabetically."""
    if config not in CONFIGS:
        raise InputError(f"config: unknown config {config!r} (expected one of {', '.join(CONFIGS)})")
    return split_order(p.stem for p in (_folder(data_dir) / config).glob("*.parquet"))


def splits(data_dir: str | Path | None = None) -> list[str]:
    """The splits of the dataset folder (those of its documents), in `split_order`."""
    return available_splits("documents", data_dir)


def check_split(split: str, data_dir: str | Path | None = None) -> str:
    """`split` if the folder has it or it is "all"; else InputError naming the splits it has."""
    present = splits(data_dir)
    if split != ALL_SPLITS and split not in present:
        folder = _folder(data_dir)
        raise InputError(f"--split: no split {split!r} in {folder} (it has: {', '.join([*present, ALL_SPLITS])})")
    return split


def read_rows(config: str = "quotes", split: str | None = None, data_dir: str | Path | None = None) -> list[dict]:
    """Rows of one config as plain dicts. `split` None or "all" = every split (in `split_order`)."""
    return read_table(config, split, data_dir).to_pylist()


def read_table(config: str = "quotes", split: str | None = None, data_dir: str | Path | None = None):
    """The rows of `read_rows` as one pyarrow Table (columnar: the scorer's fast path for large corpora)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    present = available_splits(config, data_dir)
    if split in (None, ALL_SPLITS):
        wanted = present
    elif split in present:
        wanted = [split]
    else:
        raise InputError(f"split: config {config!r} has no split {split!r} (it has: {', '.join(present) or 'none'})")
    folder = _folder(data_dir)
    tables = [pq.read_table(folder / split_path(config, name)) for name in wanted]
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]


def data_fingerprint(data_dir: str | Path | None = None) -> str:
    """Content hash (hex sha256, `benchmark.corpus.annotations.annotations_fingerprint`) of the gold the folder was built from."""
    path = _folder(data_dir) / FINGERPRINT_FILE
    try:
        value = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{path}: missing or unreadable; rebuild the folder with `kremlin-reactions build`") from None
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InputError(f"{path}:1: fingerprint: not a hex sha256: {value[:80]!r}")
    return value


def content_hash(data_dir: str | Path | None = None) -> str:
    """sha256 over everything `datasets` reads from the folder: README.md and every parquet file (path + bytes)."""
    folder = _folder(data_dir)
    paths = [folder / "README.md", *sorted(folder.glob("*/*.parquet"))]
    return hash_named_files([(path.relative_to(folder).as_posix(), path) for path in paths])


def load(config: str = "quotes", split: str | None = None, data_dir: str | Path | None = None,
         cache_dir: str | Path | None = None):
    """Load a config with `datasets`, offline, from a cache directory named by the folder's content hash.

    Returns a `Dataset` when `split` is given ("all": every split concatenated), else a `DatasetDict` with
    whatever splits the folder has. `cache_dir` (default: the Hugging Face
    datasets cache) gets one subfolder per content hash, so an edited or different folder is never served from
    a stale cache entry.
    """
    if config not in CONFIGS:
        raise InputError(f"config: unknown config {config!r} (expected one of {', '.join(CONFIGS)})")
    folder = _folder(data_dir).resolve()
    key = content_hash(folder)
    # A local folder never needs the Hub; set before `datasets` is imported (it reads these at import time).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import datasets

    base = Path(cache_dir) if cache_dir is not None else Path(datasets.config.HF_DATASETS_CACHE) / CACHE_SUBDIR
    present = available_splits(config, folder)
    if split == ALL_SPLITS:                        # one Dataset of every split, in split_order (datasets' "a+b")
        split = "+".join(present)
    elif split is not None and split not in present:
        raise InputError(f"split: config {config!r} has no split {split!r} (it has: {', '.join(present)})")
    return datasets.load_dataset(str(folder), config, split=split, cache_dir=str(base / key[:32]))


def hash_named_files(files: list[tuple[str, Path]]) -> str:
    """sha256 over (name, sha256 of bytes) of each file, in the given order: the one content-hash recipe for the
    gold fingerprint and the dataset folder's cache key."""
    h = hashlib.sha256()
    for name, path in files:
        h.update(name.encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()

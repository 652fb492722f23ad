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
gold_fingerprint.txt, and `files.sha256`: the sha256 of every other file as the build wrote it (the format of
`sha256sum`, so `sha256sum -c files.sha256` checks a copy).

Verified reads: `read_rows`, `read_table`, `available_splits` and `data_fingerprint` -- everything the scorer reads
-- take a file only when its bytes have the sha256 the build recorded, and the splits of a config are exactly the
files the build wrote: a missing, edited or stray data file is an InputError naming it (`files.sha256:LINE: FILE:
problem`), so the fingerprint in a score's signature always describes the data actually scored against. The bytes
hashed are the bytes parsed (one read), and a parquet file pyarrow cannot read is an InputError, not a traceback.
This guards against damage and edits, not against someone who rewrites the manifest too: the fingerprint is the
content hash of the annotations, so `kremlin-reactions build --check` against annotations/ is the full check.
`load` (the `datasets` path) is not verified: its cache is keyed on the folder's content instead.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from benchmark import DATA_DIR
from benchmark.errors import InputError
from benchmark.safe_io import GIB, MIB, display_path, read_bytes

CONFIGS = ("documents", "quotes", "speakers")
# Splits are declared per article in the gold (`metadata.split`); any name may exist. These come first, in this
# order, and any others follow alphabetically.
SPLIT_ORDER = ("train", "test")
ALL_SPLITS = "all"                    # `--split all`: every split at once
SPEAKERS_SPLIT = "train"              # the speaker registry is one table: Hugging Face's name for a single split
FINGERPRINT_FILE = "gold_fingerprint.txt"
MANIFEST_FILE = "files.sha256"
CACHE_SUBDIR = "kremlin-reactions"
MAX_DATA_FILE_BYTES = GIB          # one parquet file of a (large) gold; read only when a regular file this size
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  ([^\n]+)")


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


def manifest_text(files: Mapping[str, bytes]) -> str:
    """The `files.sha256` of a folder holding `files` (relative POSIX path -> bytes): one `<sha256>  <path>` line
    per file, sorted by path (the build writes it; deterministic)."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {rel}\n" for rel, data in sorted(files.items()))


def read_manifest(data_dir: str | Path | None = None) -> dict[str, tuple[str, int]]:
    """The folder's `files.sha256`: relative path -> (sha256, line). InputError when missing or malformed."""
    folder = _folder(data_dir)
    path = folder / MANIFEST_FILE
    label = display_path(path)
    if not os.path.lexists(path):
        raise InputError(f"{label}: file: missing: nothing records what the build wrote, so the data cannot be "
                         "checked; rebuild the folder with `kremlin-reactions build`")
    raw = read_bytes(path, limit=MIB, label=label)
    entries: dict[str, tuple[str, int]] = {}
    problems = []
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None or match.group(2) in entries:
            problems.append(f"{label}:{number}: line: expected '<sha256>  <file>' once per file (the format of "
                            f"sha256sum), got {line[:80]!r}")
            continue
        entries[match.group(2)] = (match.group(1), number)
    if problems:
        raise InputError(problems + ["rebuild the folder with `kremlin-reactions build`"])
    return entries


def verified_bytes(rel: str, data_dir: str | Path | None = None,
                   manifest: dict[str, tuple[str, int]] | None = None) -> bytes:
    """The bytes of the folder's file `rel` (POSIX path), when they are what the build wrote (see the module)."""
    folder = _folder(data_dir)
    manifest = read_manifest(folder) if manifest is None else manifest
    where = display_path(folder / MANIFEST_FILE)
    if rel not in manifest:
        raise InputError(f"{display_path(folder / rel)}: file: not written by the build (not in {MANIFEST_FILE}): "
                         "remove it, or rebuild the folder with `kremlin-reactions build`")
    expected, number = manifest[rel]
    if not os.path.lexists(folder / rel):
        raise InputError(f"{where}:{number}: {rel}: missing: the build wrote it and the folder no longer has it; "
                         "restore it, or rebuild the folder with `kremlin-reactions build`")
    data = read_bytes(folder / rel, limit=MAX_DATA_FILE_BYTES)
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise InputError(f"{where}:{number}: {rel}: edited: its sha256 is {actual[:16]}..., the build wrote "
                         f"{expected[:16]}...; a score against it would carry a fingerprint it does not match: "
                         "restore it, or rebuild the folder with `kremlin-reactions build`")
    return data


def available_splits(config: str, data_dir: str | Path | None = None,
                     manifest: dict[str, tuple[str, int]] | None = None) -> list[str]:
    """Splits the build wrote for `config`, in the order train, test, then any others alphabetically. A parquet
    file of the config that the build did not write is an InputError (it would be read as a split)."""
    if config not in CONFIGS:
        raise InputError(f"config: unknown config {config!r} (expected one of {', '.join(CONFIGS)})")
    folder = _folder(data_dir)
    manifest = read_manifest(folder) if manifest is None else manifest
    on_disk = sorted(p.relative_to(folder).as_posix() for p in (folder / config).glob("*.parquet"))
    stray = [rel for rel in on_disk if rel not in manifest]
    if stray:
        raise InputError([f"{display_path(folder / rel)}: file: not written by the build (not in {MANIFEST_FILE}), "
                          "and it would be read as a split: remove it, or rebuild the folder" for rel in stray])
    found = {rel[len(config) + 1: -len(".parquet")] for rel in manifest
             if rel.startswith(f"{config}/") and rel.endswith(".parquet") and rel.count("/") == 1}
    return split_order(found)


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

    folder = _folder(data_dir)
    manifest = read_manifest(folder)
    present = available_splits(config, folder, manifest)
    if split in (None, ALL_SPLITS):
        wanted = present
    elif split in present:
        wanted = [split]
    else:
        raise InputError(f"split: config {config!r} has no split {split!r} (it has: {', '.join(present) or 'none'})")
    tables = []
    for name in wanted:
        data = verified_bytes(split_path(config, name), folder, manifest)
        try:
            # the very bytes that were verified; one thread: pyarrow's threaded read can leave pool work that
            # aborts the interpreter at exit (apache/arrow#33975: "terminate called without an active exception")
            tables.append(pq.read_table(pa.BufferReader(data), use_threads=False))
        except (pa.ArrowException, OSError) as err:
            raise InputError(f"{display_path(folder / split_path(config, name))}: file: not a readable parquet "
                             f"file: {err}") from None
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]


def data_fingerprint(data_dir: str | Path | None = None) -> str:
    """Content hash (hex sha256, `benchmark.corpus.annotations.annotations_fingerprint`) of the gold the folder was built from."""
    folder = _folder(data_dir)
    path = folder / FINGERPRINT_FILE
    value = verified_bytes(FINGERPRINT_FILE, folder).decode("ascii", "replace").strip()
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


def hash_named_files(files: list[tuple[str, Path]], limit: int = MAX_DATA_FILE_BYTES) -> str:
    """sha256 over (name, sha256 of bytes) of each file, in the given order: the one content-hash recipe for the
    gold fingerprint and the dataset folder's cache key. Each file must be a regular file of at most `limit`
    bytes (InputError otherwise)."""
    h = hashlib.sha256()
    for name, path in files:
        h.update(name.encode() + b"\0")
        h.update(hashlib.sha256(read_bytes(path, limit=limit)).digest())
    return h.hexdigest()

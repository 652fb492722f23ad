"""`kremlin-reactions build`: regenerate the Hugging Face dataset folder (`benchmark/data/`) from `annotations/`.

Data flows one way: annotations/ (the truth) -> build -> benchmark/data/ (the artifact). The folder holds
- `<config>/<split>.parquet` for the configs `documents`, `quotes`, `speakers`: labels stored as plain strings so
  pandas, DuckDB and Croissant read them as they are; the card's YAML declares them as ClassLabel for `datasets`;
- `README.md`: the dataset card. YAML generated with huggingface_hub/datasets; prose from `card_template.md`;
- `croissant.json`: Croissant 1.1 metadata (one record set per config);
- `gold_fingerprint.txt`: `annotations_fingerprint()` of the gold it was built from;
- `files.sha256`: the sha256 of every other file (`benchmark.dataset.manifest_text`), which the scorer checks
  before it reads a data file (`benchmark.dataset.verified_bytes`).

Deterministic: the same annotations give byte-identical files (no timestamps, pinned parquet writer options).
The gold is validated first; invalid gold is refused (InputError -> exit status 2), the folder is left untouched.
Every file is rendered in memory, then written to a temporary file and renamed (`benchmark.safe_io.write_atomic`),
`files.sha256` last: an interrupted build leaves files that disagree with the manifest, which the scorer refuses,
never a truncated file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from benchmark import DATA_DIR, DATA_VERSION
from benchmark.corpus.annotations import annotations_fingerprint, read_annotations, split_of
from benchmark.corpus.card import CARD_TEMPLATE, card_sections, render_card, render_croissant
from benchmark.corpus.columns import features
from benchmark.dataset import (
    CONFIGS,
    FINGERPRINT_FILE,
    MANIFEST_FILE,
    SPEAKERS_SPLIT,
    manifest_text,
    read_manifest,
    split_order,
    split_path,
)
from benchmark.errors import InputError
from benchmark.safe_io import for_terminal, write_atomic

HELP = "validate annotations/ and regenerate the Hugging Face dataset folder (benchmark/data/) from it"

# Pinned parquet writer options: every option that could change the bytes is spelled out.
PARQUET_OPTIONS = dict(
    version="2.6",
    data_page_version="1.0",
    compression="zstd",
    compression_level=3,
    use_dictionary=True,
    write_statistics=True,
    store_schema=True,
    write_page_index=False,
    write_page_checksum=False,
    row_group_size=1 << 20,
)


def parquet_schema(config_features) -> pa.Schema:
    """On-disk schema: the Features with ClassLabel stored as its string names, without HF schema metadata."""
    from datasets import ClassLabel, Features, Value

    plain = Features({
        name: Value("string") if isinstance(feature, ClassLabel) else feature
        for name, feature in config_features.items()
    })
    return plain.arrow_schema.remove_metadata()


@dataclass
class BuildReport:
    out_dir: Path
    fingerprint: str                                   # annotations_fingerprint of the gold built from
    version: str                                       # DATA_VERSION
    rows: dict[str, dict[str, int]] = field(default_factory=dict)   # config -> split -> number of rows
    files: dict[str, str] = field(default_factory=dict)             # relative path -> sha256 of the bytes written
    warnings: list[str] = field(default_factory=list)               # the validator's warnings (not failures)

    def summary(self) -> str:
        lines = [f"built {self.out_dir} (data version {self.version}, gold fingerprint {self.fingerprint[:16]})"]
        for config, splits in self.rows.items():
            lines.append(f"  {config:<10} " + "  ".join(f"{split}={n}" for split, n in splits.items()))
        lines.append(f"  {len(self.files)} files written")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# annotations -> rows


def _span(span: dict | None) -> tuple[str | None, int | None, int | None]:
    if span is None:
        return None, None, None
    return span["text"], span["start"], span["end"]


def make_rows(annotations_dir: str | Path) -> dict[str, dict[str, list[dict]]]:
    """Rows of every config and split (config -> split -> rows), from an already validated annotations folder.

    Each document goes to the split its gold declares (`metadata.split`); a split exists when at least one
    document declares it; `quotes` has the same splits as `documents`.
    """
    ann = read_annotations(annotations_dir)
    speakers = {s["id"]: s for s in ann.speakers}
    split_of_doc = {doc_id: split_of(doc.gold) for doc_id, doc in ann.documents.items()}
    splits = split_order(split_of_doc.values())
    rows: dict[str, dict[str, list[dict]]] = {
        "documents": {split: [] for split in splits},
        "quotes": {split: [] for split in splits},
        "speakers": {SPEAKERS_SPLIT: []},
    }
    for doc_id in sorted(ann.documents):
        doc = ann.documents[doc_id]
        meta = doc.gold["metadata"]
        split = split_of_doc[doc_id]
        rows["documents"][split].append({
            "doc_id": doc_id,
            "text": doc.text,
            "headline": meta["headline"],
            "authors": list(meta["authors"]),
            "outlet": meta["outlet"],
            "outlet_aliases": list(meta["outlet_aliases"]),
            "outlet_evidence": meta["outlet_evidence"],
            "published": dt.date.fromisoformat(meta["published"]),
            "date_evidence": meta["date_evidence"],
            "url": meta["url"],
            "boilerplate": [
                {"start": r["start"], "end": r["end"], "kind": r["kind"]}
                for r in sorted(doc.gold.get("boilerplate", []), key=lambda r: (r["start"], r["end"]))
            ],
            "evidence_note": meta.get("note"),
            "text_sha256": doc.text_sha256,
        })
        # Text order; an enclosing quote comes before the quotes nested in it.
        for q in sorted(doc.gold["quotes"], key=lambda q: (q["start"], -q["end"], q["id"])):
            speaker = speakers[q["speaker"]]
            mention, mention_start, mention_end = _span(q.get("speaker_mention"))
            cue, cue_start, cue_end = _span(q.get("cue"))
            rows["quotes"][split].append({
                "quote_id": f"{doc_id}-{q['id']}",
                "doc_id": doc_id,
                "start": q["start"],
                "end": q["end"],
                "text": q["text"],
                "type": q["type"],
                "speaker_id": speaker["id"],
                "speaker": speaker["name"],
                "speaker_kind": speaker["kind"],
                "speaker_aliases": list(speaker["aliases"]),
                "speaker_mention": mention,
                "speaker_start": mention_start,
                "speaker_end": mention_end,
                "cue": cue,
                "cue_start": cue_start,
                "cue_end": cue_end,
                "stance": q["stance"],
                "in_boilerplate": bool(q.get("in_boilerplate", False)),
                "optional": bool(q.get("optional", False)),
                "optional_reason": q.get("optional_reason"),
                "nested_in": f"{doc_id}-{q['nested_in']}" if q.get("nested_in") else None,
                "note": q.get("note"),
            })
    for s in ann.speakers:
        rows["speakers"][SPEAKERS_SPLIT].append({
            "speaker_id": s["id"],
            "name": s["name"],
            "disambiguator": s.get("disambiguator"),
            "kind": s["kind"],
            "aliases": list(s["aliases"]),
            "description": s.get("description"),
            "doc_id": s.get("doc_id"),
        })
    return rows


# ---------------------------------------------------------------------------------------------------------------
# writers


def make_tables(rows: dict[str, dict[str, list[dict]]]) -> dict[str, dict[str, pa.Table]]:
    """Arrow tables (on-disk schema) of every config and split."""
    feats = features()
    return {config: {split: pa.Table.from_pylist(split_rows, schema=parquet_schema(feats[config]))
                     for split, split_rows in rows[config].items()}
            for config in CONFIGS}


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


# ---------------------------------------------------------------------------------------------------------------
# build


def _validate(annotations_dir: Path) -> list[str]:
    """Validate the folder (InputError with every problem); return the validator's warnings."""
    from benchmark.corpus.validate import validate

    if not annotations_dir.is_dir():
        raise InputError(f"{annotations_dir}: not a directory (expected an annotations folder)")
    result = validate(annotations_dir)
    if not result.ok:
        raise InputError(list(result.problems) or [f"{annotations_dir}: invalid annotations"])
    if not any((annotations_dir / "gold").glob("*.json")):
        raise InputError(f"{annotations_dir / 'gold'}: no gold files: nothing to build")
    return result.warnings


def _managed_files(folder: Path) -> list[Path]:
    """Files of `folder` that the build owns (everything else, e.g. a .gitattributes, is left alone)."""
    owned = [folder / name for name in ("README.md", "croissant.json", FINGERPRINT_FILE, MANIFEST_FILE)]
    owned += [p for config in CONFIGS for p in (folder / config).glob("*.parquet")]
    return [p for p in owned if p.is_file()]


def write_folder(annotations_dir: str | Path, out_dir: str | Path) -> BuildReport:
    """Write the dataset folder without validating first (use `build`)."""
    annotations_dir, out_dir = Path(annotations_dir), Path(out_dir)
    rows = make_rows(annotations_dir)
    tables = make_tables(rows)
    fingerprint = annotations_fingerprint(annotations_dir)
    card = render_card(rows, tables, fingerprint, CARD_TEMPLATE.read_text(encoding="utf-8"))
    # Everything is rendered in memory first, so a failure leaves the old folder as it was.
    outputs = {split_path(config, split): parquet_bytes(table)
               for config in CONFIGS for split, table in tables[config].items()}
    outputs["README.md"] = card.encode("utf-8")
    outputs["croissant.json"] = render_croissant(rows, card_sections(card)).encode("utf-8")
    outputs[FINGERPRINT_FILE] = f"{fingerprint}\n".encode("ascii")
    outputs[MANIFEST_FILE] = manifest_text(outputs).encode("ascii")        # of every other file; written last

    out_dir.mkdir(parents=True, exist_ok=True)
    stale = [f for f in _managed_files(out_dir) if f.relative_to(out_dir).as_posix() not in outputs]
    report = BuildReport(out_dir=out_dir, fingerprint=fingerprint, version=DATA_VERSION)
    order = sorted(outputs, key=lambda rel: (rel == MANIFEST_FILE, rel))
    write_atomic([(out_dir / rel, outputs[rel]) for rel in order])
    for path in stale:          # only once the new files are in place (the new manifest no longer lists these)
        path.unlink()
    report.files = {rel: hashlib.sha256(outputs[rel]).hexdigest() for rel in sorted(outputs)}
    report.rows = {config: {split: len(r) for split, r in rows[config].items()} for config in CONFIGS}
    return report


def build(annotations_dir: str | Path = "annotations", out_dir: str | Path = DATA_DIR) -> BuildReport:
    """Validate `annotations_dir`, then regenerate the dataset folder `out_dir` from it (deterministically).

    Raises InputError with the validator's problems when the gold is invalid; nothing is written then.
    """
    annotations_dir = Path(annotations_dir)
    warnings = _validate(annotations_dir)
    report = write_folder(annotations_dir, out_dir)
    report.warnings = warnings
    return report


# ---------------------------------------------------------------------------------------------------------------
# sync check


def _same_parquet(a: Path, b: Path) -> bool:
    """Same schema (with metadata) and rows: true also when a different pyarrow version wrote the bytes."""
    ta, tb = pq.read_table(a, use_threads=False), pq.read_table(b, use_threads=False)   # as dataset.read_table
    return ta.schema.equals(tb.schema, check_metadata=True) and ta.equals(tb)


def _front_matter(text: str) -> tuple[dict, str]:
    import yaml

    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def compare_folders(built: str | Path, committed: str | Path) -> list[str]:
    """Differences between a freshly built folder and a committed one ([] = in sync).

    Byte-identical files are in sync. When bytes differ only because another library version wrote them (a
    parquet file from a different pyarrow, YAML dumped by a different huggingface_hub) but the contents are equal,
    the file counts as in sync: the committed folder still holds exactly this gold.
    """
    built, committed = Path(built), Path(committed)
    new = {p.relative_to(built).as_posix(): p for p in _managed_files(built)}
    old = {p.relative_to(committed).as_posix(): p for p in _managed_files(committed)}
    problems = [f"{committed / rel}: missing (run `kremlin-reactions build`)" for rel in sorted(new.keys() - old.keys())]
    problems += [f"{committed / rel}: not produced by the build from these annotations" for rel in sorted(old.keys() - new.keys())]
    tolerated = set()           # same contents in other bytes: their manifest lines may differ too
    for rel in sorted((new.keys() & old.keys()) - {MANIFEST_FILE}):
        a, b = new[rel].read_bytes(), old[rel].read_bytes()
        if a == b:
            continue
        if rel.endswith(".parquet"):
            writers = {pq.ParquetFile(p).metadata.created_by for p in (new[rel], old[rel])}
            if len(writers) > 1 and _same_parquet(new[rel], old[rel]):
                tolerated.add(rel)
                continue
        elif rel == "README.md":
            if _front_matter(a.decode()) == _front_matter(b.decode()):
                tolerated.add(rel)
                continue
        problems.append(f"{committed / rel}: differs from a fresh build of the annotations (run `kremlin-reactions build`)")
    if MANIFEST_FILE in new.keys() & old.keys():
        fresh, kept = read_manifest(built), read_manifest(committed)
        if fresh.keys() != kept.keys() or any(fresh[k][0] != kept[k][0] for k in fresh.keys() - tolerated):
            problems.append(f"{committed / MANIFEST_FILE}: differs from a fresh build of the annotations "
                            "(run `kremlin-reactions build`)")
    return problems


def check(annotations_dir: str | Path = "annotations", out_dir: str | Path = DATA_DIR) -> list[str]:
    """Build `annotations_dir` into a temporary folder and compare it with `out_dir` ([] = in sync)."""
    annotations_dir = Path(annotations_dir)
    _validate(annotations_dir)
    with tempfile.TemporaryDirectory(prefix="kremlin-reactions-check-") as tmp:
        write_folder(annotations_dir, Path(tmp) / "data")
        return compare_folders(Path(tmp) / "data", out_dir)


# ---------------------------------------------------------------------------------------------------------------
# CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--annotations", default="annotations", metavar="DIR",
                        help="annotations folder to build from (default: annotations)")
    parser.add_argument("--out", default=DATA_DIR, metavar="DIR",
                        help="dataset folder to (re)generate (default: the package's benchmark/data)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if --out differs from a fresh build of --annotations")


def run(args: argparse.Namespace) -> int:
    if args.check:
        problems = check(args.annotations, args.out)
        for line in problems:
            print(for_terminal(line))
        if problems:
            return 1
        print(f"ok: {args.out} is in sync with {args.annotations}")
        return 0
    report = build(args.annotations, args.out)
    for line in report.warnings:
        print(for_terminal(line), file=sys.stderr)
    print(report.summary())
    return 0

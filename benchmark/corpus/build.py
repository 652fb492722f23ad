"""`kremlin-reactions build`: regenerate the Hugging Face dataset folder (`benchmark/data/`) from `annotations/`.

Data flows one way: annotations/ (the truth) -> build -> benchmark/data/ (the artifact). The folder holds
- `<config>/<split>.parquet` for the configs `documents`, `quotes`, `speakers`: labels stored as plain strings so
  pandas, DuckDB and Croissant read them as they are; the card's YAML declares them as ClassLabel for `datasets`;
- `README.md`: the dataset card. YAML generated with huggingface_hub/datasets; prose from `card_template.md`;
- `croissant.json`: Croissant 1.1 metadata (one record set per config);
- `gold_fingerprint.txt`: `annotations_fingerprint()` of the gold it was built from.

Deterministic: the same annotations give byte-identical files (no timestamps, pinned parquet writer options).
The gold is validated first; invalid gold is refused (InputError -> exit status 2), the folder is left untouched.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import string
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from benchmark import DATA_DIR, DATA_VERSION
from benchmark.corpus.annotations import annotations_fingerprint, read_annotations, split_of
from benchmark.dataset import CONFIGS, FINGERPRINT_FILE, SPEAKERS_SPLIT, SPLITS, split_path
from benchmark.errors import InputError
from benchmark.labels import QUOTE_TYPES, STANCES

HELP = "validate annotations/ and regenerate the Hugging Face dataset folder (benchmark/data/) from it"

CARD_TEMPLATE = Path(__file__).resolve().parent / "card_template.md"
DEFAULT_CONFIG = "quotes"
# Release date of DATA_VERSION (Croissant datePublished); bump both together. A constant, never "today", so that
# rebuilding gives byte-identical files.
DATA_RELEASE_DATE = "2026-12-01"
# Where the folder is meant to be published (Croissant/card `url`). Change here when the public location changes.
DATASET_URL = "https://huggingface.co/datasets/kremlin-reactions/kremlin-reactions"
CREATOR = "kremlin-reactions contributors"
ANNOTATIONS_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"

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


def features() -> dict:
    """The typed schema of every config, as `datasets.Features` (the one place the columns are defined)."""
    from datasets import ClassLabel, Features, List, Value

    text, int32, boolean = Value("string"), Value("int32"), Value("bool")
    return {
        "documents": Features({
            "doc_id": text,
            "text": text,
            "headline": text,
            "authors": List(text),
            "outlet": text,
            "outlet_aliases": List(text),
            "outlet_evidence": text,
            "published": Value("date32"),
            "date_evidence": text,
            "url": text,
            "boilerplate": List({"start": int32, "end": int32, "kind": text}),
            "evidence_note": text,
            "text_sha256": text,
        }),
        "quotes": Features({
            "quote_id": text,
            "doc_id": text,
            "start": int32,
            "end": int32,
            "text": text,
            "type": ClassLabel(names=list(QUOTE_TYPES)),
            "speaker_id": text,
            "speaker": text,
            "speaker_kind": text,
            "speaker_aliases": List(text),
            "speaker_mention": text,
            "speaker_start": int32,
            "speaker_end": int32,
            "cue": text,
            "cue_start": int32,
            "cue_end": int32,
            "stance": ClassLabel(names=list(STANCES)),
            "in_boilerplate": boolean,
            "optional": boolean,
            "optional_reason": text,
            "nested_in": text,
            "note": text,
        }),
        "speakers": Features({
            "speaker_id": text,
            "name": text,
            "disambiguator": text,
            "kind": text,
            "aliases": List(text),
            "description": text,
            "doc_id": text,
        }),
    }


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


def split_files(config: str, rows_by_split: dict[str, list[dict]]) -> list[tuple[str, str]]:
    """(split, relative parquet path) of a config, in the order of `rows_by_split`."""
    return [(split, split_path(config, split)) for split in rows_by_split]


def _split_order(splits) -> list[str]:
    return [s for s in SPLITS if s in splits] + sorted(set(splits) - set(SPLITS))


def make_rows(annotations_dir: str | Path) -> dict[str, dict[str, list[dict]]]:
    """Rows of every config and split (config -> split -> rows), from an already validated annotations folder.

    A split exists when at least one document falls in it; `quotes` has the same splits as `documents`.
    """
    ann = read_annotations(annotations_dir)
    speakers = {s["id"]: s for s in ann.speakers}
    split_of_doc = {doc_id: split_of(doc.gold["metadata"]["published"]) for doc_id, doc in ann.documents.items()}
    splits = _split_order(set(split_of_doc.values()))
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


def card_sections(card: str) -> dict:
    """What the card says once and croissant.json reuses: the summary (first paragraph under the title), the
    citation, and every column's (type, meaning) from the tables under the per-config headings."""
    body = card.split("\n---\n", 1)[1] if card.startswith("---\n") else card
    paragraphs = [p.strip() for p in body.strip().split("\n\n")]
    summary = paragraphs[1] if paragraphs[0].startswith("# ") else paragraphs[0]
    citation = re.search(r"```bibtex\n(.*?)```", body, re.S)
    columns: dict[str, dict[str, tuple[str, str]]] = {}
    config = None
    for line in body.splitlines():
        heading = re.match(r"^###\s+`(\w+)`", line)
        if heading:
            config = heading.group(1)
            continue
        if line.startswith("#"):
            config = None
        row = re.match(r"^\|\s*`(\w+)`\s*\|([^|]*)\|(.*)\|\s*$", line)
        if config and row:
            columns.setdefault(config, {})[row.group(1)] = (row.group(2).strip(), row.group(3).strip())
    return {
        "summary": re.sub(r"\s+", " ", summary),
        "citation": citation.group(1).strip() if citation else "",
        "columns": columns,
    }


def _markdown_plain(text: str) -> str:
    """Markdown cell text -> plain text for JSON metadata (drop backticks and link syntax)."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    return text.replace("`", "").replace("**", "").strip()


def render_card(rows: dict, tables: dict, fingerprint: str, template: str) -> str:
    """README.md: YAML metadata generated with huggingface_hub + datasets, then the Markdown template filled in."""
    from datasets import SplitDict, SplitInfo
    from datasets.info import DatasetInfo, DatasetInfosDict
    from huggingface_hub import DatasetCardData

    from benchmark.corpus.stats import corpus_stats, stats_markdown

    feats = features()
    ordered = [DEFAULT_CONFIG, *[c for c in CONFIGS if c != DEFAULT_CONFIG]]
    configs = []
    for config in ordered:
        entry = {"config_name": config}
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        entry["data_files"] = [{"split": split, "path": path} for split, path in split_files(config, rows[config])]
        entry["features"] = feats[config]._to_yaml_list()
        configs.append(entry)
    card_data = DatasetCardData(
        pretty_name="kremlin-reactions: who said what, with what stance, when and where",
        language=["en"],
        license="other",
        license_name="cc-by-4.0-annotations-copyrighted-texts",
        license_link="README.md#copyright-and-licensing",
        annotations_creators=["expert-generated"],
        language_creators=["found"],
        multilinguality=["monolingual"],
        size_categories=["n<1K"],
        source_datasets=["original"],
        task_categories=["token-classification", "text-classification"],
        tags=["quotation-extraction", "quote-attribution", "stance-detection", "news", "benchmark", "croissant"],
        configs=configs,
    )
    infos = {}
    for config in ordered:
        splits = SplitDict()
        for split, table in tables[config].items():
            splits.add(SplitInfo(name=split, num_bytes=table.nbytes, num_examples=table.num_rows))
        infos[config] = DatasetInfo(features=feats[config], splits=splits)
    DatasetInfosDict(infos).to_dataset_card_data(card_data)
    for info in card_data["dataset_info"]:                 # sizes of the files depend on the parquet writer: leave
        info.pop("download_size", None)                 # them out so the card depends only on the gold
        info.pop("dataset_size", None)

    stats = corpus_stats(rows)
    values = {
        "version": DATA_VERSION,
        "release_date": DATA_RELEASE_DATE,
        "fingerprint": fingerprint,
        "url": DATASET_URL,
        "version_key": DATA_VERSION.replace(".", "_"),
        "n_test_documents": stats["splits"].get("test", {}).get("documents", 0),
        "test_min_p": f"{min(1.0, 2 / 2 ** stats['splits'].get('test', {}).get('documents', 0)):.4g}",
        **{f"n_{key}": value for key, value in stats["totals"].items()},
        **stats_markdown(stats),
    }
    body = string.Template(template).substitute(values)
    return f"---\n{card_data.to_yaml()}\n---\n\n{body}"


CROISSANT_CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}


def _croissant_type(feature) -> tuple[str, bool]:
    """(Croissant dataType, is it a list) of a datasets feature as stored on disk."""
    from datasets import ClassLabel, List, Value

    if isinstance(feature, List):
        return _croissant_type(feature.feature)[0], True
    if isinstance(feature, ClassLabel):
        return "sc:Text", False
    dtype = feature.dtype if isinstance(feature, Value) else "string"
    return {"int32": "cr:Int32", "bool": "sc:Boolean", "date32": "sc:Date"}.get(dtype, "sc:Text"), False


def render_croissant(rows: dict, sections: dict) -> str:
    """croissant.json: Croissant 1.1 metadata, one record set per config, splits from the file paths."""
    from datasets import ClassLabel, List

    feats = features()
    distribution, record_sets = [], []
    for config in CONFIGS:
        docs = sections["columns"].get(config, {})
        missing = [name for name in feats[config] if name not in docs]
        if missing:
            raise RuntimeError(f"{CARD_TEMPLATE.name}: config {config!r}: columns without a description: {missing}")
        files_id = f"{config}-parquet"
        splits = [split for split, _ in split_files(config, rows[config])]
        distribution.append({
            "@type": "cr:FileSet",
            "@id": files_id,
            "name": files_id,
            "description": f"Parquet files of the {config!r} config, one per split ({', '.join(splits)}).",
            "encodingFormat": "application/x-parquet",
            "includes": f"{config}/*.parquet",
        })
        record_sets.append({
            "@type": "cr:RecordSet",
            "dataType": "cr:Split",
            "@id": f"{config}_splits",
            "name": f"{config}_splits",
            "description": f"Splits of the {config!r} config.",
            "key": {"@id": f"{config}_splits/split_name"},
            "field": [{
                "@type": "cr:Field",
                "@id": f"{config}_splits/split_name",
                "name": "split_name",
                "description": "Name of the split.",
                "dataType": "sc:Text",
            }],
            "data": [{f"{config}_splits/split_name": split} for split in splits],
        })
        fields = [{
            "@type": "cr:Field",
            "@id": f"{config}/split",
            "name": "split",
            "description": "Split the record belongs to (temporal split: train = 2016-2017, test = 2024).",
            "dataType": "sc:Text",
            "source": {
                "fileSet": {"@id": files_id},
                "extract": {"fileProperty": "fullpath"},
                # mlcroissant applies the transform to the path and again to the extracted name: match both.
                "transform": {"regex": r"^(?:.*/)?([^/]+?)(?:\.parquet)?$"},
            },
            "references": {"field": {"@id": f"{config}_splits/split_name"}},
        }]
        for name, feature in feats[config].items():
            entry = {
                "@type": "cr:Field",
                "@id": f"{config}/{name}",
                "name": name,
                "description": _markdown_plain(docs[name][1]),
            }
            if isinstance(feature, List) and isinstance(feature.feature, dict):
                entry["isArray"] = True
                entry["arrayShape"] = "-1"
                entry["subField"] = [{
                    "@type": "cr:Field",
                    "@id": f"{config}/{name}/{sub}",
                    "name": sub,
                    "dataType": _croissant_type(sub_feature)[0],
                    "source": {"fileSet": {"@id": files_id}, "extract": {"column": name},
                               "transform": {"jsonPath": sub}},
                } for sub, sub_feature in feature.feature.items()]
            else:
                data_type, is_list = _croissant_type(feature)
                entry["dataType"] = data_type
                if is_list:
                    entry["isArray"] = True
                    entry["arrayShape"] = "-1"
                entry["source"] = {"fileSet": {"@id": files_id}, "extract": {"column": name}}
            if isinstance(feature, ClassLabel):
                entry["description"] += f" One of: {', '.join(feature.names)}."
            fields.append(entry)
        record_sets.append({
            "@type": "cr:RecordSet",
            "@id": config,
            "name": config,
            "description": f"The {config!r} config of the Hugging Face dataset folder.",
            "field": fields,
        })
    metadata = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": "kremlin-reactions",
        "description": _markdown_plain(sections["summary"]),
        "url": DATASET_URL,
        "version": DATA_VERSION,
        "datePublished": DATA_RELEASE_DATE,
        "license": [
            ANNOTATIONS_LICENSE_URL,
            "Annotations: CC BY 4.0. Article texts: copyright of their publishers, included for research and "
            "teaching only (article 003 carries an explicit no-reuse notice); see the dataset card.",
        ],
        "creator": {"@type": "sc:Organization", "name": CREATOR},
        "citeAs": sections["citation"],
        "inLanguage": "en",
        "keywords": ["quotation extraction", "quote attribution", "stance detection", "news", "Russia", "Trump"],
        "isAccessibleForFree": True,
        "distribution": distribution,
        "recordSet": record_sets,
    }
    return json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# build


def _validate(annotations_dir: Path) -> None:
    from benchmark.corpus.validate import validate

    if not annotations_dir.is_dir():
        raise InputError(f"{annotations_dir}: not a directory (expected an annotations folder)")
    result = validate(annotations_dir)
    if not result.ok:
        raise InputError(list(result.problems) or [f"{annotations_dir}: invalid annotations"])
    if not any((annotations_dir / "gold").glob("*.json")):
        raise InputError(f"{annotations_dir / 'gold'}: no gold files: nothing to build")


def _managed_files(folder: Path) -> list[Path]:
    """Files of `folder` that the build owns (everything else, e.g. a .gitattributes, is left alone)."""
    owned = [folder / name for name in ("README.md", "croissant.json", FINGERPRINT_FILE)]
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

    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in _managed_files(out_dir):
        if stale.relative_to(out_dir).as_posix() not in outputs:
            stale.unlink()
    report = BuildReport(out_dir=out_dir, fingerprint=fingerprint, version=DATA_VERSION)
    for rel, data in sorted(outputs.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        report.files[rel] = hashlib.sha256(data).hexdigest()
    report.rows = {config: {split: len(r) for split, r in rows[config].items()} for config in CONFIGS}
    return report


def build(annotations_dir: str | Path = "annotations", out_dir: str | Path = DATA_DIR) -> BuildReport:
    """Validate `annotations_dir`, then regenerate the dataset folder `out_dir` from it (deterministically).

    Raises InputError with the validator's problems when the gold is invalid; nothing is written then.
    """
    annotations_dir = Path(annotations_dir)
    _validate(annotations_dir)
    return write_folder(annotations_dir, out_dir)


# ---------------------------------------------------------------------------------------------------------------
# sync check


def _same_parquet(a: Path, b: Path) -> bool:
    """Same schema (with metadata) and rows: true also when a different pyarrow version wrote the bytes."""
    ta, tb = pq.read_table(a), pq.read_table(b)
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
    for rel in sorted(new.keys() & old.keys()):
        a, b = new[rel].read_bytes(), old[rel].read_bytes()
        if a == b:
            continue
        if rel.endswith(".parquet"):
            writers = {pq.ParquetFile(p).metadata.created_by for p in (new[rel], old[rel])}
            if len(writers) > 1 and _same_parquet(new[rel], old[rel]):
                continue
        elif rel == "README.md":
            if _front_matter(a.decode()) == _front_matter(b.decode()):
                continue
        problems.append(f"{committed / rel}: differs from a fresh build of the annotations (run `kremlin-reactions build`)")
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
            print(line)
        if problems:
            return 1
        print(f"ok: {args.out} is in sync with {args.annotations}")
        return 0
    print(build(args.annotations, args.out).summary())
    return 0

"""The dataset card (README.md of the data folder: YAML generated with huggingface_hub/datasets, prose from
`card_template.md`) and its Croissant 1.1 metadata, both made from the built rows."""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

from benchmark import DATA_VERSION
from benchmark.corpus.columns import features, split_files
from benchmark.dataset import CONFIGS

CARD_TEMPLATE = Path(__file__).resolve().parent / "card_template.md"
DEFAULT_CONFIG = "quotes"
# Release date of DATA_VERSION (Croissant datePublished); bump both together. A constant, never "today", so that
# rebuilding gives byte-identical files.
DATA_RELEASE_DATE = "2026-12-01"
# Where the folder is meant to be published (Croissant/card `url`). Change here when the public location changes.
DATASET_URL = "https://huggingface.co/datasets/kremlin-reactions/kremlin-reactions"
CREATOR = "kremlin-reactions contributors"
ANNOTATIONS_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"

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


def _and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


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
        "n_splits": len(stats["splits"]),
        "split_names": ", ".join(f"`{split}`" for split in stats["splits"]),
        "split_list": ", ".join(stats["splits"]),
        "published_years": _and_list(sorted({d["published"][:4] for d in stats["documents"]})),
        "split_min_p": "; ".join(f"`{split}` has {c['documents']} document{'s' if c['documents'] != 1 else ''}, "
                                 f"so p >= {min(1.0, 2 / 2 ** c['documents']):.4g}"
                                 for split, c in stats["splits"].items()),
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
            "description": "Split the record belongs to, as its article's gold declares it (metadata.split); "
                           f"this folder's splits: {', '.join(splits)}.",
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



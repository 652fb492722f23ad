"""`kremlin-reactions stats`: counts of a built dataset folder (documents, units per type, stance, speakers).

The same function fills the counts in the dataset card at build time, so every number in the card, the README
and DATASHEET.md comes from one place and can be re-printed with `kremlin-reactions stats`.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter

from benchmark import DATA_DIR
from benchmark.labels import QUOTE_TYPES, SPEAKER_KINDS, STANCES, TRACK_A_TYPES

HELP = "print the counts of a built dataset folder (documents, units per type and split, stance, speakers)"


def corpus_stats(rows: dict[str, dict[str, list[dict]]]) -> dict:
    """Counts from rows of every config (config -> split -> rows, as `benchmark.dataset.read_rows` returns them)."""
    documents = [(split, r) for split, rs in rows["documents"].items() for r in rs]
    quotes = [(split, r) for split, rs in rows["quotes"].items() for r in rs]
    speakers = [r for rs in rows["speakers"].values() for r in rs]

    def unit_counts(units: list[dict]) -> dict:
        types = Counter(q["type"] for q in units)
        return {
            **{t: types[t] for t in QUOTE_TYPES},
            "track_a": sum(types[t] for t in TRACK_A_TYPES),
            "track_b": sum(types[t] for t in QUOTE_TYPES if t not in TRACK_A_TYPES),
            "optional": sum(q["optional"] for q in units),
            "in_boilerplate": sum(q["in_boilerplate"] for q in units),
            "nested": sum(q["nested_in"] is not None for q in units),
        }

    splits = {}
    for split in rows["documents"]:
        units = [q for s, q in quotes if s == split]
        docs = [d for s, d in documents if s == split]
        dates = sorted(str(d["published"]) for d in docs)
        splits[split] = {"documents": len(docs), **unit_counts(units),
                         "published_from": dates[0] if dates else None, "published_to": dates[-1] if dates else None,
                         "outlets": sorted({d["outlet"] for d in docs}),
                         "speakers": len({q["speaker_id"] for q in units})}
    per_document = []
    for split, d in documents:
        units = [q for _, q in quotes if q["doc_id"] == d["doc_id"]]
        per_document.append({
            "doc_id": d["doc_id"], "split": split, "outlet": d["outlet"], "outlet_evidence": d["outlet_evidence"],
            "published": str(d["published"]), "date_evidence": d["date_evidence"], "url": d["url"],
            "characters": len(d["text"]), "boilerplate_regions": len(d["boilerplate"]),
            "speakers": len({q["speaker_id"] for q in units}), **unit_counts(units),
        })
    stance = {}
    for split in rows["documents"]:
        for track, types in (("A", TRACK_A_TYPES), ("B", tuple(t for t in QUOTE_TYPES if t not in TRACK_A_TYPES))):
            labels = Counter(q["stance"] for s, q in quotes if s == split and q["type"] in types)
            stance[f"{split} {track}"] = {label: labels[label] for label in STANCES}
    kinds = Counter(s["kind"] for s in speakers)
    quote_kinds = Counter(q["speaker_kind"] for _, q in quotes)
    boilerplate = Counter(region["kind"] for _, d in documents for region in d["boilerplate"])
    return {
        "totals": {
            "documents": len(documents), "units": len(quotes), **unit_counts([q for _, q in quotes]),
            "speakers": len(speakers), "boilerplate_regions": sum(boilerplate.values()),
        },
        "splits": splits,
        "documents": per_document,
        "stance": stance,
        "speaker_kinds": {k: {"speakers": kinds[k], "units": quote_kinds[k]} for k in SPEAKER_KINDS},
        "boilerplate_kinds": dict(sorted(boilerplate.items())),
    }


def _cell(value: object) -> str:
    """A table cell from the gold (outlets, urls): one line, and neither a `|` that would split the cell nor a `<`
    that would open HTML in the card and the DATASHEET."""
    return " ".join(str(value).split()).replace("|", "\\|").replace("<", "&lt;")


def _table(header: list[str], body: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in body]
    return "\n".join(lines)


def _date_range(first: str | None, last: str | None) -> str:
    return "—" if first is None else first if first == last else f"{first} to {last}"


def stats_markdown(stats: dict) -> dict[str, str]:
    """The counts as Markdown tables, keyed by the names the card template uses (`${split_table}`, ...)."""
    unit_cols = ["direct", "partial", "indirect", "optional", "in_boilerplate", "nested"]
    total = stats["totals"]
    return {
        "split_overview_table": _table(
            ["split", "documents", "published", "outlets", "speakers attributed", "Track A", "Track B"],
            [[split, c["documents"], _date_range(c["published_from"], c["published_to"]), ", ".join(c["outlets"]),
              c["speakers"], c["track_a"], c["track_b"]] for split, c in stats["splits"].items()],
        ),
        "split_table": _table(
            ["split", "documents", "direct", "partial", "Track A", "indirect (Track B)", "optional", "in boilerplate",
             "nested"],
            [[split, c["documents"], c["direct"], c["partial"], c["track_a"], c["indirect"], c["optional"],
              c["in_boilerplate"], c["nested"]] for split, c in stats["splits"].items()]
            + [["**all**", total["documents"], total["direct"], total["partial"], total["track_a"], total["indirect"],
                total["optional"], total["in_boilerplate"], total["nested"]]],
        ),
        "document_table": _table(
            ["doc_id", "split", "characters", "boilerplate regions", *unit_cols, "speakers"],
            [[f"`{d['doc_id']}`", d["split"], d["characters"], d["boilerplate_regions"],
              *[d[c] for c in unit_cols], d["speakers"]] for d in stats["documents"]],
        ),
        "provenance_table": _table(
            ["doc_id", "split", "outlet", "outlet evidence", "published", "date evidence", "url"],
            [[f"`{d['doc_id']}`", d["split"], d["outlet"], d["outlet_evidence"], d["published"], d["date_evidence"],
              d["url"]] for d in stats["documents"]],
        ),
        "stance_table": _table(
            ["split", "track", *STANCES],
            [[*key.split(" "), *counts.values()] for key, counts in stats["stance"].items()],
        ),
        "speaker_table": _table(
            ["kind", "speakers in the registry", "units attributed"],
            [[kind, c["speakers"], c["units"]] for kind, c in stats["speaker_kinds"].items()],
        ),
        "boilerplate_table": _table(
            ["kind", "regions"], [[kind, n] for kind, n in stats["boilerplate_kinds"].items()] or [["(none)", 0]],
        ),
    }


def folder_stats(data_dir=None) -> dict:
    """`corpus_stats` of a built dataset folder."""
    from benchmark.dataset import CONFIGS, available_splits, read_rows

    return corpus_stats({
        config: {split: read_rows(config, split, data_dir) for split in available_splits(config, data_dir)}
        for config in CONFIGS
    })


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", nargs="?", default=DATA_DIR, metavar="DATA_DIR",
                        help="built dataset folder (default: the package's benchmark/data)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON instead of Markdown tables")


def run(args: argparse.Namespace) -> int:
    stats = folder_stats(args.data_dir)
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    titles = {
        "split_overview_table": "Splits", "split_table": "Units per split", "document_table": "Units per document",
        "provenance_table": "Provenance", "stance_table": "Stance labels per split and track",
        "speaker_table": "Speakers", "boilerplate_table": "Boilerplate regions",
    }
    for key, table in stats_markdown(stats).items():
        print(f"## {titles[key]}\n\n{table}\n")
    return 0

"""The dataset's columns and their types, per config: the one declaration the parquet schema, the card's YAML
and the Croissant metadata are made from."""
from __future__ import annotations

from benchmark.dataset import split_path
from benchmark.labels import QUOTE_TYPES, STANCES


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


def split_files(config: str, rows_by_split: dict[str, list[dict]]) -> list[tuple[str, str]]:
    """(split, relative parquet path) of a config, in the order of `rows_by_split`."""
    return [(split, split_path(config, split)) for split in rows_by_split]

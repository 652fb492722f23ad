"""Read the annotations folder (the source of truth) into plain Python structures.

This module only reads; `benchmark.validate` checks, `benchmark.build` turns the result into the dataset folder.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

# Closed label sets: one place for every module (validator, build, scorer, baselines).
QUOTE_TYPES = ("direct", "partial", "indirect")
TRACK_A_TYPES = ("direct", "partial")
TRACK_B_TYPES = ("indirect",)
STANCES = ("favor", "against", "neutral", "none")
SPEAKER_KINDS = ("person", "anonymous", "organization", "group", "other")
OUTLET_EVIDENCE = ("explicit", "external")
DATE_EVIDENCE = ("explicit", "inferred", "external")
BOILERPLATE_KINDS = (
    "navigation", "video_widget", "photo_gallery", "file_names", "caption", "related_link",
    "share_bar", "advertisement", "legal_notice", "sidebar", "promo",
)
# Temporal split: 2016-2017 articles train, 2024 articles test (see the dataset card).
SPLIT_OF_YEAR = {2016: "train", 2017: "train"}
DEFAULT_SPLIT = "test"


@dataclass
class AnnotatedDocument:
    doc_id: str
    text: str                      # decoded UTF-8, never normalised
    text_sha256: str               # sha256 of the raw bytes on disk
    gold: dict                     # the parsed gold/<doc_id>.json (may be invalid: validate before trusting)
    text_path: Path
    gold_path: Path


@dataclass
class Annotations:
    root: Path
    documents: dict[str, AnnotatedDocument] = field(default_factory=dict)
    speakers: list[dict] = field(default_factory=list)
    speakers_path: Path | None = None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def split_of(published: str) -> str:
    """Split of a document from its ISO publication date (temporal split)."""
    return SPLIT_OF_YEAR.get(int(published[:4]), DEFAULT_SPLIT)


def read_annotations(root: str | Path) -> Annotations:
    """Read `root/documents/*.txt`, `root/gold/*.json` and `root/speakers.json` without validating them.

    Raises FileNotFoundError / json.JSONDecodeError / UnicodeDecodeError on unreadable files; the validator
    catches these and reports them as problems.
    """
    root = Path(root)
    ann = Annotations(root=root)
    ann.speakers_path = root / "speakers.json"
    ann.speakers = json.loads(ann.speakers_path.read_text(encoding="utf-8"))["speakers"]
    for gold_path in sorted((root / "gold").glob("*.json")):
        doc_id = gold_path.stem
        text_path = root / "documents" / f"{doc_id}.txt"
        raw = text_path.read_bytes()
        ann.documents[doc_id] = AnnotatedDocument(
            doc_id=doc_id,
            text=raw.decode("utf-8"),
            text_sha256=sha256_bytes(raw),
            gold=json.loads(gold_path.read_text(encoding="utf-8")),
            text_path=text_path,
            gold_path=gold_path,
        )
    return ann


def annotations_fingerprint(root: str | Path) -> str:
    """Content hash of everything that defines the gold: texts, gold files, speakers (file names + bytes)."""
    root = Path(root)
    h = hashlib.sha256()
    files = [root / "speakers.json", *sorted((root / "gold").glob("*.json")), *sorted((root / "documents").glob("*.txt"))]
    for path in files:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()

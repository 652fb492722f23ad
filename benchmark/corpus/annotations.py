"""Read the annotations folder (the source of truth) into plain Python structures.

This module only reads; `benchmark.corpus.validate` checks, `benchmark.corpus.build` turns the result into the
dataset folder.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.dataset import hash_named_files
from benchmark.safe_io import MIB, read_bytes, read_text

# Every annotation file (article text, gold file, speaker registry) is read only when it is a regular file of at
# most this size: an article is ~10 KB, so this is generous, and a FIFO or /dev/zero can never hang a command.
MAX_ANNOTATION_BYTES = 16 * MIB


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


def split_of(gold: dict) -> str:
    """The split an article belongs to: its gold file's `metadata.split` (declared, never derived from the date)."""
    return gold["metadata"]["split"]


def is_pass_folder(root: str | Path) -> bool:
    """Is `root` one annotator's pass (`.../annotations/passes/<name>`, reading the shared documents/)?

    A pass covers the articles that annotator did (the others have no gold file there) and leaves the split to
    adjudication, so the validator asks less of it than of the adjudicated gold.
    """
    root = Path(root)
    return root.parent.name == "passes" and not (root / "documents").is_dir()


def resolve_documents_dir(root: str | Path, documents_dir: str | Path | None = None) -> Path:
    """Folder holding the article texts of the annotations folder `root`.

    An explicit `documents_dir` wins. Otherwise `root/documents`; if that does not exist and `root` is one of the
    independent annotation passes (`.../annotations/passes/<name>`, which hold only gold/ and speakers.json), the
    shared `.../annotations/documents` two levels up. If neither exists, `root/documents` is returned anyway so
    that error messages name the expected place.
    """
    if documents_dir is not None:
        return Path(documents_dir)
    root = Path(root)
    own = root / "documents"
    if own.is_dir():
        return own
    shared = root.parent.parent / "documents"
    if root.parent.name == "passes" and shared.is_dir():
        return shared
    return own


def read_annotations(root: str | Path, documents_dir: str | Path | None = None) -> Annotations:
    """Read `root/gold/*.json`, `root/speakers.json` and the matching texts, without validating them.

    Texts come from `resolve_documents_dir(root, documents_dir)`: `root/documents`, or for a pass folder such as
    `annotations/passes/a` the shared `annotations/documents`. Raises InputError for a file that is missing, not a
    regular file, over MAX_ANNOTATION_BYTES or not UTF-8, json.JSONDecodeError for invalid JSON: run
    `benchmark.corpus.validate.validate` first for readable messages.
    """
    root = Path(root)
    docs_dir = resolve_documents_dir(root, documents_dir)
    ann = Annotations(root=root)
    ann.speakers_path = root / "speakers.json"
    ann.speakers = json.loads(read_text(ann.speakers_path, limit=MAX_ANNOTATION_BYTES))["speakers"]
    for gold_path in sorted((root / "gold").glob("*.json")):
        doc_id = gold_path.stem
        text_path = docs_dir / f"{doc_id}.txt"
        raw = read_bytes(text_path, limit=MAX_ANNOTATION_BYTES)
        ann.documents[doc_id] = AnnotatedDocument(
            doc_id=doc_id,
            text=raw.decode("utf-8"),
            text_sha256=sha256_bytes(raw),
            gold=json.loads(read_text(gold_path, limit=MAX_ANNOTATION_BYTES)),
            text_path=text_path,
            gold_path=gold_path,
        )
    return ann


def annotations_fingerprint(root: str | Path, documents_dir: str | Path | None = None) -> str:
    """Content hash of everything that defines the gold: texts, gold files, speakers (file names + bytes).

    Files are named relative to the annotations folder (`speakers.json`, `gold/<id>.json`,
    `documents/<id>.txt`), so the hash does not depend on where the folder lives.
    """
    root = Path(root)
    docs_dir = resolve_documents_dir(root, documents_dir)
    files = [("speakers.json", root / "speakers.json")]
    files += [(f"gold/{p.name}", p) for p in sorted((root / "gold").glob("*.json"))]
    files += [(f"documents/{p.name}", p) for p in sorted(docs_dir.glob("*.txt"))]
    return hash_named_files(files, limit=MAX_ANNOTATION_BYTES)

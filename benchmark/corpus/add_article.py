"""`kremlin-reactions add-article TEXT_FILE --split NAME [--doc-id ID] [--annotations DIR]`: start annotating an
article of your own.

Copies the text byte for byte into `DIR/documents/<doc_id>.txt` and writes `DIR/gold/<doc_id>.json`, a skeleton
holding the doc id, the text's sha256 and the split, with empty `boilerplate` and `quotes` lists. The skeleton is
valid JSON but not yet valid gold: `kremlin-reactions validate DIR` then lists each missing field with what to
write in it. Nothing is ever overwritten: an existing doc id, a text already in the folder (the same bytes under
another id) and a text that is not UTF-8 are refused, and nothing is written then.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from benchmark.corpus.annotations import MAX_ANNOTATION_BYTES, is_pass_folder, sha256_bytes
from benchmark.corpus.schema import DOC_ID_PATTERN, RESERVED_SPLITS, SPLIT_PATTERN
from benchmark.errors import InputError
from benchmark.safe_io import read_bytes

HELP = "copy a new article's text into the annotations folder and write its gold skeleton (then: validate, locate)"


def skeleton(doc_id: str, text_sha256: str, split: str) -> dict:
    """The gold file of a new article: what add-article knows; the validator asks for the rest."""
    return {"doc_id": doc_id, "text_sha256": text_sha256, "metadata": {"split": split}, "boilerplate": [],
            "quotes": []}


def check_split_name(split: str) -> str:
    if not re.fullmatch(SPLIT_PATTERN, split):
        raise InputError(f"--split: {split!r} is not a split name: a lowercase letter, then up to 31 lowercase letters, "
                         "digits or _ (e.g. private)")
    if split in RESERVED_SPLITS:
        raise InputError(f"--split: {split!r} is reserved (`--split {split}` means every split): choose another name")
    return split


def add_article(text_file: str | Path, split: str, doc_id: str | None = None,
                annotations: str | Path = "annotations") -> tuple[Path, Path]:
    """Copy `text_file` into `annotations/documents/` and write its gold skeleton; return (text path, gold path).

    Raises InputError (and writes nothing) for a bad split name or doc id, an unreadable, empty or non-UTF-8 text,
    a doc id already used, or a text already in the folder.
    """
    text_file, annotations = Path(text_file), Path(annotations)
    check_split_name(split)
    doc_id = doc_id if doc_id is not None else text_file.stem
    if not re.fullmatch(DOC_ID_PATTERN, doc_id):
        hint = "" if doc_id != text_file.stem else " (the file name's stem; choose one with --doc-id, e.g. 905_myarticle)"
        raise InputError(f"--doc-id: {doc_id!r} is not a document id: letters, digits and _, at most 64, not "
                         f"starting with _{hint}")
    if not annotations.is_dir():
        raise InputError(f"{annotations}: not a folder (expected an annotations folder with documents/, gold/ and "
                         "speakers.json)")
    if is_pass_folder(annotations):
        raise InputError(f"{annotations}: is an annotation pass (it reads {annotations.parent.parent / 'documents'}): "
                         f"add the article to {annotations.parent.parent} itself")
    # a regular file within the annotations' cap (what validate would refuse later, refused now; /dev/zero too)
    raw = read_bytes(text_file, limit=MAX_ANNOTATION_BYTES)
    if not raw.strip():
        raise InputError(f"{text_file}:1: text: empty: nothing to annotate")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise InputError(f"{text_file}:{line}: text: not valid UTF-8 (byte {raw[err.start]:#04x} at byte offset "
                         f"{err.start}): convert it to UTF-8 first (offsets index the decoded text)") from None
    documents, gold_dir = annotations / "documents", annotations / "gold"
    text_path, gold_path = documents / f"{doc_id}.txt", gold_dir / f"{doc_id}.json"
    taken = [str(p) for p in (text_path, gold_path) if p.exists()]
    if taken:
        raise InputError(f"--doc-id: {doc_id!r} is already used ({', '.join(taken)}): choose another id; "
                         "nothing is overwritten")
    sha = sha256_bytes(raw)
    for existing in sorted(documents.glob("*.txt")) if documents.is_dir() else []:
        if sha256_bytes(existing.read_bytes()) == sha:
            raise InputError(f"{text_file}: text: the same bytes are already in the folder as {existing}")
    gold = (json.dumps(skeleton(doc_id, sha, split), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    documents.mkdir(exist_ok=True)
    gold_dir.mkdir(exist_ok=True)
    written: list[Path] = []
    try:
        for path, data in ((text_path, raw), (gold_path, gold)):
            with path.open("xb") as f:            # exclusive: never replaces a file that appeared meanwhile
                written.append(path)
                f.write(data)
    except OSError as err:
        for path in written:
            path.unlink(missing_ok=True)
        raise InputError(f"{err.filename or annotations}: cannot write: {err.strerror or err}") from None
    return text_path, gold_path


def next_steps(annotations: Path, doc_id: str) -> list[str]:
    """The commands that take the skeleton to a built dataset folder."""
    folder = str(annotations)
    default = annotations == Path("annotations")
    build = "kremlin-reactions build" if default else f"kremlin-reactions build --annotations {folder} --out DATA_DIR"
    return [
        f"kremlin-reactions validate {folder}          # lists what the gold still needs, field by field",
        f"kremlin-reactions locate {doc_id} \"exact quoted words\"" + ("" if default else f" --annotations {folder}")
        + "   # offsets for each quote",
        f"$EDITOR {annotations / 'gold' / (doc_id + '.json')} {annotations / 'speakers.json'}   # GUIDELINES.md",
        f"{build}          # once validate prints ok",
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text_file", metavar="TEXT_FILE", help="the article as a UTF-8 text file (copied byte for byte)")
    parser.add_argument("--split", required=True, metavar="NAME",
                        help="the split it belongs to: train, test, or a name of your own such as private")
    parser.add_argument("--doc-id", default=None, metavar="ID",
                        help="its document id (default: the file name's stem); letters, digits and _")
    parser.add_argument("--annotations", default="annotations", metavar="DIR",
                        help="annotations folder to add it to (default: annotations)")


def run(args: argparse.Namespace) -> int:
    text_path, gold_path = add_article(args.text_file, args.split, args.doc_id, args.annotations)
    doc_id = gold_path.stem
    print(f"added {doc_id} (split {args.split}): {text_path} ({text_path.stat().st_size} bytes) and the gold "
          f"skeleton {gold_path}")
    print("next:")
    for line in next_steps(Path(args.annotations), doc_id):
        print(f"  {line}")
    return 0

"""Find the character offsets of a piece of text the annotator chose (`kremlin-reactions locate`).

It only locates: the annotator decides what is a quote and types its exact text; this prints the
`{"start", "end", "text"}` span to paste into the gold file, so nobody counts characters by hand.
Offsets are Python `str` indices (code points) into the UTF-8 decoded text, end-exclusive.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from benchmark.corpus.annotations import MAX_ANNOTATION_BYTES, resolve_documents_dir
from benchmark.errors import InputError
from benchmark.safe_io import for_terminal, read_text, size_text

HELP = "print the character span of an exact piece of text in an annotated document"


def find_all(text: str, needle: str) -> list[tuple[int, int]]:
    """Every (start, end) where `needle` occurs in `text`, overlapping occurrences included, in text order."""
    if not needle:
        return []
    spans = []
    i = text.find(needle)
    while i != -1:
        spans.append((i, i + len(needle)))
        i = text.find(needle, i + 1)
    return spans


def find_all_any_whitespace(text: str, needle: str) -> list[tuple[int, int]]:
    """Like `find_all`, but any run of whitespace in `needle` matches any run of whitespace (line breaks
    included) in `text`; everything else must match exactly. For quotes that wrap across lines."""
    words = needle.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    spans = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        spans.append((m.start(), m.end()))
        pos = m.start() + 1
    return spans


def locate(text: str, needle: str, occurrence: int | None = None, *, any_whitespace: bool = False) -> tuple[int, int]:
    """(start, end) of `needle` in `text` such that `text[start:end] == needle` (or, with `any_whitespace`,
    equal up to whitespace runs).

    `occurrence` is 1-based and required when the needle occurs more than once. Raises ValueError when the needle
    is not found, is ambiguous, or the occurrence does not exist.
    """
    spans = find_all_any_whitespace(text, needle) if any_whitespace else find_all(text, needle)
    if not spans:
        hint = ""
        if not any_whitespace and find_all_any_whitespace(text, needle):
            hint = " (it occurs with different whitespace or line breaks: use any_whitespace / --any-whitespace)"
        raise ValueError(f"{needle!r} not found{hint}")
    if occurrence is None:
        if len(spans) > 1:
            where = ", ".join(f"{s}-{e}" for s, e in spans[:10])
            raise ValueError(f"{needle!r} occurs {len(spans)} times (at {where}): choose one with occurrence / --occurrence N")
        return spans[0]
    if not 1 <= occurrence <= len(spans):
        raise ValueError(f"occurrence {occurrence} requested but {needle!r} occurs {len(spans)} time(s)")
    return spans[occurrence - 1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("doc_id", metavar="DOC_ID", help="document id (file stem), or a unique prefix such as 002")
    parser.add_argument("needle", metavar="TEXT", help="the exact text to find, as it appears in the document")
    parser.add_argument("--occurrence", type=int, metavar="N", help="which occurrence (1-based) when TEXT occurs several times")
    parser.add_argument("--annotations", default="annotations", metavar="DIR",
                        help="annotations folder whose documents/ holds the texts (default: annotations; a text is "
                             f"read when it is a regular file of at most {size_text(MAX_ANNOTATION_BYTES)})")
    parser.add_argument("--any-whitespace", action="store_true",
                        help="let spaces in TEXT match any whitespace run (line breaks) in the document")


def _document_path(annotations: Path, doc_id: str) -> Path:
    docs_dir = resolve_documents_dir(annotations)
    if not docs_dir.is_dir():
        raise InputError(f"{docs_dir}: not a folder (use --annotations DIR)")
    exact = docs_dir / f"{doc_id}.txt"
    if exact.is_file():
        return exact
    candidates = sorted(docs_dir.glob(f"{_glob_escape(doc_id)}*.txt"))
    if len(candidates) == 1:
        return candidates[0]
    known = ", ".join(p.stem for p in sorted(docs_dir.glob("*.txt")))
    if candidates:
        raise InputError(f"{docs_dir}: doc_id: {doc_id!r} matches several documents: {', '.join(p.stem for p in candidates)}")
    raise InputError(f"{docs_dir}: doc_id: no document {doc_id!r} (known: {known or 'none'})")


def _glob_escape(s: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", s)


def run(args: argparse.Namespace) -> int:
    path = _document_path(Path(args.annotations), args.doc_id)
    text = read_text(path, limit=MAX_ANNOTATION_BYTES, what="the text")    # a regular file, strict UTF-8
    try:
        start, end = locate(text, args.needle, args.occurrence, any_whitespace=args.any_whitespace)
    except ValueError as err:
        raise InputError(f"{path}: text: {err}") from None
    spans = (find_all_any_whitespace if args.any_whitespace else find_all)(text, args.needle)
    print(for_terminal(json.dumps({"start": start, "end": end, "text": text[start:end]}, ensure_ascii=False)))
    line = text.count("\n", 0, start) + 1
    print(f"{path.name}:{line}: occurrence {spans.index((start, end)) + 1} of {len(spans)}", file=sys.stderr)
    return 0

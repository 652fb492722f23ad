#!/usr/bin/env python3
"""predict.py of the Codabench starting kit: predictions for the articles of one phase, from its texts file.

    python3 predict.py texts_test.jsonl -o predictions.jsonl                        # the naive sample extractor
    python3 predict.py texts_test.jsonl -o predictions.jsonl --extractor my_module:MyExtractor

texts_<split>.jsonl holds one {"doc_id", "text"} object per article of the phase (the article texts, never the
gold). The sample extractor takes every span between double quotation marks (curly or straight) as a direct quote
with a neutral stance, and abstains on outlet and date: it shows the format and scores above zero, nothing more.
`--extractor MODULE:CLASS` runs any class with `extract(document) -> dict` (the kremlin-reactions extractor
interface; `fit` is not called: fit it beforehand, on the repository's train split). Zip predictions.jsonl alone
(`zip submission.zip predictions.jsonl`) and upload the zip to the phase.

Standard library only, so it runs anywhere Python 3.9+ does. This file is `benchmark/grading/starting_kit.py` of
kremlin-reactions; the bundle builder imports it to make the sample submission, so the two never disagree.
"""
from __future__ import annotations

import argparse
import importlib
import json
import re
import sys

QUOTED = re.compile(r"\u201c([^\u201d]+)\u201d|\"([^\"\n]+)\"")


def naive_prediction(document: dict) -> dict:
    """Every double-quoted span as a direct, neutral quote; outlet and date abstained (null)."""
    quotes = []
    for match in QUOTED.finditer(document["text"]):
        group = 1 if match.group(1) is not None else 2
        quotes.append({"start": match.start(group), "end": match.end(group), "type": "direct", "stance": "neutral"})
    return {"doc_id": document["doc_id"], "outlet": None, "published": None, "quotes": quotes}


def read_texts(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def predictions_lines(documents: list[dict], extract=naive_prediction) -> list[str]:
    """One JSON line per document, in the order given, with its doc_id."""
    lines = []
    for document in documents:
        prediction = dict(extract({"doc_id": document["doc_id"], "text": document["text"]}))
        prediction["doc_id"] = document["doc_id"]
        lines.append(json.dumps(prediction, ensure_ascii=False, sort_keys=True) + "\n")
    return lines


def load_extract(spec: str):
    module_name, _, class_name = spec.partition(":")
    if not class_name:
        sys.exit(f"--extractor: expected MODULE:CLASS, got {spec!r}")
    sys.path.insert(0, ".")
    return getattr(importlib.import_module(module_name), class_name)().extract


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="predict.py", description=__doc__.split("\n")[0])
    parser.add_argument("texts", help="texts_<split>.jsonl from the starting kit")
    parser.add_argument("-o", "--output", default="predictions.jsonl", help="where to write (default predictions.jsonl)")
    parser.add_argument("--extractor", metavar="MODULE:CLASS", help="your extractor instead of the naive one")
    args = parser.parse_args(argv)
    extract = load_extract(args.extractor) if args.extractor else naive_prediction
    lines = predictions_lines(read_texts(args.texts), extract)
    with open(args.output, "w", encoding="utf-8") as f:
        f.writelines(lines)
    print(f"wrote {args.output} ({len(lines)} documents): zip it alone and upload the zip", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

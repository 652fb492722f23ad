"""A made-up sixth article (tests/fixtures/new_article), added to an annotations folder the way an instructor adds
one: `kremlin-reactions add-article`, then the annotation filled into the skeleton and its speakers registered.

    python -m tests.new_article ANNOTATIONS_DIR [--split NAME]    # the same from a shell (e.g. to try the suite
                                                                   # on a corpus with one more article)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NEW_ARTICLE = Path(__file__).resolve().parent / "fixtures" / "new_article"
TEXT = NEW_ARTICLE / "950_thaw.txt"
DOC_ID = TEXT.stem


def fill_gold(annotations: Path, doc_id: str = DOC_ID) -> None:
    """Fill the skeleton that add-article wrote with the fixture's annotation, and register its speakers."""
    gold_path = annotations / "gold" / f"{doc_id}.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    annotation = json.loads((NEW_ARTICLE / "annotation.json").read_text(encoding="utf-8"))
    gold["metadata"] = {**annotation["metadata"], "split": gold["metadata"]["split"]}
    gold["boilerplate"], gold["quotes"] = annotation["boilerplate"], annotation["quotes"]
    gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    registry_path = annotations / "speakers.json"
    registry = json.loads(registry_path.read_text(encoding="utf-8"))
    known = {s["id"] for s in registry["speakers"]}
    extra = json.loads((NEW_ARTICLE / "speakers.json").read_text(encoding="utf-8"))["speakers"]
    registry["speakers"] += [s for s in extra if s["id"] not in known]
    registry_path.write_text(json.dumps(registry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def add_fixture_article(annotations: Path, split: str = "private") -> str:
    """add-article + fill_gold; returns the doc id."""
    from benchmark.cli import main

    assert main(["add-article", str(TEXT), "--split", split, "--annotations", str(annotations)]) == 0
    fill_gold(annotations)
    return DOC_ID


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.new_article", description=__doc__.split("\n")[0])
    parser.add_argument("annotations", type=Path)
    parser.add_argument("--split", default="private")
    args = parser.parse_args()
    print(add_fixture_article(args.annotations, args.split))
    sys.exit(0)

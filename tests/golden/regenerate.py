"""Golden results of the scorer over fixed fixtures: what `tests/test_scoring_golden.py` holds the scorer to.

    python tests/golden/regenerate.py          # rewrite tests/golden/results.json (only after a version bump)
    python tests/golden/regenerate.py --check  # exit 1 when the results or the version differ from the file

A change to the scorer that changes any result (a number, an error list, a warning) must move
`benchmark.scoring.reference.SCORER_VERSION`, which the signature carries, so a published score always says which
definition computed it. This script refuses to record changed results under an unchanged version.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
COMMAND = "python tests/golden/regenerate.py"
TRACKS = ("A", "B", "all")


def compute(engine: str = "auto") -> dict:
    """Every submission in submissions/, on every track, with the error report; and a paired comparison."""
    from benchmark.reports import text as render
    from benchmark.scoring import Options, score_corpus
    from benchmark.submission import read_submission

    corpus = json.loads((HERE / "corpus.json").read_text(encoding="utf-8"))
    docs = [dict(d, published=datetime.date.fromisoformat(d["published"])) for d in corpus["documents"]]
    units = corpus["quotes"]
    texts = {d["doc_id"]: d["text"] for d in docs}
    boilerplate = {d["doc_id"]: d["boilerplate"] for d in docs}
    ids = {u["quote_id"] for u in units}
    paths = sorted((HERE / "submissions").glob("*.jsonl"))

    def read(path: Path):
        return read_submission(path, texts, ids, name=path.name, boilerplate=boilerplate)

    out = {}
    for path in paths:
        for track in TRACKS:
            options = Options(track=track, n_boot=200, errors=True)
            out[f"{path.stem}/{track}"] = score_corpus(docs, units, read(path), options, engine=engine)
    first, second = paths[0], paths[1]
    out[f"{first.stem}-vs-{second.stem}"] = score_corpus(docs, units, read(first), Options(n_boot=200),
                                                         compare=read(second), engine=engine)
    return json.loads(render.to_json(out))


def stored() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}


def main(argv: list[str] | None = None) -> int:
    from benchmark.scoring.reference import SCORER_VERSION

    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args(argv)
    old, new = stored(), compute()
    changed = old.get("results") != new
    if args.check:
        same = not changed and old.get("scorer_version") == SCORER_VERSION
        print("golden results: " + ("up to date" if same else "out of date"))
        return 0 if same else 1
    if changed and old.get("scorer_version") == SCORER_VERSION:
        print(f"the scorer's results changed, but SCORER_VERSION is still {SCORER_VERSION!r}: bump it in "
              "benchmark/scoring/reference.py (the signature carries it), then run this again", file=sys.stderr)
        return 1
    RESULTS.write_text(json.dumps({"scorer_version": SCORER_VERSION, "command": COMMAND, "results": new},
                                  indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS} (scorer version {SCORER_VERSION})")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    sys.exit(main())

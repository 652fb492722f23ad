"""The "what good looks like" tables of the handouts, generated from real runs -- never typed by hand.

    python -m assignments.numbers            # print the tables
    python -m assignments.numbers --write    # rewrite them between the markers in assignments/0*.md, INSTRUCTOR.md
    python -m assignments.numbers --check    # exit 1 when a handout is out of date (run by the test suite)

Each table scores, on the test split, the handout's starter exactly as `kremlin-reactions evaluate STARTER` does
(fit on train if it has fit, extract on test, `benchmark.score`) and the baselines exactly as `kremlin-reactions
results` does (`baselines.run_baselines`), with the same seed, so the numbers agree with those commands.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
START, END = "<!-- numbers:start -->", "<!-- numbers:end -->"
SPLIT = "test"
COMMAND = "python -m assignments.numbers --write"
INSTRUCTOR = "INSTRUCTOR.md"

# task of a metric: a task that was not attempted shows "n/a" (it counts as 0)
TASK_OF = {"quotes": "quotes", "attribution": "attribution", "stance": "stance", "stance_e2e": "stance",
           "date": "date", "outlet": "outlet", "gold_spans": "gold_spans", "overall": None}
BASELINE_LABEL = {"floor": "floor baseline", "floor-meta": "floor-meta baseline", "rules": "rules baseline",
                  "rules+indirect": "rules+indirect baseline", "sklearn-stance": "sklearn-stance baseline"}

# handout -> its starter, the baselines to show, its columns (results key, track, header), the main column's index
HANDOUTS: dict[str, dict] = {
    "01-quote-detection.md": {
        "starter": "assignments.starters.quotes_starter:Starter",
        "main": 1,
        "baselines": ["floor", "rules", "rules+indirect"],
        "columns": [("quotes.exact.f1", "A", "Track A exact F1"), ("quotes.overlap.f1", "A", "Track A overlap F1"),
                    ("quotes.overlap.f1", "B", "Track B overlap F1")],
    },
    "02-speaker-attribution.md": {
        "starter": "assignments.starters.attribution_starter:Starter",
        "main": 2,
        "baselines": ["floor", "rules"],
        "columns": [("quotes.overlap.f1", "A", "quotes found (overlap F1)"),
                    ("attribution.accuracy", "A", "speaker accuracy on found quotes"),
                    ("attribution.f1", "A", "attribution F1 (end to end)")],
    },
    "03-stance-sklearn.md": {
        "starter": "assignments.starters.stance_starter:Starter",
        "main": 2,
        "baselines": ["floor", "rules", "sklearn-stance"],
        # the same model labelling the gold spans: `python -m assignments.starters.stance_starter -o FILE`
        "gold_spans": "assignments.starters.stance_starter:predict_gold_spans",
        "exact_p": True,          # question 3 of the handout reads the smallest p of an exact paired test here
        "columns": [("stance.macro_f1", "A", "stance macro-F1 on found quotes"),
                    ("stance.f_avg", "A", "F_avg (favor, against)"),
                    ("stance_e2e.macro_f1", "A", "stance macro-F1 end to end"),
                    ("gold_spans.stance.macro_f1", "A", "stance macro-F1, gold spans given")],
    },
    "04-date-and-outlet.md": {
        "starter": "assignments.starters.metadata_starter:Starter",
        "main": 1,
        "baselines": ["floor", "floor-meta", "rules"],
        "columns": [("date.accuracy", "A", "date exact-day accuracy"), ("outlet.accuracy", "A", "outlet accuracy")],
    },
}


def run_starter(spec: str, split: str = SPLIT, data_dir: str | None = None) -> list[dict]:
    """Predictions of a starter, as `kremlin-reactions evaluate SPEC --split SPLIT` makes them."""
    from benchmark.dataset import read_rows
    from benchmark.submission.runner import fit_extractor, load_extractor, run_extractor

    extractor = load_extractor(spec)
    fit_extractor(extractor, read_rows("documents", "train", data_dir), read_rows("quotes", "train", data_dir))
    return run_extractor(extractor, read_rows("documents", split, data_dir), progress=False)




def cell(results: dict, key: str) -> str:
    from benchmark.scoring.results import get as get_metric

    task = TASK_OF[key.split(".")[0]]
    if task is not None and task in results.get("not_attempted", ()):
        return "n/a"
    interval = results["intervals"].get(key)
    text = f"{float(get_metric(results, key)):.3f}"
    return text + (f" [{interval['low']:.2f}, {interval['high']:.2f}]" if interval else "")


def scored(kind: str, what: str, track: str, cache: dict, data_dir: str | None = None) -> dict:
    """Results of one extractor on the test split (memoised in `cache`). kind: starter, gold_spans, baseline."""
    import benchmark
    from baselines import run_baselines

    if (kind, what) not in cache:
        if kind == "starter":
            cache[(kind, what)] = run_starter(what, SPLIT, data_dir)
        elif kind == "gold_spans":
            module, _, function = what.partition(":")
            cache[(kind, what)] = getattr(importlib.import_module(module), function)(SPLIT, data_dir)
        else:
            cache[(kind, what)] = run_baselines(SPLIT, data_dir=data_dir, names=[what])[what]
    if (kind, what, track) not in cache:
        cache[(kind, what, track)] = benchmark.score(cache[(kind, what)], split=SPLIT, track=track, data_dir=data_dir)
    return cache[(kind, what, track)]


def split_phrase(data_dir: str | None = None) -> str:
    """'the test split: 3 documents, published 2024-11-06', read from the data (never typed: articles get added)."""
    from benchmark.dataset import read_rows

    dates = sorted({d["published"].isoformat() for d in read_rows("documents", SPLIT, data_dir)})
    n = len(read_rows("documents", SPLIT, data_dir))
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    return f"the {SPLIT} split: {n} document{'s' if n != 1 else ''}, published {when}"


def exact_p_line(data_dir: str | None = None) -> str:
    """The smallest two-sided p-value an exact paired randomisation test over the split's documents can give."""
    from benchmark.dataset import read_rows

    n = len(read_rows("documents", SPLIT, data_dir))
    return (f"An exact paired randomisation test over these {n} documents has 2^{n} = {2 ** n} sign patterns: its "
            f"smallest two-sided p-value is 2/{2 ** n} = {min(1.0, 2 / 2 ** n):.4g}.")


def _block(intro: str, lines: list[str], signatures: list[str], after: list[str] = ()) -> str:
    return "\n".join([START, intro, "", *lines, "", *after, *[f"Signature: `{s}`" for s in signatures], END])


def table(name: str, data_dir: str | None = None, _cache: dict | None = None) -> str:
    """The Markdown block for one handout (between the markers)."""
    spec = HANDOUTS[name]
    cache = _cache if _cache is not None else {}
    rows = {f"starter `{spec['starter']}`": ("starter", spec["starter"])}
    if "gold_spans" in spec:
        rows["starter on the gold spans (`python -m assignments.starters.stance_starter`)"] = ("gold_spans",
                                                                                            spec["gold_spans"])
    rows.update({BASELINE_LABEL[b]: ("baseline", b) for b in spec["baselines"]})
    tracks = sorted({track for _, track, _ in spec["columns"]})
    lines = ["| extractor | " + " | ".join(header for _, _, header in spec["columns"]) + " |",
             "|---|" + "---|" * len(spec["columns"])]
    for label, (kind, what) in rows.items():
        lines.append(f"| {label} | " + " | ".join(cell(scored(kind, what, track, cache, data_dir), key)
                                                  for key, track, _ in spec["columns"]) + " |")
    signatures = [scored("starter", spec["starter"], t, cache, data_dir)["signature"] for t in tracks]
    commands = [f"`kremlin-reactions evaluate {spec['starter']}`", "`kremlin-reactions results`"]
    return _block(f"Scored on {split_phrase(data_dir)}; [low, high] = 95% bootstrap interval over documents; n/a = "
                  f"task not attempted. Generated by `{COMMAND}`, which runs the same code as "
                  f"{' and '.join(commands)}.", lines, signatures,
                  [exact_p_line(data_dir), ""] if spec.get("exact_p") else [])


def instructor_table(data_dir: str | None = None, _cache: dict | None = None) -> str:
    """The block of INSTRUCTOR.md: each handout's main metric for its starter and every ranked baseline."""
    cache = _cache if _cache is not None else {}
    baselines = list(BASELINE_LABEL)
    lines = ["| handout | main metric | starter | " + " | ".join(baselines) + " |",
             "|---|---|---|" + "---|" * len(baselines)]
    for name, spec in HANDOUTS.items():
        key, track, header = spec["columns"][spec["main"]]
        cells = [cell(scored("starter", spec["starter"], track, cache, data_dir), key)]
        cells += [cell(scored("baseline", b, track, cache, data_dir), key) for b in baselines]
        lines.append(f"| [{name}]({name}) | {header} (`{key}`, track {track}) | " + " | ".join(cells) + " |")
    signatures = sorted({scored("baseline", b, t, cache, data_dir)["signature"]
                         for b in baselines for t in ("A",)})
    return _block(f"Scored on {split_phrase(data_dir)}; [low, high] = 95% bootstrap interval over those documents; "
                  "n/a = not attempted. "
                  f"Generated by `{COMMAND}` (the same code as `kremlin-reactions evaluate STARTER` and "
                  f"`kremlin-reactions results`).", lines, signatures)


def replace_block(text: str, block: str, name: str) -> str:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{name}: no {START} ... {END} markers")
    return text[:start] + block + text[end + len(END):]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assignments.numbers", description=__doc__.split("\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the tables in the handouts")
    action.add_argument("--check", action="store_true", help="exit 1 if a handout's table is out of date")
    parser.add_argument("--data", default=None, help="dataset folder (default: the packaged one)")
    args = parser.parse_args(argv)
    cache: dict = {}
    stale = []
    for name in [*HANDOUTS, INSTRUCTOR]:
        block = instructor_table(args.data, cache) if name == INSTRUCTOR else table(name, args.data, cache)
        path = HERE / name
        if args.write or args.check:
            old = path.read_text(encoding="utf-8")
            new = replace_block(old, block, name)
            if args.write and new != old:
                path.write_text(new, encoding="utf-8")
                print(f"updated {path}", file=sys.stderr)
            elif args.check and new != old:
                stale.append(name)
        else:
            print(f"## {name}\n{block}\n")
    if stale:
        print(f"out of date: {', '.join(stale)}; run `{COMMAND}`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

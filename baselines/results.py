"""Run every baseline, score it, print the results table: `kremlin-reactions results [--markdown]
[--update-readme README.md]`.

- `run_baselines(split)` -> {name: [prediction dicts]}: every ranked baseline (and, with `oracles=True`, the
  oracle rows) run over the split's documents like any submitted extractor (`benchmark.submission.runner.run_extractor`:
  `extract` sees only doc_id and text). Fitting is honest: a baseline with `fit` is fitted on the train split,
  and a document of the train split is never predicted by a model fitted on it (cross-fitting: when the train
  split itself is predicted, each train document is predicted by a model fitted on the other train documents).
- `score_baselines()` scores each with `benchmark.score` on every split of the data (train, test, and any other
  split the gold declares), and adds the scikit-learn model's
  leave-one-document-out cross-validation; `render()` formats one ranked table (baseline x metric x split, Track
  A), a separate table of oracle rows, a Track B table (the baselines that predict indirect speech, and the
  floor), and the cross-validation rows with their spread, plus the scorer's signatures.

Nothing here is typed by hand: the README's results section is this command's `--markdown` output.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from baselines.floor import FloorExtractor, FloorMetaExtractor
from baselines.oracle import OracleSpansFloor, OracleSpansRules, OracleSpansSklearn
from baselines.rules import IndirectRuleExtractor, RuleExtractor
from baselines.stance_sklearn import SklearnStance, cross_validate
from benchmark.errors import InputError
from benchmark.scoring import options as scoring_options
from benchmark.scoring.results import get as get_metric

HELP = "run every baseline on every split, score each, print the results table (--update-readme README.md)"

# name -> class; the names are the row labels of the tables. Ranked baselines use no gold while predicting.
BASELINES: dict[str, type] = {
    "floor": FloorExtractor,
    "floor-meta": FloorMetaExtractor,
    "rules": RuleExtractor,
    "rules+indirect": IndirectRuleExtractor,     # rules + the Track B rule (same Track A predictions as rules)
    "sklearn-stance": SklearnStance,
}
# Oracle rows read the gold quote spans: reported apart, never ranked.
ORACLES: dict[str, type] = {
    "ORACLE gold-spans+floor": OracleSpansFloor,
    "ORACLE gold-spans+rules": OracleSpansRules,
    "ORACLE gold-spans+sklearn": OracleSpansSklearn,
}
# (column header, results key, task that must be attempted for the number to mean anything)
COLUMNS = (
    ("quotes exact F1", "quotes.exact.f1", "quotes"),
    ("quotes overlap F1", "quotes.overlap.f1", "quotes"),
    ("attrib. acc", "attribution.accuracy", "attribution"),
    ("attrib. F1", "attribution.f1", "attribution"),
    ("stance macro-F1", "stance.macro_f1", "stance"),
    ("stance F_avg", "stance.f_avg", "stance"),
    ("stance e2e macro-F1", "stance_e2e.macro_f1", "stance"),
    ("date acc", "date.accuracy", "date"),
    ("outlet acc", "outlet.accuracy", "outlet"),
    ("overall", "overall", None),
)
README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"
COMMAND = "kremlin-reactions results --markdown --update-readme README.md"


def run_baselines(split: str = "test", *, data_dir: str | Path | None = None, oracles: bool = False,
                  names: list[str] | None = None) -> dict[str, list[dict]]:
    """{baseline name: its predictions (one submission dict per document of `split`, in document order)}.

    `split`: a split of the folder, or all. `oracles`: include the oracle rows (they read gold spans). `names`: only
    these. The fitted baselines learn from the train split: a folder without one (an instructor's own corpus) leaves
    them out.
    """
    from benchmark.dataset import read_rows, splits

    documents = read_rows("documents", split, data_dir)
    has_train = "train" in splits(data_dir)
    train_documents = read_rows("documents", "train", data_dir) if has_train else []
    train_quotes = read_rows("quotes", "train", data_dir) if has_train else []
    chosen = {**BASELINES, **(ORACLES if oracles else {})}
    if names is not None:
        unknown = [n for n in names if n not in {**BASELINES, **ORACLES}]
        if unknown:
            raise InputError(f"baseline: unknown name(s) {', '.join(unknown)} (known: {', '.join([*BASELINES, *ORACLES])})")
        chosen = {n: {**BASELINES, **ORACLES}[n] for n in names}
    if not has_train:
        chosen = {name: cls for name, cls in chosen.items() if not callable(getattr(cls, "fit", None))}
    return {name: _predict(cls, name in ORACLES, documents, train_documents, train_quotes, data_dir)
            for name, cls in chosen.items()}


def _predict(cls: type, oracle: bool, documents: list[dict], train_documents: list[dict], train_quotes: list[dict],
             data_dir) -> list[dict]:
    """Fit on train (never on the document being predicted), then extract, document by document in order.
    Each prediction comes back as plain JSON data with keys in the runner's canonical order."""
    from benchmark.submission.runner import fit_extractor, run_extractor, to_json_object

    def make():
        return cls(data_dir=data_dir) if oracle else cls()

    def run(extractor, docs: list[dict]) -> list[dict]:
        return [to_json_object(p, d["doc_id"]) for p, d in zip(run_extractor(extractor, docs, progress=False), docs)]

    if not callable(getattr(cls, "fit", None)):
        return run(make(), documents)
    train_ids = {d["doc_id"] for d in train_documents}
    models: dict[str, object] = {}      # held-out train doc_id ("" = none) -> fitted extractor
    predictions = []
    for document in documents:
        held_out = document["doc_id"] if document["doc_id"] in train_ids else ""
        if held_out not in models:
            models[held_out] = extractor = make()
            fit_extractor(extractor, [d for d in train_documents if d["doc_id"] != held_out],
                          [q for q in train_quotes if q["doc_id"] != held_out])
        predictions += run(models[held_out], [document])
    return predictions


def score_baselines(*, data_dir: str | Path | None = None, n_boot: int = 1000, seed: int = 12345,
                    splits: tuple[str, ...] | None = None) -> dict:
    """{"ranked": {split: {name: results}}, "oracle": {...}, "cv": cross-validation dict, "signatures": {split: str},
    "documents": {split: number of documents}}. `splits`: default every split of the data folder."""
    import benchmark
    from benchmark.dataset import read_rows
    from benchmark.dataset import splits as data_splits

    splits = tuple(splits) if splits is not None else tuple(data_splits(data_dir))
    out: dict = {"ranked": {}, "oracle": {}, "track_b": {}, "signatures": {},
                 "documents": {split: len(read_rows("documents", split, data_dir)) for split in splits}}
    for split in splits:
        predictions = run_baselines(split, data_dir=data_dir, oracles=True)
        out["ranked"][split], out["oracle"][split], out["track_b"][split] = {}, {}, {}
        for name, preds in predictions.items():
            results = benchmark.score(preds, split=split, data_dir=data_dir, n_boot=n_boot, seed=seed)
            out["oracle" if name in ORACLES else "ranked"][split][name] = results
            out["signatures"][split] = results["signature"]
            # Track B (indirect speech): the floor for reference, and every ranked baseline that attempts it
            if name == "floor" or (name not in ORACLES and _predicts_indirect(preds)):
                out["track_b"][split][name] = benchmark.score(preds, split=split, track="B", data_dir=data_dir,
                                                              n_boot=n_boot, seed=seed)
                out["signatures"][f"{split}, Track B"] = out["track_b"][split][name]["signature"]
    out["cv"] = cross_validate(read_rows("quotes", "all", data_dir), seed=SklearnStance().seed)
    return out


def _predicts_indirect(predictions: list[dict]) -> bool:
    return any(q.get("type") == "indirect" for p in predictions for q in p.get("quotes") or ())


def _cell(results: dict, key: str, task: str | None, with_interval: bool) -> str:
    if task is not None and task in results.get("not_attempted", ()):
        return "n/a"
    text = f"{get_metric(results, key):.3f}"
    interval = results.get("intervals", {}).get(key) if with_interval else None
    if interval:
        text += f" [{interval['low']:.2f}, {interval['high']:.2f}]"
    return text


def format_table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    fmt = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows)])


def metric_rows(by_split: dict[str, dict[str, dict]], with_interval: bool = True) -> list[list[str]]:
    """One row per (split, baseline): the split, the name, every metric column."""
    return [[split, name] + [_cell(results, key, task, with_interval and key == "overall")
                             for _, key, task in COLUMNS]
            for split, by_name in by_split.items() for name, results in by_name.items()]


def _documents_per_split(scored: dict) -> str:
    """'2 documents in train, 3 in test': how little each interval rests on, from the data."""
    counts = list(scored["documents"].items())
    return ", ".join(f"{n} document{'s' if n != 1 else ''} in {split}" if i == 0 else f"{n} in {split}"
                     for i, (split, n) in enumerate(counts))


def render(scored: dict, markdown: bool = False) -> str:
    header = ["split", "baseline"] + [c[0] for c in COLUMNS]
    cv = scored["cv"]
    cv_rows = [[f"held out {f['doc_id']}", str(f["n"]), f"{f['accuracy']:.3f}", f"{f['macro_f1']:.3f}",
                f"{f['f_avg']:.3f}"] for f in cv["folds"]]
    cv_rows.append([f"mean ± sd over {cv['n_documents']} folds", str(sum(f["n"] for f in cv["folds"]))] + [
        f"{cv['mean'][m]:.3f} ± {cv['std'][m]:.3f} (min {cv['min'][m]:.3f}, max {cv['max'][m]:.3f})"
        for m in ("accuracy", "macro_f1", "f_avg")])
    cv_rows.append(["pooled", str(sum(f["n"] for f in cv["folds"]))]
                   + [f"{cv['pooled'][m]:.3f}" for m in ("accuracy", "macro_f1", "f_avg")])
    heading = (lambda s: f"**{s}**") if markdown else (lambda s: s)
    parts = [
        heading("Baselines (ranked; no gold read while predicting)"),
        format_table(header, metric_rows(scored["ranked"]), markdown),
        "",
        heading("Oracle rows (gold quote spans given: NOT comparable, never ranked)"),
        format_table(header, metric_rows(scored["oracle"]), markdown),
        "",
        heading("Track B (indirect speech without quotation marks): baselines that attempt it, and the floor"),
        format_table(header, metric_rows(scored["track_b"]), markdown),
        "",
        heading("sklearn-stance leave-one-document-out cross-validation (stance of gold Track A quotes; "
                "cross-validation, not a test score)"),
        format_table(["fold", "n", "accuracy", "macro-F1", "F_avg"], cv_rows, markdown),
        "",
        "overall = mean of attribution F1, end-to-end stance macro-F1, date accuracy, outlet accuracy; "
        f"[low, high] = 95% bootstrap interval over documents (descriptive: {_documents_per_split(scored)}). "
        "n/a = task not attempted (counts as 0 in overall). The train rows of fitted baselines are cross-fitted "
        "(each train document predicted by a model fitted on the other train documents).",
    ]
    parts += [f"signature ({split}): {sig}" for split, sig in scored["signatures"].items()]
    if markdown:
        parts = [p if not p.startswith("signature") else f"`{p}`  " for p in parts]
        parts.append(f"\nGenerated by `{COMMAND}`.")
    return "\n".join(parts)


def update_readme(path: str | Path, body: str) -> None:
    """Replace the text between the results markers of `path` with `body`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.S)
    if text.count(README_START) != 1 or text.count(README_END) != 1 or not pattern.search(text):
        raise InputError(f"{path}: needs exactly one {README_START} ... {README_END} pair of markers "
                         "(the results section to replace)")
    path.write_text(pattern.sub(lambda _: f"{README_START}\n{body}\n{README_END}", text), encoding="utf-8")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--update-readme", metavar="README.md", default=None,
                        help="also write the (Markdown) tables between the results markers of this file")
    parser.add_argument("--split", default=None, metavar="SPLIT",
                        help="only this split of the data (or all, every document at once); "
                             "default: each split of the data in turn")
    scoring_options.add_arguments(parser, "data", "bootstrap")


def run(args: argparse.Namespace) -> int:
    from benchmark.dataset import check_split

    splits = (check_split(args.split, args.data_dir),) if args.split is not None else None
    scored = score_baselines(data_dir=args.data_dir, n_boot=args.n_boot, splits=splits)
    print(render(scored, markdown=args.markdown))
    if args.update_readme:
        update_readme(args.update_readme, render(scored, markdown=True))
        print(f"updated the results section of {args.update_readme}", file=sys.stderr)
    return 0

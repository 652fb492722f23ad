"""`kremlin-reactions leaderboard SUBMISSIONS_DIR [-o OUT_DIR]`: rank a folder of submissions.

Input folder (read, never executed: nothing in it is imported or run):

    SUBMISSIONS_DIR/
        NAME.jsonl          a submission (the JSONL format of benchmark/submission/), one per entry
        NAME.meta.json      optional metadata of NAME.jsonl, a JSON object with only these keys (all optional):
                              "team"         str, <= 100 characters
                              "name"         str, <= 100 characters: the system's name (default: NAME)
                              "description"  str, <= 1000 characters: the method, in a few sentences
                              "date"         "YYYY-MM-DD": when the submission was made
                              "link"         an http:// or https:// URL (paper, code), <= 500 characters
                            Any other key is an error (a typo such as "teem" would otherwise vanish silently).

Other files are listed as ignored. Symlinks and non-regular files are refused, a submission larger than
`--max-bytes` (default 10 MB) or metadata larger than 64 KiB is refused before it is read; metadata nested more
than 8 levels deep is refused before it is parsed. A broken entry (invalid submission or metadata: bad JSON, a
repeated key, a lone surrogate, ...) is listed as invalid with the first lines of its error, and the others are
still ranked. The four pages are rendered first and written atomically: all of them, or none.

Output (OUT_DIR, default `leaderboard/`): leaderboard.md, leaderboard.csv, leaderboard.json, leaderboard.html
(static: inline CSS, no script, no external resource, opens from disk). Names, descriptions and errors are
escaped for each format (HTML entities; Markdown backslash escapes; CSV formula-injection guard).

Ranking: by `--rank-by KEY` descending, any headline metric of the results (`overall`, the default;
`quotes.overlap.f1` for a quote-detection assignment, `attribution.f1`, `stance_e2e.macro_f1`, `date.accuracy`,
...: the keys the autograder's tests report); a task not attempted scores 0 on its metrics. Entries with equal
values (rounded to 12 decimals) share a rank, competition style (1, 2, 2, 4), and are listed by entry id
ascending (code-point order), where the entry id of a submission is its file name NAME and of a baseline
`baseline:NAME`. The baselines (`baselines.results.run_baselines`) are included unless `--no-baselines`; oracle
rows (they read gold quote spans) are shown in a separate table and never ranked.

Each entry is compared with the best baseline (the highest-ranked non-oracle baseline) on the ranking metric:
the exact paired randomisation p-value of the difference (all 2^n swaps of the two systems' outputs per document)
and the per-document wins/losses/ties. With n documents the smallest possible two-sided p is 2/2^n (0.25 for the
three test documents, 0.0625 for all five), so p < 0.05 is impossible here: the p-values are descriptive.

Same inputs give byte-identical files: entries are sorted, every random step is seeded, nothing records time or
absolute paths.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.errors import InputError
from benchmark.reports.escape import one_line, safe_link, terminal
from benchmark.reports.leaderboard_pages import COLUMNS, render_csv, render_html, render_markdown
from benchmark.safe_io import (
    json_nesting_depth,
    json_value_error,
    lone_surrogates,
    read_bytes,
    surrogate_message,
    write_atomic,
)
from benchmark.scoring import options as scoring_options
from benchmark.scoring.metrics import MAIN_KEYS
from benchmark.scoring.results import get as get_metric

HELP = "rank a folder of submissions (NAME.jsonl + optional NAME.meta.json) and write md/csv/json/html pages"

SUBMISSION_SUFFIX = ".jsonl"
META_SUFFIX = ".meta.json"
META_KEYS = {"team": 100, "name": 100, "description": 1000, "date": 10, "link": 500}   # key -> max length
MAX_META_BYTES = 64 * 1024
MAX_META_DEPTH = 8                    # a valid metadata file nests 1 level
DEFAULT_MAX_BYTES = 10 * 1000 * 1000
MAX_ENTRIES = 1000
ERROR_LINES = 5                       # lines of an InputError shown for an invalid entry
OUTPUT_FILES = ("leaderboard.md", "leaderboard.csv", "leaderboard.json", "leaderboard.html")
RANK_BY = "overall"
RANKING_RULE = ("{key} descending; entries with equal values (within 1e-12) share a rank (1, 2, 2, 4) and are listed "
                "by entry id ascending (code-point order; a submission's id is its file name without .jsonl, a "
                "baseline's is baseline:NAME)")
OVERALL_DEFINITION = ("overall = mean of attribution F1, end-to-end stance macro-F1, date accuracy and outlet "
                      "accuracy; a task not attempted counts 0")


@dataclass
class Entry:
    id: str                                  # file stem, or "baseline:NAME"
    kind: str                                # "submission" | "baseline" | "oracle"
    file: str | None = None                  # file name inside the folder (submissions)
    meta: dict = field(default_factory=dict)
    predictions: object = None               # Submission, or list of dicts (baselines)
    results: dict | None = None
    errors: list[str] = field(default_factory=list)
    rank: int | None = None

    @property
    def name(self) -> str:
        return self.meta.get("name") or self.id


# --------------------------------------------------------------------------------------------------------------
# reading the folder

def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"repeated key {repeated[0]!r}")
    return dict(pairs)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def read_meta(path: Path, label: str) -> dict:
    """Validated metadata of one entry; raises InputError with `LABEL:LINE: field: problem` lines."""
    size = path.lstat().st_size
    if size > MAX_META_BYTES:
        raise InputError(f"{label}:1: file: {size} bytes, over the cap of {MAX_META_BYTES} bytes for metadata")
    raw = read_bytes(path, limit=MAX_META_BYTES, label=label, what="the metadata")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{label}:1: file: not UTF-8 (byte {err.start})") from None
    if (depth := json_nesting_depth(raw)) > MAX_META_DEPTH:
        raise InputError(f"{label}:1: json: values nested {depth} levels deep (limit {MAX_META_DEPTH}; metadata "
                         "is one flat object); not parsed")
    try:
        meta = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise InputError(f"{label}:{err.lineno}: json: invalid JSON: {err.msg} (column {err.colno})") from None
    except RecursionError:                         # not reached after the depth check; never a traceback
        raise InputError(f"{label}:1: json: values nested too deeply to parse") from None
    except ValueError as err:
        raise InputError(f"{label}:1: json: {json_value_error(err)}") from None
    surrogates = [f"{label}:1: {one_line(path[0] if path else 'metadata', 40)}: {surrogate_message(text)}"
                  for path, text in lone_surrogates(meta)]
    if surrogates:
        raise InputError(surrogates)
    if not isinstance(meta, dict):
        raise InputError(f"{label}:1: metadata: expected a JSON object with keys {', '.join(META_KEYS)}, "
                         f"got {type(meta).__name__}")
    problems = []
    for key in sorted(meta):
        if key not in META_KEYS:
            problems.append(f"{label}:1: {one_line(key, 40)}: unknown key (allowed: {', '.join(META_KEYS)})")
    for key, limit in META_KEYS.items():
        if key not in meta or meta[key] is None:
            continue
        value = meta[key]
        if not isinstance(value, str):
            problems.append(f"{label}:1: {key}: expected a string, got {type(value).__name__}")
        elif len(value) > limit:
            problems.append(f"{label}:1: {key}: {len(value)} characters, over the limit of {limit}")
        elif key == "date":
            try:
                datetime.date.fromisoformat(value)
                if len(value) != 10:
                    raise ValueError
            except ValueError:
                problems.append(f"{label}:1: date: expected YYYY-MM-DD, got {one_line(value, 40)!r}")
        elif key == "link" and safe_link(value) is None:
            problems.append(f"{label}:1: link: only absolute http:// or https:// URLs without spaces, quotes or "
                            f"angle brackets are accepted, got {one_line(value, 60)!r}")
    if problems:
        raise InputError(problems)
    return {k: meta[k] for k in META_KEYS if isinstance(meta.get(k), str) and meta[k] != ""}


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:       # undecodable bytes arrive as lone surrogates
        return False


def _regular_file(path: Path) -> str | None:
    """None when `path` is a regular file (not a symlink), else why it is refused."""
    try:
        mode = path.lstat().st_mode
    except OSError as err:
        return f"cannot read: {err.strerror}"
    if stat.S_ISLNK(mode):
        return "is a symbolic link (links are not followed)"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def scan_folder(folder: Path, max_bytes: int) -> tuple[list[Entry], list[str]]:
    """The submission entries of `folder` (valid or already marked invalid) and the names of ignored files."""
    if not folder.exists():
        raise InputError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder (expected a folder of NAME.jsonl submissions)")
    try:
        names = sorted(os.listdir(folder))
    except OSError as err:
        raise InputError(f"{folder}: cannot list the folder: {err.strerror}") from None
    undecodable = [n for n in names if not _utf8(n)]
    names = [n for n in names if _utf8(n)]
    submissions = {n[: -len(SUBMISSION_SUFFIX)] for n in names if n.endswith(SUBMISSION_SUFFIX) and
                   len(n) > len(SUBMISSION_SUFFIX)}
    metas = {n[: -len(META_SUFFIX)] for n in names if n.endswith(META_SUFFIX) and len(n) > len(META_SUFFIX)}
    if len(submissions) > MAX_ENTRIES:
        raise InputError(f"{folder}: {len(submissions)} submissions, more than the cap of {MAX_ENTRIES}")
    ignored = [n for n in names if not (n.endswith(SUBMISSION_SUFFIX) and n[: -len(SUBMISSION_SUFFIX)] in submissions)
               and not (n.endswith(META_SUFFIX) and n[: -len(META_SUFFIX)] in metas)]
    ignored += sorted(n.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") +
                      " (file name is not UTF-8)" for n in undecodable)
    entries = []
    for stem in sorted(submissions | metas):
        file_name = stem + SUBMISSION_SUFFIX
        entry = Entry(id=stem, kind="submission", file=file_name)
        entries.append(entry)
        if stem in metas:
            meta_name = stem + META_SUFFIX
            refused = _regular_file(folder / meta_name)
            if refused:
                entry.errors.append(f"{meta_name}: file: {refused}")
            else:
                try:
                    entry.meta = read_meta(folder / meta_name, meta_name)
                except InputError as err:
                    entry.errors.extend(err.problems)
                except OSError as err:
                    entry.errors.append(f"{meta_name}: file: cannot read: {err.strerror}")
        if stem not in submissions:
            entry.errors.append(f"{stem}{META_SUFFIX}: file: metadata without a submission {file_name}")
            continue
        refused = _regular_file(folder / file_name)
        if refused:
            entry.errors.append(f"{file_name}: file: {refused}")
        elif (size := (folder / file_name).lstat().st_size) > max_bytes:
            entry.errors.append(f"{file_name}: file: {size} bytes, over the cap of {max_bytes} bytes (--max-bytes)")
    return entries, ignored


# --------------------------------------------------------------------------------------------------------------
# scoring and ranking

def rank_value(results: dict, key: str) -> float:
    """The value an entry is ranked by, rounded to 12 decimals so that floating-point noise in the last bits
    never separates equal scores (a metric a submission has no number for counts 0)."""
    value = get_metric(results, key)
    return round(float(value), 12) if isinstance(value, (int, float)) else 0.0


def competition_ranks(values: list[float]) -> list[int]:
    """Ranks of values already sorted in descending order: equal values share the rank of the first of them
    (1, 2, 2, 4).

    >>> competition_ranks([0.9, 0.5, 0.5, 0.1])
    [1, 2, 2, 4]
    """
    ranks = []
    for k, value in enumerate(values):
        ranks.append(ranks[-1] if k and value == values[k - 1] else k + 1)
    return ranks


def check_rank_by(key: str) -> str:
    """`key` when it is a headline metric; else InputError listing them."""
    if key not in MAIN_KEYS:
        raise InputError(f"--rank-by: unknown metric {one_line(key, 60)!r}; one of: {', '.join(MAIN_KEYS)}")
    return key


def build_leaderboard(folder: str | Path, *, split: str = "test", track: str = "A", baselines: bool = True,
                      max_bytes: int = DEFAULT_MAX_BYTES, n_boot: int = 1000, seed: int = 12345,
                      data_dir: str | Path | None = None, progress: bool = False, strict: bool = False,
                      rank_by: str = RANK_BY) -> dict:
    """Read, validate and score every entry; returns the leaderboard as one JSON-ready dict. strict: an entry with
    a quote given as text that is not in the article (or fits several places equally well) is invalid. rank_by:
    the headline metric that ranks (InputError for another key)."""
    check_rank_by(rank_by)

    def sort_key(entry: Entry) -> tuple:
        return -rank_value(entry.results, rank_by), entry.id

    import benchmark
    from benchmark.scoring import articles, load_gold, read_predictions
    from benchmark.scoring.stats import min_two_sided_p

    folder = Path(folder)
    entries, ignored = scan_folder(folder, max_bytes)
    docs = load_gold(split, data_dir)[0]
    # read against every document, as `score` does: documents of the other split are ignored, not invalid
    all_docs, all_quotes, _ = load_gold("all", data_dir)
    texts, boilerplate = articles(all_docs)
    quote_ids = {q["quote_id"] for q in all_quotes}
    for entry in entries:
        if entry.errors:
            continue
        try:
            entry.predictions = read_predictions(folder / entry.file, texts, quote_ids, boilerplate=boilerplate,
                                                 strict=strict, max_line_bytes=max_bytes, max_file_bytes=max_bytes,
                                                 name=entry.file)
        except InputError as err:
            entry.errors.extend(err.problems)
    if baselines:
        from baselines.results import ORACLES, run_baselines

        for name, predictions in run_baselines(split, data_dir=data_dir, oracles=True).items():
            kind = "oracle" if name in ORACLES else "baseline"
            entries.append(Entry(id=f"baseline:{name}", kind=kind, meta={"name": name},
                                 predictions=read_predictions(predictions, texts, quote_ids,
                                                              boilerplate=boilerplate)))

    options = dict(split=split, track=track, n_boot=n_boot, seed=seed, data_dir=data_dir, compare_key=rank_by)
    say = (lambda m: print(terminal(m), file=sys.stderr)) if progress else (lambda m: None)
    ranked_baselines = [e for e in entries if e.kind == "baseline"]
    for entry in ranked_baselines:
        say(f"scoring {one_line(entry.id, 100)}")
        entry.results = benchmark.score(entry.predictions, **options)
    best = min(ranked_baselines, key=sort_key) if ranked_baselines else None
    for entry in entries:
        if entry.errors or entry.results is not None:
            continue
        say(f"scoring {one_line(entry.id, 100)}")
        entry.results = benchmark.score(entry.predictions, **options, compare=best.predictions if best else None)
    if best is not None:
        for entry in ranked_baselines:
            if entry is not best:
                entry.results = benchmark.score(entry.predictions, **options, compare=best.predictions)

    ranked = sorted((e for e in entries if not e.errors and e.kind != "oracle"), key=sort_key)
    for rank, entry in zip(competition_ranks([rank_value(e.results, rank_by) for e in ranked]), ranked):
        entry.rank = rank
    oracle = sorted((e for e in entries if not e.errors and e.kind == "oracle"), key=sort_key)
    invalid = [e for e in entries if e.errors]
    signature = (ranked or oracle)[0].results["signature"] if (ranked or oracle) else None
    if signature is None:      # nothing scored: still record the options that would have been used
        signature = str(benchmark.scoring.Options(split=split, track=track, n_boot=n_boot, seed=seed,
                                                  data_fingerprint=benchmark.data_fingerprint(data_dir)).signature())
    n_docs = len(docs)
    return {
        "title": "kremlin-reactions leaderboard",
        "signature": signature,
        "split": split,
        "track": track,
        "n_documents": n_docs,
        "documents": [d["doc_id"] for d in docs],
        "min_two_sided_p": min_two_sided_p(n_docs),
        "rank_by": rank_by,
        "ranking_rule": RANKING_RULE.format(key=rank_by),
        "overall_definition": OVERALL_DEFINITION,
        "baselines_included": baselines,
        "best_baseline": best.id if best else None,
        "columns": [{"header": h, "key": k, "task": t} for h, k, t in COLUMNS],
        "ranked": [_entry_json(e, best, rank_by) for e in ranked],
        "oracle": [_entry_json(e, best, rank_by) for e in oracle],
        "invalid": [{"id": e.id, "kind": e.kind, "file": e.file, **_meta_json(e),
                     "errors": _first_lines(e.errors)} for e in invalid],
        "ignored_files": ignored,
    }


def _first_lines(problems: list[str]) -> list[str]:
    shown = [one_line(p, 400) for p in problems[:ERROR_LINES]]
    if len(problems) > ERROR_LINES:
        shown.append(f"... and {len(problems) - ERROR_LINES} more problems")
    return shown


def _meta_json(entry: Entry) -> dict:
    return {k: entry.meta.get(k) for k in META_KEYS if k != "name"} | {"name": entry.name}


def _entry_json(entry: Entry, best: Entry | None, rank_by: str) -> dict:
    r = entry.results
    scores, intervals = {}, {}
    for _, key, task in COLUMNS:
        attempted = task is None or task in r["attempted"]
        scores[key] = get_metric(r, key) if attempted else None
        intervals[key] = r["intervals"].get(key) if attempted else None
    comparison = None
    if "compare" in r and best is not None:
        c = r["compare"]
        wl = c["win_loss"]
        comparison = {
            "against": best.id,
            "metric": rank_by,
            "difference": c["scores"][rank_by]["difference"],
            "p_randomisation": c["scores"][rank_by]["p_randomisation"],
            "exact": c["randomisation"]["exact"],
            "n_permutations": c["randomisation"]["n_permutations"],
            "wins": wl["wins_a"], "losses": wl["wins_b"], "ties": wl["ties"],
            "per_document": [{"doc_id": d["doc_id"], "value": d["a"], "best_baseline": d["b"],
                              "result": {"A": "win", "B": "loss", "tie": "tie"}[d["winner"]]}
                             for d in wl["documents"]],
        }
    return {"rank": entry.rank, "id": entry.id, "kind": entry.kind, "file": entry.file, **_meta_json(entry),
            "overall": r["overall"], "rank_value": rank_value(r, rank_by), "scores": scores, "intervals": intervals,
            "attempted": list(r["attempted"]), "not_attempted": list(r.get("not_attempted") or []),
            "warnings": _first_lines(r.get("warnings") or []), "comparison": comparison}


# --------------------------------------------------------------------------------------------------------------
# rendering

def write_leaderboard(board: dict, out_dir: str | Path) -> list[Path]:
    """Write the four files (rendered first, then written atomically: all or none); returns their paths."""
    out = Path(out_dir)
    texts = {
        "leaderboard.md": render_markdown(board),
        "leaderboard.csv": render_csv(board),
        "leaderboard.json": json.dumps(board, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
        "leaderboard.html": render_html(board),
    }
    return write_atomic([(out / name, texts[name]) for name in OUTPUT_FILES])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions_dir", metavar="SUBMISSIONS_DIR",
                        help="folder of NAME.jsonl submissions with optional NAME.meta.json metadata")
    parser.add_argument("-o", "--output", default="leaderboard", metavar="OUT_DIR",
                        help="folder to write leaderboard.{md,csv,json,html} into (default: leaderboard)")
    scoring_options.add_arguments(parser, "split", "track", "bootstrap", "seed", "data", "strict")
    parser.add_argument("--rank-by", default=RANK_BY, metavar="KEY",
                        help=f"the headline metric that ranks (default {RANK_BY}): {', '.join(MAIN_KEYS)}")
    parser.add_argument("--no-baselines", dest="baselines", action="store_false",
                        help="do not add the baselines (and oracle rows)")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                        help=f"refuse submission files larger than N bytes (default {DEFAULT_MAX_BYTES})")


def run(args: argparse.Namespace) -> int:
    if args.max_bytes <= 0:
        raise InputError(f"--max-bytes: must be positive, got {args.max_bytes}")
    check_rank_by(args.rank_by)
    board = build_leaderboard(args.submissions_dir, split=args.split, track=args.track, baselines=args.baselines,
                              max_bytes=args.max_bytes, n_boot=args.n_boot, seed=args.seed,
                              data_dir=args.data_dir, progress=True, strict=args.strict, rank_by=args.rank_by)
    try:
        paths = write_leaderboard(board, args.output)
    except InputError as err:
        raise InputError([f"{args.output}: cannot write the leaderboard ({p})" for p in err.problems]) from None
    print(f"ranked {len(board['ranked'])} entries by {board['rank_by']}, {len(board['oracle'])} oracle rows, "
          f"{len(board['invalid'])} invalid; wrote {', '.join(str(p) for p in paths)}")
    for e in board["invalid"]:
        print(terminal(f"invalid: {one_line(e['file'] or e['id'], 100)}: {e['errors'][0] if e['errors'] else ''}"),
              file=sys.stderr)
    return 0

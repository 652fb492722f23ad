"""Run an extractor over the documents and write its predictions as a submission (`kremlin-reactions run`).

An extractor is any class with `extract(document) -> dict` (one submission object, see benchmark.submission) and
optionally `fit(documents, quotes)`:

- Inputs: `extract` receives only the input fields of a document row, `{"doc_id", "text"}`. The other columns of
  the `documents` config (outlet, published, url, headline, boilerplate, ...) are the gold answers or give them
  away (a URL names the outlet and often the date), so they are withheld. `fit` receives the full train rows of
  the `documents` and `quotes` configs: that is what training data is for.
- Fitting: when the class has `fit`, the runner calls `fit(train documents, train quotes)` once, always on the
  train split, then predicts on the requested split. Predicting on `--split train` or `all` is then in-sample and
  the runner warns that the numbers are optimistic.
- Exit status: 1 when the extractor's code raised (import, constructor, fit, extract); 2 when it ran but what
  it returned is not a valid submission (not a dict, not JSON-serialisable, another doc_id, bad offsets, unknown
  labels, ...), reported as `FILE:LINE: field: problem` with LINE = the document's line in the file-to-be.
- Output: one line per document, in document order; keys in a fixed order (doc_id, outlet, published, quotes;
  start, end, text, ... inside a quote); UTF-8; so the same extractor gives a byte-identical file. `doc_id` may be
  omitted by the extractor (the runner fills it in); a different doc_id is an error. Dates (`datetime.date`) are
  written as YYYY-MM-DD; numpy scalars as numbers.
- Failures: an exception in `extract` is reported with the doc_id and the exception message (the traceback with
  `--debug`); the run continues over the remaining documents so every failure is listed at once, then exits 1
  WITHOUT writing the output file: a partial file would silently score the failed documents as empty. Predictions
  are checked with `read_submission` before writing; if invalid, nothing is written either. The file is written
  atomically (temp file + rename), so an interrupted run never leaves a truncated file.
"""
from __future__ import annotations

import datetime
import importlib
import importlib.util
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmark.errors import InputError
from benchmark.submission import DOCUMENT_EXTRA_KEYS, DOCUMENT_KEYS, QUOTE_EXTRA_KEYS, QUOTE_KEYS, Submission

INPUT_FIELDS = ("doc_id", "text")     # what extract() sees of a document row
_DOC_ORDER = {k: i for i, k in enumerate(DOCUMENT_KEYS + DOCUMENT_EXTRA_KEYS)}
_QUOTE_ORDER = {k: i for i, k in enumerate(QUOTE_KEYS + QUOTE_EXTRA_KEYS)}


@dataclass
class DocumentFailure:
    doc_id: str
    message: str          # "ExceptionType: message"
    traceback: str


class ExtractorFailed(Exception):
    """extract() failed on some documents (after all documents were tried)."""

    def __init__(self, failures: list[DocumentFailure], n_documents: int):
        self.failures = failures
        self.n_documents = n_documents
        super().__init__(f"extract() failed on {len(failures)} of {n_documents} documents")


class ExtractorError(Exception):
    """The extractor's own code failed outside extract() (import, constructor, fit): exit 1, not bad input."""

    def __init__(self, message: str, tb: str = ""):
        self.traceback = tb
        super().__init__(message)


# --------------------------------------------------------------------------------------------------------------
# Python API

def load_extractor(spec: str) -> object:
    """An extractor instance from "MODULE:CLASS" (module importable from the current directory) or
    "path/to/file.py:CLASS". A class is instantiated without arguments; an object with `extract` is used as is."""
    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise InputError(f"extractor: expected MODULE:CLASS (for example baselines.rules:RuleExtractor), got {spec!r}")
    try:
        if module_name.endswith(".py") or os.sep in module_name or "/" in module_name:
            path = Path(module_name)
            if not path.is_file():
                raise InputError(f"extractor: {module_name}: no such file")
            name = path.stem
            loaded = sys.modules.get(name)
            if loaded is not None and getattr(loaded, "__file__", None) != str(path.resolve()):
                name = f"_kremlin_extractor_{name}"      # never shadow another module (a student's json.py...)
            mod_spec = importlib.util.spec_from_file_location(name, path.resolve())
            module = importlib.util.module_from_spec(mod_spec)
            sys.modules[name] = module                    # dataclasses and pickle look the module up by name
            mod_spec.loader.exec_module(module)
        else:
            if os.getcwd() not in sys.path and "" not in sys.path:
                sys.path.insert(0, os.getcwd())       # console scripts do not put the working directory on the path
            module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name and (module_name == err.name or module_name.startswith(err.name + ".")):
            raise InputError(f"extractor: cannot import module {module_name!r} ({err}); run from the folder that "
                             f"contains it, or give a file: path/to/file.py:{attr}") from None
        raise ExtractorError(f"importing {module_name} failed: {type(err).__name__}: {err}",
                             traceback.format_exc()) from None
    except InputError:
        raise
    except Exception as err:  # the extractor's code raised while being imported
        raise ExtractorError(f"importing {module_name} failed: {type(err).__name__}: {err}",
                             traceback.format_exc()) from None
    if not hasattr(module, attr):
        public = sorted(n for n, v in vars(module).items() if isinstance(v, type) and not n.startswith("_"))
        raise InputError(f"extractor: module {module_name!r} has no {attr!r}"
                         + (f" (its classes: {', '.join(public)})" if public else ""))
    target = getattr(module, attr)
    if isinstance(target, type):
        try:
            target = target()
        except Exception as err:
            raise ExtractorError(f"{spec}(): {type(err).__name__}: {err}", traceback.format_exc()) from None
    if not callable(getattr(target, "extract", None)):
        raise InputError(f"extractor: {spec} has no extract(document) method")
    return target


def fit_extractor(extractor, train_documents: list[dict], train_quotes: list[dict]) -> None:
    """Call extractor.fit(train documents, train quotes) if it has fit (errors become ExtractorError)."""
    fit = getattr(extractor, "fit", None)
    if not callable(fit):
        return
    try:
        fit(train_documents, train_quotes)
    except Exception as err:
        raise ExtractorError(f"fit() failed: {type(err).__name__}: {err}", traceback.format_exc()) from None


def run_extractor(extractor, documents: Sequence[dict], *, progress: bool | None = None) -> list:
    """What `extractor.extract` returns for each document (rows of the `documents` config), in document order.

    `extract` sees only the INPUT_FIELDS of each row. Raises ExtractorFailed, after trying every document, if any
    extract() call raised. The returned objects are not checked here: `to_jsonl_lines` and `validate_predictions`
    do that. `progress`: tqdm bar on stderr (None = only when stderr is a terminal).
    """
    from tqdm import tqdm

    predictions: list = []
    failures: list[DocumentFailure] = []
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    for row in tqdm(documents, desc="extract", unit="doc", file=sys.stderr, disable=disable):
        try:
            predictions.append(extractor.extract({k: row[k] for k in INPUT_FIELDS}))
        except Exception as err:  # a bug in the extractor: reported with the doc_id, never swallowed
            failures.append(DocumentFailure(row["doc_id"], f"{type(err).__name__}: {err}", traceback.format_exc()))
    if failures:
        raise ExtractorFailed(failures, len(documents))
    return predictions


def _json_default(value):
    if isinstance(value, datetime.datetime):
        raise TypeError(f"a datetime ({value.isoformat()}) where a date YYYY-MM-DD is expected")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item) and type(value).__module__ == "numpy":
        return value.item()                    # numpy scalar -> int / float / bool / str
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _ordered(obj: dict, order: dict) -> dict:
    return dict(sorted(obj.items(), key=lambda kv: (order.get(kv[0], len(order)), str(kv[0]))))


def to_json_object(prediction, doc_id: str) -> dict:
    """The prediction as plain JSON data (a deep copy) with doc_id filled in and keys in canonical order.

    Raises ValueError when it is not a JSON object for this document or cannot be written as JSON."""
    if not isinstance(prediction, dict):
        raise ValueError(f"extract() returned {type(prediction).__name__}, expected a dict (one submission object)")
    given = prediction.get("doc_id", doc_id)
    if given != doc_id:
        raise ValueError(f"extract() returned doc_id {given!r} for document {doc_id!r}")
    try:
        data = json.loads(json.dumps({**prediction, "doc_id": doc_id}, default=_json_default, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as err:
        raise ValueError(f"extract() returned a prediction that cannot be written as JSON: {err}") from None
    if isinstance(data.get("quotes"), list):
        data["quotes"] = [_ordered(q, _QUOTE_ORDER) if isinstance(q, dict) else q for q in data["quotes"]]
    return _ordered(data, _DOC_ORDER)


def to_jsonl_lines(predictions: Sequence, documents: Sequence[dict], *, name: str) -> list[str]:
    """One deterministic JSON line (without newline) per prediction, doc_id filled in from the document.

    Raises InputError (`NAME:LINE: prediction: problem`, LINE = document number) for predictions that are not
    a dict for their document or cannot be written as JSON."""
    lines, problems = [], []
    for number, (prediction, row) in enumerate(zip(predictions, documents), start=1):
        try:
            data = to_json_object(prediction, row["doc_id"])
        except ValueError as err:
            problems.append(f"{name}:{number}: prediction: {err}")
            continue
        lines.append(json.dumps(data, ensure_ascii=False, separators=(", ", ": ")))
    if problems:
        raise InputError(problems)
    return lines


def validate_predictions(lines: list[str], documents: Sequence[dict], gold_quote_ids=(), *, name: str,
                         strict: bool = False) -> Submission:
    """read_submission over the lines about to be written: the file is only written if it would be accepted."""
    from benchmark.submission import read_submission

    texts = {row["doc_id"]: row["text"] for row in documents}
    boilerplate = {row["doc_id"]: list(row.get("boilerplate") or ()) for row in documents}
    return read_submission(lines, texts, gold_quote_ids, name=name, boilerplate=boilerplate, strict=strict)


def write_lines(lines: list[str], path: str) -> None:
    """Write the JSONL file atomically ('-' = stdout)."""
    body = "".join(line + "\n" for line in lines)
    if path == "-":
        sys.stdout.write(body)
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise InputError(f"{path}: cannot write: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(body)
        os.replace(tmp, target)
    except BaseException as err:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise InputError(f"{path}: cannot write: {err.strerror or err}") from None
        raise

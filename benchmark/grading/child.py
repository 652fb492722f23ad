"""The child side of a grading run: the only code that runs as the grading user, next to the student's code.

    python -I -B child.py REQUEST.json

Standard library only, and no import of `benchmark`: the grader copies this file next to the inputs and runs it
with whatever interpreter the student's code needs (on Gradescope the bundle's venv; in CI Debian's python3). It

1. lowers its own resource limits (soft = hard, so nothing it starts can raise them again), sets no_new_privs and
   offers itself to the OOM killer, all before any student code is imported;
2. imports the uploaded extractor file and instantiates its class;
3. calls `fit(train documents, train quotes)` when the class has `fit` (the train split is public training data,
   written by the grader as JSON);
4. calls `extract({"doc_id", "text"})` on each document of the graded split, read from a texts-only JSON file:
   it never sees the gold, the documents config's answer columns or the grader's memory;
5. writes `predictions.jsonl` (only when every document succeeded and every prediction is JSON) and
   `report.json` (what failed, where) into its own output folder.

Nothing here is trusted by the grader: it reads both files defensively, validates the predictions with the normal
submission reader and decides the score itself. Exit status: 0 done, 1 the extractor's code failed, 2 its
predictions cannot be written as a submission, 70 the sandbox could not be set up (no student code ran).
"""
import datetime
import importlib.util
import json
import os
import sys
import traceback

MAX_MESSAGE = 4000          # characters of one exception message kept in the report
MAX_TRACEBACK = 8000        # characters of one formatted traceback
MAX_FRAMES = 40             # frames kept per exception (the innermost ones)
MAX_FAILURES = 50           # documents whose failure is reported in full
PR_SET_NO_NEW_PRIVS = 38
SANDBOX_FAILED = 70


def _write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    os.replace(tmp, path)


def apply_limits(request):
    """Resource limits, no_new_privs, OOM preference; and, when sandboxed, a check that we really are unprivileged.
    Returns a problem string, or None."""
    import resource

    for name, value in sorted((request.get("limits") or {}).items()):
        which = getattr(resource, name, None)
        if which is None:
            return "unknown resource limit " + name
        soft, hard = resource.getrlimit(which)
        value = int(value)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (OSError, ValueError) as err:
            if request.get("sandboxed"):
                return "cannot set %s: %s" % (name, err)
            sys.stderr.write("warning: cannot set %s here (%s); a dry run goes on without it\n" % (name, err))
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    except (OSError, AttributeError, ImportError) as err:
        if request.get("sandboxed"):
            return "cannot set no_new_privs: %s" % err
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass
    if request.get("sandboxed"):
        uid, gid = request.get("uid"), request.get("gid")
        if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
            return "running as uid %s gid %s, expected %s/%s" % (os.getresuid(), os.getresgid(), uid, gid)
        if not set(os.getgroups()) <= {gid}:
            return "supplementary groups %s were not dropped" % (os.getgroups(),)
    return None


def _short(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + " ... (%d characters cut)" % (len(text) - limit)


def describe(err, code_dir):
    """An exception as data: type, message, frames (file relative to the upload, or None outside it), and the
    formatted traceback without this driver's own frames."""
    try:
        message = str(err)
    except Exception:  # a hostile __str__
        message = "(the exception's message could not be printed)"
    tb = err.__traceback__
    here = os.path.abspath(__file__)
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == here:
        tb = tb.tb_next
    frames, text = [], ""
    try:
        summary = traceback.extract_tb(tb)[-MAX_FRAMES:]
        prefix = code_dir.rstrip(os.sep) + os.sep
        for frame in summary:
            name = frame.filename
            frames.append({"file": name[len(prefix):] if name.startswith(prefix) else None,
                           "line": frame.lineno, "function": frame.name})
        lines = ["Traceback (most recent call last):\n"] + traceback.format_list(summary)
        lines += traceback.format_exception_only(type(err), err)
        text = "".join(lines).replace(prefix, "")
    except Exception:
        pass
    return {"type": type(err).__name__, "message": _short(message, MAX_MESSAGE),
            "traceback": _short(text, MAX_TRACEBACK), "frames": frames}


def load_class(path, class_name, code_dir):
    """(instance, None) or (None, error dict with 'stage' and 'summary')."""
    stem = os.path.splitext(os.path.basename(path))[0]
    name = stem if stem.isidentifier() and stem not in sys.modules else "_kremlin_extractor_" + "".join(
        c if c.isalnum() else "_" for c in stem)          # never shadow another module (a student's json.py ...)
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module                # dataclasses and pickle look the module up by name
        spec.loader.exec_module(module)
    except BaseException as err:                  # SystemExit too: the grader, not the student, decides
        if isinstance(err, KeyboardInterrupt):
            raise
        info = describe(err, code_dir)
        info.update(stage="import", summary="importing %s failed: %s: %s" % (os.path.basename(path), info["type"],
                                                                             info["message"]))
        return None, info
    target = getattr(module, class_name, None)
    if target is None:
        public = sorted(n for n, v in vars(module).items() if isinstance(v, type) and not n.startswith("_")
                        and getattr(v, "__module__", None) == name)
        return None, {"stage": "class", "summary": "%s has no %r%s" % (
            os.path.basename(path), class_name, " (its classes: %s)" % ", ".join(public) if public else "")}
    if isinstance(target, type):
        try:
            target = target()
        except BaseException as err:
            if isinstance(err, KeyboardInterrupt):
                raise
            info = describe(err, code_dir)
            info.update(stage="construct", summary="%s(): %s: %s" % (class_name, info["type"], info["message"]))
            return None, info
    if not callable(getattr(target, "extract", None)):
        return None, {"stage": "class", "summary": "%s has no extract(document) method" % class_name}
    return target, None


def _restore_dates(rows, fields):
    for row in rows:
        for field in fields:
            if isinstance(row.get(field), str):
                row[field] = datetime.date.fromisoformat(row[field])
    return rows


def _json_default(value):
    if isinstance(value, datetime.datetime):
        raise TypeError("a datetime (%s) where a date YYYY-MM-DD is expected" % value.isoformat())
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item) and type(value).__module__ == "numpy":
        return value.item()                       # numpy scalar -> int / float / bool / str
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def to_line(prediction, doc_id):
    """One JSON line for the prediction (doc_id filled in), or raise ValueError."""
    if not isinstance(prediction, dict):
        raise ValueError("extract() returned %s, expected a dict (one submission object)" % type(prediction).__name__)
    given = prediction.get("doc_id", doc_id)
    if given != doc_id:
        raise ValueError("extract() returned doc_id %r for document %r" % (_short(given, 200), doc_id))
    try:
        return json.dumps({"doc_id": doc_id, **{k: v for k, v in prediction.items() if k != "doc_id"}},
                          default=_json_default, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as err:
        raise ValueError("extract() returned a prediction that cannot be written as JSON: %s"
                         % _short(err, MAX_MESSAGE)) from None


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        request = json.load(f)
    out_dir = request["out_dir"]
    report_path = os.path.join(out_dir, "report.json")
    problem = apply_limits(request)
    if problem:
        sys.stderr.write("sandbox set-up failed: %s\n" % problem)
        return SANDBOX_FAILED
    code_dir = request["code_dir"]
    sys.path.insert(0, code_dir)                  # the other .py files of the upload are importable
    report = {"version": 1, "stage": "import", "ok": False, "failures": [], "problems": [], "fitted": False}
    _write_json(report_path, report)              # a report exists even if the student's code kills us later
    extractor, error = load_class(request["extractor"], request["class_name"], code_dir)
    if error is not None:
        report.update(stage=error.pop("stage"), error=error)
        _write_json(report_path, report)
        return 1
    report["stage"] = "construct"                 # imported and constructed: what a later hang or crash was in
    fit = getattr(extractor, "fit", None)
    if callable(fit) and request.get("train"):
        report["stage"] = "fit"
        _write_json(report_path, report)
        with open(request["train"], encoding="utf-8") as f:
            train = json.load(f)
        dates = train.get("date_fields") or {}
        documents = _restore_dates(train["documents"], dates.get("documents", []))
        quotes = _restore_dates(train["quotes"], dates.get("quotes", []))
        try:
            fit(documents, quotes)
        except BaseException as err:
            if isinstance(err, KeyboardInterrupt):
                raise
            info = describe(err, code_dir)
            info["summary"] = "fit() failed: %s: %s" % (info["type"], info["message"])
            report["error"] = info
            _write_json(report_path, report)
            return 1
        report["fitted"] = True
        del documents, quotes, train
    report["stage"] = "extract"
    with open(request["documents"], encoding="utf-8") as f:
        inputs = json.load(f)
    report["n_documents"] = len(inputs)
    _write_json(report_path, report)
    predictions, failures, n_failed = [], [], 0
    for document in inputs:
        doc_id = document["doc_id"]
        try:
            predictions.append(extractor.extract({"doc_id": doc_id, "text": document["text"]}))
        except BaseException as err:              # every document is tried, so every failure is listed at once
            if isinstance(err, KeyboardInterrupt):
                raise
            n_failed += 1
            if len(failures) < MAX_FAILURES:
                info = describe(err, code_dir)
                info["doc_id"] = doc_id
                failures.append(info)
            predictions.append(None)
    if n_failed:
        report.update(failures=failures, n_failures=n_failed)
        _write_json(report_path, report)
        return 1
    report["stage"] = "convert"
    lines, problems = [], []
    for number, (prediction, document) in enumerate(zip(predictions, inputs), start=1):
        try:
            lines.append(to_line(prediction, document["doc_id"]))
        except ValueError as err:
            problems.append("predictions.jsonl:%d: prediction: %s" % (number, err))
    if problems:
        report["problems"] = problems[:MAX_FAILURES]
        report["n_problems"] = len(problems)
        _write_json(report_path, report)
        return 2
    target = os.path.join(out_dir, "predictions.jsonl")
    try:
        with open(target + ".tmp", "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(line + "\n" for line in lines))
        os.replace(target + ".tmp", target)
    except OSError as err:                        # e.g. EFBIG: bigger than the file size limit
        report["problems"] = ["predictions.jsonl: cannot write the predictions: %s" % (err.strerror or err)]
        _write_json(report_path, report)
        return 2
    report.update(stage="done", ok=True)
    _write_json(report_path, report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

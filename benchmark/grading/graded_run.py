"""Running a student's uploaded extractor for grading, in two halves.

1. The child (`child.py`, standard library only) runs as the grading uid inside the sandbox (`sandbox.py`). It sees
   a copy of the upload, a texts-only input (`doc_id`, `text` of each document of the graded split) and the train
   split (public training data, for `fit`), all written by the grader into a fresh folder; it writes
   `predictions.jsonl` and `report.json` into its own output folder. It never sees the gold of the graded split,
   the documents config, the grader's memory or `/autograder/source`.
2. The grader (root), once every process of the uid is dead, reads those two files defensively (regular files,
   no symlinks, size caps), copies the predictions to a folder only root can write, and returns their path: the
   caller scores them with the normal submission reader. What the student is shown of a failure is bounded and,
   when private documents were involved, redacted (`messages.py`).

Modes (AUTOGRADER_SANDBOX): `auto` (default) = sandboxed when the grader is root, as on Gradescope; `on` = refuse
to grade unless sandboxed; `off` = a local dry run: the child runs as the grader's own user (no uid switch, only
its session is killed afterwards), with a loud warning on stderr and a note in results.json. The child's
interpreter: AUTOGRADER_CHILD_PYTHON, else $ROOT/venv/bin/python when sandboxed and present (Gradescope), else
AUTOGRADER_PYTHON, else the grader's own. `python -m benchmark.grading.graded_run --check` runs a tiny extractor
through the sandbox (setup.sh does, so a broken set-up fails the image build, not a student's submission).
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.grading import sandbox
from benchmark.grading.messages import (
    MAX_OUTPUT_CHARS,
    SIGNAL_HINTS,
    Redactor,
    frames_text,
    printable,
    shorten,
    signal_name,
)

CHILD_SCRIPT = Path(__file__).resolve().with_name("child.py")
DEFAULT_TIMEOUT = 480             # seconds for fit + extract: below Gradescope's own 10-minute default, so the
#                                   grader still has time to write results.json when a submission hangs
DEFAULT_MEMORY_MB = 2048          # RLIMIT_AS per process (virtual memory: numpy + scikit-learn need ~0.5 GB)
NPROC = 64                        # processes + threads of the uid
FILE_BYTES = 64 << 20             # RLIMIT_FSIZE: largest file the child may write
NOFILE = 256
MAX_PREDICTIONS_BYTES = 32 << 20  # predictions.jsonl copied for scoring
MAX_REPORT_BYTES = 2 << 20
MAX_UPLOAD_BYTES = 512 << 20      # the upload copied for the child
MAX_UPLOAD_FILES = 10_000
SKIPPED_PARTS = ("__pycache__", "__MACOSX")
STAGES = {"import": "importing your file", "class": "finding your class", "construct": "creating your extractor",
          "fit": "fit()", "extract": "extract()", "convert": "writing the predictions", "done": "the end"}


class NotGradable(Exception):
    """The submission cannot be graded; the message is shown to the student."""


@dataclass
class Settings:
    identity: sandbox.Identity | None         # None: no sandbox (a dry run)
    child_python: str
    timeout: float = DEFAULT_TIMEOUT
    limits: dict[str, int] = field(default_factory=dict)

    @property
    def sandboxed(self) -> bool:
        return self.identity is not None


def settings_for(root: Path, config: dict, environ=os.environ) -> Settings:
    """Sandbox mode, uid, interpreter, timeout and limits for a grading run. Raises sandbox.SandboxError."""
    mode = environ.get("AUTOGRADER_SANDBOX", "auto").strip().lower() or "auto"
    if mode not in ("auto", "on", "off"):
        raise sandbox.SandboxError(f"AUTOGRADER_SANDBOX={mode!r}: expected auto, on or off")
    if mode == "on" and os.geteuid() != 0:
        raise sandbox.SandboxError("AUTOGRADER_SANDBOX=on, but the grader is not root: the sandbox needs root")
    sandboxed = mode == "on" or (mode == "auto" and os.geteuid() == 0)
    identity = sandbox.resolve_identity(environ) if sandboxed else None
    venv = Path(root) / "venv" / "bin" / "python"
    python = (environ.get("AUTOGRADER_CHILD_PYTHON") or (str(venv) if sandboxed and venv.exists() else None)
              or environ.get("AUTOGRADER_PYTHON") or sys.executable)
    timeout = float(config.get("timeout", DEFAULT_TIMEOUT))
    if not timeout > 0:
        raise sandbox.SandboxError(f"autograder.json: timeout: must be positive, got {timeout:g}")
    memory = int(config.get("memory_mb", DEFAULT_MEMORY_MB))
    limits = {"RLIMIT_CPU": math.ceil(timeout) + 5, "RLIMIT_AS": memory << 20, "RLIMIT_FSIZE": FILE_BYTES,
              "RLIMIT_NOFILE": NOFILE, "RLIMIT_CORE": 0}
    if sandboxed:          # RLIMIT_NPROC counts every process of the real uid: only meaningful for a dedicated uid
        limits["RLIMIT_NPROC"] = NPROC
    return Settings(identity, python, timeout, limits)


# ----------------------------------------------------------------------------------------------------------------
# the run folder

def _base_folder() -> str:
    """A temp folder every uid can traverse (mkdtemp names in it are unpredictable; ours are root 0755)."""
    for base in (tempfile.gettempdir(), "/tmp"):
        path, ok = Path(base).resolve(), True
        for part in (path, *path.parents):
            try:
                ok = ok and bool(os.stat(part).st_mode & stat.S_IXOTH)
            except OSError:
                ok = False
        if ok:
            return str(path)
    raise sandbox.SandboxError("no temporary folder that the grading uid can reach (checked $TMPDIR and /tmp)")


def _write(path: Path, data, mode: int = 0o644) -> None:
    def default(value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        raise TypeError(f"cannot write {type(value).__name__} for the child")
    path.write_text(json.dumps(data, ensure_ascii=False, default=default), encoding="utf-8")
    os.chmod(path, mode)


def copy_upload(upload: Path, code: Path) -> dict[str, list[str]]:
    """Copy the upload's regular files (never a symlink: it could point at the gold) into `code`, root-owned and
    world-readable; return the .py files' lines (relative name -> lines), read from the upload itself."""
    sources: dict[str, list[str]] = {}
    total = count = 0
    for folder, dirs, files in os.walk(upload, followlinks=False):
        rel_dir = Path(folder).relative_to(upload)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_PARTS)
        (code / rel_dir).mkdir(parents=True, exist_ok=True)
        os.chmod(code / rel_dir, 0o755)
        for name in sorted(files):
            src = Path(folder) / name
            info = os.lstat(src)
            if name.startswith(".") or not stat.S_ISREG(info.st_mode):
                continue
            total += info.st_size
            count += 1
            if total > MAX_UPLOAD_BYTES or count > MAX_UPLOAD_FILES:
                raise NotGradable(f"the upload is too large to run (over {MAX_UPLOAD_BYTES >> 20} MB or "
                                  f"{MAX_UPLOAD_FILES} files)")
            shutil.copyfile(src, code / rel_dir / name, follow_symlinks=False)
            os.chmod(code / rel_dir / name, 0o644)
            if name.endswith(".py"):
                sources[(rel_dir / name).as_posix()] = (code / rel_dir / name).read_text(
                    encoding="utf-8", errors="replace").splitlines()
    return sources


def _train_input(data_dir: Path):
    from benchmark.dataset import available_splits, read_rows

    if "train" not in available_splits("documents", data_dir):
        return None
    docs, quotes = read_rows("documents", "train", data_dir), read_rows("quotes", "train", data_dir)

    def dates(rows):
        return sorted({k for row in rows for k, v in row.items() if isinstance(v, datetime.date)})
    return {"documents": docs, "quotes": quotes, "date_fields": {"documents": dates(docs), "quotes": dates(quotes)}}


# ----------------------------------------------------------------------------------------------------------------
# running and reading back

@dataclass
class Outcome:
    """What the grader learnt from a run."""
    result: sandbox.RunResult
    report: dict | None
    report_problem: str = ""
    predictions: Path | None = None
    sources: dict[str, list[str]] = field(default_factory=dict)


def run_uploaded(upload: Path, extractor: Path, *, class_name: str, split: str, data_dir: Path, settings: Settings,
                 work: Path, log=sys.stdout) -> Outcome:
    """Run the uploaded extractor over the documents of `split`; the predictions (if any) end up in `work`, a folder
    only root can write. Every process of the grading uid is dead when this returns."""
    from benchmark.dataset import read_rows

    documents = [{"doc_id": row["doc_id"], "text": row["text"]} for row in read_rows("documents", split, data_dir)]
    train = _train_input(data_dir)
    run = Path(tempfile.mkdtemp(prefix="kr-sandbox-", dir=_base_folder()))
    try:
        os.chmod(run, 0o755)
        inputs, code, out = run / "input", run / "code", run / "out"
        inputs.mkdir(mode=0o755)
        os.chmod(inputs, 0o755)
        sources = copy_upload(upload, code)
        shutil.copyfile(CHILD_SCRIPT, inputs / "child.py")
        os.chmod(inputs / "child.py", 0o644)
        _write(inputs / "documents.json", documents)
        if train is not None:
            _write(inputs / "train.json", train)
        out.mkdir(mode=0o700)
        for sub in ("home", "tmp", "work"):
            (out / sub).mkdir(mode=0o700)
        if settings.identity is not None:
            for path in (out, out / "home", out / "tmp", out / "work"):
                os.chown(path, settings.identity.uid, settings.identity.gid)
        request = {"code_dir": str(code), "extractor": str(code / extractor.relative_to(upload)),
                   "class_name": class_name, "documents": str(inputs / "documents.json"),
                   "train": str(inputs / "train.json") if train is not None else None, "out_dir": str(out),
                   "limits": settings.limits, "sandboxed": settings.sandboxed,
                   "uid": settings.identity.uid if settings.identity else None,
                   "gid": settings.identity.gid if settings.identity else None}
        _write(inputs / "request.json", request)
        argv = [settings.child_python, "-I", "-B", str(inputs / "child.py"), str(inputs / "request.json")]
        env = sandbox.child_env(str(out / "home"), str(out / "tmp"))
        result = sandbox.run_child(argv, cwd=str(out / "work"), env=env, timeout=settings.timeout,
                                   identity=settings.identity)
        if settings.identity is not None:
            sandbox.remove_leftovers(settings.identity.uid)
        outcome = Outcome(result, None, sources=sources)
        try:
            raw = sandbox.safe_read(str(out), "report.json", MAX_REPORT_BYTES)
            report = json.loads(raw.decode("utf-8")) if raw is not None else None
            outcome.report = report if isinstance(report, dict) else None
            if raw is not None and outcome.report is None:
                outcome.report_problem = "report.json: not a JSON object"
        except (sandbox.UnsafeOutput, UnicodeDecodeError, ValueError, RecursionError) as err:
            outcome.report_problem = f"report.json: {err}"
        if result.returncode == 0 and not result.timed_out and outcome.report and outcome.report.get("ok"):
            target = work / "predictions.jsonl"
            try:
                if sandbox.safe_copy(str(out), "predictions.jsonl", str(target), MAX_PREDICTIONS_BYTES):
                    outcome.predictions = target
            except sandbox.UnsafeOutput as err:
                outcome.report_problem = str(err)
        _log_run(log, settings, result, outcome)
        if result.returncode == sandbox_setup_failed() and outcome.report is None:
            raise sandbox.SandboxError("the child could not set up the sandbox: "
                                       + result.stderr.text(head=2000, tail=2000).strip())
        return outcome
    finally:
        shutil.rmtree(run, ignore_errors=True)


def sandbox_setup_failed() -> int:
    return 70          # child.SANDBOX_FAILED (child.py is not imported: it is the child's file)


def _log_run(log, settings: Settings, result: sandbox.RunResult, outcome: Outcome) -> None:
    """For the instructor: the autograder's own stdout (Gradescope shows it to instructors only)."""
    who = f"uid {settings.identity.uid} gid {settings.identity.gid}" if settings.identity else "NOT SANDBOXED"
    print(f"[grader] extractor run ({who}, python {settings.child_python}): exit status {result.returncode}, "
          f"{'timed out, ' if result.timed_out else ''}{result.elapsed:.1f} s, kill rounds {result.kill_rounds}, "
          f"stdout {result.stdout.total} bytes, stderr {result.stderr.total} bytes, stage "
          f"{(outcome.report or {}).get('stage')}", file=log)
    for name, buffer in (("stdout", result.stdout), ("stderr", result.stderr)):
        if buffer.total:
            print(f"[grader] child {name} (head and tail):\n{printable(buffer.text())}", file=log)
    log.flush()


# ----------------------------------------------------------------------------------------------------------------
# what the student is told

def _text(value, limit: int) -> str:
    return shorten(printable(value if isinstance(value, str) else ""), limit)


def _describe_error(info: dict, redactor: Redactor, sources, *, full: bool) -> list[str]:
    """An exception the child reported: 'Type: message' and the traceback (private: redacted, own frames only)."""
    kind = info.get("type") if isinstance(info.get("type"), str) else "Exception"
    kind = kind if kind.replace(".", "").replace("_", "").isalnum() and len(kind) <= 80 else "Exception"
    message = _text(info.get("message"), 1500 if full else 300)
    lines = [f"{kind}: {redactor.lines(message)}" if message else kind]
    if redactor.active:
        tb = frames_text(info.get("frames"), sources)
    else:
        tb = _text(info.get("traceback"), 4000 if full else 0).rstrip()
    if tb and full:
        lines.append(tb)
    return lines


def failure_message(outcome: Outcome, *, upload_name: str, class_name: str, timeout: float,
                    redactor: Redactor) -> str:
    """Why the run produced no gradable predictions, for the student: bounded, printable, redacted when private."""
    result, report = outcome.result, outcome.report or {}
    stage = report.get("stage") if report.get("stage") in STAGES else None
    head = f"Running {upload_name} (class {class_name})"
    parts: list[str] = []
    sig = signal_name(result.returncode)
    if result.timed_out:
        parts.append(f"{head} did not finish within {timeout:g} seconds (fit + extract) and was stopped"
                     + (f", during {STAGES[stage]}." if stage and stage != "done" else "."))
    elif sig:
        hint = SIGNAL_HINTS.get(sig, "")
        parts.append(f"{head} was killed by {sig}" + (f": {hint}" if hint else "")
                     + (f", during {STAGES[stage]}." if stage else "."))
    error = report.get("error") if isinstance(report.get("error"), dict) else None
    failures = [f for f in report.get("failures") or [] if isinstance(f, dict)] if isinstance(
        report.get("failures"), list) else []
    problems = [p for p in report.get("problems") or [] if isinstance(p, str)] if isinstance(
        report.get("problems"), list) else []
    if error is not None:
        what = {"import": f"importing {upload_name} failed", "construct": f"{class_name}() failed",
                "fit": "fit() failed"}.get(stage)
        if what and isinstance(error.get("type"), str):      # an exception: its type always shown, message redacted
            parts.append(f"{head} failed: {what}: " + "\n".join(
                _describe_error(error, redactor, outcome.sources, full=True)))
        else:
            summary = _text(error.get("summary"), 1500)
            parts.append(f"{head} failed: " + redactor.lines(summary) if summary else f"{head} failed.")
    elif failures:
        n = report.get("n_failures") if isinstance(report.get("n_failures"), int) else len(failures)
        total = report.get("n_documents") if isinstance(report.get("n_documents"), int) else "?"
        parts.append(f"{head}: extract() failed on {n} of {total} documents (nothing was scored: a partial "
                     "submission would score the failed documents as empty):")
        for number, failure in enumerate(failures[:20]):
            doc_id = _text(failure.get("doc_id"), 80).replace("\n", " ")
            described = _describe_error(failure, redactor, outcome.sources, full=number < 3)
            parts.append(f"  {doc_id}: " + "\n".join(described).replace("\n", "\n    "))
        if n > 20:
            parts.append(f"  ... and {n - 20} more documents")
    elif problems:
        parts.append(f"{head}: its predictions are not a valid submission (line = document number):")
        parts.extend("  " + redactor.problem(_text(p, 600)) for p in problems[:50])
    elif not parts:
        status = f"exit status {result.returncode}"
        if outcome.report_problem:
            parts.append(f"{head} failed ({status}): what it left cannot be read: {outcome.report_problem}")
        elif result.returncode == 0:
            parts.append(f"{head} ended without writing predictions ({status}).")
        else:
            parts.append(f"{head} failed ({status})" + (f" during {STAGES[stage]}" if stage else "")
                         + ": it ended without reporting an exception (sys.exit, os._exit or a crash).")
    parts.append(output_section(result, redactor))
    return shorten("\n".join(p for p in parts if p), MAX_OUTPUT_CHARS)


def output_section(result: sandbox.RunResult, redactor: Redactor) -> str:
    """What the student's code printed, head and tail of each stream (private documents: only the sizes)."""
    sizes = f"{result.stdout.total} bytes on stdout, {result.stderr.total} on stderr"
    if not (result.stdout.total or result.stderr.total):
        return ""
    if redactor.active:
        return (f"\nWhat your code printed ({sizes}) is not shown: the graded documents include private articles, "
                "whose text must not appear here. Reproduce the problem on the public articles "
                "(`kremlin-reactions run ...`) to see it.")
    out = [f"\nWhat your code printed ({sizes}; long output is cut in the middle):"]
    for name, buffer in (("stderr", result.stderr), ("stdout", result.stdout)):
        if buffer.total:
            out.append(f"--- {name} ---\n" + printable(buffer.text(head=2000, tail=5000)).rstrip())
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------------------------
# python -m benchmark.grading.graded_run --check

CHECK_EXTRACTOR = '''import os, resource
class Extractor:
    def extract(self, document):
        limits = resource.getrlimit(resource.RLIMIT_AS)
        return {"doc_id": document["doc_id"], "outlet": "uid %d as %d" % (os.getuid(), limits[0]), "published": None}
'''


def check(root: Path, environ=os.environ) -> int:
    """Run a tiny extractor through the sandbox as it would run at grading time; 0 when it worked."""
    from benchmark.errors import InputError

    settings = settings_for(root, {}, environ)
    with tempfile.TemporaryDirectory(prefix="kr-check-") as tmp:
        tmp = Path(tmp)
        (tmp / "upload").mkdir()
        (tmp / "upload" / "extractor.py").write_text(CHECK_EXTRACTOR)
        data = tmp / "data"
        _fake_dataset(data)
        try:
            outcome = run_uploaded(tmp / "upload", tmp / "upload" / "extractor.py", class_name="Extractor",
                                   split="test", data_dir=data, settings=settings, work=tmp)
        except (sandbox.SandboxError, InputError, NotGradable) as err:
            print(f"sandbox check FAILED: {err}", file=sys.stderr)
            return 1
        if outcome.predictions is None:
            print("sandbox check FAILED:\n" + failure_message(outcome, upload_name="extractor.py",
                                                             class_name="Extractor", timeout=settings.timeout,
                                                             redactor=Redactor([])), file=sys.stderr)
            return 1
        line = json.loads(outcome.predictions.read_text().splitlines()[0])
    print(f"sandbox check ok: {'sandboxed' if settings.sandboxed else 'NOT sandboxed'}, child said "
          f"{line['outlet']!r}, python {settings.child_python}")
    return 0


def _fake_dataset(folder: Path) -> None:
    """The smallest dataset folder `read_rows` accepts: one test document."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from benchmark.dataset import MANIFEST_FILE, manifest_text

    for sub in ("documents", "quotes"):
        (folder / sub).mkdir(parents=True)
    (folder / "README.md").write_text("sandbox check\n")
    pq.write_table(pa.table({"doc_id": ["check"], "text": ["A check."]}), folder / "documents" / "test.parquet")
    pq.write_table(pa.table({"quote_id": pa.array([], pa.string())}), folder / "quotes" / "test.parquet")
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    (folder / MANIFEST_FILE).write_text(manifest_text(files))      # what a build writes last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.grading.graded_run",
                                     description="check that the grading sandbox works on this machine")
    parser.add_argument("--check", action="store_true", required=True)
    parser.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = parser.parse_args(argv)
    try:
        return check(Path(args.root))
    except sandbox.SandboxError as err:
        print(f"sandbox check FAILED: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The grading sandbox, attacked end to end: the real Gradescope bundle (`kremlin-reactions autograder gradescope`),
unpacked into a temp AUTOGRADER_ROOT laid out like Gradescope's /autograder (world-readable files, as a zip gives
them), run through its real run_autograder as root, with hostile extractors that try what issue 14 lists: read the
gold and the configuration, leave a detached grandchild that rewrites results.json, hang with a worker, print
600 MB, raise with a private article's text in the message.

The sandboxed tests need root (they switch to an unprivileged uid) and an interpreter that uid can run: Debian's
/usr/bin/python3 (KR_SANDBOX_PYTHON overrides); the hostile extractors use only the standard library. CI runs as
root; elsewhere they skip with the reason. Each test has a dry-run control (AUTOGRADER_SANDBOX=off: the same attack
without the sandbox) showing the attack is real, so a sandboxed pass is not a pass by accident.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from bundle_files import unpack

import benchmark
from benchmark.cli import main as cli_main
from benchmark.grading.bundles import build_bundle
from benchmark.grading.sandbox import procs_of_uid

ROOT = Path(__file__).resolve().parent.parent
STARTERS = ROOT / "assignments" / "starters"
FIXTURE_ANNOTATIONS = ROOT / "tests" / "fixtures" / "dataset_annotations"
CHILD_PYTHON = os.environ.get("KR_SANDBOX_PYTHON", "/usr/bin/python3")
N_BOOT = 50

pytestmark = pytest.mark.slow


# ----------------------------------------------------------------------------------------------------------------
# set-up: a free uid, a usable interpreter, a Gradescope-like tree

def _free_uid() -> int:
    import grp
    import pwd

    rng = random.Random()
    for _ in range(500):
        uid = rng.randrange(64200, 65000)
        try:
            pwd.getpwuid(uid)
            continue
        except KeyError:
            pass
        try:
            grp.getgrgid(uid)
            continue
        except KeyError:
            pass
        if not procs_of_uid(uid) and not procs_of_uid(uid, zombies=True):
            return uid
    raise RuntimeError("no free uid in 64200-64999")


@pytest.fixture(scope="session")
def grading_uid() -> int:
    """A uid with no passwd entry and no process, that can run CHILD_PYTHON; skip (with the reason) otherwise."""
    if os.geteuid() != 0:
        pytest.skip("sandbox tests need root (the grader switches to an unprivileged uid); CI runs them as root")
    if not os.path.exists(CHILD_PYTHON):
        pytest.skip(f"no {CHILD_PYTHON}: the sandbox needs an interpreter the grading uid can run "
                    "(set KR_SANDBOX_PYTHON)")
    uid = _free_uid()
    probe = subprocess.run([CHILD_PYTHON, "-I", "-c", "import sys; sys.exit(sys.version_info < (3, 8))"],
                           user=uid, group=uid, extra_groups=[], cwd="/", capture_output=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"uid {uid} cannot run {CHILD_PYTHON} (>= 3.8): {probe.stderr.decode(errors='replace')[-300:]}")
    return uid


@pytest.fixture
def scratch():
    """A world-writable folder outside pytest's 0700 tmp tree, for what hostile extractors leave behind."""
    folder = tempfile.mkdtemp(prefix="kr-sbx-scratch-", dir="/tmp")
    os.chmod(folder, 0o777)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


class Grader:
    """The bundle unpacked like Gradescope's /autograder, in a folder every uid can traverse (so only the grader's
    own lock-down protects the gold, not pytest's 0700 temp folders)."""

    def __init__(self, bundle: Path, *, sandbox: bool, uid: int | None = None, child_python: str | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="kr-sbx-ag-", dir="/tmp"))
        os.chmod(self.root, 0o755)
        unpack(bundle, self.root / "source")
        (self.root / "submission").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_") and k != "PYTHONPATH"}
        self.env = {**env, "PYTHONPATH": str(self.root / "source" / "package"), "HF_HUB_OFFLINE": "1",
                    "HF_DATASETS_OFFLINE": "1", "AUTOGRADER_ROOT": str(self.root),
                    "AUTOGRADER_PYTHON": sys.executable, "AUTOGRADER_SANDBOX": "on" if sandbox else "off",
                    "KR_GRADER_SECRET": "grader-secret-5b1e"}
        if sandbox:
            self.env.update(AUTOGRADER_UID=str(uid), AUTOGRADER_CHILD_PYTHON=child_python or CHILD_PYTHON)
        self.results = self.root / "results" / "results.json"
        self.log = ""

    def grade(self, source: str, *, measure: bool = False) -> dict:
        """Upload `source` as extractor.py, run run_autograder; returns results.json (self.log: the instructor's log,
        self.ended: when run_autograder returned, self.maxrss_kib: peak RSS of the grader's process tree)."""
        submission = self.root / "submission"
        shutil.rmtree(submission)
        submission.mkdir()
        (submission / "extractor.py").write_text(source, encoding="utf-8")
        shutil.rmtree(self.root / "results", ignore_errors=True)
        command = [str(self.root / "source" / "run_autograder")]
        if measure:    # a fresh parent whose only children are the grading run: RUSAGE_CHILDREN = the run's peak
            command = [sys.executable, "-c", "import resource, subprocess, sys; subprocess.run(sys.argv[1:]); "
                       "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)", *command]
        proc = subprocess.run(command, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=600)
        self.ended = time.time()
        assert proc.returncode == 0, proc.stderr
        self.log = proc.stdout + proc.stderr
        if measure:
            self.maxrss_kib = int(re.search(r"MAXRSS (\d+)", proc.stdout).group(1))
        return json.loads(self.results.read_text(encoding="utf-8"))

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sandbox_bundles")
    private = folder / "private_data"
    subprocess.run([sys.executable, "-m", "benchmark", "build", "--annotations", str(FIXTURE_ANNOTATIONS),
                    "--out", str(private)], check=True, capture_output=True,
                   env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    return {
        "quotes": build_bundle("gradescope", folder / "quotes.zip", task="quotes", n_boot=N_BOOT),
        "short": build_bundle("gradescope", folder / "short.zip", task="quotes", n_boot=N_BOOT, timeout=3),
        "private": build_bundle("gradescope", folder / "private.zip", task="all", n_boot=N_BOOT, data_dir=private),
    }


@pytest.fixture(scope="module")
def starter_score(tmp_path_factory) -> float:
    out = tmp_path_factory.mktemp("starter") / "quotes.jsonl"
    assert cli_main(["run", "assignments.starters.quotes_starter:Starter", "-o", str(out), "--quiet"]) == 0
    return benchmark.score(str(out), n_boot=N_BOOT)["quotes"]["overlap"]["f1"] * 50 * 2   # 2 metrics x 50 points


@pytest.fixture
def make_grader(grading_uid):
    made = []

    def make(bundle: Path, *, sandbox: bool = True, **kw) -> Grader:
        grader = Grader(bundle, sandbox=sandbox, uid=grading_uid, **kw)
        made.append(grader)
        return grader
    yield make
    for grader in made:
        grader.close()
    assert procs_of_uid(grading_uid) == [], "processes of the grading uid outlived the test"


@pytest.fixture
def make_dry_grader():
    """Graders for the dry-run controls: no root needed."""
    made = []

    def make(bundle: Path, **kw) -> Grader:
        grader = Grader(bundle, sandbox=False, **kw)
        made.append(grader)
        return grader
    yield make
    for grader in made:
        grader.close()


def src(template: str, **values) -> str:
    """An extractor's source: the starter's quote finder, then the template filled in."""
    return STARTER_QUOTES + template.format(**values)


def _alive_as(pid: int, uid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
    state = re.search(r"^State:\s+(\S)", status, re.M).group(1)
    return str(uid) in uids and state != "Z"


# ----------------------------------------------------------------------------------------------------------------
# the hostile extractors (standard library only: they run under Debian's python3)

STARTER_QUOTES = '''
import re
QUOTE_RE = re.compile(r'"([^"\\n]+)"|\u201c([^\u201d\\n]+)\u201d')
def starter_quotes(text):
    return [{"start": m.start(1 if m.group(1) is not None else 2), "end": m.end(1 if m.group(1) is not None else 2)}
            for m in QUOTE_RE.finditer(text)]
'''

READ_THE_GOLD = '''
import gc, glob, os, sys
SOURCE = {source!r}
RESULTS = {results!r}
PATHS = {{"quotes": SOURCE + "/data/quotes/test.parquet", "documents": SOURCE + "/data/documents/test.parquet",
          "config": SOURCE + "/autograder.json", "package-data": SOURCE + "/package/pyproject.toml"}}
try:
    import pyarrow.parquet as pq
except ImportError:
    pq = None

class Extractor:
    def fit(self, documents, quotes):
        self.n_train = len(documents)

    def extract(self, document):
        probes = []
        for name, path in sorted(PATHS.items()):
            try:
                with open(path, "rb") as f:
                    probes.append("PROBE %s READ %d" % (name, len(f.read())))
            except OSError as err:
                probes.append("PROBE %s DENIED %s" % (name, err.errno))
        try:
            probes.append("PROBE listdir READ %s" % os.listdir(SOURCE))
        except OSError as err:
            probes.append("PROBE listdir DENIED %s" % err.errno)
        probes.append("PROBE glob %s" % (glob.glob(SOURCE + "/**/*.parquet", recursive=True) or "none"))
        try:
            with open(RESULTS + "/results.json", "w") as f:
                f.write('{{"score": 100}}')
            probes.append("PROBE results WRITE")
        except OSError as err:
            probes.append("PROBE results DENIED %s" % err.errno)
        answers = [o for o in gc.get_objects() if isinstance(o, dict) and o.get("doc_id") == document["doc_id"]
                   and ("outlet" in o or "published" in o or "quote_id" in o)]
        probes.append("PROBE memory %s" % ("ANSWERS" if answers else "none"))
        print("\\n".join(probes), file=sys.stderr)
        quotes = []
        if pq is not None:
            try:
                rows = pq.read_table(PATHS["quotes"]).to_pylist()
                quotes = [{{"start": r["start"], "end": r["end"]}} for r in rows
                          if r["doc_id"] == document["doc_id"] and r["type"] != "indirect"]
            except OSError:
                pass
        return {{"doc_id": document["doc_id"], "quotes": quotes}}
'''

GRANDCHILD = '''
import json, os, sys, time
SCRATCH = {scratch!r}
RESULTS = {results!r}

def strike():
    """Detached (double fork + setsid): outlive the grading, then rewrite results.json to score 100."""
    with open(SCRATCH + "/gc.pid", "w") as f:
        f.write(str(os.getpid()))
    end = time.time() + {seconds}
    while time.time() < end:
        with open(SCRATCH + "/alive", "a") as f:
            f.write("%f\\n" % time.time())
        try:
            with open(RESULTS) as f:
                current = json.load(f)
            if current.get("score") != 100:
                with open(RESULTS, "w") as f:
                    json.dump({{"score": 100, "output": "rewritten by the grandchild", "tests": []}}, f)
                with open(SCRATCH + "/struck", "a") as f:
                    f.write("%f\\n" % time.time())
        except (OSError, ValueError):
            pass
        time.sleep(0.1)

class Extractor:
    def __init__(self):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                try:
                    strike()
                finally:
                    os._exit(0)
            os._exit(0)
        for _ in range(100):                 # the grandchild is up before grading goes on
            if os.path.exists(SCRATCH + "/gc.pid"):
                break
            time.sleep(0.05)

    def extract(self, document):
        return {{"doc_id": document["doc_id"], "quotes": starter_quotes(document["text"])}}
'''

HANG = '''
import os, time
SCRATCH = {scratch!r}

def worker(name, detach):
    if os.fork() == 0:                        # a worker, as a pool would start it (one also in a session of its own)
        try:
            if detach:
                os.setsid()
            with open(SCRATCH + "/" + name + ".pid", "w") as f:
                f.write(str(os.getpid()))
            while True:
                with open(SCRATCH + "/" + name + "-alive", "a") as f:
                    f.write("%f\\n" % time.time())
                time.sleep(0.1)
        finally:
            os._exit(0)

class Extractor:
    def extract(self, document):
        worker("worker", False)
        worker("detached", True)
        while True:                           # then the extractor hangs
            time.sleep(1)
'''

FLOOD = '''
import os
MB = 1 << 20
class Extractor:
    def __init__(self):
        os.write(1, b"FIRST LINE OF STDOUT\\n")
        os.write(2, b"FIRST LINE OF STDERR\\n")
        block = (b"y" * 1023 + b"\\n") * 1024
        for _ in range({mb}):
            os.write(1, block)
            os.write(2, block)
        os.write(1, b"LAST LINE OF STDOUT\\n")
        os.write(2, b"LAST LINE OF STDERR\\n")

    def extract(self, document):
        return {{"doc_id": document["doc_id"], "quotes": starter_quotes(document["text"])}}
'''

PROBE_SELF = '''
import os, sys
class Extractor:
    def extract(self, document):
        status = open("/proc/self/status").read()
        lines = [l for l in status.splitlines() if l.split(":")[0] in ("Uid", "Gid", "Groups", "NoNewPrivs")]
        limits = [l for l in open("/proc/self/limits").read().splitlines()
                  if l.startswith(("Max cpu", "Max file size", "Max processes", "Max open files",
                                   "Max address space", "Max core"))]
        print("\\n".join("SELF " + l for l in lines + limits), file=sys.stderr)
        print("SELF env " + " ".join(sorted(os.environ)), file=sys.stderr)
        print("SELF secret " + ("LEAKED" if "grader-secret" in repr(dict(os.environ)) else "absent"), file=sys.stderr)
        print("SELF home " + os.environ.get("HOME", "?"), file=sys.stderr)
        return {"doc_id": document["doc_id"], "quotes": []}
'''


# ----------------------------------------------------------------------------------------------------------------
# a well-behaved extractor is graded the same way in the sandbox

def test_sandboxed_starter_scores_as_in_the_dry_run(bundles, make_grader, starter_score):
    grader = make_grader(bundles["quotes"])
    results = grader.grade((STARTERS / "quotes_starter.py").read_text())
    assert results["score"] == pytest.approx(starter_score, abs=1e-3) and results["score"] > 0
    assert "NOT SANDBOXED" not in results["output"]
    assert re.search(r"extractor run \(uid \d+ gid \d+, python .*python3", grader.log)
    assert results["output_format"] == "text"


# ----------------------------------------------------------------------------------------------------------------
# (a) the gold and the configuration

def test_extractor_cannot_read_the_gold_or_the_config(bundles, make_grader):
    grader = make_grader(bundles["quotes"])
    source = grader.root / "source"
    # the bundle's files are world-readable, as unzipped on Gradescope: only the grader's lock-down protects them
    assert os.stat(source / "data" / "quotes" / "test.parquet").st_mode & 0o004
    assert os.stat(source).st_mode & 0o005 == 0o005
    results = grader.grade(READ_THE_GOLD.format(source=str(source), results=str(grader.root / "results")))
    output = results["output"]
    for name in ("quotes", "documents", "config", "package-data", "listdir", "results"):
        assert f"PROBE {name} DENIED 13" in output, (name, output[:3000])
    assert "PROBE glob none" in output and "PROBE memory none" in output
    assert " READ " not in output and "WRITE" not in output and "ANSWERS" not in output
    assert results["score"] == 0 and results["tests"][0]["score"] == 0


def test_control_without_the_sandbox_the_same_extractor_scores_100(bundles, make_dry_grader):
    """The attack is real: as the grader's own user, reading the quotes parquet gives 100/100. Even then the
    extractor's process holds no answer (it never loads the documents config: the texts-only input)."""
    grader = make_dry_grader(bundles["quotes"])
    source = grader.root / "source"
    results = grader.grade(READ_THE_GOLD.format(source=str(source), results=str(grader.root / "results")))
    assert results["score"] == pytest.approx(100)
    assert "PROBE quotes READ" in results["output"] and "NOT SANDBOXED" in results["output"]
    assert "PROBE memory none" in results["output"]
    assert "WARNING: NOT SANDBOXED" in grader.log


# ----------------------------------------------------------------------------------------------------------------
# (b) a detached grandchild

def test_detached_grandchild_is_killed_before_scoring(bundles, make_grader, grading_uid, scratch, starter_score):
    grader = make_grader(bundles["quotes"])
    results = grader.grade(src(GRANDCHILD, scratch=str(scratch), results=str(grader.results), seconds=15))
    written = grader.results.read_bytes()
    pid = int((scratch / "gc.pid").read_text())
    assert not _alive_as(pid, grading_uid), "the grandchild survived the grading"
    assert procs_of_uid(grading_uid) == []
    assert re.search(r"kill rounds [1-9]", grader.log)           # it was alive when the extractor ended
    time.sleep(2)
    assert grader.results.read_bytes() == written               # nobody rewrote results.json
    beats = [float(x) for x in (scratch / "alive").read_text().split()]
    assert beats and max(beats) < grader.ended                  # it stopped before run_autograder returned
    assert not (scratch / "struck").exists()
    assert results["score"] == pytest.approx(starter_score, abs=1e-3)


def test_control_without_the_sandbox_the_grandchild_rewrites_results(bundles, make_dry_grader, scratch):
    grader = make_dry_grader(bundles["quotes"])
    grader.grade(src(GRANDCHILD, scratch=str(scratch), results=str(grader.results), seconds=30))
    deadline = time.time() + 20
    while time.time() < deadline and not (scratch / "struck").exists():
        time.sleep(0.2)
    assert json.loads(grader.results.read_text())["score"] == 100    # what the sandbox prevents
    pid = int((scratch / "gc.pid").read_text())
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass


# ----------------------------------------------------------------------------------------------------------------
# (c) a hang, with a worker

def test_hang_is_stopped_with_a_message_and_its_worker_killed(bundles, make_grader, grading_uid, scratch):
    grader = make_grader(bundles["short"])                      # --timeout 3
    started = time.time()
    results = grader.grade(HANG.format(scratch=str(scratch)))
    assert time.time() - started < 120                          # generous: catches a grader that hangs too
    assert results["score"] == 0
    assert "did not finish within 3 seconds" in results["output"] and "during extract()" in results["output"]
    assert procs_of_uid(grading_uid) == []
    sizes = {}
    for name in ("worker", "detached"):
        assert not _alive_as(int((scratch / f"{name}.pid").read_text()), grading_uid), name
        sizes[name] = (scratch / f"{name}-alive").stat().st_size
    time.sleep(1)
    assert all((scratch / f"{name}-alive").stat().st_size == size for name, size in sizes.items())


def test_default_timeout_is_below_gradescopes(tmp_path):
    bundle = build_bundle("gradescope", tmp_path / "a.zip", task="quotes")
    config = json.loads(zipfile.ZipFile(bundle).read("autograder.json"))
    assert 0 < config["timeout"] <= 600 - 60          # Gradescope's default is 10 minutes; scoring needs time too
    assert config["private_documents"] == [] and config["memory_mb"] >= 1024


# ----------------------------------------------------------------------------------------------------------------
# (d) 600 MB of prints

def test_600_mb_of_output_keeps_the_grader_small_and_the_results(bundles, make_grader, starter_score):
    grader = make_grader(bundles["quotes"])
    quiet = grader.grade((STARTERS / "quotes_starter.py").read_text(), measure=True)
    baseline = grader.maxrss_kib
    results = grader.grade(src(FLOOD, mb=300), measure=True)    # 300 MB on stdout + 300 MB on stderr
    assert quiet["score"] == pytest.approx(results["score"]) == pytest.approx(starter_score, abs=1e-3)
    assert grader.maxrss_kib < baseline + 100 * 1024, (baseline, grader.maxrss_kib)
    assert grader.maxrss_kib < 768 * 1024                      # Gradescope's default memory
    sizes = re.search(r"stdout (\d+) bytes, stderr (\d+) bytes", grader.log)
    assert int(sizes.group(1)) + int(sizes.group(2)) > 600 * 1024 * 1024
    assert "FIRST LINE OF STDOUT" in grader.log and "LAST LINE OF STDERR" in grader.log
    assert "bytes omitted" in grader.log and len(grader.log) < 300_000


def test_flood_then_crash_shows_the_real_exception(bundles, make_grader):
    """The old grader cut stderr at 20,000 characters and lost the exception at its end."""
    grader = make_grader(bundles["quotes"])
    source = src(FLOOD, mb=5).replace("    def extract(self, document):\n",
                                        "    def extract(self, document):\n"
                                        "        raise KeyError('the real problem')\n")
    results = grader.grade(source)
    output = results["output"]
    assert results["score"] == 0
    assert "KeyError: 'the real problem'" in output and 'extractor.py", line' in output
    assert "FIRST LINE OF STDERR" in output and "LAST LINE OF STDERR" in output and "bytes omitted" in output
    assert len(output) <= 21_000


# ----------------------------------------------------------------------------------------------------------------
# (e) private text

LEAKS = {
    "message": 'class Extractor:\n    def extract(self, document):\n'
               '        print(document["text"])\n'
               '        raise ValueError("cannot parse: " + document["text"])\n',
    "repr-of-words": 'class Extractor:\n    def extract(self, document):\n'
                     '        raise RuntimeError(repr(document["text"].upper().split()))\n',
    "in-fit": 'class Extractor:\n    def fit(self, documents, quotes):\n'
              '        import sys\n        print(documents[0]["text"], file=sys.stderr)\n'
              '        raise ValueError("train text: %r" % documents[0]["text"])\n'
              '    def extract(self, document):\n        return {}\n',
    # a quote given as text that is not found is no longer a problem (it counts as spurious), but a bad label is,
    # and the problem line quotes the value back
    "quoted-back-by-the-scorer": 'class Extractor:\n    def extract(self, document):\n'
                                 '        return {"doc_id": document["doc_id"], "quotes": [{"start": 0, "end": 1, '
                                 '"stance": document["text"][30:110]}]}\n',
}


def _words(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"\w+", text)]


def _leaked_runs(results: dict, texts: list[str], n: int = 4) -> list[str]:
    """Runs of n words of a private text that appear in results.json (any string in it)."""
    shown = " " + " ".join(_words(json.dumps(results, ensure_ascii=False).replace("\\n", " "))) + " "
    found = []
    for text in texts:
        words = _words(text)
        for i in range(len(words) - n + 1):
            run = " " + " ".join(words[i:i + n]) + " "
            if run in shown:
                found.append(run.strip())
    return found


@pytest.fixture(scope="module")
def private_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((FIXTURE_ANNOTATIONS / "documents").glob("*.txt"))]


@pytest.mark.parametrize("leak", sorted(LEAKS))
@pytest.mark.parametrize("sandboxed", [True, False], ids=["sandbox", "dry-run"])
def test_private_text_never_reaches_the_student(bundles, leak, sandboxed, private_texts, request):
    grader = (request.getfixturevalue("make_grader")(bundles["private"]) if sandboxed
              else request.getfixturevalue("make_dry_grader")(bundles["private"]))
    results = grader.grade(LEAKS[leak])
    assert results["score"] == 0
    assert _leaked_runs(results, private_texts) == []
    output = results["output"]
    assert "withheld" in output                               # something was there, and was withheld
    if leak == "quoted-back-by-the-scorer":
        assert "predictions.jsonl:1: quotes[0].stance: [withheld" in output
    else:
        assert ("ValueError" if leak != "repr-of-words" else "RuntimeError") in output
        assert 'File "extractor.py", line' in output            # where, in the student's own file
    if leak == "message":
        assert "901_bbbbbbbbbbbbbbbb" in output and "is not shown" in output
    # the instructor still sees what the code printed (Gradescope shows run_autograder's output to staff only)
    if leak in ("message", "in-fit"):
        assert "Peskov" in grader.log or "Petrov" in grader.log


def test_public_documents_are_shown_in_full(bundles, make_dry_grader):
    """Nothing is withheld when every graded document is public."""
    grader = make_dry_grader(bundles["quotes"])
    results = grader.grade(LEAKS["message"])
    assert "withheld" not in results["output"] and "cannot parse: " in results["output"]
    assert "What your code printed" in results["output"]


# ----------------------------------------------------------------------------------------------------------------
# the child's privileges and limits; refusals

def test_child_runs_unprivileged_with_limits_and_a_clean_environment(bundles, make_grader, grading_uid):
    grader = make_grader(bundles["quotes"])
    output = grader.grade(PROBE_SELF)["output"]
    assert re.search(rf"SELF Uid:\s+{grading_uid}\s+{grading_uid}\s+{grading_uid}\s+{grading_uid}", output)
    assert re.search(r"^SELF Groups:[ \t]*$", output, re.M)             # no supplementary group (root's dropped)
    assert re.search(r"SELF NoNewPrivs:\s+1", output)
    assert re.search(r"SELF Max processes\s+64\s+64", output)
    assert re.search(r"SELF Max core file size\s+0\s+0", output)
    assert re.search(r"SELF Max address space\s+2147483648\s+2147483648", output)
    assert re.search(r"SELF Max file size\s+67108864\s+67108864", output)
    assert re.search(r"SELF Max open files\s+256\s+256", output)
    assert "SELF secret absent" in output and "KR_GRADER_SECRET" not in output
    assert "SELF home /root" not in output


def test_a_uid_with_running_processes_is_refused_not_killed(bundles, make_grader, grading_uid):
    grader = make_grader(bundles["quotes"])
    other = subprocess.Popen(["/bin/sleep", "60"], user=grading_uid, group=grading_uid, extra_groups=[], cwd="/")
    try:
        results = grader.grade((STARTERS / "quotes_starter.py").read_text())
        assert results["score"] == 0
        assert "could not run your code safely" in results["output"]
        assert "already has running processes" in results["output"]
        assert other.poll() is None                          # the other program's process was left alone
    finally:
        other.kill()
        other.wait()


def test_an_interpreter_the_uid_cannot_run_is_an_autograder_problem(bundles, make_grader, tmp_path):
    hidden = tmp_path / "private-bin"                          # pytest's tmp tree is root-only (0700)
    hidden.mkdir()
    os.symlink(CHILD_PYTHON, hidden / "python3")
    os.chmod(tmp_path, 0o700)
    grader = make_grader(bundles["quotes"], child_python=str(hidden / "python3"))
    results = grader.grade((STARTERS / "quotes_starter.py").read_text())
    assert results["score"] == 0 and "could not run your code safely" in results["output"]
    assert "AUTOGRADER_CHILD_PYTHON" in results["output"]


def test_sandbox_check_command(grading_uid):
    env = {**os.environ, "AUTOGRADER_UID": str(grading_uid), "AUTOGRADER_CHILD_PYTHON": CHILD_PYTHON,
           "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-m", "benchmark.grading.graded_run", "--check", "--root", "/nonexistent"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "sandbox check ok: sandboxed" in proc.stdout and f"uid {grading_uid} as 2147483648" in proc.stdout
    assert procs_of_uid(grading_uid) == []

"""The sandbox's parts, one at a time (no root needed): bounded output, reading what the child left, the redaction
of private text, the choice and checks of the grading uid and mode, the upload copy, the child driver's own
behaviour, and the bundle's sandbox options. tests/test_sandbox.py attacks the whole, as root."""
from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from benchmark.errors import InputError
from benchmark.grading import graded_run, sandbox
from benchmark.grading.bundles import build_bundle
from benchmark.grading.gradescope import NotGradable, find_submission, private_documents
from benchmark.grading.messages import WITHHELD, Redactor, frames_text, printable, shorten

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_ANNOTATIONS = ROOT / "tests" / "fixtures" / "dataset_annotations"
PRIVATE = ("Dmitry Peskov said Russia would judge the new administration by its deeds. \"We have no illusions,\" "
           "Peskov told journalists.\nOlga Smirnova, an analyst in Moscow, was blunter.")


# ----------------------------------------------------------------------------------------------------------------
# HeadTail

def test_head_tail_keeps_the_ends_and_counts_the_rest():
    buf = sandbox.HeadTail(head=10, tail=10)
    buf.feed(b"0123456789abc")
    for _ in range(1000):
        buf.feed(b"x" * 1000)
    buf.feed(b"THE END")
    assert buf.total == 13 + 1_000_000 + 7
    assert bytes(buf.head) == b"0123456789" and bytes(buf.tail) == b"xxxTHE END"
    assert buf.omitted == buf.total - 20
    text = buf.text()
    assert text.startswith("0123456789\n[... ") and text.endswith("]\nxxxTHE END")
    assert f"[... {buf.total - 20} bytes omitted ...]" in text
    assert buf.text(head=3, tail=4) == f"012\n[... {buf.total - 7} bytes omitted ...]\n END"


def test_head_tail_short_streams_are_whole_and_bad_bytes_are_replaced():
    buf = sandbox.HeadTail(head=10, tail=10)
    buf.feed(b"ab\x00\xff")
    assert buf.omitted == 0 and buf.text() == "ab\ufffd\ufffd"


# ----------------------------------------------------------------------------------------------------------------
# safe_read / safe_copy

def test_safe_read_refuses_symlinks_fifos_hard_links_and_big_files(tmp_path):
    secret = tmp_path / "gold.json"
    secret.write_text("GOLD")
    out = tmp_path / "out"
    out.mkdir()
    (out / "ok.json").write_text("{}")
    os.symlink(secret, out / "link.json")
    os.mkfifo(out / "fifo.json")
    os.link(secret, out / "hard.json")
    (out / "big.json").write_bytes(b"x" * 101)
    assert sandbox.safe_read(str(out), "ok.json", 100) == b"{}"
    assert sandbox.safe_read(str(out), "missing.json", 100) is None
    for name in ("link.json", "fifo.json", "hard.json", "big.json"):
        with pytest.raises(sandbox.UnsafeOutput):
            sandbox.safe_read(str(out), name, 100)
    with pytest.raises(sandbox.UnsafeOutput):
        sandbox.safe_copy(str(out), "link.json", str(tmp_path / "copy"), 100)
    assert not (tmp_path / "copy").exists()
    assert sandbox.safe_copy(str(out), "ok.json", str(tmp_path / "copy"), 100) and (tmp_path / "copy").read_text() == "{}"
    assert sandbox.safe_copy(str(out), "missing.json", str(tmp_path / "copy2"), 100) is False


def test_safe_read_refuses_an_output_folder_that_is_a_symlink(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "report.json").write_text("{}")
    os.symlink(tmp_path / "real", tmp_path / "out")
    with pytest.raises(OSError):
        sandbox.safe_read(str(tmp_path / "out"), "report.json", 100)


# ----------------------------------------------------------------------------------------------------------------
# redaction

def test_redactor_withholds_lines_that_quote_three_words_of_a_private_text():
    red = Redactor([PRIVATE])
    assert red.active
    assert red.lines("KeyError: 'speaker'") == "KeyError: 'speaker'"
    assert red.lines("ValueError: Peskov") == "ValueError: Peskov"                  # one word is not the text
    for leak in ("cannot parse: Dmitry Peskov said", "PESKOV TOLD JOURNALISTS", "['we', 'have', 'no', 'illusions']",
                 "'new administration\\nby its deeds'", "\\u201cWe have no illusions,\\u201d",
                 "judge-the-new-administration"):
        assert red.lines(leak) == WITHHELD, leak
    # a run of words split over two lines withholds both lines, and only them
    assert red.lines("first line\nwould judge\nthe new\nlast line").split("\n") == [
        "first line", WITHHELD, WITHHELD, "last line"]


def test_redactor_keeps_the_location_of_a_problem():
    red = Redactor([PRIVATE])
    line = 'predictions.jsonl:1: quotes[0].text: not found in the article: "Peskov told journalists and"'
    assert red.problem(line) == f"predictions.jsonl:1: quotes[0].text: {WITHHELD}"
    key = "predictions.jsonl:2: quotes[0].an analyst in: unknown key"
    assert red.problem(key) == f"predictions.jsonl:2: {WITHHELD}"
    assert red.problem("predictions.jsonl:3: quotes[0].start: expected an integer") == \
        "predictions.jsonl:3: quotes[0].start: expected an integer"


def test_an_inactive_redactor_shows_everything_printable():
    red = Redactor([])
    assert not red.active
    assert red.lines(PRIVATE) == PRIVATE
    assert printable("a\x1b[31mred\x00\u202eevil\r\nnext") == "a [31mred  evil\nnext"


def test_shorten_and_frames():
    text = "a" * 100 + "b" * 100
    short = shorten(text, 60)
    assert short.startswith("a" * 20) and short.endswith("b" * 40) and "140 characters cut" in short
    sources = {"extractor.py": ["import re", "def f():", "    raise ValueError(x)"]}
    frames = [{"file": None, "line": 10, "function": "library"},          # not the student's file: dropped
              {"file": "extractor.py", "line": 3, "function": "f"},
              {"file": "extractor.py", "line": 99, "function": "f"},      # no such line: dropped
              {"file": "../etc/passwd", "line": 1, "function": "x"},       # not an uploaded file: dropped
              {"file": "extractor.py", "line": 2, "function": "<b>\nhtml"}]
    assert frames_text(frames, sources) == ('Traceback (your files only):\n  File "extractor.py", line 3, in f\n'
                                            '    raise ValueError(x)\n  File "extractor.py", line 2, in ?\n'
                                            '    def f():')
    assert frames_text("not a list", sources) == ""


# ----------------------------------------------------------------------------------------------------------------
# the grading uid and the mode

def test_identity_defaults_and_refusals(monkeypatch):
    try:
        pwd.getpwnam(sandbox.USER_NAME)
        pytest.skip(f"this machine has a {sandbox.USER_NAME} user")
    except KeyError:
        pass
    default = sandbox.resolve_identity({})
    assert (default.uid, default.gid) == (sandbox.DEFAULT_UID, sandbox.DEFAULT_UID)
    assert sandbox.resolve_identity({"AUTOGRADER_UID": "64999", "AUTOGRADER_GID": "64998"}) == \
        sandbox.Identity(64999, 64998)
    other = next(p for p in pwd.getpwall() if 0 < p.pw_uid < 65534 and p.pw_name != sandbox.USER_NAME)
    for env, message in (({"AUTOGRADER_UID": "0"}, "root"), ({"AUTOGRADER_UID": "65534"}, "nobody"),
                         ({"AUTOGRADER_UID": "abc"}, "numeric"), ({"AUTOGRADER_UID": "-5"}, "positive"),
                         ({"AUTOGRADER_UID": str(other.pw_uid)}, f"belongs to user {other.pw_name!r}"),
                         ({"AUTOGRADER_UID": "64999", "AUTOGRADER_GID": "0"}, "root")):
        with pytest.raises(sandbox.SandboxError, match=message):
            sandbox.resolve_identity(env)


def test_kill_uid_refuses_root_and_does_nothing_without_processes():
    with pytest.raises(sandbox.SandboxError):
        sandbox.kill_uid(sandbox.Identity(0, 0))
    assert sandbox.kill_uid(sandbox.Identity(64999, 64999)) == 0 or os.geteuid() != 0


def test_procs_of_uid_finds_our_own_processes():
    assert os.getpid() in sandbox.procs_of_uid(os.getuid())


def test_settings_for_the_modes(tmp_path):
    off = graded_run.settings_for(tmp_path, {"timeout": 7}, {"AUTOGRADER_SANDBOX": "off", "AUTOGRADER_PYTHON": "/x"})
    assert not off.sandboxed and off.child_python == "/x" and off.timeout == 7
    assert "RLIMIT_NPROC" not in off.limits           # counts every process of the user: only for a dedicated uid
    assert off.limits["RLIMIT_CPU"] == 12 and off.limits["RLIMIT_AS"] == graded_run.DEFAULT_MEMORY_MB << 20
    with pytest.raises(sandbox.SandboxError, match="expected auto, on or off"):
        graded_run.settings_for(tmp_path, {}, {"AUTOGRADER_SANDBOX": "maybe"})
    with pytest.raises(sandbox.SandboxError, match="timeout"):
        graded_run.settings_for(tmp_path, {"timeout": 0}, {"AUTOGRADER_SANDBOX": "off"})
    auto = graded_run.settings_for(tmp_path, {}, {"AUTOGRADER_UID": "64999"})
    assert auto.sandboxed == (os.geteuid() == 0)
    if os.geteuid() != 0:
        with pytest.raises(sandbox.SandboxError, match="needs root"):
            graded_run.settings_for(tmp_path, {}, {"AUTOGRADER_SANDBOX": "on"})
    else:
        assert auto.limits["RLIMIT_NPROC"] == graded_run.NPROC and auto.identity.uid == 64999
        (tmp_path / "venv" / "bin").mkdir(parents=True)
        (tmp_path / "venv" / "bin" / "python").touch()
        assert graded_run.settings_for(tmp_path, {}, {"AUTOGRADER_UID": "64999"}).child_python == \
            str(tmp_path / "venv" / "bin" / "python")                 # Gradescope's venv, when sandboxed


def test_lock_down_makes_source_and_results_root_only(tmp_path):
    for sub in ("source/data", "results"):
        (tmp_path / sub).mkdir(parents=True)
    (tmp_path / "submission_metadata.json").write_text("{}")
    sandbox.lock_down(str(tmp_path))
    modes = {p: os.stat(tmp_path / p).st_mode & 0o777
             for p in ("source", "source/data", "results", "submission_metadata.json")}
    assert modes == {"source": 0o700, "source/data": 0o700, "results": 0o700, "submission_metadata.json": 0o600}


# ----------------------------------------------------------------------------------------------------------------
# the upload

def test_symlinks_in_the_upload_are_never_followed(tmp_path):
    gold = tmp_path / "gold.parquet"
    gold.write_text("GOLD")
    upload = tmp_path / "submission"
    upload.mkdir()
    os.symlink(gold, upload / "predictions.jsonl")
    os.symlink(gold, upload / "extractor.py")
    with pytest.raises(NotGradable, match="found no predictions file"):
        find_submission(upload)
    (upload / "helper.py").write_text("X = 1\n")
    (upload / "data").mkdir()
    (upload / "data" / "model.txt").write_text("weights")
    os.symlink(tmp_path, upload / "data" / "escape")
    code = tmp_path / "code"
    sources = graded_run.copy_upload(upload, code)
    copied = sorted(str(p.relative_to(code)) for p in code.rglob("*"))
    assert copied == ["data", "data/model.txt", "helper.py"]
    assert sources == {"helper.py": ["X = 1"]}
    assert os.stat(code / "helper.py").st_mode & 0o777 == 0o644


# ----------------------------------------------------------------------------------------------------------------
# the child driver, run directly (as ourselves)

def _run_child(tmp_path: Path, source: str, documents: list[dict], limits: dict | None = None):
    code, out = tmp_path / "code", tmp_path / "out"
    code.mkdir()
    out.mkdir()
    (code / "extractor.py").write_text(source)
    (tmp_path / "documents.json").write_text(json.dumps(documents))
    request = {"code_dir": str(code), "extractor": str(code / "extractor.py"), "class_name": "Extractor",
               "documents": str(tmp_path / "documents.json"), "train": None, "out_dir": str(out),
               "limits": limits or {}, "sandboxed": False}
    (tmp_path / "request.json").write_text(json.dumps(request))
    proc = subprocess.run([sys.executable, "-I", "-B", str(graded_run.CHILD_SCRIPT), str(tmp_path / "request.json")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else None
    lines = (out / "predictions.jsonl").read_text().splitlines() if (out / "predictions.jsonl").exists() else None
    return proc, report, lines


DOCS = [{"doc_id": "d1", "text": "one"}, {"doc_id": "d2", "text": "two"}]


def test_child_writes_predictions_with_doc_ids_and_dates(tmp_path):
    source = ("import datetime\nclass Extractor:\n    def extract(self, document):\n"
              "        return {'published': datetime.date(2024, 11, 6), 'quotes': []}\n")
    proc, report, lines = _run_child(tmp_path, source, DOCS)
    assert proc.returncode == 0 and report["ok"] and report["stage"] == "done"
    assert [json.loads(line) for line in lines] == [{"doc_id": d["doc_id"], "published": "2024-11-06", "quotes": []}
                                                    for d in DOCS]


def test_child_reports_every_failing_document_and_writes_nothing(tmp_path):
    source = ("class Extractor:\n    def extract(self, document):\n"
              "        if document['doc_id'] == 'd2':\n            raise ValueError('bad ' + document['text'])\n"
              "        return {}\n")
    proc, report, lines = _run_child(tmp_path, source, DOCS)
    assert proc.returncode == 1 and lines is None
    (failure,) = report["failures"]
    assert failure["doc_id"] == "d2" and failure["type"] == "ValueError" and failure["message"] == "bad two"
    assert failure["frames"][-1] == {"file": "extractor.py", "line": 4, "function": "extract"}
    assert "child.py" not in failure["traceback"] and str(tmp_path) not in failure["traceback"]


def test_child_reports_bad_predictions_and_missing_classes(tmp_path):
    source = ("class Extractor:\n    def extract(self, document):\n"
              "        return [1] if document['doc_id'] == 'd1' else {'doc_id': 'other'}\n")
    (tmp_path / "a").mkdir()
    proc, report, lines = _run_child(tmp_path / "a", source, DOCS)
    assert proc.returncode == 2 and lines is None
    assert report["problems"] == [
        "predictions.jsonl:1: prediction: extract() returned list, expected a dict (one submission object)",
        "predictions.jsonl:2: prediction: extract() returned doc_id 'other' for document 'd2'"]
    (tmp_path / "b").mkdir()
    proc, report, _ = _run_child(tmp_path / "b", "class Starter:\n    pass\nimport sys\nsys.exit(0)\n", DOCS)
    assert proc.returncode == 1 and report["stage"] == "import" and "SystemExit" in report["error"]["summary"]
    (tmp_path / "c").mkdir()
    proc, report, _ = _run_child(tmp_path / "c", "class Starter:\n    pass\n", DOCS)
    assert report["stage"] == "class" and report["error"]["summary"] == "extractor.py has no 'Extractor' " \
                                                                      "(its classes: Starter)"


def test_child_lowers_its_limits_before_the_students_code(tmp_path):
    source = ("import resource\nSOFT, HARD = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
              "class Extractor:\n    def extract(self, document):\n"
              "        return {'outlet': '%d/%d' % (SOFT, HARD)}\n")
    proc, report, lines = _run_child(tmp_path, source, DOCS[:1], limits={"RLIMIT_NOFILE": 77})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(lines[0])["outlet"] == "77/77"
    (tmp_path / "x").mkdir()
    proc, report, _ = _run_child(tmp_path / "x", source, DOCS[:1], limits={"RLIMIT_BOGUS": 1})
    assert proc.returncode == 70 and "unknown resource limit" in proc.stderr and report is None


# ----------------------------------------------------------------------------------------------------------------
# the bundle

def test_bundle_records_the_private_documents_and_checks_sandbox_options(tmp_path):
    private = tmp_path / "private"
    subprocess.run([sys.executable, "-m", "benchmark", "build", "--annotations", str(FIXTURE_ANNOTATIONS),
                    "--out", str(private)], check=True, capture_output=True,
                   env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    assert private_documents(private) == ["900_aaaaaaaaaaaaaaaa", "901_bbbbbbbbbbbbbbbb"]
    import benchmark
    assert private_documents(benchmark.DATA_DIR) == []
    bundle = build_bundle("gradescope", tmp_path / "a.zip", task="metadata", data_dir=private, timeout=30,
                          memory_mb=1024)
    config = json.loads(zipfile.ZipFile(bundle).read("autograder.json"))
    assert config["private_documents"] == ["900_aaaaaaaaaaaaaaaa", "901_bbbbbbbbbbbbbbbb"]
    assert config["timeout"] == 30 and config["memory_mb"] == 1024
    readme = zipfile.ZipFile(bundle).read("README.md").decode()
    assert "kr-student" in readme and "30-second limit" in readme
    for kwargs in ({"timeout": 0}, {"memory_mb": 100}):
        with pytest.raises(InputError):
            build_bundle("gradescope", tmp_path / "x.zip", **kwargs)
    assert not (tmp_path / "x.zip").exists()
    setup = zipfile.ZipFile(bundle).read("setup.sh").decode()
    assert "useradd --system --user-group --no-create-home" in setup and "graded_run --check" in setup

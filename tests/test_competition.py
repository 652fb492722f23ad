"""The Codabench competition bundle (`kremlin-reactions autograder codabench --competition`), checked against what
Codabench's unpacker and compute worker do with a bundle.

Source read: codalab/codabench at commit c7dbc756b07b133f8e552ae626fab54817ed93f3 (develop, 2026-03-13; the
unpacker files are byte-identical on master 62b37a025c9fd2145953d6ab56cce8c38e82d0a4), via `git show`; the
research notes are /work/notes/codabench.md. Every check in `unpacker_problems` names the file and lines whose
rejection (or run-time failure) it mirrors; paths are under src/apps/ unless they start with compute_worker/ or
documentation/. Each check is shown to fire on a bundle broken on purpose (`test_each_check_fires_...`), so none
of them can pass vacuously. Nothing here talks to Codabench: the bundle is unpacked and its scoring program run
locally, as the worker would run it (CODABENCH_ROOT stands in for /app).
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml

from benchmark.cli import main
from benchmark.dataset import read_rows
from benchmark.grading.codabench import CODABENCH_COLUMNS
from benchmark.grading.competition import build_competition, default_docker_image, logo_png

ROOT = Path(__file__).resolve().parent.parent
START = dt.date(2027, 1, 4)
SUBMISSION_RULES = {"Add", "Add_And_Delete", "Add_And_Delete_Multiple", "Force_Last", "Force_Latest_Multiple",
                    "Force_Best"}                                            # leaderboards/models.py:7-20


# ------------------------------------------------------------------------------------------- what Codabench checks
def _member(zf: zipfile.ZipFile, path: str) -> bool:
    """Does the path exist in the unpacked bundle, as a file or a folder (base_unpacker.py:39 os.path.exists)?"""
    names = zf.namelist()
    return path in names or any(n.startswith(path.rstrip("/") + "/") for n in names)


def _is_png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def unpacker_problems(bundle: bytes) -> list[str]:
    """Every reason Codabench's v2 unpacker (or, marked "run time", its compute worker) would reject the bundle."""
    problems: list[str] = []
    try:                                                                     # competitions/tasks.py:368-371
        zf = zipfile.ZipFile(io.BytesIO(bundle))
    except zipfile.BadZipFile:
        return ["competitions/tasks.py:371: Bad zip file uploaded."]
    if "competition.yaml" not in zf.namelist():                              # competitions/tasks.py:375-378
        return ["competitions/tasks.py:377: competition.yaml is missing from zip (must be at the root)"]
    text = zf.read("competition.yaml").decode("utf-8")
    y = yaml.safe_load(text)                                                 # competitions/tasks.py:380
    if not isinstance(y, dict):
        return ["competitions/tasks.py:382: the yaml is not a mapping (None.get -> generic failure)"]
    if str(y.get("version", "1")) != "2":                                    # competitions/tasks.py:382-392
        problems.append("competitions/tasks.py:390: version must be 2 (else v1.5 or 'no suitable version')")
    if not isinstance(y.get("title"), str) or not 0 < len(y["title"]) <= 256:  # competitions/models.py:36
        problems.append("competitions/models.py:36: title: CharField(max_length=256), not null")
    if not isinstance(y.get("docker_image"), str) or len(y["docker_image"]) > 128:   # competitions/models.py:49
        problems.append("competitions/models.py:49: docker_image: CharField(max_length=128); the default is py37 "
                        "(unpackers/v2.py:15), too old for this scorer")
    if "queue" in y:                                                         # unpackers/base_unpacker.py:208-229
        problems.append("unpackers/base_unpacker.py:229: queue: The specified Queue does not exist!")

    pages = y.get("pages")                                                   # unpackers/v2.py:50-58
    if not isinstance(pages, list):
        problems.append("unpackers/v2.py:50: pages must be a list (enumerate(None) -> TypeError)")
    for page in pages or []:
        if not page.get("title"):                                            # competitions/models.py:759
            problems.append(f"competitions/models.py:759: page {page}: title is not nullable")
        if page.get("file") not in zf.namelist():
            problems.append(f"unpackers/v2.py:55: Unable to find page: {page.get('file')}")
        elif not zf.read(page["file"]):
            problems.append(f"unpackers/v2.py:58: Page '{page['file']}' is empty, it must contain content.")
    terms = y.get("terms")                                                   # unpackers/v2.py:163-177
    if terms is None or terms not in zf.namelist() or not zf.read(terms):
        problems.append("unpackers/v2.py:163-177: terms must name a non-empty file of the bundle")
    image = y.get("image")                                                   # base_unpacker.py:61-71, 200-206
    if image is None or image not in zf.namelist():
        problems.append("unpackers/base_unpacker.py:71: Unable to find image")
    elif not _is_png(zf.read(image)):                                        # api/fields.py:50-52
        problems.append("api/fields.py:52: the logo must be a real PNG/JPEG (ALLOWED_TYPES)")

    tasks = y.get("tasks")                                                   # unpackers/v2.py:69-108
    task_indexes: list = []
    if not isinstance(tasks, list) or not tasks:
        problems.append("unpackers/v2.py:72: No tasks listed in this competition")
    for task in tasks or []:
        if "index" not in task:
            problems.append("unpackers/v2.py:76-78: ERROR: No index for task")
        elif task["index"] in task_indexes:
            problems.append(f"unpackers/v2.py:80: ERROR: Duplicate task indexes. Index: {task['index']}")
        task_indexes.append(task.get("index"))
        if not task.get("name") or len(task["name"]) > 256:                  # tasks/models.py:9
            problems.append(f"tasks/models.py:9: task {task.get('index')}: name CharField(max_length=256), not null")
        if "scoring_program" not in task:
            problems.append(f"unpackers/v2.py:105-107: Task {task.get('name')} does not have a scoring program")
        for kind in ("scoring_program", "reference_data", "input_data", "ingestion_program"):
            if kind in task and not _member(zf, task[kind]):                 # base_unpacker.py:35-59
                problems.append(f"unpackers/base_unpacker.py:55: Cannot find dataset: {task[kind]!r}")
    if y.get("solutions"):                                                   # unpackers/v2.py:113-146
        problems.append("unpackers/v2.py:113-146: solutions must be checked like tasks; this bundle has none")

    phases = y.get("phases")                                                 # unpackers/v2.py:184-207
    if not isinstance(phases, list) or not phases:
        problems.append("unpackers/v2.py:188: Unable to find any phases for this competition")
        phases = []
    ordered = sorted(phases, key=lambda p: p.get("index", 0))                # unpackers/v2.py:186
    for i, phase in enumerate(ordered):
        if not phase.get("name") or len(phase["name"]) > 256:                # competitions/models.py:295
            problems.append(f"competitions/models.py:295: phase {i}: name CharField(max_length=256)")
        if not phase.get("tasks"):
            problems.append("unpackers/v2.py:207: Phases must contain at least one task to be valid")
        for index in phase.get("tasks") or []:                               # base_unpacker.py:323 KeyError
            if index not in task_indexes:
                problems.append(f"unpackers/base_unpacker.py:323: phase {i} names task index {index!r}, which no task "
                                "has (KeyError -> 'Unpacking the bundle failed')")
        for key in ("start", "end"):                                         # unpackers/utils.py:30-38
            if key in phase and not isinstance(phase[key], str):
                problems.append(f"unpackers/utils.py:33-35: phase {i}: {key} is a YAML timestamp, not a quoted "
                                "string: the time of day is dropped")
        if phase.get("start") is None:                                       # base_unpacker.py:75
            problems.append(f"unpackers/base_unpacker.py:75: phase {i} has no start (None < now -> TypeError)")
        for key in ("max_submissions", "max_submissions_per_day", "execution_time_limit"):
            value = phase.get(key)                                           # competitions/models.py:297,305-306
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                problems.append(f"competitions/models.py:297-306: phase {i}: {key} is a PositiveIntegerField")
        if (phase.get("execution_time_limit") or 0) > 600:                   # competitions/tasks.py:117,126
            problems.append(f"competitions/tasks.py:126: phase {i}: execution_time_limit is capped at 600 s")
        if phase.get("auto_migrate_to_this_phase") and (i == 0 or len(ordered) == 1):
            problems.append("api/serializers/competitions.py:281-284: no auto migration to the first/only phase")
        if phase.get("starting_kit") and not _member(zf, phase["starting_kit"]):   # base_unpacker.py:330-332
            problems.append(f"unpackers/base_unpacker.py:55: Cannot find dataset: {phase['starting_kit']!r}")
    dates = [(p.get("start"), p.get("end")) for p in ordered]
    for (start1, end1), (start2, _) in zip(dates, dates[1:]):               # base_unpacker.py:115-135
        if end1 is None:
            problems.append("unpackers/base_unpacker.py:122-124: a phase with a phase after it must have an end")
        elif isinstance(start2, str) and isinstance(end1, str):
            first_end, next_start = dt.datetime.fromisoformat(end1), dt.datetime.fromisoformat(start2)
            if next_start < first_end:
                problems.append("unpackers/base_unpacker.py:125-129: Phases must be sequential")
            elif next_start == first_end:
                problems.append("unpackers/base_unpacker.py:130-135: Phases dates conflict")

    boards = y.get("leaderboards")                                           # unpackers/v2.py:244-247 (plural!)
    if not isinstance(boards, list) or not boards:                           # base_unpacker.py:324 [0]
        problems.append("unpackers/v2.py:247: Could not find leaderboards in the competition yaml")
        boards = []
    for board in boards:                                                     # api/serializers/leaderboards.py:47-88
        if not board.get("title") or len(board["title"]) > 64:               # leaderboards/models.py:25
            problems.append("leaderboards/models.py:25: leaderboard title CharField(max_length=64)")
        if not board.get("key") or len(board["key"]) > 36:                   # leaderboards/models.py:26
            problems.append("leaderboards/models.py:26: leaderboard key CharField(max_length=36)")
        if board.get("submission_rule", "Add") not in SUBMISSION_RULES:      # leaderboards/models.py:7-28
            problems.append(f"leaderboards/models.py:28: submission_rule {board.get('submission_rule')!r}")
        columns = board.get("columns") or []
        if not columns:
            problems.append("api/serializers/leaderboards.py:64: Leaderboards require at least 1 column")
        indexes = [c.get("index") for c in columns]
        keys = [c.get("key") for c in columns]
        if len(set(indexes)) != len(columns):
            problems.append("api/serializers/leaderboards.py:69: Columns must have unique indexes!")
        if len(set(keys)) != len(columns):
            problems.append("api/serializers/leaderboards.py:74: Columns must have unique keys!")
        for c in columns:
            if not c.get("title") or len(c["title"]) > 36:                   # leaderboards/models.py:59
                problems.append(f"leaderboards/models.py:59: column title {c.get('title')!r}: max_length=36")
            if not c.get("key") or len(c["key"]) > 36:                       # leaderboards/models.py:60
                problems.append(f"leaderboards/models.py:60: column key {c.get('key')!r}: max_length=36")
            if not isinstance(c.get("index"), int) or c["index"] < 0:        # leaderboards/models.py:62
                problems.append(f"leaderboards/models.py:62: column {c.get('key')!r}: index PositiveIntegerField")
            if c.get("sorting", "desc") not in ("desc", "asc"):              # leaderboards/models.py:45-48,61
                problems.append(f"leaderboards/models.py:61: column {c.get('key')!r}: sorting desc|asc")
            if "computation" in c and "computation_indexes" not in c:        # api/serializers/leaderboards.py:32-34
                problems.append("api/serializers/leaderboards.py:34: computation without computation_indexes")
        if board.get("primary_index", 0) not in indexes:                     # api/serializers/leaderboards.py:159
            problems.append("api/serializers/leaderboards.py:159: primary_index names no column (fails on display)")

    for task in tasks or []:                                                 # run time: compute_worker.py:847-888
        program = task.get("scoring_program")
        if program in zf.namelist():
            inner = zipfile.ZipFile(io.BytesIO(zf.read(program)))
            meta = yaml.safe_load(inner.read("metadata.yaml")) if "metadata.yaml" in inner.namelist() else None
            if not (isinstance(meta, dict) and meta.get("command")):
                problems.append(f"compute_worker/compute_worker.py:847-888 (run time): {program} needs metadata.yaml "
                                "with a command at its root")
    return problems


# ------------------------------------------------------------------------------------------- the bundle under test
@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("competition") / "bundle.zip"
    return build_competition(out, splits=["train", "test"], start=START)


def competition_yaml(bundle: Path) -> dict:
    with zipfile.ZipFile(bundle) as zf:
        return yaml.safe_load(zf.read("competition.yaml"))


def with_yaml(bundle: Path, change) -> bytes:
    """The bundle's bytes with competition.yaml replaced by change(its parsed copy), dumped as YAML."""
    parsed = copy.deepcopy(competition_yaml(bundle))
    change(parsed)
    out = io.BytesIO()
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = yaml.safe_dump(parsed, sort_keys=False).encode() if name == "competition.yaml" else src.read(name)
            dst.writestr(name, data)
    return out.getvalue()


def test_the_bundle_passes_every_unpacker_check(bundle):
    assert unpacker_problems(bundle.read_bytes()) == []


def test_competition_yaml_names_phases_tasks_and_a_leaderboard(bundle):
    y = competition_yaml(bundle)
    assert y["version"] == 2 and y["image"] == "logo.png" and y["terms"] == "pages/terms.md"
    assert [t["index"] for t in y["tasks"]] == [0, 1]
    assert [t["reference_data"] for t in y["tasks"]] == ["reference_data_train.zip", "reference_data_test.zip"]
    assert {t["scoring_program"] for t in y["tasks"]} == {"scoring_program.zip"}
    assert [p["tasks"] for p in y["phases"]] == [[0], [1]]                   # index-based task references
    assert [p["starting_kit"] for p in y["phases"]] == ["starting_kit_train.zip", "starting_kit_test.zip"]
    assert [(p["start"], p["end"]) for p in y["phases"]] == [("2027-01-04 00:00:00", "2027-01-31 23:59:59"),
                                                             ("2027-02-01 00:00:00", "2027-02-28 23:59:59")]
    board, = y["leaderboards"]
    assert [c["key"] for c in board["columns"]] == ["overall", *[k for k in CODABENCH_COLUMNS if k != "overall"]]
    assert board["primary_index"] == 0 and board["columns"][0]["key"] == "overall"
    assert y["docker_image"] == default_docker_image() and y["solutions"] == []
    text = zipfile.ZipFile(bundle).read("competition.yaml").decode()
    assert "start: '2027-01-04 00:00:00'" in text                           # quoted: dateutil keeps the time


@pytest.mark.parametrize("change, expected", [
    (lambda y: y.pop("leaderboards"), "Could not find leaderboards"),
    (lambda y: y.update(leaderboard=y.pop("leaderboards")), "Could not find leaderboards"),     # the docs' singular
    (lambda y: y.update(version=2.0), "version must be 2"),
    (lambda y: y.pop("image"), "Unable to find image"),
    (lambda y: y.update(image="pages/terms.md"), "real PNG"),
    (lambda y: y["pages"].append({"title": "Gone", "file": "pages/gone.md"}), "Unable to find page: pages/gone.md"),
    (lambda y: y["tasks"][1].update(index=0), "Duplicate task indexes"),
    (lambda y: y["tasks"][0].pop("scoring_program"), "does not have a scoring program"),
    (lambda y: y["tasks"][0].update(reference_data="nowhere.zip"), "Cannot find dataset: 'nowhere.zip'"),
    (lambda y: y["phases"][0].update(tasks=[7]), "names task index 7"),
    (lambda y: y["phases"][0].update(tasks=[]), "at least one task"),
    (lambda y: y["phases"][0].pop("end"), "must have an end"),
    (lambda y: y["phases"][1].update(start=y["phases"][0]["end"]), "Phases dates conflict"),
    (lambda y: y["phases"][1].update(start="2027-01-10 00:00:00"), "Phases must be sequential"),
    (lambda y: y["phases"][0].update(start=dt.datetime(2027, 1, 4, 13, 30)), "not a quoted string"),
    (lambda y: y["phases"][0].update(execution_time_limit=3600), "capped at 600"),
    (lambda y: y["phases"][0].update(auto_migrate_to_this_phase=True), "no auto migration"),
    (lambda y: y["leaderboards"][0]["columns"][1].update(title="x" * 37), "max_length=36"),
    (lambda y: y["leaderboards"][0]["columns"][1].update(key="overall"), "unique keys"),
    (lambda y: y["leaderboards"][0]["columns"][1].update(index=0), "unique indexes"),
    (lambda y: y["leaderboards"][0].update(submission_rule="Add and Delete Multiple"), "submission_rule"),
    (lambda y: y["leaderboards"][0]["columns"][0].update(computation=None), "computation without"),
    (lambda y: y["leaderboards"][0].update(primary_index=99), "primary_index names no column"),
    (lambda y: y.update(docker_image="x" * 129), "max_length=128"),
    (lambda y: y.update(queue="not-a-vhost"), "Queue does not exist"),
])
def test_each_check_fires_on_a_bundle_broken_on_purpose(bundle, change, expected):
    problems = unpacker_problems(with_yaml(bundle, change))
    assert any(expected in p for p in problems), problems


def test_a_wrapped_or_broken_zip_is_rejected(bundle, tmp_path):
    wrapped = io.BytesIO()
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(wrapped, "w") as dst:
        for name in src.namelist():
            dst.writestr(f"bundle/{name}", src.read(name))
    assert "competition.yaml is missing" in unpacker_problems(wrapped.getvalue())[0]
    assert "Bad zip file" in unpacker_problems(b"not a zip")[0]


def test_layout_nested_zips_at_their_own_root(bundle):
    zf = zipfile.ZipFile(bundle)
    assert {"competition.yaml", "logo.png", "scoring_program.zip", "docker/Dockerfile", "README.md"} <= set(zf.namelist())
    program = zipfile.ZipFile(io.BytesIO(zf.read("scoring_program.zip")))
    assert yaml.safe_load(program.read("metadata.yaml")) == {
        "command": "python3 /app/program/score.py /app/input /app/output"}
    assert not [n for n in program.namelist() if n.startswith("lib/benchmark/data/")]    # no gold in the program
    assert json.loads(program.read("config.json"))["pip_fallback"] is False
    for split in ("train", "test"):
        ref = zipfile.ZipFile(io.BytesIO(zf.read(f"reference_data_{split}.zip")))
        assert json.loads(ref.read("scoring.json")) == {"split": split}
        assert {"README.md", "gold_fingerprint.txt", f"quotes/{split}.parquet"} <= set(ref.namelist())
        kit = zipfile.ZipFile(io.BytesIO(zf.read(f"starting_kit_{split}.zip")))
        texts = [json.loads(line) for line in kit.read(f"texts_{split}.jsonl").decode().splitlines()]
        documents = read_rows("documents", split)
        assert texts == [{"doc_id": d["doc_id"], "text": d["text"]} for d in documents]   # texts, no gold
        sample = zipfile.ZipFile(io.BytesIO(kit.read("sample_submission.zip")))
        assert sample.namelist() == ["predictions.jsonl"]                    # compute_worker.py:847-860: no metadata
        assert kit.read("predict.py") == (ROOT / "benchmark" / "grading" / "starting_kit.py").read_bytes()


def test_the_logo_is_a_valid_png():
    data = logo_png()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        length, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        chunks.append((kind, body))
        pos += 12 + length
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    pixels = zlib.decompress(chunks[1][1])
    assert (width, height, depth, colour) == (128, 128, 8, 2) and len(pixels) == height * (1 + 3 * width)
    assert len({pixels[i:i + 3] for i in range(1, len(pixels), 3)}) > 1    # not a blank square
    assert logo_png() == data


def test_bundles_are_deterministic_and_options_change_them(bundle, tmp_path):
    again = build_competition(tmp_path / "again.zip", splits=["train", "test"], start=START)
    assert again.read_bytes() == bundle.read_bytes()
    other = build_competition(tmp_path / "other.zip", splits=["test"], start=START, docker_image="me/scorer:1",
                              allow_pip=True)
    y = competition_yaml(other)
    assert y["docker_image"] == "me/scorer:1" and len(y["phases"]) == 1 and "end" in y["phases"][0]
    zf = zipfile.ZipFile(other)
    assert "FROM codalab/codalab-legacy:py312" in zf.read("docker/Dockerfile").decode()
    assert "docker build -t me/scorer:1" in zf.read("docker/Dockerfile").decode()
    program = zipfile.ZipFile(io.BytesIO(zf.read("scoring_program.zip")))
    assert zf.read("docker/requirements.txt") == program.read("requirements.txt")
    assert b"pyarrow" in program.read("requirements.txt")
    assert json.loads(program.read("config.json"))["pip_fallback"] is True
    assert unpacker_problems(other.read_bytes()) == []
    assert json.loads(program.read("config.json"))["strict"] is False
    assert "counts as a wrong (spurious) quote" in zf.read("pages/submission.md").decode()
    strict = zipfile.ZipFile(build_competition(tmp_path / "strict.zip", splits=["test"], start=START, strict=True))
    assert json.loads(zipfile.ZipFile(io.BytesIO(strict.read("scoring_program.zip"))).read("config.json"))["strict"]
    assert "makes the submission fail" in strict.read("pages/submission.md").decode()
    # the strict scoring program refuses what the lenient one scores: a quote text that is not in the article
    texts = {d["doc_id"]: d["text"] for d in read_rows("documents", "test")}
    line = json.dumps({"doc_id": sorted(texts)[0], "quotes": [{"text": "Words that no article of this split holds"}]})
    upload = io.BytesIO()
    with zipfile.ZipFile(upload, "w") as zf:
        zf.writestr("predictions.jsonl", line + "\n")
    for built, code in ((bundle, 0), (tmp_path / "strict.zip", 2)):
        proc = score_phase(built, "test", upload.getvalue(), tmp_path / f"app_{code}")
        assert proc.returncode == code, proc.stderr
        assert ("not found" in proc.stderr) is (code == 2)


@pytest.mark.parametrize("args, message", [
    (["gradescope", "--competition"], "--competition: only for codabench"),
    (["codabench", "--competition", "--split", "test,nope"], "--split: no split 'nope'"),
    (["codabench", "--competition", "--split", "test,test"], "a split is named twice"),
    (["codabench", "--competition", "--docker-image", "my image"], "--docker-image: 'my image' is not an image name"),
    (["codabench", "--competition", "--phase-days", "0"], "--phase-days: 1 to 3660 (ten years), got 0"),
    (["codabench", "--competition", "--phase-days", "100000000"], "--phase-days: 1 to 3660"),
    (["codabench", "--competition", "--split", "train,test", "--start", "9999-12-01"],
     "the last phase would end after the year 9999"),
    (["codabench", "--competition", "--split", "test,all"], "'all' is no phase of its own"),
    (["codabench", "--title", "My course"], "--title: only with --competition"),
    (["codabench", "--allow-pip"], "--allow-pip: only with --competition"),
])
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "bundle.zip"
    assert main(["autograder", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


# ------------------------------------------------------------------------------------------- the run-time contract
def score_phase(bundle: Path, split: str, submission_zip: bytes, folder: Path,
                extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the scoring program as the worker does for one phase: program/, input/ref (the task's reference data),
    input/res (the submission's files plus the worker's own `metadata` file), output/."""
    zf = zipfile.ZipFile(bundle)
    shutil.rmtree(folder, ignore_errors=True)
    for part, name in (("program", "scoring_program.zip"), ("input/ref", f"reference_data_{split}.zip")):
        zipfile.ZipFile(io.BytesIO(zf.read(name))).extractall(folder / part)
    zipfile.ZipFile(io.BytesIO(submission_zip)).extractall(folder / "input" / "res")
    (folder / "input" / "res" / "metadata").write_text("exitCode: 0\n")      # compute_worker.py:1346-1369
    command = yaml.safe_load((folder / "program" / "metadata.yaml").read_text())["command"].split()
    assert command[1:] == ["/app/program/score.py", "/app/input", "/app/output"]
    command[0], command[1] = sys.executable, str(folder / "program" / "score.py")   # the rest: CODABENCH_ROOT
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "CODABENCH_ROOT": str(folder),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", **(extra_env or {})}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def sample_submission(bundle: Path, split: str) -> bytes:
    kit = zipfile.ZipFile(io.BytesIO(zipfile.ZipFile(bundle).read(f"starting_kit_{split}.zip")))
    return kit.read("sample_submission.zip")


@pytest.mark.slow
@pytest.mark.parametrize("split", ["train", "test"])
def test_the_sample_submission_scores_on_its_phase(bundle, tmp_path, split):
    """scores.json is flat, every value finite, its keys the leaderboard's columns (api/views/submissions.py:578-592);
    exit 0 (compute_worker.py:1287-1302); no `metadata` written to the output (compute_worker.py:1357-1363)."""
    import benchmark

    folder = tmp_path / "app"
    proc = score_phase(bundle, split, sample_submission(bundle, split), folder)
    assert proc.returncode == 0, proc.stderr
    scores = json.loads((folder / "output" / "scores.json").read_text())
    columns = {c["key"] for c in competition_yaml(bundle)["leaderboards"][0]["columns"]}
    assert set(scores) == columns and all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in scores.values())
    assert scores["quotes_f1"] > 0                                           # the sample shows the format, and scores
    assert not (folder / "output" / "metadata").exists()
    results = json.loads((folder / "output" / "results.json").read_text())
    assert f"|split:{split}|" in results["signature"]                       # the task's scoring.json picked the split
    preds = zipfile.ZipFile(io.BytesIO(sample_submission(bundle, split))).read("predictions.jsonl").decode()
    expected = benchmark.score([json.loads(line) for line in preds.splitlines()], split=split)
    assert scores["overall"] == pytest.approx(expected["overall"], abs=1e-6)


@pytest.mark.slow
def test_no_submission_installs_anything(bundle, tmp_path):
    """With the image's dependencies missing, score.py says so and fails: it never pip-installs (pip_fallback is
    off in config.json), so dependencies come once per worker image, never per submission."""
    fake = tmp_path / "no_pyarrow" / "pyarrow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('pyarrow is not installed in this image')\n")
    proc = score_phase(bundle, "test", sample_submission(bundle, "test"), tmp_path / "app",
                       {"PYTHONPATH": str(fake.parent), "PIP_NO_INDEX": "1"})     # never the network
    assert proc.returncode != 0
    assert "missing dependency" in proc.stderr and "docker image" in proc.stderr and "pip" not in proc.stdout
    assert not (tmp_path / "app" / "output" / "scores.json").exists()


@pytest.mark.slow
def test_a_malformed_submission_fails_its_phase_with_the_problems(bundle, tmp_path):
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("predictions.jsonl", '{"doc_id": "nope"}\n')
    proc = score_phase(bundle, "test", bad.getvalue(), tmp_path / "app")
    assert proc.returncode == 2 and 'unknown document "nope"' in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "app" / "output" / "scores.json").exists()

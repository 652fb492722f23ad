"""Issue 14, crashes and wrong verdicts: hostile submissions and leaderboard metadata against every entry point
that reads them (`score` with each engine, `score --errors`, `report`, `leaderboard`, Codabench, `run -o`).

Every case exits 2 with clear `FILE:LINE: field: problem` lines within seconds, prints no score, writes no output
file and shows no traceback -- except the leaderboard, which lists the bad entry as invalid and ranks the rest.
Cases that could hang or crash the interpreter (deep nesting for pyarrow, FIFOs) run in a subprocess with a
generous timeout, so a regression fails instead of taking the test run down."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from report_inputs import gold_submission, write_jsonl

import benchmark
from benchmark import dataset
from benchmark.cli import main
from benchmark.codabench import main as codabench_main
from benchmark.errors import InputError
from benchmark.safe_io import size_text
from benchmark.submission import columnar, read_submission

ROOT = Path(__file__).resolve().parents[1]
DOC = dataset.read_rows("documents", "test")[0]["doc_id"]
TEXT = dataset.read_rows("documents", "test")[0]["text"]
TEXTS = {d["doc_id"]: d["text"] for d in dataset.read_rows("documents", "all")}
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
DEEP = ('{"doc_id": "%s", "quotes": ' % DOC + "[" * 20000 + "]" * 20000 + "}\n").encode()


def subprocess_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line in a fresh interpreter (a segfault or a hang fails the test, not the test run)."""
    return subprocess.run([sys.executable, "-m", "benchmark", *args], env=ENV, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def score_commands(path: Path, out: Path) -> dict[str, list[str]]:
    """Every command that reads a submission file, with every output option pointing into `out`."""
    base = ["score", str(path), "--bootstrap", "0", "--json", str(out / "r.json"), "--markdown", str(out / "r.md"),
            "--gradescope", str(out / "g.json")]
    return {"score": base, "score --engine fast": [*base, "--engine", "fast"],
            "score --engine reference": [*base, "--engine", "reference"], "score --errors": [*base, "--errors"],
            "report": ["report", str(path), "-o", str(out / "report.html")]}


def assert_rejected_everywhere(tmp_path: Path, content: bytes, expected: list[str], capsys) -> None:
    """`content` as a submission: exit 2 with exactly the `expected` problem lines on every entry point, no
    output file, nothing on stdout; the leaderboard lists it invalid (first lines) and still ranks and writes."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    out = tmp_path / "out"
    for name, args in score_commands(path, out).items():
        capsys.readouterr()
        assert main(args) == 2, name
        captured = capsys.readouterr()
        label = path.name if name == "report" else str(path)          # the report names the file by its name
        assert captured.err.splitlines() == [line.replace("FILE", label) for line in expected], name
        assert captured.out == "" and not out.exists(), name
    # Codabench: exit 2, the problems on stderr, no scores
    res = tmp_path / "input" / "res"
    res.mkdir(parents=True)
    (res / "predictions.jsonl").write_bytes(content)
    assert codabench_main([str(tmp_path / "input"), str(tmp_path / "cb"), "--bootstrap", "0"]) == 2
    shown = [line.replace("FILE", str(res / "predictions.jsonl")) for line in expected]
    assert capsys.readouterr().err.splitlines() == shown
    assert not (tmp_path / "cb").exists()
    # the leaderboard: the entry invalid with the same first lines, the good entry ranked, all four pages written
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "bad.jsonl").write_bytes(content)
    write_jsonl(folder / "good.jsonl", gold_submission())
    assert main(["leaderboard", str(folder), "-o", str(tmp_path / "lb"), "--no-baselines", "--bootstrap", "0"]) == 0
    board = json.loads((tmp_path / "lb" / "leaderboard.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in board["ranked"]] == ["good"]
    assert board["invalid"][0]["errors"] == [line.replace("FILE", "bad.jsonl") for line in expected][:5]
    assert sorted(p.name for p in (tmp_path / "lb").iterdir()) == sorted(
        ["leaderboard.md", "leaderboard.csv", "leaderboard.json", "leaderboard.html"])
    capsys.readouterr()


# ----------------------------------------------------------------------------------------------- deep nesting
def test_deep_nesting_is_rejected_by_every_reader_before_pyarrow_sees_it(tmp_path, capsys):
    expected = ["FILE:1: line: values nested 20001 levels deep (limit max_depth=16; a valid line nests 3); not parsed"]
    path = tmp_path / "deep.jsonl"
    path.write_bytes(DEEP)
    for engine in ("fast", "auto"):          # in a subprocess: before the fix pyarrow segfaulted (exit 139)
        result = subprocess_cli("score", str(path), "--engine", engine, "--bootstrap", "0")
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.splitlines() == [expected[0].replace("FILE", str(path))]
    assert_rejected_everywhere(tmp_path / "all", DEEP, expected, capsys)


def test_the_columnar_path_hands_a_deep_file_over_without_calling_pyarrow(tmp_path, monkeypatch):
    import pyarrow.json as pj

    def never(*args, **kwargs):
        raise AssertionError("pyarrow's JSON reader saw a file it must not see")
    monkeypatch.setattr(pj, "open_json", never)
    texts = {DOC: TEXT}
    hostile = [DEEP,
               ('{"doc_id": "%s", "quotes": [{"start": 0, "end": 5, "speaker": ' % DOC + '{"a": ' * 5000 + "1"
                + "}" * 5000 + "}]}\n").encode(),                                   # objects as member values
               ('{"doc_id": "%s", "quotes": [[[[{"start": 0, "end": 5}]]]]}\n' % DOC).encode(),
               ('{"doc_id": "%s", "note": "[", "quotes": []}\n' % DOC).encode()]   # a "[" in a string: handed over
    for i, content in enumerate(hostile):
        path = tmp_path / f"h{i}.jsonl"
        path.write_bytes(content)
        assert columnar.read_columns(str(path), texts, max_line_bytes=1 << 23, max_quotes_per_doc=100) is None


@pytest.mark.parametrize("chunk", [3, 7, 64, 1 << 20])
def test_the_nesting_bound_holds_across_chunk_boundaries(tmp_path, monkeypatch, chunk):
    """The byte check carries its state (the unfinished line's "[", the bytes before a "{") from chunk to chunk."""
    monkeypatch.setattr(columnar, "_CHUNK", chunk)
    clean = ('{"doc_id": "%s", "quotes": [{"start": 0, "end": 5, "speaker": "Putin"}, {"start": 6, "end": 9}]}\n'
             '{"doc_id": "d2", "quotes": [{"start": 1, "end": 2}]}\n' % DOC).encode()
    path = tmp_path / "clean.jsonl"
    path.write_bytes(clean)
    assert columnar._scan(str(path), 1 << 20) is not None                 # the common case still takes the fast path
    for bad in (clean.replace(b'"Putin"}', b'"Putin", "x": {"y": 1}}'),    # an object as a member value
                clean.replace(b'"end": 2}', b'"end": [2]}'),              # a second "[" on a line
                clean.replace(b", {", b",  {")):                          # two spaces: not the common case
        path.write_bytes(bad)
        assert columnar._scan(str(path), 1 << 20) is None


# ------------------------------------------------------------------------------------------- lone surrogates
@pytest.mark.parametrize("where, line, field", [
    ("speaker", '{"doc_id": "%s", "quotes": [{"start": 0, "end": 5, "speaker": "Pu\\ud800tin"}]}', "quotes[0].speaker"),
    ("outlet", '{"doc_id": "%s", "outlet": "\\udfff", "quotes": []}', "outlet"),
    ("doc_id", '{"doc_id": "%s\\ud800", "quotes": []}', "doc_id"),
    ("key", '{"doc_id": "%s", "quotes": [], "\\udc80": 1}', "\\udc80"),
])
def test_a_lone_surrogate_is_rejected_where_it_is_read(tmp_path, capsys, where, line, field):
    content = (line % DOC + "\n").encode()
    path = tmp_path / "s.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_submission(path, TEXTS)                           # every document, as the commands read it
    expected = [p.replace(str(path), "FILE") for p in err.value.problems]
    assert expected[0].startswith(f"FILE:1: {field}: not valid Unicode: a lone surrogate \\ud")
    assert expected[0].endswith("(a JSON \\uD800-\\uDFFF escape must be half of a surrogate pair); remove it or "
                                "write the character itself")
    assert_rejected_everywhere(tmp_path, content, expected, capsys)      # the same lines from every entry point


def test_a_surrogate_pair_is_a_character_not_a_problem():
    sub = read_submission(['{"doc_id": "%s", "quotes": [{"start": 0, "end": 5, "speaker": "\\ud83d\\ude00"}]}' % DOC],
                          {DOC: TEXT})
    assert sub.documents[DOC].quotes[0].speaker == "\U0001f600"


def test_surrogates_in_parsed_objects_and_str_lines_are_rejected_too():
    for source in ([{"doc_id": DOC, "quotes": [{"start": 0, "end": 5, "speaker": "\ud800"}]}],
                   ['{"doc_id": "%s", "quotes": [{"start": 0, "end": 5, "speaker": "\ud800"}]}' % DOC]):
        with pytest.raises(InputError) as err:
            read_submission(source, {DOC: TEXT})
        assert err.value.problems[0].startswith("<predictions>:1: quotes[0].speaker: not valid Unicode")


def test_run_refuses_an_extractor_that_returns_a_lone_surrogate(tmp_path, capsys):
    module = tmp_path / "surrogate_extractor.py"
    module.write_text("class Extractor:\n    def extract(self, document):\n"
                      "        return {'quotes': [{'start': 0, 'end': 5, 'speaker': '\\ud800'}]}\n", encoding="utf-8")
    out = tmp_path / "preds.jsonl"
    assert main(["run", f"{module}:Extractor", "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "quotes[0].speaker: not valid Unicode: a lone surrogate \\ud800" in err and "Traceback" not in err
    assert not out.exists()


# ------------------------------------------------------------------------------------------------ null quotes
def test_a_null_quote_is_rejected_by_every_reader_with_one_message(tmp_path, capsys):
    content = ('{"doc_id": "%s", "quotes": [null]}\n' % DOC).encode()
    assert_rejected_everywhere(tmp_path, content, ["FILE:1: quotes[0]: expected an object, got null"], capsys)


def test_empty_and_null_quote_lists_still_read_as_before(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text('{"doc_id": "%s", "quotes": []}\n' % DOC, encoding="utf-8")
    assert columnar.read_columns(str(path), {DOC: TEXT}, max_line_bytes=1 << 20, max_quotes_per_doc=10) is not None
    r = benchmark.score(str(path), n_boot=0, engine="fast")
    assert "quotes" in r["attempted"]


# ------------------------------------------------------------------------------------------------ repeated keys
@pytest.mark.parametrize("line, field", [
    ('{"doc_id": "%s", "quotes": [{"start": 0, "end": 5, "stance": "bogus", "stance": "favor"}]}', "quotes[0].stance"),
    ('{"doc_id": "%s", "outlet": "CNN", "outlet": "BBC", "quotes": []}', "outlet"),
    ('{"doc_id": "%s", "quotes": [{"start": 0, "end": 5}], "quotes": []}', "quotes"),
])
def test_a_repeated_key_is_rejected_by_every_reader(tmp_path, capsys, line, field):
    content = (line % DOC + "\n").encode()
    expected = [f"FILE:1: {field}: key given twice in one object (JSON keeps only the last value, and readers "
                "differ): give it once"]
    assert_rejected_everywhere(tmp_path, content, expected, capsys)


def test_colons_in_strings_are_not_mistaken_for_repeated_keys():
    line = ('{"doc_id": "%s", "note": "a: b: c", "quotes": [{"start": 0, "end": 5, "speaker": "Title: Name", '
            '"note": "x:y"}]}' % DOC)
    for source in ([line], [line.encode()]):
        assert read_submission(source, {DOC: TEXT}).documents[DOC].quotes[0].speaker == "Title: Name"
    with pytest.raises(InputError, match=r"<predictions>:1: quotes\[0\]\.note: key given twice"):
        read_submission([line.replace('"x:y"', '"x", "note": "y"')], {DOC: TEXT})


# ----------------------------------------------------------------------------------- files that are not files
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_and_dev_zero_are_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    for path, kind in ((fifo, "a FIFO (named pipe)"), (zero, "a character device"), (Path("/dev/zero"),
                                                                                    "a character device")):
        for engine in ("auto", "fast"):
            result = subprocess_cli("score", str(path), "--engine", engine, "--bootstrap", "0")
            assert result.returncode == 2
            assert result.stderr == f"{path}: file: is {kind}, not a regular file: only regular files are read\n"


def test_the_total_size_is_capped_and_stated_in_help(tmp_path, capsys):
    path = tmp_path / "sub.jsonl"
    write_jsonl(path, gold_submission())
    size = path.stat().st_size
    with pytest.raises(InputError) as err:
        read_submission(path, {DOC: TEXT}, max_file_bytes=size - 1)
    assert err.value.problems == [f"{path}: file: {size} bytes, over the cap of {size_text(size - 1)}"]
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    assert "a regular file of at most 1 GiB" in " ".join(capsys.readouterr().out.split())


def test_a_5000_digit_number_is_a_plain_problem(tmp_path, capsys):
    content = ('{"doc_id": "%s", "quotes": [{"start": %s, "end": 5}]}\n' % (DOC, "1" * 5000)).encode()
    expected = ["FILE:1: json: invalid JSON: a number with more than 4300 digits (an offset, a count or a value "
                "this long cannot be right)"]
    assert_rejected_everywhere(tmp_path, content, expected, capsys)


# ------------------------------------------------------------------------------------------ terminal escaping
def test_unknown_keys_reach_the_terminal_escaped(tmp_path, capsys):
    path = tmp_path / "esc.jsonl"
    path.write_text('{"doc_id": "%s", "\\u001b[2J\\u001b[HALL OK\\u009b": 1}\n' % DOC, encoding="utf-8")
    assert main(["score", str(path), "--bootstrap", "0"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x9b" not in err
    assert err.startswith(f"{path}:1: \\u001b[2J\\u001b[HALL OK\\u009b: unknown key")


def test_a_hostile_file_name_is_escaped_in_markdown_and_on_the_terminal(tmp_path, capsys):
    path = tmp_path / "a`b|c\x1b[31m.jsonl"
    write_jsonl(path, gold_submission())
    md_path = tmp_path / "r.md"
    assert main(["score", str(path), "--bootstrap", "0", "--markdown", str(md_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\u001b[31m.jsonl" in out
    heading = md_path.read_text(encoding="utf-8").splitlines()[0]
    assert "`" not in heading.replace("\\`", "") and "\x1b" not in heading and "a\\`b\\|c" in heading


def test_a_file_name_that_is_not_utf8_is_named_with_escapes(tmp_path, capsys):
    path = tmp_path / os.fsdecode(b"bad\xff.jsonl")
    write_jsonl(path, gold_submission())
    out = tmp_path / "r.json"
    assert main(["score", str(path), "--bootstrap", "0", "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["submission"].endswith("bad\\xff.jsonl")
    assert main(["report", str(path), "-o", str(tmp_path / "r.html")]) == 0
    assert "bad\\xff.jsonl" in (tmp_path / "r.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------- option values
@pytest.mark.parametrize("flag, value", [("--seed", "-1"), ("--seed", str(2 ** 32)), ("--bootstrap", "100000000"),
                                         ("--bootstrap", "-5")])
def test_out_of_range_seed_and_resamples_are_usage_errors_in_every_command(tmp_path, capsys, flag, value):
    path = str(write_jsonl(tmp_path / "ok.jsonl", gold_submission()))
    commands = {"score": ["score", path], "evaluate": ["evaluate", "baselines.rules:RuleExtractor", "--quiet"],
                "leaderboard": ["leaderboard", str(tmp_path), "-o", str(tmp_path / "lb")],
                "demo": ["demo"], "autograder": ["autograder", "codabench", "-o", str(tmp_path / "b.zip")]}
    for name, args in commands.items():
        if flag == "--seed" and name in ("demo", "autograder"):
            continue                                        # they take no seed
        with pytest.raises(SystemExit) as exit_:
            main([*args, flag, value])
        assert exit_.value.code == 2, name
        err = capsys.readouterr().err
        assert f"argument {flag}" in err and "must be 0 to" in err, (name, err)
        assert "Traceback" not in err
    with pytest.raises(SystemExit) as exit_:
        codabench_main([str(tmp_path), str(tmp_path / "o"), "--bootstrap", "100000000"])
    assert exit_.value.code == 2
    assert not (tmp_path / "lb").exists() and not (tmp_path / "b.zip").exists()


def test_the_api_rejects_them_with_value_error():
    for kwargs in ({"seed": -1}, {"n_boot": 10 ** 8}, {"seed": 2 ** 32}, {"n_boot": 1.5}, {"seed": True}):
        with pytest.raises(ValueError, match="must be an integer from 0 to"):
            benchmark.score(gold_submission(), **kwargs)
    assert benchmark.score(gold_submission(), seed=2 ** 32 - 1, n_boot=0)["overall"] == 1.0


# --------------------------------------------------------------------------------------------- leaderboard meta
@pytest.mark.parametrize("meta, problem", [
    (b"[" * 20000 + b"]" * 20000, "x.meta.json:1: json: values nested 20000 levels deep (limit 8; metadata is one "
                                  "flat object); not parsed"),
    (b'{"team": "\\ud800"}', "x.meta.json:1: team: not valid Unicode: a lone surrogate \\ud800"),
    (b'{"team": ' + b"1" * 5000 + b"}", "x.meta.json:1: json: a number with more than 4300 digits"),
    (b'{"team": "a", "team": "b"}', "x.meta.json:1: json: repeated key 'team'"),
])
def test_hostile_metadata_makes_its_entry_invalid_and_the_rest_ranked(tmp_path, meta, problem):
    folder = tmp_path / "subs"
    folder.mkdir()
    write_jsonl(folder / "x.jsonl", gold_submission())
    (folder / "x.meta.json").write_bytes(meta)
    write_jsonl(folder / "y.jsonl", gold_submission())
    assert main(["leaderboard", str(folder), "-o", str(tmp_path / "lb"), "--no-baselines", "--bootstrap", "0"]) == 0
    board = json.loads((tmp_path / "lb" / "leaderboard.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in board["ranked"]] == ["y"]
    assert board["invalid"][0]["id"] == "x" and board["invalid"][0]["errors"][0].startswith(problem)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_metadata_fifo_is_an_invalid_entry_not_a_hang(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    write_jsonl(folder / "x.jsonl", gold_submission())
    os.mkfifo(folder / "x.meta.json")
    result = subprocess_cli("leaderboard", str(folder), "-o", str(tmp_path / "lb"), "--no-baselines",
                            "--bootstrap", "0")
    assert result.returncode == 0, result.stderr
    board = json.loads((tmp_path / "lb" / "leaderboard.json").read_text(encoding="utf-8"))
    assert board["invalid"][0]["errors"] == ["x.meta.json: file: is not a regular file"]


def test_score_writes_nothing_and_prints_nothing_when_one_output_cannot_be_written(tmp_path, capsys):
    path = str(write_jsonl(tmp_path / "ok.jsonl", gold_submission()))
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    assert main(["score", path, "--bootstrap", "0", "--markdown", str(tmp_path / "r.md"),
                 "--json", str(blocker / "r.json")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "cannot write" in captured.err
    assert not (tmp_path / "r.md").exists()

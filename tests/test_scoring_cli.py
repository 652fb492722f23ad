"""`kremlin-reactions score`, `benchmark.score` and the Codabench entry on the packaged gold."""
from __future__ import annotations

import json

import pytest

import benchmark
from benchmark import dataset
from benchmark.cli import main
from benchmark.codabench import main as codabench_main
from benchmark.errors import InputError


def gold_submission(split: str = "all", speaker_spans: bool = False) -> list[dict]:
    """The packaged gold rendered as a submission."""
    docs = dataset.read_rows("documents", split)
    quotes = dataset.read_rows("quotes", split)
    out = []
    for d in docs:
        qs = []
        for q in quotes:
            if q["doc_id"] == d["doc_id"]:
                item = {"start": q["start"], "end": q["end"], "stance": q["stance"], "type": q["type"]}
                if speaker_spans and q["speaker_start"] is not None:
                    item.update(speaker_start=q["speaker_start"], speaker_end=q["speaker_end"])
                else:
                    item["speaker"] = q["speaker"]
                qs.append(item)
        outlet = d["outlet"] if d["outlet_evidence"] == "explicit" else None
        out.append({"doc_id": d["doc_id"], "outlet": outlet, "published": d["published"].isoformat(), "quotes": qs})
    return out


def write_jsonl(path, objects) -> str:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("track", ["A", "B", "all"])
def test_packaged_gold_as_submission_scores_one(track):
    r = benchmark.score(gold_submission(), split="all", track=track, n_boot=100)
    for key in ("overall", "quotes.exact.f1", "quotes.overlap.f1", "quotes.chars.f1", "attribution.accuracy",
                "attribution.f1", "stance.macro_f1", "stance.f_avg", "stance_e2e.macro_f1", "date.accuracy",
                "outlet.accuracy"):
        value = r
        for part in key.split("."):
            value = value[part]
        assert value == 1.0, key
    assert r["signature"].startswith(f"kremlin-reactions|data:{benchmark.data_fingerprint()[:8]}|split:all|track:{track}")


def test_speaker_mention_spans_are_enough():
    # units with a gold mention are predicted by the mention span only (no name): all credited
    sub = gold_submission(speaker_spans=True)
    assert any("speaker_start" in q for d in sub for q in d["quotes"])
    r = benchmark.score(sub, split="all", n_boot=0)
    assert r["attribution"]["accuracy"] == 1.0 and r["attribution"]["f1"] == 1.0


def test_cli_scores_and_writes_reports(tmp_path, capsys):
    sub = write_jsonl(tmp_path / "preds.jsonl", gold_submission("test"))
    out_json, out_md, out_gs = tmp_path / "r.json", tmp_path / "r.md", tmp_path / "gs.json"
    code = main(["score", sub, "--json", str(out_json), "--markdown", str(out_md), "--gradescope", str(out_gs),
                 "--bootstrap", "50", "--errors"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "OVERALL" in printed and printed.rstrip().splitlines()[-1].startswith("kremlin-reactions|data:")
    results = json.loads(out_json.read_text())
    assert results["overall"] == 1.0 and results["quotes"]["overlap"]["f1"] == 1.0
    assert set(results["errors"]) == {d["doc_id"] for d in dataset.read_rows("documents", "test")}
    assert results["signature"] in out_md.read_text()
    gs = json.loads(out_gs.read_text())
    assert gs["score"] == pytest.approx(100.0)
    assert {"name", "score", "max_score", "output", "visibility"} <= set(gs["tests"][0])
    assert gs["leaderboard"][0]["name"] == "overall"


def test_cli_options_change_the_signature(tmp_path, capsys):
    sub = write_jsonl(tmp_path / "preds.jsonl", gold_submission("train"))
    assert main(["score", sub, "--split", "train", "--track", "B", "--overlap", "0.8", "--bootstrap", "10",
                 "--seed", "7"]) == 0
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert "|split:train|track:B|match:overlap0.8|boot:10/seed7|" in last


def test_cli_compare(tmp_path, capsys):
    good = write_jsonl(tmp_path / "good.jsonl", gold_submission("test"))
    empty = write_jsonl(tmp_path / "empty.jsonl", [{"doc_id": d["doc_id"]} for d in gold_submission("test")])
    out = tmp_path / "c.json"
    assert main(["score", good, "--compare", empty, "--bootstrap", "50", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "p < 0.05 is impossible" in printed and "significant" not in printed.lower()
    c = json.loads(out.read_text())["compare"]
    # the good submission wins on every test document: the exact test's smallest p, 2 / 2^n for n documents
    assert c["scores"]["overall"]["p_randomisation"] == 2 / 2 ** len(dataset.read_rows("documents", "test"))


@pytest.mark.parametrize("content, message", [
    ('{"doc_id": "nope"}\n', "unknown document"),
    ("not json at all\n", "not JSON Lines"),
    ('{"doc_id": "002_61610625a1c92d28", "quotes": [{"start": 5, "end": 2}]}\n', "reversed span"),
    ('{"doc_id": "002_61610625a1c92d28", "quotes": [{"start": 1, "end": 9, "stance": "pro"}]}\n', "unknown label"),
])
def test_cli_invalid_input_exits_2_without_a_score(tmp_path, capsys, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    assert main(["score", str(path)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and f"{path}:1:" in captured.err
    assert "kremlin-reactions|" not in captured.out and "OVERALL" not in captured.out


def test_cli_missing_file_and_bad_options(tmp_path, capsys):
    assert main(["score", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    with pytest.raises(SystemExit) as err:
        main(["score", "x.jsonl", "--overlap", "1.5"])
    assert err.value.code == 2
    sub = write_jsonl(tmp_path / "p.jsonl", [])
    assert main(["score", sub, "--data", str(tmp_path / "nowhere")]) == 2


def test_python_api_raises_input_error():
    with pytest.raises(InputError) as err:
        benchmark.score([{"doc_id": 5}])
    assert "doc_id" in err.value.problems[0]


def test_codabench_entry(tmp_path, capsys):
    res = tmp_path / "input" / "res"
    res.mkdir(parents=True)
    (tmp_path / "input" / "ref").mkdir()
    write_jsonl(res / "predictions.jsonl", gold_submission("test"))
    assert codabench_main([str(tmp_path / "input"), str(tmp_path / "output")]) == 0
    scores = json.loads((tmp_path / "output" / "scores.json").read_text())
    assert scores["overall"] == 1.0 and scores["quotes_f1"] == 1.0
    assert (tmp_path / "output" / "results.json").is_file()
    (res / "predictions.jsonl").write_text('{"doc_id": 1}\n', encoding="utf-8")
    capsys.readouterr()
    assert codabench_main([str(tmp_path / "input"), str(tmp_path / "out2")]) == 2
    assert "doc_id" in capsys.readouterr().err
    assert not (tmp_path / "out2" / "scores.json").exists()
    (res / "predictions.jsonl").unlink()
    assert codabench_main([str(tmp_path / "input"), str(tmp_path / "out3")]) == 2


def test_rows_and_table_give_the_same_results():
    import pyarrow as pa

    from benchmark.bench import synthesise
    from benchmark.scoring import Options, score_corpus
    from benchmark.submission import read_submission

    for docs, rows, submission in [
        (dataset.read_rows("documents", "all"), dataset.read_rows("quotes", "all"), gold_submission()),
        synthesise(40, seed=3),
    ]:
        texts = {d["doc_id"]: d["text"] for d in docs}
        ids = {q["quote_id"] for q in rows}
        sub = read_submission(submission, texts, ids)
        for track in ("A", "all"):
            options = Options(track=track, n_boot=30, errors=True)
            from_rows = score_corpus(docs[1:], rows, sub, options)           # also: quotes of a missing doc
            from_table = score_corpus(docs[1:], pa.Table.from_pylist(rows), sub, options)
            assert from_rows == from_table


@pytest.mark.parametrize("command", [
    ["score", "PREDS"], ["run", "baselines.floor:FloorExtractor", "-o", "OUT"], ["evaluate", "baselines.floor:FloorExtractor"],
    ["report", "PREDS", "-o", "OUT"], ["leaderboard", "BOARD", "-o", "OUT"], ["autograder", "gradescope", "-o", "OUT"],
    ["autograder", "codabench", "-o", "OUT"], ["results"],
])
def test_every_split_flag_accepts_the_data_splits_and_names_them(tmp_path, capsys, command):
    """--split is checked against the dataset folder, not a fixed list: one line naming the splits it has."""
    (tmp_path / "board").mkdir()
    preds = write_jsonl(tmp_path / "board" / "p.jsonl", [{"doc_id": d["doc_id"]} for d in gold_submission("test")])
    args = [{"PREDS": preds, "BOARD": str(tmp_path / "board"), "OUT": str(tmp_path / "out")}.get(a, a) for a in command]
    assert main([*args, "--split", "validation"]) == 2
    err = capsys.readouterr().err
    expected = ", ".join([*dataset.splits(), "all"])
    assert err.splitlines() == [f"--split: no split 'validation' in {benchmark.DATA_DIR} (it has: {expected})"]
    assert not (tmp_path / "out").exists()

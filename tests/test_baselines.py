"""Baselines: the quote finder on hand-computed snippets, every baseline end to end on the real data, rules beat
the floor, determinism, and honesty (no gold read while predicting; the model never scores its own training
documents outside the cross-validation rows)."""
from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

import benchmark
from baselines import results as baseline_results
from baselines.floor import FloorExtractor, FloorMetaExtractor
from baselines.oracle import OracleSpansFloor, OracleSpansRules, OracleSpansSklearn
from baselines.results import BASELINES, ORACLES, run_baselines
from baselines.rules import extract_quotes, find_date, find_outlet, find_quotes, lexicon_stance
from baselines.stance_sklearn import SklearnStance, cross_validate
from benchmark.dataset import read_rows
from benchmark.errors import InputError
from benchmark.submission.runner import fit_extractor, run_extractor

ROOT = Path(__file__).resolve().parents[1]
SPLITS = tuple(benchmark.dataset.splits())        # every split the data has (train and test, and any added split)


def jsonl(predictions: list[dict]) -> str:
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions)


def spans(text: str) -> list[tuple[int, int, str, int | None]]:
    return [(q.start, q.end, text[q.start:q.end], q.nested_in) for q in find_quotes(text)]


# ------------------------------------------------------------------------------------------ quote finder (unit)
@pytest.mark.parametrize("text, expected", [
    # straight marks; span = between the marks, inner punctuation included
    ('He said "hello there," and left.', [(9, 21, "hello there,", None)]),
    # curly marks
    ("“Yes,” she said.", [(1, 5, "Yes,", None)]),
    # mismatched: a closing-shaped mark used to open
    ("was blunt: ”We shouldn’t expect a miracle,” he told TASS.", [(12, 42, "We shouldn’t expect a miracle,", None)]),
    # HTML-escaped marks; the span excludes the entities
    ("January -- &quot;I wish you well!&quot;\n", [(17, 33, "I wish you well!", None)]),
    # apostrophes (plain, curly-free, escaped) are not quote marks
    ("Trump's \"deal\" isn't done and Trump&#39;s team won't say.", [(9, 13, "deal", None)]),
    # a single-quoted nested quote inside a double-quoted one
    ("Z wrote: “Harris quoted: ‘Joy comes in the morning,’” she wrote.",
     [(10, 52, "Harris quoted: ‘Joy comes in the morning,’", None), (26, 51, "Joy comes in the morning,", 0)]),
    # a quote wrapped across a line break
    ("“Until the end,\nwe will go on,” an official\nsaid.", [(1, 30, "Until the end,\nwe will go on,", None)]),
    # an opening never closed before a blank line is dropped; the next paragraph pairs on its own
    ('"unclosed quote\n\nNext paragraph "closed" here.', [(33, 39, "closed", None)]),
    # marks inside escaped HTML tags are attribute delimiters, not quotes
    ("a &lt;a href=&quot;http://x.com/&quot; target=&quot;_blank&quot;&gt;link&lt;/a&gt; here", []),
    # a plural possessive before a single-quoted phrase
    ("the officials’ views were mixed, and 'strong' words followed.", [(38, 44, "strong", None)]),
    ("He called it 'a bad deal', the minister's aide said.", [(14, 24, "a bad deal", None)]),
])
def test_find_quotes_on_tricky_snippets(text, expected):
    assert spans(text) == expected


def predicted(text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(quote text, type, speaker, speaker mention text) of extract_quotes."""
    out = []
    for q in extract_quotes(text):
        mention = text[q["speaker_start"]:q["speaker_end"]] if "speaker_start" in q else None
        out.append((text[q["start"]:q["end"]], q["type"], q["speaker"], mention))
    return out


def test_headings_and_scare_quotes_are_not_quotes():
    assert predicted("    'Euphoric'\n\nIn parliament, the mood was high.") == []
    assert predicted("The so-called \"reset\" failed.") == []
    assert predicted("Trump's \"deal\" isn't done.") == []        # short fragment, no reporting cue
    # ... but a short full sentence after a colon is a quote
    assert predicted('Jane Roe was more blunt: "Nothing will change."') == [
        ("Nothing will change.", "direct", "Jane Roe", "Jane Roe")]


def test_speakers_from_cues_pronouns_and_continuations():
    text = ('"We are ready to talk," said John Smith, a senior minister. "We will act soon."\n'
            'Later, officials met.\n"Nothing has changed," he added.\n"It is over," Mr Smith said.')
    assert predicted(text) == [
        ("We are ready to talk,", "direct", "John Smith", "John Smith"),      # said X, appositive dropped
        ("We will act soon.", "direct", "John Smith", "John Smith"),          # no cue: the last speaker
        ("Nothing has changed,", "direct", "John Smith", "he"),               # he -> the last speaker
        ("It is over,", "direct", "John Smith", "Mr Smith"),                  # Mr X -> the full name
    ]


def test_speakers_descriptions_partials_and_according_to():
    assert predicted('A senior diplomat told Reuters it would be "naive" to expect a quick deal.') == [
        ("naive", "partial", "A senior diplomat", "A senior diplomat")]
    assert predicted('"The talks were useful," a source close to the ministry said.\n'
                     '"They will continue," the source added.') == [
        ("The talks were useful,", "direct", "a source close to the ministry", "a source close to the ministry"),
        ("They will continue,", "direct", "a source close to the ministry", "the source")]
    assert predicted('Jane Roe, a political analyst, warned that expectations were "overblown".') == [
        ("overblown", "partial", "Jane Roe", "Jane Roe")]
    assert predicted('According to a senior official, the plan is "dead".') == [
        ("dead", "partial", "a senior official", "a senior official")]
    # a participle attaches to the clause just before its comma, not to the sentence's first subject
    assert [q[2] for q in predicted('The leader praised him as a "bright" figure, and Jan Novak returned the '
                                    'compliment, calling him a "strong" leader.')] == ["The leader", "Jan Novak"]
    # a quote with no cue continues the speaker of reported speech in the sentence before
    assert predicted('The ministry said in a statement that talks went well. Both agreed on the "main aspects of the crisis".')[0][2] \
        == "The ministry"


def test_track_b_rule_on_snippets():
    def indirect(text):
        return [(text[q["start"]:q["end"]], q["speaker"]) for q in extract_quotes(text, indirect=True)
                if q["type"] == "indirect"]

    assert indirect("The spokesman stated on Wednesday that the talks would resume next month.") == [
        ("the talks would resume next month", "The spokesman")]
    assert indirect("Talks with the US will resume in the spring, the ministry said in a statement.") == [
        ("Talks with the US will resume in the spring", "the ministry")]
    assert indirect("According to a senior diplomat, the dialogue is currently frozen.") == [
        ("the dialogue is currently frozen", "a senior diplomat")]
    assert indirect('He added that the country remains open to "constructive dialogue" with Washington.') == [
        ('the country remains open to "constructive dialogue" with Washington', "He")]
    assert indirect("Moscow has not yet commented on the ban that could complicate plans.") == []
    assert extract_quotes("The spokesman stated on Wednesday that the talks would resume next month.") == []


@pytest.mark.parametrize("quote, label", [
    ("We shouldn't expect a miracle here", "against"),   # favourable word, negated
    ("there is no fear of sabotage", "favor"),           # unfavourable word, negated
    ("He will lift sanctions on Russia.", "favor"),
    ("It would be silly", "against"),
    ("What happens next will depend on the US", "neutral"),   # on topic, no polarity
    ("I love animals and the mountains", "none"),             # off topic
])
def test_lexicon_stance(quote, label):
    assert lexicon_stance(quote) == label


def test_date_and_outlet_rules():
    assert find_date("By A Writer, CNN\n\nUpdated 1:32 PM ET, Wed November 9, 2016\n\nText.") == "2016-11-09"
    assert find_date("Headline\n\nNov 6, 2024, 2:34pm EST\nBody.") == "2024-11-06"
    assert find_date("date 2016-11-09 Breaking News") == "2016-11-09"
    # a date inside a long caption sentence is not the publication date
    assert find_date("Two leaders shake hands during a meeting on the sidelines of the summit in Osaka, "
                     "Japan June 28, 2019.") is None
    assert find_outlet("Moscow (CNN)This is a pivotal moment.") == "CNN"
    assert find_outlet("The response reflects caution. (XYZA)\nLEGAL WARNING: ...") == "XYZA"
    assert find_outlet("This article was first published by Daily Planet.") == "Daily Planet"
    assert find_outlet("  • Home\nAcme Logo\n  • World") == "Acme"
    assert find_outlet("By Jane Doe, Reuters\nText.") == "Reuters"
    assert find_outlet("an official told Associated Press on Monday.") == "Associated Press"
    assert find_outlet("No publisher is named in this text.") is None


# ------------------------------------------------------------------------------------------ end to end, real data
@pytest.fixture(scope="module")
def predictions() -> dict[str, dict[str, list[dict]]]:
    return {split: run_baselines(split, oracles=True) for split in SPLITS}


@pytest.fixture(scope="module")
def scores(predictions) -> dict[str, dict[str, dict]]:
    return {split: {name: benchmark.score(preds, split=split, n_boot=0) for name, preds in by_name.items()}
            for split, by_name in predictions.items()}


def value(results: dict, key: str) -> float:
    for part in key.split("."):
        results = results[part]
    return results


@pytest.mark.parametrize("split", SPLITS)
def test_every_baseline_runs_end_to_end(predictions, scores, split):
    doc_ids = [d["doc_id"] for d in read_rows("documents", split)]
    assert set(predictions[split]) == set(BASELINES) | set(ORACLES)
    for name, preds in predictions[split].items():
        assert [p["doc_id"] for p in preds] == doc_ids, name
        results = scores[split][name]
        assert not results["missing_documents"], name
        assert 0.0 <= results["overall"] <= 1.0
    for name in ("rules", "sklearn-stance", "ORACLE gold-spans+rules", "ORACLE gold-spans+sklearn"):
        assert {"quotes", "attribution", "stance", "date", "outlet"} <= set(scores[split][name]["attempted"]), name
        assert sum(len(p["quotes"]) for p in predictions[split][name]) > 0, name


TASK_KEYS = {"quotes": "quotes.overlap.f1", "attribution": "attribution.f1", "stance": "stance_e2e.macro_f1",
             "date": "date.accuracy", "outlet": "outlet.accuracy"}


def test_track_b_rule_beats_the_floor_on_test(predictions):
    rules_b = benchmark.score(predictions["test"]["rules+indirect"], split="test", track="B", n_boot=0)
    floor_b = benchmark.score(predictions["test"]["floor"], split="test", track="B", n_boot=0)
    assert rules_b["quotes"]["overlap"]["f1"] > floor_b["quotes"]["overlap"]["f1"]
    assert rules_b["attribution"]["f1"] > 0
    # the indirect predictions are ignored on Track A: the same Track A score as the plain rules
    rules_a = benchmark.score(predictions["test"]["rules"], split="test", n_boot=0)
    assert benchmark.score(predictions["test"]["rules+indirect"], split="test", n_boot=0)["overall"] == rules_a["overall"]


@pytest.mark.parametrize("task", TASK_KEYS)
def test_rules_beat_the_floor_on_every_task_on_test(scores, task):
    rules, floor = scores["test"]["rules"], scores["test"]["floor"]
    floor_value = 0.0 if task in floor["not_attempted"] else value(floor, TASK_KEYS[task])
    assert value(rules, TASK_KEYS[task]) > floor_value


def test_oracle_rows_have_perfect_detection(scores):
    for split in SPLITS:
        for name in ORACLES:
            assert value(scores[split][name], "quotes.overlap.f1") == 1.0, (split, name)


def test_results_tables_keep_oracles_and_cross_validation_apart(predictions, monkeypatch):
    monkeypatch.setattr(baseline_results, "run_baselines",
                        lambda split, **kw: predictions[split])        # reuse this module's runs
    scored = baseline_results.score_baselines(n_boot=0)
    text = baseline_results.render(scored, markdown=True)
    ranked, oracle_part = text.split("**Oracle rows")
    oracle_part, track_b = oracle_part.split("**Track B")
    track_b, cv_part = track_b.split("leave-one-document-out cross-validation")
    assert "ORACLE" not in ranked and all(f"| {name} |" in ranked for name in BASELINES)
    assert {split: ranked.count(f"| {split} |") for split in SPLITS} == {split: len(BASELINES) for split in SPLITS}
    assert all(f"| {name} |" in oracle_part for name in ORACLES)
    assert {split: oracle_part.count(f"| {split} |") for split in SPLITS} == {split: len(ORACLES) for split in SPLITS}
    assert "ORACLE" not in track_b and "| test | rules+indirect |" in track_b and "| test | floor |" in track_b
    n_documents = len(read_rows("documents", "all"))
    assert f"mean ± sd over {n_documents} folds" in cv_part and cv_part.count("held out") == n_documents
    assert "signature (test): kremlin-reactions|" in text and "Generated by `kremlin-reactions results" in text


def test_update_readme_replaces_only_the_marked_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- results:start -->\nold table\n<!-- results:end -->\noutro\n", encoding="utf-8")
    baseline_results.update_readme(readme, "new table")
    assert readme.read_text(encoding="utf-8") == \
        "intro\n<!-- results:start -->\nnew table\n<!-- results:end -->\noutro\n"
    readme.write_text("no markers here\n", encoding="utf-8")
    with pytest.raises(InputError, match="markers"):
        baseline_results.update_readme(readme, "x")


# ------------------------------------------------------------------------------------------ determinism
def test_two_runs_give_identical_predictions(predictions):
    for split in SPLITS:
        again = run_baselines(split, oracles=True)
        for name in again:
            assert jsonl(again[name]) == jsonl(predictions[split][name]), (split, name)


@pytest.mark.slow
def test_run_command_writes_byte_identical_files_across_processes(tmp_path):
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"preds{hash_seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        subprocess.run([sys.executable, "-m", "benchmark", "run", "baselines.stance_sklearn:SklearnStance",
                        "--split", "test", "-o", str(out), "--quiet"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") == len(read_rows("documents", "test"))


# ------------------------------------------------------------------------------------------ honesty
GOLD_MARKERS = ("annotations/gold", "annotations/passes", "speakers.json", "/quotes/", "/speakers/")


@pytest.fixture
def gold_unreadable(monkeypatch):
    """From here on, reading gold (annotation files, the quotes/speakers configs) raises PermissionError."""
    import pyarrow.parquet as pq

    import benchmark.dataset as dataset

    def guard(path) -> None:
        if any(marker in str(path).replace(os.sep, "/") for marker in GOLD_MARKERS):
            raise PermissionError(f"gold is unreadable in this test: {path}")

    def guarded(function):
        def wrapper(path, *args, **kwargs):
            guard(path)
            return function(path, *args, **kwargs)
        return wrapper

    def no_gold_rows(config="quotes", *args, **kwargs):
        raise PermissionError(f"gold is unreadable in this test: config {config!r}")

    for module, name in ((builtins, "open"), (io, "open"), (pq, "read_table"), (pq, "ParquetFile")):
        monkeypatch.setattr(module, name, guarded(getattr(module, name)))
    monkeypatch.setattr(dataset, "read_rows", lambda config="quotes", *a, **k: (
        no_gold_rows(config) if config != "documents" else READ_ROWS(config, *a, **k)))
    monkeypatch.setattr(dataset, "load", no_gold_rows)


READ_ROWS = read_rows


def test_non_oracle_baselines_predict_without_gold(predictions, tmp_path, request):
    """Copy the dataset without its quotes/speakers configs, fit as usual, then make every gold file unreadable:
    the predictions of every ranked baseline are identical to the normal run's."""
    data = tmp_path / "data"
    shutil.copytree(benchmark.DATA_DIR, data)
    for config in ("quotes", "speakers"):
        shutil.rmtree(data / config, ignore_errors=True)
    documents = read_rows("documents", "test", data)
    extractors = {}
    for name, cls in BASELINES.items():
        extractors[name] = cls()
        fit_extractor(extractors[name], read_rows("documents", "train"), read_rows("quotes", "train"))
    request.getfixturevalue("gold_unreadable")
    with pytest.raises(PermissionError):          # the guard works: an oracle cannot run now
        OracleSpansRules(data_dir=data).extract(documents[0])
    for name, extractor in extractors.items():
        assert run_extractor(extractor, documents, progress=False) == predictions["test"][name], name


def test_extractors_ignore_the_gold_columns_of_a_document_row(predictions):
    """Given whole `documents` rows with every gold column replaced by a decoy, the output does not change."""
    decoy = {"outlet": "Decoy News", "outlet_aliases": ["Decoy News"], "published": "1999-01-01",
             "date_evidence": "explicit", "outlet_evidence": "explicit", "headline": "Decoy", "authors": ["X"],
             "url": "http://decoy.example/1999/01/01/", "boilerplate": []}
    for split in SPLITS:
        rows = read_rows("documents", split)
        for name in ("floor", "floor-meta", "rules", "rules+indirect"):
            extractor = BASELINES[name]()
            assert [extractor.extract({**row, **decoy}) for row in rows] == predictions[split][name], (split, name)


class RecordingSklearn(SklearnStance):
    """SklearnStance that records which documents it was trained on and which it predicted."""
    log: list[tuple[tuple[str, ...], str]] = []

    def extract(self, document):
        RecordingSklearn.log.append((self.trained_on, document["doc_id"]))
        return super().extract(document)


@pytest.mark.parametrize("split", SPLITS)
def test_sklearn_is_fitted_on_train_only_and_never_scores_its_training_documents(monkeypatch, split):
    RecordingSklearn.log = []
    monkeypatch.setitem(BASELINES, "sklearn-stance", RecordingSklearn)
    run_baselines(split, names=["sklearn-stance"])
    train_ids = {d["doc_id"] for d in read_rows("documents", "train")}
    assert [doc for _, doc in RecordingSklearn.log] == [d["doc_id"] for d in read_rows("documents", split)]
    for trained_on, doc_id in RecordingSklearn.log:
        assert trained_on and set(trained_on) <= train_ids     # fitted on train quotes only
        assert doc_id not in trained_on                        # never predicts a document it was fitted on


def test_sklearn_predict_reads_no_gold(request):
    model = SklearnStance().fit([], read_rows("quotes", "train"))
    text = read_rows("documents", "test")[0]["text"]
    expected = model.extract({"doc_id": "d", "text": text})
    request.getfixturevalue("gold_unreadable")
    assert model.extract({"doc_id": "d", "text": text}) == expected
    assert model.predict([text[q["start"]:q["end"]] for q in expected["quotes"]]) == [q["stance"] for q in expected["quotes"]]


def test_sklearn_unfitted_says_so():
    with pytest.raises(RuntimeError, match="fit"):
        SklearnStance().extract({"doc_id": "d", "text": '"Fine," he said.'})


def test_cross_validation_holds_out_each_document():
    quotes = read_rows("quotes", "all")
    cv = cross_validate(quotes)
    doc_ids = sorted({q["doc_id"] for q in quotes})
    assert cv["n_documents"] == len(doc_ids) == len(read_rows("documents", "all"))
    assert [f["doc_id"] for f in cv["folds"]] == doc_ids
    for metric in ("accuracy", "macro_f1", "f_avg"):
        per_fold = [f[metric] for f in cv["folds"]]
        assert cv["mean"][metric] == pytest.approx(statistics.fmean(per_fold))
        assert cv["std"][metric] == pytest.approx(statistics.stdev(per_fold))
        assert cv["min"][metric] == min(per_fold) and cv["max"][metric] == max(per_fold)
    # each fold's model is trained without the held-out document
    for fold in cv["folds"]:
        others = [q for q in quotes if q["doc_id"] != fold["doc_id"]]
        assert fold["doc_id"] not in SklearnStance().fit([], others).trained_on


def test_floor_learns_the_majority_train_stance():
    quotes = read_rows("quotes", "train")
    floor = FloorExtractor().fit([], quotes)
    labels = [q["stance"] for q in quotes if q["type"] in ("direct", "partial")
              and not q["optional"] and not q["in_boilerplate"]]
    assert labels.count(floor.stance_label) == max(labels.count(label) for label in set(labels))
    assert OracleSpansFloor().fit([], quotes).stance_label == floor.stance_label
    assert isinstance(FloorMetaExtractor().extract({"doc_id": "d", "text": "Nov 6, 2024\nBBC BBC"})["published"], str)


def test_oracles_use_gold_spans_exactly():
    quotes = [q for q in read_rows("quotes", "test") if q["type"] in ("direct", "partial")]
    documents = read_rows("documents", "test")
    for cls in (OracleSpansRules, OracleSpansSklearn):
        extractor = cls()
        fit_extractor(extractor, read_rows("documents", "train"), read_rows("quotes", "train"))
        got = {(p["doc_id"], q["start"], q["end"]) for p in run_extractor(extractor, documents, progress=False)
               for q in p["quotes"]}
        assert got == {(q["doc_id"], q["start"], q["end"]) for q in quotes}


@pytest.mark.slow
def test_demo_command_runs_end_to_end(capsys, monkeypatch):
    from benchmark.cli import main

    monkeypatch.chdir(ROOT)
    assert main(["demo", "--n-boot", "10"]) == 0
    out = capsys.readouterr().out
    assert "ok: in sync" in out and "Oracle rows" in out and "kremlin-reactions|data:" in out
    ranked = out.split("Oracle rows")[0]
    assert "ORACLE" not in ranked and all(name in ranked for name in BASELINES)


def test_a_folder_without_a_train_split_runs_the_baselines_that_need_no_training(tmp_path):
    """An instructor's own corpus may have no train split: the leaderboard's baselines still run, the fitted
    ones (which learn from train) are left out instead of failing with "no split 'train'"."""
    from benchmark.corpus.build import build

    fixture = Path(__file__).resolve().parent / "fixtures" / "dataset_annotations"
    annotations = tmp_path / "annotations"
    shutil.copytree(fixture, annotations)
    for gold in (annotations / "gold").glob("*.json"):
        data = json.loads(gold.read_text(encoding="utf-8"))
        if data["metadata"]["split"] == "train":
            data["metadata"]["split"] = "dev"
            gold.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    build(annotations, tmp_path / "data")
    ran = run_baselines("test", data_dir=tmp_path / "data", oracles=True)
    fitted = {name for name, cls in {**BASELINES, **ORACLES}.items() if callable(getattr(cls, "fit", None))}
    assert fitted and set(ran) == (set(BASELINES) | set(ORACLES)) - fitted and "rules" in ran
    n_test = len(read_rows("documents", "test", tmp_path / "data"))
    assert all(len(predictions) == n_test for predictions in ran.values())

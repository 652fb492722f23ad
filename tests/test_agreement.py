"""`benchmark.corpus.agreement`: metric code checked against hand-computed cases, then the command on the fixture passes."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.corpus.agreement import (
    Unit,
    agreement,
    compare_units,
    match_spans,
    normalise_name,
    overlap_ratio,
    prf,
    speakers_agree,
    stance_kappa,
)

FIXTURE = Path(__file__).parent / "fixtures" / "annotations_small"
PASS_A, PASS_B = FIXTURE / "passes" / "a", FIXTURE / "passes" / "b"


def unit(start, end, *, id="u", type="direct", stance="favor", speaker="s", name="Some One", aliases=(), mention=None):
    return Unit(doc_id="d", id=id, start=start, end=end, text="x" * (end - start), type=type, stance=stance,
                speaker=speaker, speaker_name=name,
                speaker_keys=frozenset(normalise_name(x) for x in [name, *aliases]), mention=mention)


# ---------------------------------------------------------------------------------------------- matching
def test_overlap_ratio_uses_the_longer_span():
    assert overlap_ratio((0, 10), (0, 10)) == 1.0
    assert overlap_ratio((0, 10), (5, 10)) == 0.5      # 5 shared / max(10, 5)
    assert overlap_ratio((0, 10), (6, 20)) == 4 / 14
    assert overlap_ratio((0, 10), (10, 20)) == 0.0


def test_one_to_one_matching_beats_greedy():
    # A1=[1,20) A2=[6,26); B1=[0,20) B2=[0,15).
    # Qualifying pairs (shared / longer >= 0.5): A1-B1 19/20, A1-B2 14/19, A2-B1 14/20; A2-B2 is 9/20 < 0.5.
    # Greedy (largest overlap first) takes A1-B1 (19) and leaves A2 with nothing: 1 match.
    # The assignment takes A1-B2 + A2-B1 (14 + 14 = 28 > 19): 2 matches.
    a, b = [(1, 20), (6, 26)], [(0, 20), (0, 15)]
    assert match_spans(a, b, 0.5) == [(0, 1), (1, 0)]
    result = compare_units([unit(*s) for s in a], [unit(*s) for s in b])
    assert result["overlap"] == {"matches": 2, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert result["exact"]["f1"] == 0.0


def test_exact_matching_and_threshold():
    a = [(0, 10), (20, 30), (40, 50)]
    b = [(0, 10), (22, 30), (45, 50), (60, 70)]
    assert match_spans(a, b, 1.0) == [(0, 0)]
    assert match_spans(a, b, 0.5) == [(0, 0), (1, 1), (2, 2)]   # 8/10 and 5/10 qualify
    assert match_spans(a, b, 0.9) == [(0, 0)]
    assert match_spans([], b, 0.5) == [] and match_spans(a, [], 0.5) == []


def test_prf_hand_computed():
    # A (reference) has 4 units, B (prediction) 5, 3 matched: P = 3/5, R = 3/4, F1 = 2*3/(4+5) = 2/3.
    assert prf(3, 4, 5) == {"matches": 3, "precision": 0.6, "recall": 0.75, "f1": pytest.approx(2 / 3)}
    assert prf(0, 0, 0) == {"matches": 0, "precision": None, "recall": None, "f1": None}
    assert prf(0, 2, 0)["f1"] == 0.0


def test_f1_is_symmetric():
    a = [unit(0, 10), unit(20, 30), unit(40, 45)]
    b = [unit(0, 9), unit(50, 60)]
    assert compare_units(a, b)["overlap"]["f1"] == compare_units(b, a)["overlap"]["f1"] == pytest.approx(2 / 5)


# ---------------------------------------------------------------------------------------------- kappa
def test_stance_kappa_hand_computed():
    # po = 3/4; A: favor .5 against .25 none .25; B: favor .25 against .5 none .25
    # pe = .5*.25 + .25*.5 + .25*.25 = .3125; kappa = (.75 - .3125) / (1 - .3125) = 0.636363...
    a = ["favor", "favor", "against", "none"]
    b = ["favor", "against", "against", "none"]
    assert stance_kappa(a, b) == pytest.approx(0.4375 / 0.6875)


def test_stance_kappa_undefined_cases():
    assert stance_kappa([], []) is None
    assert stance_kappa(["favor", "favor"], ["favor", "favor"]) is None   # chance agreement 1: 0/0
    assert stance_kappa(["favor"], ["against"]) == 0.0


# ---------------------------------------------------------------------------------------------- speakers
def test_speaker_agreement_rules():
    putin_a = unit(0, 5, speaker="vladimir_putin", name="Vladimir Putin", aliases=["Putin"])
    putin_b = unit(0, 5, speaker="putin", name="vladimir  putin")                       # name after normalisation
    assert speakers_agree(putin_a, putin_b)
    anon_a = unit(0, 5, speaker="d002_x", name="official 1", aliases=["a Russian government official"])
    anon_b = unit(0, 5, speaker="d002_y", name="government official", aliases=["A Russian government  official"])
    assert speakers_agree(anon_a, anon_b)                                               # aliases intersect
    by_mention_a = unit(0, 5, speaker="p", name="Peskov", mention=(100, 112))
    by_mention_b = unit(0, 5, speaker="q", name="the Kremlin spokesman", mention=(105, 120))
    assert speakers_agree(by_mention_a, by_mention_b)                                   # mentions overlap
    assert not speakers_agree(putin_a, anon_b)
    assert not speakers_agree(unit(0, 5, name="A", mention=(0, 3)), unit(0, 5, name="B", mention=(3, 6)))
    assert not speakers_agree(unit(0, 5, name="A", mention=None), unit(0, 5, name="B", mention=(3, 6)))


def test_normalise_name_keeps_articles_folds_marks():
    assert normalise_name("  Russia\u2019s  FOREIGN ministry. ") == "russia's foreign ministry"
    assert normalise_name("a Kremlin source") != normalise_name("Kremlin source")


def test_compare_units_labels_on_overlap_matched_pairs():
    a = [unit(0, 10, stance="favor", type="direct", name="X"), unit(20, 30, stance="none", type="partial", name="Y"),
         unit(40, 50, stance="against", name="Z")]
    b = [unit(0, 10, stance="favor", type="partial", name="X"), unit(21, 30, stance="neutral", type="partial", name="W"),
         unit(80, 90)]
    r = compare_units(a, b)
    assert r["overlap"]["matches"] == 2 and r["exact"]["matches"] == 1
    assert r["speaker"] == {"agree": 1, "pairs": 2, "rate": 0.5}
    assert r["type"] == {"agree": 1, "pairs": 2, "rate": 0.5}
    # stance pairs: (favor, favor), (none, neutral): po = 1/2, pe = P(favor)^2 = .25 -> kappa = .25/.75 = 1/3
    assert r["stance"]["agree"] == 1 and r["stance"]["kappa"] == pytest.approx(1 / 3)


# ---------------------------------------------------------------------------------------------- the fixture passes
def test_agreement_on_fixture_passes_hand_checked():
    # Pass a vs pass b (see tests/fixtures/annotations_small): b has one more Track A unit (q03 "overdue"),
    # q04 has different boundaries (405-440 vs 421-439: 18/35 >= 0.5), q02's speaker differs; 901 is identical
    # in Track A. Track B: b has an extra b02 in 900; 901's b01 stance differs (none vs against).
    r = agreement(PASS_A, PASS_B)
    a900 = r["tracks"]["A"]["documents"]["900_bridge"]
    assert (a900["n_a"], a900["n_b"]) == (6, 7)
    assert a900["exact"]["matches"] == 5 and a900["exact"]["f1"] == pytest.approx(10 / 13)
    assert a900["overlap"]["matches"] == 6 and a900["overlap"]["f1"] == pytest.approx(12 / 13)
    assert a900["speaker"] == {"agree": 5, "pairs": 6, "rate": pytest.approx(5 / 6)}
    pooled_a = r["tracks"]["A"]["pooled"]
    assert pooled_a["overlap"]["f1"] == pytest.approx(14 / 15) and pooled_a["exact"]["f1"] == pytest.approx(12 / 15)
    pooled_b = r["tracks"]["B"]["pooled"]
    assert (pooled_b["n_a"], pooled_b["n_b"], pooled_b["overlap"]["matches"]) == (2, 3, 2)
    assert pooled_b["stance"]["agree"] == 1 and pooled_b["stance"]["pairs"] == 2
    kinds = sorted((d["doc_id"], d["track"], d["kind"], d["a_id"], d["b_id"]) for d in r["disagreements"])
    assert kinds == [
        ("900_bridge", "A", "boundary", "q04", "q04"),
        ("900_bridge", "A", "only_in_b", None, "q03"),
        ("900_bridge", "A", "speaker", "q02", "q02"),
        ("900_bridge", "B", "only_in_b", None, "b02"),
        ("901_rain", "B", "stance", "b01", "b01"),
    ]


def test_disagreement_details_for_adjudication():
    r = agreement(PASS_A, PASS_B)
    boundary = next(d for d in r["disagreements"] if d["kind"] == "boundary")
    assert boundary["detail"] == "a 405-440, b 421-439: only a has 'the final cost \"' … '\"'"
    cross = next(d for d in r["disagreements"] if d["b_id"] == "b02")
    assert "pass a has an overlapping partial unit q04" in cross["detail"]
    speaker = next(d for d in r["disagreements"] if d["kind"] == "speaker")
    assert speaker["detail"] == "jane_doe (Jane Doe) vs d900_city_official (a city official)"
    assert [d["start"] for d in r["disagreements"] if d["doc_id"] == "900_bridge"] == [310, 325, 405, 405]


def test_agreement_of_a_pass_with_itself_is_perfect():
    r = agreement(PASS_A, PASS_A)
    for track in ("A", "B", "all"):
        pooled = r["tracks"][track]["pooled"]
        assert pooled["exact"]["f1"] == pooled["overlap"]["f1"] == 1.0
        assert pooled["speaker"]["rate"] == pooled["stance"]["rate"] == 1.0
    assert r["disagreements"] == []


def test_cli_table_markdown_json(tmp_path, capsys):
    out_json = tmp_path / "agreement.json"
    assert main(["agreement", str(PASS_A), str(PASS_B), "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "overlap F1" in out and "5 disagreements" in out and "only_in_b" in out
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["tracks"]["A"]["pooled"]["overlap"]["f1"] == pytest.approx(14 / 15)
    assert main(["agreement", str(PASS_A), str(PASS_B), "--markdown", "--no-disagreements"]) == 0
    md = capsys.readouterr().out
    assert "| A | **pooled** | 7 | 8 | 0.800 | 0.933 |" in md
    assert "disagreements" not in md
    assert main(["agreement", str(PASS_A), str(PASS_B), "--markdown"]) == 0
    md = capsys.readouterr().out
    assert "5 disagreements:" in md
    assert "| 901_rain | 95 | B | stance | b01 | b01 | none vs against | roads could flood |" in md


def test_passes_are_optional_per_article(tmp_path, capsys):
    """An article annotated in one pass only (or in neither) is left out of the figures, and the output says so."""
    from benchmark.corpus.validate import validate

    folder = tmp_path / "annotations"
    shutil.copytree(FIXTURE, folder)
    (folder / "passes" / "b" / "gold" / "901_rain.json").unlink()
    result = validate(folder / "passes" / "b")
    assert result.ok and result.counts["not_annotated"] == ["901_rain"] and list(result.counts["documents"]) == ["900_bridge"]
    full = agreement(PASS_A, PASS_B)
    r = agreement(folder / "passes" / "a", folder / "passes" / "b")
    assert r["documents"] == ["900_bridge"] and r["not_compared"] == {"901_rain": "only in pass a"}
    for track in ("A", "B", "all"):                       # the figures are those of 900 alone, as before
        assert r["tracks"][track]["documents"] == {"900_bridge": full["tracks"][track]["documents"]["900_bridge"]}
        assert r["tracks"][track]["pooled"]["n_a"] == full["tracks"][track]["documents"]["900_bridge"]["n_a"]
    assert {d["doc_id"] for d in r["disagreements"]} <= {"900_bridge"}
    assert main(["agreement", str(folder / "passes" / "a"), str(folder / "passes" / "b"), "--markdown"]) == 0
    assert "Not compared (not annotated in both passes): `901_rain` (only in pass a)." in capsys.readouterr().out
    (folder / "passes" / "a" / "gold" / "901_rain.json").unlink()
    assert agreement(folder / "passes" / "a", folder / "passes" / "b")["not_compared"] == {"901_rain": "in neither pass"}
    (folder / "passes" / "b" / "gold" / "900_bridge.json").unlink()
    assert main(["agreement", str(folder / "passes" / "a"), str(folder / "passes" / "b")]) == 2
    assert "no article is annotated in both" in capsys.readouterr().err


def test_a_pass_needs_no_split_but_the_gold_does(tmp_path):
    """The split is an adjudication decision: the passes' gold files have none, the adjudicated gold must."""
    from benchmark.corpus.validate import validate

    assert all("split" not in json.loads(p.read_text(encoding="utf-8"))["metadata"]
               for p in (FIXTURE / "passes" / "a" / "gold").glob("*.json"))
    assert validate(PASS_A).ok
    folder = tmp_path / "annotations"
    shutil.copytree(FIXTURE, folder)
    gold = folder / "passes" / "a" / "gold" / "900_bridge.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["metadata"]["split"] = "Not A Split"                       # optional there, but checked when present
    gold.write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert any("metadata: split: 'Not A Split' is not a split name" in line
               for line in validate(folder / "passes" / "a").problems)


def test_cli_invalid_pass_exit_2(tmp_path, capsys):
    broken = tmp_path / "annotations"
    shutil.copytree(FIXTURE, broken)
    gold = broken / "passes" / "b" / "gold" / "901_rain.json"
    data = json.loads(gold.read_text(encoding="utf-8"))
    data["quotes"][0]["stance"] = "pro"
    gold.write_text(json.dumps(data, indent=2), encoding="utf-8")
    rc = main(["agreement", str(broken / "passes" / "a"), str(broken / "passes" / "b")])
    captured = capsys.readouterr()
    assert rc == 2
    assert "901_rain.json" in captured.err and "q01: stance: 'pro' is not one of" in captured.err
    assert "Traceback" not in captured.err
    assert main(["agreement", str(tmp_path / "nope"), str(broken / "passes" / "a")]) == 2
    assert "no such folder" in capsys.readouterr().err


REAL_PASSES = Path(__file__).resolve().parents[1] / "annotations" / "passes"


def test_real_passes_validate_and_agreement_runs(capsys):
    # The two independent passes of the real articles (read their texts from annotations/documents).
    from benchmark.corpus.validate import validate

    texts = {p.stem for p in (REAL_PASSES.parent / "documents").glob("*.txt")}
    for name in ("a", "b"):
        result = validate(REAL_PASSES / name)
        assert result.ok, "\n".join(result.problems)
        annotated = {p.stem for p in (REAL_PASSES / name / "gold").glob("*.json")}
        assert set(result.counts["documents"]) == annotated and len(annotated) >= 5      # the seeds, at least
        assert result.counts["not_annotated"] == sorted(texts - annotated)     # articles added after the passes
    assert main(["agreement", str(REAL_PASSES / "a"), str(REAL_PASSES / "b"), "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out.count("**pooled**") == 3
    r = agreement(REAL_PASSES / "a", REAL_PASSES / "b")
    assert set(r["documents"]) | set(r["not_compared"]) == texts
    for track in ("A", "B", "all"):
        pooled = r["tracks"][track]["pooled"]
        assert 0.0 <= pooled["exact"]["f1"] <= 1.0 and 0.0 <= pooled["overlap"]["f1"] <= 1.0
        assert pooled["n_a"] == sum(d["n_a"] for d in r["tracks"][track]["documents"].values())

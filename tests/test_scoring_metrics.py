"""Scorer metrics against hand-computed cases (hand-built gold rows, no dataset needed)."""
from __future__ import annotations

import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_gold import doc, gold_as_submission, quote, span
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from benchmark.scoring import Options, score_corpus
from benchmark.scoring.fast.matching import character_counts, max_matching, merge_intervals, overlapping_pairs
from benchmark.scoring.metrics import stance as stance_mod
from benchmark.scoring.metrics.attribution import normalize_name
from benchmark.scoring.metrics.base import prf
from benchmark.scoring.metrics.outlet import normalize_outlet
from benchmark.scoring.reference import trim_span
from benchmark.submission import read_submission

ALPHABET = "abcdefghij" * 10          # 100 characters with no quote marks or spaces


def score(docs, quotes, predictions, **options):
    texts = {d["doc_id"]: d["text"] for d in docs}
    submission = read_submission(predictions, texts, {q["quote_id"] for q in quotes})
    return score_corpus(docs, quotes, submission, Options(n_boot=options.pop("n_boot", 0), **options))


def unit(document, qid, start, end, **kw):
    """A gold quote at given offsets (quote() locates by text; these tests need raw offsets)."""
    row = quote(document, qid, document["text"][start:end], **kw)
    row["start"], row["end"] = start, end
    row["text"] = document["text"][start:end]
    return row


def spans(*pairs, **fields):
    return [{"start": s, "end": e, **fields} for s, e in pairs]


# ---------------------------------------------------------------------------------------------------------------
# matching

def test_overlapping_pairs_finds_nested_gold():
    g_start, g_end = np.array([0, 2, 20]), np.array([50, 10, 30])     # [2,10) nested in [0,50)
    pi, gi, overlap = overlapping_pairs(np.array([5, 40, 60]), np.array([8, 45, 70]), g_start, g_end)
    assert sorted(zip(pi.tolist(), gi.tolist(), overlap.tolist())) == [(0, 0, 3), (0, 1, 3), (1, 0, 5)]


def test_overlapping_pairs_same_for_gold_in_any_order():
    rng = np.random.default_rng(3)
    g_start = np.sort(rng.integers(0, 500, 60))
    g_end = g_start + rng.integers(1, 40, 60)
    p_start = rng.integers(0, 500, 80)
    p_end = p_start + rng.integers(1, 40, 80)
    in_order = overlapping_pairs(p_start, p_end, g_start, g_end)          # sorted gold: no argsort
    perm = rng.permutation(60)
    shuffled = overlapping_pairs(p_start, p_end, g_start[perm], g_end[perm])
    assert len(in_order[0]) > 20
    assert sorted(zip(in_order[0].tolist(), in_order[1].tolist(), in_order[2].tolist())) == \
        sorted(zip(shuffled[0].tolist(), perm[shuffled[1]].tolist(), shuffled[2].tolist()))


def test_greedy_would_be_wrong():
    # P0 overlaps G0 by 7 and G1 by 6; P1 overlaps only G0 (by 5). Greedy takes P0-G0 and strands P1;
    # the optimal matching is P0-G1 + P1-G0.
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10), unit(d, "q02", 10, 20)]
    r = score([d], gold, [{"doc_id": "d", "quotes": spans((3, 16), (0, 5))}])
    assert r["quotes"]["overlap"]["tp"] == 2
    assert r["quotes"]["overlap"]["f1"] == 1.0
    mp, mg = max_matching(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([7, 6, 5]), np.array([True] * 3))
    assert sorted(zip(mp.tolist(), mg.tolist())) == [(0, 1), (1, 0)]


def test_general_component_uses_assignment():
    # a 3x3 component (neither a single edge nor a star): P0-{G0,G1}, P1-{G1,G2}, P2-{G2,G0}
    pi, gi = np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 1, 2, 2, 0])
    overlap = np.array([9, 1, 9, 1, 1, 9])        # best: P0-G0 (9) + P1-G1 (9) + P2-G2 (1) = 19
    mp, mg = max_matching(pi, gi, overlap, np.ones(6, dtype=bool))
    assert sorted(zip(mp.tolist(), mg.tolist())) == [(0, 0), (1, 1), (2, 2)]


def test_ties_one_to_one_and_lowest_index():
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10), unit(d, "q02", 10, 20)]
    # two identical predictions of one unit: one match, one spurious
    r = score([d], gold, [{"doc_id": "d", "quotes": spans((0, 10), (0, 10))}])
    assert (r["quotes"]["exact"]["tp"], r["quotes"]["exact"]["n_pred"], r["quotes"]["exact"]["n_gold"]) == (1, 2, 2)
    assert r["quotes"]["overlap"]["precision"] == 0.5 and r["quotes"]["overlap"]["recall"] == 0.5
    # a prediction half over each unit: matches the first (equal overlap, lowest index)
    r = score([d], gold, [{"doc_id": "d", "quotes": spans((5, 15))}], errors=True)
    assert r["quotes"]["overlap"]["tp"] == 1
    assert [m["quote_id"] for m in r["errors"]["d"]["missed"]] == ["d-q02"]


def test_overlap_threshold_is_an_option():
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10)]
    pred = [{"doc_id": "d", "quotes": spans((6, 20))}]       # 4 of 10 gold characters
    assert score([d], gold, pred)["quotes"]["overlap"]["tp"] == 0
    r = score([d], gold, pred, overlap=0.3)
    assert r["quotes"]["overlap"]["tp"] == 1
    assert "match:overlap0.3" in r["signature"]


def test_optional_units_neither_rewarded_nor_penalised():
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10), unit(d, "q02", 20, 30, optional=True)]
    # P0 hits the counted unit, P1 the optional one (dropped from both counts), P2 is spurious
    r = score([d], gold, [{"doc_id": "d", "quotes": spans((0, 10), (20, 30), (40, 45))}])
    o = r["quotes"]["overlap"]
    assert (o["tp"], o["n_pred"], o["n_gold"]) == (1, 2, 1)
    # the optional unit not predicted is not missed
    r = score([d], gold, [{"doc_id": "d", "quotes": spans((0, 10))}])
    assert r["quotes"]["overlap"]["f1"] == 1.0 and r["quotes"]["exact"]["f1"] == 1.0


def test_counted_unit_preferred_over_optional_one():
    # the prediction overlaps the optional unit more (12 vs 10 characters), but matching it there would miss
    # the counted unit: counted pairs come first
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10), unit(d, "q02", 0, 20, optional=True)]
    r = score([d], gold, [{"doc_id": "d", "quotes": spans((0, 12))}])
    assert r["quotes"]["overlap"]["f1"] == 1.0


def test_boilerplate_predictions_are_ignored():
    d = doc("d", ALPHABET, boilerplate=[{"start": 50, "end": 70, "kind": "caption"}])
    gold = [unit(d, "q01", 0, 10), unit(d, "q02", 55, 65, in_boilerplate=True)]
    r = score([d], gold, [{"doc_id": "d", "quotes": spans((0, 10), (52, 60), (55, 65), (45, 55))}])
    o = r["quotes"]["overlap"]
    # (52,60) and (55,65) lie inside the region: ignored; (45,55) sticks out: spurious
    assert r["quotes"]["ignored"]["boilerplate"] == 2
    assert (o["tp"], o["n_pred"], o["n_gold"]) == (1, 2, 1)


def test_tracks():
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10), unit(d, "b01", 20, 40, type="indirect")]
    preds = [{"doc_id": "d", "quotes": spans((0, 10), (20, 40))}]
    a = score([d], gold, preds, track="A")["quotes"]["overlap"]
    assert (a["tp"], a["n_pred"], a["n_gold"]) == (1, 1, 1)       # the indirect unit is don't-care in track A
    b = score([d], gold, preds, track="B")["quotes"]["overlap"]
    assert (b["tp"], b["n_pred"], b["n_gold"]) == (1, 1, 1)
    both = score([d], gold, preds, track="all")["quotes"]["overlap"]
    assert (both["tp"], both["n_pred"], both["n_gold"]) == (2, 2, 2)
    # a prediction typed for the other track is ignored, an untyped one counts
    typed = [{"doc_id": "d", "quotes": spans((0, 10)) + spans((60, 70), type="indirect")}]
    r = score([d], gold, typed, track="A")
    assert r["quotes"]["ignored"]["other_track"] == 1 and r["quotes"]["overlap"]["precision"] == 1.0


def test_trim_span():
    text = 'He said: "We are ready," and left. Also &quot;Fine.&quot; and \u201cyes\u201d;'
    assert text[slice(*trim_span(text, 9, 24))] == "We are ready"
    assert text[slice(*trim_span(text, 40, 57))] == "Fine"
    assert text[slice(*trim_span(text, 62, 68))] == "yes"
    assert trim_span(text, 9, 10) == (10, 10)                       # only a quote mark: empty


def test_exact_match_tolerance():
    text = 'He said: "We are ready," and left. Then &quot;Fine.&quot; she said.'
    d = doc("d", text)
    gold = [quote(d, "q01", "We are ready,"), quote(d, "q02", "Fine.")]
    cases = {
        '"We are ready,"': True,                    # with the quote marks
        "We are ready": True,                       # without the trailing comma
        ' "We are ready," ': True,                  # with the surrounding whitespace
        "We are ready,\" and": False,               # an extra word
        "He said: \"We are ready,\"": False,        # the attribution too
    }
    for needle, exact in cases.items():
        s, e = span(text, needle)
        r = score([d], gold[:1], [{"doc_id": "d", "quotes": spans((s, e))}])
        assert (r["quotes"]["exact"]["tp"] == 1) is exact, needle
        assert r["quotes"]["overlap"]["tp"] == 1, needle
    s, e = span(text, "&quot;Fine.&quot;")
    assert score([d], gold[1:], [{"doc_id": "d", "quotes": spans((s, e))}])["quotes"]["exact"]["tp"] == 1


def test_character_scores():
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10), unit(d, "q02", 20, 30, optional=True)]
    r = score([d], gold, [{"doc_id": "d", "quotes": spans((5, 25))}])
    # predicted chars 5..25 minus the optional unit's 20..25 = 15; 5 of them gold; 10 gold chars
    c = r["quotes"]["chars"]
    assert (c["tp"], c["n_pred"], c["n_gold"]) == (5, 15, 10)
    assert c["precision"] == pytest.approx(1 / 3) and c["recall"] == 0.5 and c["f1"] == pytest.approx(0.4)


def test_character_counts_by_hand():
    # doc 0: gold [0,10) and [5,15) (nested/overlapping), don't-care [12,20), predicted [8,18) and [10,14);
    # doc 1 (stride 100): gold [100,102), nothing predicted
    out = character_counts((np.array([0, 5, 100]), np.array([10, 15, 102])), (np.array([12]), np.array([20])),
                           (np.array([8, 10]), np.array([18, 14])), 100, 2)
    # predicted chars 8..17 (10); gold 0..14 (15); predicted & gold 8..14 (7); predicted & don't-care & not
    # gold 15..17 (3), so predicted & (gold or not don't-care) = 10 - 3 = 7
    assert out.tolist() == [[7, 7, 15], [0, 0, 2]]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, 30), st.integers(1, 12)),
                max_size=25))
def test_character_counts_equal_counting_characters_one_by_one(spans):
    stride, n_docs = 50, 3
    layers = ([], [], [])
    for doc, layer, start, length in spans:
        if layer < 3:
            layers[layer].append((doc * stride + start, doc * stride + start + length))
    arrays = [(np.array([s for s, _ in l], dtype=np.int64), np.array([e for _, e in l], dtype=np.int64))
              for l in layers]
    out = character_counts(*arrays, stride, n_docs)
    covered = [set(c for s, e in l for c in range(s, e)) for l in layers]
    g, d, p = covered
    for doc in range(n_docs):
        chars = set(range(doc * stride, (doc + 1) * stride))
        expected = [len(p & g & chars), len({c for c in p & chars if c in g or c not in d}), len(g & chars)]
        assert out[doc].tolist() == expected


def test_merge_intervals():
    start, end = merge_intervals(np.array([5, 0, 9, 20, 3]), np.array([8, 2, 12, 20, 6]))
    assert list(zip(start.tolist(), end.tolist())) == [(0, 2), (3, 8), (9, 12)]     # empty [20,20) dropped


def test_prf():
    assert prf(3, 4, 6) == (0.75, 0.5, 0.6)
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------------------------------------------------------
# attribution

def test_normalize_name():
    assert normalize_name("President Vladimir Putin's") == "vladimir putin"
    assert normalize_name("Mr. Putin") == normalize_name("putin") == "putin"
    assert normalize_name("Dr Jane O\u2019Neil") == normalize_name("Jane O'Neil")
    assert normalize_name("President-elect Trump") == "trump"
    assert normalize_name("A Kremlin spokesman") == "a kremlin spokesman"      # articles are kept
    assert normalize_name("A Kremlin spokesman") != normalize_name("Kremlin spokesman")
    assert normalize_name("President") == "president"                          # never emptied


def test_attribution_by_alias_and_by_mention_span():
    text = 'Putin said: "We are ready." A Kremlin source said: "No." Lavrov said "Maybe."'
    d = doc("d", text)
    gold = [quote(d, "q01", "We are ready.", mention="Putin"),
            quote(d, "q02", "No.", speaker="d001_anon", mention="A Kremlin source"),
            quote(d, "q03", "Maybe.", speaker="sergey_lavrov", mention="Lavrov")]

    def attribution(*speakers_or_spans):
        qs = []
        for q, s in zip(gold, speakers_or_spans):
            item = {"start": q["start"], "end": q["end"]}
            item.update(s)
            qs.append(item)
        return score([d], gold, [{"doc_id": "d", "quotes": qs}])["attribution"]

    a = attribution({"speaker": "President Putin"}, {"speaker": "a Kremlin source."}, {"speaker": "Peskov"})
    assert (a["n_correct"], a["n_matched"]) == (2, 3)
    a = attribution({"speaker": "Vladimir Putin's"}, {"speaker": "Kremlin source"}, {"speaker": None})
    assert a["n_correct"] == 1                   # a description keeps its article: "Kremlin source" is wrong
    m = span(text, "A Kremlin")
    a = attribution({"speaker": "the man"}, {"speaker_start": m[0], "speaker_end": m[1]}, {"speaker": "Lavrov"})
    assert a["n_correct"] == 2                   # a predicted mention span overlapping the gold mention counts
    assert a["accuracy"] == pytest.approx(2 / 3)


def test_attribution_end_to_end():
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10), unit(d, "q02", 20, 30), unit(d, "q03", 40, 50)]
    preds = spans((0, 10), speaker="Putin") + spans((20, 30), speaker="Lavrov") + spans((60, 70), speaker="Putin")
    a = score([d], gold, [{"doc_id": "d", "quotes": preds}])["attribution"]
    assert a["accuracy"] == 0.5
    assert a["precision"] == pytest.approx(1 / 3) and a["recall"] == pytest.approx(1 / 3)
    assert a["f1"] == pytest.approx(1 / 3)


# ---------------------------------------------------------------------------------------------------------------
# stance: must agree exactly with scikit-learn

def _sklearn(y_true, y_pred):
    present = [label for label in stance_mod.LABELS if label in y_true or label in y_pred]
    fav = [label for label in ("favor", "against") if label in present]
    return {
        "macro_f1": f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0) if present else 0.0,
        "f_avg": f1_score(y_true, y_pred, labels=fav, average="macro", zero_division=0) if fav else 0.0,
    }


@pytest.mark.parametrize("seed", range(40))
def test_stance_scores_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    values = list(stance_mod.LABELS) + [None]
    weights = rng.dirichlet(np.ones(5))
    y_true = [values[i] for i in rng.choice(4, size=n, p=weights[:4] / weights[:4].sum())]
    y_pred = [values[i] for i in rng.choice(5, size=n, p=weights)]
    cm = stance_mod.confusion(stance_mod.codes(y_true), stance_mod.codes(y_pred))
    s = stance_mod.scores(cm)
    t = ["null" if x is None else x for x in y_true]
    p = ["null" if x is None else x for x in y_pred]
    expected = _sklearn(t, p)
    assert float(s["accuracy"]) == accuracy_score(t, p)
    assert float(s["macro_f1"]) == expected["macro_f1"]
    assert float(s["f_avg"]) == expected["f_avg"]
    labels = list(stance_mod.LABELS) + ["null"]
    assert cm.tolist() == confusion_matrix(t, p, labels=labels).tolist()


def test_stance_end_to_end_equals_sklearn_with_a_no_unit_class():
    d = doc("d", ALPHABET)
    gold = [unit(d, "q01", 0, 10, stance="favor"), unit(d, "q02", 10, 20, stance="against"),
            unit(d, "q03", 20, 30, stance="against"), unit(d, "q04", 30, 40, stance="neutral")]
    preds = (spans((0, 10), stance="favor") + spans((10, 20), stance="neutral") + spans((20, 30))
             + spans((50, 60), stance="against") + spans((60, 70), stance="none"))
    r = score([d], gold, [{"doc_id": "d", "quotes": preds}])
    # matched pairs: (favor, favor), (against, neutral), (against, -): q04 missed; two spurious predictions
    y_true = ["favor", "against", "against"]
    y_pred = ["favor", "neutral", "null"]
    assert r["stance"]["accuracy"] == accuracy_score(y_true, y_pred) == 1 / 3
    assert r["stance"]["macro_f1"] == _sklearn(y_true, y_pred)["macro_f1"]
    e_true = y_true + ["neutral", "null", "null"]
    e_pred = y_pred + ["null", "against", "none"]
    assert r["stance_e2e"]["macro_f1"] == _sklearn(e_true, e_pred)["macro_f1"]
    assert r["stance_e2e"]["f_avg"] == _sklearn(e_true, e_pred)["f_avg"]
    assert r["stance"]["confusion"]["matrix"][1] == [0, 0, 1, 0, 1]


# ---------------------------------------------------------------------------------------------------------------
# date and outlet

def test_date_metrics_by_evidence():
    day = datetime.date(2024, 11, 7)
    docs = [doc("a", "x", published=day), doc("b", "y", published=day, date_evidence="inferred"),
            doc("c", "z", published=datetime.date(2016, 11, 9), date_evidence="external"),
            doc("e", "w", published=day)]
    preds = [{"doc_id": "a", "published": "2024-11-07"}, {"doc_id": "b", "published": "2024-11-08"},
             {"doc_id": "c", "published": None}]          # e: no line at all
    d = score(docs, [], preds)["date"]
    assert (d["accuracy"], d["within_1_day"], d["mae_days"], d["n_predicted"]) == (0.25, 0.5, 0.5, 2)
    assert d["by_evidence"]["explicit"] == {"accuracy": 0.5, "within_1_day": 0.5, "mae_days": 0.0, "n": 2,
                                            "n_predicted": 1}
    assert d["by_evidence"]["inferred"]["within_1_day"] == 1.0 and d["by_evidence"]["inferred"]["accuracy"] == 0
    assert d["by_evidence"]["external"]["mae_days"] is None


def test_outlet():
    aliases = ("The Moscow Times", "Moscow Times")
    docs = [doc(i, "t", outlet="The Moscow Times", aliases=aliases, outlet_evidence=ev)
            for i, ev in zip("abcdef", ["explicit", "explicit", "external", "external", "explicit", "external"])]
    preds = [{"doc_id": "a", "outlet": "moscow times"}, {"doc_id": "b", "outlet": "the MOSCOW times."},
             {"doc_id": "c", "outlet": None},                 # not in the text: null is right
             {"doc_id": "d"},                                 # no outlet key: a miss
             {"doc_id": "e", "outlet": None},                 # named in the text: null is wrong
             {"doc_id": "f", "outlet": "RIA Novosti"}]        # a wrong name is wrong
    o = score(docs, [], preds)["outlet"]
    assert (o["n_correct"], o["n"]) == (3, 6)
    assert normalize_outlet("The Irish Times") == normalize_outlet("irish times")


# ---------------------------------------------------------------------------------------------------------------
# whole submissions

def _gold_corpus():
    t1 = 'Putin said: "We are ready to talk." Peskov said the Kremlin wants better ties. "Trade will grow," Lavrov added.'
    t2 = '"Sanctions will fail," a Kremlin source said. Zakharova called it "a show". Related: "old news"'
    d1 = doc("001_a", t1, published=datetime.date(2016, 11, 9))
    d2 = doc("002_b", t2, outlet="The Moscow Times", aliases=["The Moscow Times"], outlet_evidence="external",
             boilerplate=[{"start": t2.index("Related"), "end": len(t2), "kind": "related_link"}])
    quotes = [quote(d1, "q01", "We are ready to talk.", mention="Putin", stance="favor"),
              quote(d1, "b01", "the Kremlin wants better ties", type="indirect", speaker="dmitry_peskov",
                    mention="Peskov", stance="favor"),
              quote(d1, "q02", "Trade will grow,", speaker="sergey_lavrov", mention="Lavrov", stance="favor"),
              quote(d2, "q01", "Sanctions will fail,", speaker="d001_anon", mention="a Kremlin source",
                    stance="against"),
              quote(d2, "q02", "a show", type="partial", speaker="sergey_lavrov", stance="against", optional=True),
              quote(d2, "q03", "old news", type="partial", speaker="sergey_lavrov", stance="none",
                    in_boilerplate=True)]
    return [d1, d2], quotes


ALL_KEYS = ["overall", "quotes.exact.f1", "quotes.overlap.f1", "quotes.chars.f1", "attribution.accuracy",
            "attribution.f1", "stance.accuracy", "stance.macro_f1", "stance.f_avg", "stance_e2e.macro_f1",
            "stance_e2e.f_avg", "date.accuracy", "date.within_1_day", "outlet.accuracy"]


def _get(results, key):
    for part in key.split("."):
        results = results[part]
    return results


@pytest.mark.parametrize("track", ["A", "B", "all"])
def test_gold_as_submission_scores_one_everywhere(track):
    docs, quotes = _gold_corpus()
    r = score(docs, quotes, gold_as_submission(docs, quotes), track=track, n_boot=50)
    for key in ALL_KEYS:
        assert _get(r, key) == 1.0, key
        if key in r["intervals"]:
            assert r["intervals"][key] == {"low": 1.0, "high": 1.0}
    assert r["quotes"]["exact"]["precision"] == 1.0 and r["date"]["mae_days"] == 0.0
    assert r["not_attempted"] == []
    for d in r["per_document"].values():
        assert d["overall"] == 1.0


def test_gold_spans_subtask():
    docs, quotes = _gold_corpus()
    preds = [{"doc_id": d["doc_id"], "quotes": [{"quote_id": q["quote_id"], "speaker": q["speaker"],
                                                  "stance": q["stance"]} for q in quotes if q["doc_id"] == d["doc_id"]]}
             for d in docs]
    r = score(docs, quotes, preds)
    assert r["attempted"] == ["gold_spans"]
    assert r["gold_spans"]["attribution_accuracy"] == 1.0 and r["gold_spans"]["n"] == 3
    assert r["gold_spans"]["stance"]["macro_f1"] == 1.0
    assert r["quotes"]["overlap"]["n_pred"] == 0
    # one unit left out: a miss (no output is wrong)
    preds[0]["quotes"] = [q for q in preds[0]["quotes"] if not q["quote_id"].endswith("q02")]
    r = score(docs, quotes, preds)
    assert r["gold_spans"]["attribution_accuracy"] == r["gold_spans"]["stance"]["accuracy"] == pytest.approx(2 / 3)


def test_empty_submission():
    docs, quotes = _gold_corpus()
    r = score(docs, quotes, [], n_boot=20)
    for key in ALL_KEYS:
        assert _get(r, key) == 0.0, key
    assert r["date"]["mae_days"] is None
    assert r["missing_documents"] == ["001_a", "002_b"]
    assert any("no prediction for document 001_a" in w for w in r["warnings"])
    assert r["not_attempted"] == ["quotes", "attribution", "stance", "date", "outlet"]


def test_not_attempted_tasks_count_zero_in_overall():
    docs, quotes = _gold_corpus()
    preds = [{"doc_id": d["doc_id"], "published": d["published"].isoformat()} for d in docs]
    r = score(docs, quotes, preds)
    assert r["date"]["accuracy"] == 1.0
    assert r["overall"] == 0.25
    assert r["not_attempted"] == ["quotes", "attribution", "stance", "outlet"]


def test_errors_report():
    docs, quotes = _gold_corpus()
    t1 = docs[0]["text"]
    s, e = span(t1, "We are ready")
    preds = [{"doc_id": "001_a", "outlet": "BBC", "published": "2016-11-10",
              "quotes": [{"start": s, "end": e + 4, "speaker": "Peskov", "stance": "against"},
                         {"start": 0, "end": 5, "speaker": "x", "stance": "none"}]}]
    r = score(docs, quotes, preds, errors=True)
    e1 = r["errors"]["001_a"]
    assert [m["quote_id"] for m in e1["missed"]] == ["001_a-q02"]
    assert [(x["start"], x["end"], x["text"]) for x in e1["spurious"]] == [(0, 5, "Putin")]
    assert e1["boundary"][0]["predicted_text"] == "We are ready to"  # whitespace collapsed
    assert e1["wrong_speaker"][0]["gold"] == "Vladimir Putin" and e1["wrong_speaker"][0]["predicted"] == "Peskov"
    assert e1["wrong_stance"][0]["gold"] == "favor" and e1["wrong_stance"][0]["predicted"] == "against"
    assert e1["date"]["predicted"] == "2016-11-10" and e1["outlet"]["predicted"] == "BBC"
    assert r["errors"]["002_b"]["missed"][0]["quote_id"] == "002_b-q01"
    assert "errors" not in score(docs, quotes, preds)


def test_other_documents_in_the_submission_are_ignored():
    docs, quotes = _gold_corpus()
    sub = read_submission(gold_as_submission(docs, quotes), {d["doc_id"]: d["text"] for d in docs},
                          {q["quote_id"] for q in quotes})
    r = score_corpus(docs[1:], [q for q in quotes if q["doc_id"] == "002_b"], sub, Options(n_boot=0))
    assert r["n_documents"] == 1 and r["overall"] == 1.0
    assert any("not in split" in w for w in r["warnings"])


def test_options_are_checked():
    docs, quotes = _gold_corpus()
    with pytest.raises(ValueError):
        score(docs, quotes, [], track="C")
    with pytest.raises(ValueError):
        score(docs, quotes, [], overlap=0)


def _brute_force_best(edges, care, same=None):
    """Best lexicographic (counted pairs, pairs, pairs of equal trimmed spans, overlap) over every one-to-one
    subset of the edges."""
    import itertools

    same = same if same is not None else [True] * len(edges)
    best = (0, 0, 0, 0)
    for r in range(len(edges) + 1):
        for subset in itertools.combinations(range(len(edges)), r):
            ps = [edges[k][0] for k in subset]
            gs = [edges[k][1] for k in subset]
            if len(set(ps)) == len(ps) and len(set(gs)) == len(gs):
                value = (sum(care[k] for k in subset), len(subset), sum(same[k] for k in subset),
                         sum(edges[k][2] for k in subset))
                best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(60))
def test_max_matching_is_optimal_on_random_graphs(seed):
    rng = np.random.default_rng(seed)
    n_p, n_g = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    pairs = sorted({(int(rng.integers(n_p)), int(rng.integers(n_g))) for _ in range(int(rng.integers(1, 8)))})
    edges = [(p, g, int(rng.integers(1, 6))) for p, g in pairs]
    care = [bool(rng.random() < 0.7) for _ in edges]
    same = [bool(rng.random() < 0.4) for _ in edges]
    pi, gi, ov = (np.array([e[i] for e in edges]) for i in range(3))
    for flags in (None, same):
        mp, mg = max_matching(pi, gi, ov, np.array(care), None if flags is None else np.array(flags))
        assert len(set(mp.tolist())) == len(mp) and len(set(mg.tolist())) == len(mg)        # one-to-one
        chosen = [pairs.index((p, g)) for p, g in zip(mp.tolist(), mg.tolist())]
        marks = flags if flags is not None else [True] * len(edges)
        got = (sum(care[k] for k in chosen), len(chosen), sum(marks[k] for k in chosen),
               sum(edges[k][2] for k in chosen))
        assert got == _brute_force_best(edges, care, flags)


def test_errors_list_no_wrong_speaker_or_stance_for_tasks_not_attempted():
    """A spans-only submission attempted neither attribution nor stance: nothing to call wrong there."""
    docs, quotes = _gold_corpus()
    s, e = span(docs[0]["text"], "We are ready")
    r = score(docs, quotes, [{"doc_id": "001_a", "quotes": [{"start": s, "end": e}]}], errors=True)
    e1 = r["errors"]["001_a"]
    assert e1["wrong_speaker"] == [] and e1["wrong_stance"] == []
    assert [(m["speaker_correct"], m["stance_correct"]) for m in e1["matched"]] == [(None, None)]
    assert r["not_attempted"] == ["attribution", "stance", "date", "outlet"]


@pytest.mark.parametrize("seed", range(5))
def test_add_confusion_in_place_equals_the_grouped_confusion(seed):
    rng = np.random.default_rng(seed)
    n, groups = int(rng.integers(0, 500)), int(rng.integers(1, 20))
    gold = rng.integers(0, 5, n).astype(np.int8)          # code 4 (NULL) included: its row is left out
    pred = rng.integers(0, 5, n).astype(np.int8)
    group = rng.integers(0, groups, n).astype(np.int32)
    out = np.zeros((groups, 4, 5), dtype=np.int32)
    stance_mod.add_confusion(out, gold, pred, group)
    assert out.tolist() == stance_mod.confusion(gold, pred, group, groups)[:, :4, :].tolist()


def test_count_table_views_write_into_the_matrix_and_unpack_sums():
    from benchmark.scoring.counts import CountTable
    from benchmark.scoring.metrics import COUNT_SHAPES

    table = CountTable(3)
    assert set(table.counts) == set(COUNT_SHAPES)
    for k, (name, view) in enumerate(table.counts.items()):
        assert view.shape == (3, *COUNT_SHAPES[name])
        assert np.may_share_memory(view, table.matrix)      # a view: what is written lands in the table
        view[...] = k + 1
    assert (table.matrix > 0).all() and table.matrix.dtype == np.int32
    summed = table.unpack(table.totals())
    assert all((summed[name] == 3 * (k + 1)).all() for k, name in enumerate(COUNT_SHAPES))
    assert table.rows(1, 3).dtype == np.float64 and table.rows(1, 3).shape == (2, table.matrix.shape[1])

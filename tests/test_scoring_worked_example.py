"""The README's worked metric example, as a test so the numbers cannot drift.

One article, four gold Track A units (one optional), four predictions:

    text: Putin said: "We are ready to talk." Peskov added that "nothing is decided yet". A Kremlin source said:
          "Sanctions will fail." The weather was "fine".

    gold  q01 We are ready to talk.   direct   Vladimir Putin     favor
          q02 nothing is decided yet  partial  Dmitry Peskov      neutral
          q03 Sanctions will fail.    direct   a Kremlin source   against
          q04 fine                    partial  (optional: scare quote or words of a source?)

    submission (quotes located by text):
          "We are ready to talk."  President Putin  favor    -> exact match (quote marks tolerated), speaker and
                                                               stance right
          nothing is decided       the Kremlin      against  -> overlap match only (18/22 >= 0.5), speaker wrong
                                                               ("the Kremlin" is not an alias), stance wrong
          "fine"                                    none     -> matches the optional unit: dropped from all counts
          Putin said               Putin            none     -> spurious
          (q03 is missed)
      outlet "moscow times" (gold: The Moscow Times) -> right; published 2024-11-08 (gold 2024-11-07) -> not exact,
      within one day.
"""
from __future__ import annotations

import datetime

import pytest
from scoring_gold import doc, quote

from benchmark.reports import text as render
from benchmark.scoring import Options, score_corpus
from benchmark.submission import read_submission

TEXT = ('Putin said: "We are ready to talk." Peskov added that "nothing is decided yet". A Kremlin source said: '
        '"Sanctions will fail." The weather was "fine".')
SUBMISSION = {"doc_id": "example", "outlet": "moscow times", "published": "2024-11-08", "quotes": [
    {"text": '"We are ready to talk."', "speaker": "President Putin", "stance": "favor"},
    {"text": "nothing is decided", "speaker": "the Kremlin", "stance": "against"},
    {"text": '"fine"', "stance": "none"},
    {"text": "Putin said", "speaker": "Putin", "stance": "none"},
]}

# every number, computed by hand
EXPECTED = {
    # 3 counted gold units; the "fine" prediction is dropped (optional unit); 3 predictions count
    "quotes.exact": (1 / 3, 1 / 3, 1 / 3),               # 1 exact match of 3 predictions, 3 gold units
    "quotes.overlap": (2 / 3, 2 / 3, 2 / 3),             # 2 overlap matches
    # characters: gold 21 + 22 + 20 = 63; predicted 23 + 18 + 2 (the marks around the optional unit) + 10 = 53;
    # shared 21 + 18 = 39
    "quotes.chars": (39 / 53, 39 / 63, 78 / 116),
    "attribution": (1 / 3, 1 / 3, 1 / 3),                # 1 right speaker; 3 predictions, 3 gold units
}


def test_worked_example():
    d = doc("example", TEXT, outlet="The Moscow Times", aliases=["The Moscow Times"],
            published=datetime.date(2024, 11, 7))
    gold = [quote(d, "q01", "We are ready to talk.", mention="Putin", stance="favor"),
            quote(d, "q02", "nothing is decided yet", type="partial", speaker="dmitry_peskov", mention="Peskov",
                  stance="neutral"),
            quote(d, "q03", "Sanctions will fail.", speaker="d001_anon", mention="A Kremlin source",
                  stance="against"),
            quote(d, "q04", "fine", type="partial", stance="none", optional=True)]
    submission = read_submission([SUBMISSION], {"example": TEXT}, name="example.jsonl")
    r = score_corpus([d], gold, submission, Options(n_boot=0, errors=True))

    for key, (p, rec, f) in EXPECTED.items():
        block = r
        for part in key.split("."):
            block = block[part]
        assert (block["precision"], block["recall"], block["f1"]) == pytest.approx((p, rec, f)), key
    assert r["attribution"]["accuracy"] == 0.5               # 1 of 2 matched quotes
    # stance on the 2 matched pairs: (favor, favor) right, (neutral, against) wrong
    assert r["stance"]["accuracy"] == 0.5
    assert r["stance"]["macro_f1"] == pytest.approx(1 / 3)  # F1 favor 1, neutral 0, against 0
    assert r["stance"]["f_avg"] == 0.5                       # mean(F1 favor 1, F1 against 0)
    # end to end: + q03 missed (against), + the spurious "Putin said" (none): F1 favor 1, against 0, neutral 0,
    # none 0
    assert r["stance_e2e"]["macro_f1"] == 0.25
    assert r["stance_e2e"]["f_avg"] == 0.5
    assert (r["date"]["accuracy"], r["date"]["within_1_day"], r["date"]["mae_days"]) == (0.0, 1.0, 1.0)
    assert r["outlet"]["accuracy"] == 1.0
    # overall = mean(attribution F1 1/3, stance e2e macro-F1 1/4, date 0, outlet 1) = 19/48
    assert r["overall"] == pytest.approx(19 / 48)
    assert round(r["overall"], 4) == 0.3958

    e = r["errors"]["example"]
    assert [m["quote_id"] for m in e["missed"]] == ["example-q03"]
    assert [s["text"] for s in e["spurious"]] == ["Putin said"]
    assert [b["predicted_text"] for b in e["boundary"]] == ["nothing is decided"]
    assert [(w["gold"], w["predicted"]) for w in e["wrong_speaker"]] == [("Dmitry Peskov", "the Kremlin")]
    assert [(w["gold"], w["predicted"]) for w in e["wrong_stance"]] == [("neutral", "against")]
    text = render.terminal(r, errors=True)
    assert "0.396" in text and "missed    example-q03" in text

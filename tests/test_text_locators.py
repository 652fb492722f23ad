"""Quotes given by their text, as chat models write them: every alignment tier, the ranking, ties, ellipses,
repeated quotes, invented quotes, `occurrence`, strict mode, and how the scorer counts a quote that is not found.

Expected spans are found by hand with str.index on the article (the passage a person would point at)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import benchmark
from benchmark.cli import main
from benchmark.errors import InputError
from benchmark.submission import read_submission
from benchmark.submission.align import (
    FUZZY_THRESHOLD,
    MIN_FUZZY_CHARS,
    Article,
    normal_form,
    normalise,
)
from benchmark.submission.text_locators import TextLocator, place_text_locators

ROOT = Path(__file__).resolve().parents[1]
DOCS = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "annotations" / "documents").glob("*.txt"))}
ID = {d[:3]: d for d in DOCS}
BOILERPLATE = {d: json.loads((ROOT / "annotations" / "gold" / f"{d}.json").read_text(encoding="utf-8"))["boilerplate"]
               for d in DOCS}


def span(doc: str, original: str, occurrence: int = 1) -> tuple[int, int]:
    text = DOCS[ID[doc]]
    start = -1
    for _ in range(occurrence):
        start = text.index(original, start + 1)
    return start, start + len(original)


def place(doc: str, *texts, occurrences=None, strict=False, regions=None):
    """(placements, issues) of these text locators in one document."""
    occurrences = occurrences or [None] * len(texts)
    locators = [TextLocator(i, t, o) for i, (t, o) in enumerate(zip(texts, occurrences))]
    return place_text_locators(Article(DOCS[ID[doc]]), BOILERPLATE[ID[doc]] if regions is None else regions,
                               locators, strict)


def one(doc: str, text: str):
    (placed,), issues = place(doc, text)
    assert not issues, issues
    return placed


# -- the tiers ---------------------------------------------------------------------------------------------------

def test_exact_tier():
    p = one("003", "What happens next will depend on the next U.S. leadership,")
    assert (p.start, p.end) == span("003", "What happens next will depend on the next U.S. leadership,")
    assert p.alignment.method == "exact" and p.alignment.similarity == 1.0


def test_normalised_tier_straight_apostrophe():
    p = one("003", "Let's not forget that we are talking about an unfriendly country")
    assert (p.start, p.end) == span("003", "Let\u2019s not forget that we are talking about an unfriendly country")
    assert p.alignment.method == "normalised"


@pytest.mark.parametrize("doc, given, original", [
    # "US" for "U.S." and a final period for the comma (similarity 0.973)
    ("003", "What happens next will depend on the next US leadership.",
     "What happens next will depend on the next U.S. leadership"),
    # "analyse" for "analyze" (and no final comma)
    ("003", "We carefully analyse everything, monitor everything, and will draw conclusions",
     "We carefully analyze everything, monitor everything, and will draw conclusions"),
    # "leadership." for "leadership,": a final mark changed only
    ("003", "depend on the next U.S. leadership.", "depend on the next U.S. leadership"),
    # the brackets dropped: the span still takes the whole bracket pair
    ("002", "Until the inauguration, we will keep advancing in Ukraine",
     "Until the inauguration, we will keep advancing [in Ukraine]"),
    # a hyphen for an em dash, across a line break of the article
    ("002", "Republicans have an agenda that resonates with my personal views - issues like migration",
     "Republicans have an agenda that resonates with my personal views \u2014 issues like migration"),
])
def test_fuzzy_tier_forgives_small_edits(doc, given, original):
    p = one(doc, given)
    assert p.alignment.method == "fuzzy" and FUZZY_THRESHOLD <= p.alignment.similarity < 1
    assert (p.start, p.end) == span(doc, original)


def test_the_threshold_and_minimum_length_hand_cases():
    """The hand cases that chose FUZZY_THRESHOLD = 0.9 and MIN_FUZZY_CHARS = 12 (module docstring of align)."""
    from rapidfuzz.distance import Indel

    accept = [("what happens next will depend on the next us leadership.",
               "what happens next will depend on the next u.s. leadership,"),
              ("we will analyse the results", "we will analyze the results"),
              ("relations are at their lowest point in history", "relations are at the lowest point in history"),
              ("historic lows", "historic low")]
    reject = [("we will never accept this", "we would never accept that"),
              ("russia will closely watch trump's actions", "russia would closely monitor trump's actions"),
              ("we look forward to working with the new administration",
               "we are ready to work with the new us administration, and we will")]
    assert min(Indel.normalized_similarity(a, b) for a, b in accept) >= 0.95 > FUZZY_THRESHOLD
    assert max(Indel.normalized_similarity(a, b) for a, b in reject) < 0.83 < FUZZY_THRESHOLD
    # under MIN_FUZZY_CHARS one changed letter is already below the threshold, or another word
    assert Indel.normalized_similarity("strnog", "strong") < FUZZY_THRESHOLD
    assert MIN_FUZZY_CHARS == 12


def test_short_needles_are_never_matched_fuzzily():
    (p,), issues = place("000", "strnog")           # 6 characters: a typo of "strong"
    assert p.start is None and p.alignment.method == "not found"


def test_a_paraphrase_is_not_found_and_the_closest_passage_is_named():
    (p,), _ = place("003", "Russia will closely watch everything Trump does.")
    assert p.start is None and p.alignment.method == "not found"
    assert p.alignment.closest is not None and 0.5 <= p.alignment.similarity < FUZZY_THRESHOLD
    message = p.alignment.message()
    assert message.startswith("not found in the article; closest: '") and "(similarity 0." in message
    assert f"at offset {p.alignment.closest_start}" in message
    assert DOCS[ID["003"]][p.alignment.closest_start:].startswith(p.alignment.closest[:20])


def test_an_invented_quote_is_not_found():
    (p,), _ = place("004", "Trump will end the war in Ukraine within 24 hours")
    assert p.start is None and p.alignment.method == "not found"
    (p,), _ = place("004", "zq zq zq")
    assert p.alignment.message() == "not found in the article; no similar passage"


@pytest.mark.parametrize("mark", ["...", "\u2026", ". . .", "[...]", "[\u2026]", " ... "])
def test_ellipsis_pieces_in_order_take_the_hull(mark):
    p = one("003", f"Let's not forget{mark}an unfriendly country")
    assert p.alignment.method == "ellipsis"
    assert (p.start, p.end) == span("003", "Let\u2019s not forget that we are talking about an unfriendly country")


def test_ellipsis_pieces_on_wrapped_lines_of_one_paragraph():
    p = one("002", "As soon as Trump takes office and forms his team ... no one to talk to")
    start, _ = span("002", "As soon as Trump takes office")
    _, end = span("002", "no one to talk to")
    assert (p.start, p.end) == (start, end) and p.alignment.method == "ellipsis"


def test_ellipsis_pieces_may_be_fuzzy():
    p = one("002", "Republicans have an agenda that resonates with my personal views - issues like migration "
                   "and traditional values. ... mutual disdain and name-calling")
    assert p.alignment.method == "ellipsis" and FUZZY_THRESHOLD <= p.alignment.similarity < 1
    assert (p.start, p.end) == (span("002", "Republicans have an agenda")[0], span("002", "name-calling")[1])


def test_ellipsis_pieces_in_two_paragraphs_are_no_match():
    # two lines of 003 (not hard-wrapped: each line is a paragraph), in order but in different paragraphs
    (p,), _ = place("003", "Kremlin spokesperson Dmitry Peskov stated on Wednesday ... LEGAL WARNING")
    assert p.start is None


def test_ellipsis_pieces_out_of_order_are_no_match():
    (p,), _ = place("003", "an unfriendly country ... Let's not forget")
    assert p.start is None


def test_a_leading_or_trailing_ellipsis_only_marks_a_cut():
    p = one("003", "...we are talking about an unfriendly country...")
    assert (p.start, p.end) == span("003", "we are talking about an unfriendly country")


def test_an_ellipsis_that_is_in_the_article_is_matched_exactly():
    original = "This cannot be done overnight, but... the US is capable of changing"
    p = one("004", original)
    assert p.alignment.method == "exact" and (p.start, p.end) == span("004", original)


def test_paragraph_breaks():
    wrapped = Article("one two\nthree four\n\nfive\n  six")          # short lines: hard-wrapped
    assert wrapped.paragraph(0) == wrapped.paragraph(10) != wrapped.paragraph(20) != wrapped.paragraph(26)
    long_lines = Article("x" * 120 + "\n" + "y" * 120)               # long lines: each is a paragraph
    assert long_lines.paragraph(0) != long_lines.paragraph(125)


# -- the ranking, ties, repeats ----------------------------------------------------------------------------------

def test_a_one_word_quote_prefers_the_quoted_occurrence():
    """ "strong" is in "strongman", twice in "strong showing" (a gallery: boilerplate) and once quoted."""
    p = one("000", "strong")
    assert (p.start, p.end) == (span("000", '"strong"')[0] + 1, span("000", '"strong"')[1] - 1)


def test_whole_words_before_parts_of_words():
    p = one("000", "bright")                          # quoted once; "brightest" twice in the gallery
    assert (p.start, p.end) == (span("000", '"bright"')[0] + 1, span("000", '"bright"')[1] - 1)
    (p,), issues = place_text_locators(Article("The brightest star is bright today."), [], [TextLocator(0, "bright", None)])
    assert (p.start, p.end) == (22, 28) and not issues


def test_outside_boilerplate_before_inside():
    text = "Caption: ready to talk. Putin said he was ready to talk."
    regions = [{"start": 0, "end": 23}]
    (p,), issues = place_text_locators(Article(text), regions, [TextLocator(0, "ready to talk", None)])
    assert p.start == text.rindex("ready to talk") and not issues


def test_repeated_identical_quotes_take_distinct_occurrences_in_text_order():
    placed, issues = place("000", "strong", "strong")
    assert [(p.start, p.end) for p in placed] == [(11923, 11929), (3004, 3010)]
    assert not issues                     # the remaining tie lies in boilerplate: no number depends on it
    text = "He said yes. She said yes. They said no."
    placed, issues = place_text_locators(Article(text), [], [TextLocator(k, "yes", None) for k in range(2)])
    assert [p.start for p in placed] == [8, 22] and not issues          # two for two: nothing to warn about
    placed, issues = place_text_locators(Article(text), [], [TextLocator(k, "yes", None) for k in range(3)])
    assert [p.start for p in placed] == [8, 22, 8]                       # a third repeats the first


def test_a_tie_goes_to_the_first_not_taken_with_a_warning_naming_the_candidates():
    text = "He said yes. She said yes. They said no."
    (p,), issues = place_text_locators(Article(text), [], [TextLocator(0, "yes", None)])
    assert p.start == 8
    (issue,) = issues
    assert not issue.error and issue.field == "text"
    assert issue.message == ('"yes" fits 2 places equally well (at offsets 8, 22): took offset 8, the first not '
                             'taken in text order; add "occurrence": N (1-based) to choose')
    (p,), issues = place_text_locators(Article(text), [], [TextLocator(0, "yes", None)], strict=True)
    assert p is None and issues[0].error and issues[0].message.startswith("ambiguous: found 2 places")


def test_a_caption_repeated_in_two_gallery_copies_is_no_error():
    """Both copies lie in boilerplate: whichever is taken, the scorer ignores the quote; no warning either."""
    (p,), issues = place("000", "The whole year with the President of Russia!")
    assert not issues and p.start == span("000", "The whole year with the President of Russia!")[0]
    assert any(r["start"] <= p.start and p.end <= r["end"] for r in BOILERPLATE[ID["000"]])


def test_occurrence_overrides_and_is_placed_first():
    text = "He said yes. She said yes. They said no."
    placed, issues = place_text_locators(Article(text), [], [TextLocator(0, "yes", None), TextLocator(1, "yes", 1)])
    assert [p.start for p in placed] == [22, 8] and not issues
    (p,), issues = place_text_locators(Article(text), [], [TextLocator(0, "yes", 3)])
    assert p is None and issues[0].error and issues[0].field == "occurrence"
    assert issues[0].message == "3 asked, but the text is found only 2 time(s)"


def test_an_apostrophe_is_not_a_closing_quotation_mark():
    text = "Trump\u2019s plan. \u201cTrump wins.\u201d Trump said."
    placed, issues = place_text_locators(Article(text), [], [TextLocator(0, "Trump", None)])
    assert placed[0].start == 0 and len(issues) == 1                 # three equal places, none quoted


# -- normal forms ------------------------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \n\t\u00a0\"'\u201c\u201d\u2019&;#qutoamp9x\u200b\u00ad", max_size=40))
def test_normal_form_is_the_text_of_normalise(text):
    assert normal_form(text) == normalise(text).text


def test_a_huge_text_locator_is_not_found_quickly():
    needle = "word " * 400_000                                        # 2 MB
    (p,), _ = place("003", needle)
    assert p.start is None and p.alignment.text.startswith("word word") and len(p.alignment.text) <= 100


# -- through the reader and the scorer ---------------------------------------------------------------------------

CHAT = ROOT / "assignments" / "examples" / "chat_model.jsonl"


def test_the_chat_model_example_scores_and_strict_refuses_it(capsys):
    assert main(["score", str(CHAT), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "2 predicted quotes given as text were not found in the article" in out
    assert main(["score", str(CHAT), "--bootstrap", "0", "--strict"]) == 2
    err = capsys.readouterr().err
    assert f"{CHAT}:2: quotes[6].text: not found in the article; closest: " in err
    assert f"{CHAT}:3: quotes[5].text: not found in the article" in err and "Traceback" not in err


def test_a_quote_not_found_counts_as_a_spurious_prediction():
    doc_id = ID["003"]
    good = {"text": "What happens next will depend on the next US leadership.", "speaker": "Peskov"}
    invented = {"text": "Russia is ready to work with the new American administration.", "stance": "favor"}
    with_it = benchmark.score([{"doc_id": doc_id, "quotes": [good, invented]}], n_boot=0, errors=True)
    without = benchmark.score([{"doc_id": doc_id, "quotes": [good]}], n_boot=0)
    for kind in ("exact", "overlap"):
        assert with_it["quotes"][kind]["n_pred"] == without["quotes"][kind]["n_pred"] + 1
        assert with_it["quotes"][kind]["tp"] == without["quotes"][kind]["tp"] == 1
    assert with_it["quotes"]["chars"] == without["quotes"]["chars"]          # it covers no character
    assert with_it["quotes"]["not_found"] == 1 and without["quotes"]["not_found"] == 0
    assert with_it["stance_e2e"] != without["stance_e2e"]                   # its stance is a spurious "favor"
    (spurious,) = with_it["errors"][doc_id]["spurious"]
    assert spurious["not_found"] and spurious["start"] is None and spurious["line"] == 1
    assert spurious["text"] == invented["text"] and spurious["message"].startswith("not found in the article")
    assert any("1 predicted quote given as text was not found" in w for w in with_it["warnings"])
    with pytest.raises(InputError, match="not found in the article"):
        benchmark.score([{"doc_id": doc_id, "quotes": [good, invented]}], n_boot=0, strict=True)


def test_a_quote_not_found_in_a_train_document_does_not_block_the_test_score():
    train, test = ID["000"], ID["003"]
    lines = [{"doc_id": train, "quotes": [{"text": "strong"}, {"text": "Something no one ever said here."}]},
             {"doc_id": test, "quotes": [{"text": "historic low"}]}]
    r = benchmark.score(lines, split="test", n_boot=0)
    assert r["quotes"]["not_found"] == 0 and r["quotes"]["overlap"]["tp"] == 1
    assert not any("not found" in w or "fits" in w for w in r["warnings"])  # the train document is not scored
    on_train = benchmark.score(lines, split="train", n_boot=0)
    assert on_train["quotes"]["not_found"] == 1


def test_malformed_text_locators_are_still_errors():
    for bad, message in (({"text": 5}, "expected a string"), ({"text": " "}, "empty text"),
                         ({"text": "x", "occurrence": 0}, "must be 1 or more")):
        with pytest.raises(InputError, match=message):
            read_submission([{"doc_id": ID["003"], "quotes": [bad]}], DOCS)


def test_tie_warnings_reach_the_results_of_the_scored_document_only():
    lines = [{"doc_id": ID["002"], "quotes": [{"text": "Trump"}]}]
    r = benchmark.score(lines, split="test", n_boot=0)
    assert any("quotes[0].text: warning: \"Trump\" fits 15 places equally well" in w for w in r["warnings"])
    assert not any("fits" in w for w in benchmark.score(lines, split="train", n_boot=0)["warnings"])


def test_the_chat_model_example_report_is_up_to_date(monkeypatch, tmp_path, capsys):
    """assignments/examples/chat_model.md is what its command writes (run from the repository root)."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "chat_model.md"
    assert main(["score", "assignments/examples/chat_model.jsonl", "--errors", "--markdown", str(out)]) == 0
    capsys.readouterr()
    stored = (ROOT / "assignments" / "examples" / "chat_model.md").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == stored, (
        "regenerate: kremlin-reactions score assignments/examples/chat_model.jsonl --errors --markdown "
        "assignments/examples/chat_model.md")
    # per-document numbers a person would call fair: every document scores, none is refused
    assert "| 003_847f753f01714433 | 0.857 | 0.857 | 0.857 |" in stored


def test_report_and_leaderboard_take_the_chat_model_example_and_strict_refuses_it(tmp_path, capsys):
    from benchmark.reports.leaderboard import build_leaderboard

    assert main(["report", str(CHAT), "-o", str(tmp_path / "r.html")]) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.count("Not found in the article (1: spurious, not drawn)") == 2
    assert main(["report", str(CHAT), "-o", str(tmp_path / "s.html"), "--strict"]) == 2
    assert not (tmp_path / "s.html").exists()
    folder = tmp_path / "board"
    folder.mkdir()
    (folder / "chat.jsonl").write_bytes(CHAT.read_bytes())
    board = build_leaderboard(folder, baselines=False, n_boot=0)
    assert [e["id"] for e in board["ranked"]] == ["chat"] and board["invalid"] == []
    strict = build_leaderboard(folder, baselines=False, n_boot=0, strict=True)
    assert strict["ranked"] == [] and "not found in the article" in strict["invalid"][0]["errors"][0]
    capsys.readouterr()

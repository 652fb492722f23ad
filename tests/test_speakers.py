"""The speaker rule (`benchmark.scoring.reference.speaker_right`): names as models write them, hand cases, and the
fast engine's vectorised version equal to it on random name variants."""
from __future__ import annotations

import datetime
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.scoring.fast import engine as fast
from benchmark.scoring.metrics.attribution import name_form
from benchmark.scoring.reference import document_speakers, names_speaker, speaker_right
from benchmark.submission import PredictedQuote

# speakers as in annotations/speakers.json
REGISTRY = {
    "dmitry_peskov": ("Dmitry Peskov", ["Dmitry Peskov", "Dmitri Peskov", "Peskov", "Kremlin spokesperson Dmitry Peskov",
                                        "Kremlin spokesperson Dmitri Peskov", "The Kremlin spokesman"]),
    "kremlin": ("the Kremlin", ["the Kremlin", "Kremlin"]),
    "vladimir_putin": ("Vladimir Putin", ["Vladimir Putin", "Putin", "Mr Putin", "The Russian leader",
                                          "President Vladimir Putin", "Russia's strongman president"]),
    "donald_trump": ("Donald Trump", ["Donald Trump", "Trump", "Mr Trump", "U.S. President Donald Trump"]),
    "maria_zakharova": ("Maria Zakharova", ["Maria Zakharova", "Zakharova",
                                            "Foreign Ministry spokesperson Maria Zakharova"]),
    "russia": ("Russia", ["Russia", "Moscow"]),
    "gov_official_1": ("a Russian government official", ["a Russian government official"]),
    "gov_official_2": ("A Russian government official", ["A Russian government official"]),
    "russian_official": ("a Russian official", ["a Russian official"]),
    "another_official": ("another Russian official", ["another Russian official"]),
    "source_1": ("one source", ["one source"]),
    "source_2": ("one source", ["one source"]),
    "putin_and_trump": ("Mr Putin and Mr Trump", ["Mr Putin and Mr Trump", "the two men"]),
}


def unit(sid: str, mention: str | None = None, start=None, end=None) -> dict:
    name, aliases = REGISTRY[sid]
    return {"quote_id": f"d-{sid}", "doc_id": "d", "start": 0, "end": 1, "type": "direct", "speaker_id": sid,
            "speaker": name, "speaker_aliases": aliases, "speaker_mention": mention, "speaker_start": start,
            "speaker_end": end, "stance": "neutral", "optional": False, "in_boilerplate": False}


def said(name, start=None, end=None) -> PredictedQuote:
    return PredictedQuote(0, 1, None, name, start, end, None, None, 1)


def right(name: str | None, gold: str, *others: str, mention: str | None = None) -> bool:
    """Is `name` right for a unit of `gold` in a document whose speakers are gold and others?"""
    units = [unit(gold, mention)] + [unit(o) for o in others]
    return speaker_right(said(name), units[0], document_speakers(units))


# -- the forms models write --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "Kremlin spokesman Dmitry Peskov",         # a title around the name ("Kremlin" is part of Peskov's own alias)
    "Peskov, the Kremlin spokesman",            # an appositive (an alias of Peskov itself)
    "Dmitry S. Peskov",                         # a middle initial
    "Dmitry S Peskov",
    "Kremlin spokesperson Dmitry Peskov",       # an alias exactly
    "Mr. Peskov",                               # an honorific
    "Peskov's",                                 # a possessive
    "spokesman Peskov said",
])
def test_names_as_models_write_them_are_right(name):
    assert right(name, "dmitry_peskov", "kremlin", "vladimir_putin", "russia")


def test_more_speakers_as_models_write_them():
    assert right("Donald J. Trump", "donald_trump", "vladimir_putin")
    assert right("Russian Foreign Ministry spokeswoman Maria Zakharova", "maria_zakharova", "dmitry_peskov", "russia")
    assert right("President-elect Donald J. Trump", "donald_trump", "vladimir_putin")
    assert right("Vladimir V. Putin, the Russian president", "vladimir_putin", "donald_trump")
    # a form of the document's speakers inside the gold speaker's own alias is no second speaker
    assert right("Russia's strongman president Vladimir Putin", "vladimir_putin", "russia")


@pytest.mark.parametrize("name, gold", [
    ("Putin and Peskov", "dmitry_peskov"),       # a name of two speakers
    ("Putin and Peskov", "vladimir_putin"),
    ("Peskov and the Kremlin", "dmitry_peskov"),   # "and" joins two names, even though "Kremlin" is in an alias
    ("Peskov or Zakharova", "dmitry_peskov"),
    ("the Kremlin", "dmitry_peskov"),            # another speaker
    ("Kremlin spokesman", "dmitry_peskov"),      # no form of Peskov at all
    ("Peskov's boss Vladimir Putin", "dmitry_peskov"),
    ("Dmitry", "dmitry_peskov"),                 # a part of a name is not a name
    ("", "dmitry_peskov"),
    (None, "dmitry_peskov"),
])
def test_wrong_names(name, gold):
    assert not right(name, gold, "dmitry_peskov", "kremlin", "vladimir_putin", "maria_zakharova")


def test_another_speaker_counts_only_when_it_is_a_speaker_of_the_document():
    # gold: the Kremlin; "Kremlin spokesman Dmitry Peskov" names Peskov when he speaks in the document too
    assert not right("Kremlin spokesman Dmitry Peskov", "kremlin", "dmitry_peskov")
    assert right("Kremlin spokesman Dmitry Peskov", "kremlin", "vladimir_putin")


def test_descriptions_of_anonymous_sources():
    officials = ("gov_official_1", "russian_official", "another_official")
    # "a Russian official" is another source's description, not the gold's: wrong, with several officials around
    assert not right("a Russian official", "gov_official_1", *officials[1:])
    assert right("a Russian official", "russian_official", "gov_official_1", "another_official")
    assert not right("a Russian government official", "russian_official", "gov_official_1")
    assert not right("a senior Russian government official", "gov_official_1", *officials[1:])
    assert right("a Russian government official", "gov_official_1", *officials[1:])
    assert right("A Russian government official", "gov_official_1", "gov_official_2")    # the same description
    assert right("said a Russian government official", "gov_official_1", *officials[1:])
    # articles matter: "another Russian official" is not "a Russian official"
    assert not right("another Russian official", "russian_official", "another_official")
    assert right("another Russian official", "another_official", "russian_official")


def test_shared_descriptions_are_right_for_either_source():
    assert right("one source", "source_1", "source_2") and right("one source", "source_2", "source_1")
    assert right("one source close to the talks", "source_1", "source_2")
    assert not right("one source close to the Kremlin", "source_1", "source_2", "kremlin")


def test_a_group_speaker_named_by_two_names():
    assert right("Mr Putin and Mr Trump", "putin_and_trump", "vladimir_putin", "donald_trump")
    # "and" inside the group's own name coordinates nothing else
    assert right("the two men, Mr Putin and Mr Trump", "putin_and_trump", "vladimir_putin", "donald_trump")
    assert not right("Putin and Trump", "vladimir_putin", "donald_trump", "putin_and_trump")


def test_the_gold_mention_text_is_an_alias_of_its_unit():
    assert right("the spokesman", "dmitry_peskov", "vladimir_putin", mention="the spokesman")
    assert right("the spokesman, Mr Peskov", "dmitry_peskov", mention="the spokesman")
    assert not right("the spokesman", "dmitry_peskov", "vladimir_putin")


def test_a_mention_span_that_overlaps_the_gold_mention_is_right_whatever_the_name():
    u = unit("dmitry_peskov", start=10, end=16)
    assert speaker_right(said("Putin and Peskov", 12, 20), u, document_speakers([u, unit("vladimir_putin")]))
    assert not speaker_right(said(None, 16, 20), u, document_speakers([u]))


def test_name_form_drops_middle_initials_only():
    assert name_form("Dmitry S. Peskov") == name_form("Dmitry Peskov") == "dmitry peskov"
    assert name_form("George H. W. Bush") == "george bush"
    assert name_form("U.S. President Donald Trump") == "u s president donald trump"
    assert name_form("U. S. President Trump") == "u s president trump"
    assert name_form("a Russian official") == "a russian official"           # an article is no initial
    assert name_form("said A Kremlin spokesman") == "said a kremlin spokesman"
    assert name_form("A Kremlin spokesman") == "a kremlin spokesman"


def test_names_speaker_on_forms_by_hand():
    own = ("dmitry peskov", "peskov", "kremlin spokesperson dmitry peskov")
    assert names_speaker("peskov", own, ["kremlin"])
    assert names_speaker("kremlin spokesman dmitry peskov", own, ["kremlin", "the kremlin"])
    assert not names_speaker("peskov and the kremlin", own, ["the kremlin", "kremlin"])
    assert not names_speaker("kremlin spokesman dmitry peskov", ("dmitry peskov",), ["kremlin"])
    assert not names_speaker("", own, [])


# -- the fast engine's vectorised rule equals the reference ------------------------------------------------------

TITLES = ["Kremlin spokesman", "Russian President", "spokeswoman", "said", "Former", "the", "U.S.", "Mr."]
APPOSITIVES = ["the Kremlin spokesman", "the Russian leader", "who spoke on Wednesday", "Moscow's man"]


def variant(rnd: random.Random) -> str | None:
    """A name built from the registry's aliases: with titles, initials, appositives, other speakers' names."""
    alias = rnd.choice(rnd.choice(list(REGISTRY.values()))[1])
    other = rnd.choice(rnd.choice(list(REGISTRY.values()))[1])
    words = alias.split()
    how = rnd.randrange(9)
    if how == 0:
        return rnd.choice([None, "", alias.upper(), alias.lower()])
    if how == 1:
        return f"{rnd.choice(TITLES)} {alias}"
    if how == 2:
        return " ".join(words[:1] + [rnd.choice("SVJA") + rnd.choice([".", ""])] + words[1:])
    if how == 3:
        return f"{alias}, {rnd.choice(APPOSITIVES + [other])}"
    if how == 4:
        return f"{alias} {rnd.choice(['and', 'or', 'with', '&'])} {other}"
    if how == 5:
        return f"{other} {alias}"
    if how == 6:
        return " ".join(words[:-1]) or alias
    return alias


@settings(max_examples=int(__import__("os").environ.get("SCORING_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2 ** 32 - 1))
def test_fast_engine_speaker_rule_is_the_reference_s(seed):
    rnd = random.Random(seed)
    docs, units = [], []
    for d in range(rnd.randint(1, 4)):
        doc_id = f"d{d}"
        docs.append({"doc_id": doc_id, "text": "x" * 50, "outlet": "CNN", "outlet_evidence": "explicit",
                     "published": datetime.date(2024, 1, 1), "date_evidence": "explicit", "boilerplate": []})
        for k in range(rnd.randint(1, 5)):
            u = unit(rnd.choice(list(REGISTRY)), rnd.choice([None, None, "the spokesman", "Kremlin spokesperson"]))
            units.append(dict(u, doc_id=doc_id, quote_id=f"{doc_id}-q{k}"))
    names = [variant(rnd) for _ in range(40)]
    pairs = [(rnd.randrange(len(units)), name) for name in names]
    by_doc = {}
    for u in units:
        by_doc.setdefault(u["doc_id"], []).append(u)
    expected = [speaker_right(said(name), units[g], document_speakers(by_doc[units[g]["doc_id"]]))
                for g, name in pairs]
    gold = fast.Gold(docs, units, "all")
    name_ids = np.array([gold.speakers.name_id(name) for _, name in pairs], dtype=np.int64)
    got = fast._speaker_correct(gold, name_ids, None, None, np.array([g for g, _ in pairs], dtype=np.int64))
    assert got.tolist() == expected, [(name, units[g]["speaker_id"]) for (g, name), a, b in
                                      zip(pairs, got.tolist(), expected) if a != b]
    # the same verdicts when the (name, speaker, mention) triples are deduplicated as rows (the overflow fallback)
    from benchmark.scoring.fast import speakers as fast_speakers

    saved, fast_speakers.RADIX_LIMIT = fast_speakers.RADIX_LIMIT, 0
    try:
        gold = fast.Gold(docs, units, "all")
        name_ids = np.array([gold.speakers.name_id(name) for _, name in pairs], dtype=np.int64)
        rows = fast._speaker_correct(gold, name_ids, None, None, np.array([g for g, _ in pairs], dtype=np.int64))
    finally:
        fast_speakers.RADIX_LIMIT = saved
    assert rows.tolist() == expected

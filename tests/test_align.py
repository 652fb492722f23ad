"""benchmark.submission.align: exact first, then tolerant of whitespace, quote marks and HTML entities.

Expected spans are computed by hand: either literal numbers on small strings, or the position of the literal
*original* substring (as it is in the file, with its line break / entity / curly mark) found with str.index."""
from pathlib import Path

import pytest

from benchmark.submission.align import align_text, normalise, normalise_needle

DOCS = Path(__file__).resolve().parents[1] / "annotations" / "documents"


def doc(prefix: str) -> str:
    (path,) = DOCS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def span_of(text: str, original: str) -> tuple[int, int]:
    start = text.index(original)
    assert text.count(original) == 1, "test helper expects a unique original substring"
    return start, start + len(original)


# -- small hand-computed cases -----------------------------------------------------------------------------------

def test_exact_occurrences_all_returned_in_order():
    assert align_text("abcabc", "bc") == [(1, 3), (4, 6)]


def test_overlapping_occurrences_are_distinct_candidates():
    assert align_text("aaa", "aa") == [(0, 2), (1, 3)]


def test_exact_match_wins_over_tolerant():
    # the straight-quoted form exists exactly: the curly form elsewhere is not considered
    text = 'He said "yes". She said “yes”.'
    assert align_text(text, '"yes"') == [(8, 13)]


def test_whitespace_runs_and_line_breaks_fold():
    text = "one  two\n   three"
    #       0123456789...: "two" = 5..8, "\n   " = 8..12, "three" = 12..17
    assert align_text(text, "two three") == [(5, 17)]
    assert align_text(text, "one two") == [(0, 8)]


def test_quote_marks_fold_and_surrounding_marks_are_stripped():
    text = "He said: \u201cIt\u2019s fine.\u201d Then left."
    #        0         1
    #        0123456789012345678901
    # “ at 9, I at 10, ’ at 12, closing ” at 20
    assert align_text(text, "\"It's fine.\"") == [(10, 20)]
    assert align_text(text, "It's fine.") == [(10, 20)]
    assert align_text(text, "\u2033It\u2032s fine.\u2033") == [(10, 20)]   # primes used as quote marks


def test_entities_map_back_to_whole_entity():
    text = "a &quot;b&#39;s&quot; c"
    #       0 2     8 9    14    20
    # &quot; = 2..8, b = 8, &#39; = 9..14, s = 14, &quot; = 15..21, " c"
    assert align_text(text, "b's") == [(8, 15)]
    assert align_text(text, '"b\'s"') == [(8, 15)]       # surrounding marks stripped from the needle
    assert align_text(text, "a \"b") == [(0, 9)]          # an inner mark matches the whole entity


def test_double_escaped_entity_decodes_to_what_a_reader_sees():
    text = "S&amp;amp;P 500"
    assert align_text(text, "S&P 500") == [(0, 15)]
    assert normalise(text).text == "S&P 500"


def test_hex_and_named_entities_and_nbsp():
    text = "x&#x2019;y&nbsp;&nbsp;z"
    assert normalise(text).text == 'x"y z'
    assert align_text(text, "x'y z") == [(0, 23)]


def test_runs_of_quote_marks_fold_to_one():
    text = "a \u2019\u201d b"
    assert normalise(text).text == 'a " b'
    assert align_text(text, "a ' b") == [(0, 6)]


def test_invisible_characters_dropped():
    text = "co\u00adop\u200beration"
    assert align_text(text, "cooperation") == [(0, len(text))]


def test_no_match_and_degenerate_needles():
    assert align_text("abc", "zzz") == []
    assert align_text("abc", "") == []
    assert align_text("abc", ' " ') == []          # only marks and spaces: nothing to look for
    assert normalise_needle(' \u201c  x  y \u201d ') == "x y"


def test_map_is_monotone_and_covers_text():
    text = doc("000")
    norm = normalise(text)
    assert len(norm.text) == len(norm.starts) == len(norm.ends)
    assert all(a < b for a, b in zip(norm.starts, norm.ends))
    assert all(b <= c for b, c in zip(norm.ends, norm.starts[1:]))


# -- the real messy articles --------------------------------------------------------------------------------------

def test_line_wrapped_quote_in_002():
    text = doc("002")
    expected = span_of(text, "Until the inauguration, we will keep advancing [in Ukraine],\u201d a Russian government official\nsaid")
    # typed on one line, with straight quotes
    got = align_text(text, "Until the inauguration, we will keep advancing [in Ukraine],\" a Russian government official said")
    assert got == [expected]


def test_curly_quoted_quote_in_002_given_with_straight_marks():
    text = doc("002")
    original = "As soon as Trump takes office and forms his team, then we can agree to start consultations.\nIt will be"
    start, end = span_of(text, original)
    got = align_text(text, '"As soon as Trump takes office and forms his team, then we can agree to start '
                           'consultations. It will be')
    assert got == [(start, end)]


def test_entity_quote_in_000():
    text = doc("000")
    # the calendar caption exists with &quot; entities (line 184) and with straight marks (an earlier copy)
    entity_form = "&quot;The whole year with the President of Russia!&quot;"
    plain_form = '"The whole year with the President of Russia!"'
    e = span_of(text, entity_form)
    p = span_of(text, plain_form)
    # exact: only the plain copy
    assert align_text(text, plain_form) == [p]
    # curly marks: no exact match; tolerant finds both copies, inner text only, in text order
    got = align_text(text, "\u201cThe whole year with the President of Russia!\u201d")
    inner = len("The whole year with the President of Russia!")
    assert got == sorted([(e[0] + len("&quot;"), e[0] + len("&quot;") + inner), (p[0] + 1, p[0] + 1 + inner)])


def test_apostrophe_entity_in_000():
    text = doc("000")
    # the calendar caption is in the file twice: once with &#39;, once with a straight apostrophe
    entity_form = span_of(text, "someone else&#39;s natural wealth")
    plain_form = span_of(text, "someone else's natural wealth")
    assert align_text(text, "someone else\u2019s natural wealth") == sorted([entity_form, plain_form])


def test_curly_apostrophe_in_003_given_straight():
    text = doc("003")
    original = "Let\u2019s not forget that we are talking about an unfriendly country"
    assert align_text(text, "Let's not forget that we are talking about an unfriendly country") == [span_of(text, original)]


def test_straight_quotes_in_001_given_curly():
    text = doc("001")
    original = "could not be worse"
    (start, end) = span_of(text, original)
    assert align_text(text, "\u201ccould not be worse\u201d") == [(start, end)]


def test_nested_single_quote_in_004():
    text = doc("004")
    original = "\u2018Weeping may remain in the night, but joy comes in the morning,\u2019\u201d she wrote"
    s, e = span_of(text, original)
    got = align_text(text, "'Weeping may remain in the night, but joy comes in the morning,\" she wrote")
    assert got == [(s + 1, e)]   # the needle's leading mark is stripped, ’” folds to one mark like "


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_exact_substring_is_found_at_its_place(prefix):
    text = doc(prefix)
    for start in range(0, len(text) - 40, 997):
        needle = text[start:start + 40]
        assert (start, start + 40) in align_text(text, needle)

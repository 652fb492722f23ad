"""benchmark.submission.read_submission: resolution of valid submissions and one precise message per problem.

The documents are the real articles in annotations/documents; expected offsets are computed from literal
substrings of those files."""
import datetime
import json
from pathlib import Path

import jsonschema
import pytest

from benchmark.errors import InputError
from benchmark.submission import DocumentPrediction, PredictedQuote, Submission, read_submission
from benchmark.submission.lines import _nesting_depth

ROOT = Path(__file__).resolve().parents[1]
DOCS = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "annotations" / "documents").glob("*.txt"))}
# The expected offsets and messages below are about the texts of these seed articles (the folder may hold more).
D0, D1, D2, D3, D4 = ("000_0d2c8cad854b4354", "001_4edd818e3f1a05be", "002_61610625a1c92d28", "003_847f753f01714433",
                      "004_8116756d16084da1")
GOLD_IDS = {f"{D3}-q01", f"{D3}-q02", f"{D2}-q01"}
SCHEMA = json.loads((ROOT / "benchmark" / "submission" / "submission.schema.json").read_text(encoding="utf-8"))


def lines(*objects) -> list[str]:
    return [json.dumps(o) for o in objects]


def problems_of(source, **kw) -> list[str]:
    with pytest.raises(InputError) as info:
        read_submission(source, DOCS, GOLD_IDS, **kw)
    return info.value.problems


def one_problem(obj, **kw) -> str:
    found = problems_of(lines(obj), **kw)
    assert len(found) == 1, found
    return found[0]


# -- valid submissions ---------------------------------------------------------------------------------------------

def test_full_valid_submission_resolves_every_locator(tmp_path):
    t2 = DOCS[D2]
    wrapped = "nearly\nthree-year war on Ukraine"
    w0 = t2.index(wrapped)
    path = tmp_path / "preds.jsonl"
    path.write_text("\n".join(lines(
        {"doc_id": D2, "outlet": "VPost", "published": "2024-11-07", "quotes": [
            {"start": 10, "end": 20, "speaker": "Putin", "stance": "favor", "type": "direct"},
            {"text": "nearly three-year war on Ukraine", "speaker": None, "speaker_start": 1, "speaker_end": 8},
        ]},
        {"doc_id": D3, "quotes": [{"quote_id": f"{D3}-q01", "stance": "against"}]},
    )) + "\n", encoding="utf-8")
    sub = read_submission(path, DOCS, GOLD_IDS)
    assert isinstance(sub, Submission) and sub.path == str(path)
    d2 = sub.documents[D2]
    assert isinstance(d2, DocumentPrediction)
    assert d2.outlet == "VPost" and d2.published == datetime.date(2024, 11, 7) and d2.line == 1
    assert d2.quotes[0] == PredictedQuote(10, 20, None, "Putin", None, None, "favor", "direct", 1)
    assert d2.quotes[1] == PredictedQuote(w0, w0 + len(wrapped), None, None, 1, 8, None, None, 1)
    assert d2.fields == {"outlet", "published", "quotes", "speaker", "stance", "type"}
    d3 = sub.documents[D3]
    assert d3.quotes == [PredictedQuote(None, None, f"{D3}-q01", None, None, None, "against", None, 2)]
    assert d3.fields == {"quotes", "stance"} and d3.line == 2
    assert sub.attempted == {"quotes", "attribution", "stance", "date", "outlet", "gold_spans"}
    assert [w for w in sub.warnings if "no prediction" in w] == [
        f"{path}: warning: no prediction for document {d}: it counts as predicting nothing" for d in sorted(set(DOCS) - {D2, D3})]


def test_missing_documents_are_warnings_not_errors():
    sub = read_submission(lines({"doc_id": D0}), DOCS)
    assert list(sub.documents) == [D0]
    assert sub.documents[D0].fields == frozenset() and sub.documents[D0].quotes == []
    assert len(sub.warnings) == len(DOCS) - 1 and all("counts as predicting nothing" in w for w in sub.warnings)
    assert sub.attempted == frozenset()


def test_empty_submission_is_valid_with_warnings(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    sub = read_submission(path, DOCS)
    assert sub.documents == {}
    assert sub.warnings[0].endswith("the submission predicts no documents")


def test_attempted_tasks_follow_present_keys():
    only_dates = read_submission(lines({"doc_id": D0, "published": None}), DOCS)
    assert only_dates.attempted == {"date"}
    assert only_dates.documents[D0].published is None
    stance_on_gold_spans = read_submission(lines({"doc_id": D3, "quotes": [{"quote_id": f"{D3}-q02",
                                                                           "stance": "none"}]}), DOCS, GOLD_IDS)
    assert stance_on_gold_spans.attempted == {"gold_spans"}     # no located quote: detection not attempted
    empty_quotes = read_submission(lines({"doc_id": D0, "quotes": []}, {"doc_id": D1, "quotes": None}), DOCS)
    assert empty_quotes.attempted == {"quotes"}                # attempted, predicted nothing
    speaker_only = read_submission(lines({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "speaker": "x"}]}), DOCS)
    assert speaker_only.attempted == {"quotes", "attribution"}


def test_bom_blank_lines_crlf_and_trailing_newlines_tolerated(tmp_path):
    path = tmp_path / "p.jsonl"
    body = "\r\n".join(["", json.dumps({"doc_id": D0}), "   ", json.dumps({"doc_id": D1}), "", ""])
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    sub = read_submission(path, DOCS)
    assert [(d.doc_id, d.line) for d in sub.documents.values()] == [(D0, 2), (D1, 4)]


def test_bom_before_the_first_object(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"doc_id": D0}).encode())
    assert list(read_submission(path, DOCS).documents) == [D0]


def test_list_of_dicts_source_and_integral_floats():
    sub = read_submission([{"doc_id": D0, "quotes": [{"start": 1.0, "end": 4, "id": 7.0, "confidence": 0.3,
                                                       "note": None}]}], DOCS)
    q = sub.documents[D0].quotes[0]
    assert (q.start, q.end) == (1, 4) and type(q.start) is int
    assert sub.path == "<predictions>"


def test_labels_are_canonical_shared_strings():
    sub = read_submission(lines({"doc_id": D0, "quotes": [{"start": 0, "end": 1, "stance": "favor", "type": "partial"}]}),
                          DOCS)
    q = sub.documents[D0].quotes[0]
    assert q.stance == "favor" and q.type == "partial"


def test_text_occurrence_chooses_among_repeats():
    t = DOCS[D2]
    first = t.index("Trump")
    second = t.index("Trump", first + 1)
    sub = read_submission(lines({"doc_id": D2, "quotes": [{"text": "Trump", "occurrence": 2}]}), DOCS)
    assert (sub.documents[D2].quotes[0].start, sub.documents[D2].quotes[0].end) == (second, second + 5)


def test_extra_bookkeeping_keys_allowed():
    sub = read_submission(lines({"doc_id": D0, "note": "run 3", "quotes": [
        {"start": 0, "end": 2, "id": "a", "note": "n", "confidence": 1}]}), DOCS)
    assert len(sub.documents[D0].quotes) == 1


# -- one problem, one precise message ---------------------------------------------------------------------------

@pytest.mark.parametrize("obj, expected", [
    ({"doc_id": D0, "stnace": "favor"},
     "<predictions>:1: stnace: unknown key here; did you mean 'stance', a key of each quote in \"quotes\"?"),
    ({"doc_id": D0, "outlte": "CNN"}, "<predictions>:1: outlte: unknown key; did you mean 'outlet'?"),
    ({"doc_id": D0, "zzz": 1}, "<predictions>:1: zzz: unknown key; allowed: doc_id, note, outlet, published, quotes"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "outlet": "CNN"}]},
     "quotes[0].outlet: unknown key here; did you mean 'outlet', a key of the document line?"),
    ({"doc_id": "nope"}, f'<predictions>:1: doc_id: unknown document "nope": not one of the {len(DOCS)} documents being scored'),
    ({"doc_id": D0[:-1]}, f"did you mean {D0!r}?"),
    ({"outlet": "CNN"}, "<predictions>:1: doc_id: missing"),
    ({"doc_id": 3}, "<predictions>:1: doc_id: expected a string, got an integer"),
    ({"doc_id": D0, "outlet": 5}, "<predictions>:1: outlet: expected a string or null, got an integer"),
    ({"doc_id": D0, "published": "2024-02-30"}, '<predictions>:1: published: not a real calendar date: "2024-02-30"'),
    ({"doc_id": D0, "published": "9 Nov 2016"}, "published: not a date in YYYY-MM-DD form"),
    ({"doc_id": D0, "published": "20161109"}, "published: not a date in YYYY-MM-DD form"),
    ({"doc_id": D0, "published": 20161109}, "published: expected a date string YYYY-MM-DD or null, got an integer"),
    ({"doc_id": D0, "quotes": {"start": 1}}, "<predictions>:1: quotes: expected an array (or null), got an object"),
    ({"doc_id": D0, "quotes": ["x"]}, "<predictions>:1: quotes[0]: expected an object, got a string"),
    ({"doc_id": D0, "quotes": [{}]}, "quotes[0]: no locator: give start and end, or text, or quote_id"),
    ({"doc_id": D0, "quotes": [{"start": 1, "end": 3, "text": "x"}]},
     "quotes[0]: more than one locator (start/end and text): give exactly one"),
    ({"doc_id": D3, "quotes": [{"text": "Peskov", "quote_id": f"{D3}-q01"}]},
     "quotes[0]: more than one locator (text and quote_id): give exactly one"),
    ({"doc_id": D0, "quotes": [{"start": 1}]}, "quotes[0].end: missing: start is given, so end is required too"),
    ({"doc_id": D0, "quotes": [{"end": 1}]}, "quotes[0].start: missing: end is given, so start is required too"),
    ({"doc_id": D0, "quotes": [{"start": True, "end": 4}]}, "quotes[0].start: expected an integer, got a boolean true"),
    ({"doc_id": D0, "quotes": [{"start": "1", "end": 4}]}, 'quotes[0].start: expected an integer, got a string "1"'),
    ({"doc_id": D0, "quotes": [{"start": 1.5, "end": 4}]}, "quotes[0].start: expected an integer, got a number with a fraction: 1.5"),
    ({"doc_id": D0, "quotes": [{"start": -1, "end": 4}]}, "quotes[0].start: negative offset -1"),
    ({"doc_id": D0, "quotes": [{"start": 5, "end": 2}]}, "quotes[0].start: reversed span: start 5 > end 2"),
    ({"doc_id": D0, "quotes": [{"start": 5, "end": 5}]}, "quotes[0].start: empty span: start = end = 5"),
    ({"doc_id": D3, "quotes": [{"start": 5, "end": len(DOCS[D3]) + 1}]},
     f"quotes[0].end: offset {len(DOCS[D3]) + 1} is past the end of the article ({len(DOCS[D3])} characters)"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 10 ** 30}]}, "quotes[0].end: offset 1000000000000000000000000000000 is past the end"),
    ({"doc_id": D0, "quotes": [{"text": "   "}]}, "quotes[0].text: empty text"),
    ({"doc_id": D0, "quotes": [{"text": 5}]}, "quotes[0].text: expected a string, got an integer"),
    ({"doc_id": D2, "quotes": [{"text": "Trump", "occurrence": 0}]}, "quotes[0].occurrence: must be 1 or more (1 = first), got 0"),
    ({"doc_id": D2, "quotes": [{"text": "VPost.", "occurrence": 4}]}, "quotes[0].occurrence: 4 asked, but the text is found only 3 time(s)"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "occurrence": 1}]}, "quotes[0].occurrence: only allowed together with a text locator"),
    ({"doc_id": D3, "quotes": [{"quote_id": f"{D3}-q99"}]}, f'quotes[0].quote_id: unknown gold quote id "{D3}-q99"'),
    ({"doc_id": D3, "quotes": [{"quote_id": f"{D2}-q01"}]}, f"quotes[0].quote_id: '{D2}-q01' is a quote of another document"),
    ({"doc_id": D3, "quotes": [{"quote_id": 1}]}, "quotes[0].quote_id: expected a string, got an integer"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "speaker": ["Putin"]}]}, "quotes[0].speaker: expected a string or null, got an array"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "speaker_start": 4}]}, "quotes[0].speaker_end: missing: speaker_start is given"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "speaker_start": 9, "speaker_end": 4}]}, "quotes[0].speaker_start: reversed span"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "stance": "FAVOR"}]}, "quotes[0].stance: unknown label \"FAVOR\": labels are lowercase ('favor')"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "stance": "positive"}]}, "quotes[0].stance: unknown label \"positive\": expected one of favor, against, neutral, none or null"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "stance": 1}]}, "quotes[0].stance: expected one of favor, against, neutral, none or null, got an integer"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "type": "quote"}]}, "quotes[0].type: unknown label \"quote\""),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "spaeker": "x"}]}, "quotes[0].spaeker: unknown key; did you mean 'speaker'?"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "confidence": "high"}]}, "quotes[0].confidence: expected a number, got a string"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "id": True}]}, "quotes[0].id: expected a string or an integer, got a boolean"),
    ({"doc_id": D0, "note": 1}, "note: expected a string or null, got an integer"),
])
def test_single_problem_message(obj, expected):
    assert expected in one_problem(obj)


@pytest.mark.parametrize("obj, expected", [
    ({"doc_id": D0, "quotes": [{"text": "zq zq zq"}]},
     '<predictions>:1: quotes[0].text: not found in the article; no similar passage: "zq zq zq"'),
    ({"doc_id": D2, "quotes": [{"text": "Trump"}]}, 'quotes[0].text: ambiguous: found 17 places equally good (at offsets 74, 285, 1274, 1809, 1998, ...)'),
])
def test_strict_refuses_what_the_default_forgives(obj, expected):
    assert expected in one_problem(obj, strict=True)
    read_submission(lines(obj), DOCS, GOLD_IDS)          # the default: scored (and warned about), not refused


def test_quote_id_repeated_within_a_document():
    found = problems_of(lines({"doc_id": D3, "quotes": [{"quote_id": f"{D3}-q01"}, {"quote_id": f"{D3}-q01"}]}),)
    assert found == [f"<predictions>:1: quotes[1].quote_id: duplicate: '{D3}-q01' already predicted at quotes[0]"]


def test_duplicate_doc_id_names_first_line():
    found = problems_of(lines({"doc_id": D0}, {"doc_id": D1}, {"doc_id": D0}))
    assert found == [f"<predictions>:3: doc_id: duplicate: '{D0}' already predicted on line 1"]


def test_all_problems_collected_with_lines_in_file_order():
    found = problems_of(lines(
        {"doc_id": D0, "quotes": [{"start": 1}, {"start": 0, "end": 3, "stance": "yes"}]},
        {"doc_id": D1, "published": "2017-13-01"},
    ))
    assert [p.split(": ")[0:2] for p in found] == [
        ["<predictions>:1", "quotes[0].end"], ["<predictions>:1", "quotes[1].stance"], ["<predictions>:2", "published"]]


def test_problem_cap():
    found = problems_of(lines(*({"doc_id": f"x{i}"} for i in range(100))), max_problems=7)
    assert len(found) == 8
    assert found[-1] == "<predictions>: stopped after 7 problems (fix these, or raise max_problems to see more)"


def test_name_option_labels_problems():
    assert problems_of(lines({"doc_id": "x"}), name="run.jsonl")[0].startswith("run.jsonl:1: doc_id: ")


# -- file-level problems -----------------------------------------------------------------------------------------

def write(tmp_path, data: bytes) -> Path:
    path = tmp_path / "sub.jsonl"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, expected", [
    (json.dumps([{"doc_id": D0}]).encode(), "file: the file is a JSON array, not JSON Lines"),
    (b'[\n  {"doc_id": "x"}\n]\n', "file: the file looks like a JSON array spread over several lines"),
    (b'{\n  "doc_id": "x"\n}\n', "file: the file looks like pretty-printed JSON"),
    (b"doc_id,outlet,published\n000,CNN,2016-11-09\n", "file: the file is not JSON Lines (one JSON object per line, starting with '{'); it looks like CSV/TSV"),
    (b"hello world\n", "it looks like plain text"),
    (b"<html>\n", "it looks like XML/HTML"),
    (b'"just a string"\n', "its first line is a string, not a JSON object"),
    ('{"doc_id": "x"}'.encode("utf-16"), "file: the file is UTF-16, not UTF-8"),
])
def test_not_jsonl_said_once(tmp_path, data, expected):
    found = problems_of(write(tmp_path, data))
    assert len(found) == 1 and expected in found[0], found
    assert found[0].startswith(f"{tmp_path / 'sub.jsonl'}:1: file: ")


def test_invalid_json_line_reported_with_column_and_reading_continues(tmp_path):
    data = (json.dumps({"doc_id": D0}) + "\n" + '{"doc_id": "' + D1 + '",}\n' + '{"doc_id": 5}\n').encode()
    found = problems_of(write(tmp_path, data))
    assert found[0] == f"{tmp_path / 'sub.jsonl'}:2: json: invalid JSON: Expecting property name enclosed in double quotes (column {len(D1) + 15})"
    assert found[1].endswith(":3: doc_id: expected a string, got an integer")


def test_non_utf8_bytes_reported_with_line(tmp_path):
    data = json.dumps({"doc_id": D0}).encode() + b"\n" + b'{"doc_id": "\xff\xfe"}\n'
    found = problems_of(write(tmp_path, data))
    assert found == [f"{tmp_path / 'sub.jsonl'}:2: encoding: not valid UTF-8: byte 0xff at byte 13 of the line"]


def test_truncated_file(tmp_path):
    data = json.dumps({"doc_id": D0, "quotes": [{"start": 1, "end": 2}]}).encode()[:-7]
    found = problems_of(write(tmp_path, data))
    assert len(found) == 1 and ":1: json: invalid JSON: " in found[0]


def test_nan_and_infinity_rejected():
    assert "json: invalid JSON: NaN is not valid JSON" in problems_of(['{"doc_id": "' + D0 + '", "outlet": NaN}'])[0]


def test_huge_integer_literal_is_a_problem_not_a_crash():
    found = problems_of(['{"doc_id": "' + D0 + '", "quotes": [{"start": 1, "end": ' + "9" * 5000 + '}]}'])
    assert len(found) == 1 and ": json: invalid JSON: " in found[0]


def test_missing_file():
    found = problems_of("/nonexistent/preds.jsonl")
    assert found == ["/nonexistent/preds.jsonl: file: cannot read the submission: No such file or directory"]


# -- size caps ---------------------------------------------------------------------------------------------------

def test_line_byte_cap_checked_before_parsing(tmp_path):
    big = json.dumps({"doc_id": D0, "outlet": "x" * 5000})
    data = (big + "\n" + json.dumps({"doc_id": "nope"}) + "\n").encode()
    found = problems_of(write(tmp_path, data), max_line_bytes=1000)
    assert found[0].endswith(":1: line: longer than max_line_bytes=1000 bytes; not parsed")
    assert ":2: doc_id: unknown document" in found[1]      # reading resumed at the next line
    # the same through an iterable of lines
    assert problems_of([big], max_line_bytes=1000)[0].endswith("longer than max_line_bytes=1000 bytes; not parsed")


def test_line_without_final_newline_at_cap(tmp_path):
    data = json.dumps({"doc_id": D0}).encode()
    assert list(read_submission(write(tmp_path, data), DOCS, max_line_bytes=len(data)).documents) == [D0]
    found = problems_of(write(tmp_path, data), max_line_bytes=len(data) - 1)
    assert "longer than max_line_bytes" in found[0]


def test_quote_count_cap():
    found = problems_of(lines({"doc_id": D0, "quotes": [{"start": 0, "end": 1}] * 11}), max_quotes_per_doc=10)
    assert found == ["<predictions>:1: quotes: 11 quotes, more than max_quotes_per_doc=10; not checked"]


def test_deep_nesting_rejected_without_recursion(tmp_path):
    deep = '{"doc_id": "' + D0 + '", "note": ' + "[" * 200_000 + "]" * 200_000 + "}"
    found = problems_of(write(tmp_path, (deep + "\n").encode()), max_line_bytes=10**7)
    assert found[0].endswith(":1: line: values nested 200001 levels deep (limit max_depth=16; a valid line nests 3); not parsed")
    shallow_but_invalid = '{"doc_id": "' + D0 + '", "note": [[[[1]]]]}'
    assert "note: expected a string or null, got an array" in problems_of([shallow_but_invalid])[0]


def test_nesting_depth_ignores_brackets_in_strings():
    assert _nesting_depth(b'{"a": "[[[[{{{{", "b": [1, {"c": "]]]"}]}') == 3
    assert _nesting_depth(b'{"a": "\\"[[[["}') == 1


# -- the published JSON Schema gives the same verdicts ------------------------------------------------------------

VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())

# (line, comment). All of these are decidable by the schema: the harness must agree on valid/invalid.
SCHEMA_CASES = [
    ({"doc_id": D0}, "minimal"),
    ({"doc_id": D0, "outlet": None, "published": None, "quotes": None}, "nulls"),
    ({"doc_id": D0, "outlet": "CNN", "published": "2016-11-09", "note": "x",
      "quotes": [{"start": 0, "end": 5, "speaker": "Putin", "speaker_start": 1, "speaker_end": 3, "stance": "favor",
                  "type": "direct", "id": 3, "note": None, "confidence": 0.5}]}, "everything"),
    ({"doc_id": D0, "quotes": [{"start": 0.0, "end": 5.0}]}, "integral floats are integers"),
    ({"doc_id": D0, "quotes": [{"text": "Moscow (CNN)"}]}, "text locator"),
    ({"doc_id": D3, "quotes": [{"quote_id": f"{D3}-q01", "stance": None, "type": None}]}, "quote_id locator"),
    ({"doc_id": D2, "quotes": [{"text": "Trump", "occurrence": 1}]}, "occurrence"),
    ({"doc_id": D0, "extra": 1}, "unknown top-level key"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "stnace": "favor"}]}, "unknown quote key"),
    ({"outlet": "CNN"}, "no doc_id"),
    ({"doc_id": 5}, "doc_id not a string"),
    ({"doc_id": D0, "outlet": 5}, "outlet not a string"),
    ({"doc_id": D0, "published": "2016-02-30"}, "impossible date"),
    ({"doc_id": D0, "published": "2016-11-9"}, "short date"),
    ({"doc_id": D0, "published": "20161109"}, "basic ISO form"),
    ({"doc_id": D0, "quotes": {}}, "quotes not an array"),
    ({"doc_id": D0, "quotes": [[]]}, "quote not an object"),
    ({"doc_id": D0, "quotes": [{}]}, "no locator"),
    ({"doc_id": D0, "quotes": [{"start": 0}]}, "start without end"),
    ({"doc_id": D0, "quotes": [{"end": 3, "text": "Moscow (CNN)"}]}, "end without start plus text"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "text": "Moscow"}]}, "two locators"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "occurrence": 1}]}, "occurrence without text"),
    ({"doc_id": D0, "quotes": [{"text": "Moscow (CNN)", "occurrence": 0}]}, "occurrence 0"),
    ({"doc_id": D0, "quotes": [{"start": True, "end": 3}]}, "boolean offset"),
    ({"doc_id": D0, "quotes": [{"start": -2, "end": 3}]}, "negative offset"),
    ({"doc_id": D0, "quotes": [{"start": 0.5, "end": 3}]}, "fractional offset"),
    ({"doc_id": D0, "quotes": [{"text": ""}]}, "empty text"),
    ({"doc_id": D0, "quotes": [{"text": " \n "}]}, "blank text"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "stance": "Favor"}]}, "label case"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "type": "quote"}]}, "unknown type"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "speaker": 1}]}, "speaker not a string"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "speaker_end": 5}]}, "speaker_end alone"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "id": 1.5}]}, "fractional id"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 3, "confidence": True}]}, "boolean confidence"),
    ({"doc_id": D0, "note": ["x"]}, "note not a string"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 1}] * 10_001}, "more quotes than the default cap"),
    ([{"doc_id": D0}], "an array line"),
    ("doc_id", "a string line"),
]


@pytest.mark.parametrize("obj, comment", SCHEMA_CASES, ids=[c for _, c in SCHEMA_CASES])
def test_schema_and_harness_agree(obj, comment):
    schema_errors = list(VALIDATOR.iter_errors(obj))
    # a non-first line, so that file sniffing (which the schema knows nothing about) does not apply
    source = [json.dumps({"doc_id": D1}), json.dumps(obj)]
    try:
        read_submission(source, DOCS, GOLD_IDS)
        harness_problems = []
    except InputError as err:
        harness_problems = err.problems
    assert bool(schema_errors) == bool(harness_problems), (schema_errors, harness_problems)
    for problem in harness_problems:          # the harness names the line and the field
        assert problem.startswith("<predictions>:2: ")


@pytest.mark.parametrize("obj, harness_says", [
    ({"doc_id": "nope"}, "unknown document"),
    ({"doc_id": D0, "quotes": [{"start": 0, "end": 10 ** 9}]}, "past the end of the article"),
    ({"doc_id": D0, "quotes": [{"start": 5, "end": 2}]}, "reversed span"),
    ({"doc_id": D0, "quotes": [{"text": "not in the article at all"}]}, "not found in the article"),
    ({"doc_id": D2, "quotes": [{"text": "Trump"}]}, "ambiguous"),
    ({"doc_id": D3, "quotes": [{"quote_id": "nope"}]}, "unknown gold quote id"),
])
def test_what_the_schema_cannot_check_is_documented_and_caught(obj, harness_says):
    assert not list(VALIDATOR.iter_errors(obj))
    assert harness_says in one_problem(obj, strict=True)
    description = SCHEMA["description"]
    for topic in ("doc_id names one of the documents", "within the article", "found in the article",
                  "quote_id is a gold quote"):
        assert topic in description


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# -- the fast path and the checked path agree ------------------------------------------------------------------

def test_fast_path_and_slow_path_give_identical_quotes():
    common = [{"start": 0, "end": 9, "speaker": "Putin", "stance": "favor"},
              {"end": 30, "start": 12, "type": "partial"},
              {"start": 40, "end": 52, "speaker": None, "stance": None, "type": None},
              {"stance": "none", "start": 60, "end": 61, "speaker": "Putin"}]
    fast = read_submission([{"doc_id": D0, "quotes": common}], DOCS).documents[D0]
    # a text locator sends the whole document through the per-quote checks
    slow = read_submission([{"doc_id": D0, "quotes": common + [{"text": "Moscow (CNN)"}]}], DOCS).documents[D0]
    assert slow.quotes[:4] == fast.quotes
    assert fast.fields == slow.fields == {"quotes", "speaker", "stance", "type"}
    assert fast.quotes[0].speaker is fast.quotes[3].speaker          # one shared string object per name


@pytest.mark.parametrize("bad_quote, message", [
    ({"start": 0, "end": 9, "stance": ["favor"]}, "quotes[1].stance: expected one of"),
    ({"start": 0, "end": 9, "speaker": 3}, "quotes[1].speaker: expected a string or null"),
    ({"start": 9, "end": 0}, "quotes[1].start: reversed span"),
    ({"start": 0, "end": 9, "type": "direct "}, "quotes[1].type: unknown label"),
    ({"start": False, "end": 9}, "quotes[1].start: expected an integer, got a boolean"),
])
def test_fast_path_falls_back_to_reporting(bad_quote, message):
    found = problems_of([json.dumps({"doc_id": D0, "quotes": [{"start": 0, "end": 3}, bad_quote]})])
    assert len(found) == 1 and message in found[0], found

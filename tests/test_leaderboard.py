"""The leaderboard: determinism, ranking and tie rule, escaping of hostile metadata, invalid entries, oracle rows,
size caps, exact p-values against the best baseline."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from html.parser import HTMLParser

import pytest
from report_inputs import gold_submission, hostile_submission, write_jsonl

from benchmark.cli import main
from benchmark.errors import InputError
from benchmark.reports.leaderboard import OUTPUT_FILES, build_leaderboard, read_meta, write_leaderboard

N_BOOT = 50
HOSTILE_TEAM = "<script>alert(1)</script>"
HOSTILE_NAME = "| ** |"
HOSTILE_DESCRIPTION = "uses [links](javascript:alert(1)) and <img src=x onerror=alert(1)> _emphasis_ `code`\nnew line"


def make_folder(root, hostile: bool = True):
    folder = root / "submissions"
    folder.mkdir()
    write_jsonl(folder / "perfect.jsonl", gold_submission())
    write_jsonl(folder / "partial.jsonl", hostile_submission())
    if hostile:
        (folder / "partial.meta.json").write_text(json.dumps({
            "team": HOSTILE_TEAM, "name": HOSTILE_NAME, "description": HOSTILE_DESCRIPTION,
            "date": "2024-12-01", "link": "https://example.org/x?a=1&b=2"}), encoding="utf-8")
    (folder / "broken.jsonl").write_text('{"doc_id": "no-such-doc", "quotes": []}\n', encoding="utf-8")
    (folder / "README.txt").write_text("not a submission", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def board_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("lb")
    folder = make_folder(root)
    out = root / "out"
    assert main(["leaderboard", str(folder), "-o", str(out), "--no-baselines", "--n-boot", str(N_BOOT)]) == 0
    return folder, out


def read(out, name):
    return (out / name).read_text(encoding="utf-8")


def test_writes_four_files_and_ranks_by_overall(board_dir):
    _, out = board_dir
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    board = json.loads(read(out, "leaderboard.json"))
    assert [e["id"] for e in board["ranked"]] == ["perfect", "partial"]
    assert [e["rank"] for e in board["ranked"]] == [1, 2]
    assert board["ranked"][0]["overall"] == pytest.approx(1.0)
    assert board["ranked"][0]["overall"] > board["ranked"][1]["overall"]
    assert board["signature"].startswith("kremlin-reactions|data:") and f"boot:{N_BOOT}/" in board["signature"]
    assert board["best_baseline"] is None and board["oracle"] == []
    assert all(e["comparison"] is None for e in board["ranked"])
    assert board["ignored_files"] == ["README.txt"]
    iv = board["ranked"][1]["intervals"]["overall"]
    assert iv["low"] <= board["ranked"][1]["overall"] <= iv["high"]


def test_invalid_submission_listed_with_its_error_others_ranked(board_dir):
    _, out = board_dir
    board = json.loads(read(out, "leaderboard.json"))
    assert [e["id"] for e in board["invalid"]] == ["broken"]
    assert board["invalid"][0]["errors"][0].startswith("broken.jsonl:1: doc_id: unknown document")
    assert "broken.jsonl:1: doc\\_id: unknown document" in read(out, "leaderboard.md")
    assert "broken.jsonl:1: doc_id: unknown document" in read(out, "leaderboard.html")
    rows = list(csv.DictReader(io.StringIO(read(out, "leaderboard.csv"))))
    assert [r["section"] for r in rows] == ["ranked", "ranked", "invalid"]
    assert rows[2]["error"].startswith("broken.jsonl:1: doc_id")


def test_same_inputs_byte_identical_outputs(board_dir, tmp_path):
    folder, out = board_dir
    # same submissions at another path, and the files created in the other order
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    for name in sorted(os.listdir(folder), reverse=True):
        shutil.copy(folder / name, copy / name)
    out2 = tmp_path / "out2"
    assert main(["leaderboard", str(copy), "-o", str(out2), "--no-baselines", "--n-boot", str(N_BOOT)]) == 0
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (out2 / name).read_bytes(), name
    assert str(tmp_path) not in read(out2, "leaderboard.json")


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_names_render_as_text_in_html(board_dir):
    _, out = board_dir
    html_text = read(out, "leaderboard.html")
    assert HOSTILE_TEAM not in html_text and "<img" not in html_text
    p = Elements()
    p.feed(html_text)
    assert "script" not in p.tags and "img" not in p.tags
    text = "".join(p.text)
    assert HOSTILE_TEAM in text and HOSTILE_NAME in text
    assert "<img src=x onerror=alert(1)>" in text
    assert p.hrefs == ["https://example.org/x?a=1&b=2"]          # the one http(s) link, attribute-escaped
    assert 'href="https://example.org/x?a=1&amp;b=2"' in html_text


def _md_cells(line: str) -> list[str]:
    """Split a Markdown table row on unescaped pipes (what a renderer does)."""
    cells, current, escaped = [], "", False
    for c in line.strip()[1:-1]:
        if c == "|" and not escaped:
            cells.append(current)
            current = ""
        else:
            current += c
        escaped = c == "\\" and not escaped
    return cells + [current]


def test_hostile_names_render_as_text_in_markdown(board_dir):
    _, out = board_dir
    text = read(out, "leaderboard.md")
    assert HOSTILE_TEAM not in text and "<img" not in text and "](javascript" not in text
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in text
    assert "\\| \\*\\* \\|" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    header = _md_cells(table[0])
    for line in table[1:]:
        if line.startswith("| rank") or line.startswith("| entry"):
            header = _md_cells(line)
            continue
        assert len(_md_cells(line)) == len(header), line
    # the newline inside the description does not break the list item
    entry_lines = [line for line in text.splitlines() if "emphasis" in line]
    assert len(entry_lines) == 1 and "\\_emphasis\\_" in entry_lines[0] and "\\`code\\`" in entry_lines[0]


def test_csv_neutralises_formulas(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", gold_submission())
    (folder / "a.meta.json").write_text(json.dumps({"team": "=HYPERLINK(\"http://x\")", "name": "+1"}),
                                        encoding="utf-8")
    write_leaderboard(build_leaderboard(folder, baselines=False, n_boot=10), tmp_path / "o")
    row = next(csv.DictReader(io.StringIO(read(tmp_path / "o", "leaderboard.csv"))))
    assert row["team"] == "'=HYPERLINK(\"http://x\")" and row["name"] == "'+1"


def test_ties_share_a_rank_and_are_listed_by_entry_id(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    for name in ("zeta", "alpha", "mid"):
        write_jsonl(folder / f"{name}.jsonl", hostile_submission())
    write_jsonl(folder / "best.jsonl", gold_submission())
    write_jsonl(folder / "last.jsonl", [{"doc_id": d["doc_id"]} for d in gold_submission()])
    board = build_leaderboard(folder, baselines=False, n_boot=10)
    assert [e["id"] for e in board["ranked"]] == ["best", "alpha", "mid", "zeta", "last"]
    assert [e["rank"] for e in board["ranked"]] == [1, 2, 2, 2, 5]          # competition ranking
    assert len({e["overall"] for e in board["ranked"][1:4]}) == 1
    assert "share a rank (1, 2, 2, 4)" in board["ranking_rule"] and board["rank_by"] == "overall"


def test_competition_ranks_by_hand():
    from benchmark.reports.leaderboard import competition_ranks, rank_value

    assert competition_ranks([]) == []
    assert competition_ranks([0.5]) == [1]
    assert competition_ranks([0.9, 0.5, 0.5, 0.1]) == [1, 2, 2, 4]
    assert competition_ranks([0.5, 0.5, 0.5]) == [1, 1, 1]
    assert competition_ranks([1.0, 0.9, 0.8, 0.8, 0.8, 0.1]) == [1, 2, 3, 3, 3, 6]
    # equal within 1e-12: floating-point noise never separates two scores
    assert rank_value({"overall": 0.1 + 0.2}, "overall") == rank_value({"overall": 0.3}, "overall")
    assert rank_value({"quotes": {"overlap": {"f1": 0.5}}}, "quotes.overlap.f1") == 0.5
    assert rank_value({}, "attribution.f1") == 0.0                 # no number: counts 0


def quotes_only(submission: list[dict]) -> list[dict]:
    """Only the spans: what a quote-detection assignment asks for (overall is then 0)."""
    return [{"doc_id": d["doc_id"], "quotes": [{"start": q["start"], "end": q["end"]} for q in d["quotes"]]}
            for d in submission]


def test_rank_by_a_headline_metric(tmp_path):
    """On a quotes-only assignment a perfect quote extractor ranks first by quotes.overlap.f1 (by overall it would
    score 0, below the floor); the comparison with the best baseline uses the same metric."""
    folder = tmp_path / "s"
    folder.mkdir()
    write_jsonl(folder / "spans.jsonl", quotes_only(gold_submission()))
    write_jsonl(folder / "half.jsonl", quotes_only([dict(d, quotes=d["quotes"][::2]) for d in gold_submission()]))
    out = tmp_path / "o"
    assert main(["leaderboard", str(folder), "-o", str(out), "--rank-by", "quotes.overlap.f1",
                 "--n-boot", str(N_BOOT)]) == 0
    board = json.loads(read(out, "leaderboard.json"))
    assert board["rank_by"] == "quotes.overlap.f1" and "quotes.overlap.f1 descending" in board["ranking_rule"]
    values = [e["rank_value"] for e in board["ranked"]]
    assert values == sorted(values, reverse=True)
    spans = next(e for e in board["ranked"] if e["id"] == "spans")
    assert spans["rank"] == 1 and spans["rank_value"] == 1.0 and spans["overall"] == 0.0
    assert spans["not_attempted"] == ["attribution", "stance", "date", "outlet"]
    best = next(e for e in board["ranked"] if e["id"] == board["best_baseline"])
    assert best["rank_value"] == max(e["rank_value"] for e in board["ranked"] if e["kind"] == "baseline")
    c = spans["comparison"]
    assert c["metric"] == "quotes.overlap.f1"
    assert c["difference"] == pytest.approx(1.0 - best["rank_value"])
    assert [d["value"] for d in c["per_document"]] == [1.0] * board["n_documents"]
    md_text = read(out, "leaderboard.md")
    assert "Ranking: quotes.overlap.f1 descending" in md_text and "on quotes.overlap.f1" in md_text
    assert "not attempted: attribution, stance, date, outlet" in md_text
    assert "quotes.overlap.f1 +" in md_text or "quotes.overlap.f1 -" in md_text
    html_text = read(out, "leaderboard.html")
    assert "\u0394 quotes.overlap.f1" in html_text and "on quotes.overlap.f1" in html_text
    rows = list(csv.DictReader(io.StringIO(read(out, "leaderboard.csv"))))
    assert all(r["rank_by"] == "quotes.overlap.f1" for r in rows)
    assert next(r for r in rows if r["id"] == "spans")["rank_value"] == "1.0"


def test_rank_by_a_metric_that_is_not_a_column_gets_its_own(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", gold_submission())
    board = build_leaderboard(folder, baselines=False, n_boot=0, rank_by="quotes.chars.f1")
    write_leaderboard(board, tmp_path / "o")
    assert "| rank | entry | team | quotes.chars.f1 |" in read(tmp_path / "o", "leaderboard.md")


def test_rank_by_an_unknown_key_exits_2_listing_the_keys(tmp_path, capsys):
    folder = tmp_path / "s"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", gold_submission())
    assert main(["leaderboard", str(folder), "-o", str(tmp_path / "o"), "--rank-by", "quotes.f1"]) == 2
    err = capsys.readouterr().err
    assert "--rank-by: unknown metric 'quotes.f1'; one of: overall, quotes.overlap.f1," in err
    assert "attribution.f1" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
    with pytest.raises(InputError):
        build_leaderboard(folder, rank_by="nope")


def test_size_cap_symlink_and_metadata_problems(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    write_jsonl(folder / "big.jsonl", gold_submission())
    write_jsonl(folder / "ok.jsonl", hostile_submission())
    write_jsonl(folder / "typo.jsonl", hostile_submission())
    (folder / "typo.meta.json").write_text('{"teem": "x", "link": "javascript:alert(1)"}', encoding="utf-8")
    (folder / "orphan.meta.json").write_text('{"team": "t"}', encoding="utf-8")
    (folder / "badjson.jsonl").write_text("", encoding="utf-8")
    (folder / "badjson.meta.json").write_text('{"team": "t",}', encoding="utf-8")
    os.symlink(folder / "ok.jsonl", folder / "link.jsonl")
    limit = (folder / "ok.jsonl").stat().st_size + 10
    assert (folder / "big.jsonl").stat().st_size > limit
    board = build_leaderboard(folder, baselines=False, n_boot=10, max_bytes=limit)
    assert [e["id"] for e in board["ranked"]] == ["ok"]
    errors = {e["id"]: e["errors"] for e in board["invalid"]}
    assert sorted(errors) == ["badjson", "big", "link", "orphan", "typo"]
    assert "over the cap" in errors["big"][0] and "--max-bytes" in errors["big"][0]
    assert "symbolic link" in errors["link"][0]
    assert "metadata without a submission orphan.jsonl" in errors["orphan"][0]
    assert errors["typo"][0] == "typo.meta.json:1: teem: unknown key (allowed: team, name, description, date, link)"
    assert errors["typo"][1].startswith("typo.meta.json:1: link: only absolute http:// or https:// URLs")
    assert errors["badjson"][0].startswith("badjson.meta.json:1: json: invalid JSON")


def test_read_meta_rules(tmp_path):
    path = tmp_path / "m.meta.json"
    for text, problem in [
        ('[1]', "expected a JSON object"),
        ('{"team": 3}', "team: expected a string"),
        ('{"date": "1 Dec 2024"}', "date: expected YYYY-MM-DD"),
        ('{"name": "' + "x" * 101 + '"}', "name: 101 characters, over the limit of 100"),
        ('{"team": "a", "team": "b"}', "repeated key 'team'"),
        ('{"team": NaN}', "NaN is not valid JSON"),
        ('{"link": "https://ok.org/\\"onmouseover=x"}', "link: only absolute"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as err:
            read_meta(path, "m.meta.json")
        assert problem in "\n".join(err.value.problems), text
    path.write_text('{"team": "T", "date": "2024-02-29", "link": null}', encoding="utf-8")
    assert read_meta(path, "m.meta.json") == {"team": "T", "date": "2024-02-29"}
    path.write_bytes(b"{" + b" " * (64 * 1024) + b"}")
    with pytest.raises(InputError, match="over the cap"):
        read_meta(path, "m.meta.json")


def test_unwritable_output_and_odd_file_names(tmp_path, capsys):
    folder = tmp_path / "s"
    folder.mkdir()
    write_jsonl(folder / "new\nline.jsonl", gold_submission())
    write_jsonl(folder / os.fsdecode(b"bad\xff.jsonl"), gold_submission())
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output folder should go", encoding="utf-8")
    assert main(["leaderboard", str(folder), "-o", str(blocker), "--no-baselines", "--n-boot", "10"]) == 2
    assert "cannot write the leaderboard" in capsys.readouterr().err
    assert main(["leaderboard", str(folder), "-o", str(tmp_path / "o"), "--no-baselines", "--n-boot", "10"]) == 0
    board = json.loads(read(tmp_path / "o", "leaderboard.json"))
    assert [e["id"] for e in board["ranked"]] == ["new\nline"]
    assert board["ignored_files"] == ["bad\\xff.jsonl (file name is not UTF-8)"]
    md_text = read(tmp_path / "o", "leaderboard.md")
    assert "| 1 | new line (file new line.jsonl) |" in md_text


def test_bad_folder_exits_2(tmp_path, capsys):
    assert main(["leaderboard", str(tmp_path / "missing"), "-o", str(tmp_path / "o")]) == 2
    assert "no such folder" in capsys.readouterr().err
    f = tmp_path / "file.jsonl"
    f.write_text("{}", encoding="utf-8")
    assert main(["leaderboard", str(f), "-o", str(tmp_path / "o")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_with_baselines_oracles_apart_and_exact_p(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    write_jsonl(folder / "perfect.jsonl", gold_submission())
    out = tmp_path / "o"
    assert main(["leaderboard", str(folder), "-o", str(out), "--n-boot", str(N_BOOT)]) == 0
    board = json.loads(read(out, "leaderboard.json"))
    n = board["n_documents"]
    assert board["best_baseline"].startswith("baseline:")
    assert all(e["kind"] in ("submission", "baseline") for e in board["ranked"])
    assert board["oracle"] and all(e["kind"] == "oracle" and e["rank"] is None for e in board["oracle"])
    ranked_ids = {e["id"] for e in board["ranked"]}
    assert not ranked_ids & {e["id"] for e in board["oracle"]}
    best = next(e for e in board["ranked"] if e["id"] == board["best_baseline"])
    assert best["comparison"] is None
    assert best["overall"] == max(e["overall"] for e in board["ranked"] if e["kind"] == "baseline")
    perfect = board["ranked"][0]
    assert perfect["id"] == "perfect"
    c = perfect["comparison"]
    # the perfect submission wins every document: the exact two-sided p is then its minimum, 2 / 2^n
    assert (c["wins"], c["losses"], c["ties"]) == (n, 0, 0)
    assert c["p_randomisation"] == pytest.approx(2 / 2 ** n) and c["exact"] and c["n_permutations"] == 2 ** n
    assert board["min_two_sided_p"] == pytest.approx(2 / 2 ** n)
    md_text = read(out, "leaderboard.md")
    assert "p < 0.05 is impossible" in md_text and "minimum is 0.0625" in md_text
    oracle_at = md_text.index("## Oracle rows")
    for e in board["oracle"]:
        assert md_text.index(e["name"].replace("+", "\\+")) > oracle_at
    assert "significant" in md_text and "not evidence of a significant difference" in md_text
    # baselines included: still byte-identical on a second run
    out2 = tmp_path / "o2"
    assert main(["leaderboard", str(folder), "-o", str(out2), "--n-boot", str(N_BOOT)]) == 0
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (out2 / name).read_bytes(), name


def test_a_submission_covering_both_splits_is_ranked_not_invalid(tmp_path):
    """As with `kremlin-reactions score`, documents of the other split are ignored, not an error."""
    from benchmark.dataset import read_rows
    from benchmark.reports.leaderboard import build_leaderboard

    rows = read_rows("documents", "all")
    assert {d["doc_id"] for d in rows} > {d["doc_id"] for d in read_rows("documents", "test")}
    (tmp_path / "both.jsonl").write_text(
        "".join(json.dumps({"doc_id": d["doc_id"], "outlet": None}) + "\n" for d in rows), encoding="utf-8")
    board = build_leaderboard(tmp_path, split="test", baselines=False, n_boot=0)
    assert [e["id"] for e in board["ranked"]] == ["both"] and board["invalid"] == []

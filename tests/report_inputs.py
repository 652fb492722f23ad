"""Submissions built from the shipped gold, for the leaderboard, report and browser tests (not a test module).

`gold_submission` is a perfect Track A submission; `hostile_submission` mixes every mark status (matched, wrong
speaker, wrong stance, missed, spurious, nested and overlapping spans) and carries script payloads in the
strings a submission controls (speaker names, outlet).
"""
from __future__ import annotations

import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from benchmark.dataset import read_rows
from benchmark.reports.error_report import STATUSES

PWNED = "PWNED"
SCRIPT_PAYLOAD = f"<script>document.title='{PWNED}'</script>"
IMG_PAYLOAD = f"<img src=x onerror=\"document.title='{PWNED}'\">"
TRACK_A = ("direct", "partial")


def gold_rows(split: str = "test") -> tuple[list[dict], list[dict]]:
    return read_rows("documents", split), read_rows("quotes", split)


def counted_gold(quotes: list[dict], doc_id: str) -> list[dict]:
    """The gold Track A units the scorer counts in one document, in text order."""
    return sorted((q for q in quotes if q["doc_id"] == doc_id and q["type"] in TRACK_A and not q["optional"]
                   and not q["in_boilerplate"]), key=lambda q: (q["start"], q["end"]))


def gold_submission(split: str = "test") -> list[dict]:
    """Every counted gold quote with its speaker and stance, and the gold date and outlet: a perfect score."""
    docs, quotes = gold_rows(split)
    out = []
    for d in docs:
        out.append({"doc_id": d["doc_id"], "outlet": d["outlet"],
                    "published": d["published"].isoformat() if d["published"] else None,
                    "quotes": [{"start": q["start"], "end": q["end"], "speaker": q["speaker"], "stance": q["stance"],
                                "type": q["type"]} for q in counted_gold(quotes, d["doc_id"])]})
    return out


def _other_stance(stance: str) -> str:
    return "against" if stance != "against" else "favor"


def hostile_submission(split: str = "test") -> list[dict]:
    """Document 1: matched, wrong speaker (a script), wrong stance, a spurious span overlapping a missed one
    (an <img onerror>), a spurious span nested inside a matched one; document 2: half its quotes; document 3:
    nothing but a hostile outlet."""
    docs, quotes = gold_rows(split)
    first, second, third = docs[0], docs[1], docs[2]
    q = counted_gold(quotes, first["doc_id"])
    predictions = [
        {"start": q[0]["start"], "end": q[0]["end"], "speaker": q[0]["speaker"], "stance": q[0]["stance"]},
        {"start": q[1]["start"], "end": q[1]["end"], "speaker": SCRIPT_PAYLOAD, "stance": q[1]["stance"]},
        {"start": q[2]["start"], "end": q[2]["end"], "speaker": q[2]["speaker"],
         "stance": _other_stance(q[2]["stance"])},
        # q[3] is missed: this prediction only touches its first 3 characters (below the 0.5 overlap threshold)
        {"start": q[3]["start"] - 20, "end": q[3]["start"] + 3, "speaker": IMG_PAYLOAD, "stance": "none"},
        # nested inside the prediction of q[2]: spurious (q[2] is already matched)
        {"start": q[2]["start"] + 2, "end": q[2]["start"] + 6, "speaker": IMG_PAYLOAD, "stance": None},
        # wrong speaker and wrong stance at once
        {"start": q[4]["start"], "end": q[4]["end"], "speaker": "Nobody", "stance": _other_stance(q[4]["stance"])},
    ]
    q2 = counted_gold(quotes, second["doc_id"])
    half = [{"start": g["start"], "end": g["end"], "speaker": g["speaker"], "stance": g["stance"]}
            for g in q2[::2]]
    return [
        {"doc_id": first["doc_id"], "outlet": SCRIPT_PAYLOAD, "published": None, "quotes": predictions},
        {"doc_id": second["doc_id"], "outlet": None, "published": None, "quotes": half},
        {"doc_id": third["doc_id"], "outlet": IMG_PAYLOAD, "quotes": []},
    ]


def write_jsonl(path: Path, objects: list[dict]) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------------------
# reading a report page back (from the file, or from Chromium's --dump-dom)

class Page(HTMLParser):
    """Collects marks (per section and number: their classes), tags, elements, and each article's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = Counter()
        self.marks: dict[tuple[str, str], set[str]] = {}
        self.section = None
        self.article_depth = 0
        self.in_tag = 0
        self.articles: dict[str, list[str]] = {}
        self.title = ""
        self._in_title = False
        self.bp_fragments = 0
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements[tag] += 1
        classes = set((a.get("class") or "").split())
        if tag == "title":
            self._in_title = True
        if "href" in a:
            self.hrefs.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])
        if tag == "section":
            self.section = a.get("id")
            self.articles[self.section] = []
        if self.article_depth:
            self.article_depth += 1
            if tag == "a" and "tag" in classes:
                self.in_tag = self.article_depth
        elif tag == "div" and "article" in classes:
            self.article_depth = 1
        if tag == "span" and "m" in classes and self.section and self.article_depth:
            self.marks.setdefault((self.section, a["data-m"]), set()).update(classes & set(STATUSES))
        if tag == "span" and "bp" in classes and self.article_depth:
            self.bp_fragments += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if self.article_depth:
            if self.in_tag == self.article_depth:
                self.in_tag = 0
            self.article_depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self.article_depth and not self.in_tag:
            self.articles[self.section].append(data)


def parse(html_text: str) -> Page:
    p = Page()
    p.feed(html_text)
    return p


def status_counts(page: Page) -> dict[str, Counter]:
    """section id -> Counter of mark statuses ("matched", "wrong-speaker", ...; a pair wrong twice counts in both)."""
    out: dict[str, Counter] = {}
    for (section, _), statuses in page.marks.items():
        out.setdefault(section, Counter()).update(statuses)
    return out


def expected_counts(errors: dict) -> Counter:
    """What the scorer's errors say the page must show for one document."""
    return Counter({
        "matched": sum(1 for m in errors["matched"] if m["speaker_correct"] and m["stance_correct"]),
        "wrong-speaker": len(errors["wrong_speaker"]),
        "wrong-stance": len(errors["wrong_stance"]),
        "missed": len(errors["missed"]),
        "spurious": len(errors["spurious"]),
    })

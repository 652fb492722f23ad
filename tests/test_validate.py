"""`benchmark.corpus.validate`: the real annotations validate; every error kind is caught on a broken copy.

Each broken-copy case copies an annotations folder (the small made-up fixture, and the real `annotations/`) to
tmp_path, breaks one thing, and asserts that validation fails (exit 2 through the CLI, no traceback) with a line
naming the file, the annotation id and the field — and that the original folder is unchanged.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Callable

import pytest

from benchmark.cli import main
from benchmark.corpus import annotations as G
from benchmark.corpus.validate import validate
from benchmark.labels import TRACK_A_TYPES

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / "annotations"
SEEDS = REPO.parent / "shared" / "seeds"
FIXTURE = Path(__file__).parent / "fixtures" / "annotations_small"
ROOTS = {"fixture": FIXTURE, "real": REAL}


# --------------------------------------------------------------------------------------------- helpers
def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def copy_annotations(src: Path, dst: Path) -> Path:
    """Copy what defines one annotations folder (documents/, gold/, speakers.json), not the passes."""
    dst.mkdir(parents=True)
    shutil.copytree(src / "documents", dst / "documents")
    shutil.copytree(src / "gold", dst / "gold")
    shutil.copy2(src / "speakers.json", dst / "speakers.json")
    return dst


class Folder:
    """A copied annotations folder that a case may break."""

    def __init__(self, root: Path):
        self.root = root

    def gold_paths(self) -> list[Path]:
        return sorted((self.root / "gold").glob("*.json"))

    @staticmethod
    def load(path: Path):
        return json.loads(path.read_text(encoding="utf-8"))

    @staticmethod
    def save(path: Path, data) -> None:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def text(self, gold_path: Path) -> str:
        return (self.root / "documents" / f"{gold_path.stem}.txt").read_text(encoding="utf-8")

    def speakers_path(self) -> Path:
        return self.root / "speakers.json"

    def find(self, pred: Callable) -> tuple[Path, dict, int]:
        """First (gold file, data, quote index) whose quote satisfies pred(quote, data, text)."""
        for path in self.gold_paths():
            data, text = self.load(path), self.text(path)
            for i, q in enumerate(data["quotes"]):
                if pred(q, data, text):
                    return path, data, i
        pytest.fail("no quote suitable for this case in the folder")

    def edit_quote(self, pred: Callable, change: Callable) -> tuple[Path, str]:
        """Apply change(quote, data, text) to the first quote satisfying pred; return (file, quote id)."""
        path, data, i = self.find(pred)
        qid = data["quotes"][i]["id"]
        change(data["quotes"][i], data, self.text(path))
        self.save(path, data)
        return path, qid

    def edit_gold(self, change: Callable, index: int = 0, pred: Callable = lambda data: True) -> Path:
        path = [p for p in self.gold_paths() if pred(self.load(p))][index]
        data = self.load(path)
        change(data, self.text(path))
        self.save(path, data)
        return path

    def edit_speakers(self, change: Callable) -> Path:
        data = self.load(self.speakers_path())
        change(data["speakers"])
        self.save(self.speakers_path(), data)
        return self.speakers_path()


def line_after(path: Path, needle: str, after: str | None = None) -> int:
    """1-based line of the first line containing `needle` at or after the line containing `after`."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def any_quote(q, data, text):
    return True


def track_a(q, data, text):
    return q["type"] in TRACK_A_TYPES


def regions_of(data) -> list[tuple[int, int]]:
    return [(r["start"], r["end"]) for r in data["boilerplate"]]


def clear_of_regions(q, data, text, margin: int = 1) -> bool:
    return all(q["end"] + margin <= s or e <= q["start"] - margin for s, e in regions_of(data))


# --------------------------------------------------------------------------------------------- the cases
CASES: dict[str, Callable[[Folder], list[str]]] = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def stance_label(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(stance="pro"))
    line = line_after(path, '"stance"', after=f'"id": "{qid}"')
    return [f"{path}:{line}: {qid}: stance: 'pro' is not one of favor, against, neutral, none"]


@case
def type_label(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(type="quotation"))
    line = line_after(path, '"type"', after=f'"id": "{qid}"')
    return [f"{path}:{line}: {qid}: type: 'quotation' is not one of direct, partial, indirect"]


@case
def start_is_string(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(start=str(q["start"])))
    return [str(path), f"{qid}: start: expected integer, got string"]


@case
def start_is_float(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(start=float(q["start"])))
    return [str(path), f"{qid}: start: expected integer, got number"]


@case
def flag_is_string(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(in_boilerplate="no"))
    return [str(path), f"{qid}: in_boilerplate: expected boolean, got string 'no'"]


@case
def mention_is_list(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(speaker_mention=[1, 2]))
    return [str(path), f"{qid}: speaker_mention: expected object or null, got array"]


@case
def unknown_field_typo(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(stnce=q.pop("stance")))
    line = line_after(path, '"stnce"', after=f'"id": "{qid}"')
    return [f"{path}:{line}: {qid}: stnce: unknown field (did you mean 'stance'?)"]


@case
def unknown_top_level_field(f):
    path = f.edit_gold(lambda d, t: d.update(quote=[]))
    return [str(path), "document: quote: unknown field (did you mean 'quotes'?)"]


@case
def missing_field(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.pop("cue"))
    return [str(path), f"{qid}: cue: missing required field"]


@case
def negative_start(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(start=-1))
    return [str(path), f"{qid}: start: -1 must be >= 0"]


@case
def span_shifted(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(start=q["start"] + 1, end=q["end"] + 1))
    return [str(path), f"{qid}: text: text[", "not the stored"]


@case
def stored_text_edited(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(text=q["text"][:-1] + "\u2603"))
    line = line_after(path, '"text"', after=f'"id": "{qid}"')
    return [f"{path}:{line}: {qid}: text:", "not the stored", "first difference at character"]


@case
def end_beyond_text(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(end=len(t) + 10))
    return [str(path), f"{qid}: end: span", "ends beyond the text"]


@case
def start_not_before_end(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(start=q["end"]))
    return [str(path), f"{qid}: start: start", "must be smaller than end"]


@case
def mention_span_wrong(f):
    def change(q, d, t):
        q["speaker_mention"]["start"] += 1
    path, qid = f.edit_quote(lambda q, d, t: q["speaker_mention"] is not None, change)
    return [str(path), f"{qid}: speaker_mention.text: text["]


@case
def cue_span_wrong(f):
    def change(q, d, t):
        q["cue"]["end"] += 1
    path, qid = f.edit_quote(lambda q, d, t: q["cue"] is not None, change)
    return [str(path), f"{qid}: cue.text: text["]


@case
def span_starts_with_whitespace(f):
    def change(q, d, t):
        q["start"] -= 1
        q["text"] = t[q["start"]:q["end"]]
    path, qid = f.edit_quote(lambda q, d, t: q["start"] > 0 and t[q["start"] - 1].isspace(), change)
    return [str(path), f"{qid}: start: the span starts or ends with whitespace"]


@case
def duplicate_id(f):
    def change(d, t):
        d["quotes"][1]["id"] = d["quotes"][0]["id"]
    path = f.edit_gold(change, pred=lambda d: len(d["quotes"]) >= 2)
    qid = f.load(path)["quotes"][0]["id"]
    return [str(path), f"{qid}: id: duplicate id"]


@case
def duplicate_span(f):
    def change(d, t):
        d["quotes"].append({**copy.deepcopy(d["quotes"][0]), "id": "zz99"})
    path = f.edit_gold(change)
    return [str(path), "zz99: start: same span"]


@case
def unknown_speaker(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(speaker="nobody_at_all"))
    return [str(path), f"{qid}: speaker: 'nobody_at_all' is not in speakers.json"]


@case
def speaker_from_another_document(f):
    registry = f.load(f.speakers_path())["speakers"]
    scoped = next(s for s in registry if s["doc_id"])
    path, qid = f.edit_quote(lambda q, d, t: d["doc_id"] != scoped["doc_id"],
                             lambda q, d, t: q.update(speaker=scoped["id"]))
    return [str(path), f"{qid}: speaker: '{scoped['id']}' is scoped to document '{scoped['doc_id']}'"]


@case
def mention_not_an_alias(f):
    path, data, i = f.find(lambda q, d, t: q["speaker_mention"] is not None)
    q = data["quotes"][i]
    norm = lambda s: " ".join(s.split()).casefold()

    def change(speakers):
        sp = next(s for s in speakers if s["id"] == q["speaker"])
        sp["aliases"] = [a for a in sp["aliases"] if norm(a) != norm(q["speaker_mention"]["text"])] or ["zzz"]
    f.edit_speakers(change)
    return [str(path), f"{q['id']}: speaker_mention.text:", f"is not an alias of '{q['speaker']}'"]


@case
def optional_without_reason(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(optional=True, optional_reason=None))
    return [str(path), f"{qid}: optional_reason: optional is true: give a one-line reason"]


@case
def reason_without_optional(f):
    path, qid = f.edit_quote(lambda q, d, t: not q["optional"], lambda q, d, t: q.update(optional_reason="unclear"))
    return [str(path), f"{qid}: optional_reason: a reason is given but optional is false"]


@case
def nested_in_unknown(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(nested_in="zz_missing"))
    return [str(path), f"{qid}: nested_in: no quote with id 'zz_missing'"]


@case
def nested_in_itself(f):
    path, qid = f.edit_quote(any_quote, lambda q, d, t: q.update(nested_in=q["id"]))
    return [str(path), f"{qid}: nested_in: a quote cannot be nested in itself"]


@case
def nested_in_not_enclosing(f):
    def pred(q, d, t):
        return track_a(q, d, t) and any(track_a(o, d, t) and (o["end"] <= q["start"] or q["end"] <= o["start"])
                                        for o in d["quotes"])

    def change(q, d, t):
        outer = next(o for o in d["quotes"] if track_a(o, d, t) and (o["end"] <= q["start"] or q["end"] <= o["start"]))
        q["nested_in"] = outer["id"]
    path, qid = f.edit_quote(pred, change)
    return [str(path), f"{qid}: nested_in: span", "is not inside"]


@case
def nested_in_track_b(f):
    def pred(q, d, t):
        return track_a(q, d, t) and any(o["type"] == "indirect" for o in d["quotes"])

    def change(q, d, t):
        q["nested_in"] = next(o["id"] for o in d["quotes"] if o["type"] == "indirect")
    path, qid = f.edit_quote(pred, change)
    return [str(path), f"{qid}: nested_in:", "is Track B"]


@case
def in_boilerplate_true_outside(f):
    path, qid = f.edit_quote(lambda q, d, t: not q["in_boilerplate"] and clear_of_regions(q, d, t),
                             lambda q, d, t: q.update(in_boilerplate=True))
    return [str(path), f"{qid}: in_boilerplate: is true but the span is in no boilerplate region"]


@case
def in_boilerplate_false_inside(f):
    path, qid = f.edit_quote(lambda q, d, t: q["in_boilerplate"], lambda q, d, t: q.update(in_boilerplate=False))
    return [str(path), f"{qid}: in_boilerplate: is false but the span is inside boilerplate["]


@case
def span_crosses_region(f):
    def change(q, d, t):
        d["boilerplate"].append({"start": q["start"] + 1, "end": q["end"] + 1, "kind": "promo", "head": t[q["start"] + 1]})
    path, qid = f.edit_quote(lambda q, d, t: clear_of_regions(q, d, t) and q["end"] - q["start"] > 2, change)
    return [str(path), f"{qid}: start: span", "crosses the edge of boilerplate["]


@case
def region_head_wrong(f):
    def change(d, t):
        head = d["boilerplate"][0]["head"]
        d["boilerplate"][0]["head"] = ("Z" if head[0] != "Z" else "Y") + head[1:]
    path = f.edit_gold(change, pred=lambda d: d["boilerplate"])
    line = line_after(path, '"head"')
    return [f"{path}:{line}: boilerplate[0]: head: the region starts with"]


@case
def regions_overlap(f):
    def change(d, t):
        r = d["boilerplate"][0]
        d["boilerplate"].append({**r, "start": r["start"] + 1, "head": t[r["start"] + 1]})
    path = f.edit_gold(change, pred=lambda d: d["boilerplate"])
    n = len(f.load(path)["boilerplate"]) - 1
    return [str(path), f"boilerplate[{n}]: region", "overlaps boilerplate[0]"]


@case
def region_kind(f):
    path = f.edit_gold(lambda d, t: d["boilerplate"][0].update(kind="footer"), pred=lambda d: d["boilerplate"])
    return [str(path), "boilerplate[0]: kind: 'footer' is not one of navigation, video_widget"]


@case
def region_beyond_text(f):
    path = f.edit_gold(lambda d, t: d["boilerplate"][-1].update(end=len(t) + 5), pred=lambda d: d["boilerplate"])
    n = len(f.load(path)["boilerplate"]) - 1
    return [str(path), f"boilerplate[{n}]: end: region", "ends beyond the text"]


@case
def region_missing_head(f):
    path = f.edit_gold(lambda d, t: d["boilerplate"][0].pop("head"), pred=lambda d: d["boilerplate"])
    return [str(path), "boilerplate[0]: head: missing required field"]


@case
def sha_mismatch(f):
    path = f.edit_gold(lambda d, t: d.update(text_sha256="0" * 64))
    return [f"{path}:3: document: text_sha256: does not match documents/{path.stem}.txt"]


@case
def sha_malformed(f):
    path = f.edit_gold(lambda d, t: d.update(text_sha256="abc"))
    return [str(path), "document: text_sha256: 'abc' is not 64 lowercase hex digits"]


@case
def doc_id_mismatch(f):
    path = f.edit_gold(lambda d, t: d.update(doc_id="999_other"))
    return [f"{path}:2: document: doc_id: '999_other' does not match the file name '{path.stem}'"]


@case
def date_invalid(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(published="2024-02-30"))
    line = line_after(path, '"published"')
    return [f"{path}:{line}: metadata: published: '2024-02-30' is not a valid date YYYY-MM-DD"]


@case
def date_not_iso(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(published="6 November 2024"))
    return [str(path), "metadata: published: '6 November 2024' is not an ISO date YYYY-MM-DD"]


@case
def date_evidence_label(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(date_evidence="guessed"))
    return [str(path), "metadata: date_evidence: 'guessed' is not one of explicit, inferred, external"]


@case
def outlet_evidence_label(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(outlet_evidence="implicit"))
    return [str(path), "metadata: outlet_evidence: 'implicit' is not one of explicit, external"]


@case
def metadata_missing_outlet(f):
    path = f.edit_gold(lambda d, t: d["metadata"].pop("outlet"))
    return [str(path), "metadata: outlet: missing required field"]


@case
def metadata_missing_outlet_says_what_to_write(f):
    path = f.edit_gold(lambda d, t: d["metadata"].pop("outlet"))
    return [str(path), "metadata: outlet: missing required field: the publisher as named in the text"]


@case
def split_missing(f):
    path = f.edit_gold(lambda d, t: d["metadata"].pop("split"))
    return [str(path), "metadata: split: missing required field: the split the article belongs to"]


@case
def split_not_a_name(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(split="Private Set"))
    line = line_after(path, '"split"')
    return [f"{path}:{line}: metadata: split: 'Private Set' is not a split name: a lowercase letter, then "
            "up to 31 lowercase letters, digits or _"]


@case
def split_reserved(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(split="all"))
    return [str(path), "metadata: split: 'all' is reserved (`--split all` means every split)"]


@case
def doc_id_not_an_id(f):
    path = f.edit_gold(lambda d, t: d.update(doc_id="my article"))
    return [str(path), "document: doc_id: 'my article' is not a document id: letters, digits and _"]


@case
def metadata_empty_headline(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(headline=""))
    return [str(path), "metadata: headline: must not be empty"]


@case
def metadata_no_outlet_aliases(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(outlet_aliases=[]))
    return [str(path), "metadata: outlet_aliases: needs at least 1 item"]


@case
def metadata_authors_type(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(authors="Someone"))
    return [str(path), "metadata: authors: expected array, got string 'Someone'"]


@case
def metadata_url(f):
    path = f.edit_gold(lambda d, t: d["metadata"].update(url="www.example.org/x"))
    return [str(path), "metadata: url: 'www.example.org/x' is not an http(s):// URL"]


@case
def metadata_not_object(f):
    path = f.edit_gold(lambda d, t: d.update(metadata="none"))
    return [str(path), ": metadata: expected object, got string 'none'"]


@case
def metadata_missing(f):
    path = f.edit_gold(lambda d, t: d.pop("metadata"))
    return [str(path), ":1: metadata: missing required field"]


@case
def quotes_not_a_list(f):
    path = f.edit_gold(lambda d, t: d.update(quotes={}))
    return [str(path), "document: quotes: expected array, got object"]


@case
def quote_not_an_object(f):
    path = f.edit_gold(lambda d, t: d["quotes"].append("hello"))
    n = len(f.load(path)["quotes"]) - 1
    return [str(path), f"quotes[{n}]: expected object, got string 'hello'"]


@case
def top_level_list(f):
    path = f.gold_paths()[0]
    path.write_text("[]\n", encoding="utf-8")
    return [f"{path}:1: expected a JSON object at the top level, got array"]


@case
def top_level_null(f):
    path = f.gold_paths()[-1]
    path.write_text("null\n", encoding="utf-8")
    return [f"{path}:1: expected a JSON object at the top level, got null"]


@case
def invalid_json(f):
    path = f.gold_paths()[0]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace('",', '"', 1)  # drop the comma after "doc_id": "..."
    path.write_text("".join(lines), encoding="utf-8")
    return [f"{path}:3: invalid JSON: Expecting ',' delimiter"]


@case
def empty_file(f):
    path = f.gold_paths()[0]
    path.write_bytes(b"")
    return [f"{path}:1: invalid JSON: Expecting value"]


@case
def gold_not_utf8(f):
    path = f.gold_paths()[0]
    raw = path.read_bytes()
    i = raw.index(b'"headline"')
    path.write_bytes(raw[:i + 13] + b"\xff" + raw[i + 13:])
    line = raw[:i].count(b"\n") + 1
    return [f"{path}:{line}: not valid UTF-8 (byte 0xff"]


@case
def document_not_utf8(f):
    path = sorted((f.root / "documents").glob("*.txt"))[0]
    path.write_bytes(path.read_bytes() + b"\n\xfe\n")
    return [str(path), "not valid UTF-8 (byte 0xfe"]


@case
def duplicate_key(f):
    path, data, i = f.find(any_quote)
    qid = data["quotes"][i]["id"]
    text = path.read_text(encoding="utf-8")
    at = text.index(f'"id": "{qid}"')
    m = re.compile(r'\n(\s*"stance": "[a-z]+",)').search(text, at)
    path.write_text(text[:m.end()] + m.group(0) + text[m.end():], encoding="utf-8")
    line = text[:m.end()].count("\n") + 2
    return [f"{path}:{line}: {qid}: stance: duplicate key"]


@case
def gold_file_missing(f):
    path = f.gold_paths()[-1]
    path.unlink()
    return [f"{f.root / 'documents' / (path.stem + '.txt')}:1: no gold file"]


@case
def text_file_missing(f):
    path = f.gold_paths()[0]
    (f.root / "documents" / f"{path.stem}.txt").unlink()
    return [f"{path}:1: no text file"]


@case
def speakers_missing(f):
    f.speakers_path().unlink()
    return [f"{f.speakers_path()}:1: file not found"]


@case
def speakers_invalid_json(f):
    f.speakers_path().write_text('{"speakers": [\n  {"id": "x",}\n]}\n', encoding="utf-8")
    return [f"{f.speakers_path()}:2: invalid JSON"]


@case
def speakers_wrong_top_level(f):
    f.speakers_path().write_text('{"speaker": []}\n', encoding="utf-8")
    return [f"{f.speakers_path()}:1: speaker: unknown field (did you mean 'speakers'?)"]


@case
def speaker_duplicate_id(f):
    path = f.edit_speakers(lambda sp: sp.append(copy.deepcopy(sp[0])))
    sid = f.load(path)["speakers"][0]["id"]
    return [str(path), f"{sid}: id: duplicate speaker id"]


@case
def speaker_kind(f):
    path = f.edit_speakers(lambda sp: sp[0].update(kind="robot"))
    sid = f.load(path)["speakers"][0]["id"]
    return [str(path), f"{sid}: kind: 'robot' is not one of person, anonymous, organization, group, other"]


@case
def speaker_id_pattern(f):
    path = f.edit_speakers(lambda sp: sp.append({**copy.deepcopy(sp[0]), "id": "Bad-Id", "aliases": ["zz unique"]}))
    return [str(path), "Bad-Id: id: 'Bad-Id' is not lowercase letters, digits and _ only"]


@case
def speaker_shared_alias(f):
    registry = f.load(f.speakers_path())["speakers"]
    g0, g1 = [s for s in registry if s["doc_id"] is None][:2]
    path = f.edit_speakers(lambda sp: next(s for s in sp if s["id"] == g1["id"])["aliases"].append(g0["aliases"][0].upper()))
    k = len(g1["aliases"])
    return [str(path), f"{g1['id']}: aliases[{k}]: alias", f"is also an alias of global speaker '{g0['id']}'"]


@case
def speaker_anonymous_not_scoped(f):
    registry = f.load(f.speakers_path())["speakers"]
    anon = next(s for s in registry if s["kind"] == "anonymous")
    path = f.edit_speakers(lambda sp: next(s for s in sp if s["id"] == anon["id"]).update(doc_id=None))
    return [str(path), f"{anon['id']}: doc_id: an anonymous speaker is document-scoped"]


@case
def speaker_scope_prefix(f):
    registry = f.load(f.speakers_path())["speakers"]
    scoped = next(s for s in registry if s["doc_id"])
    other = next(p.stem for p in f.gold_paths() if p.stem[:3] != scoped["doc_id"][:3])
    path = f.edit_speakers(lambda sp: next(s for s in sp if s["id"] == scoped["id"]).update(doc_id=other))
    return [str(path), f"{scoped['id']}: id: a document-scoped speaker id must start with 'd{other[:3]}_'"]


@case
def speaker_unknown_document(f):
    path = f.edit_speakers(lambda sp: next(s for s in sp if s["doc_id"]).update(doc_id="555_nowhere"))
    return [str(path), "doc_id: no document '555_nowhere' in documents/"]


@case
def speaker_missing_description(f):
    path = f.edit_speakers(lambda sp: sp[0].pop("description"))
    sid = f.load(path)["speakers"][0]["id"]
    return [str(path), f"{sid}: description: missing required field"]


@case
def speaker_unknown_field(f):
    path = f.edit_speakers(lambda sp: sp[0].update(alias=["x"]))
    sid = f.load(path)["speakers"][0]["id"]
    return [str(path), f"{sid}: alias: unknown field (did you mean 'aliases'?)"]


@case
def speaker_no_aliases(f):
    path = f.edit_speakers(lambda sp: sp[0].update(aliases=[]))
    sid = f.load(path)["speakers"][0]["id"]
    return [str(path), f"{sid}: aliases: needs at least 1 item"]


def unique_scoped_speaker(f) -> dict:
    """A document-scoped speaker whose name no other speaker of its document has."""
    registry = f.load(f.speakers_path())["speakers"]
    names = [(s["doc_id"], s["name"].casefold()) for s in registry]
    return next(s for s in registry if s["doc_id"] and names.count((s["doc_id"], s["name"].casefold())) == 1)


@case
def speaker_disambiguator_without_namesake(f):
    sid = unique_scoped_speaker(f)["id"]
    path = f.edit_speakers(lambda sp: next(s for s in sp if s["id"] == sid).update(disambiguator="the first"))
    return [str(path), f"{sid}: disambiguator: no other speaker of document", "a disambiguator tells namesakes apart"]


@case
def speaker_disambiguator_repeated(f):
    s0 = unique_scoped_speaker(f)
    twin = {**copy.deepcopy(s0), "id": s0["id"] + "_twin", "disambiguator": "The First"}

    def change(sp):
        next(s for s in sp if s["id"] == s0["id"])["disambiguator"] = "the first"
        sp.append(twin)
    path = f.edit_speakers(change)
    return [str(path), f"{twin['id']}: disambiguator: same disambiguator as '{s0['id']}'"]


@case
def speaker_disambiguator_type(f):
    path = f.edit_speakers(lambda sp: sp[0].update(disambiguator=2))
    sid = f.load(path)["speakers"][0]["id"]
    return [str(path), f"{sid}: disambiguator: expected string or null, got integer 2"]


# --------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("root_name", list(ROOTS))
@pytest.mark.parametrize("case_name", list(CASES))
def test_broken_copy_is_reported(tmp_path, capsys, root_name, case_name):
    src = ROOTS[root_name]
    before = snapshot(src)
    root = copy_annotations(src, tmp_path / "annotations")
    expected = CASES[case_name](Folder(root))

    result = validate(root)
    assert not result.ok
    assert any(all(e in line for e in expected) for line in result.problems), \
        f"expected a line with {expected}; got:\n" + "\n".join(result.problems)

    assert main(["validate", str(root)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert any(all(e in line for e in expected) for line in captured.err.splitlines())
    assert "Traceback" not in captured.err
    assert snapshot(src) == before, "validation must never change the original annotations"


@pytest.mark.parametrize("root_name", list(ROOTS))
def test_original_folder_validates_ok(root_name, capsys):
    result = validate(ROOTS[root_name])
    assert result.ok, "\n".join(result.problems)
    assert main(["validate", str(ROOTS[root_name])]) == 0
    out = capsys.readouterr().out
    n = len(list((ROOTS[root_name] / "gold").glob("*.json")))
    assert out.startswith(f"ok: {ROOTS[root_name]}: {n} documents (")
    assert "total" in out and "favor" in out and "in_boilerplate" in out


def test_split_counts_and_warnings(tmp_path, capsys):
    """The ok line counts documents per split; an unused speaker and an article without quotes are warnings (on
    stderr, exit 0), never failures."""
    root = copy_annotations(FIXTURE, tmp_path / "annotations")
    f = Folder(root)
    f.edit_gold(lambda d, t: d["metadata"].update(split="private"), index=1)
    f.edit_speakers(lambda speakers: speakers.append({"id": "nobody_at_all", "name": "Nobody", "kind": "person",
                                                      "aliases": ["Nobody"], "description": "never quoted",
                                                      "doc_id": None}))
    path = f.edit_gold(lambda d, t: d.update(quotes=[d["quotes"][0]]), index=0)   # its speakers now unused...
    result = validate(root)
    assert result.ok, result.problems
    assert result.counts["splits"] == {"test": 1, "private": 1}
    speakers_path = f.speakers_path()
    line = line_after(speakers_path, '"nobody_at_all"')
    assert f"{speakers_path}:{line}: warning: nobody_at_all: id: unused speaker: no quote has this speaker; " \
           "remove it or attribute the quotes it was meant for" in result.warnings
    used = {q["speaker"] for p in f.gold_paths() for q in f.load(p)["quotes"]}
    unused = {s["id"] for s in f.load(speakers_path)["speakers"]} - used
    assert {w.split(": ")[2] for w in result.warnings if "unused speaker" in w} == unused and len(unused) >= 2
    f.edit_gold(lambda d, t: d.update(quotes=[]), index=0)
    result = validate(root)
    assert result.ok and f"{path}:{line_after(path, chr(34) + 'quotes' + chr(34))}: warning: document: quotes: no quotes " \
        "annotated yet" in " ".join(result.warnings)
    assert main(["validate", str(root)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"ok: {root}: 2 documents (test 1, private 1), ")
    assert "warning(s)" in captured.out.splitlines()[0]
    assert all(line.split(": ")[1] == "warning" for line in captured.err.splitlines()) and "unused speaker" in captured.err


def test_real_speaker_names_are_what_a_reader_calls_the_source():
    """No `name` carries an article id or a parenthesised tag ("another official (002)"): distinctness is the
    speaker id's and `doc_id`'s job, and namesakes of one article are told apart by distinct disambiguators."""
    registry = json.loads((REAL / "speakers.json").read_text(encoding="utf-8"))["speakers"]
    doc_ids = [p.stem for p in (REAL / "documents").glob("*.txt")]
    for s in registry:
        assert "(" not in s["name"] and ")" not in s["name"], s["name"]
        for doc_id in doc_ids:
            assert doc_id not in s["name"] and not re.search(rf"\b{doc_id[:3]}\b", s["name"]), s["name"]
    namesakes: dict[tuple, list[dict]] = {}
    for s in registry:
        namesakes.setdefault((s["doc_id"], s["name"].casefold()), []).append(s)
    pairs = [group for group in namesakes.values() if len(group) > 1]
    assert pairs, "002 has namesakes (two 'one source's): the check below must see them"
    for group in pairs:
        labels = [s.get("disambiguator") for s in group]
        assert all(labels) and len({x.casefold() for x in labels}) == len(labels), group


def test_real_documents_are_the_seeds_byte_for_byte():
    """Every seed text is in annotations/documents unchanged; any other text is an article added later (with its
    own gold, whose sha256 is checked like the seeds')."""
    docs = sorted((REAL / "documents").glob("*.txt"))
    assert [p.stem for p in docs] == [p.stem for p in sorted((REAL / "gold").glob("*.json"))]
    if SEEDS.is_dir():
        seeds = sorted(SEEDS.glob("*.txt"))
        assert len(seeds) == 5 and {p.name for p in seeds} <= {p.name for p in docs}
        for seed in seeds:
            assert (REAL / "documents" / seed.name).read_bytes() == seed.read_bytes(), seed.name
    for p in docs:
        gold = json.loads((REAL / "gold" / f"{p.stem}.json").read_text(encoding="utf-8"))
        assert gold["text_sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()


def test_all_problems_are_collected_and_sorted(tmp_path):
    root = copy_annotations(FIXTURE, tmp_path / "annotations")
    f = Folder(root)
    p1, q1 = f.edit_quote(any_quote, lambda q, d, t: q.update(stance="pro", start=q["start"] + 1))
    p2 = f.edit_gold(lambda d, t: d["metadata"].update(published="2024-13-01"), index=1)
    f.edit_speakers(lambda sp: sp[0].update(kind="robot"))
    problems = validate(root).problems
    assert any(f"{q1}: stance:" in line for line in problems)
    assert any(f"{q1}: text:" in line for line in problems)
    assert any(str(p2) in line and "published" in line for line in problems)
    assert any("speakers.json" in line and "kind: 'robot'" in line for line in problems)
    # one line per problem, FILE:LINE: prefix, sorted by line within each file
    for line in problems:
        assert re.match(r"^\S+:\d+: ", line), line
    lines_p1 = [int(line.split(":")[1]) for line in problems if line.startswith(f"{p1}:")]
    assert lines_p1 == sorted(lines_p1) and len(lines_p1) >= 2


def test_fixture_counts():
    counts = validate(FIXTURE).counts
    doc = counts["documents"]["900_bridge"]
    assert (doc["track_a"], doc["track_b"]) == (7, 1)
    assert doc["type"] == {"direct": 2, "partial": 5, "indirect": 1}
    assert doc["stance"] == {"favor": 5, "against": 1, "neutral": 1, "none": 1}
    assert (doc["optional"], doc["in_boilerplate"], doc["boilerplate_regions"], doc["speakers"]) == (1, 1, 2, 4)
    assert counts["total"]["track_a"] == 8 and counts["total"]["speakers"] == 5 and counts["registry_speakers"] == 5


def test_not_a_folder(tmp_path, capsys):
    assert validate(tmp_path / "missing").problems == [f"{tmp_path / 'missing'}:1: no such folder"]
    (tmp_path / "file.json").write_text("{}")
    assert not validate(tmp_path / "file.json").ok
    assert main(["validate", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_pass_folder_reads_the_shared_documents():
    assert G.resolve_documents_dir(FIXTURE / "passes" / "a") == FIXTURE / "documents"
    assert validate(FIXTURE / "passes" / "a").ok
    assert validate(FIXTURE / "passes" / "b", documents_dir=FIXTURE / "documents").ok


def test_explicit_documents_dir(tmp_path):
    root = tmp_path / "elsewhere"
    (root / "gold").mkdir(parents=True)
    for p in (FIXTURE / "gold").glob("*.json"):
        shutil.copy2(p, root / "gold" / p.name)
    shutil.copy2(FIXTURE / "speakers.json", root / "speakers.json")
    result = validate(root)
    assert not result.ok and any("documents:1: folder not found" in line for line in result.problems)
    assert validate(root, documents_dir=FIXTURE / "documents").ok


def test_read_annotations_for_a_pass_and_fingerprint():
    ann = G.read_annotations(FIXTURE / "passes" / "b")
    assert sorted(ann.documents) == ["900_bridge", "901_rain"]
    assert ann.documents["900_bridge"].text_path == FIXTURE / "documents" / "900_bridge.txt"
    assert ann.documents["900_bridge"].text.startswith("Home | World")
    # The fingerprint names files relative to the annotations folder, so a copy elsewhere hashes the same,
    # and any byte change in a gold file changes it.
    assert G.annotations_fingerprint(FIXTURE) != G.annotations_fingerprint(FIXTURE / "passes" / "b")


def test_fingerprint_is_location_independent_and_content_sensitive(tmp_path):
    root = copy_annotations(FIXTURE, tmp_path / "copy")
    assert G.annotations_fingerprint(root) == G.annotations_fingerprint(FIXTURE)
    f = Folder(root)
    f.edit_quote(any_quote, lambda q, d, t: q.update(note="changed"))
    assert G.annotations_fingerprint(root) != G.annotations_fingerprint(FIXTURE)


# --------------------------------------------------------------------------------------------- never a traceback
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


_FIXTURE_GOLD = json.loads((FIXTURE / "gold" / "900_bridge.json").read_text(encoding="utf-8"))
_FIXTURE_PATHS = list(_paths(_FIXTURE_GOLD))[1:]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.integers(0, len(_FIXTURE_PATHS) - 1), value=JSON_VALUES, delete=st.booleans())
def test_random_damage_never_raises(tmp_path_factory, where, value, delete):
    root = copy_annotations(FIXTURE, tmp_path_factory.mktemp("fuzz") / "annotations")
    data = copy.deepcopy(_FIXTURE_GOLD)
    path = _FIXTURE_PATHS[where]
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    Folder.save(root / "gold" / "900_bridge.json", data)
    result = validate(root)
    for line in result.problems:
        assert re.match(r"^\S+:\d+: \S", line), line
    if data != _FIXTURE_GOLD and not result.ok:
        assert any("900_bridge.json" in line for line in result.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_never_raise(tmp_path_factory, raw):
    root = copy_annotations(FIXTURE, tmp_path_factory.mktemp("bytes") / "annotations")
    (root / "gold" / "901_rain.json").write_bytes(raw)
    (root / "speakers.json").write_bytes(raw)
    result = validate(root)
    assert not result.ok
    assert all(re.match(r"^\S+:\d+: \S", line) for line in result.problems)

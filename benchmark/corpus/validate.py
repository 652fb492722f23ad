"""Validate an annotations folder (`kremlin-reactions validate [PATH]`).

Every problem is collected (never only the first) and reported as one line
`FILE:LINE: ID: FIELD: problem`, where LINE is the line of the JSON file on which that annotation or field
starts and ID is the quote id (`q07`), `boilerplate[2]`, `metadata`, `document` or a speaker id. Unreadable,
non-UTF-8 or invalid JSON files are problems too, never tracebacks.

Two layers of checks:
1. structure: a JSON Schema built from the closed label sets in `benchmark.corpus.annotations` (types of every field, required
   fields, unknown fields, labels, id patterns), checked with `jsonschema`;
2. meaning: hashes, spans against the text, ids, speakers and their scope and aliases, nesting, boilerplate
   regions, dates, and that every text has a gold file and vice versa.
"""
from __future__ import annotations

import argparse
import datetime
import difflib
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.corpus.annotations import MAX_ANNOTATION_BYTES, is_pass_folder, resolve_documents_dir, sha256_bytes
from benchmark.corpus.locate import find_all
from benchmark.corpus.positions import _FileContext, _load_json, _Report, _show, _type_name
from benchmark.corpus.schema import (
    DATE_PATTERN,
    DOC_ID_PATTERN,
    FIELD_GUIDANCE,
    ID_PATTERN,
    RESERVED_SPLITS,
    SHA256_PATTERN,
    SPEAKER_ID_PATTERN,
    SPLIT_PATTERN,
    URL_PATTERN,
    _validator_class,
    gold_schema,
    speakers_schema,
)
from benchmark.dataset import split_order
from benchmark.errors import InputError
from benchmark.labels import (
    QUOTE_TYPES,
    STANCES,
    TRACK_A_TYPES,
    TRACK_B_TYPES,
)
from benchmark.safe_io import FileRefused, for_terminal, read_bytes, size_text

HELP = "check an annotations folder (gold files, speakers, texts); print ok + counts or one line per problem"

def _schema_problems(ctx: _FileContext, schema: dict, report: _Report) -> set[tuple]:
    """Check `ctx.data` against `schema`; report each problem; return the paths that had one."""
    bad: set[tuple] = set()
    validator = _validator_class()(schema)  # schemas are small dicts; building them per file is cheap
    for err in validator.iter_errors(ctx.data):
        path = tuple(err.absolute_path)
        kind = err.validator
        if kind == "required":
            for key in err.validator_value:
                if isinstance(err.instance, dict) and key not in err.instance:
                    bad.add(path + (key,))
                    types = err.schema["properties"][key].get("type")
                    nullable = isinstance(types, list) and "null" in types
                    message = "missing required field (write null when there is none)" if nullable \
                        else "missing required field"
                    guidance = FIELD_GUIDANCE.get(path + (key,)) if ctx.kind == "gold" else None
                    ctx.add(report, path + (key,), f"{message}: {guidance}" if guidance else message)
            continue
        if kind == "additionalProperties":
            allowed = list(err.schema.get("properties", {}))
            for key in err.instance:
                if key not in allowed:
                    bad.add(path + (key,))
                    close = difflib.get_close_matches(key, allowed, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"
                    ctx.add(report, path + (key,), f"unknown field{hint}")
            continue
        bad.add(path)
        value = err.instance
        if kind == "type":
            want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
            msg = f"expected {' or '.join(want)}, got {_type_name(value)} {_show(value)}"
        elif kind == "enum":
            msg = f"{_show(value)} is not one of {', '.join(map(str, err.validator_value))}"
        elif kind == "minLength":
            msg = "must not be empty"
        elif kind == "minItems":
            msg = f"needs at least {err.validator_value} item(s)"
        elif kind == "minimum":
            msg = f"{_show(value)} must be >= {err.validator_value}"
        elif kind == "pattern":
            expected = {ID_PATTERN: "letters, digits and _ only", SPEAKER_ID_PATTERN: "lowercase letters, digits and _ only",
                        SHA256_PATTERN: "64 lowercase hex digits", DATE_PATTERN: "an ISO date YYYY-MM-DD",
                        URL_PATTERN: "an http(s):// URL",
                        DOC_ID_PATTERN: "a document id: letters, digits and _ (at most 64, no leading _)",
                        SPLIT_PATTERN: "a split name: a lowercase letter, then up to 31 lowercase letters, digits or _"
                        }.get(err.validator_value, f"matching {err.validator_value}")
            msg = f"{_show(value)} is not {expected}"
        else:  # pragma: no cover - the schemas use only the keywords above
            msg = err.message
        ctx.add(report, path, msg)
    return bad


# ------------------------------------------------------------------------------------------- the result
@dataclass
class ValidationResult:
    """Outcome of `validate`: `ok` when `problems` is empty; `counts` summarises what was read."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)       # worth a look, never a failure (e.g. unused speakers)

    def format_counts(self) -> str:
        """A compact table: one row per document plus a total row, one column per label."""
        docs = self.counts.get("documents", {})
        cols = [("A", "track_a"), ("B", "track_b")]
        cols += [(t, ("type", t)) for t in QUOTE_TYPES] + [(s, ("stance", s)) for s in STANCES]
        cols += [("optional", "optional"), ("in_boilerplate", "in_boilerplate"), ("regions", "boilerplate_regions"),
                 ("speakers", "speakers")]

        def cell(row: dict, key) -> str:
            return str(row[key[0]].get(key[1], 0) if isinstance(key, tuple) else row.get(key, 0))

        rows = [[doc_id] + [cell(c, k) for _, k in cols] for doc_id, c in docs.items()]
        if "total" in self.counts:
            rows.append(["total"] + [cell(self.counts["total"], k) for _, k in cols])
        header = ["document"] + [name for name, _ in cols]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        return "\n".join([fmt(header), *map(fmt, rows)])


def _norm(s: str) -> str:
    """Case-insensitive, whitespace-folded form used to compare speaker mentions with aliases."""
    return " ".join(s.split()).casefold()


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _abbrev(s: str, limit: int = 40) -> str:
    return repr(s if len(s) <= limit else s[:limit] + "…")


# ------------------------------------------------------------------------------------------- speakers.json
def _check_speakers(ctx: _FileContext, doc_ids: set[str], report: _Report) -> dict[str, dict] | None:
    """Check the registry; return {id: speaker} for the well-formed entries (None if unreadable)."""
    data = ctx.data
    bad = _schema_problems(ctx, speakers_schema(), report)
    if not isinstance(data, dict) or not isinstance(data.get("speakers"), list):
        return None
    by_id: dict[str, dict] = {}
    alias_owner: dict[str, str] = {}
    for i, sp in enumerate(data["speakers"]):
        if not isinstance(sp, dict):
            continue
        path = ("speakers", i)
        sid = sp.get("id")
        if isinstance(sid, str):
            if sid in by_id:
                ctx.add(report, path + ("id",), f"duplicate speaker id {sid!r}")
            else:
                by_id[sid] = sp
        doc_id = sp.get("doc_id")
        if isinstance(doc_id, str):
            if doc_ids and doc_id not in doc_ids:
                ctx.add(report, path + ("doc_id",), f"no document {doc_id!r} in documents/")
            m = re.match(r"^([0-9]{3})_", doc_id)
            if m and isinstance(sid, str) and not sid.startswith(f"d{m.group(1)}_"):
                ctx.add(report, path + ("id",), f"a document-scoped speaker id must start with 'd{m.group(1)}_'")
        elif sp.get("kind") == "anonymous" and doc_id is None and path + ("doc_id",) not in bad:
            ctx.add(report, path + ("doc_id",), "an anonymous speaker is document-scoped: set doc_id to its document")
        aliases = sp.get("aliases")
        if doc_id is None and isinstance(aliases, list) and isinstance(sid, str):
            for j, alias in enumerate(aliases):
                if not isinstance(alias, str):
                    continue
                owner = alias_owner.setdefault(_norm(alias), sid)
                if owner != sid:
                    ctx.add(report, path + ("aliases", j), f"alias {alias!r} is also an alias of global speaker {owner!r}")
    _check_disambiguators(ctx, data["speakers"], report)
    return by_id


def _check_disambiguators(ctx: _FileContext, speakers: list, report: _Report) -> None:
    """A `disambiguator` tells apart speakers of one scope (an article, or the global speakers) that share a name:
    it needs such a namesake, and namesakes that have one must not share it."""
    def key(sp: Any) -> tuple | None:
        ok = isinstance(sp, dict) and isinstance(sp.get("name"), str) and isinstance(sp.get("doc_id"), (str, type(None)))
        return (sp["doc_id"], _norm(sp["name"])) if ok else None

    namesakes: dict[tuple, list[int]] = {}
    for i, sp in enumerate(speakers):
        if key(sp) is not None:
            namesakes.setdefault(key(sp), []).append(i)
    for i, sp in enumerate(speakers):
        if key(sp) is None or not isinstance(sp.get("disambiguator"), str):
            continue
        others = [j for j in namesakes[key(sp)] if j != i]
        where = f"document {sp['doc_id']!r}" if sp["doc_id"] else "the global speakers"
        if not others:
            ctx.add(report, ("speakers", i, "disambiguator"), f"no other speaker of {where} is named "
                                                             f"{sp['name']!r}: a disambiguator tells namesakes apart")
        for j in others:
            theirs = speakers[j].get("disambiguator")
            if j < i and isinstance(theirs, str) and _norm(theirs) == _norm(sp["disambiguator"]):
                ctx.add(report, ("speakers", i, "disambiguator"),
                        f"same disambiguator as {speakers[j].get('id')!r}, which has the same name: make them differ")


# ------------------------------------------------------------------------------------------- gold/<id>.json
def _check_span(ctx: _FileContext, path: tuple, obj: dict, text: str, report: _Report) -> tuple[int, int] | None:
    """Check a {start, end, text} object against the document; return (start, end) when usable."""
    start, end, stored = obj.get("start"), obj.get("end"), obj.get("text")
    if not (_is_int(start) and _is_int(end)):
        return None
    if start >= end:
        ctx.add(report, path + ("start",), f"start {start} must be smaller than end {end}")
        return None
    if end > len(text):
        ctx.add(report, path + ("end",), f"span {start}-{end} ends beyond the text (length {len(text)})")
        return None
    actual = text[start:end]
    if isinstance(stored, str) and actual != stored:
        at = next((k for k, (a, b) in enumerate(zip(actual, stored)) if a != b), min(len(actual), len(stored)))
        hint = ""
        found = find_all(text, stored)
        if found:
            hint = "; the stored text occurs at " + ", ".join(f"{s}-{e}" for s, e in found[:3])
        ctx.add(report, path + ("text",),
                f"text[{start}:{end}] is {_abbrev(actual)}, not the stored {_abbrev(stored)} "
                f"(first difference at character {at}){hint}")
    return start, end


def _check_gold(ctx: _FileContext, doc_id: str, text: str | None, sha: str | None,
                speakers: dict[str, dict] | None, report: _Report, require_split: bool = True) -> dict:
    """Check one gold file; return its counts."""
    data = ctx.data
    bad = _schema_problems(ctx, gold_schema(require_split), report)
    counts: dict = {"track_a": 0, "track_b": 0, "type": Counter(), "stance": Counter(), "optional": 0,
                    "in_boilerplate": 0, "boilerplate_regions": 0, "speakers": 0, "split": None}
    if not isinstance(data, dict):
        return counts
    split = data["metadata"].get("split") if isinstance(data.get("metadata"), dict) else None
    if isinstance(split, str) and ("metadata", "split") not in bad:
        if split in RESERVED_SPLITS:
            ctx.add(report, ("metadata", "split"), f"{split!r} is reserved (`--split {split}` means every split): "
                                                   "choose another name")
        else:
            counts["split"] = split

    if isinstance(data.get("doc_id"), str) and data["doc_id"] != doc_id:
        ctx.add(report, ("doc_id",), f"{data['doc_id']!r} does not match the file name {doc_id!r}")
    if sha is not None and isinstance(data.get("text_sha256"), str) and ("text_sha256",) not in bad \
            and data["text_sha256"] != sha:
        ctx.add(report, ("text_sha256",), f"does not match documents/{doc_id}.txt (its sha256 is {sha})")

    meta = data.get("metadata")
    if isinstance(meta, dict):
        published = meta.get("published")
        if isinstance(published, str) and ("metadata", "published") not in bad:
            try:
                datetime.date.fromisoformat(published)
            except ValueError:
                ctx.add(report, ("metadata", "published"), f"{published!r} is not a valid date YYYY-MM-DD")

    # boilerplate regions
    regions: list[tuple[int, int, int]] = []  # (start, end, index)
    for i, reg in enumerate(data.get("boilerplate") if isinstance(data.get("boilerplate"), list) else []):
        if not isinstance(reg, dict):
            continue
        counts["boilerplate_regions"] += 1
        path = ("boilerplate", i)
        start, end, head = reg.get("start"), reg.get("end"), reg.get("head")
        if not (_is_int(start) and _is_int(end)) or text is None:
            continue
        if start >= end:
            ctx.add(report, path + ("start",), f"start {start} must be smaller than end {end}")
            continue
        if end > len(text):
            ctx.add(report, path + ("end",), f"region {start}-{end} ends beyond the text (length {len(text)})")
            continue
        if isinstance(head, str) and head:
            if len(head) > end - start:
                ctx.add(report, path + ("head",), f"head is longer than the region {start}-{end}")
            elif text[start:start + len(head)] != head:
                ctx.add(report, path + ("head",),
                        f"the region starts with {_abbrev(text[start:start + len(head)])}, not {_abbrev(head)}")
        regions.append((start, end, i))
    regions.sort()
    for (s1, e1, i1), (s2, e2, i2) in zip(regions, regions[1:]):
        if s2 < e1:
            ctx.add(report, ("boilerplate", i2), f"region {s2}-{e2} overlaps boilerplate[{i1}] ({s1}-{e1})")

    # quotes
    quotes = data.get("quotes") if isinstance(data.get("quotes"), list) else []
    by_id: dict[str, tuple[int, dict]] = {}
    spans: dict[int, tuple[int, int]] = {}
    span_owner: dict[tuple[int, int], str] = {}
    used_speakers = set()
    for i, q in enumerate(quotes):
        if not isinstance(q, dict):
            continue
        path = ("quotes", i)
        qid = q.get("id")
        if isinstance(qid, str):
            if qid in by_id:
                ctx.add(report, path + ("id",), f"duplicate id (also quotes[{by_id[qid][0]}])")
            else:
                by_id[qid] = (i, q)
        # counts
        qtype, stance = q.get("type"), q.get("stance")
        if qtype in QUOTE_TYPES:
            counts["type"][qtype] += 1
            counts["track_a" if qtype in TRACK_A_TYPES else "track_b"] += 1
        if stance in STANCES:
            counts["stance"][stance] += 1
        counts["optional"] += q.get("optional") is True
        counts["in_boilerplate"] += q.get("in_boilerplate") is True

        # optional
        reason = q.get("optional_reason")
        if q.get("optional") is True and not (isinstance(reason, str) and reason.strip()):
            ctx.add(report, path + ("optional_reason",), "optional is true: give a one-line reason")
        if q.get("optional") is False and isinstance(reason, str) and reason.strip():
            ctx.add(report, path + ("optional_reason",), "a reason is given but optional is false")

        # speaker
        sid = q.get("speaker")
        if isinstance(sid, str) and sid:
            used_speakers.add(sid)
            if speakers is not None:
                sp = speakers.get(sid)
                if sp is None:
                    close = difflib.get_close_matches(sid, list(speakers), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    ctx.add(report, path + ("speaker",), f"{sid!r} is not in speakers.json{hint}")
                else:
                    scope = sp.get("doc_id")
                    if isinstance(scope, str) and scope != doc_id:
                        ctx.add(report, path + ("speaker",), f"{sid!r} is scoped to document {scope!r}, not this one")
                    mention = q.get("speaker_mention")
                    aliases = sp.get("aliases")
                    if isinstance(mention, dict) and isinstance(mention.get("text"), str) and isinstance(aliases, list):
                        if _norm(mention["text"]) not in {_norm(a) for a in aliases if isinstance(a, str)}:
                            ctx.add(report, path + ("speaker_mention", "text"),
                                    f"{_abbrev(mention['text'])} is not an alias of {sid!r}: add it to its aliases in speakers.json")

        if text is None:
            continue
        span = _check_span(ctx, path, q, text, report)
        for sub in ("speaker_mention", "cue"):
            if isinstance(q.get(sub), dict):
                _check_span(ctx, path + (sub,), q[sub], text, report)
        if span is None:
            continue
        start, end = span
        spans[i] = span
        if text[start].isspace() or text[end - 1].isspace():
            ctx.add(report, path + ("start",) if text[start].isspace() else path + ("end",),
                    "the span starts or ends with whitespace: trim it")
        if span in span_owner:
            ctx.add(report, path + ("start",), f"same span {start}-{end} as {span_owner[span]}")
        else:
            span_owner[span] = qid if isinstance(qid, str) else f"quotes[{i}]"
        inside = [r for r in regions if r[0] <= start and end <= r[1]]
        crossing = [r for r in regions if start < r[1] and r[0] < end and r not in inside]
        flag = q.get("in_boilerplate")
        if crossing:
            s, e, k = crossing[0]
            ctx.add(report, path + ("start",), f"span {start}-{end} crosses the edge of boilerplate[{k}] ({s}-{e})")
        elif flag is True and not inside:
            ctx.add(report, path + ("in_boilerplate",), "is true but the span is in no boilerplate region")
        elif flag is False and inside:
            s, e, k = inside[0]
            ctx.add(report, path + ("in_boilerplate",), f"is false but the span is inside boilerplate[{k}] ({s}-{e})")

    # nesting (after all ids are known)
    for i, q in enumerate(quotes):
        if not isinstance(q, dict) or not isinstance(q.get("nested_in"), str):
            continue
        outer_id = q["nested_in"]
        path = ("quotes", i, "nested_in")
        if outer_id not in by_id:
            ctx.add(report, path, f"no quote with id {outer_id!r} in this file")
            continue
        j, outer = by_id[outer_id]
        if j == i:
            ctx.add(report, path, "a quote cannot be nested in itself")
            continue
        if outer.get("type") in TRACK_B_TYPES or q.get("type") in TRACK_B_TYPES:
            ctx.add(report, path, "nested_in links a quote inside another quote (both Track A: direct/partial); "
                                  f"here {'this unit' if q.get('type') in TRACK_B_TYPES else outer_id} is Track B")
        if i in spans and j in spans and not (spans[j][0] <= spans[i][0] and spans[i][1] <= spans[j][1]):
            ctx.add(report, path, f"span {spans[i][0]}-{spans[i][1]} is not inside {outer_id} "
                                  f"({spans[j][0]}-{spans[j][1]})")
    counts["speakers"] = sorted(used_speakers)
    return counts


# ----------------------------------------------------------------------------------------------- validate
def validate(path: str | Path = "annotations", documents_dir: str | Path | None = None) -> ValidationResult:
    """Check the annotations folder `path` (gold/, speakers.json, and the texts in
    `benchmark.corpus.annotations.resolve_documents_dir(path, documents_dir)`). Never raises on bad input."""
    root = Path(path)
    report = _Report()
    empty_counts: dict = {"documents": {}}
    if not root.is_dir():
        report.add(str(root), 1, None, None, "not an annotations folder (expected gold/, speakers.json, documents/)"
                   if root.exists() else "no such folder")
        return ValidationResult(False, report.lines(), empty_counts)
    docs_dir = resolve_documents_dir(root, documents_dir)
    gold_dir = root / "gold"
    for folder in (docs_dir, gold_dir):
        if not folder.is_dir():
            report.add(str(folder), 1, None, None, "folder not found")

    texts: dict[str, tuple[str | None, str]] = {}  # doc_id -> (decoded text or None, sha256)
    for text_path in sorted(docs_dir.glob("*.txt")) if docs_dir.is_dir() else []:
        try:
            raw = read_bytes(text_path, limit=MAX_ANNOTATION_BYTES)      # a regular file, within the cap
        except FileRefused as err:
            report.add(str(text_path), 1, None, None, err.reason)
            continue
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            report.add(str(text_path), raw[: err.start].count(b"\n") + 1, None, None,
                       f"not valid UTF-8 (byte {raw[err.start]:#04x} at byte offset {err.start})")
            decoded = None
        texts[text_path.stem] = (decoded, sha256_bytes(raw))
    gold_paths = sorted(gold_dir.glob("*.json")) if gold_dir.is_dir() else []

    speakers_path = root / "speakers.json"
    speakers: dict[str, dict] | None = None
    speakers_ctx: _FileContext | None = None
    if speakers_path.exists():
        data, source, repeated = _load_json(speakers_path, str(speakers_path), report)
        if source is not None:
            speakers_ctx = _FileContext(str(speakers_path), data, source, "speakers", repeated)
            speakers_ctx.report_decoding_problems(report)
            speakers = _check_speakers(speakers_ctx, set(texts), report)
    else:
        report.add(str(speakers_path), 1, None, None, "file not found")

    # A pass holds the articles its annotator did: a text without a gold file there is not annotated in that pass.
    # In the adjudicated gold every text needs one.
    pass_folder = is_pass_folder(root)
    warnings = _Report("warning")
    counts: dict = {"documents": {}}
    gold_ids = {p.stem for p in gold_paths}
    not_annotated = sorted(set(texts) - gold_ids)
    if pass_folder:
        counts["not_annotated"] = not_annotated
    else:
        for doc_id in not_annotated:
            report.add(str(docs_dir / f"{doc_id}.txt"), 1, None, None,
                       f"no gold file {gold_dir / (doc_id + '.json')} (`kremlin-reactions add-article` writes one)")
    for gold_path in gold_paths:
        doc_id = gold_path.stem
        display = str(gold_path)
        text, sha = texts.get(doc_id, (None, None))
        if doc_id not in texts:
            report.add(display, 1, None, None, f"no text file {docs_dir / (doc_id + '.txt')}")
        data, source, repeated = _load_json(gold_path, display, report)
        if source is None:
            continue
        ctx = _FileContext(display, data, source, "gold", repeated)
        ctx.report_decoding_problems(report)
        if not isinstance(data, dict):
            ctx.add(report, (), f"expected a JSON object at the top level, got {_type_name(data)}")
            continue
        counts["documents"][doc_id] = _check_gold(ctx, doc_id, text, sha, speakers, report,
                                                  require_split=not pass_folder)
        if data.get("quotes") == []:
            ctx.add(warnings, ("quotes",), "no quotes annotated yet (GUIDELINES.md; offsets from `kremlin-reactions "
                                           "locate`): is that right for this article?")
    if speakers_ctx is not None and speakers is not None:
        _warn_unused_speakers(speakers_ctx, counts["documents"], warnings)

    total: dict = {"track_a": 0, "track_b": 0, "type": Counter(), "stance": Counter(), "optional": 0,
                   "in_boilerplate": 0, "boilerplate_regions": 0}
    for c in counts["documents"].values():
        for key, value in c.items():
            if key in total:
                total[key] += value
    total["speakers"] = len({sid for c in counts["documents"].values() for sid in c["speakers"]})
    for c in counts["documents"].values():
        c["speakers"] = len(c["speakers"])
    for c in [*counts["documents"].values(), total]:
        c["type"], c["stance"] = dict(c["type"]), dict(c["stance"])
    counts["registry_speakers"] = len(speakers) if speakers is not None else 0
    counts["total"] = total
    splits = Counter(c["split"] for c in counts["documents"].values() if c["split"] is not None)
    counts["splits"] = {name: splits[name] for name in split_order(splits)}
    problems = report.lines()
    return ValidationResult(ok=not problems, problems=problems, counts=counts, warnings=warnings.lines())


def _warn_unused_speakers(ctx: _FileContext, documents: dict[str, dict], warnings: _Report) -> None:
    """A registry entry that no quote names is usually a typo'd id on a quote or a unit deleted later."""
    used = {sid for c in documents.values() for sid in c["speakers"]}
    for i, sp in enumerate(ctx.data["speakers"]):
        if isinstance(sp, dict) and isinstance(sp.get("id"), str) and sp["id"] not in used:
            scope = f" (scoped to {sp['doc_id']})" if isinstance(sp.get("doc_id"), str) else ""
            ctx.add(warnings, ("speakers", i, "id"), f"unused speaker{scope}: no quote has this speaker; "
                                                     "remove it or attribute the quotes it was meant for")


# --------------------------------------------------------------------------------------------------- CLI
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default="annotations", metavar="PATH",
                        help="annotations folder with gold/, speakers.json and documents/ (default: annotations); "
                             "a pass folder such as annotations/passes/a reads annotations/documents. Every file "
                             f"must be a regular file of at most {size_text(MAX_ANNOTATION_BYTES)}")
    parser.add_argument("--documents", metavar="DIR", default=None,
                        help="folder holding the <doc_id>.txt texts (default: PATH/documents)")


def run(args: argparse.Namespace) -> int:
    result = validate(args.path, args.documents)
    for line in result.warnings:
        print(for_terminal(line), file=sys.stderr)
    if not result.ok:
        raise InputError(result.problems)
    n = len(result.counts["documents"])
    total = result.counts["total"]
    splits = ", ".join(f"{name} {k}" for name, k in result.counts["splits"].items())
    print(for_terminal(f"ok: {args.path}: {n} documents{f' ({splits})' if splits else ''}, {total['track_a']} Track A "
                       f"units, {total['track_b']} Track B units, {result.counts['registry_speakers']} speakers in "
                       "the registry" + (f", {len(result.warnings)} warning(s)" if result.warnings else "")))
    if result.counts.get("not_annotated"):
        print(for_terminal(f"not annotated in this pass: {', '.join(result.counts['not_annotated'])}"))
    print(for_terminal(result.format_counts(), keep_newlines=True))      # document ids come from file names
    return 0

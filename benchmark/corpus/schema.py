"""The structure of the annotation files as JSON Schema, built from the closed label sets (`benchmark.labels`): the
types of every field, required and unknown fields, labels and id patterns. `benchmark.corpus.validate` checks the
files against it first, then their meaning."""
from __future__ import annotations

import functools
from typing import Any

from benchmark.dataset import ALL_SPLITS
from benchmark.labels import BOILERPLATE_KINDS, DATE_EVIDENCE, OUTLET_EVIDENCE, QUOTE_TYPES, SPEAKER_KINDS, STANCES

ID_PATTERN = r"^[A-Za-z0-9_]+$"
SPEAKER_ID_PATTERN = r"^[a-z0-9_]+$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
URL_PATTERN = r"^https?://\S+$"
# A document id is a file stem and the prefix of every `quote_id` (`<doc_id>-<id>`): no hyphen, no dot, no space.
DOC_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_]{0,63}$"
# A split is a name in file paths (`quotes/<split>.parquet`), the card's YAML and every `--split`; "all" is taken
# (every split at once). No hyphen: `datasets` (5.2, `datasets.naming._split_re` = `^\w+(\.\w+)*$`) refuses to
# load a card whose data_files name a split "zz-private".
SPLIT_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"     # at most 32: a part of file names
RESERVED_SPLITS = (ALL_SPLITS,)

# What to write in a gold field, for the validator's "missing required field" message (a new article's skeleton
# has only doc_id, text_sha256 and metadata.split: these lines guide the annotator through the rest).
FIELD_GUIDANCE = {
    ("metadata", "headline"): "the article's headline, from the text (or the URL when the text has none)",
    ("metadata", "authors"): "the bylined authors as a list of names, [] when there is no byline",
    ("metadata", "outlet"): "the publisher as named in the text (or in the article's provenance)",
    ("metadata", "outlet_aliases"): "every name accepted as the outlet, the outlet itself included",
    ("metadata", "outlet_evidence"): "explicit (the text names the publisher) or external (provenance only)",
    ("metadata", "published"): "the publication date YYYY-MM-DD",
    ("metadata", "date_evidence"): "explicit (printed), inferred (from weekday/event references) or external",
    ("metadata", "url"): "where the article was published, or null",
    ("metadata", "split"): "the split the article belongs to, e.g. train, test or private",
    ("boilerplate",): "the regions that are not the article (navigation, widgets, galleries ...), [] when none",
    ("quotes",): "the Track A and Track B units (GUIDELINES.md); find offsets with `kremlin-reactions locate`",
}


def _string(**kw: Any) -> dict:
    return {"type": "string", "minLength": 1, **kw}


def _nullable_string() -> dict:
    return {"type": ["string", "null"]}


def _obj(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    """A closed object: every property required except `optional`, unknown keys rejected."""
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": [k for k in properties if k not in optional]}


def _span() -> dict:
    return _obj({"start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
                 "text": _string()})


def gold_schema(require_split: bool = True) -> dict:
    """JSON Schema of `gold/<doc_id>.json` (structure only; `validate` adds the checks against the text).

    `metadata.split` is required in the adjudicated gold and optional in an annotation pass (`require_split=False`):
    which split an article is in is decided when it is adjudicated, not by each annotator."""
    nullable_span = {**_span(), "type": ["object", "null"]}
    quote = _obj({
        "id": _string(pattern=ID_PATTERN),
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "text": _string(),
        "type": {"enum": list(QUOTE_TYPES)},
        "speaker": _string(),
        "speaker_mention": nullable_span,
        "cue": nullable_span,
        "stance": {"enum": list(STANCES)},
        "in_boilerplate": {"type": "boolean"},
        "optional": {"type": "boolean"},
        "optional_reason": _nullable_string(),
        "nested_in": _nullable_string(),
        "note": _nullable_string(),
    }, optional=("note",))
    region = _obj({
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "kind": {"enum": list(BOILERPLATE_KINDS)},
        "head": _string(),
        "note": _nullable_string(),
    }, optional=("note",))
    metadata = _obj({
        "headline": _string(),
        "authors": {"type": "array", "items": _string()},
        "outlet": _string(),
        "outlet_aliases": {"type": "array", "items": _string(), "minItems": 1},
        "outlet_evidence": {"enum": list(OUTLET_EVIDENCE)},
        "published": _string(pattern=DATE_PATTERN),
        "date_evidence": {"enum": list(DATE_EVIDENCE)},
        "url": {"type": ["string", "null"], "pattern": URL_PATTERN},
        "split": _string(pattern=SPLIT_PATTERN),
        "note": _nullable_string(),
    }, optional=("note",) if require_split else ("note", "split"))
    return _obj({
        "doc_id": _string(pattern=DOC_ID_PATTERN),
        "text_sha256": _string(pattern=SHA256_PATTERN),
        "metadata": metadata,
        "boilerplate": {"type": "array", "items": region},
        "quotes": {"type": "array", "items": quote},
    })


def speakers_schema() -> dict:
    """JSON Schema of `speakers.json`."""
    speaker = _obj({
        "id": _string(pattern=SPEAKER_ID_PATTERN),
        "name": _string(),
        "disambiguator": {"type": ["string", "null"], "minLength": 1},
        "kind": {"enum": list(SPEAKER_KINDS)},
        "aliases": {"type": "array", "items": _string(), "minItems": 1},
        "description": _string(),
        "doc_id": _nullable_string(),
        "note": _nullable_string(),
    }, optional=("disambiguator", "note"))
    return _obj({"speakers": {"type": "array", "items": speaker}})


@functools.lru_cache(maxsize=None)
def _validator_class():
    import jsonschema

    base = jsonschema.Draft202012Validator
    # JSON Schema counts 3.0 as an integer; an offset must be a real int (text[3.0:] fails), and never a bool.
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool))
    return jsonschema.validators.extend(base, type_checker=checker)


# ------------------------------------------------------------------------------------------ JSON with lines

"""The structure of the annotation files as JSON Schema, built from the closed label sets (`benchmark.labels`): the
types of every field, required and unknown fields, labels and id patterns. `benchmark.corpus.validate` checks the
files against it first, then their meaning."""
from __future__ import annotations

import functools
from typing import Any

from benchmark.labels import BOILERPLATE_KINDS, DATE_EVIDENCE, OUTLET_EVIDENCE, QUOTE_TYPES, SPEAKER_KINDS, STANCES

ID_PATTERN = r"^[A-Za-z0-9_]+$"
SPEAKER_ID_PATTERN = r"^[a-z0-9_]+$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
URL_PATTERN = r"^https?://\S+$"


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


def gold_schema() -> dict:
    """JSON Schema of `gold/<doc_id>.json` (structure only; `validate` adds the checks against the text)."""
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
        "note": _nullable_string(),
    }, optional=("note",))
    return _obj({
        "doc_id": _string(),
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

"""Publication date (`find_date`) and outlet (`find_outlet`) from the text alone."""
from __future__ import annotations

import datetime
import re

from baselines.rules.lexicon import _GAZETTEER_LOOKUP, MONTHS

_MONTH = r"(?P<month>[A-Z][a-z]{2,8})\.?"
_DATE_RES = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(_MONTH + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b"),
)
_DATE_LABEL_RE = re.compile(r"\b(?:updated|published|posted|date|dated)\b", re.I)


def _dates(text: str) -> list[tuple[int, datetime.date]]:
    found = []
    for pattern in _DATE_RES:
        for m in pattern.finditer(text):
            g = m.groupdict()
            month = int(g["mnum"]) if g.get("mnum") else MONTHS.get((g.get("month") or "").lower())
            try:
                found.append((m.start(), datetime.date(int(g["year"]), month, int(g["day"]))))
            except (TypeError, ValueError):
                continue
    return sorted(found)


def find_date(text: str) -> str | None:
    """A printed publication date: next to a label, or alone on a short line (a dateline); else None."""
    for start, date in _dates(text):
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line = text[line_start:len(text) if line_end < 0 else line_end]
        if _DATE_LABEL_RE.search(line) or len(line.strip()) <= 60:
            return date.isoformat()
    return None


def canonical_outlet(name: str) -> str:
    return _GAZETTEER_LOOKUP.get(name.strip().lower(), name.strip())


_OUTLET_PATTERNS = (
    re.compile(r"^[ \t]*[A-Z][\w .,'-]{0,40}?\s*\((?P<name>[A-Z][A-Za-z]{1,12})\)", re.M),      # Moscow (CNN)...
    re.compile(r"\((?P<name>[A-Z][A-Z]{1,12})\)[ \t]*$", re.M),                                 # ... (XYZ)
    re.compile(r"^[ \t]*(?P<name>[A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,3}) Logo[ \t]*$", re.M),     # site logo
    re.compile(r"^[ \t]*By [A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}, (?P<name>[A-Z][\w&. -]{1,30}?)[ \t]*$", re.M),
    re.compile(r"\b(?:first |originally )?published (?:by|in|on) (?P<name>(?:The )?[A-Z][\w&-]*(?: [A-Z][\w&-]*){0,3})"),
    re.compile(r"\breserved by (?P<name>[A-ZÀ-Ý\u0130][^.,\n]{1,60})"),
)


def find_outlet(text: str) -> str | None:
    for pattern in _OUTLET_PATTERNS:
        m = pattern.search(text)
        if m:
            return canonical_outlet(m.group("name"))
    for m in re.finditer(r"\btold ([A-Z][\w&-]*(?: [A-Z][\w&-]*){0,3})", text):
        if m.group(1).lower() in _GAZETTEER_LOOKUP:  # a source "told CNN": the outlet writing the story
            return canonical_outlet(m.group(1))
    return None

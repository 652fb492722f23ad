"""Safe rendering of untrusted strings (team names, descriptions, speakers, article text, file names) into HTML,
Markdown, CSV and the terminal (the look of the pages is in `benchmark.reports.page`).

Everything a submission supplies is data: it goes through `esc` (HTML), `md` (Markdown), `csv_cell` (CSV) or
`terminal` (standard output and error) exactly once, at the moment it is written. Links are kept only when they are
plain http(s) URLs.
"""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from benchmark.safe_io import for_terminal as terminal  # noqa: F401  (the corpus commands, an earlier stage, use it)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")     # C0, DEL and C1 (\x9b is a terminal's CSI, like ESC [)
# line/paragraph separators and bidirectional overrides (which can make a name display as another name)
_INVISIBLE = re.compile("[\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_URL_UNSAFE = frozenset('<>"\'`\\{}|^')
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")   # never at a line start here, so - and . are safe
def esc(value: object) -> str:
    """Text for HTML element content or a quoted attribute value (quotes escaped too)."""
    return html.escape("" if value is None else str(value), quote=True)


def one_line(value: object, limit: int | None = None) -> str:
    """The string with control characters and line breaks turned into spaces, optionally shortened with '…'."""
    text = _INVISIBLE.sub(" ", _CONTROL.sub(" ", "" if value is None else str(value)))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "\u2026"
    return text


def md(value: object, limit: int | None = None) -> str:
    """Text for a Markdown table cell: one line; `&`, `<`, `>` as entities; every other Markdown punctuation
    (| * _ ` [ ] ( ) # ...) backslash-escaped, so `| ** |` or `<script>` renders as those characters."""
    text = one_line(value, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def csv_cell(value: object) -> str:
    """A text cell for CSV: one line, and a leading = + - @ neutralised with an apostrophe (spreadsheet formula
    injection, OWASP)."""
    text = one_line(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# Allow-list for a link: scheme http(s), a host, and nothing that could break out of an attribute once escaped.
def safe_link(url: object) -> str | None:
    """`url` when it is an absolute http(s) URL with a host and no control characters, whitespace, quotes, angle
    brackets or other characters RFC 3986 never leaves unencoded, else None."""
    if (not isinstance(url, str) or not url or len(url) > 2000 or _CONTROL.search(url) or _INVISIBLE.search(url)
            or any(c.isspace() or c in _URL_UNSAFE for c in url)):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url

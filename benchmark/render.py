"""Safe rendering of untrusted strings (team names, descriptions, speakers, article text) into HTML, Markdown and
CSV, plus the shared look of the static pages (inline CSS, Okabe-Ito colours) and a headless-Chromium screenshot.

Everything a submission supplies is data: it goes through `esc` (HTML), `md` (Markdown) or `csv_cell` (CSV)
exactly once, at the moment it is written. Links are kept only when they are plain http(s) URLs.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

# Okabe & Ito (2008) palette: distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

# Allow-list for a link: scheme http(s), a host, and nothing that could break out of an attribute once escaped.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# line/paragraph separators and bidirectional overrides (which can make a name display as another name)
_INVISIBLE = re.compile("[\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_URL_UNSAFE = frozenset('<>"\'`\\{}|^')
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")   # never at a line start here, so - and . are safe
# Content-Security-Policy of every page: no scripts, no network, only inline styles and data: images.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


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


def page(title: str, body: str, css: str) -> str:
    """A complete static HTML page: UTF-8, strict CSP, inline CSS, no scripts, no external resources.
    `title` is escaped here; `body` must already be safe HTML."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


BASE_CSS = """\
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #111;
       background: #fff; margin: 1.2em auto; max-width: 78em; padding: 0 1em; }
h1 { font-size: 1.5em; margin: 0.2em 0 0.4em; } h2 { font-size: 1.2em; margin: 1.4em 0 0.4em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ci { color: #555; font-size: 0.85em; }
.note { color: #333; background: #f6f6f6; border-left: 4px solid #999; padding: 0.4em 0.8em; }
code, .sig { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
"""


def find_chromium() -> str | None:
    """Path of Debian's headless-capable Chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_args(chromium: str, user_data_dir: str) -> list[str]:
    """The flags every headless run uses: no sandbox (containers), no GPU, no network chatter, fresh profile."""
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            "--force-device-scale-factor=1", f"--user-data-dir={user_data_dir}"]


def screenshot(html_path: str | Path, png_path: str | Path, width: int = 1280, height: int = 900,
               timeout: float = 60) -> Path:
    """Render a local HTML file with headless Chromium and save a PNG of the first `width` x `height` pixels."""
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("chromium not found: install Debian's 'chromium' package to take screenshots")
    png = Path(png_path).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    url = Path(html_path).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="kr-chromium-") as profile:
        cmd = chromium_args(chromium, profile) + [f"--screenshot={png}", f"--window-size={width},{height}", url]
        subprocess.run(cmd, check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "HOME": profile})
    if not png.is_file() or png.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot to {png}")
    return png

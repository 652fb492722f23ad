"""The shared look of the static pages (inline CSS, Okabe-Ito colours, a strict Content-Security-Policy) and a
headless-Chromium screenshot of a page."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmark.reports.escape import esc

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

# Content-Security-Policy of every page: no scripts, no network, only inline styles and data: images.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


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

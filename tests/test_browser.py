"""Real-browser tests: Debian's headless Chromium loads the error report and the leaderboard from file:// paths.

Checks: screenshots are real PNGs of the requested size showing the mark colours; the DOM after the page ran
(`--dump-dom`) has the highlighted marks in the scorer's numbers; no script from submission content runs (the
title is unchanged, no injected element exists) -- also with the page's Content-Security-Policy removed, so the
escaping is tested on its own. Two positive controls show that the harness does see a script that runs.

Chromium missing: skipped locally, a failure in CI (CI=true). `python3.11 dev.py test` installs it when it can.
"""
from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from report_inputs import (
    IMG_PAYLOAD,
    PWNED,
    SCRIPT_PAYLOAD,
    expected_counts,
    gold_rows,
    gold_submission,
    hostile_submission,
    parse,
    status_counts,
    write_jsonl,
)

from benchmark.cli import main
from benchmark.reports.page import CSP, chromium_args, find_chromium, screenshot

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = ("chromium not found: the browser tests need Debian's 'chromium' package "
                   "(apt-get install --no-install-recommends chromium; `python3.11 dev.py test` installs it)")
        if IN_CI:
            pytest.fail(message + " -- required in CI")
        pytest.skip(message)
    return path


def dump_dom(chromium: str, html_path: Path, tmp_path: Path) -> str:
    """The DOM as serialised after load, scripts and event handlers (virtual time lets onerror fire first)."""
    profile = tmp_path / f"profile-{html_path.stem}"
    cmd = chromium_args(chromium, str(profile)) + ["--virtual-time-budget=3000", "--dump-dom",
                                                    html_path.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(profile)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


def png_colours(path: Path) -> set[tuple[int, int, int]]:
    """The RGB colours of an 8-bit RGB/RGBA PNG, decoded with zlib and numpy (no imaging library)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    image = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int64)
        if kind == 1:        # Sub: running sum per channel
            line = np.cumsum(line.reshape(width, channels), axis=0).reshape(-1) & 255
        elif kind == 2:      # Up
            line = (line + previous) & 255
        elif kind in (3, 4): # Average, Paeth: sequential along the row
            out = [0] * stride
            up = previous.tolist()
            values = line.tolist()
            for i in range(stride):
                left = out[i - channels] if i >= channels else 0
                up_left = up[i - channels] if i >= channels else 0
                if kind == 3:
                    out[i] = (values[i] + (left + up[i]) // 2) & 255
                else:
                    p = left + up[i] - up_left
                    pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - up_left)
                    out[i] = (values[i] + (left if pa <= pb and pa <= pc else up[i] if pb <= pc else up_left)) & 255
            line = np.array(out, dtype=np.int64)
        image[y] = line
        previous = line
    pixels = image.reshape(height * width, channels)[:, :3]
    return {tuple(int(v) for v in c) for c in np.unique(pixels, axis=0)}


def without_csp(html_path: Path, target: Path, inject: str = "") -> Path:
    """A copy of a page without its Content-Security-Policy (and optionally with raw HTML injected)."""
    text = html_path.read_text(encoding="utf-8")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
    assert meta in text
    target.write_text(text.replace(meta, "").replace("<body>\n", "<body>\n" + inject, 1), encoding="utf-8")
    return target


def dom_title(dom: str) -> str:
    return parse(dom).title


# ------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    from benchmark.reports.error_report import build_report

    folder = tmp_path_factory.mktemp("browser-report")
    sub = write_jsonl(folder / "hostile.jsonl", hostile_submission())
    out = folder / "report.html"
    return build_report(sub, out, n_boot=50), out


def test_positive_controls_the_harness_sees_scripts_run(chromium, tmp_path, hostile_report):
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>clean</title></head><body><p>x</p>{IMG_PAYLOAD}</body></html>",
                    encoding="utf-8")
    dom = dump_dom(chromium, page, tmp_path)
    assert dom_title(dom) == PWNED
    # our report, had it not escaped a speaker and had no CSP, would show it too
    _, report = hostile_report
    broken = without_csp(report, tmp_path / "broken-report.html", inject=SCRIPT_PAYLOAD)
    assert dom_title(dump_dom(chromium, broken, tmp_path)) == PWNED


def test_report_marks_and_no_script_runs(chromium, tmp_path, hostile_report):
    results, report = hostile_report
    docs, _ = gold_rows()
    for path in (report, without_csp(report, tmp_path / "no-csp.html")):
        dom = dump_dom(chromium, path, tmp_path)
        page = parse(dom)
        assert page.title == "Error report: hostile.jsonl"
        assert PWNED not in page.title
        assert page.elements["script"] == 0 and page.elements["img"] == 0
        counts = status_counts(page)
        total = Counter()
        for d in docs:
            expected = expected_counts(results["errors"][d["doc_id"]])
            got = counts.get(f"doc-{d['doc_id']}", Counter())
            assert {k: got[k] for k in expected} == dict(expected), d["doc_id"]
            assert "".join(page.articles[f"doc-{d['doc_id']}"]) == d["text"]
            total += expected
        assert min(total.values()) > 0, total
        # the payloads are on the page, as text (the DOM serialiser escapes < and > in text nodes)
        assert SCRIPT_PAYLOAD.replace("<", "&lt;").replace(">", "&gt;") in dom


def test_report_screenshot_shows_the_mark_styles(chromium, tmp_path, hostile_report):
    _, report = hostile_report
    png = screenshot(report, tmp_path / "report.png", 1000, 700)
    assert png_size(png) == (1000, 700) and png.stat().st_size > 10_000
    colours = png_colours(png)
    assert len(colours) > 50
    # legend and marks use the Okabe-Ito colours: they must appear as drawn pixels
    for name, rgb in {"bluish green": (0, 158, 115), "blue": (0, 114, 178), "orange": (230, 159, 0),
                      "vermillion": (213, 94, 0), "reddish purple": (204, 121, 167)}.items():
        assert rgb in colours, name


def test_leaderboard_in_the_browser(chromium, tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    write_jsonl(folder / "good.jsonl", gold_submission())
    write_jsonl(folder / "evil.jsonl", hostile_submission())
    (folder / "evil.meta.json").write_text(json.dumps({"team": SCRIPT_PAYLOAD, "name": IMG_PAYLOAD,
                                                       "description": SCRIPT_PAYLOAD + IMG_PAYLOAD}),
                                           encoding="utf-8")
    (folder / "broken.jsonl").write_text('{"doc_id": "' + SCRIPT_PAYLOAD.replace('"', "") + '"}\n', encoding="utf-8")
    out = tmp_path / "board"
    assert main(["leaderboard", str(folder), "-o", str(out), "--no-baselines", "--n-boot", "50"]) == 0
    html_path = out / "leaderboard.html"
    for path in (html_path, without_csp(html_path, tmp_path / "lb-no-csp.html")):
        dom = dump_dom(chromium, path, tmp_path)
        page = parse(dom)
        assert page.title == "kremlin-reactions leaderboard"
        assert page.elements["script"] == 0 and page.elements["img"] == 0
        rows = re.findall(r'<tr class="(submission|baseline|oracle|invalid)"', dom)
        assert Counter(rows) == Counter({"submission": 2, "invalid": 1})
        assert "broken.jsonl:1: doc_id" in dom
    png = screenshot(html_path, tmp_path / "board.png", 1200, 800)
    assert png_size(png) == (1200, 800) and png.stat().st_size > 5_000


def test_readme_screenshot_command(chromium, tmp_path):
    """The command that makes assignments/img/error-report.png (benchmark.reports.error_report.README_SCREENSHOT_COMMAND)."""
    from benchmark.reports.error_report import README_SCREENSHOT_COMMAND

    assert README_SCREENSHOT_COMMAND.split()[1:4] == ["report", "--baseline", "rules"]
    png = tmp_path / "error-report.png"
    assert main(["report", "--baseline", "rules", "-o", str(tmp_path / "r.html"), "--screenshot", str(png)]) == 0
    assert png_size(png) == (1280, 1500) and png.stat().st_size > 50_000
    committed = Path(__file__).resolve().parents[1] / "assignments" / "img" / "error-report.png"
    assert png_size(committed) == (1280, 1500)

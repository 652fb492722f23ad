#!/usr/bin/env python3
"""Set up the project-local virtual environment and run the demo or the tests.

    python3.11 dev.py demo   # set up, then score the baselines against the gold and print the leaderboard
    python3.11 dev.py test   # set up (with test extras and headless Chromium), then run the test suite

Only the standard library is used here, so this works on a fresh machine with nothing but Python 3.11.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
# Offline at run time: a local dataset folder never needs the Hub.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def sh(cmd: list[str], **kw) -> None:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"dev.py needs Python >= 3.11 (this is {sys.version.split()[0]})")
    if not PY.exists():
        sh([sys.executable, "-m", "venv", VENV])
    # Reinstall only when pyproject.toml or the extras changed, so repeated runs are fast.
    stamp = VENV / ".installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    sh([PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip"])
    target = f".[{extras}]" if extras else "."
    sh([PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target], cwd=ROOT)
    stamp.write_text(want)


def ensure_chromium() -> None:
    """Browser tests need Debian's chromium; install it when missing and we may (root + apt-get)."""
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        sh(["apt-get", "update", "-qq"], env=env)
        sh(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"], env=env)
    else:
        print("note: chromium not found and cannot be installed here; browser tests will be skipped "
              "(install Debian's 'chromium' package to run them)", file=sys.stderr)


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "demo"
    env = {**os.environ, **OFFLINE_ENV}
    if what == "demo":
        ensure_venv("")
        return subprocess.run([BIN / "kremlin-reactions", "demo"], cwd=ROOT, env=env).returncode
    if what == "test":
        ensure_venv("test")
        ensure_chromium()
        return subprocess.run([PY, "-m", "pytest", "-q", *argv[1:]], cwd=ROOT, env=env).returncode
    sys.exit(f"usage: python3.11 dev.py [demo|test] (got {what!r})")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

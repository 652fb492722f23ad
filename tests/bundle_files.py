"""Unpacking a grading bundle the way Gradescope and Codabench do: files with the modes the zip records."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path


def unpack(bundle: Path, folder: Path) -> Path:
    """Extract `bundle` into the new folder `folder`, keeping each file's recorded mode (setup.sh, score.py
    executable); return the folder."""
    folder.mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            zf.extract(info, folder)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(folder / info.filename, mode)
    return folder

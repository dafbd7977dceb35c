"""Where the editable data lives. One place so tests, CLI and services agree."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The `data/` folder: `GONGYOU_DATA_DIR` if set (a union's own copy), else the repository's."""
    override = os.environ.get("GONGYOU_DATA_DIR")
    return Path(override) if override else REPO_ROOT / "data"

"""Shared fixtures. Each test gets its own temporary data where it writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.paths import data_dir


@pytest.fixture(scope="session")
def data_path() -> Path:
    return data_dir()

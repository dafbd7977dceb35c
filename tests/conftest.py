"""Shared fixtures. Each test gets its own temporary data where it writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.paths import data_dir


@pytest.fixture(scope="session")
def data_path() -> Path:
    return data_dir()


@pytest.fixture(scope="session")
def understanding():
    """The real classifier and knowledge base, loaded once: loading is the slow part of most tests."""
    from bot.understand import Understanding

    return Understanding.load()


@pytest.fixture
def clock():
    """A clock that only moves when told; a test module may override it with another start."""
    from bot.clock import FakeClock

    return FakeClock()


@pytest.fixture
async def services(tmp_path: Path, understanding, clock):
    """The whole bot on a fresh database file, on the `clock` fixture."""
    from bot.services import Services

    opened = await Services.open(tmp_path / "gongyou.sqlite3", clock=clock, understanding=understanding)
    yield opened
    await opened.close()

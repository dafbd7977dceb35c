"""Shared constants and helpers for the Telegram tests (imported by name; this folder is on sys.path)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.paths import data_dir

STAFF_CHAT_ID = -1001234567890
ADMIN_ID = 42
STAFF_ID = 9001
OUTSIDER_ID = 6666
WORKER_ID = 1001


async def flush(sender: Any) -> None:
    """Deliver until the outbox has nothing left to hand out."""
    for _ in range(100):
        started = await sender.drain_once()
        await sender.idle()
        if not started:
            return
    raise AssertionError("outbox never drained")


def intents_available() -> bool:
    return (data_dir() / "intents" / "acts.yaml").exists()


needs_intents = pytest.mark.skipif(not intents_available(), reason="intent data (data/intents) not in this checkout")

"""At most a few dialogue turns at once, while everything else (receiving, sending, pacing) overlaps.

The dialogue and the tickets share one SQLite connection whose transactions are serialised by a
lock. With hundreds of turns in flight, a turn holding that lock waits behind everybody else's
CPU work (classification, retrieval) each time it awaits the database, and every turn slows down.
A small gate keeps the lock holder moving; replies still go out concurrently, and a handler
waiting for a pacing slot (1 s per chat) never holds the gate.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.dialogue.types import Incoming, Reply

DIALOGUE_CONCURRENCY = 4


class GatedDialogue:
    """The dialogue as handlers see it: the same `handle`, through a semaphore."""

    def __init__(self, dialogue: Any, concurrency: int = DIALOGUE_CONCURRENCY) -> None:
        self.dialogue = dialogue
        self._gate = asyncio.Semaphore(concurrency)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        async with self._gate:
            return await self.dialogue.handle(incoming)

    def __getattr__(self, name: str) -> Any:        # privacy, texts, … as on the real dialogue
        return getattr(self.dialogue, name)

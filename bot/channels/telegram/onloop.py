"""Magic filters checked on the event loop instead of in a worker thread.

aiogram runs every filter that is not a coroutine function through `asyncio.to_thread`, and a
magic filter (`F.text`, `F.chat.type == "private"`) is a plain function. So each check of a
microsecond-long condition costs a trip to the thread pool and back, several per update: about a
tenth of the bot's CPU under load. `when(F.text)` wraps the same condition in an async `Filter`,
which aiogram awaits inline. Results are unchanged, including `.as_(name)` values handed to the
handler.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from magic_filter import MagicFilter


class OnLoop(Filter):
    __slots__ = ("magic",)

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: Any) -> Any:
        return self.magic.resolve(event)

    def __str__(self) -> str:
        return f"when({self.magic!r})"


def when(magic: MagicFilter) -> OnLoop:
    """The magic filter `magic`, awaited on the loop (use it wherever `F…` would be passed)."""
    return OnLoop(magic)

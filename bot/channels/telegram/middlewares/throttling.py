"""Flood protection for workers' private chats.

Each user may send `limit` updates per `period` seconds (a handler may set its own with the flag
`throttle=(limit, period)`). The first update over the limit gets one short "please wait" note;
the rest are dropped quietly until the window has room again, so the bot never floods back.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, limit: int = 20, period: float = 10.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = event.from_user if isinstance(event, (Message, CallbackQuery)) else None
        if user is None:
            return await handler(event, data)
        limit, period = get_flag(data, "throttle", default=(self.limit, self.period))
        now = self.clock()
        seen = self._seen.setdefault(user.id, deque())
        while seen and seen[0] <= now - period:
            seen.popleft()
        if len(seen) >= limit:
            if self._warned.get(user.id, -1.0) < seen[0]:
                self._warned[user.id] = now
                log.info("throttled user=%s", user.id)
                replier = data.get("replier")
                wording = data.get("wording")
                if replier is not None and wording is not None:
                    await replier.text(user.id, wording("tg.flood"))
            if isinstance(event, CallbackQuery):
                return await event.answer()
            return None
        seen.append(now)
        if len(self._seen) > 50_000:
            self._seen = {uid: q for uid, q in self._seen.items() if q and q[-1] > now - period}
        return await handler(event, data)

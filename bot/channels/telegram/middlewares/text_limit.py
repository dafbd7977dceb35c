"""The longest message a worker may send (MAX_TEXT_CHARS): longer text is refused with a clear note.

A ticket keeps at most 2000 characters of one message, so rather than cut a worker's words
silently, the bot says how long the message was and asks for shorter pieces. The message then
reaches no handler: nothing is stored. Captions count too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

DEFAULT_MAX_CHARS = 2000


class TextLimitMiddleware(BaseMiddleware):
    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.max_chars = max_chars

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message):
            return await handler(event, data)
        text = event.text or event.caption or ""
        if len(text) <= self.max_chars:
            return await handler(event, data)
        log.info("message refused as too long user=%s length=%s", event.from_user.id if event.from_user else None,
                 len(text))
        replier = data.get("replier")
        wording = data.get("wording")
        if replier is not None and wording is not None:
            await replier.text(event.chat.id, wording("tg.text_too_long", length=len(text), limit=self.max_chars))
        return None

"""Sends the dialogue's replies straight back to the worker who is waiting for them.

These replies are answers to what the worker just did, so they go out at once (paced by the
shared `RateLimiter`) rather than through the outbox: if Telegram cannot take them, the worker
sees nothing and simply writes again. Everything the ticket service must not lose goes through
the outbox instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter

from bot.channels.telegram.keyboards import dialogue_keyboard
from bot.channels.telegram.ratelimit import RateLimiter
from bot.channels.telegram.render import quote, split_html, split_plain
from bot.dialogue.types import Reply
from bot.tickets.api import TicketApi

log = logging.getLogger(__name__)

RETRY_AFTER_MAX = 3
RETRY_AFTER_LONGEST_S = 30


class Replier:
    def __init__(self, bot: Bot, limiter: RateLimiter, tickets: TicketApi | None = None) -> None:
        self.bot = bot
        self.limiter = limiter
        self.tickets = tickets          # to settle ticket confirmations a delivered reply already told
        self.sent = 0

    async def send(self, chat_id: int, replies: Sequence[Reply]) -> int:
        """Send each reply (split at 4 096, buttons on its last part); returns how many messages went out."""
        count = 0
        for reply in replies:
            parts = split_plain(reply.text)
            keyboard = dialogue_keyboard(reply.buttons)
            for index, part in enumerate(parts):
                markup = keyboard if index == len(parts) - 1 else None
                if not await self._send_one(chat_id, part, markup):
                    return count
                count += 1
            if self.tickets is not None:
                for ticket_id in reply.settles:   # delivered: the outbox copy of the code is not needed
                    await self.tickets.settle_told(ticket_id)
        self.sent += count
        return count

    async def text(self, chat_id: int, text: str, **kwargs: object) -> bool:
        """A plain-text message (escaped here), e.g. a hint or a refusal."""
        return await self.html(chat_id, quote(text), **kwargs)

    async def html(self, chat_id: int, html_text: str, markup: object = None, **kwargs: object) -> bool:
        """Already-escaped HTML (the staff views), split at 4 096 with the buttons on the last part."""
        parts = split_html(html_text)
        for index, part in enumerate(parts):
            if not await self._send_one(chat_id, part, markup if index == len(parts) - 1 else None, **kwargs):
                return False
        return True

    async def _send_one(self, chat_id: int, text: str, markup: object, **kwargs: object) -> bool:
        for _ in range(RETRY_AFTER_MAX + 1):
            await self.limiter.acquire(chat_id)
            try:
                await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup, **kwargs)  # type: ignore[arg-type]
                return True
            except TelegramRetryAfter as exc:
                if exc.retry_after > RETRY_AFTER_LONGEST_S:
                    log.warning("reply to chat=%s dropped: Telegram asks to wait %ss", chat_id, exc.retry_after)
                    return False
                await asyncio.sleep(exc.retry_after)
            except TelegramForbiddenError:
                log.info("chat=%s blocked the bot; reply not sent", chat_id)
                return False
            except TelegramAPIError as exc:
                log.warning("reply to chat=%s failed: %s", chat_id, exc)
                return False
        return False

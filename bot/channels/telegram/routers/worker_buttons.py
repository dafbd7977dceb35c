"""A worker pressed one of the dialogue's inline buttons: hand the payload to the dialogue."""

from __future__ import annotations

import contextlib

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery

from bot.channels.telegram.callbacks import DialogueButton
from bot.channels.telegram.incoming import from_button
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.sender import OutboxSender
from bot.dialogue.engine import Dialogue


async def on_button(query: CallbackQuery, callback_data: DialogueButton, dialogue: Dialogue, replier: Replier,
                    sender: OutboxSender) -> None:
    payload = callback_data.payload
    with contextlib.suppress(TelegramAPIError):   # stop the button's spinner first: the phone shows it at once
        await query.answer()
    replies = await dialogue.handle(from_button(query, payload))
    sender.wake()
    await replier.send(query.from_user.id, replies)


async def stale(query: CallbackQuery) -> None:
    """A button from an old message, another bot version or forged data: just stop the spinner."""
    with contextlib.suppress(TelegramAPIError):
        await query.answer()


def get_router() -> Router:
    """A fresh router with this module's handlers (one per Dispatcher)."""
    router = Router(name=__name__)
    router.callback_query.register(on_button, DialogueButton.filter())
    router.callback_query.register(stale)
    return router

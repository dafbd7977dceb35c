"""Free text from a worker (the fallback, included last): the dialogue decides what it means."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from bot.channels.telegram.incoming import from_message
from bot.channels.telegram.onloop import when
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.sender import OutboxSender
from bot.dialogue.engine import Dialogue


async def on_text(message: Message, dialogue: Dialogue, replier: Replier, sender: OutboxSender) -> None:
    replies = await dialogue.handle(from_message(message))
    sender.wake()
    await replier.send(message.chat.id, replies)


def get_router() -> Router:
    """A fresh router with this module's handlers (one per Dispatcher)."""
    router = Router(name=__name__)
    router.message.register(on_text, when(F.text))
    return router

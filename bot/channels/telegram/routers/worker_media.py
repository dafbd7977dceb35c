"""Files from a worker: photos and documents go to the dialogue (ticket evidence); voice, stickers,
locations and anything else get a friendly note on what the bot can take."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from bot.channels.telegram.incoming import from_message
from bot.channels.telegram.onloop import when
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.sender import OutboxSender
from bot.channels.telegram.wording import Wording
from bot.dialogue.engine import Dialogue


async def on_file(message: Message, dialogue: Dialogue, replier: Replier, sender: OutboxSender) -> None:
    replies = await dialogue.handle(from_message(message))
    sender.wake()
    await replier.send(message.chat.id, replies)


async def on_voice(message: Message, replier: Replier, wording: Wording) -> None:
    await replier.text(message.chat.id, wording("tg.media.voice"))


async def on_location(message: Message, replier: Replier, wording: Wording) -> None:
    await replier.text(message.chat.id, wording("tg.media.location"))


async def on_other(message: Message, replier: Replier, wording: Wording) -> None:
    """Stickers, videos, polls, contacts, …: say what the bot can take."""
    await replier.text(message.chat.id, wording("tg.media.unsupported"))


def get_router() -> Router:
    """A fresh router with this module's handlers (one per Dispatcher)."""
    router = Router(name=__name__)
    router.message.register(on_file, when(F.photo | F.document))
    router.message.register(on_voice, when(F.voice | F.audio | F.video_note))
    router.message.register(on_location, when(F.location | F.venue))
    router.message.register(on_other, when(~F.text))
    return router

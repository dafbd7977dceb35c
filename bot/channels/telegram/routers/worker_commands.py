"""A worker's commands in a private chat: /start /menu /help /mytickets /mydata /forget /cancel (and "取消")."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot.channels.telegram.incoming import WORKER_COMMANDS, from_message
from bot.channels.telegram.onloop import when
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.sender import OutboxSender
from bot.dialogue.engine import Dialogue


async def on_command(message: Message, dialogue: Dialogue, replier: Replier, sender: OutboxSender) -> None:
    incoming = from_message(message)
    if incoming.command is None:            # the plain word 取消: the same path as /cancel
        incoming = type(incoming)(user=incoming.user, command="cancel", display_name=incoming.display_name)
    replies = await dialogue.handle(incoming)
    sender.wake()
    await replier.send(message.chat.id, replies)


def get_router() -> Router:
    """A fresh router with this module's handlers (one per Dispatcher)."""
    router = Router(name=__name__)
    router.message.register(on_command, CommandStart())
    router.message.register(on_command, Command(*WORKER_COMMANDS))
    router.message.register(on_command, when(F.text.in_({"取消", "算了", "不办了"})))
    return router

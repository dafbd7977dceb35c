"""What staff write in a ticket's topic (or as a reply to its alert) goes to the worker.

The ticket service signs it as 工会调解员 and puts it in the outbox; the sender delivers it. The
staff message gets a 👍 reaction once it is queued (a reaction is not a message, so it does not
use the group's 20-a-minute budget). Chatter outside any ticket thread stays in the group.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message, ReactionTypeEmoji

from bot.channels.telegram.onloop import when
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.sender import OutboxSender
from bot.channels.telegram.staff_context import StaffOnly, ticket_of_message, where_to_answer
from bot.channels.telegram.wording import Wording
from bot.tickets.api import AccessError, Actor, TransitionError

log = logging.getLogger(__name__)



async def relay_text(message: Message, bot: Bot, staff: Actor, tickets: Any, replier: Replier, wording: Wording,
                     sender: OutboxSender) -> None:
    ticket = await ticket_of_message(message, tickets)
    if ticket is None:
        return          # ordinary talk among staff
    try:
        await tickets.reply(ticket.id, staff, message.text or "")
    except (TransitionError, AccessError, ValueError) as exc:
        await replier.text(message.chat.id, wording("tg.staff.failed", reason=str(exc)), **where_to_answer(message))
        return
    sender.wake()
    with contextlib.suppress(TelegramAPIError):
        await bot.set_message_reaction(chat_id=message.chat.id, message_id=message.message_id,
                                       reaction=[ReactionTypeEmoji(emoji="👍")])


async def anonymous(message: Message, tickets: Any, replier: Replier, wording: Wording) -> None:
    if await ticket_of_message(message, tickets) is not None:
        await replier.text(message.chat.id, wording("tg.staff.anonymous"), **where_to_answer(message))


async def not_text(message: Message, tickets: Any, replier: Replier, wording: Wording) -> None:
    if message.forum_topic_created or message.pinned_message or message.new_chat_members or message.left_chat_member:
        return
    if await ticket_of_message(message, tickets) is not None:
        await replier.text(message.chat.id, wording("tg.staff.relay_text_only"), **where_to_answer(message))


async def refuse_outsider(message: Message, tickets: Any, replier: Replier, wording: Wording) -> None:
    """Someone in the group who is not staff (left, restricted, not yet re-checked) writes in a ticket's
    thread: nothing reaches the worker, and they are told so."""
    if await ticket_of_message(message, tickets) is not None:
        log.info("relay refused user=%s", message.from_user.id if message.from_user else None)
        await replier.text(message.chat.id, wording("tg.staff.refused"), **where_to_answer(message))


def get_router() -> Router:
    """A fresh router with this module's handlers (one per Dispatcher)."""
    router = Router(name=__name__)
    router.message.filter(when(~F.text.startswith("/")))
    router.message.register(relay_text, when(F.text), StaffOnly())
    router.message.register(anonymous, when(F.sender_chat))
    router.message.register(refuse_outsider, when(F.text))
    router.message.register(not_text, when(~F.text), StaffOnly())
    return router

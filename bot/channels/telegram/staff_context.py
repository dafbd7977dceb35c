"""Staff-side plumbing shared by the staff routers: the access filter and "which ticket is this about?"."""

from __future__ import annotations

import re
from typing import Any

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, ReplyParameters

from bot.channels.telegram.access import StaffDirectory, staff_actor
from bot.channels.telegram.delivery import REPLY_PREFIX, TOPIC_PREFIX
from bot.tickets.api import Ticket
from bot.tickets.codes import normalize_code

CODE_IN_TEXT = re.compile(r"GY-\d{8}-\d{4,}")


class StaffOnly(Filter):
    """Passes staff (staff-chat members or ADMIN_IDS) and hands the handler `staff` (an Actor)."""

    async def __call__(self, event: Message | CallbackQuery, bot: Bot, staff_directory: StaffDirectory) -> bool | dict[str, Any]:
        user = event.from_user
        if await staff_directory.is_staff(bot, user):
            assert user is not None
            return {"staff": staff_actor(user)}
        return False


class InStaffChatOrPrivate(Filter):
    """Staff commands are read in the staff chat and in private chats, never in other groups."""

    async def __call__(self, message: Message, staff_chat_id: int) -> bool:
        return message.chat.type == "private" or message.chat.id == staff_chat_id


def where_to_answer(message: Message) -> dict[str, Any]:
    """Answer in the same forum topic, or as a reply in an ordinary group; plainly in a private chat."""
    if message.is_topic_message and message.message_thread_id:
        return {"message_thread_id": message.message_thread_id}
    if message.chat.type != "private":
        return {"reply_parameters": ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)}
    return {}


def leading_code(args: str) -> tuple[str, str]:
    """("GY-20261123-0007", "rest") when the arguments start with a ticket code; ("", args) otherwise."""
    head, _, rest = args.strip().partition(" ")
    code = normalize_code(head) if head else ""
    return (code, rest.strip()) if code else ("", args.strip())


async def ticket_of_message(message: Message, tickets: Any) -> Ticket | None:
    """The ticket a staff message is about: its forum topic, or the alert (or any bot message) it replies to."""
    if message.is_topic_message and message.message_thread_id:
        ticket = await tickets.ticket_by_staff_thread(f"{TOPIC_PREFIX}{message.message_thread_id}")
        if ticket is not None:
            return ticket
    reply = message.reply_to_message
    if reply is not None and reply.forum_topic_created is None:
        ticket = await tickets.ticket_by_staff_thread(f"{REPLY_PREFIX}{reply.message_id}")
        if ticket is not None:
            return ticket
        found = CODE_IN_TEXT.search(reply.text or reply.caption or "")
        if found:
            return await tickets.by_code(found.group(0))
    return None


async def ticket_for_command(message: Message, tickets: Any, args: str) -> tuple[Ticket | None, str]:
    """A leading code wins; else the message's topic or replied-to message. Returns (ticket, remaining args)."""
    code, rest = leading_code(args)
    if code:
        return await tickets.by_code(code), rest
    return await ticket_of_message(message, tickets), rest

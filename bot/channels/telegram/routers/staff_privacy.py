"""`/forget_worker CODE`: staff erase a worker's personal data on the worker's request, after a confirmation.

Read in the staff chat and in private chats, before the private-chat routers, so the confirmation
button works in both. Only staff get the question and only staff presses count; anyone else is
refused and nothing changes. The erasure (bot.privacy) looks the worker up and erases in one
transaction, so a second press, or two staff pressing together, erase once.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.channels.telegram.callbacks import ForgetWorker
from bot.channels.telegram.onloop import when
from bot.channels.telegram.render import quote
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.routers.staff_commands import anonymous, refuse
from bot.channels.telegram.sender import OutboxSender
from bot.channels.telegram.staff_context import InStaffChatOrPrivate, StaffOnly, leading_code, ticket_of_message, where_to_answer
from bot.channels.telegram.wording import Wording
from bot.privacy.service import Privacy
from bot.tickets.api import AccessError, Actor, TicketNotFound

log = logging.getLogger(__name__)

COMMAND = "forget_worker"


def _privacy(services: Any) -> Privacy:
    return Privacy(services.db, services.texts, services.clock)


def confirm_keyboard(ticket_id: int, wording: Wording) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=wording("privacy.tg.confirm_button"),
                             callback_data=ForgetWorker(ticket_id=ticket_id, action="yes").pack()),
        InlineKeyboardButton(text=wording("privacy.tg.cancel_button"),
                             callback_data=ForgetWorker(ticket_id=ticket_id, action="no").pack()),
    ]])


async def ask(message: Message, command: CommandObject, tickets: Any, services: Any, replier: Replier,
              wording: Wording) -> None:
    code, _ = leading_code(command.args or "")
    ticket = await tickets.by_code(code) if code else await ticket_of_message(message, tickets)
    where = where_to_answer(message)
    if ticket is None:
        await replier.text(message.chat.id, wording("privacy.tg.usage"), **where)
        return
    count = await _privacy(services).tickets_of_worker_behind(ticket.id)
    if count == 0:
        await replier.text(message.chat.id, wording("privacy.tg.already", code=ticket.code), **where)
        return
    await replier.html(message.chat.id, quote(wording("privacy.tg.ask", code=ticket.code, count=count)),
                       confirm_keyboard(ticket.id, wording), **where)


async def confirm(query: CallbackQuery, callback_data: ForgetWorker, bot: Bot, staff: Actor, services: Any,
                  dialogue: Any, wording: Wording, replier: Replier, sender: OutboxSender) -> None:
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        with contextlib.suppress(TelegramAPIError):    # the question is answered: its buttons go
            await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=message.message_id,
                                                reply_markup=None)
    if callback_data.action == "no":
        await query.answer(wording("privacy.tg.cancelled"))
        return
    privacy = _privacy(services)
    try:
        worker = await privacy.worker_of_ticket(callback_data.ticket_id)
        # Wait for the worker's turn in flight, if any: it would save the conversation back.
        async with dialogue.lock_for(":".join(worker)) if worker else contextlib.nullcontext():
            result = await privacy.erase_by_ticket(callback_data.ticket_id, staff)
    except (TicketNotFound, AccessError) as exc:
        await query.answer(wording("tg.staff.failed", reason=str(exc))[:200], show_alert=True)
        return
    if result is None:
        ticket = await services.tickets.get(callback_data.ticket_id)
        await query.answer(wording("privacy.tg.already", code=ticket.code)[:200], show_alert=True)
        return
    log.info("worker data erased by staff=%s tickets=%s", staff.id, result.tickets)
    done = wording("privacy.tg.done", tickets=result.tickets, codes="、".join(result.codes), messages=result.messages,
                   files=result.files)
    await query.answer(done[:200])
    if message is not None:
        await replier.text(message.chat.id, done, **where_to_answer(message))
    sender.wake()


async def refuse_press(query: CallbackQuery, wording: Wording) -> None:
    log.info("forget button refused user=%s", query.from_user.id)
    await query.answer(wording("tg.staff.refused"), show_alert=True)


def get_router() -> Router:
    """A fresh router with this module's handlers (one per Dispatcher)."""
    router = Router(name=__name__)
    router.message.filter(InStaffChatOrPrivate(), Command(COMMAND))
    router.message.register(ask, StaffOnly())
    router.message.register(anonymous, when(F.sender_chat))
    router.message.register(refuse)
    router.callback_query.register(confirm, ForgetWorker.filter(), StaffOnly())
    router.callback_query.register(refuse_press, ForgetWorker.filter())
    return router

"""The alert card's buttons: 接单 · 备注 · 转交 · 结案 (and 重新打开 on a closed case's message).

Presses are idempotent: one lock per ticket serialises double taps, and the ticket service
treats a second claim by the same person as "nothing to do". Anyone who is not staff gets an
alert saying so and nothing changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, ReplyParameters

from bot.channels.telegram.callbacks import TicketAction
from bot.channels.telegram.keyboards import staff_keyboard
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.sender import OutboxSender
from bot.channels.telegram.staff_context import StaffOnly
from bot.channels.telegram.wording import Wording
from bot.tickets.api import AccessError, Actor, TicketNotFound, TransitionError

log = logging.getLogger(__name__)

_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

HINTS = {"note": "tg.staff.note_hint", "transfer": "tg.staff.transfer_hint", "close": "tg.staff.close_hint"}


def _lock(ticket_id: int) -> asyncio.Lock:
    lock = _locks.get(ticket_id)
    if lock is None:
        lock = _locks[ticket_id] = asyncio.Lock()
    return lock


def _thread_of(message: Message | None) -> dict[str, Any]:
    if message is not None and message.is_topic_message and message.message_thread_id:
        return {"message_thread_id": message.message_thread_id}
    if message is not None:
        return {"reply_parameters": ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)}
    return {}


async def on_action(query: CallbackQuery, callback_data: TicketAction, staff: Actor, tickets: Any,
                    wording: Wording, replier: Replier, sender: OutboxSender, staff_chat_id: int) -> None:
    action, ticket_id = callback_data.action, callback_data.ticket_id
    if action in HINTS:
        await query.answer(wording(HINTS[action]), show_alert=True)
        return
    async with _lock(ticket_id):
        try:
            if action == "claim":
                await _claim(query, ticket_id, staff, tickets, wording, replier, staff_chat_id)
            elif action == "reopen":
                ticket = await tickets.reopen(ticket_id, staff, "")
                await query.answer(wording("tg.staff.done", code=ticket.code, state="已重新打开"))
            else:
                await query.answer()
        except (TransitionError, AccessError, TicketNotFound, ValueError) as exc:
            await query.answer(wording("tg.staff.failed", reason=str(exc))[:200], show_alert=True)
            return
    sender.wake()


async def _claim(query: CallbackQuery, ticket_id: int, staff: Actor, tickets: Any, wording: Wording,
                 replier: Replier, staff_chat_id: int) -> None:
    before = await tickets.get(ticket_id)
    if before.assignee == staff.id:
        await query.answer(wording("tg.staff.claimed_by_you"))
        return
    await tickets.claim(ticket_id, staff)
    await query.answer(wording("tg.staff.claimed", name=staff.name))
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        with contextlib.suppress(TelegramAPIError):   # cosmetic: drop the 接单 button from the card
            await query.bot.edit_message_reply_markup(  # type: ignore[union-attr]
                chat_id=message.chat.id, message_id=message.message_id,
                reply_markup=staff_keyboard(ticket_id, claimed=True))
    await replier.text(staff_chat_id, wording("tg.staff.claimed", name=staff.name) + f"（{before.code}）",
                       **_thread_of(message))


async def refuse(query: CallbackQuery, wording: Wording) -> None:
    log.info("staff button refused user=%s", query.from_user.id)
    await query.answer(wording("tg.staff.refused"), show_alert=True)


async def stale(query: CallbackQuery, wording: Wording) -> None:
    """Data no factory accepts (forged, from an old bot version, a ticket id that cannot exist): nothing changes."""
    log.info("unknown button data refused user=%s", query.from_user.id)
    await query.answer(wording("tg.staff.stale_button"), show_alert=True)


def get_router() -> Router:
    """A fresh router with this module's handlers (one per Dispatcher)."""
    router = Router(name=__name__)
    router.callback_query.register(on_action, TicketAction.filter(), StaffOnly())
    router.callback_query.register(refuse, TicketAction.filter())
    router.callback_query.register(stale)
    return router

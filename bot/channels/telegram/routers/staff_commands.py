"""Staff commands: /queue /ticket /note /transfer /resolve /close /reopen /stats.

Read in the staff chat and in private chats. Only staff pass `StaffOnly`; anyone else gets a
clear refusal from the last handler and nothing changes. Inside a ticket's topic (or replying to
its alert) the ticket is implied; elsewhere the code comes first: `/note GY-20261123-0007 …`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.keyboards import staff_keyboard
from bot.channels.telegram.onloop import when
from bot.channels.telegram.render import quote
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.sender import OutboxSender
from bot.channels.telegram.staff_context import (
    InStaffChatOrPrivate,
    StaffOnly,
    ticket_for_command,
    where_to_answer,
)
from bot.channels.telegram.staff_views import Labels, queue_view, stats_view, ticket_view
from bot.channels.telegram.wording import Wording
from bot.scheduler import satisfaction
from bot.tickets.api import AccessError, Actor, State, Ticket, TicketNotFound, TransitionError

log = logging.getLogger(__name__)

STAFF_COMMANDS = ("queue", "ticket", "note", "transfer", "resolve", "close", "reopen", "stats")
TRANSFER_TARGETS = {
    "人社": "人社部门", "人社局": "人社部门", "劳动监察": "劳动保障监察", "监察": "劳动保障监察",
    "仲裁": "劳动人事争议仲裁委员会", "仲裁委": "劳动人事争议仲裁委员会", "法院": "人民法院",
    "法律援助": "法律援助机构", "法援": "法律援助机构",
}
AMOUNT = re.compile(r"^(\d+(?:\.\d{1,2})?)(?:元|块)?$")
EVIDENCE_SHOWN_MAX = 10



async def _answer(message: Message, replier: Replier, html_text: str, markup: Any = None) -> None:
    await replier.html(message.chat.id, html_text, markup, **where_to_answer(message))


async def _say(message: Message, replier: Replier, text: str) -> None:
    await replier.text(message.chat.id, text, **where_to_answer(message))


async def _ticket_or_explain(message: Message, command: CommandObject, tickets: Any, replier: Replier,
                             wording: Wording) -> tuple[Ticket | None, str]:
    ticket, rest = await ticket_for_command(message, tickets, command.args or "")
    if ticket is None:
        await _say(message, replier, wording("tg.staff.no_ticket"))
    return ticket, rest


async def _run(message: Message, replier: Replier, wording: Wording, sender: OutboxSender, action: Any) -> Any:
    """Call the ticket service; a refusal (wrong state, missing reason, …) is shown, not raised."""
    try:
        result = await action
    except (TransitionError, AccessError, TicketNotFound, ValueError) as exc:
        await _say(message, replier, wording("tg.staff.failed", reason=str(exc)))
        return None
    sender.wake()
    return result if result is not None else True


async def _change(message: Message, replier: Replier, wording: Wording, sender: OutboxSender, labels: Labels,
                  action: Any) -> None:
    """A state change: run it through `_run`, then tell staff the ticket's new state."""
    changed = await _run(message, replier, wording, sender, action)
    if changed:
        await _say(message, replier, wording("tg.staff.done", code=changed.code, state=labels.state(changed.state)))


async def queue(message: Message, tickets: Any, replier: Replier, wording: Wording, labels: Labels) -> None:
    waiting = await tickets.queue(limit=30)
    if not waiting:
        await _say(message, replier, wording("tg.staff.queue_empty"))
        return
    await _answer(message, replier, queue_view(waiting, labels, wording("tg.staff.queue_title", count=len(waiting))))


async def show_ticket(message: Message, command: CommandObject, tickets: Any, replier: Replier, wording: Wording,
                      labels: Labels, delivery: Delivery) -> None:
    ticket, _ = await _ticket_or_explain(message, command, tickets, replier, wording)
    if ticket is None:
        return
    await _answer(message, replier, ticket_view(ticket, labels), staff_keyboard(ticket.id, claimed=bool(ticket.assignee)))
    # The evidence itself (photos, files the worker sent), so staff can look at it here.
    where = where_to_answer(message)
    for item in ticket.intake.evidence[:EVIDENCE_SHOWN_MAX]:
        await delivery.send_evidence(message.chat.id, item, ticket.code, where)


async def note(message: Message, command: CommandObject, staff: Actor, tickets: Any, replier: Replier,
               wording: Wording, sender: OutboxSender) -> None:
    ticket, text = await _ticket_or_explain(message, command, tickets, replier, wording)
    if ticket is None:
        return
    if not text:
        await _say(message, replier, wording("tg.staff.usage.note"))
        return
    if await _run(message, replier, wording, sender, tickets.note(ticket.id, staff, text)):
        await _say(message, replier, wording("tg.staff.note_saved"))


async def transfer(message: Message, command: CommandObject, staff: Actor, tickets: Any, replier: Replier,
                   wording: Wording, sender: OutboxSender, labels: Labels) -> None:
    ticket, rest = await _ticket_or_explain(message, command, tickets, replier, wording)
    if ticket is None:
        return
    target, _, reason = rest.partition(" ")
    if not target or not reason.strip():
        await _say(message, replier, wording("tg.staff.usage.transfer"))
        return
    target = TRANSFER_TARGETS.get(target, target)
    await _change(message, replier, wording, sender, labels, tickets.change_state(
        ticket.id, staff, State.TRANSFERRED, reason=reason.strip(), transfer_to=target))


async def resolve(message: Message, command: CommandObject, staff: Actor, tickets: Any, replier: Replier,
                  wording: Wording, sender: OutboxSender, labels: Labels) -> None:
    ticket, rest = await _ticket_or_explain(message, command, tickets, replier, wording)
    if ticket is None:
        return
    amount_text, _, note_text = rest.partition(" ")
    match = AMOUNT.match(amount_text.replace(",", "").replace("，", ""))
    if not match:
        await _say(message, replier, wording("tg.staff.usage.resolve"))
        return
    await _change(message, replier, wording, sender, labels, tickets.change_state(
        ticket.id, staff, State.RESOLVED, reason=note_text.strip(), amount_recovered=float(match.group(1))))


async def close(message: Message, command: CommandObject, staff: Actor, tickets: Any, replier: Replier,
                wording: Wording, sender: OutboxSender, labels: Labels) -> None:
    ticket, reason = await _ticket_or_explain(message, command, tickets, replier, wording)
    if ticket is None:
        return
    if not reason:
        await _say(message, replier, wording("tg.staff.usage.close"))
        return
    await _change(message, replier, wording, sender, labels,
                  tickets.change_state(ticket.id, staff, State.CLOSED, reason=reason))


async def reopen(message: Message, command: CommandObject, staff: Actor, tickets: Any, replier: Replier,
                 wording: Wording, sender: OutboxSender, labels: Labels) -> None:
    ticket, reason = await _ticket_or_explain(message, command, tickets, replier, wording)
    if ticket is None:
        return
    await _change(message, replier, wording, sender, labels, tickets.reopen(ticket.id, staff, reason))


async def stats(message: Message, tickets: Any, replier: Replier, wording: Wording, labels: Labels) -> None:
    view = stats_view(await tickets.stats(), labels, wording("tg.staff.stats_title"))
    rated = satisfaction.describe(await satisfaction.compute(tickets.db), labels.texts)   # survey (bot/scheduler)
    await _answer(message, replier, f"{view}\n{quote(rated)}")


async def anonymous(message: Message, replier: Replier, wording: Wording) -> None:
    await _say(message, replier, wording("tg.staff.anonymous"))


async def refuse(message: Message, replier: Replier, wording: Wording, staff_chat_id: int) -> None:
    """Not staff: say so, change nothing."""
    user = message.from_user
    log.info("staff command refused user=%s chat=%s", user.id if user else None, message.chat.id)
    key = "tg.staff_only" if message.chat.type == "private" else "tg.staff.refused"
    await _say(message, replier, wording(key))


def get_router() -> Router:
    """A fresh router with this module's handlers (one per Dispatcher)."""
    router = Router(name=__name__)
    router.message.filter(InStaffChatOrPrivate(), Command(*STAFF_COMMANDS))
    router.message.register(queue, StaffOnly(), Command("queue"))
    router.message.register(show_ticket, StaffOnly(), Command("ticket"))
    router.message.register(note, StaffOnly(), Command("note"))
    router.message.register(transfer, StaffOnly(), Command("transfer"))
    router.message.register(resolve, StaffOnly(), Command("resolve"))
    router.message.register(close, StaffOnly(), Command("close"))
    router.message.register(reopen, StaffOnly(), Command("reopen"))
    router.message.register(stats, StaffOnly(), Command("stats"))
    router.message.register(anonymous, when(F.sender_chat))
    router.message.register(refuse)
    return router

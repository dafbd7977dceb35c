"""Turns one outbox message into Bot API calls: to a worker's private chat or into the staff group.

Staff messages about a ticket live together: in the ticket's forum topic when the staff chat is a
forum (created on the ticket's first staff message), else as replies to the ticket's alert. The
thread is stored on the ticket (`set_staff_thread`) as "tg-topic:<id>" or "tg-msg:<id>".

`Progress` remembers what already went out for a message (parts sent, topic created), so a retry
after a failure half-way never repeats the parts Telegram already accepted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters

from bot.channels.telegram.callbacks import TicketAction
from bot.channels.telegram.keyboards import outbox_keyboard, staff_keyboard
from bot.channels.telegram.ratelimit import RateLimiter
from bot.channels.telegram.render import quote, split_html, split_plain, tg_len, user_link
from bot.tickets.api import OutboxMessage, Ticket

log = logging.getLogger(__name__)

STAFF_CHANNEL = "staff"
TOPIC_PREFIX = "tg-topic:"
REPLY_PREFIX = "tg-msg:"
CAPTION_LIMIT = 1024
TOPIC_NAME_LIMIT = 128


class Undeliverable(Exception):
    """A message that can never go out as it is (bad recipient id, …): drop it, do not retry."""


class RetryNow(Exception):
    """Something was repaired (e.g. a deleted topic re-created): try the same message again at once."""


@dataclass(slots=True)
class StaffChat:
    chat_id: int
    forum: bool = False
    admin_ids: tuple[int, ...] = ()


@dataclass(slots=True)
class Progress:
    message_ids: list[int] = field(default_factory=list)
    thread: str | None = None                 # the staff thread used for this message
    extras_done: bool = False                 # pin / thread bookkeeping after the last part


def topic_of(thread: str | None) -> int | None:
    return int(thread[len(TOPIC_PREFIX):]) if thread and thread.startswith(TOPIC_PREFIX) else None


def alert_of(thread: str | None) -> int | None:
    return int(thread[len(REPLY_PREFIX):]) if thread and thread.startswith(REPLY_PREFIX) else None


class Delivery:
    def __init__(self, bot: Bot, tickets: Any, staff: StaffChat, limiter: RateLimiter, *,
                 topic_label: Any = None) -> None:
        self.bot = bot
        self.tickets = tickets
        self.staff = staff
        self.limiter = limiter
        self.topic_label = topic_label or (lambda topic: topic)

    async def deliver(self, message: OutboxMessage, progress: Progress) -> dict[str, Any]:
        if message.channel == STAFF_CHANNEL:
            return await self._to_staff(message, progress)
        return await self._to_worker(message, progress)

    # --- workers --------------------------------------------------------------------------
    async def _to_worker(self, message: OutboxMessage, progress: Progress) -> dict[str, Any]:
        try:
            chat_id = int(message.recipient)
        except ValueError:
            raise Undeliverable(f"recipient {message.recipient!r} is not a Telegram user id") from None
        parts = split_plain(message.text)
        keyboard = outbox_keyboard(message.buttons)
        await self._send_parts(chat_id, parts, keyboard, progress, {})
        return {"message_ids": list(progress.message_ids), "chat_id": chat_id}

    async def _send_parts(self, chat_id: int, parts: list[str], keyboard: InlineKeyboardMarkup | None,
                          progress: Progress, where: dict[str, Any]) -> None:
        for index in range(len(progress.message_ids), len(parts)):
            last = index == len(parts) - 1
            await self.limiter.acquire(chat_id)
            sent = await self.bot.send_message(
                chat_id=chat_id, text=parts[index], reply_markup=keyboard if last else None, **where,
            )
            progress.message_ids.append(sent.message_id)

    # --- staff ----------------------------------------------------------------------------
    async def _to_staff(self, message: OutboxMessage, progress: Progress) -> dict[str, Any]:
        ticket = await self.tickets.get(message.ticket_id) if message.ticket_id is not None else None
        chat_id = self.staff.chat_id
        if ticket is not None and progress.thread is None:
            progress.thread = await self._thread_for(ticket)
        where = self._where(progress.thread)
        text = quote(message.text)
        urgent = message.kind == "alert" and bool(message.meta.get("urgent"))
        if urgent and self.staff.admin_ids:
            text += "\n" + " ".join(user_link(uid, "值班管理员") for uid in self.staff.admin_ids)
        keyboard = self._staff_buttons(message)
        file = message.meta.get("file") if isinstance(message.meta.get("file"), dict) else None
        try:
            if file and file.get("file_id") and file.get("kind") in ("photo", "document") and not progress.message_ids:
                await self._send_file(chat_id, file, text, keyboard, progress, where)
            else:
                await self._send_parts(chat_id, split_html(text), keyboard, progress, where)
        except TelegramBadRequest as exc:
            if topic_of(progress.thread) is None or "thread" not in exc.message.lower() or ticket is None:
                raise
            # The ticket's topic was deleted by someone: open a new one and send there next time.
            log.warning("staff topic gone ticket=%s thread=%s: %s", ticket.id, progress.thread, exc.message)
            progress.thread = await self._new_topic(ticket)
            raise RetryNow(exc.message) from exc
        if not progress.extras_done:
            first = progress.message_ids[0]
            if ticket is not None and progress.thread is None:
                thread = f"{REPLY_PREFIX}{first}"
                await self.tickets.set_staff_thread(ticket.id, thread)
                progress.thread = thread
            progress.extras_done = True
            if urgent and message.meta.get("event") != "reminder":   # pin the alert once, not every re-alert
                await self._pin(first)
        return {"message_ids": list(progress.message_ids), "chat_id": chat_id, "thread": progress.thread}

    def _where(self, thread: str | None) -> dict[str, Any]:
        if (topic := topic_of(thread)) is not None:
            return {"message_thread_id": topic}
        if (alert := alert_of(thread)) is not None:
            return {"reply_parameters": ReplyParameters(message_id=alert, allow_sending_without_reply=True)}
        return {}

    async def _thread_for(self, ticket: Ticket) -> str | None:
        """The ticket's staff thread; in a forum a topic is created for the ticket's first message."""
        if self.staff.forum:
            if topic_of(ticket.staff_thread) is not None:
                return ticket.staff_thread
            return await self._new_topic(ticket)
        return ticket.staff_thread if alert_of(ticket.staff_thread) is not None else None

    async def _new_topic(self, ticket: Ticket) -> str:
        urgent = "🚨 " if ticket.priority == "urgent" else ""
        name = f"{urgent}{ticket.code} {self.topic_label(ticket.topic)}"[:TOPIC_NAME_LIMIT]
        await self.limiter.acquire(self.staff.chat_id)
        topic = await self.bot.create_forum_topic(chat_id=self.staff.chat_id, name=name)
        thread = f"{TOPIC_PREFIX}{topic.message_thread_id}"
        await self.tickets.set_staff_thread(ticket.id, thread)
        return thread

    def _staff_buttons(self, message: OutboxMessage) -> InlineKeyboardMarkup | None:
        if message.ticket_id is None:
            return None
        if message.kind == "alert":
            return staff_keyboard(message.ticket_id)
        actions = message.meta.get("actions") or []
        if "reopen" in actions:
            data = TicketAction(ticket_id=message.ticket_id, action="reopen").pack()
            return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="重新打开", callback_data=data)]])
        return None

    async def _send_file(self, chat_id: int, file: dict[str, Any], text: str, keyboard: InlineKeyboardMarkup | None,
                         progress: Progress, where: dict[str, Any]) -> None:
        caption = text if tg_len(text) <= CAPTION_LIMIT else None
        await self.limiter.acquire(chat_id)
        send = self.bot.send_photo if file["kind"] == "photo" else self.bot.send_document
        media = {"photo": file["file_id"]} if file["kind"] == "photo" else {"document": file["file_id"]}
        sent: Message = await send(chat_id=chat_id, caption=caption, reply_markup=keyboard if caption else None,
                                   **media, **where)
        progress.message_ids.append(sent.message_id)
        if caption is None:
            # The text did not fit a caption: it follows as ordinary messages (part 0 was the file).
            parts = ["", *split_html(text)]
            await self._send_parts(chat_id, parts, keyboard, progress, where)

    async def send_evidence(self, chat_id: int, item: dict[str, Any], code: str, where: dict[str, Any]) -> None:
        """Show one piece of a ticket's evidence (a photo or file the worker sent) by its Telegram file id."""
        kind, file_id = item.get("kind"), item.get("file_id")
        if kind not in ("photo", "document") or not file_id:
            return
        name = str(item.get("name") or "")[:200]
        caption = quote(f"{code} 证据" + (f"：{name}" if name else ""))
        await self.limiter.acquire(chat_id)
        try:
            if kind == "photo":
                await self.bot.send_photo(chat_id=chat_id, photo=file_id, caption=caption, **where)
            else:
                await self.bot.send_document(chat_id=chat_id, document=file_id, caption=caption, **where)
        except TelegramAPIError as exc:
            log.warning("could not show evidence of %s: %s", code, exc)

    async def _pin(self, message_id: int) -> None:
        try:
            await self.limiter.acquire(self.staff.chat_id)
            await self.bot.pin_chat_message(chat_id=self.staff.chat_id, message_id=message_id)
        except TelegramAPIError as exc:   # no pin right: the alert is still there, marked and mentioned
            log.warning("could not pin urgent alert message=%s: %s", message_id, exc)

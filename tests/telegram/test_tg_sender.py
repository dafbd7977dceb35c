"""The outbox sender against the real ticket service (temp database) and a recording bot."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import CreateForumTopic, PinChatMessage, SendMessage, SendPhoto
from tg_env import ADMIN_ID, STAFF_CHAT_ID, WORKER_ID, flush

from bot.channels.telegram.delivery import Delivery, StaffChat
from bot.channels.telegram.ratelimit import Limits, RateLimiter
from bot.channels.telegram.sender import OutboxSender
from bot.tickets.api import Actor, Intake, Kind

WORKER = Actor("worker", f"telegram:{WORKER_ID}", "小李")
STAFF = Actor("staff", "telegram:9001", "王调解员")


class InstantSleep:
    """Sleeping moves a pretend monotonic clock instead of waiting."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.now = 0.0

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def sleep():
    return InstantSleep()


def make_sender(bot, services, *, forum=True, sleep=None):
    sleep = sleep or InstantSleep()
    staff = StaffChat(STAFF_CHAT_ID, forum=forum, admin_ids=(ADMIN_ID,))
    delivery = Delivery(bot, services.tickets, staff, RateLimiter(Limits.unlimited()))
    return OutboxSender(services.tickets, delivery, clock=services.clock, sleep=sleep, monotonic=sleep.monotonic)


async def new_ticket(services, *, kind=Kind.MEDIATION, **intake):
    intake.setdefault("topic", "wage")
    intake.setdefault("summary", "站点拖欠两个月工资")
    return await services.tickets.create(channel="telegram", user_id=str(WORKER_ID), kind=kind,
                                         intake=Intake(**intake), consent=None, actor=WORKER)


def sends_to(bot, chat_id):
    return [m for m in bot.calls(SendMessage) if int(m.chat_id) == chat_id]


async def test_new_ticket_tells_the_worker_and_opens_a_topic_with_the_alert(bot, services):
    ticket = await new_ticket(services, amount=3200, headcount=1, summary="<b>老板</b>拖欠 & 不给")
    sender = make_sender(bot, services)
    await flush(sender)

    worker = sends_to(bot, WORKER_ID)
    assert len(worker) == 1 and ticket.code in worker[0].text
    topics = bot.calls(CreateForumTopic)
    assert len(topics) == 1 and ticket.code in topics[0].name
    alert = sends_to(bot, STAFF_CHAT_ID)
    assert len(alert) == 1
    assert alert[0].message_thread_id is not None
    assert "&lt;b&gt;老板&lt;/b&gt;拖欠 &amp; 不给" in alert[0].text      # escaped, never markup
    labels = [b.text for row in alert[0].reply_markup.inline_keyboard for b in row]
    assert labels == ["接单", "备注", "转交", "结案"]
    stored = await services.tickets.get(ticket.id)
    assert stored.staff_thread == f"tg-topic:{alert[0].message_thread_id}"
    assert await services.tickets.outbox_pending() == []


async def test_later_staff_messages_go_to_the_same_topic(bot, services):
    ticket = await new_ticket(services)
    sender = make_sender(bot, services)
    await flush(sender)
    await services.tickets.worker_message(ticket.id, WORKER, text="老板又说下个月再给")
    await flush(sender)
    staff = sends_to(bot, STAFF_CHAT_ID)
    assert len(staff) == 2
    assert staff[0].message_thread_id == staff[1].message_thread_id
    assert len(bot.calls(CreateForumTopic)) == 1


async def test_without_a_forum_alerts_are_threaded_by_reply(bot, services):
    ticket = await new_ticket(services)
    sender = make_sender(bot, services, forum=False)
    await flush(sender)
    alert = sends_to(bot, STAFF_CHAT_ID)[0]
    assert alert.message_thread_id is None and alert.reply_parameters is None
    await services.tickets.worker_message(ticket.id, WORKER, text="补充一下情况")
    await flush(sender)
    follow_up = sends_to(bot, STAFF_CHAT_ID)[1]
    thread = (await services.tickets.get(ticket.id)).staff_thread
    assert thread.startswith("tg-msg:")
    assert follow_up.reply_parameters.message_id == int(thread.removeprefix("tg-msg:"))
    assert bot.calls(CreateForumTopic) == []


async def test_urgent_alert_is_pinned_and_mentions_the_admins(bot, services):
    await new_ticket(services, kind=Kind.URGENT, topic="injury", summary="骑手摔伤了", injury=True)
    await flush(make_sender(bot, services))
    alert = sends_to(bot, STAFF_CHAT_ID)[0]
    assert f'<a href="tg://user?id={ADMIN_ID}">' in alert.text
    pins = bot.calls(PinChatMessage)
    assert len(pins) == 1 and int(pins[0].chat_id) == STAFF_CHAT_ID
    assert "🚨" in bot.calls(CreateForumTopic)[0].name


async def test_429_waits_retry_after_then_sends_the_same_message_once(bot, services, sleep):
    await new_ticket(services)
    bot.add_result_for(SendMessage, ok=False, error_code=429, description="Too Many Requests: retry after 7",
                       retry_after=7)
    sender = make_sender(bot, services, sleep=sleep)
    await flush(sender)
    assert 7.0 in sleep.slept
    assert sender.retries_429 == 1
    delivered = [m.text for m in bot.calls(SendMessage)]
    assert len(delivered) == 3            # the refused try, then the worker's message and the alert once each
    assert len(set(delivered)) == 2
    assert await services.tickets.outbox_pending() == []


async def test_network_errors_back_off_and_nothing_is_lost(bot, services, sleep):
    await new_ticket(services)
    for _ in range(3):
        bot.raise_for(SendMessage, TelegramNetworkError(method=SendMessage(chat_id=1, text="x"), message="down"))
    sender = make_sender(bot, services, sleep=sleep)
    await flush(sender)
    assert sender.network_errors == 3
    assert sleep.slept[:3] == [1.0, 2.0, 4.0]          # exponential, shared by all messages
    texts = [m.text for m in bot.calls(SendMessage)]
    assert len(set(texts)) == 2                          # both messages arrived …
    assert await services.tickets.outbox_pending() == []  # … and are marked sent


async def test_a_blocked_worker_is_dropped_not_retried_and_does_not_block_the_staff(bot, services, sleep):
    await new_ticket(services)
    bot.add_result_for(SendMessage, ok=False, error_code=403, description="Forbidden: bot was blocked by the user")
    sender = make_sender(bot, services, sleep=sleep)
    await flush(sender)
    assert sender.dropped == 1
    assert len(sends_to(bot, STAFF_CHAT_ID)) == 1        # the alert still went out
    assert await services.tickets.outbox_pending() == []
    rows = await services.db.conn.execute_fetchall("SELECT dropped_at, last_error FROM outbox WHERE channel='telegram'")
    assert rows[0][0] is not None and "Forbidden" in rows[0][1]


async def test_a_long_message_is_split_and_a_retry_does_not_repeat_parts(bot, services, sleep):
    ticket = await new_ticket(services)
    sender = make_sender(bot, services, sleep=sleep)
    await flush(sender)
    await services.tickets.claim(ticket.id, STAFF)
    await flush(sender)
    bot.clear()
    await services.tickets.reply(ticket.id, STAFF, "\n".join(f"第{i}点：请保留工资条和聊天记录。" for i in range(400)))
    # the second part fails on the network: the first part must not be sent again
    bot.raise_for(SendMessage, None)
    bot.raise_for(SendMessage, TelegramNetworkError(method=SendMessage(chat_id=1, text="x"), message="reset"))
    await flush(sender)
    parts = [m.text for m in sends_to(bot, WORKER_ID)]
    assert sender.network_errors == 1
    assert len(parts) == 3                          # part 1, part 2 refused, part 2 again
    assert parts[1] == parts[2] and parts[0] != parts[1]
    assert all(len(p) <= 4096 for p in parts)
    assert parts[0].startswith("【工会调解员】")
    assert await services.tickets.outbox_pending() == []


async def test_evidence_is_shown_to_staff_as_the_photo_itself(bot, services):
    ticket = await new_ticket(services)
    sender = make_sender(bot, services)
    await flush(sender)
    await services.tickets.worker_message(ticket.id, WORKER, attachment={"kind": "photo", "file_id": "AgACphoto1",
                                                                          "name": "工资条"})
    await flush(sender)
    photos = bot.calls(SendPhoto)
    assert len(photos) == 1 and photos[0].photo == "AgACphoto1" and ticket.code in photos[0].caption


async def test_an_urgent_re_alert_is_sent_but_not_pinned_again(bot, services):
    from bot.tickets.outbox import Outgoing

    ticket = await new_ticket(services, kind=Kind.URGENT, topic="injury", summary="骑手摔伤了", injury=True)
    sender = make_sender(bot, services)
    await flush(sender)
    await services.tickets.enqueue(Outgoing("staff", "", f"🚨 {ticket.code} 还没有人接单", "alert", ticket.id,
                                            meta={"urgent": True, "event": "reminder", "code": ticket.code}))
    await flush(sender)
    alerts = sends_to(bot, STAFF_CHAT_ID)
    assert len(alerts) == 2 and "还没有人接单" in alerts[1].text
    assert len(bot.calls(PinChatMessage)) == 1          # the first alert only


async def test_stop_ends_the_sender_even_when_a_wake_up_arrives_in_the_same_turn(bot, services):
    """Shutdown right after a handler queued a message: Python 3.11's wait_for used to swallow
    that cancel, and `stop()` waited forever (CI hung on it)."""
    import asyncio

    sender = make_sender(bot, services)
    sender.poll_interval = 3600
    task = sender.start()
    await asyncio.sleep(0.05)          # the sender has drained an empty outbox and waits for a wake-up
    sender.wake()
    stopping = asyncio.ensure_future(sender.stop())
    await asyncio.wait({stopping}, timeout=10)   # a regression never ends; the bound makes it a failure
    assert stopping.done() and task.done()

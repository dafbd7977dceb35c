"""End to end: the bot long-polls a local fake Bot API server through aiogram's real HTTP client.

Scenario 1: a worker's wage complaint becomes a ticket; the staff group gets the alert in a new
topic; a staff member claims it and replies in the topic; the worker receives the reply; the
worker's follow-up appears in the topic; the case is resolved and the worker is told.

Scenario 2: 429s and a server outage while outbox messages are due: every message arrives once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import pytest
from tg_env import STAFF_CHAT_ID, STAFF_ID, WORKER_ID, needs_intents
from tg_fake_api import FakeBotApi, Sent
from tg_recording import TOKEN

from bot.channels.telegram.app import TelegramApp
from bot.channels.telegram.callbacks import TicketAction
from bot.channels.telegram.ratelimit import Limits
from bot.channels.telegram.render import quote
from bot.config import Settings
from bot.tickets.api import Actor, Intake, Kind, State

pytestmark = needs_intents

# Telegram's limits, scaled down 20 times so the scenario runs in seconds through the same code.
FAST = Limits(per_chat=(1, 0.05), per_group=(20, 3.0), overall=(30, 0.05), spacing=0.05 / 30)
ANSWERS = ["美团外卖朝阳站", "北京市朝阳区", "13800138000"]
SCENARIO_LIMIT_S = 40


@pytest.fixture
async def live(tmp_path, services):
    fake = FakeBotApi(TOKEN, staff_chat_id=STAFF_CHAT_ID, forum=True, members={STAFF_ID: "member"})
    url = await fake.start()
    settings = Settings(_env_file=None, bot_token=TOKEN, staff_chat_id=STAFF_CHAT_ID, admin_ids=[42],
                        database_path=tmp_path / "gongyou.db", telegram_api_url=url)
    app = TelegramApp.create(settings, services, limits=FAST, poll_interval=0.2)
    polling = asyncio.create_task(app.run_polling(polling_timeout=1, handle_signals=False))
    try:
        await fake.wait_for(lambda: fake.calls("getUpdates"))
        yield fake, app
    finally:
        await app.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(polling, 10)
        await app.bot.session.close()
        await fake.stop()


def last_to(fake: FakeBotApi, chat_id: int) -> Sent:
    return fake.to_chat(chat_id)[-1]


async def reply_after(fake: FakeBotApi, chat_id: int, count_before: int) -> Sent:
    await fake.wait_for(lambda: len(fake.to_chat(chat_id)) > count_before)
    await asyncio.sleep(0.15)        # let a multi-message answer finish arriving
    return last_to(fake, chat_id)


async def worker_files_a_complaint(fake: FakeBotApi, user: int) -> Sent:
    answers = iter(ANSWERS)
    before = len(fake.to_chat(user))
    await fake.worker_says(user, "平台拖欠我三个月工资3000元，站长一直不给，我要投诉", name="小李")
    for _ in range(20):
        last = await reply_after(fake, user, before)
        done = next((s for s in fake.to_chat(user)[before:] if "登记好了" in s.text), None)
        if done is not None:
            return done
        before = len(fake.to_chat(user))
        buttons = last.buttons()
        if buttons and buttons[0]["callback_data"] != "d|in:cancel":
            await fake.press(user, last, buttons[0]["callback_data"])
        else:
            answer = next(answers, None)
            if answer is None:
                recent = " | ".join(f"{s.text} {s.reply_markup}" for s in fake.to_chat(user)[-3:])
                raise AssertionError("unexpected question: " + recent)
            await fake.worker_says(user, answer)
    raise AssertionError("intake did not finish")  # pragma: no cover


async def test_a_wage_complaint_from_worker_to_staff_and_back(live, services):
    fake, app = live
    async with asyncio.timeout(SCENARIO_LIMIT_S):
        done = await worker_files_a_complaint(fake, WORKER_ID)
        ticket = (await services.tickets.tickets_of("telegram", str(WORKER_ID)))[0]
        assert ticket.code in done.text

        # the alert lands in the ticket's own topic, with the staff buttons
        alert = await fake.wait_for(lambda: next((s for s in fake.to_chat(STAFF_CHAT_ID) if ticket.code in s.text), None))
        assert alert.thread_id in fake.topics and ticket.code in fake.topics[alert.thread_id]
        assert [b["text"] for b in alert.buttons()] == ["接单", "备注", "转交", "结案"]

        # a staff member claims it
        await fake.press(STAFF_ID, alert, TicketAction(ticket_id=ticket.id, action="claim").pack())
        await fake.wait_for(lambda: fake.callback_answers)
        await fake.wait_sent(WORKER_ID, "调解员已接手")
        assert (await services.tickets.get(ticket.id)).state == State.ASSIGNED

        # and replies in the topic; the worker receives it, signed
        await fake.staff_says(STAFF_ID, "小李你好，我们已联系站长，周五前答复 <请保留截图>", thread_id=alert.thread_id)
        got = await fake.wait_sent(WORKER_ID, "【工会调解员】")
        assert "&lt;请保留截图&gt;" in got.text

        # the worker's follow-up appears in the topic
        await fake.worker_says(WORKER_ID, "好的，我这边还有转账记录")
        follow = await fake.wait_for(lambda: next((s for s in fake.to_chat(STAFF_CHAT_ID)
                                                   if "转账记录" in s.text), None))
        assert follow.thread_id == alert.thread_id

        # resolved: the worker is told, with the amount
        await fake.staff_says(STAFF_ID, "/resolve 3000 站点已补发工资", thread_id=alert.thread_id)
        told = await fake.wait_sent(WORKER_ID, "已经办结")
        assert "3000" in told.text
        assert (await services.tickets.get(ticket.id)).state == State.RESOLVED
        await fake.wait_for(lambda: app.sender.sent >= 4 and not app.sender._inflight)

    # nothing the outbox sent arrived twice
    # (a confirmation settled by the dialogue's delivered reply was never sent: it must not arrive at all)
    rows = await services.db.conn.execute_fetchall("SELECT channel, text, sent_meta FROM outbox WHERE sent_at IS NOT NULL")
    settled = [(ch, text) for ch, text, meta in rows if "told_in_reply" in (meta or "")]
    assert len(settled) == 1 and count_arrivals(fake, *settled[0]) == 0
    assert all(count_arrivals(fake, ch, text) == 1 for ch, text, meta in rows if (ch, text) not in settled)
    assert len(fake.topics) == 1


def count_arrivals(fake: FakeBotApi, channel: str, text: str) -> int:
    chat = STAFF_CHAT_ID if channel == "staff" else WORKER_ID
    escaped = quote(text)
    return sum(1 for s in fake.to_chat(chat) if s.text.startswith(escaped))


async def test_429s_and_an_outage_delay_messages_but_every_one_arrives_once(live, services):
    fake, app = live
    staff = Actor("staff", f"telegram:{STAFF_ID}", "王调解员")
    workers = [2001, 2002, 2003, 2004]
    async with asyncio.timeout(SCENARIO_LIMIT_S):
        fake.fail_next("sendMessage", 429, times=3, retry_after=1)
        fake.fail_next("createForumTopic", 500)
        tickets = []
        for user in workers[:2]:
            tickets.append(await services.tickets.create(
                channel="telegram", user_id=str(user), kind=Kind.MEDIATION, consent=None,
                actor=Actor("worker", f"telegram:{user}", f"工友{user}"),
                intake=Intake(topic="wage", summary=f"欠薪 {user}", amount=1000)))
        app.sender.wake()
        await fake.wait_for(lambda: len(fake.to_chat(workers[0])) >= 1 or fake.refused_while_down, within=10)

        # the Bot API goes away while more messages become due (as scheduler jobs would write them)
        fake.down = True
        for user in workers[2:]:
            tickets.append(await services.tickets.create(
                channel="telegram", user_id=str(user), kind=Kind.MEDIATION, consent=None,
                actor=Actor("worker", f"telegram:{user}", f"工友{user}"),
                intake=Intake(topic="wage", summary=f"欠薪 {user}", amount=2000)))
        await services.tickets.claim(tickets[0].id, staff)
        await services.tickets.reply(tickets[0].id, staff, "我们在跟进，请稍等")
        app.sender.wake()
        await fake.wait_for(lambda: fake.refused_while_down >= 3, within=10)
        await asyncio.sleep(0.5)
        fake.down = False

        await _until_outbox_empty(services)

    rows = await services.db.conn.execute_fetchall(
        "SELECT channel, recipient, text, sent_at, dropped_at FROM outbox ORDER BY id")
    assert len(rows) == 2 * 4 + 2          # per ticket: worker notice + staff alert; then the claim notice and reply
    assert all(r["sent_at"] is not None and r["dropped_at"] is None for r in rows)
    arrived = Counter((s.chat_id, s.text) for s in fake.sent)
    for r in rows:
        chat = STAFF_CHAT_ID if r["channel"] == "staff" else int(r["recipient"])
        matches = [n for (c, text), n in arrived.items() if c == chat and text.startswith(quote(r["text"]))]
        assert matches == [1], (r["text"][:40], matches)
    assert app.sender.retries_429 >= 3 and app.sender.network_errors >= 1
    assert len(fake.topics) == 4           # one topic per ticket, none doubled by the retries


async def _until_outbox_empty(services) -> None:
    while True:
        left = await services.db.conn.execute_fetchall(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL")
        if left[0][0] == 0:
            return
        await asyncio.sleep(0.1)

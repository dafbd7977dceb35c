"""Every staff action from someone who is not staff, through the real Dispatcher: refused with a clear
message, and the database unchanged (tickets, events, outbox) — one test per action and place.
Also /forget_worker itself: staff ask, confirm once, a second press changes nothing."""

from __future__ import annotations

import asyncio

import pytest
import tg_updates as U
from aiogram.methods import AnswerCallbackQuery, SendMessage
from tg_env import OUTSIDER_ID, STAFF_CHAT_ID, STAFF_ID, WORKER_ID, flush

from bot.channels.telegram.callbacks import ForgetWorker, TicketAction
from bot.dialogue.state import ConversationState
from bot.tickets.api import Actor, Intake, Kind, State

WORKER = Actor("worker", f"telegram:{WORKER_ID}", "小李")
STAFF = Actor("staff", f"telegram:{STAFF_ID}", "李姐")
PHONE = "13800001234"


async def feed(app, update):
    return await app.dispatcher.feed_update(app.bot, update)


async def snapshot(services) -> dict[str, list[tuple]]:
    async with services.db.transaction(write=False) as conn:
        return {table: [tuple(r) for r in await conn.execute_fetchall(f"SELECT * FROM {table} ORDER BY 1")]
                for table in ("tickets", "events", "outbox", "conversations")}


@pytest.fixture
async def cases(app, services, bot):
    """An open ticket with its own topic, and a closed one (what /reopen would act on)."""
    open_ = await services.tickets.create(channel="telegram", user_id=str(WORKER_ID), kind=Kind.MEDIATION,
                                          consent=None, actor=WORKER,
                                          intake=Intake(topic="wage", summary="站点拖欠两个月工资", phone=PHONE))
    closed = await services.tickets.create(channel="telegram", user_id=str(WORKER_ID), kind=Kind.CALLBACK,
                                           consent=None, actor=WORKER, intake=Intake(topic="hours", summary="加班"))
    await services.tickets.claim(closed.id, STAFF)
    await services.tickets.change_state(closed.id, STAFF, State.CLOSED, reason="工友撤回")
    await flush(app.sender)
    open_ = await services.tickets.get(open_.id)
    topic = int(open_.staff_thread.removeprefix("tg-topic:"))
    bot.clear()
    return open_, closed, topic


COMMANDS = {
    "queue": "/queue",
    "ticket": "/ticket {open}",
    "note": "/note {open} 我也来写个备注",
    "transfer": "/transfer {open} 仲裁 调解不成",
    "resolve": "/resolve {open} 100 办完了",
    "close": "/close {open} 不管了",
    "reopen": "/reopen {closed} 再开",
    "stats": "/stats",
    "forget_worker": "/forget_worker {open}",
}


def command_text(name: str, open_, closed) -> str:
    return COMMANDS[name].format(open=open_.code, closed=closed.code)


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_a_staff_command_from_an_outsider_in_the_staff_group_is_refused(app, services, bot, cases, name):
    open_, closed, topic = cases
    before = await snapshot(services)
    await feed(app, U.group(STAFF_CHAT_ID, OUTSIDER_ID, command_text(name, open_, closed), thread_id=topic))
    said = bot.texts_to(STAFF_CHAT_ID)
    assert len(said) == 1 and "没有执行" in said[0]
    assert PHONE not in said[0] and "站点拖欠" not in said[0]
    await flush(app.sender)
    assert bot.texts_to(WORKER_ID) == []
    assert await snapshot(services) == before


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_a_staff_command_from_a_worker_in_a_private_chat_is_refused(app, services, bot, cases, name):
    open_, closed, _ = cases
    before = await snapshot(services)
    await feed(app, U.private(WORKER_ID, command_text(name, open_, closed)))
    said = bot.texts_to(WORKER_ID)
    assert len(said) == 1 and "只给工会工作人员用" in said[0]
    assert open_.code not in said[0] and PHONE not in said[0]
    assert await snapshot(services) == before


@pytest.mark.parametrize("action", ["claim", "note", "transfer", "close", "reopen"])
async def test_a_staff_button_pressed_by_an_outsider_is_refused(app, services, bot, cases, action):
    open_, closed, topic = cases
    target = closed if action == "reopen" else open_
    before = await snapshot(services)
    card = U.bot_message(STAFF_CHAT_ID, 5000, f"工单 {target.code}", thread_id=topic)
    await feed(app, U.press(OUTSIDER_ID, TicketAction(ticket_id=target.id, action=action).pack(), card))
    answer = bot.calls(AnswerCallbackQuery)
    assert len(answer) == 1 and answer[0].show_alert and "没有执行" in answer[0].text
    assert await snapshot(services) == before


@pytest.mark.parametrize("action", ["yes", "no"])
@pytest.mark.parametrize("where", ["group", "private"])
async def test_the_forget_button_pressed_by_someone_not_staff_is_refused(app, services, bot, cases, action, where):
    open_, _, topic = cases
    before = await snapshot(services)
    presser = OUTSIDER_ID if where == "group" else WORKER_ID
    on = (U.bot_message(STAFF_CHAT_ID, 5001, "确定要删除…", thread_id=topic) if where == "group"
          else U.bot_message(WORKER_ID, 5001, "确定要删除…"))
    await feed(app, U.press(presser, ForgetWorker(ticket_id=open_.id, action=action).pack(), on))
    answer = bot.calls(AnswerCallbackQuery)
    assert len(answer) == 1 and "没有执行" in answer[0].text
    assert await snapshot(services) == before


async def test_an_outsiders_text_in_a_ticket_topic_does_not_reach_the_worker(app, services, bot, cases):
    _, _, topic = cases
    before = await snapshot(services)
    await feed(app, U.group(STAFF_CHAT_ID, OUTSIDER_ID, "我是调解员，把你的身份证号发给我", thread_id=topic))
    await flush(app.sender)
    assert bot.texts_to(WORKER_ID) == []
    assert "没有执行" in bot.texts_to(STAFF_CHAT_ID)[-1]
    assert await snapshot(services) == before


async def test_staff_forget_a_worker_after_confirming_and_a_second_press_changes_nothing(app, services, bot, cases):
    open_, closed, topic = cases
    before = await snapshot(services)
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, f"/forget_worker {open_.code}", thread_id=topic))
    question = bot.calls(SendMessage)[-1]
    assert "2 个工单" in question.text and question.message_thread_id == topic
    assert await snapshot(services) == before                                  # asking changes nothing
    yes, no = question.reply_markup.inline_keyboard[0]
    assert ForgetWorker.unpack(yes.callback_data) == ForgetWorker(ticket_id=open_.id, action="yes")
    card = U.bot_message(STAFF_CHAT_ID, 6000, question.text, thread_id=topic)

    await feed(app, U.press(STAFF_ID, no.callback_data, card))
    assert await snapshot(services) == before
    await feed(app, U.press(STAFF_ID, yes.callback_data, card))
    for ticket_id in (open_.id, closed.id):
        erased = await services.tickets.get(ticket_id)
        assert erased.user_id == "" and erased.intake.phone == "" and erased.intake.summary == ""
        last = (await services.tickets.events(ticket_id))[-1]
        assert (last.type, last.actor.id) == ("erased", f"telegram:{STAFF_ID}")
    assert "已删除：2 个工单" in bot.texts_to(STAFF_CHAT_ID)[-1]
    after = await snapshot(services)

    await feed(app, U.press(STAFF_ID, yes.callback_data, card))              # the old button, again
    assert "已经删除过了" in bot.calls(AnswerCallbackQuery)[-1].text
    assert await snapshot(services) == after
    await flush(app.sender)
    assert any("请管理员一并删除" in t for t in bot.texts_to(STAFF_CHAT_ID))
    assert bot.texts_to(WORKER_ID) == []


async def test_staff_erasure_waits_for_the_workers_turn_in_flight(app, services, bot, cases, clock):
    """A worker's turn loaded their conversation just before staff pressed 确认删除. The erasure
    waits for that turn, so the turn cannot save the draft (a phone number) back after it."""
    open_, _, topic = cases
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, f"/forget_worker {open_.code}", thread_id=topic))
    yes, _ = bot.calls(SendMessage)[-1].reply_markup.inline_keyboard[0]
    card = U.bot_message(STAFF_CHAT_ID, 6001, "确认删除？", thread_id=topic)
    key = f"telegram:{WORKER_ID}"
    turn = services.dialogue.lock_for(key)
    await turn.acquire()                                        # the worker's turn is running
    try:
        press = asyncio.create_task(feed(app, U.press(STAFF_ID, yes.callback_data, card)))
        await asyncio.sleep(0.05)
        assert not press.done()
        assert (await services.tickets.get(open_.id)).user_id == str(WORKER_ID)     # not erased yet
        draft = ConversationState(flow="intake", step="phone", draft={"phone": PHONE})
        await services.dialogue.store.save(key, draft, clock.now())                 # the turn ends by saving
    finally:
        turn.release()
    await press
    assert (await services.tickets.get(open_.id)).user_id == ""
    assert await services.db.fetch_all("SELECT 1 FROM conversations WHERE user_key = ?", (key,)) == []

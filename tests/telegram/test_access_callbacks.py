"""Callback data is parsed by CallbackData factories and never trusted: forged, malformed or stale
data — wrong prefix, non-numeric or impossible ids, ids that do not exist, someone else's ticket,
an old button pressed again — changes nothing, and every press is answered (no endless spinner)."""

from __future__ import annotations

import pytest
import tg_updates as U
from aiogram.methods import AnswerCallbackQuery
from tg_env import STAFF_CHAT_ID, STAFF_ID, WORKER_ID, flush, needs_intents

from bot.channels.telegram.callbacks import DialogueButton, TicketAction, pack_dialogue, unpack_dialogue
from bot.tickets.api import Actor, Intake, Kind, State

OTHER_WORKER = 1002
STAFF = Actor("staff", f"telegram:{STAFF_ID}", "李姐")


async def feed(app, update):
    return await app.dispatcher.feed_update(app.bot, update)


async def snapshot(services) -> dict[str, list[tuple]]:
    async with services.db.transaction(write=False) as conn:
        return {table: [tuple(r) for r in await conn.execute_fetchall(f"SELECT * FROM {table} ORDER BY 1")]
                for table in ("tickets", "events", "outbox")}


@pytest.fixture
async def ticket(app, services, bot):
    made = await services.tickets.create(
        channel="telegram", user_id=str(WORKER_ID), kind=Kind.MEDIATION, consent=None,
        actor=Actor("worker", f"telegram:{WORKER_ID}", "小李"),
        intake=Intake(topic="wage", summary="站点拖欠两个月工资", phone="13800001234"))
    await flush(app.sender)
    bot.clear()
    return made


def test_the_factories_refuse_what_they_did_not_make():
    assert unpack_dialogue(pack_dialogue("in:consent:yes")) == "in:consent:yes"
    for raw in (None, "", "d", "x|in:submit", "d|a|b", "tk:1:claim", "in:submit"):
        assert unpack_dialogue(raw) is None, raw
    for raw in ("tk:abc:claim", "tk:0:claim", "tk:-5:claim", "tk:" + "9" * 30 + ":claim", "tk:1:delete", "tk:1",
                "tk:1:claim:x", "tx:1:claim"):
        with pytest.raises((TypeError, ValueError)):
            TicketAction.unpack(raw)
    with pytest.raises(ValueError):
        DialogueButton(payload="a|b").pack()


@pytest.mark.parametrize("data", ["tk:abc:claim", "tk:0:claim", "tk:-1:claim", "tk:" + "9" * 30 + ":claim",
                                  "tk:{id}:delete", "tk:{id}", "tk:{id}:claim:extra", "d|m:menu", "fw:abc:yes",
                                  "zz", "", "tk:{id}:CLAIM"])
async def test_forged_data_on_a_staff_card_changes_nothing(app, services, bot, ticket, data):
    before = await snapshot(services)
    card = U.bot_message(STAFF_CHAT_ID, 5000, f"工单 {ticket.code}")
    await feed(app, U.press(STAFF_ID, data.format(id=ticket.id), card))
    answers = bot.calls(AnswerCallbackQuery)
    assert len(answers) == 1 and "失效" in answers[0].text
    assert await snapshot(services) == before


@pytest.mark.parametrize("action", ["claim", "reopen"])
async def test_a_staff_button_for_a_ticket_that_does_not_exist_is_refused(app, services, bot, ticket, action):
    before = await snapshot(services)
    card = U.bot_message(STAFF_CHAT_ID, 5000, "工单")
    await feed(app, U.press(STAFF_ID, TicketAction(ticket_id=ticket.id + 1000, action=action).pack(), card))
    answers = bot.calls(AnswerCallbackQuery)
    assert len(answers) == 1 and "没有这个工单" in answers[0].text
    assert await snapshot(services) == before


async def test_an_old_reopen_button_pressed_twice_reopens_once(app, services, bot, ticket):
    await services.tickets.claim(ticket.id, STAFF)
    await services.tickets.change_state(ticket.id, STAFF, State.CLOSED, reason="工友撤回")
    card = U.bot_message(STAFF_CHAT_ID, 5000, f"工单 {ticket.code} 已关闭")
    data = TicketAction(ticket_id=ticket.id, action="reopen").pack()
    await feed(app, U.press(STAFF_ID, data, card))
    after_first = await snapshot(services)
    assert (await services.tickets.get(ticket.id)).state == State.ASSIGNED
    await feed(app, U.press(STAFF_ID, data, card))
    assert "没有成功" in bot.calls(AnswerCallbackQuery)[-1].text
    assert await snapshot(services) == after_first


@pytest.mark.parametrize("data", ["d|tk:{id}", "d|tk:abc", "d|tk:999999", "d|tk:-1", "d|sv:{id}:5", "d|a|b", "tk:{id}:claim",
                                  "tk:{id}", "fw:{id}:yes", "zz", "", "d|", "d|pd:forget:abc"])
async def test_forged_data_from_another_worker_shows_and_changes_nothing(app, services, bot, ticket, data):
    before = await snapshot(services)
    chat = U.bot_message(OTHER_WORKER, 77, "菜单")
    await feed(app, U.press(OTHER_WORKER, data.format(id=ticket.id), chat))
    assert len(bot.calls(AnswerCallbackQuery)) == 1                       # the spinner always stops
    for text in bot.texts_to(OTHER_WORKER):
        assert ticket.code not in text and "13800001234" not in text and "拖欠" not in text
    assert await snapshot(services) == before


@needs_intents
async def test_the_owner_sees_their_ticket_through_the_same_button(app, services, bot, ticket):
    await feed(app, U.press(WORKER_ID, f"d|tk:{ticket.id}", U.bot_message(WORKER_ID, 77, "我的诉求")))
    assert ticket.code in bot.texts_to(WORKER_ID)[-1]                      # the positive control

"""Staff side through the real Dispatcher: buttons, topic relay, commands, and refusals for outsiders."""

from __future__ import annotations

import pytest
import tg_updates as U
from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup, SendMessage, SendPhoto, SetMessageReaction
from tg_env import ADMIN_ID, OUTSIDER_ID, STAFF_CHAT_ID, STAFF_ID, WORKER_ID, flush

from bot.channels.telegram.callbacks import TicketAction
from bot.tickets.api import Actor, Intake, Kind, State

WORKER = Actor("worker", f"telegram:{WORKER_ID}", "小李")


@pytest.fixture
async def opened(app, services, bot):
    """A wage ticket whose alert went to its own topic; returns (ticket, alert message as Telegram shows it)."""
    ticket = await services.tickets.create(
        channel="telegram", user_id=str(WORKER_ID), kind=Kind.MEDIATION, consent=None, actor=WORKER,
        intake=Intake(topic="wage", summary="站点拖欠两个月工资", amount=3200,
                      evidence=[{"kind": "photo", "file_id": "AgACpayslip", "name": "工资条"}]))
    await flush(app.sender)
    ticket = await services.tickets.get(ticket.id)
    topic = int(ticket.staff_thread.removeprefix("tg-topic:"))
    alert = next(m for m in bot.calls(SendMessage) if int(m.chat_id) == STAFF_CHAT_ID)
    bot.clear()
    return ticket, U.bot_message(STAFF_CHAT_ID, 5000, alert.text, thread_id=topic), topic


async def feed(app, update):
    return await app.dispatcher.feed_update(app.bot, update)


def staff_texts(bot):
    return [m.text for m in bot.calls(SendMessage) if int(m.chat_id) == STAFF_CHAT_ID]


async def assigned_events(services, ticket_id):
    return [e for e in await services.tickets.events(ticket_id) if e.type == "assigned"]


async def test_claim_button_claims_once_even_when_tapped_twice(app, services, bot, opened):
    ticket, alert, _ = opened
    data = TicketAction(ticket_id=ticket.id, action="claim").pack()
    await feed(app, U.press(STAFF_ID, data, alert))
    await feed(app, U.press(STAFF_ID, data, alert))
    after = await services.tickets.get(ticket.id)
    assert after.state == State.ASSIGNED and after.assignee == f"telegram:{STAFF_ID}"
    assert len(await assigned_events(services, ticket.id)) == 1
    answers = bot.calls(AnswerCallbackQuery)
    assert len(answers) == 2 and "已经接过" in answers[1].text
    edits = bot.calls(EditMessageReplyMarkup)
    assert [b.text for b in edits[0].reply_markup.inline_keyboard[0]] == ["备注", "转交", "结案"]
    await flush(app.sender)
    assert any("接手" in m.text for m in bot.calls(SendMessage) if int(m.chat_id) == WORKER_ID)


async def test_an_outsider_pressing_a_staff_button_is_refused_and_nothing_changes(app, services, bot, opened):
    ticket, alert, _ = opened
    await feed(app, U.press(OUTSIDER_ID, TicketAction(ticket_id=ticket.id, action="claim").pack(), alert))
    answer = bot.calls(AnswerCallbackQuery)[0]
    assert answer.show_alert and "没有执行" in answer.text
    after = await services.tickets.get(ticket.id)
    assert after.state == State.NEW and after.assignee is None
    assert await assigned_events(services, ticket.id) == []


async def test_a_second_staff_member_cannot_take_a_claimed_case(app, services, bot, opened):
    ticket, alert, _ = opened
    data = TicketAction(ticket_id=ticket.id, action="claim").pack()
    await feed(app, U.press(STAFF_ID, data, alert))
    await feed(app, U.press(ADMIN_ID, data, alert))
    assert (await services.tickets.get(ticket.id)).assignee == f"telegram:{STAFF_ID}"
    assert "已由" in bot.calls(AnswerCallbackQuery)[-1].text


async def test_text_in_the_topic_reaches_the_worker_signed(app, services, bot, opened):
    ticket, _, topic = opened
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "你好，我们已联系站点，<明天>答复你 & 请保留截图", thread_id=topic))
    await flush(app.sender)
    to_worker = [m.text for m in bot.calls(SendMessage) if int(m.chat_id) == WORKER_ID]
    escaped = "你好，我们已联系站点，&lt;明天&gt;答复你 &amp; 请保留截图"
    assert to_worker == [f"【工会调解员】{escaped}\n（编号 {ticket.code}，直接回复这条消息就行）"]
    assert len(bot.calls(SetMessageReaction)) == 1
    replies = [e for e in await services.tickets.events(ticket.id) if e.type == "staff_reply"]
    assert replies[0].actor.id == f"telegram:{STAFF_ID}"


async def test_chatter_outside_ticket_threads_stays_in_the_group(app, services, bot, opened):
    ticket, _, _ = opened
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "大家中午吃什么"))
    await flush(app.sender)
    assert [m for m in bot.calls(SendMessage) if int(m.chat_id) == WORKER_ID] == []
    assert [e for e in await services.tickets.events(ticket.id) if e.type == "staff_reply"] == []


async def test_note_resolve_and_reopen_from_the_topic(app, services, bot, opened):
    ticket, alert, topic = opened
    await feed(app, U.press(STAFF_ID, TicketAction(ticket_id=ticket.id, action="claim").pack(), alert))
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/note 站长答应周五前补发", thread_id=topic))
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/resolve 3200 平台已补发", thread_id=topic))
    resolved = await services.tickets.get(ticket.id)
    assert resolved.state == State.RESOLVED and resolved.amount_recovered == 3200
    notes = [e.note for e in await services.tickets.events(ticket.id) if e.type == "note"]
    assert notes == ["站长答应周五前补发"]
    await flush(app.sender)
    assert any("3200" in m.text and "办结" in m.text for m in bot.calls(SendMessage) if int(m.chat_id) == WORKER_ID)
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/reopen 工友说只到账一半", thread_id=topic))
    assert (await services.tickets.get(ticket.id)).state == State.ASSIGNED
    # every command answered in the same topic
    assert all(m.message_thread_id == topic for m in bot.calls(SendMessage) if int(m.chat_id) == STAFF_CHAT_ID)


async def test_transfer_and_close_need_their_arguments(app, services, bot, opened):
    ticket, _, topic = opened
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/transfer", thread_id=topic))
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/resolve 很多钱", thread_id=topic))
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/close", thread_id=topic))
    texts = staff_texts(bot)
    assert "用法：/transfer" in texts[0] and "用法：/resolve" in texts[1] and "用法：/close" in texts[2]
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/transfer 仲裁 调解不成，建议申请仲裁", thread_id=topic))
    after = await services.tickets.get(ticket.id)
    assert after.state == State.TRANSFERRED
    await flush(app.sender)
    assert any("劳动人事争议仲裁委员会" in m.text for m in bot.calls(SendMessage) if int(m.chat_id) == WORKER_ID)


async def test_a_refused_transition_is_explained_not_raised(app, services, bot, opened):
    ticket, _, topic = opened
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/resolve 100 好了", thread_id=topic))    # still new: not allowed
    assert (await services.tickets.get(ticket.id)).state == State.NEW
    assert "操作没有成功" in staff_texts(bot)[-1]


async def test_queue_ticket_and_stats(app, services, bot, opened):
    ticket, _, _ = opened
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/queue"))
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, f"/ticket {ticket.code.lower()}"))
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "/stats"))
    queue, card, stats = staff_texts(bot)
    assert ticket.code in queue
    assert ticket.code in card and "3200 元" in card and "证据：1 件" in card
    assert "总数：1" in stats
    photos = bot.calls(SendPhoto)
    assert [p.photo for p in photos] == ["AgACpayslip"]       # the evidence itself is shown


async def test_staff_commands_from_an_outsider_are_refused(app, services, bot, opened):
    ticket, _, topic = opened
    await feed(app, U.group(STAFF_CHAT_ID, OUTSIDER_ID, f"/close {ticket.code} 不管了", thread_id=topic))
    await feed(app, U.private(OUTSIDER_ID, "/queue"))
    assert (await services.tickets.get(ticket.id)).state == State.NEW
    group_answer = staff_texts(bot)[-1]
    private_answer = [m.text for m in bot.calls(SendMessage) if int(m.chat_id) == OUTSIDER_ID][-1]
    assert "没有执行" in group_answer
    assert "只给工会工作人员用" in private_answer


async def test_an_admin_may_work_from_a_private_chat_with_a_code(app, services, bot, opened):
    ticket, _, _ = opened
    await feed(app, U.private(ADMIN_ID, f"/note {ticket.code} 已电话联系工友"))
    notes = [e for e in await services.tickets.events(ticket.id) if e.type == "note"]
    assert notes[0].actor.id == f"telegram:{ADMIN_ID}"
    assert bot.calls(SendMessage)[-1].chat_id == ADMIN_ID


async def test_commands_in_other_groups_are_ignored(app, services, bot, opened):
    ticket, _, _ = opened
    await feed(app, U.group(-100999, STAFF_ID, f"/close {ticket.code} 错群了"))
    assert (await services.tickets.get(ticket.id)).state == State.NEW
    assert bot.calls(SendMessage) == []


async def test_without_topics_a_reply_to_the_alert_reaches_the_worker(app, services, bot):
    app.staff_chat.forum = False
    ticket = await services.tickets.create(channel="telegram", user_id=str(WORKER_ID), kind=Kind.MEDIATION,
                                           consent=None, actor=WORKER, intake=Intake(topic="wage", summary="欠薪"))
    await flush(app.sender)
    alert = next(m for m in bot.calls(SendMessage) if int(m.chat_id) == STAFF_CHAT_ID)
    alert_id = int((await services.tickets.get(ticket.id)).staff_thread.removeprefix("tg-msg:"))
    replied = U.bot_message(STAFF_CHAT_ID, alert_id, alert.text)
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "收到，马上联系", reply_to=replied))
    # a reply to any later bot message of the ticket works too (the code is in its text)
    later = U.bot_message(STAFF_CHAT_ID, alert_id + 50, f"💬 {ticket.code}（待接单）工人 小李 发来消息：\n还在吗")
    await feed(app, U.group(STAFF_CHAT_ID, STAFF_ID, "在的", reply_to=later))
    await flush(app.sender)
    to_worker = [m.text for m in bot.calls(SendMessage) if int(m.chat_id) == WORKER_ID]
    assert any("收到，马上联系" in t for t in to_worker) and any("在的" in t for t in to_worker)


async def test_anonymous_admins_are_asked_to_show_themselves(app, services, bot, opened):
    ticket, _, topic = opened
    update = U.group(STAFF_CHAT_ID, 1087968824, "/close 匿名关单", thread_id=topic,
                     sender_chat={"id": STAFF_CHAT_ID, "type": "supergroup", "title": "工会值班群"})
    await feed(app, update)
    assert (await services.tickets.get(ticket.id)).state == State.NEW
    assert "匿名" in staff_texts(bot)[-1]

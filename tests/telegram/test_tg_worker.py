"""Worker side through the real Dispatcher, dialogue and ticket service: commands, buttons, files, escaping."""

from __future__ import annotations

import pytest
import tg_updates as U
from aiogram.methods import AnswerCallbackQuery, SendMessage
from tg_env import STAFF_CHAT_ID, WORKER_ID, flush, needs_intents

from bot.channels.telegram.app import TelegramApp
from bot.channels.telegram.middlewares.throttling import ThrottlingMiddleware
from bot.channels.telegram.ratelimit import Limits

pytestmark = needs_intents

ANSWERS = ["美团外卖朝阳站", "北京市朝阳区", "13800138000", "3000"]


async def feed(app, update):
    return await app.dispatcher.feed_update(app.bot, update)


def to_worker(bot, chat_id=WORKER_ID):
    return [m for m in bot.calls(SendMessage) if int(m.chat_id) == chat_id]


def first_button(message):
    markup = message.reply_markup
    if markup is None or not markup.inline_keyboard:
        return None
    return markup.inline_keyboard[0][0]


async def file_a_complaint(app, bot, text, *, photo=None, user=WORKER_ID, max_steps=20):
    """Answer the intake as a worker would: press the first offered button, type an answer when asked."""
    answers = iter(ANSWERS)
    await feed(app, U.private(user, text, name="小李"))
    for _ in range(max_steps):
        last = to_worker(bot, user)[-1]
        if "登记好了" in last.text:
            return last
        button = first_button(last)
        if photo and "材料" in last.text and button and "skip:evidence" in button.callback_data:
            await feed(app, U.private(user, None, photo=[{"file_id": photo, "file_unique_id": "p1", "width": 800,
                                                          "height": 600}], caption="工资条"))
            photo = None
            continue
        if button is not None and button.callback_data != "d|in:cancel":
            await feed(app, U.press(user, button.callback_data, U.bot_message(user, 77, last.text)))
        else:
            await feed(app, U.private(user, next(answers)))
    raise AssertionError("the intake did not finish: " + to_worker(bot, user)[-1].text)


async def test_start_shows_the_welcome_with_inline_buttons(app, bot):
    await feed(app, U.private(WORKER_ID, "/start"))
    sent = to_worker(bot)
    assert len(sent) == 1 and "工友" in sent[0].text
    data = [b.callback_data for row in sent[0].reply_markup.inline_keyboard for b in row]
    assert data and all(d.startswith("d|") for d in data)
    assert bot.default["parse_mode"] == "HTML"


async def test_a_button_press_goes_to_the_dialogue_and_stops_the_spinner(app, bot):
    await feed(app, U.press(WORKER_ID, "d|m:wage", U.bot_message(WORKER_ID, 10, "菜单")))
    assert len(bot.calls(AnswerCallbackQuery)) == 1
    reply = to_worker(bot)[-1]
    assert any(b.callback_data.startswith("d|faq:") for row in reply.reply_markup.inline_keyboard for b in row)


async def test_a_complaint_becomes_a_ticket_and_html_is_escaped_on_the_way_back(app, services, bot):
    done = await file_a_complaint(app, bot, "平台拖欠我三个月工资3000元<b>老板</b>不给 & 我要投诉", photo="AgACpayslip")
    tickets = await services.tickets.tickets_of("telegram", str(WORKER_ID))
    assert len(tickets) == 1 and tickets[0].code in done.text
    assert [e["file_id"] for e in tickets[0].intake.evidence] == ["AgACpayslip"]
    review = next(m.text for m in to_worker(bot) if "请核对" in m.text)
    assert "&lt;b&gt;老板&lt;/b&gt;不给 &amp; 我要投诉" in review and "<b>老板" not in review
    await flush(app.sender)
    alert = next(m.text for m in bot.calls(SendMessage) if int(m.chat_id) == STAFF_CHAT_ID)
    assert tickets[0].code in alert and "证据：1 件" in alert


@pytest.mark.parametrize(("fields", "expected"), [
    ({"voice": {"file_id": "v1", "file_unique_id": "v", "duration": 3}}, "语音"),
    ({"sticker": {"file_id": "s1", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
                  "is_animated": False, "is_video": False}}, "看不懂"),
    ({"location": {"latitude": 39.9, "longitude": 116.4}}, "位置"),
])
async def test_voice_stickers_and_locations_get_a_friendly_note(app, services, bot, fields, expected):
    await feed(app, U.private(WORKER_ID, None, **fields))
    sent = to_worker(bot)
    assert len(sent) == 1 and expected in sent[0].text
    assert await services.tickets.tickets_of("telegram", str(WORKER_ID)) == []


async def test_the_word_cancel_leaves_the_intake(app, services, bot):
    await feed(app, U.private(WORKER_ID, "平台拖欠我三个月工资，我要投诉"))
    await feed(app, U.private(WORKER_ID, "取消"))
    assert "取消" in to_worker(bot)[-1].text
    await feed(app, U.private(WORKER_ID, "/mytickets"))
    assert await services.tickets.tickets_of("telegram", str(WORKER_ID)) == []


async def test_a_worker_flooding_gets_one_note_and_is_then_ignored(settings, services, bot):
    now = [0.0]
    app = TelegramApp.create(settings, services, bot=bot, limits=Limits.unlimited(),
                             throttle=ThrottlingMiddleware(limit=5, period=10.0, clock=lambda: now[0]))
    for _ in range(9):
        await feed(app, U.press(WORKER_ID, "d|m:menu", U.bot_message(WORKER_ID, 10, "菜单")))
    texts = [m.text for m in to_worker(bot)]
    assert sum("消息有点多" in t for t in texts) == 1
    assert len(texts) == 5 + 1
    assert len(bot.calls(AnswerCallbackQuery)) == 9     # every spinner stopped, handled or not
    now[0] += 11
    await feed(app, U.press(WORKER_ID, "d|m:menu", U.bot_message(WORKER_ID, 10, "菜单")))
    assert len(to_worker(bot)) == 7

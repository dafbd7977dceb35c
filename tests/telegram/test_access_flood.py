"""Abuse through the real Dispatcher: per-worker throttling from THROTTLE_PER_MINUTE (one polite
notice, then silence), a flood from one worker never stops another's messages being handled, and
MAX_TEXT_CHARS refuses longer text with a clear answer and stores nothing. Assertions count what was
handled and answered; nothing is timed."""

from __future__ import annotations

import asyncio

import pytest
import tg_updates as U
from aiogram.methods import SendMessage
from tg_env import WORKER_ID

from bot.channels.telegram.app import TelegramApp
from bot.channels.telegram.ratelimit import Limits

FLOODER = WORKER_ID
NEIGHBOUR = 1003
HELP_MARK = "这样用我就行"            # the first line of the help text: one reply per /help handled
FLOOD_MARK = "消息有点多"


async def feed(app, update):
    return await app.dispatcher.feed_update(app.bot, update)


def make_app(settings, services, bot, **overrides):
    return TelegramApp.create(settings.model_copy(update=overrides), services, bot=bot, limits=Limits.unlimited())


def answered(bot, chat_id, mark=HELP_MARK) -> int:
    return sum(mark in m.text for m in bot.calls(SendMessage) if int(m.chat_id) == chat_id)


async def rows(services, sql):
    async with services.db.transaction(write=False) as conn:
        return (await conn.execute_fetchall(sql))[0][0]


async def test_a_flood_gets_one_polite_notice_then_silence(settings, services, bot):
    app = make_app(settings, services, bot, throttle_per_minute=5)
    for _ in range(60):
        await feed(app, U.private(FLOODER, "/help"))
    assert answered(bot, FLOODER) == 5
    notices = [m.text for m in bot.calls(SendMessage) if FLOOD_MARK in m.text]
    assert len(notices) == 1 and "稍等" in notices[0]
    assert len([m for m in bot.calls(SendMessage) if int(m.chat_id) == FLOODER]) == 6


async def test_a_flood_from_one_worker_does_not_stop_another(settings, services, bot):
    app = make_app(settings, services, bot, throttle_per_minute=5)
    flood = [feed(app, U.private(FLOODER, "/help")) for _ in range(100)]
    neighbour = [feed(app, U.private(NEIGHBOUR, "/help")) for _ in range(5)]
    mixed = [item for pair in zip(flood[:5], neighbour, strict=True) for item in pair] + flood[5:]
    await asyncio.gather(*mixed)
    assert answered(bot, NEIGHBOUR) == 5                    # every one of the neighbour's messages answered
    assert answered(bot, NEIGHBOUR, FLOOD_MARK) == 0
    assert answered(bot, FLOODER) == 5 and answered(bot, FLOODER, FLOOD_MARK) == 1


async def test_button_presses_count_too_and_every_spinner_stops(settings, services, bot):
    from aiogram.methods import AnswerCallbackQuery

    app = make_app(settings, services, bot, throttle_per_minute=3)
    for _ in range(10):
        await feed(app, U.press(FLOODER, "d|m:help", U.bot_message(FLOODER, 10, "菜单")))
    assert answered(bot, FLOODER) == 3 and answered(bot, FLOODER, FLOOD_MARK) == 1
    assert len(bot.calls(AnswerCallbackQuery)) == 10


async def test_zero_switches_throttling_off(settings, services, bot):
    app = make_app(settings, services, bot, throttle_per_minute=0)
    for _ in range(40):
        await feed(app, U.private(FLOODER, "/help"))
    assert answered(bot, FLOODER) == 40 and answered(bot, FLOODER, FLOOD_MARK) == 0


async def test_the_default_is_twenty_a_minute(settings, services, bot):
    app = make_app(settings, services, bot)
    for _ in range(25):
        await feed(app, U.private(FLOODER, "/help"))
    assert answered(bot, FLOODER) == 20 and answered(bot, FLOODER, FLOOD_MARK) == 1


@pytest.mark.parametrize("length", [101, 4096])
async def test_text_over_the_limit_is_refused_clearly_and_nothing_is_stored(settings, services, bot, length):
    app = make_app(settings, services, bot, max_text_chars=100)
    await feed(app, U.private(FLOODER, "我要投诉" + "站长扣钱" * ((length - 4) // 4) + "钱" * ((length - 4) % 4)))
    said = bot.texts_to(FLOODER)
    assert len(said) == 1 and f"（{length} 个字）" in said[0] and "最多收 100 个字" in said[0]
    assert await rows(services, "SELECT count(*) FROM conversations") == 0
    assert await rows(services, "SELECT count(*) FROM tickets") == 0


async def test_text_at_the_limit_is_handled(settings, services, bot):
    app = make_app(settings, services, bot, max_text_chars=100)
    await feed(app, U.private(FLOODER, "/help " + "x" * 94))
    assert answered(bot, FLOODER) == 1


async def test_a_long_caption_on_a_photo_is_refused_and_the_file_not_kept(settings, services, bot):
    app = make_app(settings, services, bot, max_text_chars=100)
    photo = [{"file_id": "AgACbig", "file_unique_id": "u1", "width": 10, "height": 10}]
    await feed(app, U.private(FLOODER, None, photo=photo, caption="工资条" * 40))
    assert "太长了" in bot.texts_to(FLOODER)[0]
    assert await rows(services, "SELECT count(*) FROM conversations") == 0

"""Long polling keeps every update in the database before Telegram is told it arrived.

Through the real HTTP client against the fake Bot API: an update being handled when the bot
stops is handled after the restart (Telegram already counted it as delivered), and an update
Telegram offers again after a restart is not handled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime

import pytest
from tg_env import STAFF_CHAT_ID, STAFF_ID, WORKER_ID, needs_intents
from tg_fake_api import FakeBotApi
from tg_recording import TOKEN

from bot.channels.telegram import polling as polling_module
from bot.channels.telegram.app import TelegramApp
from bot.channels.telegram.inbox import MAX_ATTEMPTS, Inbox
from bot.channels.telegram.ratelimit import Limits
from bot.config import Settings

pytestmark = needs_intents


@pytest.fixture
async def fake():
    fake = FakeBotApi(TOKEN, staff_chat_id=STAFF_CHAT_ID, forum=True, members={STAFF_ID: "member"})
    await fake.start()
    yield fake
    await fake.stop()


@contextlib.asynccontextmanager
async def running(fake: FakeBotApi, services, tmp_path):
    settings = Settings(_env_file=None, bot_token=TOKEN, staff_chat_id=STAFF_CHAT_ID, admin_ids=[42],
                        database_path=tmp_path / "gongyou.db", telegram_api_url=fake.url)
    app = TelegramApp.create(settings, services, limits=Limits.unlimited(), poll_interval=0.2)
    polls = len(fake.calls("getUpdates"))
    task = asyncio.create_task(app.run_polling(polling_timeout=1, handle_signals=False))
    try:
        await fake.wait_for(lambda: len(fake.calls("getUpdates")) > polls)
        yield app
    finally:
        await app.stop_polling()
        await asyncio.wait_for(task, 15)
        await app.bot.session.close()


def confirmed_past(fake: FakeBotApi, update_id: int) -> bool:
    """Has the bot told Telegram (by a later offset) that this update arrived?"""
    return any(int(c.get("offset") or 0) > update_id for c in fake.calls("getUpdates"))


async def test_an_update_being_handled_when_the_bot_stops_is_handled_after_the_restart(fake, services, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.setattr(polling_module, "STOP_GRACE_S", 0.2)
    stuck = asyncio.Event()
    real_handle = services.dialogue.handle

    async def never_finishes(incoming):
        stuck.set()
        await asyncio.Event().wait()

    services.dialogue.handle = never_finishes
    async with running(fake, services, tmp_path):
        update_id = await fake.worker_says(WORKER_ID, "站点扣了我押金不退怎么办")
        await asyncio.wait_for(stuck.wait(), 10)
        await fake.wait_for(lambda: confirmed_past(fake, update_id))    # Telegram counts it as delivered
    assert fake.to_chat(WORKER_ID) == []
    assert [r[0] for r in await services.db.fetch_all("SELECT update_id FROM telegram_inbox")] == [update_id]

    services.dialogue.handle = real_handle
    async with running(fake, services, tmp_path) as app:
        await fake.next_to_chat(WORKER_ID, 0)          # answered, from the database's copy
        await asyncio.sleep(0.2)
        assert app.polling.replayed == 1
    assert await services.db.fetch_all("SELECT * FROM telegram_inbox") == []


async def test_an_update_telegram_offers_again_after_a_restart_is_not_handled_twice(fake, services, tmp_path):
    async with running(fake, services, tmp_path):
        first = await fake.worker_says(WORKER_ID, "/help")
        await fake.next_to_chat(WORKER_ID, 0)
        await asyncio.sleep(0.2)
    answered = len(fake.to_chat(WORKER_ID))
    await fake.resend(first)                      # the offset confirming it never reached Telegram
    async with running(fake, services, tmp_path):
        await fake.worker_says(WORKER_ID, "/menu")
        await fake.next_to_chat(WORKER_ID, answered)
        await asyncio.sleep(0.3)
    texts = [s.text for s in fake.to_chat(WORKER_ID)[answered:]]
    assert len(texts) == 1, texts                 # /menu answered; /help not answered a second time


async def test_the_inbox_keeps_a_batch_with_its_offset_and_drops_an_update_that_keeps_failing(services):
    inbox = Inbox(services.db)
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert await inbox.next_offset() is None
    await inbox.keep([(7, '{"update_id": 7}'), (8, '{"update_id": 8}')], now)
    await inbox.keep([(8, '{"update_id": 8}')], now)            # offered twice: kept once
    await inbox.keep([(5, '{"update_id": 5}')], now)            # an old id never moves the offset back
    assert await inbox.next_offset() == 9
    await inbox.done(7)
    for _ in range(MAX_ATTEMPTS):                                # replayed at each of three restarts…
        assert [u for u, _ in await inbox.left_over()] == [5, 8]
    assert await inbox.left_over() == []                        # …then dropped, not replayed forever
    assert await inbox.next_offset() == 9


async def test_a_batch_that_cannot_be_stored_is_not_confirmed_and_is_answered_once_storage_works(
        fake, services, tmp_path, monkeypatch):
    real_keep = Inbox.keep
    failures = []

    async def disk_full_once(self, updates, now):
        if not failures:
            failures.append([u for u, _ in updates])
            raise sqlite3.OperationalError("database or disk is full")
        await real_keep(self, updates, now)

    monkeypatch.setattr(Inbox, "keep", disk_full_once)
    async with running(fake, services, tmp_path):
        update_id = await fake.worker_says(WORKER_ID, "/help")
        await fake.wait_for(lambda: failures)
        assert not confirmed_past(fake, update_id)          # Telegram still holds it
        await fake.next_to_chat(WORKER_ID, 0)               # asked again after the backoff, stored, answered
        await asyncio.sleep(0.2)
    assert failures == [[update_id]]
    assert len(fake.to_chat(WORKER_ID)) == 1

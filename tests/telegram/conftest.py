"""Fixtures for the Telegram channel: a recording bot, real ticket service on a temp database, the app.

Helper modules here (`tg_recording`, `tg_fake_api`) are imported by name: pytest puts this folder
on sys.path (no __init__.py, like the rest of tests/).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tg_env import ADMIN_ID, OUTSIDER_ID, STAFF_CHAT_ID, STAFF_ID, intents_available
from tg_recording import TOKEN, RecordingBot

from bot.clock import FakeClock
from bot.config import Settings
from bot.paths import data_dir
from bot.texts import Texts


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, bot_token=TOKEN, staff_chat_id=STAFF_CHAT_ID, admin_ids=[ADMIN_ID],
                    database_path=tmp_path / "gongyou.db", staff_topics="on")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def texts() -> Texts:
    return Texts.load(data_dir() / "texts")


@pytest.fixture(scope="session")
def understanding() -> Any:
    if not intents_available():
        return None
    from bot.understand import Understanding

    return Understanding.load(data_dir())


@pytest.fixture
async def services(tmp_path: Path, clock: FakeClock, texts: Texts, understanding: Any) -> Any:
    """The real services on a temporary database file (the dialogue needs the intent data to talk)."""
    from bot.dialogue.engine import Dialogue
    from bot.dialogue.store import ConversationStore
    from bot.services import Services
    from bot.storage.db import Database
    from bot.tickets.service import TicketService

    if understanding is not None:
        svc = await Services.open(tmp_path / "gongyou.db", clock=clock, understanding=understanding)
    else:   # staff-side tests do not need the classifier; build the same objects without it
        db = await Database.open(tmp_path / "gongyou.db")
        tickets = TicketService(db, clock, texts)
        dialogue = Dialogue(None, tickets, ConversationStore(db), texts, clock)
        svc = Services(db=db, texts=texts, understanding=None, tickets=tickets, dialogue=dialogue, clock=clock,
                       data=data_dir())
    yield svc
    await svc.close()


@pytest.fixture
def bot() -> RecordingBot:
    bot = RecordingBot()
    bot.session.members.update({STAFF_ID: "member", OUTSIDER_ID: "left"})
    return bot


@pytest.fixture
async def app(settings: Settings, services: Any, bot: RecordingBot) -> Any:
    from bot.channels.telegram.app import TelegramApp
    from bot.channels.telegram.ratelimit import Limits

    telegram = TelegramApp.create(settings, services, bot=bot, limits=Limits.unlimited())
    telegram.staff_chat.forum = True
    yield telegram
    await telegram.sender.stop()

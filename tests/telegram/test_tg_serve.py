"""`gongyou serve` start-up checks, settings from a .env file, and the webhook's secret-token check."""

from __future__ import annotations

import asyncio

import pytest
import tg_updates as U
from aiogram.methods import SendMessage
from aiohttp.test_utils import TestClient, TestServer
from tg_env import STAFF_CHAT_ID, WORKER_ID, needs_intents
from tg_recording import TOKEN

from bot.channels.telegram.app import TelegramApp
from bot.channels.telegram.ratelimit import Limits
from bot.cli import main
from bot.config import ConfigError, Settings, load_settings

VARIABLES = ("BOT_TOKEN", "STAFF_CHAT_ID", "ADMIN_IDS", "WEBHOOK_URL", "WEBHOOK_SECRET", "TELEGRAM_API_URL")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)          # no stray .env from the developer's folder
    return monkeypatch


def test_serve_without_a_token_stops_at_once_with_exit_2(clean_env, capsys):
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "BOT_TOKEN: missing" in err and "STAFF_CHAT_ID: missing" in err


@pytest.mark.parametrize(("name", "value", "complaint"), [
    ("BOT_TOKEN", "not-a-token", "does not look like a bot token"),
    ("BOT_TOKEN", "12345:short", "does not look like a bot token"),
    ("STAFF_CHAT_ID", "staff", "valid integer"),
    ("STAFF_CHAT_ID", "12345", "negative"),
    ("ADMIN_IDS", "42,abc", "'abc' is not a user id"),
])
def test_serve_names_the_malformed_variable(clean_env, capsys, name, value, complaint):
    clean_env.setenv("BOT_TOKEN", TOKEN)
    clean_env.setenv("STAFF_CHAT_ID", str(STAFF_CHAT_ID))
    clean_env.setenv(name, value)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert f"{name}: " in err and complaint in err


def test_webhook_needs_a_secret(clean_env):
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET is required"):
        load_settings(None, bot_token=TOKEN, staff_chat_id=STAFF_CHAT_ID, webhook_url="https://bot.example.org/tg")


def test_settings_come_from_a_dotenv_file(clean_env, tmp_path):
    env = tmp_path / "prod.env"
    env.write_text(f"BOT_TOKEN={TOKEN}\nSTAFF_CHAT_ID={STAFF_CHAT_ID}\nADMIN_IDS=42, 43\n"
                   "TELEGRAM_API_URL=http://127.0.0.1:8081/\n", encoding="utf-8")
    settings = load_settings(env)
    assert settings.admin_ids == [42, 43]
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.mode == "polling"
    assert TOKEN not in repr(settings)               # the token never shows in logs or tracebacks
    clean_env.setenv("ADMIN_IDS", "7")
    assert load_settings(env).admin_ids == [7]       # the environment wins over the file


def test_the_example_env_file_lists_every_required_variable():
    from bot.paths import REPO_ROOT

    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    for name in ("BOT_TOKEN", "STAFF_CHAT_ID", "ADMIN_IDS", "DATABASE_PATH", "WEBHOOK_URL", "WEBHOOK_SECRET",
                 "TELEGRAM_API_URL", "SLA_MEDIATION_DAYS"):
        assert name in example


@needs_intents
async def test_the_webhook_checks_telegrams_secret_token(tmp_path, services, bot):
    settings = Settings(_env_file=None, bot_token=TOKEN, staff_chat_id=STAFF_CHAT_ID, database_path=tmp_path / "x.db",
                        webhook_url="https://bot.example.org/tg/hook", webhook_secret="s3cret-Token_1")
    app = TelegramApp.create(settings, services, bot=bot, limits=Limits.unlimited())
    update = U.private(WORKER_ID, "/start").model_dump(mode="json", exclude_none=True)
    async with TestClient(TestServer(app.webhook_app(), host="127.0.0.1")) as client:
        refused = await client.post("/tg/hook", json=update)
        wrong = await client.post("/tg/hook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        assert refused.status == 401 and wrong.status == 401
        assert bot.calls(SendMessage) == []
        ok = await client.post("/tg/hook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
        assert ok.status == 200
        # Handled before the 200, not in the background: an update the bot crashes on is not
        # acknowledged, so Telegram delivers it again after the restart.
        assert any(int(m.chat_id) == WORKER_ID for m in bot.calls(SendMessage))


@needs_intents
async def test_run_webhook_registers_with_telegram_and_caps_its_connections(tmp_path, services, bot, unused_tcp_port):
    from aiogram.methods import SetWebhook

    from bot.channels.telegram.app import WEBHOOK_CONNECTIONS

    settings = Settings(_env_file=None, bot_token=TOKEN, staff_chat_id=STAFF_CHAT_ID, database_path=tmp_path / "x.db",
                        webhook_url="https://bot.example.org/tg/hook", webhook_secret="s3cret-Token_1",
                        webhook_listen_port=unused_tcp_port)
    app = TelegramApp.create(settings, services, bot=bot, limits=Limits.unlimited())
    running = asyncio.create_task(app.run_webhook(handle_signals=False))
    for _ in range(250):
        if bot.calls(SetWebhook) or running.done():
            break
        await asyncio.sleep(0.02)
    app.stop_webhook()
    await asyncio.wait_for(running, 10)
    (registered,) = bot.calls(SetWebhook)
    assert registered.url == "https://bot.example.org/tg/hook" and registered.secret_token == "s3cret-Token_1"
    assert registered.max_connections == WEBHOOK_CONNECTIONS

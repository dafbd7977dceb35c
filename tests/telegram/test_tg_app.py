"""Start-up of the Telegram app (menus, forum detection, hooks), long replies, and failed handlers."""

from __future__ import annotations

import tg_updates as U
from aiogram.methods import GetChat, SendMessage, SetMyCommands
from aiogram.types import BotCommandScopeAllPrivateChats, BotCommandScopeChat
from tg_env import STAFF_CHAT_ID, STAFF_ID, WORKER_ID

from bot.channels.telegram.app import TelegramApp
from bot.channels.telegram.ratelimit import Limits, RateLimiter
from bot.channels.telegram.replies import Replier
from bot.dialogue.types import Button, Reply


async def test_startup_sets_chinese_menus_detects_the_forum_and_runs_hooks(settings, services, bot):
    settings = settings.model_copy(update={"staff_topics": "auto"})
    bot.session.forum = False
    app = TelegramApp.create(settings, services, bot=bot, limits=Limits.unlimited())
    ran = []

    async def hook(started: TelegramApp) -> None:
        ran.append(started)

    app.on_startup.append(hook)
    await app._startup()
    try:
        menus = bot.calls(SetMyCommands)
        private = next(m for m in menus if isinstance(m.scope, BotCommandScopeAllPrivateChats))
        staff = next(m for m in menus if isinstance(m.scope, BotCommandScopeChat))
        assert [c.command for c in private.commands] == ["start", "menu", "help", "mytickets", "mydata", "forget",
                                                          "cancel"]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c.description) for c in private.commands)
        assert staff.scope.chat_id == STAFF_CHAT_ID
        assert {c.command for c in staff.commands} == {"queue", "ticket", "note", "transfer", "resolve", "close",
                                                        "reopen", "stats", "forget_worker"}
        assert len(bot.calls(GetChat)) == 1 and app.staff_chat.forum is False
        assert ran == [app]
    finally:
        await app._shutdown()
    bot.session.forum = True
    await app.detect_forum()
    assert app.staff_chat.forum is True


async def test_a_long_reply_is_split_with_the_buttons_on_the_last_part(bot):
    replier = Replier(bot, RateLimiter(Limits.unlimited()))
    text = "\n".join(f"第{i}步：先保存证据 <截图> & 聊天记录。" for i in range(300))
    sent = await replier.send(WORKER_ID, [Reply(text, [[Button("菜单", "m:menu")]])])
    calls = bot.calls(SendMessage)
    assert sent == len(calls) >= 2
    assert all(len(c.text) <= 4096 for c in calls)
    assert [c.reply_markup is not None for c in calls] == [False] * (len(calls) - 1) + [True]
    assert "&lt;截图&gt; &amp;" in calls[0].text


async def test_a_failing_handler_is_logged_and_the_person_told(app, services, bot, caplog):
    from bot.storage.db import Database

    path = services.db.path
    await services.db.close()          # the database goes away under the bot
    try:
        await app.dispatcher.feed_update(bot, U.group(STAFF_CHAT_ID, STAFF_ID, "/queue"))
    finally:
        services.db = await Database.open(path)     # for the fixture's own clean-up
    told = [m.text for m in bot.calls(SendMessage) if int(m.chat_id) == STAFF_CHAT_ID]
    assert told and "出了点问题" in told[-1]
    assert any("failed" in r.getMessage() for r in caplog.records)


def _routers(router):
    yield router
    for child in router.sub_routers:
        yield from _routers(child)


async def test_every_handler_and_filter_runs_on_the_event_loop(app):
    """aiogram sends any non-async handler or filter (a bare `F.text`) through a worker thread on
    every update; under load that trip costs more than the check. All of ours must be awaitable."""
    checked = 0
    for router in _routers(app.dispatcher):
        for name, observer in router.observers.items():
            for handler in observer.handlers:
                where = f"router {router.name!r}, {name} handler {handler.callback!r}"
                assert handler.awaitable, f"{where} is not async"
                for f in handler.filters or ():
                    assert f.awaitable, f"{where}: filter {f.callback!r} would run in a thread (wrap it in when(...))"
                    checked += 1
            for f in observer._handler.filters or ():
                assert f.awaitable, f"router {router.name!r}: {name} filter {f.callback!r} would run in a thread"
                checked += 1
    assert checked >= 15          # the walk really reached the routers' filters
    assert app.dispatcher.fsm not in app.dispatcher.update.outer_middleware._middlewares    # no FSM: state lives in our database

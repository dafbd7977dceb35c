"""The one place that assembles the Telegram side: Bot, Dispatcher, routers, middlewares, sender.

    app = TelegramApp.create(settings, services)          # or bot=RecordingBot() in tests
    await app.run_polling()                                # or: await app.run_webhook()

Order of routers (first match wins):

    staff_commands   /queue /ticket /note … in the staff chat and in private chats (staff only)
    staff_privacy    /forget_worker and its confirmation button, in both places too (staff only)
    staff group      ├─ staff_buttons  接单 · 备注 · 转交 · 结案
                     └─ staff_relay    text in a ticket's topic / reply to its alert → the worker
    private chats    ├─ worker_commands /start /menu /help /mytickets /cancel, 取消
                     ├─ worker_buttons  the dialogue's inline buttons
                     ├─ worker_media    photos/documents → evidence; voice, stickers … → a note
                     └─ worker_text     free text → the dialogue (fallback, last)

Each feature module builds its router in `get_router()` (a Router has one parent, and tests build
many Dispatchers). Services reach handlers as Dispatcher workflow data, by parameter name. `on_startup` is a list of
async hooks run after the bot is ready (the scheduler of a later issue registers itself there).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import MagicData
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, ErrorEvent, Message

from bot.channels.telegram.access import StaffDirectory
from bot.channels.telegram.delivery import Delivery, StaffChat
from bot.channels.telegram.gate import GatedDialogue
from bot.channels.telegram.inbox import Inbox
from bot.channels.telegram.middlewares.text_limit import TextLimitMiddleware
from bot.channels.telegram.middlewares.throttling import ThrottlingMiddleware
from bot.channels.telegram.onloop import when
from bot.channels.telegram.polling import DurablePolling
from bot.channels.telegram.ratelimit import Limits, RateLimiter
from bot.channels.telegram.replies import Replier
from bot.channels.telegram.routers import (
    staff_buttons,
    staff_commands,
    staff_privacy,
    staff_relay,
    worker_buttons,
    worker_commands,
    worker_media,
    worker_text,
)
from bot.channels.telegram.sender import OutboxSender
from bot.channels.telegram.staff_views import Labels
from bot.channels.telegram.wording import Wording
from bot.config import Settings

log = logging.getLogger(__name__)

Hook = Callable[["TelegramApp"], Awaitable[None]]

POLLING_CONCURRENCY = 32
WEBHOOK_CONNECTIONS = 32        # Telegram opens at most this many webhook requests at once (its default is 40)

WORKER_MENU = (
    ("start", "开始"),
    ("menu", "主菜单"),
    ("help", "怎么用"),
    ("mytickets", "我的工单进度"),
    ("mydata", "查看我的个人信息"),
    ("forget", "删除我的个人信息"),
    ("cancel", "取消当前操作"),
)
STAFF_MENU = (
    ("queue", "待处理工单"),
    ("ticket", "查看工单：/ticket 编号"),
    ("note", "写内部备注"),
    ("transfer", "转交：/transfer 去向 原因"),
    ("resolve", "办结：/resolve 追回金额 说明"),
    ("close", "关闭：/close 原因"),
    ("reopen", "重新打开工单"),
    ("stats", "工单统计"),
    ("forget_worker", "应工友要求删除其个人信息：/forget_worker 编号"),
)


def build_bot(settings: Settings, *, session: Any = None) -> Bot:
    """A Bot with parse mode HTML set once; `TELEGRAM_API_URL` points it at a self-hosted Bot API server."""
    if session is None:
        api = TelegramAPIServer.from_base(settings.telegram_api_url) if settings.telegram_api_url else None
        session = AiohttpSession(api=api) if api else AiohttpSession()
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_dispatcher(settings: Settings, *, throttle: ThrottlingMiddleware | None = None, **workflow: Any) -> Dispatcher:
    """The Dispatcher with every router in its place; `workflow` becomes handler keyword arguments."""
    # No aiogram FSM: conversation state lives in our database, and its middleware is work on every update.
    dp = Dispatcher(settings=settings, staff_chat_id=settings.staff_chat_id, disable_fsm=True, **workflow)

    staff_group = Router(name="staff_group")
    staff_group.message.filter(MagicData(F.event_chat.id == F.staff_chat_id))
    staff_group.callback_query.filter(MagicData(F.event_chat.id == F.staff_chat_id))
    staff_group.include_routers(staff_buttons.get_router(), staff_relay.get_router())

    private = Router(name="private")
    private.message.filter(when(F.chat.type == "private"))
    private.callback_query.filter(when(F.message.chat.type == "private"))
    if throttle is None and settings.throttle_per_minute > 0:
        throttle = ThrottlingMiddleware(limit=settings.throttle_per_minute, period=60.0)
    if throttle is not None:
        private.message.middleware(throttle)
        private.callback_query.middleware(throttle)
    private.message.middleware(TextLimitMiddleware(settings.max_text_chars))   # after throttling: a flood stays quiet
    private.include_routers(
        worker_commands.get_router(), worker_buttons.get_router(), worker_media.get_router(), worker_text.get_router(),
    )

    dp.include_routers(staff_commands.get_router(), staff_privacy.get_router(), staff_group, private)
    dp.errors.register(on_error)
    return dp


async def on_error(event: ErrorEvent, wording: Wording, replier: Replier) -> bool:
    """A handler failed (the database, a bug): log it without personal data and tell the person."""
    update = event.update
    log.error("update %s failed: %s", update.update_id, type(event.exception).__name__,
              exc_info=(type(event.exception), event.exception, event.exception.__traceback__))
    message = update.message or (update.callback_query.message if update.callback_query else None)
    if isinstance(message, Message):
        with contextlib.suppress(Exception):
            await replier.text(message.chat.id, wording("tg.error"), **_thread_kwargs(message))
    if update.callback_query is not None:
        with contextlib.suppress(Exception):
            await update.callback_query.answer()
    return True


def _thread_kwargs(message: Message) -> dict[str, Any]:
    if message.is_topic_message and message.message_thread_id:
        return {"message_thread_id": message.message_thread_id}
    return {}


@dataclass
class TelegramApp:
    settings: Settings
    services: Any
    bot: Bot
    dispatcher: Dispatcher
    sender: OutboxSender
    limiter: RateLimiter
    staff_chat: StaffChat
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)
    polling: DurablePolling | None = None

    @classmethod
    def create(cls, settings: Settings, services: Any, *, bot: Bot | None = None, limits: Limits | None = None,
               poll_interval: float = 1.0, throttle: ThrottlingMiddleware | None = None) -> TelegramApp:
        bot = bot or build_bot(settings)
        limiter = RateLimiter(limits)
        staff_chat = StaffChat(settings.staff_chat_id, forum=settings.staff_topics == "on",
                               admin_ids=tuple(settings.admin_ids))
        labels = Labels(services.texts)
        delivery = Delivery(bot, services.tickets, staff_chat, limiter, topic_label=labels.topic)
        sender = OutboxSender(services.tickets, delivery, clock=services.clock, poll_interval=poll_interval)
        if hasattr(services.dialogue, "privacy"):       # /mydata tells the worker the retention period
            services.dialogue.privacy.retention_days = settings.retention_days
        dispatcher = build_dispatcher(
            settings,
            throttle=throttle,
            services=services,
            dialogue=GatedDialogue(services.dialogue),
            tickets=services.tickets,
            texts=services.texts,
            wording=Wording(services.texts),
            labels=labels,
            replier=Replier(bot, limiter, services.tickets),
            delivery=delivery,
            sender=sender,
            staff_directory=StaffDirectory(settings.staff_chat_id, settings.admin_ids),
        )
        app = cls(settings, services, bot, dispatcher, sender, limiter, staff_chat)
        dispatcher.startup.register(app._startup)
        dispatcher.shutdown.register(app._shutdown)
        return app

    # --- lifecycle (run by the Dispatcher's startup/shutdown, in polling and webhook mode) ---
    async def _startup(self) -> None:
        await self.detect_forum()
        await self.set_commands()
        self.sender.start()
        for hook in self.on_startup:
            await hook(self)
        log.info("telegram ready staff_chat=%s forum=%s mode=%s", self.staff_chat.chat_id, self.staff_chat.forum,
                 self.settings.mode)

    async def _shutdown(self) -> None:
        for hook in self.on_shutdown:
            with contextlib.suppress(Exception):
                await hook(self)
        await self.sender.stop()

    async def detect_forum(self) -> None:
        if self.settings.staff_topics != "auto":
            self.staff_chat.forum = self.settings.staff_topics == "on"
            return
        try:
            chat = await self.bot.get_chat(self.settings.staff_chat_id)
        except TelegramAPIError as exc:
            log.error("cannot open the staff chat %s (%s): add the bot to the group and check STAFF_CHAT_ID; "
                      "alerts wait in the outbox until then", self.settings.staff_chat_id, exc)
            return
        self.staff_chat.forum = bool(chat.is_forum)

    async def set_commands(self) -> None:
        try:
            await self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in WORKER_MENU],
                                           scope=BotCommandScopeAllPrivateChats())
            await self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in STAFF_MENU],
                                           scope=BotCommandScopeChat(chat_id=self.settings.staff_chat_id))
        except TelegramAPIError as exc:
            log.warning("could not set the command menus: %s", exc)

    # --- running --------------------------------------------------------------------------
    async def run_polling(self, *, polling_timeout: int = 30, handle_signals: bool = True,
                          concurrency: int | None = POLLING_CONCURRENCY) -> None:
        """Long polling (the default). Returns when stopped (SIGINT/SIGTERM or `stop_polling`).

        Updates are kept in the database before Telegram is told they arrived and handled as
        concurrent tasks (at most `concurrency`; `polling.DurablePolling`); the dialogue turns
        inside them pass a smaller gate of their own (`gate.GatedDialogue`).
        """
        await self.bot.delete_webhook(drop_pending_updates=False)
        self.polling = DurablePolling(
            self.bot, self.dispatcher, Inbox(self.services.db), self.services.clock, timeout=polling_timeout,
            concurrency=concurrency or POLLING_CONCURRENCY, allowed_updates=self.dispatcher.resolve_used_update_types())
        await self.polling.run(handle_signals=handle_signals)

    async def stop_polling(self) -> None:
        if self.polling is not None:
            self.polling.stop()

    def webhook_app(self) -> Any:
        """An aiohttp application serving the webhook; Telegram's secret-token header is checked.

        Telegram gets its 200 only after the update was handled (not in the background): an update
        the bot crashed on is delivered again after the restart instead of being lost, and Telegram's
        `max_connections` (set in `run_webhook`) caps how many are handled at once."""
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
        from aiohttp import web

        secret = self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else None
        app = web.Application()
        SimpleRequestHandler(dispatcher=self.dispatcher, bot=self.bot, secret_token=secret,
                             handle_in_background=False).register(app, path=self.webhook_path)
        setup_application(app, self.dispatcher, bot=self.bot)
        return app

    @property
    def webhook_path(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.settings.webhook_url or "").path or "/webhook"

    async def run_webhook(self, *, handle_signals: bool = True) -> None:
        """Listen on WEBHOOK_LISTEN_HOST:PORT (behind your HTTPS proxy) and register WEBHOOK_URL with Telegram.

        Runs until SIGINT/SIGTERM (or `stop_webhook`)."""
        import signal

        from aiohttp import web

        self._stop_webhook = asyncio.Event()
        if handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, self._stop_webhook.set)
        runner = web.AppRunner(self.webhook_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.webhook_listen_host, self.settings.webhook_listen_port)
        await site.start()
        try:
            await self.bot.set_webhook(
                url=self.settings.webhook_url or "",
                secret_token=self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else None,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
                max_connections=WEBHOOK_CONNECTIONS,
            )
            log.info("webhook listening on %s:%s", self.settings.webhook_listen_host, self.settings.webhook_listen_port)
            await self._stop_webhook.wait()
        finally:
            await runner.cleanup()
            await self.bot.session.close()

    def stop_webhook(self) -> None:
        if getattr(self, "_stop_webhook", None) is not None:
            self._stop_webhook.set()

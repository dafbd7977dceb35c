"""Long polling that loses no update in a crash: kept in the inbox before Telegram is told.

The loop: ask getUpdates with the inbox's offset, write the batch to the inbox (one transaction),
then hand each update to the Dispatcher as a task (at most `concurrency` at once) and delete its
row when it is handled. Only the *next* getUpdates confirms the batch to Telegram, and by then it
is on disk. At start, whatever a previous run left in the inbox is handled first.

Errors: a failed getUpdates, or a batch that cannot be stored (full disk), is asked for again
with aiogram's backoff and nothing is confirmed meanwhile; a handler that raises is logged
(type only: messages may quote the worker) and its row deleted, so one bad update cannot block
the rest. Startup and shutdown hooks run as with aiogram's `start_polling`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.aio import cancel_and_wait, wait_event
from bot.channels.telegram.inbox import Inbox
from bot.clock import Clock

log = logging.getLogger(__name__)

BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)
STOP_GRACE_S = 10.0      # on stop, updates being handled get this long to finish (the rest replay at start)


class DurablePolling:
    def __init__(self, bot: Bot, dispatcher: Dispatcher, inbox: Inbox, clock: Clock, *, timeout: int = 30,
                 concurrency: int = 32, allowed_updates: list[str] | None = None) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.inbox = inbox
        self.clock = clock
        self.timeout = timeout
        self.allowed_updates = allowed_updates
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self.handled = 0
        self.replayed = 0

    def stop(self) -> None:
        self._stop.set()

    async def run(self, *, handle_signals: bool = False) -> None:
        """Poll until `stop()` (or SIGINT/SIGTERM); hooks and the left-over replay included."""
        if handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, self.stop)
        await self.bot.me()          # a refused token fails here, before anything starts
        workflow = {"dispatcher": self.dispatcher, "bots": [self.bot], **self.dispatcher.workflow_data}
        await self.dispatcher.emit_startup(bot=self.bot, **workflow)
        try:
            await self._replay()
            await self._poll()
        finally:
            await self._drain()
            await self.dispatcher.emit_shutdown(bot=self.bot, **workflow)

    # --- the loop -------------------------------------------------------------------------
    async def _replay(self) -> None:
        for update_id, body in await self.inbox.left_over():
            try:
                update = Update.model_validate_json(body, context={"bot": self.bot})
            except ValueError:
                log.error("telegram update %s in the inbox cannot be read: dropped", update_id)
                await self.inbox.done(update_id)
                continue
            self.replayed += 1
            await self._start(update)

    async def _poll(self) -> None:
        offset = await self.inbox.next_offset()
        backoff = Backoff(config=BACKOFF)
        request_timeout = int((self.bot.session.timeout or 60) + self.timeout)
        while not self._stop.is_set():
            fetch = asyncio.ensure_future(self.bot(
                GetUpdates(offset=offset, timeout=self.timeout, allowed_updates=self.allowed_updates),
                request_timeout=request_timeout))
            stopping = asyncio.ensure_future(self._stop.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():
                await cancel_and_wait([fetch])
                return
            try:
                updates = fetch.result()
            except Exception as exc:  # Telegram unreachable, 5xx, …: keep polling, slower
                delay = next(backoff)
                log.error("getUpdates failed (%s): retrying in %.1f s", type(exc).__name__, delay)
                await self._sleep_or_stop(delay)
                continue
            fresh = [u for u in updates if offset is None or u.update_id >= offset]
            if not fresh:
                backoff.reset()
                continue
            try:
                await self.inbox.keep(
                    [(u.update_id, u.model_dump_json(exclude_none=True, by_alias=True)) for u in fresh], self.clock.now())
            except Exception as exc:  # full disk, locked file: Telegram keeps the batch until we can store it
                delay = next(backoff)
                log.error("cannot store received updates (%s): asking again in %.1f s", type(exc).__name__, delay)
                await self._sleep_or_stop(delay)
                continue
            backoff.reset()
            offset = max(u.update_id for u in fresh) + 1
            for update in fresh:
                await self._start(update)

    async def _sleep_or_stop(self, seconds: float) -> None:
        await wait_event(self._stop, seconds)

    # --- one update -----------------------------------------------------------------------
    async def _start(self, update: Update) -> None:
        await self._slots.acquire()
        task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, update: Update) -> None:
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception as exc:
            log.error("update %s failed in a handler: %s", update.update_id, type(exc).__name__)
        finally:
            self._slots.release()
        self.handled += 1
        try:
            await self.inbox.done(update.update_id)
        except Exception as exc:     # it stays in the inbox and is handled again at the next start
            log.error("could not clear update %s from the inbox: %s", update.update_id, type(exc).__name__)

    async def _drain(self) -> None:
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE_S)
        await cancel_and_wait(pending)

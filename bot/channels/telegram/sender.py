"""The one sender that drains the outbox into Telegram.

- A message is marked sent only after Telegram accepted it (every part of it), so a crash or an
  outage delays messages and never loses them. Delivery is at-least-once: a crash between
  Telegram's answer and `outbox_mark_sent` sends that message again after the restart. The window
  is kept small (mark right after the answer; parts already accepted are remembered in memory
  and never re-sent by a retry in the same process).
- 429: wait `retry_after`, then retry the same message. Network and 5xx errors: exponential
  backoff shared by all messages (an outage pauses everything instead of hammering the API);
  the message's retry time is written to the outbox too, for a restart.
- 403 (the worker blocked the bot) and other errors that cannot heal: the message is dropped
  with the reason, never retried forever. A bad request to the *staff* chat is not dropped: it is
  retried slowly and logged loudly, because it means the bot's set-up needs fixing.
- Pacing (per chat, per group, overall) is the shared `RateLimiter`'s job, used by `Delivery`.

The outbox hands out one message per recipient at a time (oldest first), so order per chat holds
and at most one message per chat is in flight; different chats go out concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any

from aiogram.exceptions import (
    RestartingTelegram,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiohttp import ClientError

from bot.aio import cancel_and_wait, wait_event
from bot.channels.telegram.delivery import STAFF_CHANNEL, Delivery, Progress, RetryNow, Undeliverable
from bot.clock import Clock, SystemClock
from bot.tickets.api import OutboxMessage

log = logging.getLogger(__name__)

TRANSIENT = (TelegramNetworkError, TelegramServerError, RestartingTelegram, ClientError, TimeoutError, OSError)
STAFF_BAD_REQUEST_RETRY_S = 300.0
UNEXPECTED_RETRY_S = 60.0
RETRY_NOW_MAX = 3


class OutboxSender:
    def __init__(
        self,
        tickets: Any,
        delivery: Delivery,
        *,
        clock: Clock | None = None,
        channels: Iterable[str] = ("telegram", STAFF_CHANNEL),
        poll_interval: float = 1.0,
        batch: int = 100,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.tickets = tickets
        self.delivery = delivery
        self.clock = clock or SystemClock()
        self.channels = tuple(channels)
        self.poll_interval = poll_interval
        self.batch = batch
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.monotonic = monotonic
        self.sleep = sleep
        self._wake = asyncio.Event()
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._progress: dict[int, Progress] = {}
        self._sent_unmarked: dict[int, dict[str, Any]] = {}
        self._failures = 0
        self._resume_at = 0.0
        self._task: asyncio.Task[None] | None = None
        # figures for logs and the benchmark
        self.sent = 0
        self.dropped = 0
        self.retries_429 = 0
        self.network_errors = 0

    # --- lifecycle ------------------------------------------------------------------------
    def wake(self) -> None:
        """Look at the outbox now (called after a handler changed a ticket)."""
        self._wake.set()

    def start(self) -> asyncio.Task[None]:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="outbox-sender")
        return self._task

    async def stop(self) -> None:
        """Stop at once; whatever was not marked sent stays in the outbox for the next start."""
        tasks = [t for t in (self._task, *self._inflight.values()) if t is not None]
        await cancel_and_wait(tasks)
        self._task = None
        self._inflight.clear()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.drain_once()
            except asyncio.CancelledError:
                raise
            except Exception:   # the database hiccuped: keep the sender alive, try again soon
                log.exception("outbox poll failed")
            await wait_event(self._wake, self.poll_interval)

    async def drain_once(self) -> int:
        """Start delivering every pending message not already on its way; returns how many started."""
        started = 0
        for channel in self.channels:
            for message in await self.tickets.outbox_pending(channel=channel, limit=self.batch):
                if message.id in self._inflight:
                    continue
                task = asyncio.create_task(self._deliver(message), name=f"outbox-{message.id}")
                self._inflight[message.id] = task
                started += 1
        return started

    async def idle(self) -> None:
        """Wait until nothing is in flight (tests and the benchmark)."""
        while self._inflight:
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)

    # --- one message ----------------------------------------------------------------------
    async def _deliver(self, message: OutboxMessage) -> None:
        try:
            await self._deliver_until_done(message)
        finally:
            self._inflight.pop(message.id, None)
            self._wake.set()      # the next message to the same chat may now be handed out

    async def _deliver_until_done(self, message: OutboxMessage) -> None:
        progress = self._progress.setdefault(message.id, Progress())
        repaired = 0
        while True:
            await self._outage_gate()
            if message.id in self._sent_unmarked:
                meta = self._sent_unmarked[message.id]
            else:
                try:
                    meta = await self.delivery.deliver(message, progress)
                except TelegramRetryAfter as exc:
                    self.retries_429 += 1
                    log.info("429 for outbox=%s: waiting %ss", message.id, exc.retry_after)
                    await self.sleep(float(exc.retry_after))
                    continue
                except RetryNow:
                    repaired += 1
                    if repaired <= RETRY_NOW_MAX:
                        continue
                    await self._fail(message, "repair did not help", UNEXPECTED_RETRY_S)
                    return
                except TRANSIENT as exc:
                    self.network_errors += 1
                    delay = self._note_outage()
                    await self._fail(message, f"{type(exc).__name__}: {exc}", delay)
                    continue
                except (TelegramForbiddenError, TelegramNotFound, TelegramUnauthorizedError, Undeliverable) as exc:
                    if isinstance(exc, TelegramUnauthorizedError):
                        log.error("the bot token was refused (401): nothing can be sent")
                        await self._fail(message, f"unauthorized: {exc}", STAFF_BAD_REQUEST_RETRY_S)
                        return
                    await self._drop(message, f"{type(exc).__name__}: {exc}")
                    return
                except TelegramMigrateToChat as exc:
                    log.error("the staff group was upgraded to a supergroup: set STAFF_CHAT_ID=%s and restart",
                              exc.migrate_to_chat_id)
                    await self._fail(message, f"chat migrated to {exc.migrate_to_chat_id}", STAFF_BAD_REQUEST_RETRY_S)
                    return
                except TelegramBadRequest as exc:
                    if message.channel == STAFF_CHANNEL:
                        log.error("staff chat refused outbox=%s: %s — check STAFF_CHAT_ID and the bot's rights",
                                  message.id, exc.message)
                        await self._fail(message, f"bad request: {exc.message}", STAFF_BAD_REQUEST_RETRY_S)
                        return
                    await self._drop(message, f"bad request: {exc.message}")
                    return
                except Exception as exc:
                    log.exception("unexpected error delivering outbox=%s", message.id)
                    await self._fail(message, f"{type(exc).__name__}: {exc}", UNEXPECTED_RETRY_S)
                    return
                self._sent_unmarked[message.id] = meta
                self._failures = 0
            try:
                await self.tickets.outbox_mark_sent(message.id, meta=meta)
            except Exception:
                # Telegram has it; only our record failed. Keep it in memory so a retry marks, not re-sends.
                log.exception("could not mark outbox=%s as sent; will retry", message.id)
                await self.sleep(self._note_outage())
                continue
            self._sent_unmarked.pop(message.id, None)
            self._progress.pop(message.id, None)
            self.sent += 1
            return

    async def _outage_gate(self) -> None:
        while (wait := self._resume_at - self.monotonic()) > 0:
            await self.sleep(wait)

    def _note_outage(self) -> float:
        """One more transient failure: the pause grows 1, 2, 4 … up to backoff_max seconds.

        Failures of messages that were already on their way when a pause began are the same
        outage, not a new one: they wait for that pause without making it longer.
        """
        now = self.monotonic()
        if now < self._resume_at:
            return self._resume_at - now
        self._failures += 1
        delay = min(self.backoff_max, self.backoff_base * 2 ** (self._failures - 1))
        self._resume_at = now + delay
        return delay

    async def _fail(self, message: OutboxMessage, error: str, retry_in: float) -> None:
        retry_at = self.clock.now() + timedelta(seconds=retry_in)
        try:
            await self.tickets.outbox_mark_failed(message.id, error, retry_at=retry_at)
        except Exception:
            log.exception("could not record failure of outbox=%s", message.id)

    async def _drop(self, message: OutboxMessage, reason: str) -> None:
        self.dropped += 1
        self._progress.pop(message.id, None)
        log.warning("dropping outbox=%s channel=%s: %s", message.id, message.channel, reason)
        drop = getattr(self.tickets, "outbox_drop", None)
        try:
            if drop is not None:
                await drop(message.id, reason)
            else:   # a ticket service without drop: push the retry far away instead
                await self.tickets.outbox_mark_failed(message.id, "permanent: " + reason,
                                                      retry_at=self.clock.now() + timedelta(days=3650))
        except Exception:
            log.exception("could not drop outbox=%s", message.id)

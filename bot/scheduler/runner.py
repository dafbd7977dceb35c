"""APScheduler 3.x inside `gongyou serve`: it only decides WHEN to tick; the database decides WHAT.

Jobs, all rebuilt from the database at start (so a restart neither loses nor repeats anything):

    followup:ticket:<id>   DateTrigger at the ticket's next due time (from its plan)
    followup:scan          every minute: tickets changed since the last scan get fresh jobs
    followup:full          every hour: every ticket with a running clock is planned again (safety net)
    followup:digest        CronTrigger at the digest time, Asia/Shanghai
    privacy:retention      CronTrigger daily at 03:30, Asia/Shanghai, and once at start (bot.privacy.retention)

Hook it into the Telegram app with `install(app)`: it starts after the bot is ready and stops
with it. Job functions never raise into APScheduler: a failed tick is logged and retried by the
next scan.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import LOCAL_TZ
from bot.scheduler.followup import FollowUp, TickResult
from bot.scheduler.rules import SlaRules

log = logging.getLogger(__name__)

TICKET_JOB = "followup:ticket:"
SCAN_JOB = "followup:scan"
FULL_JOB = "followup:full"
DIGEST_JOB = "followup:digest"
RETENTION_JOB = "privacy:retention"
RETENTION_AT = (3, 30)                # quiet hours, local time
SCAN_OVERLAP = timedelta(minutes=5)   # a change committed late (it waited on the database lock) is still seen
STOP_WAIT_S = 10.0                    # how long `stop` lets a running tick finish


class FollowUpScheduler:
    def __init__(self, followup: FollowUp, *, scan_every: timedelta = timedelta(minutes=1),
                 full_every: timedelta = timedelta(hours=1),
                 retention: Callable[[], Awaitable[Any]] | None = None) -> None:
        self.followup = followup
        self.retention = retention            # the daily personal-data purge, if any
        self.scan_every = scan_every
        self.full_every = full_every
        self.scheduler = AsyncIOScheduler(
            timezone=LOCAL_TZ,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._scanned_at: datetime | None = None
        self._running: set[asyncio.Task[None]] = set()

    @property
    def clock(self) -> Any:
        return self.followup.clock

    async def start(self, *, paused: bool = False) -> TickResult:
        """Catch up on whatever fell due while stopped, then schedule every job from the database."""
        self._scanned_at = self.clock.now()
        result = await self.followup.tick()
        self.scheduler.start(paused=paused)
        self._reschedule(result)
        self.scheduler.add_job(self._scan, IntervalTrigger(seconds=self.scan_every.total_seconds(), timezone=LOCAL_TZ),
                               id=SCAN_JOB, replace_existing=True)
        self.scheduler.add_job(self._full, IntervalTrigger(seconds=self.full_every.total_seconds(), timezone=LOCAL_TZ),
                               id=FULL_JOB, replace_existing=True)
        digest_at = self.followup.rules.digest_at
        if digest_at is not None:
            # A few seconds past the minute: a timer that fires a hair early must not find it "not yet 09:00".
            self.scheduler.add_job(self._digest, CronTrigger(hour=digest_at.hour, minute=digest_at.minute, second=5,
                                                             timezone=LOCAL_TZ), id=DIGEST_JOB, replace_existing=True)
        if self.retention is not None:
            await self._retention()           # a day missed while stopped is caught up now
            self.scheduler.add_job(self._retention, CronTrigger(hour=RETENTION_AT[0], minute=RETENTION_AT[1], second=5,
                                                                timezone=LOCAL_TZ), id=RETENTION_JOB, replace_existing=True)
        log.info("follow-up scheduler started tickets=%s sent=%s", len(result.next_at), len(result.sent))
        return result

    async def stop(self) -> None:
        """Let a running tick finish (each is one transaction anyway), then stop the scheduler."""
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=STOP_WAIT_S)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)            # AsyncIOScheduler shuts down on the next turn of the loop

    async def _guarded(self, what: str, job: Callable[[], Awaitable[None]]) -> None:
        """Run one job; log and swallow its failure (the next scan or full tick retries)."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)       # type: ignore[arg-type]
        try:
            await job()
        except Exception:
            log.exception("follow-up %s failed (retried by the next scan)", what)
        finally:
            if task is not None:
                self._running.discard(task)   # type: ignore[arg-type]

    # --- jobs ---------------------------------------------------------------------------------
    def _reschedule(self, result: TickResult) -> None:
        now = self.clock.now()
        for ticket_id, at in result.next_at.items():
            job_id = f"{TICKET_JOB}{ticket_id}"
            if at is None:
                if self.scheduler.get_job(job_id) is not None:
                    self.scheduler.remove_job(job_id)
                continue
            if at <= now:                 # a plan never says so; never spin on it either
                log.warning("follow-up next time %s of ticket_id=%s is not in the future", at, ticket_id)
                at = now + timedelta(minutes=1)
            self.scheduler.add_job(self._ticket, DateTrigger(run_date=at), args=[ticket_id], id=job_id,
                                   replace_existing=True)

    async def _ticket(self, ticket_id: int) -> None:
        async def run() -> None:
            self._reschedule(await self.followup.tick(ticket_ids=[ticket_id], digest=False))
        await self._guarded(f"tick of ticket_id={ticket_id}", run)

    async def _scan(self) -> None:
        started = self.clock.now()
        since = (self._scanned_at or started) - SCAN_OVERLAP

        async def run() -> None:
            self._reschedule(await self.followup.tick(changed_since=since, digest=False))
            self._scanned_at = started
        await self._guarded("scan", run)

    async def _full(self) -> None:
        async def run() -> None:
            self._reschedule(await self.followup.tick())
        await self._guarded("full tick", run)

    async def _digest(self) -> None:
        async def run() -> None:
            await self.followup.send_digest()
        await self._guarded("digest", run)

    async def _retention(self) -> None:
        retention = self.retention
        if retention is not None:
            async def run() -> None:
                await retention()
            await self._guarded("retention purge", run)

    # --- for inspection -----------------------------------------------------------------------
    def ticket_jobs(self) -> dict[int, datetime]:
        return {int(job.id[len(TICKET_JOB):]): job.next_run_time for job in self.scheduler.get_jobs()
                if job.id.startswith(TICKET_JOB)}


def install(app: Any, rules: SlaRules | None = None) -> FollowUpScheduler:
    """Run the follow-up scheduler with the Telegram app (its `on_startup` / `on_shutdown` hooks).

    The calendar and texts are loaded and checked here, before any network: a bad file stops
    `gongyou serve` at once instead of failing later inside the bot's start-up.
    """
    from bot.privacy.service import Privacy

    followup = FollowUp.from_services(app.services, rules or SlaRules.from_settings(app.settings))
    privacy = Privacy(app.services.db, app.services.texts, app.services.clock,
                      retention_days=app.settings.retention_days)
    scheduler = FollowUpScheduler(followup, retention=privacy.purge)

    async def start(app: Any) -> None:
        await scheduler.start()

    async def stop(app: Any) -> None:
        await scheduler.stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return scheduler

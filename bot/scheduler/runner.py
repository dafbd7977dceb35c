"""APScheduler 3.x inside `gongyou serve`: it only decides WHEN to tick; the database decides WHAT.

Jobs, all rebuilt from the database at start (so a restart neither loses nor repeats anything):

    followup:ticket:<id>   DateTrigger at the ticket's next due time (from its plan)
    followup:scan          every minute: tickets changed since the last scan get fresh jobs
    followup:full          every hour: every ticket with a running clock is planned again (safety net)
    followup:digest        CronTrigger at the digest time, Asia/Shanghai

Hook it into the Telegram app with `install(app)`: it starts after the bot is ready and stops
with it. Job functions never raise into APScheduler: a failed tick is logged and retried by the
next scan.
"""

from __future__ import annotations

import logging
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
SCAN_OVERLAP = timedelta(minutes=5)   # a change committed late (it waited on the database lock) is still seen


class FollowUpScheduler:
    def __init__(self, followup: FollowUp, *, scan_every: timedelta = timedelta(minutes=1),
                 full_every: timedelta = timedelta(hours=1)) -> None:
        self.followup = followup
        self.scan_every = scan_every
        self.full_every = full_every
        self.scheduler = AsyncIOScheduler(
            timezone=LOCAL_TZ,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._scanned_at: datetime | None = None

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
            self.scheduler.add_job(self._digest, CronTrigger(hour=digest_at.hour, minute=digest_at.minute,
                                                             timezone=LOCAL_TZ), id=DIGEST_JOB, replace_existing=True)
        log.info("follow-up scheduler started tickets=%s sent=%s", len(result.next_at), len(result.sent))
        return result

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    # --- jobs ---------------------------------------------------------------------------------
    def _reschedule(self, result: TickResult) -> None:
        for ticket_id, at in result.next_at.items():
            job_id = f"{TICKET_JOB}{ticket_id}"
            if at is None:
                if self.scheduler.get_job(job_id) is not None:
                    self.scheduler.remove_job(job_id)
                continue
            self.scheduler.add_job(self._ticket, DateTrigger(run_date=at), args=[ticket_id], id=job_id,
                                   replace_existing=True)

    async def _ticket(self, ticket_id: int) -> None:
        try:
            self._reschedule(await self.followup.tick(ticket_ids=[ticket_id], digest=False))
        except Exception:
            log.exception("follow-up tick failed ticket_id=%s (the next scan retries)", ticket_id)

    async def _scan(self) -> None:
        started = self.clock.now()
        since = (self._scanned_at or started) - SCAN_OVERLAP
        try:
            self._reschedule(await self.followup.tick(changed_since=since, digest=False))
            self._scanned_at = started
        except Exception:
            log.exception("follow-up scan failed (retried next minute)")

    async def _full(self) -> None:
        try:
            self._reschedule(await self.followup.tick())
        except Exception:
            log.exception("follow-up full tick failed (retried next hour)")

    async def _digest(self) -> None:
        try:
            await self.followup.send_digest()
        except Exception:
            log.exception("follow-up digest failed (the hourly tick retries it today)")

    # --- for inspection -----------------------------------------------------------------------
    def ticket_jobs(self) -> dict[int, datetime]:
        return {int(job.id[len(TICKET_JOB):]): job.next_run_time for job in self.scheduler.get_jobs()
                if job.id.startswith(TICKET_JOB)}


def install(app: Any, rules: SlaRules | None = None) -> FollowUpScheduler:
    """Run the follow-up scheduler with the Telegram app (its `on_startup` / `on_shutdown` hooks).

    The calendar and texts are loaded and checked here, before any network: a bad file stops
    `gongyou serve` at once instead of failing later inside the bot's start-up.
    """
    followup = FollowUp.from_services(app.services, rules or SlaRules.from_settings(app.settings))
    scheduler = FollowUpScheduler(followup)

    async def start(app: Any) -> None:
        await scheduler.start()

    async def stop(app: Any) -> None:
        scheduler.shutdown()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return scheduler

"""The retention period: personal data is kept while a case may still need it, then purged.

Once a ticket has been resolved, transferred or closed for more than `RETENTION_DAYS` (default
365), its personal data is erased exactly as on a worker's request, keeping the anonymous counts.
A conversation row untouched for as long (a greeting, files sent and never filed) is deleted.
A reopened ticket is no longer finished, so its clock starts again when it is finished again.
Run daily by the scheduler (`bot.scheduler.runner`) and by `gongyou purge [--dry-run]`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiosqlite

from bot.clock import Clock
from bot.privacy.erase import SECURE_DELETE
from bot.storage.db import Database
from bot.tickets import erasure
from bot.tickets.api import Actor
from bot.tickets.timefmt import to_db

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 365
RETENTION_ACTOR = Actor("system", "retention", "保存期满自动删除")


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: datetime
    tickets: int                  # tickets whose personal data was (or, dry run, would be) erased
    conversations: int            # idle conversation rows deleted (or that would be)
    dry_run: bool = False


def cutoff_of(now: datetime, days: int) -> datetime:
    if days < 1:
        raise ValueError(f"the retention period must be at least one day (got {days})")
    return now - timedelta(days=days)


async def _due_tickets(conn: aiosqlite.Connection, cutoff: datetime) -> int:
    rows = await conn.execute_fetchall(
        "SELECT count(*) FROM tickets WHERE final_at IS NOT NULL AND final_at < ? AND erased_at IS NULL",
        (to_db(cutoff),),
    )
    return int(rows[0][0])


# conversations.updated_at is ISO 8601 with any offset: julianday() compares instants, not text.
_IDLE_CONVERSATIONS = "FROM conversations WHERE julianday(updated_at) < julianday(?)"


async def purge(db: Database, clock: Clock, days: int = DEFAULT_RETENTION_DAYS, *, dry_run: bool = False) -> PurgeResult:
    """Erase what has outlived the retention period, in one transaction; `dry_run` only counts."""
    now = clock.now()
    cutoff = cutoff_of(now, days)
    utc_cutoff = cutoff.astimezone(UTC).isoformat()
    async with db.transaction(write=not dry_run) as conn:
        if dry_run:
            tickets = await _due_tickets(conn, cutoff)
            rows = await conn.execute_fetchall(f"SELECT count(*) {_IDLE_CONVERSATIONS}", (utc_cutoff,))
            conversations = int(rows[0][0])
        else:
            await conn.execute(SECURE_DELETE)
            tickets = await erasure.erase_final_before(conn, cutoff, RETENTION_ACTOR, now)
            cursor = await conn.execute(f"DELETE {_IDLE_CONVERSATIONS}", (utc_cutoff,))
            conversations = cursor.rowcount or 0
    if not dry_run and (tickets or conversations):
        log.info("retention purge: tickets=%s conversations=%s days=%s", tickets, conversations, days)
    return PurgeResult(cutoff=cutoff, tickets=tickets, conversations=conversations, dry_run=dry_run)

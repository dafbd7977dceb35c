"""One object the dialogue, the staff channels, the scheduler and the CLI call for personal data.

Each operation is one transaction on the shared `Database`, so an erasure is all or nothing.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.privacy import erase, records, retention
from bot.privacy.erase import ErasureResult
from bot.privacy.records import WorkerRecords
from bot.privacy.report import Report
from bot.privacy.retention import DEFAULT_RETENTION_DAYS, PurgeResult
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.api import AccessError, Actor, TicketNotFound


class Privacy:
    def __init__(self, db: Database, texts: Texts, clock: Clock, *,
                 retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.db = db
        self.texts = texts
        self.clock = clock
        self.retention_days = retention_days

    async def records(self, channel: str, user_id: str) -> WorkerRecords:
        async with self.db.transaction(write=False) as conn:
            return await records.gather(conn, channel, user_id)

    async def report(self, channel: str, user_id: str) -> list[str]:
        """/mydata: everything stored about the worker, as messages that fit a phone."""
        found = await self.records(channel, user_id)
        return Report(self.texts, retention_days=self.retention_days).messages(found)

    async def erase_worker(self, channel: str, user_id: str, actor: Actor) -> ErasureResult:
        """/forget: the worker's own request (recorded anonymously) or staff acting on it."""
        reason = "privacy.staff.erased.by_staff" if actor.role == "staff" else "privacy.staff.erased.by_worker"
        async with self.db.transaction() as conn:
            return await erase.erase_worker(conn, self.texts, channel, user_id, actor, self.clock.now(),
                                            reason_key=reason)

    async def worker_of_ticket(self, ticket_id: int) -> tuple[str, str] | None:
        """(channel, user id) behind a ticket, None once erased; TicketNotFound for an unknown id."""
        async with self.db.transaction(write=False) as conn:
            rows = await conn.execute_fetchall("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,))
            if not rows:
                raise TicketNotFound(f"没有这个工单（编号 {ticket_id}）。(no ticket with id {ticket_id})")
            return await erase.worker_of_ticket(conn, ticket_id)

    async def erase_by_ticket(self, ticket_id: int, staff: Actor) -> ErasureResult | None:
        """Staff, on the worker's request: erase the worker behind a ticket; None when already erased.

        The worker is looked up and erased in one transaction, so two staff pressing at once erase once.
        """
        if staff.role != "staff":
            raise AccessError("只有工会工作人员可以替工友删除个人信息。(only staff may erase on a worker's behalf)")
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,))
            if not rows:
                raise TicketNotFound(f"没有这个工单（编号 {ticket_id}）。(no ticket with id {ticket_id})")
            worker = await erase.worker_of_ticket(conn, ticket_id)
            if worker is None:
                return None
            return await erase.erase_worker(conn, self.texts, *worker, staff, self.clock.now(),
                                            reason_key="privacy.staff.erased.by_staff")

    async def tickets_of_worker_behind(self, ticket_id: int) -> int:
        """How many tickets the worker behind this ticket has (what a staff erasure would touch)."""
        worker = await self.worker_of_ticket(ticket_id)
        if worker is None:
            return 0
        async with self.db.transaction(write=False) as conn:
            rows = await conn.execute_fetchall(
                "SELECT count(*) FROM tickets WHERE channel = ? AND user_id = ?", worker)
        return int(rows[0][0])

    async def purge(self, *, dry_run: bool = False) -> PurgeResult:
        return await retention.purge(self.db, self.clock, self.retention_days, dry_run=dry_run)

"""Thirty days of a small caseload on a controlled clock: every reminder, digest and survey, once, on time.

The run starts on Monday 2026-09-21, so 中秋 (09-25…27), 国庆 (10-01…07) and the make-up working
Saturday 10-10 fall inside. Between scripted staff/worker actions the clock jumps to the next time
the follow-up says something is due (as the APScheduler jobs would), and ticks there. The same run
is repeated with the service closed and reopened on the same database file at several points, and
with extra safety-net ticks every 20 minutes: the output must be identical, each message once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import LOCAL_TZ, FakeClock
from bot.dialogue.types import Incoming, UserRef
from bot.scheduler.followup import FollowUp
from bot.scheduler.rules import SlaRules
from bot.scheduler.runner import FollowUpScheduler
from bot.services import Services
from bot.tickets.api import Actor, Consent, Intake, Kind, State
from bot.understand import Understanding

START = datetime(2026, 9, 21, 8, 0, tzinfo=LOCAL_TZ)
END = datetime(2026, 10, 21, 9, 30, tzinfo=LOCAL_TZ)
LI = Actor("staff", "telegram:201", "李姐")
ZHAO = Actor("staff", "telegram:202", "赵哥")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def worker(label: str) -> Actor:
    return Actor("worker", f"telegram:{label}", f"工友{label}")


@dataclass
class Sim:
    db_path: Path
    understanding: Understanding
    rules: SlaRules = field(default_factory=SlaRules)
    clock: FakeClock = field(default_factory=lambda: FakeClock(START))
    services: Services | None = None
    followup: FollowUp | None = None
    ids: dict[str, int] = field(default_factory=dict)       # case label → ticket id
    restarts: int = 0

    async def open(self) -> None:
        self.services = await Services.open(self.db_path, clock=self.clock, understanding=self.understanding)
        self.followup = FollowUp.from_services(self.services, self.rules)

    async def restart(self) -> None:
        assert self.services is not None
        await self.services.close()
        await self.open()
        self.restarts += 1
        await self.tick()               # what FollowUpScheduler.start does first: catch up

    async def tick(self) -> datetime | None:
        assert self.followup is not None
        result = await self.followup.tick()
        candidates = [t for t in (result.earliest, self.followup.next_digest_at(self.clock.now())) if t]
        return min(candidates) if candidates else None

    @property
    def tickets(self) -> Any:
        assert self.services is not None
        return self.services.tickets

    async def create(self, label: str, *, kind: Kind = Kind.MEDIATION, **intake: Any) -> None:
        ticket = await self.tickets.create(
            channel="telegram", user_id=label, kind=kind, intake=Intake(summary=f"案例{label}", **intake),
            consent=Consent("consent.v1", self.clock.now()), actor=worker(label),
        )
        self.ids[label] = ticket.id

    async def outbox(self) -> list[tuple[str, str, str, str]]:
        """(local time, rule, case, to) of every follow-up message written, in order."""
        assert self.services is not None
        names = {v: k for k, v in self.ids.items()}
        rows = await self.services.db.conn.execute_fetchall(
            "SELECT created_at, channel, ticket_id, json_extract(meta, '$.rule') AS rule FROM outbox "
            "WHERE json_extract(meta, '$.event') IN ('reminder', 'digest') ORDER BY id"
        )
        out = []
        for r in rows:
            when = datetime.fromisoformat(r["created_at"]).astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
            out.append((when, r["rule"], names.get(r["ticket_id"], ""), "staff" if r["channel"] == "staff" else "worker"))
        return out


Step = Callable[[Sim], Awaitable[None]]


def script() -> list[tuple[datetime, Step]]:
    """The caseload. A urgent; B normal, left quiet; C high, waits on the worker, then transferred;
    D registered on the holiday weekend; E resolved late at night; F closed at once; G urgent at night."""
    async def claim(s: Sim, label: str, who: Actor = LI) -> None:
        await s.tickets.claim(s.ids[label], who)

    async def state(s: Sim, label: str, target: State, **kw: Any) -> None:
        await s.tickets.change_state(s.ids[label], kw.pop("who", LI), target, **kw)

    steps: list[tuple[datetime, Step]] = [
        (at(9, 21, 10), lambda s: s.create("A", kind=Kind.URGENT, topic="wage", headcount=12)),
        (at(9, 21, 10, 35), lambda s: claim(s, "A")),
        (at(9, 21, 11), lambda s: state(s, "A", State.MEDIATING)),
        (at(9, 21, 16), lambda s: s.create("B", topic="wage", amount=2600)),
        (at(9, 21, 20, 30), lambda s: s.create("C", topic="injury", injury=True)),
        (at(9, 22, 12), lambda s: claim(s, "C", ZHAO)),
        (at(9, 22, 12, 30), lambda s: state(s, "C", State.MEDIATING, who=ZHAO)),
        (at(9, 22, 14), lambda s: claim(s, "B", ZHAO)),
        (at(9, 22, 16), lambda s: state(s, "A", State.RESOLVED, amount_recovered=3000.0)),
        (at(9, 23, 10), lambda s: state(s, "C", State.WAITING, who=ZHAO, reason="请补充医院的诊断证明")),
        (at(9, 23, 17), lambda s: s.press("A", "5")),
        (at(9, 23, 17, 2), lambda s: s.say("A", "调解员很耐心，谢谢你们")),
        (at(9, 26, 11), lambda s: s.create("D", topic="platform")),
        (at(9, 28, 15), lambda s: s.tickets.worker_message(s.ids["C"], worker("C"), text="诊断证明拍好了")),
        (at(9, 29, 9, 30), lambda s: claim(s, "D")),
        (at(9, 29, 11), lambda s: state(s, "D", State.RESOLVED, amount_recovered=0.0)),
        (at(10, 9, 9, 30), lambda s: s.tickets.reply(s.ids["C"], ZHAO, "证明收到了，我们在联系站点")),
        (at(10, 9, 10), lambda s: state(s, "B", State.MEDIATING, who=ZHAO)),
        (at(10, 12, 10), lambda s: state(s, "C", State.TRANSFERRED, who=ZHAO, transfer_to="劳动仲裁委",
                                         reason="站点拒绝调解，转仲裁")),
        (at(10, 14, 9), lambda s: s.create("E", topic="wage", amount=1500)),
        (at(10, 14, 9, 10), lambda s: claim(s, "E")),
        (at(10, 14, 11), lambda s: s.tickets.reply(s.ids["B"], ZHAO, "站点答应下周结清")),
        (at(10, 14, 21, 30), lambda s: state(s, "E", State.RESOLVED, amount_recovered=1500.0)),
        (at(10, 15, 10), lambda s: s.create("F", topic="hours")),
        (at(10, 15, 10, 30), lambda s: state(s, "F", State.CLOSED, reason="与 E 重复")),
        (at(10, 17, 3), lambda s: s.create("G", kind=Kind.URGENT, topic="injury")),
        (at(10, 17, 3, 15), lambda s: claim(s, "G", ZHAO)),
    ]
    return steps


async def _press(self: Sim, label: str, choice: str) -> None:
    assert self.services is not None
    await self.services.dialogue.handle(Incoming(UserRef("telegram", label), button=f"sv:{self.ids[label]}:{choice}"))


async def _say(self: Sim, label: str, text: str) -> None:
    assert self.services is not None
    await self.services.dialogue.handle(Incoming(UserRef("telegram", label), text=text))


Sim.press = _press  # type: ignore[attr-defined]
Sim.say = _say      # type: ignore[attr-defined]


async def run(sim: Sim, *, restart_at: tuple[datetime, ...] = (), grid: timedelta | None = None) -> None:
    """Jump from one moment to the next: a scripted action, a due time, a restart, or a grid tick."""
    await sim.open()
    steps = sorted(script(), key=lambda s: s[0])
    restarts = sorted(restart_at)
    due = await sim.tick()
    while True:
        now = sim.clock.now()
        candidates = [t for t in (steps[0][0] if steps else None, due, restarts[0] if restarts else None,
                                  now + grid if grid else None) if t is not None]
        upcoming = min(candidates)
        if upcoming > END:
            break
        assert upcoming >= now, f"time went backwards: {upcoming} < {now}"
        sim.clock.set(upcoming)
        while restarts and restarts[0] <= upcoming:
            restarts.pop(0)
            await sim.restart()
        while steps and steps[0][0] <= upcoming:
            await steps.pop(0)[1](sim)
        due = await sim.tick()


def expected() -> list[tuple[str, str, str, str]]:
    events = [
        ("09-21 10:10", "urgent_unclaimed", "A", "staff"),
        ("09-21 10:20", "urgent_unclaimed", "A", "staff"),
        ("09-21 10:30", "urgent_unclaimed", "A", "staff"),
        # B: 16:00 Mon + 4 working hours = 2 h Monday + 2 h Tuesday
        ("09-22 11:00", "unclaimed", "B", "staff"),
        # A resolved Tue 16:00: survey a day later, inside the worker's daytime
        ("09-23 16:00", "survey", "A", "worker"),
        # C waiting since Wed 10:00: one nudge 48 h later (the 中秋 holiday does not matter to a worker)
        ("09-25 10:00", "waiting_nudge", "C", "worker"),
        # B claimed Tue 9-22 14:00, then silence: 27 working hours = Tue 4 + Wed 9 + Thu 9 + (中秋) + Mon 5
        ("09-28 14:00", "stale", "B", "staff"),
        # D registered Saturday 9-26 (holiday weekend): 4 working hours from Monday 09:00
        ("09-28 13:00", "unclaimed", "D", "staff"),
        # D resolved Tue 9-29 11:00
        ("09-30 11:00", "survey", "D", "worker"),
        # C: mediating since Tue 9-22 12:30; the statutory 15 days run through waiting and 国庆
        ("10-07 12:30", "mediation_limit", "C", "staff"),
        ("10-07 12:30", "mediation_limit", "C", "worker"),
        # B again: Mon 4 + Tue 9 + Wed 9 + (国庆) + Thu 10-8 5 → the second reminder
        ("10-08 14:00", "stale", "B", "staff"),
        # C: clock stopped while waiting (Wed 9-23 10:00 → Mon 9-28 15:00), then Mon 3 + Tue 9 + Wed 9 + Thu 10-8 6
        ("10-08 15:00", "stale", "C", "staff"),
        # B to mediating Fri 10-9 10:00: Fri 8 + Sat 10-10 (调休 working day) 9 + Mon 9 + Tue 1
        ("10-13 10:00", "stale", "B", "staff"),
        # E resolved Wed 10-14 21:30: a day later is 21:30, after the daytime window → Friday 09:00
        ("10-16 09:00", "survey", "E", "worker"),
        # G urgent at 03:00 on a Saturday: urgent re-alerts do not wait for working hours
        ("10-17 03:10", "urgent_unclaimed", "G", "staff"),
        # B replied Wed 10-14 11:00: Wed 7 + Thu 9 + Fri 9 + Mon 10-19 2
        ("10-19 11:00", "stale", "B", "staff"),
    ]
    day = date(2026, 9, 21)
    while day <= date(2026, 10, 21):
        events.append((f"{day:%m-%d} 09:00", "digest", "", "staff"))
        day += timedelta(days=1)
    return sorted(events)


def ordered(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    return sorted(rows)


async def test_thirty_days_every_follow_up_once_and_on_time(tmp_path, understanding):
    sim = Sim(tmp_path / "sim.sqlite3", understanding)
    await run(sim)
    try:
        got = await sim.outbox()
        assert ordered(got) == expected()
        assert len(got) == len(set(got)), "a follow-up message was written twice"
        # The digests say what happened: Tuesday's counts Monday's three registrations, Wednesday's A's result.
        texts = {r["dedupe_key"]: r["text"] for r in await sim.services.db.conn.execute_fetchall(
            "SELECT dedupe_key, text FROM outbox WHERE kind = 'digest'")}
        tuesday = texts["digest:2026-09-22"]
        assert "昨天新登记：3 件" in tuesday and "待接单：2 件" in tuesday and "紧急未办结：1 件" in tuesday
        assert "已超时：0 件" in tuesday
        assert "昨天办结：1 件，追回金额 3000 元" in texts["digest:2026-09-23"]
        # Monday 9-28 09:00: B (no update yet due at 14:00) is not overdue; D is unclaimed but not yet overdue.
        assert "待接单：1 件" in texts["digest:2026-09-28"]
        # Thursday 10-8 09:00: B's and C's mediation limit has passed (C) and B was reminded on 9-28.
        assert "已超时：2 件" in texts["digest:2026-10-08"]
        # The worker's rating and comment are stored once, on the ticket.
        events = await sim.tickets.events(sim.ids["A"])
        assert [e.data.get("rating") for e in events if e.type == "survey"] == [5]
        assert [e.note for e in events if e.type == "survey_comment"] == ["调解员很耐心，谢谢你们"]
        assert sim.restarts == 0
    finally:
        await sim.services.close()


RESTARTS = (at(9, 21, 10, 15), at(9, 22, 11), at(9, 25, 10), at(10, 7, 12, 30), at(10, 8, 14, 30),
            at(10, 16, 8, 59), at(10, 17, 3, 10))


@pytest.mark.parametrize(("restart_at", "grid"), [(RESTARTS, None), ((), timedelta(minutes=20)),
                                                  (RESTARTS, timedelta(minutes=45))],
                         ids=["restarts", "grid-ticks", "restarts-and-grid"])
async def test_restarts_and_extra_ticks_change_nothing(tmp_path, understanding, restart_at, grid):
    sim = Sim(tmp_path / "sim.sqlite3", understanding)
    await run(sim, restart_at=restart_at, grid=grid)
    try:
        got = await sim.outbox()
        assert ordered(got) == expected()
        assert len(got) == len(set(got))
        assert sim.restarts == len(restart_at)
    finally:
        await sim.services.close()


async def test_the_apscheduler_jobs_alone_give_the_same_output(tmp_path, understanding):
    """Production's path: no full ticks in between, only what the jobs would run — the scan after each change,
    each ticket's job at its next_run_time, the digest at 09:00 — with restarts rebuilding the jobs."""
    sim = Sim(tmp_path / "sim.sqlite3", understanding)
    await sim.open()
    scheduler = FollowUpScheduler(sim.followup)
    await scheduler.start(paused=True)
    steps = sorted(script(), key=lambda s: s[0])
    restarts = sorted(RESTARTS)
    try:
        while True:
            jobs = scheduler.ticket_jobs()
            digest_at = sim.followup.next_digest_at(sim.clock.now())
            candidates = [t for t in (steps[0][0] if steps else None, restarts[0] if restarts else None, digest_at,
                                      *jobs.values()) if t is not None]
            upcoming = min(candidates)
            if upcoming > END:
                break
            sim.clock.set(upcoming)
            if restarts and restarts[0] <= upcoming:
                restarts.pop(0)
                await scheduler.stop()
                await sim.services.close()
                await sim.open()
                scheduler = FollowUpScheduler(sim.followup)
                await scheduler.start(paused=True)
                sim.restarts += 1
            changed = False
            while steps and steps[0][0] <= upcoming:
                await steps.pop(0)[1](sim)
                changed = True
            if changed:
                await scheduler._scan()
            for ticket_id, when in sorted(scheduler.ticket_jobs().items(), key=lambda kv: kv[1]):
                if when <= upcoming:
                    await scheduler._ticket(ticket_id)
            if digest_at is not None and digest_at <= upcoming:
                await scheduler._digest()
        got = await sim.outbox()
        assert ordered(got) == expected()
        assert len(got) == len(set(got))
        assert sim.restarts == len(RESTARTS)
    finally:
        await scheduler.stop()
        await sim.services.close()

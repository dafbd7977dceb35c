"""The APScheduler wiring: jobs rebuilt from the database at start, at the run times the plans say.

Nothing waits for a job to fire: the scheduler starts paused and the job functions are called
directly, as APScheduler would call them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.clock import LOCAL_TZ, FakeClock
from bot.config import load_settings
from bot.scheduler import runner as R
from bot.scheduler.followup import FollowUp
from bot.services import Services
from bot.tickets.api import Actor, Consent, Intake, Kind, State

T0 = datetime(2026, 9, 21, 10, 0, tzinfo=LOCAL_TZ)       # a Monday
STAFF = Actor("staff", "telegram:201", "李姐")


@pytest.fixture
async def services(tmp_path, understanding):
    s = await Services.open(tmp_path / "db.sqlite3", clock=FakeClock(T0), understanding=understanding)
    yield s
    await s.close()


async def new_ticket(services: Services, user: str, kind: Kind = Kind.MEDIATION) -> int:
    ticket = await services.tickets.create(
        channel="telegram", user_id=user, kind=kind, intake=Intake(topic="wage", summary="工资没发"),
        consent=Consent("v1", services.clock.now()), actor=Actor("worker", f"telegram:{user}", "工友"),
    )
    return ticket.id


async def reminders(services: Services) -> list[tuple[int, str]]:
    rows = await services.db.conn.execute_fetchall(
        "SELECT ticket_id, json_extract(meta, '$.rule') FROM outbox WHERE json_extract(meta, '$.event') = 'reminder' "
        "ORDER BY id")
    return [(r[0], r[1]) for r in rows]


async def test_jobs_are_rebuilt_from_the_database_at_their_due_times(services):
    urgent = await new_ticket(services, "1", Kind.URGENT)
    normal = await new_ticket(services, "2")
    scheduler = R.FollowUpScheduler(FollowUp.from_services(services))
    await scheduler.start(paused=True)
    try:
        assert scheduler.ticket_jobs() == {urgent: T0 + timedelta(minutes=10), normal: T0 + timedelta(hours=4)}
        jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
        assert {R.SCAN_JOB, R.FULL_JOB, R.DIGEST_JOB} <= set(jobs)
        digest_at = jobs[R.DIGEST_JOB].next_run_time.astimezone(LOCAL_TZ)
        assert (digest_at.hour, digest_at.minute) == (9, 0)
        assert digest_at - datetime.now(LOCAL_TZ) <= timedelta(days=1)
        assert jobs[R.SCAN_JOB].trigger.interval == timedelta(minutes=1)

        # The urgent job fires at 10:10: one re-alert, and the job moves to 10:20.
        services.clock.set(T0 + timedelta(minutes=10))
        await scheduler._ticket(urgent)
        assert await reminders(services) == [(urgent, "urgent_unclaimed")]
        assert scheduler.ticket_jobs()[urgent] == T0 + timedelta(minutes=20)

        # Claimed at 10:12: the next scan sees the change; the job becomes the "no update" reminder,
        # 3 working days (27 working hours) later: Thursday 10:12.
        services.clock.set(T0 + timedelta(minutes=12))
        await services.tickets.claim(urgent, STAFF)
        await scheduler._scan()
        assert scheduler.ticket_jobs()[urgent] == T0 + timedelta(days=3, minutes=12)

        # The normal ticket is resolved: its job becomes the survey, a day later.
        await services.tickets.claim(normal, STAFF)
        services.clock.set(T0 + timedelta(minutes=30))
        await services.tickets.change_state(normal, STAFF, State.RESOLVED, amount_recovered=0.0)
        await scheduler._scan()
        assert scheduler.ticket_jobs()[normal] == T0 + timedelta(days=1, minutes=30)
        # A closed ticket has no job at all.
        await services.tickets.change_state(urgent, STAFF, State.CLOSED, reason="工人撤回")
        await scheduler._scan()
        assert urgent not in scheduler.ticket_jobs()
    finally:
        await scheduler.stop()
    assert not scheduler.scheduler.running


async def test_a_restart_after_downtime_sends_what_fell_due_once(services):
    urgent = await new_ticket(services, "1", Kind.URGENT)
    first = R.FollowUpScheduler(FollowUp.from_services(services))
    await first.start(paused=True)
    await first.stop()
    # Down from 10:00 to 10:47: at start only the latest re-alert goes out (not four at once) …
    services.clock.set(T0 + timedelta(minutes=47))
    second = R.FollowUpScheduler(FollowUp.from_services(services))
    result = await second.start(paused=True)
    await second.stop()
    assert [(a.rule, a.n) for a in result.sent] == [("urgent_unclaimed", 4)]
    # … and a second restart at the same moment sends nothing more.
    third = R.FollowUpScheduler(FollowUp.from_services(services))
    assert (await third.start(paused=True)).sent == []
    await third.stop()
    assert await reminders(services) == [(urgent, "urgent_unclaimed")]


async def test_install_hooks_start_and_stop_with_the_app(services):
    services.clock.set(datetime.now(LOCAL_TZ))        # the scheduler runs for real here: jobs in the real future
    t0 = services.clock.now()
    settings = load_settings(None, bot_token="123456:" + "a" * 35, staff_chat_id=-1001, sla_digest_time="off",
                             sla_urgent_realert_minutes=5)
    app = SimpleNamespace(services=services, settings=settings, on_startup=[], on_shutdown=[])
    urgent = await new_ticket(services, "1", Kind.URGENT)
    scheduler = R.install(app)
    assert scheduler.followup.rules.digest_at is None
    for hook in app.on_startup:
        await hook(app)
    try:
        assert scheduler.scheduler.running
        assert R.DIGEST_JOB not in {job.id for job in scheduler.scheduler.get_jobs()}
        assert scheduler.ticket_jobs() == {urgent: t0 + timedelta(minutes=5)}
    finally:
        for hook in app.on_shutdown:
            await hook(app)
    assert not scheduler.scheduler.running


async def test_a_bad_calendar_stops_install_before_anything_runs(services, tmp_path, data_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(data_path / "texts", data / "texts")
    (data / "calendar").mkdir()
    (data / "calendar" / "cn_workdays.yaml").write_text(
        "version: 1\ntimezone: Asia/Shanghai\nworking_hours: {start: '09:00', end: '18:00'}\n"
        "years:\n  2026:\n    source: x\n    holidays: []\n    workdays: [2026-09-21]\n", encoding="utf-8")
    services.data = data
    app = SimpleNamespace(services=services, settings=load_settings(None, bot_token="123456:" + "a" * 35,
                                                                    staff_chat_id=-1001),
                          on_startup=[], on_shutdown=[])
    from bot.scheduler.calendar import CalendarError

    with pytest.raises(CalendarError, match="2026-09-21 is not a weekend day"):
        R.install(app)
    assert app.on_startup == []

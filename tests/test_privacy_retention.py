"""Retention: personal data of tickets finished more than RETENTION_DAYS ago is purged daily,
idle conversations too; open cases never; counts stay. Time is a FakeClock, never the wall clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.clock import LOCAL_TZ, FakeClock
from bot.config import ConfigError, load_settings
from bot.dialogue.types import Incoming, UserRef
from bot.privacy.service import Privacy
from bot.scheduler import runner as R
from bot.scheduler.followup import FollowUp
from bot.services import Services
from bot.tickets.api import Actor, Consent, Intake, Kind, State
from bot.understand import Understanding

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=LOCAL_TZ)
STAFF = Actor("staff", "telegram:201", "李姐")
TOKEN = "123456:" + "a" * 35


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def services(tmp_path: Path, understanding: Understanding, clock: FakeClock):
    opened = await Services.open(tmp_path / "db.sqlite3", clock=clock, understanding=understanding)
    yield opened
    await opened.close()


async def new_ticket(services: Services, user: str) -> int:
    ticket = await services.tickets.create(
        channel="telegram", user_id=user, kind=Kind.MEDIATION, consent=Consent("intake.consent#x", services.clock.now()),
        intake=Intake(topic="wage", summary=f"工友{user}的工资被扣", phone=f"1390000{user:0>4}", employer="某站点",
                      amount=2000), actor=Actor("worker", f"telegram:{user}", f"工友{user}"))
    return ticket.id


async def finish(services: Services, ticket_id: int, state: State = State.RESOLVED) -> None:
    await services.tickets.claim(ticket_id, STAFF)
    if state is State.RESOLVED:
        await services.tickets.change_state(ticket_id, STAFF, State.MEDIATING)
        await services.tickets.change_state(ticket_id, STAFF, state, amount_recovered=800)
    elif state is State.TRANSFERRED:
        await services.tickets.change_state(ticket_id, STAFF, state, reason="调解不成", transfer_to="仲裁委")
    else:
        await services.tickets.change_state(ticket_id, STAFF, state, reason="工友撤回")


async def phone_of(services: Services, ticket_id: int) -> str:
    return (await services.tickets.get(ticket_id)).intake.phone


async def test_only_tickets_finished_longer_ago_than_the_period_are_purged(services, clock):
    old_resolved, old_closed, old_transferred = [await new_ticket(services, u) for u in ("1", "2", "3")]
    old_open = await new_ticket(services, "4")
    for ticket_id, state in ((old_resolved, State.RESOLVED), (old_closed, State.CLOSED),
                             (old_transferred, State.TRANSFERRED)):
        await finish(services, ticket_id, state)
    reopened = await new_ticket(services, "5")
    await finish(services, reopened, State.CLOSED)
    clock.advance(days=200)
    await services.tickets.reopen(reopened, STAFF, "工友又来了")
    await services.tickets.change_state(reopened, STAFF, State.CLOSED, reason="再次撤回")
    clock.advance(days=164)
    recent = await new_ticket(services, "6")
    await finish(services, recent)
    stats_before = await services.tickets.stats()

    clock.advance(hours=23)                   # 365 days minus one hour after the first three finished
    privacy = Privacy(services.db, services.texts, clock, retention_days=365)
    assert (await privacy.purge()).tickets == 0
    clock.advance(hours=2)
    result = await privacy.purge()
    assert result.tickets == 3 and result.cutoff == clock.now() - timedelta(days=365)
    for ticket_id in (old_resolved, old_closed, old_transferred):
        erased = await services.tickets.get(ticket_id)
        assert erased.user_id == "" and erased.intake.phone == "" and erased.intake.summary == ""
        events = await services.tickets.events(ticket_id)
        assert events[-1].type == "erased" and events[-1].actor.id == "retention"
    assert await phone_of(services, old_open) == "13900000004"     # an open case is never purged
    assert await phone_of(services, reopened) == "13900000005"     # its clock restarted when it closed again
    assert await phone_of(services, recent) == "13900000006"
    assert await services.tickets.stats() == stats_before
    assert (await privacy.purge()).tickets == 0                     # nothing twice


async def test_a_dry_run_counts_and_changes_nothing(services, clock):
    ticket_id = await new_ticket(services, "1")
    await finish(services, ticket_id)
    await services.dialogue.handle(Incoming(UserRef("telegram", "77"), button="m:complain"))
    clock.advance(days=400)
    privacy = Privacy(services.db, services.texts, clock, retention_days=365)
    dry = await privacy.purge(dry_run=True)
    assert (dry.tickets, dry.conversations, dry.dry_run) == (1, 1, True)
    assert await phone_of(services, ticket_id) == "13900000001"
    done = await privacy.purge()
    assert (done.tickets, done.conversations) == (1, 1)
    assert await phone_of(services, ticket_id) == ""


async def test_idle_conversations_are_deleted_whatever_offset_their_time_was_saved_with(services, clock):
    idle, active = UserRef("telegram", "71"), UserRef("telegram", "72")
    await services.dialogue.handle(Incoming(idle, button="m:complain"))          # saved as +08:00 (the clock's zone)
    clock.advance(days=30)
    await services.dialogue.handle(Incoming(active, button="m:complain"))
    # Idle for 365 days and 3 hours. As text, "…03-03T10:00+08:00" would sort after the cutoff
    # "…03-03T05:00+00:00" and survive; as instants it is before it.
    clock.set(T0 + timedelta(days=365, hours=3))
    result = await Privacy(services.db, services.texts, clock, retention_days=365).purge()
    assert result.conversations == 1
    async with services.db.transaction(write=False) as conn:
        keys = [r[0] for r in await conn.execute_fetchall("SELECT user_key FROM conversations")]
    assert keys == [active.key]


async def test_the_scheduler_purges_at_start_and_daily_at_half_past_three(services, clock):
    ticket_id = await new_ticket(services, "1")
    await finish(services, ticket_id)
    clock.advance(days=31)
    privacy = Privacy(services.db, services.texts, clock, retention_days=30)
    scheduler = R.FollowUpScheduler(FollowUp.from_services(services), retention=privacy.purge)
    await scheduler.start(paused=True)
    try:
        assert await phone_of(services, ticket_id) == ""               # caught up at start
        job = scheduler.scheduler.get_job(R.RETENTION_JOB)
        fire = job.trigger.get_next_fire_time(None, clock.now())
        assert (fire.hour, fire.minute, fire.second) == (3, 30, 5) and fire.tzinfo is not None
        second = await new_ticket(services, "2")
        await finish(services, second)
        clock.advance(days=31)
        await scheduler._retention()                                   # what APScheduler calls at 03:30
        assert await phone_of(services, second) == ""
    finally:
        await scheduler.stop()


async def test_install_reads_retention_days_from_the_settings(services, clock):
    clock.set(datetime.now(LOCAL_TZ))          # the scheduler runs for real here
    ticket_id = await new_ticket(services, "1")
    await finish(services, ticket_id)
    clock.advance(days=8)
    settings = load_settings(None, bot_token=TOKEN, staff_chat_id=-1001, sla_digest_time="off", retention_days=7)
    app = SimpleNamespace(services=services, settings=settings, on_startup=[], on_shutdown=[])
    scheduler = R.install(app)
    for hook in app.on_startup:
        await hook(app)
    try:
        assert R.RETENTION_JOB in {job.id for job in scheduler.scheduler.get_jobs()}
        assert await phone_of(services, ticket_id) == ""
    finally:
        for hook in app.on_shutdown:
            await hook(app)


def test_settings_names_defaults_and_bounds(monkeypatch):
    settings = load_settings(None, bot_token=TOKEN, staff_chat_id=-1001)
    assert (settings.retention_days, settings.throttle_per_minute, settings.max_text_chars) == (365, 20, 2000)
    monkeypatch.setenv("RETENTION_DAYS", "90")
    monkeypatch.setenv("THROTTLE_PER_MINUTE", "5")
    monkeypatch.setenv("MAX_TEXT_CHARS", "500")
    settings = load_settings(None, bot_token=TOKEN, staff_chat_id=-1001)
    assert (settings.retention_days, settings.throttle_per_minute, settings.max_text_chars) == (90, 5, 500)
    monkeypatch.setenv("RETENTION_DAYS", "0")
    with pytest.raises(ConfigError, match="RETENTION_DAYS"):
        load_settings(None, bot_token=TOKEN, staff_chat_id=-1001)


def test_gongyou_purge_dry_run_counts_then_purges(tmp_path, understanding, capsys):
    import asyncio

    from bot.cli import main

    path = tmp_path / "cli.sqlite3"

    async def old_case() -> int:
        svc = await Services.open(path, clock=FakeClock(datetime(2020, 1, 6, 10, 0, tzinfo=LOCAL_TZ)),
                                  understanding=understanding)
        try:
            ticket_id = await new_ticket(svc, "1")
            await finish(svc, ticket_id)
            return ticket_id
        finally:
            await svc.close()

    async def phone() -> str:
        svc = await Services.open(path, clock=FakeClock(), understanding=understanding)
        try:
            return await phone_of(svc, ticket_id)
        finally:
            await svc.close()

    ticket_id = asyncio.run(old_case())
    assert main(["purge", "--db", str(path), "--dry-run"]) == 0
    assert "would erase the personal data of 1 ticket(s)" in capsys.readouterr().out
    assert asyncio.run(phone()) == "13900000001"
    assert main(["purge", "--db", str(path)]) == 0
    assert "erased the personal data of 1 ticket(s)" in capsys.readouterr().out
    assert asyncio.run(phone()) == ""
    assert main(["purge", "--db", str(path), "--days", "0"]) == 2

"""The figures for union reports, and the pure helpers (priority, codes)."""

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.paths import data_dir
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.api import Actor, Intake, Kind, Priority, State
from bot.tickets.codes import format_code, local_day, normalize_code
from bot.tickets.priority import PriorityRules, compute_priority
from bot.tickets.service import TicketService

STAFF = Actor("staff", "telegram:9001", "王调解员")
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
async def setup(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    shutil.copy(data_dir() / "texts" / "tickets.yaml", folder / "tickets.yaml")
    clock = FakeClock(START)
    db = await Database.open(tmp_path / "g.db")
    yield TicketService(db, clock, Texts.load(folder)), clock
    await db.close()


async def create(service, topic="wage", user="1"):
    return await service.create(channel="telegram", user_id=user, kind=Kind.MEDIATION,
                                intake=Intake(topic=topic, summary="x"), consent=None,
                                actor=Actor("worker", f"telegram:{user}"))


async def test_empty_database(setup):
    service, _ = setup
    stats = await service.stats()
    assert (stats.total, stats.by_state, stats.amount_recovered) == (0, {}, 0)
    assert stats.median_first_response_s is None and stats.median_resolution_s is None


async def test_counts_medians_and_amount(setup):
    service, clock = setup
    a = await create(service, "wage")
    b = await create(service, "wage")
    c = await create(service, "injury")
    d = await create(service, "platform")
    clock.advance(minutes=10)
    await service.claim(a.id, STAFF)
    clock.advance(minutes=10)
    await service.reply(b.id, STAFF, "你好")                  # a reply is a first response too
    clock.advance(minutes=10)
    await service.claim(c.id, STAFF)
    await service.note(d.id, STAFF, "内部备注不算回应")
    # first responses: 10, 20, 30 minutes → median 20 min
    clock.set(START + timedelta(days=1))
    await service.change_state(a.id, STAFF, State.RESOLVED, amount_recovered=3000)
    clock.set(START + timedelta(days=3))
    await service.change_state(c.id, STAFF, State.RESOLVED, amount_recovered=12000.5)
    await service.change_state(d.id, STAFF, State.CLOSED, reason="重复")   # a close is a response, not a resolution
    stats = await service.stats()
    assert stats.total == 4
    assert stats.by_state == {"new": 1, "resolved": 2, "closed": 1}
    assert stats.by_topic == {"wage": 2, "injury": 1, "platform": 1}
    assert stats.amount_recovered == 15000.5
    assert stats.median_first_response_s == pytest.approx(timedelta(minutes=25).total_seconds())  # 10,20,30,3d→(20+30)/2
    assert stats.median_resolution_s == pytest.approx(timedelta(days=2).total_seconds())           # (1d + 3d) / 2
    assert stats.extra["open"] == 1 and stats.extra["by_priority"] == {"normal": 4}


async def test_reopen_takes_back_the_resolution(setup):
    service, clock = setup
    t = await create(service)
    await service.claim(t.id, STAFF)
    await service.change_state(t.id, STAFF, State.RESOLVED, amount_recovered=800)
    await service.reopen(t.id, STAFF, "只付了一部分")
    stats = await service.stats()
    assert stats.amount_recovered == 0 and stats.median_resolution_s is None
    clock.advance(days=1)
    await service.change_state(t.id, STAFF, State.RESOLVED, amount_recovered=1600)
    assert (await service.stats()).amount_recovered == 1600


async def test_since_filters_by_creation_time(setup):
    service, clock = setup
    await create(service, "wage")
    clock.advance(days=40)
    recent = await create(service, "hours")
    await service.claim(recent.id, STAFF)
    stats = await service.stats(since=clock.now() - timedelta(days=30))
    assert stats.total == 1 and stats.by_topic == {"hours": 1}
    assert stats.median_first_response_s == 0


@pytest.mark.parametrize(
    ("kind", "intake", "expected"),
    [
        (Kind.URGENT, Intake(), Priority.URGENT),
        (Kind.MEDIATION, Intake(headcount=10), Priority.HIGH),
        (Kind.MEDIATION, Intake(headcount=9), Priority.NORMAL),
        (Kind.CALLBACK, Intake(headcount=15), Priority.NORMAL),           # no dispute named
        (Kind.CALLBACK, Intake(topic="wage", headcount=15), Priority.HIGH),
        (Kind.MEDIATION, Intake(injury=True), Priority.HIGH),
        (Kind.MEDIATION, Intake(amount=10_000), Priority.HIGH),
        (Kind.MEDIATION, Intake(amount=9_999.99), Priority.NORMAL),
        (Kind.MEDIATION, Intake(headcount=50, amount=1e6), Priority.HIGH),  # urgent only if opened as urgent
    ],
)
def test_priority(kind, intake, expected):
    assert compute_priority(kind, intake) == expected


def test_priority_threshold_is_configurable():
    assert compute_priority(Kind.MEDIATION, Intake(amount=3000), PriorityRules(high_amount_yuan=2000)) == Priority.HIGH


def test_codes():
    assert local_day(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == "20270101"
    assert format_code("20261123", 7) == "GY-20261123-0007"
    assert format_code("20261123", 12345) == "GY-20261123-12345"
    assert normalize_code("gy20261123-7") == "GY-20261123-0007"
    assert normalize_code("GY-2026112-0007") == ""


async def test_monthly_counts_agree_with_a_full_recount(setup):
    """The trigger-kept monthly totals give the same figures as scanning every ticket, for any `since`."""
    from bot.tickets import stats as stats_mod

    service, clock = setup
    made = []
    for i in range(40):
        clock.set(START + timedelta(days=9 * i, hours=i))       # ~12 months, crossing month ends
        ticket = await create(service, topic=["wage", "injury", "hours"][i % 3], user=str(i))
        made.append(ticket)
        if i % 2:
            await service.claim(ticket.id, STAFF)
        if i % 4 == 1:
            clock.advance(days=2)
            await service.change_state(ticket.id, STAFF, State.RESOLVED, amount_recovered=100.5 * i)
        if i % 8 == 1:
            await service.reopen(ticket.id, STAFF, "again")
        if i % 10 == 0 or i % 4 == 3:
            await service.change_state(ticket.id, STAFF, State.CLOSED, reason="撤回")
    db = service.db
    probes = [None, START, START + timedelta(days=31), datetime(2027, 2, 1, tzinfo=UTC),
              datetime(2027, 2, 14, 13, 30, tzinfo=UTC), START + timedelta(days=500)]
    for since in probes:
        async with db.transaction(write=False) as conn:
            fast = await stats_mod.compute(conn, since)
            slow = await stats_mod.compute_from_tickets(conn, since)
        assert fast == slow, since
    assert (await service.stats()).total == 40


async def test_counts_survive_an_upgrade_from_version_3(tmp_path, monkeypatch):
    import bot.storage.db as dbmod
    from bot.storage.migrations import MIGRATIONS
    from bot.tickets import stats as stats_mod

    path = tmp_path / "old.db"
    monkeypatch.setattr(dbmod, "MIGRATIONS", MIGRATIONS[:3])
    db = await Database.open(path)
    async with db.transaction() as conn:
        for i, (state, recovered, first) in enumerate([("new", None, None), ("resolved", 800.0, 60.0),
                                                       ("resolved", 200.0, 120.0), ("closed", None, 30.0)]):
            await conn.execute(
                "INSERT INTO tickets (code, channel, user_id, kind, state, priority, priority_rank, topic, "
                "created_at, updated_at, first_response_s, resolution_s, amount_recovered) "
                "VALUES (?, 'console', 'u', 'mediation', ?, 'normal', 2, 'wage', ?, ?, ?, ?, ?)",
                (f"GY-20261123-000{i}", state, f"2026-1{i % 2}-05T00:00:00.000000+00:00",
                 "2026-11-05T00:00:00.000000+00:00", first, 86400.0 if recovered else None, recovered),
            )
    await db.close()
    monkeypatch.undo()
    db = await Database.open(path)
    try:
        async with db.transaction(write=False) as conn:
            fast = await stats_mod.compute(conn, None)
            assert fast == await stats_mod.compute_from_tickets(conn, None)
        assert (fast.total, fast.amount_recovered, fast.by_state) == (4, 1000.0, {"new": 1, "resolved": 2, "closed": 1})
    finally:
        await db.close()

"""Access at the service level: every staff action by a worker (or by no one), and every worker
action on someone else's ticket, is refused with AccessError — and the database is byte-for-byte
what it was (tickets, events, outbox, counts). One test per action."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.privacy.service import Privacy
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.api import AccessError, Actor, Intake, Kind, State
from bot.tickets.service import TicketService

OWNER = Actor("worker", "telegram:4001", "小周")
INTRUDER = Actor("worker", "telegram:4002", "老吴")
STAFF = Actor("staff", "telegram:9001", "李姐")


@pytest.fixture(scope="module")
def texts(data_path: Path) -> Texts:
    return Texts.load(data_path / "texts")


@pytest.fixture
async def world(tmp_path: Path, texts: Texts):
    db = await Database.open(tmp_path / "access.sqlite3")
    tickets = TicketService(db, FakeClock(), texts)
    mine = await tickets.create(channel="telegram", user_id="4001", kind=Kind.MEDIATION, consent=None, actor=OWNER,
                                intake=Intake(topic="wage", summary="欠薪两个月", phone="13811112222"))
    closed = await tickets.create(channel="telegram", user_id="4001", kind=Kind.CALLBACK, consent=None, actor=OWNER,
                                  intake=Intake(topic="hours", summary="加班不给钱"))
    await tickets.claim(closed.id, STAFF)
    await tickets.change_state(closed.id, STAFF, State.CLOSED, reason="工友撤回")
    yield tickets, mine.id, closed.id
    await db.close()


async def snapshot(tickets: TicketService) -> dict[str, list[tuple]]:
    async with tickets.db.transaction(write=False) as conn:
        return {table: [tuple(r) for r in await conn.execute_fetchall(f"SELECT * FROM {table} ORDER BY 1")]
                for table in ("tickets", "events", "outbox", "ticket_counts", "conversations")}


def staff_actions(tickets: TicketService, mine: int, closed: int):
    return {
        "claim": lambda who: tickets.claim(mine, who),
        "assign": lambda who: tickets.assign(mine, who, who.id),
        "note": lambda who: tickets.note(mine, who, "我自己加个备注"),
        "reply": lambda who: tickets.reply(mine, who, "冒充调解员回复"),
        "mediating": lambda who: tickets.change_state(mine, who, State.MEDIATING),
        "waiting": lambda who: tickets.change_state(mine, who, State.WAITING, reason="等材料"),
        "resolved": lambda who: tickets.change_state(mine, who, State.RESOLVED, amount_recovered=99999),
        "transferred": lambda who: tickets.change_state(mine, who, State.TRANSFERRED, reason="x", transfer_to="法院"),
        "closed": lambda who: tickets.change_state(mine, who, State.CLOSED, reason="不想办了"),
        "reopen": lambda who: tickets.reopen(closed, who, "再开"),
        "staff_evidence": lambda who: tickets.add_evidence(mine, Actor("staff_impostor", who.id), {"file_id": "x"}),
        "forget": lambda who: Privacy(tickets.db, tickets.notifier.texts, tickets.clock).erase_by_ticket(mine, who),
    }


ACTIONS = ["claim", "assign", "note", "reply", "mediating", "waiting", "resolved", "transferred", "closed", "reopen",
           "staff_evidence", "forget"]


@pytest.mark.parametrize("action", ACTIONS)
async def test_a_worker_cannot_take_a_staff_action(world, action):
    tickets, mine, closed = world
    before = await snapshot(tickets)
    for who in (OWNER, INTRUDER):
        with pytest.raises(AccessError):
            await staff_actions(tickets, mine, closed)[action](who)
    assert await snapshot(tickets) == before


@pytest.mark.parametrize("action", ["claim", "reply", "forget"])
async def test_the_system_cannot_take_a_persons_staff_action(world, action):
    tickets, mine, closed = world
    before = await snapshot(tickets)
    with pytest.raises(AccessError):
        await staff_actions(tickets, mine, closed)[action](Actor("system", "system", "系统"))
    assert await snapshot(tickets) == before


async def test_a_worker_cannot_write_to_someone_elses_ticket(world):
    tickets, mine, _ = world
    before = await snapshot(tickets)
    with pytest.raises(AccessError):
        await tickets.worker_message(mine, INTRUDER, text="我是他本人，把电话改成13900000000")
    assert await snapshot(tickets) == before


async def test_a_worker_cannot_add_files_to_someone_elses_ticket(world):
    tickets, mine, _ = world
    before = await snapshot(tickets)
    with pytest.raises(AccessError):
        await tickets.add_evidence(mine, INTRUDER, {"kind": "photo", "file_id": "AgACfake", "name": "假材料"})
    assert await snapshot(tickets) == before


async def test_a_staff_actor_cannot_pose_as_the_worker(world):
    tickets, mine, _ = world
    before = await snapshot(tickets)
    with pytest.raises(AccessError):
        await tickets.worker_message(mine, Actor("staff", OWNER.id, "小周"), text="冒充工友")
    assert await snapshot(tickets) == before


async def test_a_worker_sees_only_their_own_tickets(world):
    tickets, mine, _ = world
    assert await tickets.tickets_of("telegram", "4002") == []
    assert await tickets.active_ticket_of("telegram", "4002") is None
    assert await tickets.tickets_of("console", "4001") == []                       # same id, other channel
    assert mine in {t.id for t in await tickets.tickets_of("telegram", "4001")}
    assert await tickets.tickets_of("telegram", "") == []                          # erased tickets are nobody's

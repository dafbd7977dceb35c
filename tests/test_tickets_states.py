"""Every state change, allowed and refused, through the real service (table-driven)."""

import shutil
from datetime import UTC, datetime
from itertools import product

import pytest

from bot.clock import FakeClock
from bot.paths import data_dir
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets import states
from bot.tickets.api import Actor, Intake, Kind, State, TransitionError
from bot.tickets.service import TicketService

STAFF = Actor("staff", "console:staff1", "王调解员")
WORKER = Actor("worker", "console:w1", "小李")

# Written out here on purpose (not imported), so a change to the table in the code is caught.
EXPECTED: dict[str, set[str]] = {
    "new": {"assigned", "closed", "transferred"},
    "assigned": {"mediating", "waiting", "resolved", "transferred", "closed"},
    "mediating": {"waiting", "resolved", "transferred", "closed"},
    "waiting": {"mediating", "resolved", "transferred", "closed"},
    "resolved": set(),
    "transferred": set(),
    "closed": set(),
}
REOPENABLE = {"resolved", "transferred", "closed"}

# How to bring a fresh ticket into each state.
PATHS: dict[str, list[tuple[str, dict]]] = {
    "new": [],
    "assigned": [("assigned", {})],
    "mediating": [("assigned", {}), ("mediating", {})],
    "waiting": [("assigned", {}), ("waiting", {})],
    "resolved": [("assigned", {}), ("resolved", {"amount_recovered": 0})],
    "transferred": [("transferred", {"reason": "需要仲裁", "transfer_to": "劳动仲裁委"})],
    "closed": [("closed", {"reason": "工人撤回"})],
}


def arguments_for(target: str) -> dict:
    """What a careful staff member gives for each target, so only the state machine can refuse."""
    return {
        "closed": {"reason": "联系不上"},
        "transferred": {"reason": "需要起诉", "transfer_to": "法律援助中心"},
        "resolved": {"amount_recovered": 1200},
    }.get(target, {})


@pytest.fixture
async def service(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    shutil.copy(data_dir() / "texts" / "tickets.yaml", folder / "tickets.yaml")
    db = await Database.open(tmp_path / "g.db")
    yield TicketService(db, FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)), Texts.load(folder))
    await db.close()


async def ticket_in(service: TicketService, state: str):
    ticket = await service.create(channel="console", user_id="w1", kind=Kind.MEDIATION,
                                  intake=Intake(topic="wage", summary="欠薪"), consent=None, actor=WORKER)
    for target, kwargs in PATHS[state]:
        await service.change_state(ticket.id, STAFF, State(target), **kwargs)
    current = await service.get(ticket.id)
    assert current.state == state
    return current


async def pending_count(service: TicketService) -> int:
    return len(await service.outbox_pending(limit=1000))


async def drain(service: TicketService) -> None:
    while batch := await service.outbox_pending(limit=1000):   # one per recipient at a time: loop
        for message in batch:
            await service.outbox_mark_sent(message.id)


def test_expected_table_matches_the_code():
    assert {s.value: {t.value for t in targets} for s, targets in states.ALLOWED.items()} == EXPECTED


@pytest.mark.parametrize(("current", "target"), list(product(EXPECTED, EXPECTED)))
async def test_change_state(service, current, target):
    ticket = await ticket_in(service, current)
    await drain(service)
    events_before = len(await service.events(ticket.id))
    if target in EXPECTED[current]:
        changed = await service.change_state(ticket.id, STAFF, State(target), **arguments_for(target))
        assert changed.state == target
        assert len(await service.events(ticket.id)) == events_before + 1
        told = await service.outbox_pending()
        assert [m.recipient for m in told] == ["w1"]          # the worker is told, in words
        assert ticket.code in told[0].text
    else:
        with pytest.raises(TransitionError) as refused:
            await service.change_state(ticket.id, STAFF, State(target), **arguments_for(target))
        message = str(refused.value)
        assert ticket.code in message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and "(" in message   # Chinese + English
        assert (await service.get(ticket.id)).state == current
        assert len(await service.events(ticket.id)) == events_before
        assert await pending_count(service) == 0


@pytest.mark.parametrize("current", list(EXPECTED))
async def test_reopen(service, current):
    ticket = await ticket_in(service, current)
    await drain(service)
    if current in REOPENABLE:
        reopened = await service.reopen(ticket.id, STAFF, "工人说还没拿到钱")
        assert reopened.state == ("assigned" if ticket.assignee else "new")
        assert {m.channel for m in await service.outbox_pending()} == {"console", "staff"}
    else:
        with pytest.raises(TransitionError, match="不需要重新打开"):
            await service.reopen(ticket.id, STAFF, "x")
        assert (await service.get(ticket.id)).state == current


@pytest.mark.parametrize("current", list(EXPECTED))
async def test_claim_in_every_state(service, current):
    ticket = await ticket_in(service, current)
    other = Actor("staff", "console:staff2", "陈调解员")
    if current == "new":
        assert (await service.claim(ticket.id, other)).assignee == other.id
    elif current in REOPENABLE:
        with pytest.raises(TransitionError, match="重新打开"):
            await service.claim(ticket.id, other)
    else:
        with pytest.raises(TransitionError, match="已由王调解员接单"):
            await service.claim(ticket.id, other)
        assert (await service.claim(ticket.id, STAFF)).state == current     # holder: no-op


@pytest.mark.parametrize("current", list(EXPECTED))
async def test_worker_message_in_every_state(service, current):
    ticket = await ticket_in(service, current)
    await service.worker_message(ticket.id, WORKER, text="有进展吗")
    expected = "mediating" if current == "waiting" else current
    assert (await service.get(ticket.id)).state == expected


def test_unknown_state_string_is_refused_plainly():
    with pytest.raises(ValueError):
        State("archived")


async def test_change_state_to_unknown_state_is_a_transition_error(service):
    ticket = await ticket_in(service, "new")
    with pytest.raises(TransitionError, match="archived"):
        await service.change_state(ticket.id, STAFF, "archived")

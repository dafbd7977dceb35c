"""Random walks of staff and worker actions: the ticket row always agrees with its event log."""

import asyncio
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.paths import data_dir
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.api import Actor, Intake, Kind, State, TransitionError
from bot.tickets.service import TicketService

STAFF = [Actor("staff", "console:s1", "甲"), Actor("staff", "console:s2", "乙")]
WORKER = Actor("worker", "console:w", "工友")

# From each state, the moves a staff member would plausibly try (allowed ones more often).
LIKELY = {
    "new": [("claim", 0), ("claim", 1), ("state", "closed"), ("state", "transferred"), ("reply", 0)],
    "assigned": [("state", "mediating"), ("state", "waiting"), ("state", "resolved"), ("claim", 1), ("worker", 0)],
    "mediating": [("state", "waiting"), ("state", "resolved"), ("state", "closed"), ("reply", 1), ("worker", 0)],
    "waiting": [("worker", 0), ("state", "mediating"), ("state", "resolved"), ("state", "transferred")],
    "resolved": [("reopen", 0), ("worker", 0), ("claim", 0)],
    "transferred": [("reopen", 0), ("reply", 0)],
    "closed": [("reopen", 0), ("worker", 0)],
}
ANY_MOVE = st.one_of(
    st.tuples(st.just("claim"), st.integers(0, 1)),
    st.tuples(st.just("state"), st.sampled_from([s.value for s in State])),
    st.tuples(st.just("reopen"), st.just(0)),
    st.tuples(st.just("worker"), st.just(0)),
    st.tuples(st.just("reply"), st.integers(0, 1)),
)
ARGS = {"closed": {"reason": "r"}, "transferred": {"reason": "r", "transfer_to": "仲裁委"},
        "resolved": {"amount_recovered": 100}}


async def walk(folder: Path, data: st.DataObject, length: int) -> None:
    db = await Database.open(folder / "walk.db")
    try:
        clock = FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
        service = TicketService(db, clock, Texts.load(folder / "texts"))
        ticket = await service.create(channel="console", user_id="w", kind=Kind.MEDIATION,
                                      intake=Intake(topic="wage", summary="x"), consent=None, actor=WORKER)
        expected_events = 1
        for _ in range(length):
            clock.advance(minutes=7)
            before = await service.get(ticket.id)
            op, arg = data.draw(st.one_of(st.sampled_from(LIKELY[before.state]), ANY_MOVE))
            try:
                if op == "claim":
                    await service.claim(ticket.id, STAFF[arg])
                elif op == "state":
                    await service.change_state(ticket.id, STAFF[0], State(arg), **ARGS.get(arg, {}))
                elif op == "reopen":
                    await service.reopen(ticket.id, STAFF[0], "again")
                elif op == "worker":
                    await service.worker_message(ticket.id, WORKER, text="还在吗")
                else:
                    await service.reply(ticket.id, STAFF[arg], "在的")
            except TransitionError:
                after = await service.get(ticket.id)
                assert (after.state, after.assignee, after.updated_at) == (before.state, before.assignee, before.updated_at)
                continue
            after = await service.get(ticket.id)
            if op == "claim" and before.assignee == STAFF[arg].id:
                assert after == before                     # idempotent: nothing written
                continue
            expected_events += 2 if (op == "worker" and before.state == "waiting") else 1
            if after.state in ("assigned", "mediating", "waiting"):
                assert after.assignee                      # only `new` may have no one on it
            assert (after.amount_recovered is not None) == (after.state == "resolved")
            assert (after.resolved_at is not None) == (after.state == "resolved")
        events = await service.events(ticket.id)
        assert len(events) == expected_events
        final = await service.get(ticket.id)
        states_seen = [e.data["to"] for e in events if "to" in e.data]
        assert (states_seen[-1] if states_seen else "new") == final.state   # the log explains the row
        staff_acted = any(e.actor.role == "staff" and e.type != "note" for e in events)
        assert (final.first_response_at is not None) == staff_acted
    finally:
        await db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(0, 25))
def test_random_walks_keep_row_and_log_consistent(data, length):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "texts").mkdir()
        shutil.copy(data_dir() / "texts" / "tickets.yaml", folder / "texts" / "tickets.yaml")
        asyncio.run(walk(folder, data, length))

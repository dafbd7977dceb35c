"""Follow-up scheduler figures: how long a tick takes with many open tickets.

    .venv/bin/python benchmarks/scheduler_bench.py [--open 2000] [--events 12]

Fills a temporary database (bulk SQL) with `--open` open tickets (a mix of new, assigned,
mediating and waiting, each with about `--events` events) plus as many resolved ones awaiting
their survey, then times through the real code:
- the full tick (load every ticket with a running clock and its events, plan, write what is due)
  — run at start and hourly;
- a second full tick when everything due was already written (the steady state);
- the one-minute scan when nothing changed; one ticket's job; the digest.
The first tick writes every overdue reminder at once, so its time includes those writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FakeClock
from bot.paths import data_dir
from bot.scheduler.calendar import WorkCalendar
from bot.scheduler.followup import FollowUp
from bot.scheduler.rules import SlaRules
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.codes import format_code
from bot.tickets.priority import RANK
from bot.tickets.service import TicketService
from bot.tickets.timefmt import to_db

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)        # Monday 11:00 in Shanghai


async def fill(db: Database, n_open: int, n_events: int, rng: random.Random) -> None:
    tickets, events = [], []
    total = n_open * 2
    for i in range(1, total + 1):
        created = NOW - timedelta(minutes=rng.randint(5, 60 * 24 * 20))
        if i <= n_open:
            state = rng.choice(["new", "assigned", "mediating", "mediating", "waiting"])
        else:
            state = "resolved"
        priority = rng.choices(["urgent", "high", "normal"], [5, 25, 70])[0]
        assignee = None if state == "new" else "telegram:201"
        resolved_at = to_db(NOW - timedelta(hours=rng.randint(1, 30))) if state == "resolved" else None
        tickets.append((i, format_code(created.strftime("%Y%m%d"), i), "telegram", str(10_000 + i), "mediation", state, priority,
                        RANK[priority], "wage", to_db(created), to_db(created), assignee, resolved_at))
        history = [("created", "worker", {"to": "new"})]
        if state != "new":
            history.append(("assigned", "staff", {"from": "new", "to": "assigned", "assignee": assignee}))
        for _ in range(max(0, n_events - 3)):
            history.append(rng.choice([("note", "staff", {}), ("worker_message", "worker", {}),
                                       ("staff_reply", "staff", {})]))
        if state in ("mediating", "waiting", "resolved"):
            history.append(("state", "staff", {"from": "assigned", "to": "mediating"}))
        if state in ("waiting", "resolved"):
            history.append(("state", "staff", {"from": "mediating", "to": state}))
        step = (NOW - created) / (len(history) + 1)
        for k, (type_, role, data) in enumerate(history):
            events.append((i, to_db(created + step * k), role, f"telegram:{role}", type_, json.dumps(data)))
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO tickets (id, code, channel, user_id, kind, state, priority, priority_rank, topic, created_at, "
            "updated_at, assignee, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tickets)
        await conn.executemany(
            "INSERT INTO events (ticket_id, at, actor_role, actor_id, type, data) VALUES (?, ?, ?, ?, ?, ?)", events)


async def timed(label: str, coro) -> object:
    start = time.perf_counter()
    result = await coro
    print(f"{label:<58} {1000 * (time.perf_counter() - start):9.1f} ms")
    return result


async def longest_stall(coro) -> tuple[object, float]:
    """Run `coro` while a heartbeat measures the longest time the event loop was held (what other handlers wait)."""
    worst = 0.0
    done = False

    async def beat() -> None:
        nonlocal worst
        while not done:
            before = time.perf_counter()
            await asyncio.sleep(0)
            worst = max(worst, time.perf_counter() - before)

    task = asyncio.create_task(beat())
    try:
        return await coro, worst
    finally:
        done = True
        await task


async def main(n_open: int, n_events: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="gongyou-sched-bench-"))
    try:
        db = await Database.open(folder / "bench.sqlite3")
        clock = FakeClock(NOW)
        texts = Texts.load(data_dir() / "texts")
        tickets = TicketService(db, clock, texts)
        calendar = WorkCalendar.load(data_dir() / "calendar" / "cn_workdays.yaml")
        follow = FollowUp(db, tickets, texts, calendar, SlaRules(), clock)
        await fill(db, n_open, n_events, random.Random(7))
        print(f"{n_open} open + {n_open} resolved tickets, ~{n_events} events each")
        first = await timed("full tick, first (writes every overdue reminder)", follow.tick())
        print(f"{'  reminders written':<58} {len(first.sent):9d}")
        await timed("full tick, steady state (nothing new due)", follow.tick())
        _, stall = await longest_stall(follow.tick())
        print(f"{'  longest event-loop stall during a full tick':<58} {1000 * stall:9.1f} ms")
        await timed("scan of changes, nothing changed", follow.tick(changed_since=NOW - timedelta(minutes=6), digest=False))
        await timed("one ticket's job", follow.tick(ticket_ids=[1], digest=False))
        clock.set(NOW + timedelta(days=1) - timedelta(hours=2))           # 09:00 next day local
        await timed("digest (plans every open ticket + yesterday's figures)", follow.send_digest())
        await db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=2000)
    parser.add_argument("--events", type=int, default=12)
    args = parser.parse_args()
    asyncio.run(main(args.open, args.events))

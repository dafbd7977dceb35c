"""Ticket service figures: intake throughput with concurrent conversations, and query times at scale.

    .venv/bin/python benchmarks/ticket_bench.py [--conversations 50] [--creates 3000] [--tickets 100000]

1. `--conversations` coroutines each open tickets through `TicketService.create` (one transaction
   each: code, row, event, two outbox messages) until `--creates` tickets exist → tickets/s.
2. The database is filled up to `--tickets` tickets with realistic history (bulk SQL: 85 % finished,
   events and sent outbox rows), then the staff queue, stats and other reads are timed through the
   service. Targets: ≥ 300 tickets/s; queue and stats < 50 ms at 100 000 tickets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import SystemClock
from bot.paths import data_dir
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.api import Actor, Intake, Kind
from bot.tickets.codes import format_code
from bot.tickets.priority import RANK
from bot.tickets.service import TicketService
from bot.tickets.timefmt import to_db

TOPICS = ["wage", "injury", "insurance", "social_insurance", "contract", "dismissal", "hours", "platform",
          "union", "process", "none"]
TOPIC_WEIGHTS = [30, 12, 6, 8, 10, 10, 6, 12, 2, 3, 1]


def load_texts(folder: Path) -> Texts:
    """Only the ticket texts: the benchmark must not depend on other teams' files."""
    folder.mkdir(exist_ok=True)
    (folder / "tickets.yaml").write_text((data_dir() / "texts" / "tickets.yaml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    return Texts.load(folder)


async def intake_throughput(service: TicketService, conversations: int, creates: int) -> float:
    remaining = creates

    async def conversation(n: int) -> None:
        nonlocal remaining
        rnd = random.Random(n)
        while remaining > 0:
            remaining -= 1
            user = str(100_000 + n)
            await service.create(
                channel="telegram", user_id=user, kind=Kind.MEDIATION,
                intake=Intake(topic=rnd.choices(TOPICS, TOPIC_WEIGHTS)[0], summary="站点拖欠工资两个月，站长不接电话",
                              amount=rnd.choice([None, 1500, 4800, 12_000]), headcount=rnd.choice([None, 1, 3, 12]),
                              phone="13800000000", platform="美团"),
                consent=None, actor=Actor("worker", f"telegram:{user}", "工友"),
            )

    started = time.perf_counter()
    await asyncio.gather(*(conversation(n) for n in range(conversations)))
    return creates / (time.perf_counter() - started)


async def fill(db: Database, target: int, now: datetime) -> None:
    """Bulk-insert tickets (with events and sent outbox rows) until the table holds `target` tickets."""
    have = (await (await db.conn.execute("SELECT count(*) FROM tickets")).fetchone())[0]
    rnd = random.Random(42)
    batch = 5000
    next_id = have
    while next_id < target:
        tickets, events, messages = [], [], []
        for _ in range(min(batch, target - next_id)):
            next_id += 1
            created = now - timedelta(days=rnd.uniform(0, 730))
            day = created.strftime("%Y%m%d")
            code = format_code(day, 10_000 + next_id)          # cannot clash with the live per-day counters
            roll = rnd.random()
            state = ("resolved" if roll < 0.55 else "closed" if roll < 0.75 else "transferred" if roll < 0.85
                     else rnd.choice(["new", "assigned", "mediating", "waiting"]))
            priority = rnd.choices(["urgent", "high", "normal"], [2, 18, 80])[0]
            first_s = None if state == "new" else rnd.expovariate(1 / 5400)
            resolution_s = rnd.uniform(2, 15) * 86400 if state == "resolved" else None
            final_at = created + timedelta(days=rnd.uniform(1, 20)) if state in ("resolved", "closed", "transferred") \
                else None
            recovered = rnd.choice([0, 800, 2500, 6000, 15000]) if state == "resolved" else None
            pii = json.dumps({"name": "工友", "summary": "拖欠工资" * 8, "phone": "13800000000", "evidence": []},
                             ensure_ascii=False)
            tickets.append((
                next_id, code, "telegram", str(rnd.randrange(10**6, 10**7)), "mediation", state, priority,
                RANK[priority], rnd.choices(TOPICS, TOPIC_WEIGHTS)[0], "美团", "深圳", rnd.choice([None, 3000.0]),
                None, 0, pii, None if state == "new" else "telegram:9001", to_db(created), to_db(created),
                None if first_s is None else to_db(created + timedelta(seconds=first_s)), first_s,
                None if resolution_s is None else to_db(created + timedelta(seconds=resolution_s)), resolution_s,
                None if final_at is None else to_db(final_at), recovered,
            ))
            for kind in ("created", "assigned", "state"):
                events.append((next_id, to_db(created), "staff", "telegram:9001", kind, "", "{}"))
            for channel in ("telegram", "staff"):
                messages.append((channel, "", "已登记", next_id, "notify", to_db(created), to_db(created),
                                 to_db(created)))
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO tickets (id, code, channel, user_id, kind, state, priority, priority_rank, topic, "
                "platform, city, amount, headcount, injury, pii, assignee, created_at, updated_at, "
                "first_response_at, first_response_s, resolved_at, resolution_s, final_at, amount_recovered) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tickets,
            )
            await conn.executemany(
                "INSERT INTO events (ticket_id, at, actor_role, actor_id, type, note, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                events,
            )
            await conn.executemany(
                "INSERT INTO outbox (channel, recipient, text, ticket_id, kind, created_at, due_at, sent_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                messages,
            )
    await db.conn.execute("PRAGMA optimize")
    await db.conn.execute("ANALYZE")


async def timed(label: str, make_call, runs: int = 30) -> float:
    await make_call()                                   # warm the page cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await make_call()
        samples.append((time.perf_counter() - started) * 1000)
    median, worst = statistics.median(samples), max(samples)
    print(f"  {label:<38} median {median:7.2f} ms   max {worst:7.2f} ms")
    return median


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--creates", type=int, default=3000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None,
                        help="database file to use and keep (default: a temporary one, deleted at the end)")
    args = parser.parse_args()

    scratch = None if args.db else Path(tempfile.mkdtemp(prefix="gy-bench-"))
    path = args.db or scratch / "bench.db"
    db = await Database.open(path)
    service = TicketService(db, SystemClock(), load_texts(path.parent / "bench-texts"))
    try:
        print(f"database: {path}")
        rate = await intake_throughput(service, args.conversations, args.creates)
        print(f"intake: {args.creates} tickets with {args.conversations} concurrent conversations: "
              f"{rate:,.0f} tickets/s  (target ≥ 300)")

        started = time.perf_counter()
        await fill(db, args.tickets, datetime.now(UTC))
        counts = {t: (await (await db.conn.execute(f"SELECT count(*) FROM {t}")).fetchone())[0]
                  for t in ("tickets", "events", "outbox")}
        print(f"filled to {counts['tickets']:,} tickets, {counts['events']:,} events, {counts['outbox']:,} outbox rows "
              f"in {time.perf_counter() - started:.1f} s; file {path.stat().st_size / 1e6:.0f} MB")

        print(f"query times at {counts['tickets']:,} tickets (through TicketService, {30} runs each):")
        month_ago = datetime.now(UTC) - timedelta(days=30)
        year_ago = datetime.now(UTC) - timedelta(days=365)
        queue_ms = await timed("queue(limit=50)", lambda: service.queue(limit=50))
        await timed("queue(assignee=…, limit=50)", lambda: service.queue(limit=50, assignee="telegram:9001"))
        stats_ms = await timed("stats()", service.stats)
        since_ms = await timed("stats(since=30 days ago)", lambda: service.stats(since=month_ago))
        year_ms = await timed("stats(since=365 days ago)", lambda: service.stats(since=year_ago))
        await timed("outbox_pending(limit=100)", lambda: service.outbox_pending(limit=100))
        await timed("active_ticket_of(worker)", lambda: service.active_ticket_of("telegram", "100007"))
        await timed("by_code", lambda: service.by_code("GY-20261123-0001"))
        await timed("open_clocks() (all open tickets, SLA)", service.open_clocks, runs=5)
        stats = await service.stats()
        print(f"stats check: total {stats.total:,}, open {stats.extra['open']:,}, median first response "
              f"{(stats.median_first_response_s or 0) / 60:.0f} min, median resolution "
              f"{(stats.median_resolution_s or 0) / 86400:.1f} days, recovered {stats.amount_recovered:,.0f} yuan")
        worst = max(queue_ms, stats_ms, since_ms, year_ms)
        verdict = "OK" if rate >= 300 and worst < 50 else "BELOW TARGET"
        print(f"summary: {rate:,.0f} tickets/s; queue {queue_ms:.1f} ms; stats {stats_ms:.1f} ms "
              f"(since 30 d {since_ms:.1f} ms, 365 d {year_ms:.1f} ms) → {verdict}")
        return 0 if verdict == "OK" else 1
    finally:
        await db.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

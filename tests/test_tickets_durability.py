"""Concurrency, restarts and the append-only log, on a real database file."""

import asyncio
import re
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.paths import REPO_ROOT, data_dir
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.api import Actor, Intake, Kind, State
from bot.tickets.outbox import Outgoing
from bot.tickets.service import TicketService

STAFF = Actor("staff", "telegram:9001", "王调解员")


@pytest.fixture
def texts(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    shutil.copy(data_dir() / "texts" / "tickets.yaml", folder / "tickets.yaml")
    return Texts.load(folder)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))


async def create(service: TicketService, user: str, **intake):
    return await service.create(
        channel="telegram", user_id=user, kind=Kind.MEDIATION,
        intake=Intake(topic=intake.pop("topic", "wage"), summary="欠薪", **intake), consent=None,
        actor=Actor("worker", f"telegram:{user}", f"工友{user}"),
    )


async def test_100_concurrent_intakes_give_100_tickets_with_unique_codes(tmp_path, clock, texts):
    db = await Database.open(tmp_path / "g.db")
    try:
        service = TicketService(db, clock, texts)
        tickets = await asyncio.gather(*(create(service, str(1000 + i)) for i in range(100)))
        codes = [t.code for t in tickets]
        assert len(set(codes)) == 100
        assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 101))
        rows = await db.conn.execute_fetchall("SELECT count(*), count(DISTINCT code) FROM tickets")
        assert tuple(rows[0]) == (100, 100)
        events = await db.conn.execute_fetchall("SELECT count(*) FROM events WHERE type = 'created'")
        assert events[0][0] == 100
    finally:
        await db.close()


async def test_outbox_survives_a_restart_nothing_lost_nothing_repeated(tmp_path, clock, texts):
    path = tmp_path / "g.db"
    db = await Database.open(path)
    service = TicketService(db, clock, texts)
    first = await create(service, "1")
    await create(service, "2")
    await service.claim(first.id, STAFF)
    pending = await service.outbox_pending(limit=100)
    # worker 1: created; worker 2: created; staff: alert for ticket 1 (older ones hold back the rest)
    assert [(m.channel, m.recipient) for m in pending] == [("telegram", "1"), ("staff", ""), ("telegram", "2")]
    sent, failed = pending[0], pending[2]
    await service.outbox_mark_sent(sent.id, meta={"message_id": 55})
    await service.outbox_mark_failed(failed.id, "TelegramRetryAfter: 30", retry_at=clock.now() + timedelta(seconds=30))
    await db.close()                    # the process stops here (a crash between sends is the same)

    db = await Database.open(path)
    try:
        service = TicketService(db, clock, texts)
        after = await service.outbox_pending(limit=100)
        # worker 1's claim message, the staff alert; worker 2's message waits for its retry time
        assert [m.id for m in after] == sorted(m.id for m in after)
        assert sent.id not in [m.id for m in after]
        assert failed.id not in [m.id for m in after]
        assert {(m.channel, m.recipient) for m in after} == {("telegram", "1"), ("staff", "")}
        clock.advance(seconds=31)
        retried = [m for m in await service.outbox_pending(limit=100) if m.id == failed.id]
        assert len(retried) == 1 and retried[0].attempts == 1 and retried[0].text == failed.text
        # idempotent marking: a double "sent" changes nothing, and a sent message never comes back
        await service.outbox_mark_sent(failed.id)
        await service.outbox_mark_sent(failed.id)
        total = 0
        while batch := await service.outbox_pending(limit=100):
            for message in batch:
                await service.outbox_mark_sent(message.id)
            total += len(batch)
        rows = await db.conn.execute_fetchall("SELECT count(*), count(sent_at) FROM outbox")
        assert rows[0][0] == rows[0][1] == 5          # 2 created, 2 staff alerts, 1 claimed: all sent once
        assert total == 3
    finally:
        await db.close()


async def test_outbox_keeps_order_per_recipient_and_drop_unblocks(tmp_path, clock, texts):
    db = await Database.open(tmp_path / "g.db")
    try:
        service = TicketService(db, clock, texts)
        ticket = await create(service, "7")
        await service.claim(ticket.id, STAFF)
        await service.reply(ticket.id, STAFF, "你好")
        worker_msgs = [m for m in await service.outbox_pending() if m.recipient == "7"]
        assert len(worker_msgs) == 1 and worker_msgs[0].meta["event"] == "created"
        await service.outbox_mark_failed(worker_msgs[0].id, "network", retry_at=clock.now() + timedelta(minutes=5))
        assert [m for m in await service.outbox_pending() if m.recipient == "7"] == []   # no overtaking
        await service.outbox_drop(worker_msgs[0].id, "Forbidden: bot was blocked by the user")
        nxt = [m for m in await service.outbox_pending() if m.recipient == "7"]
        assert len(nxt) == 1 and nxt[0].meta["event"] == "claimed"
        with pytest.raises(LookupError):
            await service.outbox_mark_sent(999_999)
    finally:
        await db.close()


async def test_enqueue_with_a_dedupe_key_is_at_most_once(tmp_path, clock, texts):
    db = await Database.open(tmp_path / "g.db")
    try:
        service = TicketService(db, clock, texts)
        digest = Outgoing("staff", "", "📊 今日工单：3 件", kind="digest", dedupe_key="digest:2026-11-23")
        assert await service.enqueue(digest) is not None
        assert await service.enqueue(digest) is None
        later = Outgoing("telegram", "5", "满意度回访", kind="survey", due_at=clock.now() + timedelta(days=3))
        await service.enqueue(later)
        assert [m.kind for m in await service.outbox_pending()] == ["digest"]
        clock.advance(days=3)
        assert sorted(m.kind for m in await service.outbox_pending()) == ["digest", "survey"]
    finally:
        await db.close()


async def test_events_are_append_only_in_the_database(tmp_path, clock, texts):
    db = await Database.open(tmp_path / "g.db")
    try:
        service = TicketService(db, clock, texts)
        ticket = await create(service, "1")
        await service.note(ticket.id, STAFF, "内部备注")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            await db.conn.execute("UPDATE events SET note = 'rewritten' WHERE ticket_id = ?", (ticket.id,))
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            await db.conn.execute("UPDATE events SET type = 'note', erased_at = 'x', note = '' WHERE id = 1")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            await db.conn.execute("DELETE FROM events WHERE ticket_id = ?", (ticket.id,))
        with pytest.raises(sqlite3.IntegrityError):   # a ticket with history cannot vanish either
            await db.conn.execute("DELETE FROM tickets WHERE id = ?", (ticket.id,))
        notes = [e.note for e in await service.events(ticket.id)]
        assert notes == ["", "内部备注"]
    finally:
        await db.close()


def test_no_code_updates_or_deletes_events_except_erasure():
    offenders = []
    for path in (REPO_ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"(UPDATE\s+events|DELETE\s+FROM\s+events)\b", text, re.IGNORECASE):
            offenders.append(path.relative_to(REPO_ROOT).as_posix())
    assert sorted(offenders) == ["bot/tickets/erasure.py"]


async def test_erasure_blanks_personal_data_and_keeps_counts(tmp_path, clock, texts):
    db = await Database.open(tmp_path / "g.db")
    try:
        service = TicketService(db, clock, texts)
        mine = await create(service, "1", phone="13900001111", amount=4000, employer="某某站点", platform="饿了么")
        other = await create(service, "2", phone="13700002222")
        await service.claim(mine.id, STAFF)
        await service.worker_message(mine.id, Actor("worker", "telegram:1", "工友1"), text="我叫张三，身份证…",
                                     attachment={"kind": "photo", "file_id": "FILE1", "name": "工资条"})
        await service.change_state(mine.id, STAFF, State.RESOLVED, amount_recovered=4000)
        stats_before = await service.stats()

        assert await service.erase_worker("telegram", "1", Actor("system", "privacy")) == 1

        erased = await service.get(mine.id)
        assert erased.user_id == "" and erased.intake.phone == "" and erased.intake.summary == ""
        assert erased.intake.evidence == [] and erased.intake.employer == ""
        assert (erased.state, erased.topic, erased.intake.platform, erased.intake.amount) == ("resolved", "wage", "饿了么", 4000)
        rows = []
        for table, column in (("tickets", "id"), ("events", "ticket_id"), ("outbox", "ticket_id")):
            rows += await db.conn.execute_fetchall(f"SELECT * FROM {table} WHERE {column} = ?", (mine.id,))
        dump = "\n".join(str(tuple(r)) for r in rows)
        for secret in ("13900001111", "张三", "FILE1", "工资条", "某某站点", "telegram:1", "工友1"):
            assert secret not in dump, secret
        events = await service.events(mine.id)
        assert events[-1].type == "erased"
        assert [e.data for e in events if e.type == "state"] == [{"from": "assigned", "to": "resolved",
                                                                 "amount_recovered": 4000.0}]
        # nothing left to deliver to the erased worker; the other worker is untouched
        assert all(m.recipient != "1" for m in await service.outbox_pending(limit=100))
        assert (await service.get(other.id)).intake.phone == "13700002222"
        assert await service.tickets_of("telegram", "1") == []
        stats_after = await service.stats()
        assert (stats_after.by_state, stats_after.amount_recovered, stats_after.median_first_response_s) == (
            stats_before.by_state, stats_before.amount_recovered, stats_before.median_first_response_s)
        # erasing twice is harmless
        assert await service.erase_worker("telegram", "1", Actor("system", "privacy")) == 0
    finally:
        await db.close()


async def test_retention_erases_only_tickets_finished_before_the_cutoff(tmp_path, clock, texts):
    db = await Database.open(tmp_path / "g.db")
    try:
        service = TicketService(db, clock, texts)
        old = await create(service, "1", phone="111")
        await service.change_state(old.id, STAFF, State.CLOSED, reason="撤回")
        clock.advance(days=200)
        recent = await create(service, "2", phone="222")
        await service.change_state(recent.id, STAFF, State.CLOSED, reason="撤回")
        still_open = await create(service, "3", phone="333")
        erased = await service.erase_final_before(clock.now() - timedelta(days=180), Actor("system", "retention"))
        assert erased == 1
        phones = [(await service.get(t.id)).intake.phone for t in (old, recent, still_open)]
        assert phones == ["", "222", "333"]
    finally:
        await db.close()


def test_texts_file_has_every_key_the_service_uses(texts):
    from bot.texts import TextsError
    from bot.tickets.notify import check_texts

    check_texts(texts)                     # the committed data/texts/tickets.yaml
    broken = Texts({k: texts.render(k) if not texts.placeholders(k) else "{code}" for k in texts.keys()
                    if k != "tickets.worker.claimed"})
    with pytest.raises(TextsError, match=r"tickets\.worker\.claimed: missing"):
        check_texts(broken)

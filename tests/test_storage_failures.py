"""When storage fails: a full disk, a corrupt or foreign file, a newer schema.

The promise: the service stops (at start) or refuses the one action (while running) with a plain
message, and the database never holds half of something — no ticket without its `created` event
or its staff alert, no outbox row without its ticket, no half-applied migration — and a refused
file is left exactly as it was. Refusals of each kind by `Database.open` itself are in
`test_storage_db.py`; here: the full disk (SQLite's `max_page_count` in-process, and a real
RLIMIT_FSIZE file-size limit on a `gongyou chat` subprocess) and what the commands print.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.dialogue.store import ConversationStore
from bot.dialogue.types import Attachment, Incoming, UserRef
from bot.paths import REPO_ROOT
from bot.services import Services
from bot.storage.db import Database
from bot.storage.migrations import LATEST_VERSION
from bot.tickets.api import Actor, Intake, Kind

WORKER = Actor("worker", "telegram:5001", "工友")
LONG_SUMMARY = "老板拖欠工资，站点一直推说平台没结算。" * 20


async def consistency_problems(db: Database) -> list[str]:
    """Everything that would be a half-written state, in plain words (empty when whole)."""
    queries = {
        "ticket without its created event": """SELECT t.code FROM tickets t WHERE NOT EXISTS
            (SELECT 1 FROM events e WHERE e.ticket_id = t.id AND e.type = 'created')""",
        "created event twice": "SELECT ticket_id FROM events WHERE type = 'created' GROUP BY ticket_id HAVING count(*) > 1",
        "ticket without its staff alert": """SELECT t.code FROM tickets t WHERE NOT EXISTS
            (SELECT 1 FROM outbox o WHERE o.ticket_id = t.id AND o.channel = 'staff')""",
        "outbox row without its ticket": """SELECT o.id FROM outbox o WHERE o.ticket_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = o.ticket_id)""",
        "event without its ticket": """SELECT e.id FROM events e
            WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = e.ticket_id)""",
        "code counter behind the codes": """SELECT t.code FROM tickets t JOIN code_counters c
            ON c.day = substr(t.code, 4, 8) WHERE CAST(substr(t.code, 13) AS INTEGER) > c.last""",
    }
    problems = []
    for what, sql in queries.items():
        rows = await db.conn.execute_fetchall(sql)
        problems += [f"{what}: {r[0]}" for r in rows]
    return problems


async def page_count(db: Database) -> int:
    return int((await db.conn.execute_fetchall("PRAGMA page_count"))[0][0])


async def set_disk_pages(db: Database, pages: int) -> None:
    """The disk is full beyond `pages` pages (SQLite's per-connection size cap)."""
    await db.conn.execute(f"PRAGMA max_page_count = {pages}")


async def fill_disk(db: Database) -> None:
    """No page left: cap the size where it is, then use up the free pages inside the file too."""
    await set_disk_pages(db, await page_count(db))
    n = 0
    for size in (4000, 1000, 200, 20):
        while True:
            n += 1
            try:
                async with db.transaction() as conn:
                    await conn.execute("INSERT INTO conversations VALUES (?, ?, 'x')", (f"filler:{n}", "f" * size))
            except sqlite3.OperationalError as exc:
                assert is_disk_full(exc), exc
                break


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


# ---- a full disk while running ---------------------------------------------------------------------------

async def test_a_full_disk_refuses_whole_tickets_never_half_ones(tmp_path):
    """Ticket after ticket on a disk that fills up, a few pages freed after each refusal (1 to 5, in
    turn), so the disk runs out at a different statement each time (the ticket row, the event, an
    outbox row, an index page)."""
    from bot.texts import Texts
    from bot.tickets.service import TicketService

    db = await Database.open(tmp_path / "g.db")
    try:
        service = TicketService(db, FakeClock(), Texts.load(REPO_ROOT / "data" / "texts"))
        await set_disk_pages(db, await page_count(db) + 2)
        made, refused = 0, 0
        for n in range(120):
            intake = Intake(topic="wage", summary=LONG_SUMMARY, employer=f"某某劳务公司{n}", amount=1000 + n)
            try:
                await service.create(channel="telegram", user_id=str(5001 + n), kind=Kind.MEDIATION, intake=intake,
                                     consent=None, actor=Actor("worker", f"telegram:{5001 + n}", "工友"))
                made += 1
            except sqlite3.OperationalError as exc:
                assert is_disk_full(exc), exc
                refused += 1
                await set_disk_pages(db, await page_count(db) + 1 + refused % 5)   # a little space comes back
            assert await consistency_problems(db) == [], f"after ticket #{n}"
        assert refused >= 10 and made >= 10, (made, refused)
        rows = await db.conn.execute_fetchall("SELECT count(*) FROM tickets")
        assert rows[0][0] == made
        # The codes have no gaps: a refused ticket did not use up its number.
        codes = [r[0] for r in await db.conn.execute_fetchall("SELECT code FROM tickets ORDER BY id")]
        assert [int(c.rsplit("-", 1)[1]) for c in codes] == list(range(1, made + 1))
    finally:
        await db.close()


async def test_a_full_disk_at_the_review_loses_nothing_and_files_once_space_is_back(tmp_path, understanding, caplog):
    services = await Services.open(tmp_path / "g.db", clock=FakeClock(), understanding=understanding)
    user = UserRef("telegram", "5002")
    dialogue = services.dialogue
    try:
        await dialogue.handle(Incoming(user, button="m:complain"))
        for n in range(40):        # answer until the review (what is asked depends on the first message)
            state, _ = await ConversationStore(services.db).load(user.key)
            if state.step == "review":
                break
            answer = {"consent": Incoming(user, button="in:consent:yes"), "topic": Incoming(user, button="in:topic:wage"),
                      "summary": Incoming(user, text=LONG_SUMMARY[:200]), "employer": Incoming(user, text="某某劳务公司"),
                      "place": Incoming(user, text="厦门市湖里区"), "amount": Incoming(user, text="4300"),
                      "phone": Incoming(user, text="13812345678"),
                      # twenty files with long names: a ticket row that needs pages of its own
                      "evidence": Incoming(user, attachment=Attachment("photo", f"file-{n}", "工资条" * 66 + ".jpg"))
                      }[state.step or "consent"]
            await dialogue.handle(answer)
        assert state.step == "review"

        await fill_disk(services.db)                                            # not one page more
        replies = await dialogue.handle(Incoming(user, button="in:submit"))
        assert replies[0].text == services.texts.render("error")               # "please try again in a moment"
        assert "database or disk is full" in caplog.text                        # the operator sees why
        assert await services.tickets.tickets_of("telegram", "5002") == []
        state, _ = await ConversationStore(services.db).load(user.key)
        assert state.flow == "intake" and state.step == "review"                # the answers are all still there
        assert await consistency_problems(services.db) == []

        await set_disk_pages(services.db, 1_000_000)                            # space is back
        replies = await dialogue.handle(Incoming(user, button="in:submit"))
        [ticket] = await services.tickets.tickets_of("telegram", "5002")
        assert ticket.code in "\n".join(r.text for r in replies)
        assert ticket.intake.phone == "13812345678" and ticket.intake.employer == "某某劳务公司"
        assert len(ticket.intake.evidence) == 20
        await dialogue.handle(Incoming(user, button="in:submit"))               # a second tap files nothing
        assert len(await services.tickets.tickets_of("telegram", "5002")) == 1
        assert await consistency_problems(services.db) == []
    finally:
        await services.close()


async def test_a_failure_between_the_ticket_and_its_outbox_leaves_neither(tmp_path, monkeypatch):
    """Any exception inside the ticket's transaction (here: building the staff alert) rolls all of it back."""
    from bot.texts import Texts
    from bot.tickets.service import TicketService

    db = await Database.open(tmp_path / "g.db")
    try:
        service = TicketService(db, FakeClock(), Texts.load(REPO_ROOT / "data" / "texts"))

        def broken(*args, **kwargs):
            raise RuntimeError("the alert could not be written")

        monkeypatch.setattr(service.notifier, "new_for_staff", broken)
        with pytest.raises(RuntimeError):
            await service.create(channel="telegram", user_id="5003", kind=Kind.MEDIATION,
                                 intake=Intake(topic="wage", summary="欠薪"), consent=None, actor=WORKER)
        for table in ("tickets", "events", "outbox", "code_counters"):
            rows = await db.conn.execute_fetchall(f"SELECT count(*) FROM {table}")
            assert rows[0][0] == 0, f"{table} kept part of a refused ticket"
        monkeypatch.undo()
        ticket = await service.create(channel="telegram", user_id="5003", kind=Kind.MEDIATION,
                                      intake=Intake(topic="wage", summary="欠薪"), consent=None, actor=WORKER)
        assert ticket.code.endswith("-0001")
        assert await consistency_problems(db) == []
    finally:
        await db.close()


# ---- what the commands print ------------------------------------------------------------------------------

def run_command(*args: str, stdin: str = "", preexec=None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, timeout=120,
        cwd=REPO_ROOT, preexec_fn=preexec, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )


def assert_one_plain_line(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{result.stderr}"
    assert lines[0].startswith(("gongyou: ", "gongyou serve: ")), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def newer_database(path: Path) -> None:
    db = await Database.open(path)
    await db.conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    await db.close()


async def truncated_database(path: Path) -> None:
    full = path.with_suffix(".full")
    db = await Database.open(full)
    async with db.transaction() as conn:
        await conn.executemany("INSERT INTO conversations VALUES (?, ?, 'x')", [(f"u{i}", "y" * 500) for i in range(200)])
    await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await db.close()
    data = await asyncio.to_thread(full.read_bytes)
    await asyncio.to_thread(path.write_bytes, data[: 4096 * 6])


def garbage_file(path: Path) -> None:
    path.write_bytes(b"not a database at all \x00\xff" * 500)


def foreign_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER)")


BAD_FILES = {
    "garbage": (garbage_file, "corrupt or not a gongyou database"),
    "foreign": (foreign_database, "another program"),
    "newer": (newer_database, "newer than this program supports"),
    "truncated": (truncated_database, "gongyou"),
}


@pytest.mark.parametrize(("command", "kind"), [*(("chat", kind) for kind in sorted(BAD_FILES)), ("staff", "newer")])
async def test_a_bad_database_stops_the_console_with_one_plain_line_and_is_left_untouched(tmp_path, command, kind):
    path = tmp_path / "bad.db"
    make, fragment = BAD_FILES[kind]
    made = make(path)
    if made is not None:
        await made
    before = digest(path)
    result = run_command(command, "--db", str(path), stdin="你好\n/quit\n")
    assert_one_plain_line(result, fragment, str(path))
    assert digest(path) == before, "a refused database file was modified"
    wal = Path(f"{path}-wal")
    assert not await asyncio.to_thread(wal.exists) or (await asyncio.to_thread(wal.stat)).st_size == 0


@pytest.mark.parametrize("kind", ["garbage", "newer"])
async def test_a_bad_database_stops_serve_with_one_plain_line_before_any_network(tmp_path, kind):
    path = tmp_path / "bad.db"
    make, fragment = BAD_FILES[kind]
    made = make(path)
    if made is not None:
        await made
    before = digest(path)
    env = {"BOT_TOKEN": "123456789:AAEtestTOKENtestTOKENtestTOKEN_-0123", "STAFF_CHAT_ID": "-1001234567890",
           "DATABASE_PATH": str(path), "TELEGRAM_API_URL": "http://127.0.0.1:9", "LOG_LEVEL": "INFO"}
    result = run_command("serve", "--env-file", str(tmp_path / "no.env"), env=env)
    assert result.returncode == 2
    line = assert_one_plain_line(result, fragment, str(path))
    assert line.startswith("gongyou serve: cannot start: ")
    assert digest(path) == before


def test_a_database_path_that_is_a_folder_stops_the_console_plainly(tmp_path):
    folder = tmp_path / "gongyou.db"
    folder.mkdir()
    for _ in range(3):         # a thread traceback after the line would come from a race: give it chances to show
        assert_one_plain_line(run_command("chat", "--db", str(folder), stdin="/quit\n"), "cannot open the database file")


async def reopen(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE file-size limits are Linux/Unix only")
def test_a_full_disk_at_start_stops_chat_plainly_and_leaves_a_whole_schema_version(tmp_path):
    """A real full disk: the process may write files of at most N bytes (writes past that fail with EFBIG,
    which SQLite reports as an I/O error). Whatever step the limit hits — the header, the WAL, migration
    1, 2, … — `gongyou chat` says so in one line, and the file is left at a whole schema version that a
    later start with enough space upgrades to the latest."""
    import resource

    refused_in_migration = 0
    for limit in (16_000, 40_000, 100_000):
        path = tmp_path / f"full-{limit}.db"

        def small_disk(limit: int = limit) -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        result = run_command("chat", "--db", str(path), stdin="/quit\n", preexec=small_disk)
        if result.returncode == 0:
            continue          # this much space was enough for the current schema
        line = assert_one_plain_line(result, str(path))
        assert "disk I/O error" in line or "full" in line, line
        refused_in_migration += "数据库升级失败" in line
        with sqlite3.connect(path) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        assert 0 <= version < LATEST_VERSION
        asyncio.run(reopen(path))                                              # the disk has room again
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert refused_in_migration >= 1, "no limit hit a migration: adjust the limits to the schema's size"

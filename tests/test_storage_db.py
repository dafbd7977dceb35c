import asyncio
import sqlite3

import pytest

from bot.storage.db import (
    Database,
    DatabaseError,
    DatabaseUnreadableError,
    MigrationError,
    SchemaTooNewError,
)
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS, Migration


async def test_open_creates_parent_dirs_wal_and_schema(tmp_path):
    path = tmp_path / "deep" / "er" / "gongyou.db"
    db = await Database.open(path)
    try:
        assert path.exists()
        assert await db.schema_version() == LATEST_VERSION
        mode = (await (await db.conn.execute("PRAGMA journal_mode")).fetchone())[0]
        assert mode == "wal"
        fk = (await (await db.conn.execute("PRAGMA foreign_keys")).fetchone())[0]
        assert fk == 1
        tables = {r[0] for r in await db.conn.execute_fetchall("SELECT name FROM sqlite_schema WHERE type='table'")}
        assert {"conversations", "tickets", "events", "outbox", "code_counters"} <= tables
    finally:
        await db.close()


async def test_reopen_keeps_data_and_does_not_migrate_twice(tmp_path):
    path = tmp_path / "g.db"
    db = await Database.open(path)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO conversations VALUES ('console:local', '{}', '2026-01-01')")
    await db.close()
    db = await Database.open(path)
    try:
        rows = await db.conn.execute_fetchall("SELECT user_key FROM conversations")
        assert [r[0] for r in rows] == ["console:local"]
        assert await db.schema_version() == LATEST_VERSION
    finally:
        await db.close()


async def test_transaction_rolls_back_on_error(tmp_path):
    db = await Database.open(tmp_path / "g.db")
    try:
        with pytest.raises(ZeroDivisionError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO conversations VALUES ('a', '{}', 'x')")
                1 / 0  # noqa: B018
        assert await db.conn.execute_fetchall("SELECT * FROM conversations") == []
        # the connection is usable again afterwards
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO conversations VALUES ('b', '{}', 'x')")
        assert len(await db.conn.execute_fetchall("SELECT * FROM conversations")) == 1
    finally:
        await db.close()


async def test_concurrent_transactions_do_not_interleave(tmp_path):
    db = await Database.open(tmp_path / "g.db")

    async def bump(i: int) -> None:
        async with db.transaction() as conn:
            row = await (await conn.execute("SELECT count(*) FROM conversations")).fetchone()
            await asyncio.sleep(0)  # let others try to run in the middle
            await conn.execute("INSERT INTO conversations VALUES (?, ?, 'x')", (f"k{i}", str(row[0])))

    try:
        await asyncio.gather(*(bump(i) for i in range(50)))
        seen = sorted(int(r[0]) for r in await db.conn.execute_fetchall("SELECT state FROM conversations"))
        assert seen == list(range(50))  # each saw all the previous commits: no interleaving
    finally:
        await db.close()


async def test_nested_transaction_is_refused_not_deadlocked(tmp_path):
    db = await Database.open(tmp_path / "g.db")
    try:
        async with db.transaction():
            with pytest.raises(RuntimeError, match="nested"):
                async with db.transaction():
                    pass
    finally:
        await db.close()


async def test_single_statements_never_see_another_coroutines_uncommitted_writes(tmp_path):
    """fetch_all and execute skip BEGIN/COMMIT but wait for the lock: a read cannot slip into the
    middle of a transaction on the shared connection and see (or act on) half of it."""
    db = await Database.open(tmp_path / "g.db")
    inside = asyncio.Event()
    release = asyncio.Event()

    async def half_written_then_rolled_back() -> None:
        with pytest.raises(ZeroDivisionError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO conversations VALUES ('ghost', '{}', 'x')")
                inside.set()
                await release.wait()
                1 / 0  # noqa: B018

    try:
        writer = asyncio.create_task(half_written_then_rolled_back())
        await inside.wait()
        read = asyncio.create_task(db.fetch_all("SELECT user_key FROM conversations"))
        write = asyncio.create_task(db.execute("INSERT INTO conversations VALUES ('real', '{}', 'x')"))
        await asyncio.sleep(0.05)
        assert not read.done() and not write.done()     # both wait for the transaction to finish
        release.set()
        await writer
        assert [r[0] for r in await read] == []         # never saw 'ghost'
        assert await write == 1
        rows = await db.fetch_all("SELECT user_key FROM conversations")
        assert [r["user_key"] for r in rows] == ["real"]   # the single write was not rolled back with it
    finally:
        await db.close()


async def test_single_statements_inside_a_transaction_are_refused_not_deadlocked(tmp_path):
    db = await Database.open(tmp_path / "g.db")
    try:
        async with db.transaction():
            with pytest.raises(RuntimeError, match="inside a transaction"):
                await db.fetch_all("SELECT 1")
            with pytest.raises(RuntimeError, match="inside a transaction"):
                await db.execute("DELETE FROM conversations")
    finally:
        await db.close()


async def test_a_single_write_is_durable_without_an_explicit_commit(tmp_path):
    path = tmp_path / "g.db"
    db = await Database.open(path)
    await db.execute("INSERT INTO conversations VALUES ('k', '{}', 'x')")
    await db.close()
    with sqlite3.connect(path) as other:        # a different connection, after a clean close
        assert other.execute("SELECT user_key FROM conversations").fetchall() == [("k",)]


async def test_newer_schema_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "g.db"
    db = await Database.open(path)
    await db.conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    await db.close()
    with pytest.raises(SchemaTooNewError, match=r"newer than this program supports") as exc:
        await Database.open(path)
    assert isinstance(exc.value, DatabaseError)
    assert str(LATEST_VERSION + 1) in str(exc.value)


async def test_garbage_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "g.db"
    path.write_bytes(b"this is not sqlite \x00\xff" * 400)
    with pytest.raises(DatabaseUnreadableError, match="corrupt or not a gongyou database") as exc:
        await Database.open(path)
    assert str(path) in str(exc.value)


async def test_damaged_pages_are_refused(tmp_path):
    path = tmp_path / "g.db"
    db = await Database.open(path)
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO conversations VALUES (?, ?, 'x')", [(f"user{i}", "y" * 300) for i in range(300)]
        )
    await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await db.close()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page: 5 * page] = b"\xa5" * (2 * page)  # overwrite whole pages in the middle
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseUnreadableError):
        await Database.open(path)


async def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER)")
    with pytest.raises(DatabaseUnreadableError, match="another program"):
        await Database.open(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 12345")
    with pytest.raises(DatabaseUnreadableError, match="another program"):
        await Database.open(path)


async def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    import bot.storage.db as dbmod

    path = tmp_path / "g.db"
    db = await Database.open(path)
    await db.close()
    broken = Migration(
        LATEST_VERSION + 1, "broken",
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);",
    )
    monkeypatch.setattr(dbmod, "MIGRATIONS", (*MIGRATIONS, broken))
    with pytest.raises(MigrationError, match="Nothing was changed"):
        await Database.open(path)
    monkeypatch.undo()
    db = await Database.open(path)
    try:
        assert await db.schema_version() == LATEST_VERSION
        tables = {r[0] for r in await db.conn.execute_fetchall("SELECT name FROM sqlite_schema WHERE type='table'")}
        assert "half_done" not in tables
    finally:
        await db.close()


async def test_upgrade_from_version_1_keeps_tickets(tmp_path, monkeypatch):
    import bot.storage.db as dbmod

    path = tmp_path / "g.db"
    monkeypatch.setattr(dbmod, "MIGRATIONS", MIGRATIONS[:1])
    db = await Database.open(path)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO tickets (code, channel, user_id, kind, state, priority, priority_rank, topic, created_at, "
            "updated_at, first_response_s) VALUES ('GY-20261123-0001', 'console', 'u', 'mediation', 'new', 'normal', "
            "2, 'wage', '2026-11-23T01:00:00.000000+00:00', '2026-11-23T01:00:00.000000+00:00', 60)"
        )
    assert await db.schema_version() == 1
    await db.close()
    monkeypatch.undo()
    db = await Database.open(path)
    try:
        assert await db.schema_version() == LATEST_VERSION
        indexes = {r[0] for r in await db.conn.execute_fetchall("SELECT name FROM sqlite_schema WHERE type='index'")}
        assert {"tickets_report", "tickets_first_response", "tickets_resolution"} <= indexes
        rows = await db.conn.execute_fetchall("SELECT code FROM tickets")
        assert [r[0] for r in rows] == ["GY-20261123-0001"]
    finally:
        await db.close()


async def test_a_path_that_cannot_be_opened_says_so(tmp_path):
    folder = tmp_path / "a_directory.db"
    folder.mkdir()
    with pytest.raises(DatabaseUnreadableError, match="cannot open the database file"):
        await Database.open(folder)


async def test_new_database_is_private_and_backup_is_a_readable_copy(tmp_path):
    path = tmp_path / "g.db"
    db = await Database.open(path)
    try:
        assert path.stat().st_mode & 0o077 == 0          # personal data: owner only
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO conversations VALUES ('telegram:1', '{}', 'x')")
        copy = await db.backup(tmp_path / "backups" / "g-1.db")
        assert copy.stat().st_mode & 0o077 == 0
        with pytest.raises(FileExistsError):
            await db.backup(copy)
    finally:
        await db.close()
    restored = await Database.open(copy)
    try:
        rows = await restored.conn.execute_fetchall("SELECT user_key FROM conversations")
        assert [r[0] for r in rows] == ["telegram:1"]
        assert await restored.schema_version() == LATEST_VERSION
    finally:
        await restored.close()

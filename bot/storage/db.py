"""The one SQLite connection of the process: WAL, migrations at open, serialised transactions.

A bad file must stop the service with a plain message, never run on half a schema: an unreadable
or foreign file, or one written by a newer gongyou, raises a `DatabaseError` subclass, and each
migration commits together with its version bump or not at all.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import APPLICATION_ID, LATEST_VERSION, MIGRATIONS, Migration

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 64 * 1024
MMAP_BYTES = 256 * 1024 * 1024


class DatabaseError(RuntimeError):
    """The database cannot be used; the message says why and what to do, in plain words."""


class DatabaseUnreadableError(DatabaseError):
    """The file is corrupt, not SQLite, or not a gongyou database."""


class SchemaTooNewError(DatabaseError):
    """The file was written by a newer gongyou than this one."""


class MigrationError(DatabaseError):
    """A migration failed; the database was left at the previous version."""


def _prepare_file(path: Path) -> None:
    """Create the folder and a new database file readable by its owner only (it holds workers'
    personal data; SQLite gives the -wal and -shm files the same permissions), then check that
    SQLite can open it, so a bad path is refused before aiosqlite starts its thread."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    sqlite3.connect(path).close()


def _prepare_backup_target(target: Path) -> Path:
    if target.exists():
        raise FileExistsError(f"backup target {target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _cannot_open(path: str, exc: BaseException) -> str:
    return (
        f"数据库打不开 / cannot open the database file {path}: {exc}. "
        "Check the path, its permissions and free disk space, and that no other program holds it."
    )


_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar("gongyou_db_in_transaction", default=False)


class Database:
    """Open with `await Database.open(path)`; write with `async with db.transaction():`."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, check_integrity: bool = True) -> Database:
        """Open (creating if needed), check, and migrate the database at `path`."""
        path_str = str(path)
        try:
            if path_str != ":memory:":
                await asyncio.to_thread(_prepare_file, Path(path_str))
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseUnreadableError(_cannot_open(path_str, exc)) from exc
        connecting = aiosqlite.connect(path_str, isolation_level=None)
        try:
            conn = await connecting
        except sqlite3.Error as exc:
            # aiosqlite stops its worker thread without waiting for it; wait here, or the thread
            # reports to an event loop that is already closed and prints a traceback.
            thread = getattr(connecting, "_thread", None)
            if thread is not None:
                await asyncio.to_thread(thread.join, 5)
            raise DatabaseUnreadableError(_cannot_open(path_str, exc)) from exc
        db = cls(conn, path_str)
        try:
            conn.row_factory = aiosqlite.Row
            await db._configure(check_integrity=check_integrity)
            await db._migrate()
        except DatabaseError:
            await conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            await conn.close()
            text = str(exc)
            if "not a database" in text or "malformed" in text or "corrupt" in text:
                raise DatabaseUnreadableError(
                    f"数据库文件已损坏或不是工友的数据库 / the database file {path_str} is corrupt or not a gongyou "
                    f"database ({exc}). Restore it from a backup or move it away to start a new one."
                ) from exc
            raise DatabaseUnreadableError(_cannot_open(path_str, exc)) from exc
        except BaseException:
            await conn.close()
            raise
        return db

    async def _configure(self, *, check_integrity: bool) -> None:
        conn = self.conn
        # The first read of the header: garbage bytes fail here with "file is not a database".
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        app_id = (await (await conn.execute("PRAGMA application_id")).fetchone())[0]
        version = await self.schema_version()
        if app_id not in (0, APPLICATION_ID):
            raise DatabaseUnreadableError(
                f"{self.path} belongs to another program (application_id {app_id:#x}), not gongyou: "
                "point the database path at a gongyou database."
            )
        if app_id == 0 and version == 0:
            tables = await conn.execute_fetchall("SELECT name FROM sqlite_schema WHERE type = 'table'")
            if tables:
                raise DatabaseUnreadableError(
                    f"{self.path} already holds tables of another program ({', '.join(r[0] for r in tables)}): "
                    "point the database path at a new file or a gongyou database."
                )
        if version > LATEST_VERSION:
            raise SchemaTooNewError(
                f"数据库来自更新版本的工友 / the database {self.path} has schema version {version}, newer than this "
                f"program supports ({LATEST_VERSION}). Upgrade gongyou, or restore a backup made by this version."
            )
        if check_integrity and version > 0:
            rows = await conn.execute_fetchall("PRAGMA quick_check")
            problems = [r[0] for r in rows if r[0] != "ok"]
            if problems:
                raise DatabaseUnreadableError(
                    f"数据库文件已损坏 / the database {self.path} is damaged: {'; '.join(problems[:5])}. "
                    "Restore it from a backup."
                )
        if self.path != ":memory:":
            mode = (await (await conn.execute("PRAGMA journal_mode = WAL")).fetchone())[0]
            if str(mode).lower() != "wal":
                log.warning("database %s: journal mode is %s, not WAL", self.path, mode)
        await conn.execute("PRAGMA synchronous = NORMAL")
        # A page cache that holds the report and queue indexes of 100 000 tickets (stats < 50 ms).
        await conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        await conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        await conn.execute("PRAGMA foreign_keys = ON")

    async def schema_version(self) -> int:
        row = await (await self.conn.execute("PRAGMA user_version")).fetchone()
        return int(row[0])

    async def _migrate(self) -> None:
        current = await self.schema_version()
        for migration in MIGRATIONS:
            if migration.version > current:
                await self._apply(migration)
                current = migration.version

    async def _apply(self, migration: Migration) -> None:
        # One script, one transaction: BEGIN … user_version … COMMIT, or ROLLBACK on any error.
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n"
            f"PRAGMA application_id = {APPLICATION_ID};\n"
            f"PRAGMA user_version = {migration.version};\n"
            "COMMIT;"
        )
        try:
            await self.conn.executescript(script)
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                await self.conn.execute("ROLLBACK")
            raise MigrationError(
                f"数据库升级失败 / migration {migration.version} ({migration.name}) of {self.path} failed: {exc}. "
                "Nothing was changed; the database is still at the previous version."
            ) from exc
        log.info("database %s: applied migration %d (%s)", self.path, migration.version, migration.name)

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE (or DEFERRED for `write=False`) … COMMIT, ROLLBACK on error.

        Coroutines share one connection, so transactions are serialised by a lock; reads that
        must not see another coroutine's uncommitted writes use `transaction(write=False)`.
        Do not nest (it would wait on itself): a nested call raises RuntimeError.
        """
        if _in_transaction.get():
            raise RuntimeError("nested Database.transaction(): finish the outer one first")
        async with self._lock:
            token = _in_transaction.set(True)
            try:
                await self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield self.conn
                    await self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        try:
                            await self.conn.execute("ROLLBACK")
                        except sqlite3.Error as exc:   # e.g. the COMMIT went through after all
                            log.warning("database %s: rollback failed: %s", self.path, exc)
                    raise
            finally:
                _in_transaction.reset(token)

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        """One read statement, under the same lock as the transactions.

        A single statement outside BEGIN … COMMIT is its own transaction in SQLite, so it reads one
        consistent snapshot; and with the lock it never sees another coroutine's uncommitted
        writes. It costs one trip to aiosqlite's thread instead of three (BEGIN, SELECT, COMMIT),
        and the lock is held for that one trip only: this is the hot path of every dialogue turn.
        """
        self._refuse_nesting("fetch_all")
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write statement, atomic and durable on its own (SQLite's implicit transaction).

        For writes that are a single statement (saving a conversation): one trip to SQLite's
        thread instead of three. Returns the number of rows changed. Anything that must change
        two rows together belongs in `transaction()`.
        """
        self._refuse_nesting("execute")
        async with self._lock:
            cursor = await self.conn.execute(sql, params)
            return cursor.rowcount

    @staticmethod
    def _refuse_nesting(what: str) -> None:
        if _in_transaction.get():
            raise RuntimeError(f"Database.{what}() inside a transaction: use the transaction's connection")

    async def backup(self, dest: str | Path) -> Path:
        """A consistent, compact copy of the live database (VACUUM INTO), owner-readable only.

        Safe while the service runs: it waits for the current transaction and blocks writers
        for as long as the copy takes. `dest` must not exist yet.
        """
        if _in_transaction.get():
            raise RuntimeError("Database.backup() inside a transaction: call it outside")
        target = _prepare_backup_target(Path(dest))
        async with self._lock:
            await self.conn.execute("VACUUM INTO ?", (str(target),))
        os.chmod(target, 0o600)
        return target

    async def close(self) -> None:
        try:
            await self.conn.execute("PRAGMA optimize")   # keeps the planner's statistics fresh
        except sqlite3.Error as exc:
            log.warning("database %s: PRAGMA optimize failed: %s", self.path, exc)
        await self.conn.close()

"""Database engines: PostgreSQL (asyncpg pool) or an embedded SQLite file with pooled
connections, WAL journal and a busy timeout."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, dict_factory

from server.settings import Settings, get_settings

SQLITE_BUSY_TIMEOUT_S = 30.0
SQLITE_CACHE_KIB = 512
"""Page cache of one pooled connection: with up to `pool_size` of them kept, the cache stays
bounded (SQLite's default of 2 MiB each let a busy server grow by tens of MB as the file grew)."""


class PooledSQLiteEngine(SQLiteEngine):
    """SQLiteEngine that reuses open connections instead of opening one per query.

    Piccolo's SQLite engine opens a connection (and a thread) for every query outside a
    transaction; reusing them keeps a request to a few hundred microseconds of overhead.
    A query never waits for a connection: when all are busy it opens one more. Up to
    `pool_size` are kept open afterwards, enough for a few dozen concurrent requests
    without opening and closing connections under load.
    """

    def __init__(self, path: str, pool_size: int = 32) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)
        self._pool_size = pool_size
        self._pooling = False
        self._idle: list[aiosqlite.Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start_connection_pool(self, **_: Any) -> None:
        """Keep connections open between queries (called by the app's lifespan)."""
        self._pooling = True
        self._loop = asyncio.get_running_loop()

    async def close_connection_pool(self) -> None:
        self._pooling = False
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        """Run DDL, translating what SQLite lacks: `ALTER TABLE ... ADD CONSTRAINT` becomes a
        unique index (UNIQUE) or a pair of aborting triggers (CHECK); dropping follows suit."""
        statements = translate_constraint_ddl(ddl)
        if statements is None:
            return await super().run_ddl(ddl, in_pool=in_pool)
        response = None
        for statement in statements:
            response = await super().run_ddl(statement, in_pool=in_pool)
        return response

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        return connection

    async def _acquire(self) -> aiosqlite.Connection:
        if self._idle and self._loop is asyncio.get_running_loop():
            return self._idle.pop()
        return await self._open()

    async def _release(self, connection: aiosqlite.Connection) -> None:
        if connection.in_transaction:
            await connection.rollback()
        if self._pooling and len(self._idle) < self._pool_size and self._loop is asyncio.get_running_loop():
            self._idle.append(connection)
        else:
            await connection.close()

    async def get_connection(self) -> Any:
        connection = await self._acquire()
        return _PooledConnection(self, connection)

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connection = await self._acquire()
        try:
            # One trip to the connection's thread (execute, fetch and close the cursor together).
            return await connection.execute_fetchall(query, args or [])
        finally:
            await self._release(connection)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        return await connection.execute_fetchall(query, args or [])


class PooledPostgresEngine(PostgresEngine):
    """PostgresEngine whose pool hands connections back without a reset round trip.

    asyncpg resets a connection on every release (`RESET ALL; UNLISTEN *; CLOSE ALL; ...`),
    one extra round trip per query outside a transaction. Pooled connections here carry no
    session state to reset: the app never SETs session settings, LISTENs (the event listener
    has its own connection), holds session advisory locks or keeps cursors. An open
    transaction is still rolled back on release by asyncpg itself.
    """

    async def start_connection_pool(self, **kwargs: Any) -> None:
        kwargs.setdefault("reset", _no_session_reset)
        await super().start_connection_pool(**kwargs)


async def _no_session_reset(connection: Any) -> None:
    return None


_ADD_CONSTRAINT = re.compile(r'^ALTER TABLE "?(\w+)"? ADD CONSTRAINT "?(\w+)"? (UNIQUE|CHECK) \((.*)\)$', re.S)
_DROP_CONSTRAINT = re.compile(r'^ALTER TABLE "?(\w+)"? DROP CONSTRAINT (?:IF EXISTS )?"?(\w+)"?$', re.S)


def translate_constraint_ddl(ddl: str) -> list[str] | None:
    """SQLite equivalents of adding or dropping a table constraint, or None for other DDL."""
    ddl = ddl.strip().rstrip(";")
    if match := _ADD_CONSTRAINT.match(ddl):
        table, name, kind, body = match.groups()
        if kind == "UNIQUE":
            return [f'CREATE UNIQUE INDEX "{name}" ON "{table}" ({body})']
        abort = f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}')"
        return [
            f'CREATE TRIGGER "{name}_insert" BEFORE INSERT ON "{table}" '
            f"WHEN NOT ({_qualify(body, 'NEW')}) BEGIN {abort}; END",
            f'CREATE TRIGGER "{name}_update" BEFORE UPDATE ON "{table}" '
            f"WHEN NOT ({_qualify(body, 'NEW')}) BEGIN {abort}; END",
        ]
    if match := _DROP_CONSTRAINT.match(ddl):
        _, name = match.groups()
        return [
            f'DROP INDEX IF EXISTS "{name}"',
            f'DROP TRIGGER IF EXISTS "{name}_insert"',
            f'DROP TRIGGER IF EXISTS "{name}_update"',
        ]
    return None


def _qualify(condition: str, row: str) -> str:
    """Prefix the column of a `column IN (...)` check with the trigger's row alias."""
    return re.sub(r'^"?(\w+)"? IN', lambda m: f'{row}."{m.group(1)}" IN', condition.strip())


class _PooledConnection:
    """A pooled connection handed to a Piccolo transaction; `close()` returns it to the pool."""

    def __init__(self, engine: PooledSQLiteEngine, connection: aiosqlite.Connection) -> None:
        self._engine = engine
        self._connection = connection

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._connection.execute(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    @property
    def row_factory(self) -> Any:
        return self._connection.row_factory

    @row_factory.setter
    def row_factory(self, value: Any) -> None:
        self._connection.row_factory = value

    async def close(self) -> None:
        await self._engine._release(self._connection)


def make_engine(settings: Settings | None = None) -> Engine[Any]:
    settings = settings or get_settings()
    if settings.database.is_postgres:
        # UTC sessions: timestamps that the database turns into JSON text carry a +00:00 offset.
        return PooledPostgresEngine(
            config={"dsn": settings.database.url, "server_settings": {"timezone": "UTC"}}, extensions=()
        )
    path = settings.database.sqlite_path
    private_file(path)
    return PooledSQLiteEngine(path=str(path))


DATA_FILE_MODE = 0o600


def private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600; SQLite creates its `-wal` and
    `-shm` files with the database file's mode), in a folder made 0700; an existing file and
    its companions are narrowed to 0600."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, DATA_FILE_MODE))
    for item in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if item.exists() and item.stat().st_mode & 0o777 != DATA_FILE_MODE:
            item.chmod(DATA_FILE_MODE)

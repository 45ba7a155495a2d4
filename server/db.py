"""Database engines: PostgreSQL (asyncpg pool) or an embedded SQLite file with pooled
connections, WAL journal and a busy timeout."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterable
from typing import Any

import aiosqlite
from piccolo.columns import JSON, JSONB, Boolean, Column, Float, Integer, Timestamptz
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table

from server.settings import Settings, get_settings

SQLITE_BUSY_TIMEOUT_S = 30.0


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

    async def run_ddl(self, ddl: str, in_pool: bool = False):
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
    ):
        connection = await self._acquire()
        try:
            # One trip to the connection's thread (execute, fetch and close the cursor together).
            return await connection.execute_fetchall(query, args or [])
        finally:
            await self._release(connection)

    async def _run_in_existing_connection(
        self, connection, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ):
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

    def execute(self, *args: Any, **kwargs: Any):
        return self._connection.execute(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    @property
    def row_factory(self):
        return self._connection.row_factory

    @row_factory.setter
    def row_factory(self, value):
        self._connection.row_factory = value

    async def close(self) -> None:
        await self._engine._release(self._connection)


def make_engine(settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    if settings.is_postgres:
        # UTC sessions: timestamps that the database turns into JSON text carry a +00:00 offset.
        return PooledPostgresEngine(
            config={"dsn": settings.database_url, "server_settings": {"timezone": "UTC"}}, extensions=()
        )
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return PooledSQLiteEngine(path=str(path))


def is_sqlite(engine: Engine) -> bool:
    return engine.engine_type == "sqlite"


__all__ = ["PooledSQLiteEngine", "make_engine", "is_sqlite", "sqlite3"]


# Reading a whole document in one statement ---------------------------------------------------
#
# The read paths that return a tree of Structs (a mission with its hops and steps) ask the
# database for one JSON document built by the database's own JSON functions, and decode it
# with msgspec straight into Structs: one round trip, no row objects, no per-cell
# conversion in Python. The SQL is written once per engine from the Table classes.

_NAMED_PARAMETER = re.compile(r"(?<![:\w]):([a-z_]+)\b")


class Statement:
    """A raw SQL statement per engine with named parameters (`:name`), run through the
    engine (so inside the current transaction, if any, and counted by query logging)."""

    def __init__(self, sql: dict[str, str]) -> None:
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}
        for engine_type, text in sql.items():
            if "{" in text or "}" in text:
                raise ValueError("Piccolo's query strings take every brace for a parameter")
            names = tuple(_NAMED_PARAMETER.findall(text))
            template = _NAMED_PARAMETER.sub("{}", text)
            self._compiled[engine_type] = (template, names)

    def sql(self, engine_type: str) -> str:
        return self._compiled[engine_type][0]

    async def fetch_value(self, db: Engine, **parameters: Any) -> Any:
        """The first column of the first row (None when there is no row)."""
        template, names = self._compiled[db.engine_type]
        rows = await db.run_querystring(QueryString(template, *[parameters[name] for name in names]))
        if not rows:
            return None
        row = rows[0]
        return next(iter(row.values())) if isinstance(row, dict) else row[0]


class JsonSql:
    """SQL expressions that build JSON text in the database, for one engine (`sqlite` or
    `postgres`).

    Values come out as msgspec decodes them into the Structs: UUIDs and enum values as
    strings, JSON columns embedded as JSON, booleans as true/false, timestamps as RFC 3339
    text with their UTC offset. On PostgreSQL the JSON functions build the document. On
    SQLite (3.40: JSON functions re-parse their JSON arguments at every level) it is
    concatenated as text: every piece is JSON text already (JSON columns hold what msgspec
    wrote), so nothing is parsed twice, and no piece may be NULL.
    """

    def __init__(self, engine_type: str) -> None:
        self.sqlite = engine_type == "sqlite"

    def column(self, column: Column, alias: str) -> str:
        """A column's value as JSON."""
        name = f'{alias}."{column._meta.db_column_name}"'
        if not self.sqlite:
            return name
        if isinstance(column, (JSON, JSONB)):
            return f"coalesce({name}, 'null')"
        if isinstance(column, Boolean):
            return f"CASE {name} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END"
        if isinstance(column, (Integer, Float)):
            return f"coalesce({name}, 'null')"
        if isinstance(column, Timestamptz):
            # Stored as text in UTC; rows written by a database default lack the offset.
            return (
                f"json_quote(CASE WHEN {name} LIKE '%+__:__' OR {name} LIKE '%Z' THEN {name} ELSE {name} || "
                "'+00:00' END)"
            )
        return f"json_quote({name})"

    def filter_column(self, column: str) -> str:
        """A column compared in a WHERE clause without offering its index to SQLite's planner
        (unary +), for a condition that only re-checks rows found through another index."""
        return f"+{column}" if self.sqlite else column

    def object(self, items: dict[str, str]) -> str:
        """A JSON object from names (plain identifiers) to JSON-valued SQL expressions."""
        if not self.sqlite:
            return "json_build_object(" + ", ".join(f"'{key}', {value}" for key, value in items.items()) + ")"
        if not items:
            return "json_object()"
        parts = " || ',' || ".join(f"'\"{key}\":' || {value}" for key, value in items.items())
        return f"(char(123) || {parts} || char(125))"  # braces spelled out: Piccolo reads {} as a parameter

    def row(
        self,
        table: type[Table],
        alias: str,
        *,
        exclude: Iterable[str] = ("user_id",),
        replace: dict[str, str] | None = None,
    ) -> str:
        """A JSON object of a row's columns by name, leaving out `exclude`; `replace` gives
        some keys another JSON-valued SQL expression."""
        replace = replace or {}
        skipped = set(exclude)
        items = {
            c._meta.name: replace.get(c._meta.name) or self.column(c, alias)
            for c in table._meta.columns
            if c._meta.name not in skipped
        }
        return self.object(items)

    def array(self, *values: str) -> str:
        """A JSON array of JSON-valued SQL expressions (a tuple on the Python side)."""
        if not self.sqlite:
            return f"json_build_array({', '.join(values)})"
        return "('[' || " + " || ',' || ".join(values) + " || ']')"

    def empty_object(self) -> str:
        return "json_object()" if self.sqlite else "json_build_object()"

    def aggregate(self, element: str, from_where: str, order_by: list[str]) -> str:
        """A JSON array of `element` over the rows of `from_where` (`FROM ... WHERE ...`), in
        the order of `order_by` (expressions, each optionally followed by ASC or DESC)."""
        order = ", ".join(order_by)
        if self.sqlite:
            # An aggregate over an ordered subquery takes its rows in that order (SQLite never
            # flattens an ordered subquery into an aggregate).
            return (
                f"(SELECT '[' || coalesce(group_concat(e, ','), '') || ']' FROM (SELECT {element} AS e "
                f"{from_where} ORDER BY {order}))"
            )
        return f"(SELECT coalesce(json_agg({element} ORDER BY {order}), '[]'::json) {from_where})"

    def scalar(self, select: str) -> str:
        """A JSON value from a scalar subquery (`SELECT x FROM ...`); null when it finds no row."""
        return f"coalesce(({select}), 'null')" if self.sqlite else f"({select})"

    def document(self, items: dict[str, str]) -> str:
        """The statement returning one row with one column: the JSON document as text."""
        if self.sqlite:
            return f"SELECT {self.object(items)} AS doc"
        return f"SELECT {self.object(items)}::text AS doc"


def json_statement(build) -> Statement:
    """A Statement written once for both engines: `build(JsonSql)` returns its SQL."""
    return Statement({engine_type: build(JsonSql(engine_type)) for engine_type in ("sqlite", "postgres")})

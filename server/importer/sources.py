"""Reading an earlier database: MariaDB/MySQL (asyncmy), PostgreSQL (asyncpg) or SQLite
(aiosqlite), in batches, inside one read-only snapshot.

Statements are written once with `?` placeholders; each source turns them into its driver's
style. Rows come back as dicts of the driver's values (JSON columns as text, timestamps as
datetimes or text); `server.importer.values` makes sense of them.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosqlite
import asyncmy
import asyncpg
from asyncmy.cursors import DictCursor

IN_CHUNK = 1000
"""Values per `IN (...)` list: well within every engine's limit on parameters."""


class SourceError(Exception):
    """The source cannot be used (bad URL, cannot connect, not an earlier database): the
    message is one line for the person running the command."""


@dataclass(frozen=True, slots=True)
class SourceUrl:
    scheme: str
    """`mysql`, `postgresql` or `sqlite`."""
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    database: str = ""
    path: str = ""

    @property
    def identity(self) -> str:
        """The source without credentials: what the ledger and the report name."""
        if self.scheme == "sqlite":
            return f"sqlite:///{self.path}"
        return f"{self.scheme}://{self.host}:{self.port}/{self.database}"


_DEFAULT_PORTS = {"mysql": 3306, "postgresql": 5432}
_SCHEMES = {"mysql": "mysql", "mariadb": "mysql", "postgresql": "postgresql", "postgres": "postgresql"}


def parse_source_url(text: str) -> SourceUrl:
    """`mysql://user:password@host:port/db`, `postgresql://...` or `sqlite:///path` (as
    `DATABASE_URL` reads it: `sqlite:///data/old.db` is relative, `sqlite:////srv/old.db` absolute)."""
    parts = urlsplit(text)
    if parts.scheme == "sqlite":
        path = unquote(text.removeprefix("sqlite:///")) if text.startswith("sqlite:///") else ""
        if not path:
            raise SourceError("a SQLite source needs a path: sqlite:///path/to/file.db")
        return SourceUrl(scheme="sqlite", path=str(Path(path).resolve()))
    scheme = _SCHEMES.get(parts.scheme)
    if scheme is None:
        raise SourceError(
            f"unsupported source `{parts.scheme or text}`: use mysql://user:password@host:port/db, "
            "postgresql://user:password@host:port/db or sqlite:///path"
        )
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise SourceError(f"the source URL needs a host and a database name: {scheme}://user:password@host:port/db")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise SourceError("the source URL has an invalid port") from None
    return SourceUrl(
        scheme=scheme,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=database,
    )


def in_list(count: int) -> str:
    return ", ".join("?" * count)


class Source(ABC):
    """An open earlier database, read in one snapshot."""

    def __init__(self, url: SourceUrl) -> None:
        self.url = url

    @property
    def identity(self) -> str:
        return self.url.identity

    @abstractmethod
    async def open(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def tables(self) -> set[str]:
        """Names of the database's tables (lower case)."""

    @abstractmethod
    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of one statement with `?` placeholders."""

    async def count(self, table: str) -> int:
        rows = await self.fetch(f"SELECT COUNT(*) AS n FROM {table}")
        return int(rows[0]["n"])

    async def batches(self, table: str, key: str, size: int, columns: str = "*") -> AsyncIterator[list[dict[str, Any]]]:
        """Every row of `table` in order of `key`, `size` rows at a time (keyset pages, so no
        page costs more than the one before it)."""
        rows = await self.fetch(f"SELECT {columns} FROM {table} ORDER BY {key} LIMIT {size}")
        while rows:
            yield rows
            if len(rows) < size:
                return
            last = rows[-1][key]
            rows = await self.fetch(
                f"SELECT {columns} FROM {table} WHERE {key} > ? ORDER BY {key} LIMIT {size}", [last]
            )

    async def fetch_in(self, sql: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        """Rows of a statement whose `{in}` stands for a list of values, in chunks."""
        rows: list[dict[str, Any]] = []
        unique = list(dict.fromkeys(values))
        for start in range(0, len(unique), IN_CHUNK):
            chunk = unique[start : start + IN_CHUNK]
            rows.extend(await self.fetch(sql.replace("{in}", in_list(len(chunk))), chunk))
        return rows


class MySQLSource(Source):
    """MariaDB or MySQL through asyncmy."""

    _connection: Any = None

    async def open(self) -> None:
        try:
            self._connection = await asyncmy.connect(
                host=self.url.host,
                port=self.url.port,
                user=self.url.user or "root",
                password=self.url.password,
                database=self.url.database,
                charset="utf8mb4",
                connect_timeout=10,
            )
        except Exception as exc:
            raise SourceError(f"cannot connect to {self.identity}: {_first_line(exc)}") from None
        await self.fetch("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        await self.fetch("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.ensure_closed()
            self._connection = None

    async def tables(self) -> set[str]:
        rows = await self.fetch("SHOW TABLES")
        return {str(next(iter(row.values()))).lower() for row in rows}

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        async with self._connection.cursor(DictCursor) as cursor:
            await cursor.execute(sql.replace("?", "%s"), tuple(params) or None)
            rows: list[dict[str, Any]] = await cursor.fetchall()
            return list(rows)


class PostgresSource(Source):
    """PostgreSQL through asyncpg."""

    _connection: Any = None

    async def open(self) -> None:
        try:
            self._connection = await asyncpg.connect(
                host=self.url.host,
                port=self.url.port,
                user=self.url.user or None,
                password=self.url.password or None,
                database=self.url.database,
                timeout=10,
            )
        except Exception as exc:
            raise SourceError(f"cannot connect to {self.identity}: {_first_line(exc)}") from None
        await self._connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def tables(self) -> set[str]:
        rows = await self.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE'"
        )
        return {str(row["table_name"]).lower() for row in rows}

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        pieces = sql.split("?")
        text = pieces[0] + "".join(f"${index}{piece}" for index, piece in enumerate(pieces[1:], start=1))
        return [dict(row) for row in await self._connection.fetch(text, *params)]


class SQLiteSource(Source):
    """A SQLite file through aiosqlite, opened read-only."""

    _connection: aiosqlite.Connection | None = None

    async def open(self) -> None:
        path = Path(self.url.path)
        if not path.is_file():
            raise SourceError(f"no SQLite database at {path}")
        try:
            self._connection = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True)
            self._connection.row_factory = sqlite3.Row
            await self._connection.execute("BEGIN")
        except sqlite3.Error as exc:
            raise SourceError(f"cannot open {self.identity}: {_first_line(exc)}") from None

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def tables(self) -> set[str]:
        rows = await self.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(row["name"]).lower() for row in rows}

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        assert self._connection is not None
        rows = await self._connection.execute_fetchall(sql, list(params))
        return [dict(row) for row in rows]


def open_source(url: SourceUrl) -> Source:
    """A source for the URL (not yet opened)."""
    kinds: dict[str, type[Source]] = {"mysql": MySQLSource, "postgresql": PostgresSource, "sqlite": SQLiteSource}
    return kinds[url.scheme](url)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


GENERATION_A = frozenset({"users", "assets", "resource_credentials", "missions", "tool_executions"})
GENERATION_B = frozenset(
    {
        "users",
        "assets",
        "mission_assets",
        "hop_assets",
        "resource_credentials",
        "missions",
        "hops",
        "tool_steps",
        "chats",
        "user_sessions",
        "chat_messages",
    }
)


def detect_generation(tables: set[str]) -> str:
    """`A` (hops as JSON in the missions) or `B` (relational), from the tables found;
    SourceError saying what was found otherwise."""
    if GENERATION_B <= tables:
        return "B"
    if GENERATION_A <= tables and "hops" not in tables:
        return "A"
    found = ", ".join(sorted(tables)) or "no tables"
    missing_a = ", ".join(sorted(GENERATION_A - tables)) or "none"
    missing_b = ", ".join(sorted(GENERATION_B - tables)) or "none"
    raise SourceError(
        f"not a database of the earlier system: found {found}; generation A lacks {missing_a}; "
        f"generation B lacks {missing_b}"
    )

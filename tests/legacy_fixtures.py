"""Writes databases of the earlier system (both generations) for the importer's tests and
benchmark: varied, realistic rows plus the messy ones deployments have (NULL JSON, `""`
timestamps, enum names instead of values, unknown status strings, dangling asset ids,
orphans of the old user cascade, `state_asset` keys missing from `hop_state`, e-mails
differing only in case), into a SQLite file or a MariaDB database.

Every fixture draws fresh ids (and user ids from a random range), so several can be
imported into one test database. `expect` records what the import must make of them.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncmy
import bcrypt

MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}

# Column kinds: pk (integer key), int, str, text, json, time, bool.
SHARED = {
    "users": [
        ("user_id", "pk"),
        ("email", "email"),
        ("password", "str"),
        ("is_active", "bool"),
        ("registration_date", "time"),
        ("created_at", "time"),
        ("updated_at", "time"),
    ],
    "resource_credentials": [("id", "pk"), ("user_id", "int"), ("resource_id", "str"), ("credentials", "json")],
}
_ASSET_A = [
    ("id", "key"),
    ("user_id", "int"),
    ("name", "str"),
    ("description", "text"),
    ("type", "str"),
    ("subtype", "str"),
    ("role", "str"),
    ("content", "json"),
    ("asset_metadata", "json"),
    ("db_entity_metadata", "json"),
    ("scope_type", "str"),
    ("scope_id", "str"),
    ("asset_key", "str"),
    ("created_at", "time"),
    ("updated_at", "time"),
]
GENERATION_A = {
    **SHARED,
    "assets": _ASSET_A,
    "missions": [
        ("id", "key"),
        ("user_id", "int"),
        ("name", "str"),
        ("description", "text"),
        ("goal", "text"),
        ("status", "str"),
        ("success_criteria", "json"),
        ("current_hop", "json"),
        ("hop_history", "json"),
        ("input_asset_ids", "json"),
        ("output_asset_ids", "json"),
        ("created_at", "time"),
        ("updated_at", "time"),
    ],
    "tool_executions": [
        ("id", "key"),
        ("user_id", "int"),
        ("mission_id", "str"),
        ("tool_id", "str"),
        ("step_id", "str"),
        ("status", "str"),
        ("tool_step", "json"),
        ("hop_state_asset_ids", "json"),
        ("parameter_mapping", "json"),
        ("result_mapping", "json"),
        ("execution_result", "json"),
        ("error_message", "text"),
        ("created_at", "time"),
        ("updated_at", "time"),
        ("started_at", "time"),
        ("completed_at", "time"),
    ],
}
GENERATION_B = {
    **SHARED,
    "assets": [*(c for c in _ASSET_A if c[0] not in ("asset_key", "db_entity_metadata")), ("status", "str")],
    "missions": [
        ("id", "key"),
        ("user_id", "int"),
        ("name", "str"),
        ("description", "text"),
        ("goal", "text"),
        ("success_criteria", "json"),
        ("status", "str"),
        ("current_hop_id", "str"),
        ("mission_metadata", "json"),
        ("created_at", "time"),
        ("updated_at", "time"),
    ],
    "hops": [
        ("id", "key"),
        ("user_id", "int"),
        ("mission_id", "str"),
        ("sequence_order", "int"),
        ("name", "str"),
        ("description", "text"),
        ("goal", "text"),
        ("success_criteria", "json"),
        ("rationale", "text"),
        ("status", "str"),
        ("is_final", "bool"),
        ("is_resolved", "bool"),
        ("error_message", "text"),
        ("hop_metadata", "json"),
        ("intended_input_asset_ids", "json"),
        ("intended_output_asset_ids", "json"),
        ("intended_output_asset_specs", "json"),
        ("created_at", "time"),
        ("updated_at", "time"),
    ],
    "tool_steps": [
        ("id", "key"),
        ("user_id", "int"),
        ("hop_id", "str"),
        ("tool_id", "str"),
        ("sequence_order", "int"),
        ("name", "str"),
        ("description", "text"),
        ("status", "str"),
        ("parameter_mapping", "json"),
        ("result_mapping", "json"),
        ("resource_configs", "json"),
        ("validation_errors", "json"),
        ("execution_result", "json"),
        ("error_message", "text"),
        ("created_at", "time"),
        ("updated_at", "time"),
        ("started_at", "time"),
        ("completed_at", "time"),
    ],
    "mission_assets": [
        ("id", "key"),
        ("user_id", "int"),
        ("mission_id", "str"),
        ("asset_id", "str"),
        ("role", "str"),
        ("created_at", "time"),
    ],
    "hop_assets": [
        ("id", "key"),
        ("user_id", "int"),
        ("hop_id", "str"),
        ("asset_id", "str"),
        ("role", "str"),
        ("created_at", "time"),
    ],
    "chats": [
        ("id", "key"),
        ("user_id", "int"),
        ("title", "str"),
        ("context_data", "json"),
        ("created_at", "time"),
        ("updated_at", "time"),
    ],
    "chat_messages": [
        ("id", "key"),
        ("user_id", "int"),
        ("chat_id", "str"),
        ("sequence_order", "int"),
        ("role", "str"),
        ("content", "text"),
        ("message_metadata", "json"),
        ("created_at", "time"),
    ],
    "user_sessions": [
        ("id", "key"),
        ("user_id", "int"),
        ("name", "str"),
        ("status", "str"),
        ("chat_id", "str"),
        ("mission_id", "str"),
        ("session_metadata", "json"),
        ("created_at", "time"),
        ("updated_at", "time"),
        ("last_activity_at", "time"),
    ],
}
INDEXES = {"assets": ["scope_id"], "tool_executions": ["mission_id"], "hops": ["mission_id"], "tool_steps": ["hop_id"]}
_MYSQL = {
    "pk": "INT PRIMARY KEY",
    "key": "VARCHAR(36) PRIMARY KEY",
    "int": "INT NULL",
    "str": "VARCHAR(255) NULL",
    "email": "VARCHAR(255) COLLATE utf8mb4_bin NULL UNIQUE",
    "text": "TEXT NULL",
    "json": "JSON NULL",
    "time": "DATETIME(6) NULL",
    "bool": "BOOLEAN NULL",
}
_SQLITE = {"pk": "INTEGER PRIMARY KEY", "key": "VARCHAR(36) PRIMARY KEY", "email": "VARCHAR(255) UNIQUE"}

_HASHES: dict[str, str] = {}


@dataclass(frozen=True)
class RawJson:
    """Text stored as is in a JSON column (a SQLite TEXT column can hold anything)."""

    text: str


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash as the earlier system stored it (`$2b$...`); cost 4 keeps tests fast."""
    if password not in _HASHES:
        _HASHES[password] = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    return _HASHES[password]


def new_id() -> str:
    return str(uuid.uuid4())


def stamp(at: datetime) -> str:
    return at.replace(tzinfo=None).isoformat(sep=" ")


@dataclass
class LegacyData:
    """Rows per table of one earlier database, and what the import must make of them."""

    generation: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)

    def add(self, table: str, **row: Any) -> dict[str, Any]:
        self.tables.setdefault(table, []).append(row)
        return row

    @property
    def schema(self) -> dict[str, list[tuple[str, str]]]:
        return GENERATION_A if self.generation == "A" else GENERATION_B


def _value(kind: str, value: Any, mysql: bool) -> Any:
    if value is None:
        return None
    if kind == "json":
        return value.text if isinstance(value, RawJson) else json.dumps(value)
    if kind == "time" and mysql:
        return value or None  # MariaDB's DATETIME cannot hold "": it holds NULL
    if kind == "bool":
        return 1 if value else 0
    return value


def _ddl(table: str, columns: list[tuple[str, str]], mysql: bool) -> list[str]:
    types = _MYSQL if mysql else _SQLITE
    body = ", ".join(f"{name} {types.get(kind, 'TEXT')}" for name, kind in columns)
    tail = " CHARACTER SET utf8mb4" if mysql else ""
    statements = [f"CREATE TABLE {table} ({body}){tail}"]
    statements += [f"CREATE INDEX ix_{table}_{c} ON {table} ({c})" for c in INDEXES.get(table, [])]
    return statements


def _records(data: LegacyData, table: str, mysql: bool) -> tuple[str, list[tuple[Any, ...]]]:
    columns = data.schema[table]
    names = ", ".join(name for name, _ in columns)
    marks = ", ".join(("%s" if mysql else "?") for _ in columns)
    rows = [tuple(_value(kind, row.get(name), mysql) for name, kind in columns) for row in data.tables.get(table, [])]
    return f"INSERT INTO {table} ({names}) VALUES ({marks})", rows


def write_sqlite(data: LegacyData, path: Path) -> str:
    """Write the data into a new SQLite file; its source URL."""
    connection = sqlite3.connect(path)
    try:
        for table, columns in data.schema.items():
            for statement in _ddl(table, columns, mysql=False):
                connection.execute(statement)
            sql, rows = _records(data, table, mysql=False)
            connection.executemany(sql, rows)
        connection.commit()
    finally:
        connection.close()
    return f"sqlite:///{path}"


async def write_mariadb(data: LegacyData, database: str, chunk: int = 2000) -> str:
    """Create the MariaDB database and write the data; its source URL."""
    connection = await asyncmy.connect(**MARIADB)
    try:
        async with connection.cursor() as cursor:
            await cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
            await cursor.execute(f"USE `{database}`")
            for table, columns in data.schema.items():
                for statement in _ddl(table, columns, mysql=True):
                    await cursor.execute(statement)
                sql, rows = _records(data, table, mysql=True)
                for start in range(0, len(rows), chunk):
                    await cursor.executemany(sql, rows[start : start + chunk])
        await connection.commit()
    finally:
        await connection.ensure_closed()
    return f"mysql://root:@127.0.0.1:3306/{database}"


async def drop_mariadb(database: str) -> None:
    connection = await asyncmy.connect(**MARIADB)
    try:
        async with connection.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
    finally:
        await connection.ensure_closed()


class Clock:
    """Increasing timestamps from a fixed start, for realistic created/updated pairs."""

    def __init__(self, rng: random.Random) -> None:
        self._at = datetime(2024, 3, 1, 9, 0, tzinfo=UTC) + timedelta(days=rng.randrange(300))
        self._rng = rng

    def next(self) -> datetime:
        self._at += timedelta(seconds=self._rng.randrange(1, 900), microseconds=self._rng.randrange(1_000_000))
        return self._at


def pick(rng: random.Random, values: Iterable[Any]) -> Any:
    return rng.choice(list(values))

"""Transactions and row decoding shared by the services.

Rows never leave the service layer: services turn them into Structs with `to_struct`.
JSON columns arrive as text on both engines and are decoded here with msgspec.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from piccolo.engine.base import Engine
from piccolo.engine.sqlite import TransactionType
from piccolo.table import Table

from server.users.tables import User

T = TypeVar("T", bound=msgspec.Struct)

_json_decode = msgspec.json.Decoder().decode
_json_encode = msgspec.json.Encoder().encode


def engine() -> Engine:
    return User._meta.db


def write_transaction():
    """A transaction for writes: `BEGIN IMMEDIATE` on SQLite, so two writers queue instead of
    failing on lock upgrade; a plain transaction on PostgreSQL (row locks do the rest)."""
    db = engine()
    if db.engine_type == "sqlite":
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


def read_transaction():
    """A transaction for a read that spans several queries: one connection, one snapshot on SQLite."""
    return engine().transaction()


def for_update(query):
    """Lock the rows a select finds until the transaction ends (PostgreSQL), so that
    check-then-write sequences cannot interleave. On SQLite the write transaction already
    holds the database's write lock."""
    if engine().engine_type == "sqlite":
        return query
    return query.lock_rows("UPDATE")


def now() -> datetime:
    return datetime.now(UTC)


def to_json(value: Any) -> str:
    """Encode a value (Structs, UUIDs and datetimes included) for a JSON column."""
    return _json_encode(value).decode()


def from_json(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        return _json_decode(value)
    return value


def json_columns(table: type[Table]) -> tuple[str, ...]:
    from piccolo.columns import JSON

    return tuple(c._meta.db_column_name for c in table._meta.columns if isinstance(c, JSON))


def decode_json_fields(row: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    for name in fields:
        if name in row:
            row[name] = from_json(row[name])
    return row


def to_struct(struct_type: type[T], row: dict[str, Any], **extra: Any) -> T:
    """Build a Struct from a row whose JSON fields are already decoded; unknown keys are ignored."""
    if extra:
        row = {**row, **extra}
    return msgspec.convert(row, struct_type, from_attributes=False, strict=False)


def is_unique_violation(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "unique" in text or "duplicate key" in text


def is_foreign_key_violation(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "foreign key" in text

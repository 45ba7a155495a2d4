"""Row values: JSON columns (text on both engines, encoded and decoded with msgspec), rows
into Structs, timestamps, and recognising a unique violation.

Rows never leave the service layer: services turn them into Structs with `to_struct`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from piccolo.columns import JSON
from piccolo.table import Table

T = TypeVar("T", bound=msgspec.Struct)

_json_decode = msgspec.json.Decoder().decode
_json_encode = msgspec.json.Encoder().encode


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

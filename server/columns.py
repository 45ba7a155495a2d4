"""Column helpers: every enum column takes its choices, default and CHECK constraint from
`server.enums`, so the database refuses a value the API would refuse."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from piccolo.columns import JSONB, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check

ENUM_COLUMN_LENGTH = 40


def enum_column(enum: type[StrEnum], default: StrEnum | None = None, *, index: bool = False) -> Varchar:
    """A Varchar whose choices (and default, if any) come from `enum`."""
    if default is None:
        return Varchar(length=ENUM_COLUMN_LENGTH, choices=enum, null=False, index=index)
    return Varchar(length=ENUM_COLUMN_LENGTH, choices=enum, default=default, null=False, index=index)


def enum_check(table: str, column: str, enum: type[StrEnum]) -> Check:
    """A CHECK constraint allowing exactly the values of `enum` in `column`."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return Check(f"{column} IN ({values})", name=f"ck_{table}_{column}")


def json_column(default: dict[str, Any] | list[Any] | None = None, *, null: bool = False) -> JSONB:
    """A JSON document column (JSONB on PostgreSQL, JSON text on SQLite)."""
    if null:
        return JSONB(null=True, default=None)
    return JSONB(default={} if default is None else default, null=False)


def created_column() -> Timestamptz:
    return Timestamptz(default=TimestamptzNow(), null=False)

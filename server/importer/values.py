"""Stored values of the earlier system and what they become here.

Enum columns written by the earlier ORM hold the member NAME (`READY_TO_CONFIGURE`); rows
written by hand hold the value (`ready_to_configure`). Both are read; anything else is
reported, never guessed. Retired values map as `server.enums.RETIRED_VALUES` says; the
earlier hop statuses of generation A map as `docs/importer.md` lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID, uuid5

import msgspec

from server.enums import (
    RETIRED_VALUES,
    AssetRole,
    AssetScopeType,
    AssetStatus,
    HopStatus,
    MessageRole,
    MissionStatus,
    ToolExecutionStatus,
    UserSessionStatus,
    ValueType,
)

E = TypeVar("E", bound=StrEnum)

USER_NAMESPACE = UUID("6f1c3a52-8a55-4d3e-9a43-0c3c8f1e2b70")
"""Namespace of the ids given to the earlier system's integer user ids (uuid5)."""
DERIVED_NAMESPACE = UUID("0b7f5d8e-4f0a-4c4e-8f61-3d2e9b6a1c05")
"""Namespace of the ids of rows the earlier system did not have (mapping rows of generation A)."""

INTERRUPTED_STEP = "The earlier system stopped while this step was running; the run was interrupted. Retry the hop."
INTERRUPTED_HOP = "The earlier system stopped while this hop was running; it did not finish. Retry the hop."


class ValueProblem(Exception):
    """A stored value that cannot be converted; the message says which and why."""


def _current(enum: type[E]) -> dict[str, E]:
    return {member.value: member for member in enum}


def _with_retired(enum: type[E]) -> dict[str, E]:
    table: dict[str, Any] = _current(enum)
    table.update(RETIRED_VALUES.get(enum, {}))
    return table


MISSION_STATUS: dict[str, MissionStatus] = _with_retired(MissionStatus)
"""Both generations: the current values and the retired ones (pending, active, complete)."""

HOP_STATUS_A: dict[str, HopStatus] = {
    "ready_to_design": HopStatus.HOP_PLAN_STARTED,
    "hop_proposed": HopStatus.HOP_PLAN_PROPOSED,
    "hop_ready_to_resolve": HopStatus.HOP_PLAN_READY,
    "hop_ready_to_execute": HopStatus.HOP_IMPL_READY,
    "hop_running": HopStatus.FAILED,
    "all_hops_complete": HopStatus.COMPLETED,
}
HOP_STATUS_B: dict[str, HopStatus] = {**_current(HopStatus), "executing": HopStatus.FAILED}
HOP_INTERRUPTED = frozenset({"hop_running", "executing"})
"""Hops the earlier server was running when it stopped: they become `failed`, saying so."""

STEP_STATUS_A: dict[str, ToolExecutionStatus] = {
    "pending": ToolExecutionStatus.AWAITING_CONFIGURATION,
    "running": ToolExecutionStatus.FAILED,
    "completed": ToolExecutionStatus.COMPLETED,
    "failed": ToolExecutionStatus.FAILED,
}
STEP_STATUS_B: dict[str, ToolExecutionStatus] = {
    **{value: ToolExecutionStatus(target) for value, target in RETIRED_VALUES[ToolExecutionStatus].items()},
    "ready_to_execute": ToolExecutionStatus.READY_TO_EXECUTE,
    "executing": ToolExecutionStatus.FAILED,
    "completed": ToolExecutionStatus.COMPLETED,
    "failed": ToolExecutionStatus.FAILED,
    "cancelled": ToolExecutionStatus.CANCELLED,
}
STEP_INTERRUPTED = frozenset({"running", "executing"})

EXECUTION_STATUS_A: dict[str, str] = {
    value: value for value in ("pending", "running", "completed", "failed", "cancelled")
}
"""Generation A's tool_executions.status (recorded, not converted: the step object's status counts)."""

ASSET_STATUS: dict[str, AssetStatus] = _with_retired(AssetStatus)
ASSET_ROLE: dict[str, AssetRole] = _current(AssetRole)
SCOPE_TYPE: dict[str, AssetScopeType] = _current(AssetScopeType)
VALUE_TYPE: dict[str, ValueType] = _current(ValueType)
MESSAGE_ROLE: dict[str, MessageRole] = _current(MessageRole)
SESSION_STATUS: dict[str, UserSessionStatus] = _current(UserSessionStatus)


def legacy_value(kind: str, raw: Any, table: Mapping[str, Any]) -> str:
    """The stored value of an enum column as the key of `table`: the value itself, or the
    member NAME (upper case) of that value. ValueProblem for anything else."""
    if raw is None:
        raise ValueProblem(f"{kind} is missing")
    if not isinstance(raw, str):
        raise ValueProblem(f"{kind} {raw!r} is not a text value")
    if raw in table:
        return raw
    if raw.isupper() and raw.lower() in table:
        return raw.lower()
    raise ValueProblem(f"unknown {kind} `{raw}`")


def convert(kind: str, raw: Any, table: Mapping[str, E]) -> E:
    """The value here of a stored enum value (see `legacy_value`)."""
    return table[legacy_value(kind, raw, table)]


def parse_time(raw: Any, what: str) -> datetime | None:
    """A stored timestamp as an aware UTC datetime; None when empty (NULL, `""`, MySQL's zero
    date). Naive values are UTC, as the earlier system wrote them."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if not text or text.startswith("0000-00-00"):
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueProblem(f"{what} `{raw[:40]}` is not a timestamp") from None
    else:
        raise ValueProblem(f"{what} {raw!r} is not a timestamp")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


_decode = msgspec.json.Decoder().decode


def parse_json(raw: Any, what: str) -> Any:
    """A JSON column's value (drivers hand over text or already decoded values); None for
    NULL and for empty text."""
    if raw is None or isinstance(raw, (dict, list, int, float, bool)):
        return raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw).decode()
    if isinstance(raw, str):
        if not raw.strip():
            return None
        try:
            return _decode(raw)
        except msgspec.DecodeError:
            raise ValueProblem(f"{what} is not valid JSON") from None
    raise ValueProblem(f"{what} has an unexpected value {type(raw).__name__}")


def json_object(raw: Any, what: str) -> dict[str, Any]:
    """A JSON object column: NULL is {}; anything but an object is a problem."""
    value = parse_json(raw, what)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueProblem(f"{what} is not a JSON object")
    return value


def json_list(raw: Any, what: str) -> list[Any]:
    """A JSON list column: NULL is []; anything but a list is a problem."""
    value = parse_json(raw, what)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueProblem(f"{what} is not a JSON list")
    return value


def text_list(raw: Any, what: str) -> list[str]:
    """A JSON list of strings (success criteria, validation errors); NULL is []."""
    values = json_list(raw, what)
    if not all(isinstance(value, str) for value in values):
        raise ValueProblem(f"{what} holds a value that is not text")
    return [value for value in values if value.strip()]


def parse_uuid(raw: Any, what: str) -> UUID:
    """An id stored as a UUID string (VARCHAR(36))."""
    if isinstance(raw, UUID):
        return raw
    if isinstance(raw, (bytes, bytearray)) and len(raw) == 16:
        return UUID(bytes=bytes(raw))
    if isinstance(raw, str):
        try:
            return UUID(raw.strip())
        except ValueError:
            pass
    raise ValueProblem(f"{what} {str(raw)[:60]!r} is not a UUID")


def legacy_key(raw: Any) -> str:
    """A source id as the ledger and the report show it."""
    return str(raw).strip() if raw is not None else ""


def user_uuid(legacy_user_id: int) -> UUID:
    """The id here of an earlier integer user id: the same on every run."""
    return uuid5(USER_NAMESPACE, f"user:{legacy_user_id}")


def derived_uuid(kind: str, *parts: object) -> UUID:
    """The id of a row made from others (a mapping row of generation A): the same on every run."""
    return uuid5(DERIVED_NAMESPACE, ":".join([kind, *(str(part) for part in parts)]))


def parse_user_id(raw: Any, what: str = "user_id") -> int:
    """An earlier user id (INTEGER)."""
    if isinstance(raw, bool):
        raise ValueProblem(f"{what} {raw!r} is not an integer id")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    raise ValueProblem(f"{what} {raw!r} is not an integer id")


def parse_bool(raw: Any, default: bool) -> bool:
    """A BOOLEAN column (MySQL TINYINT, SQLite 0/1, JSON true/false); NULL is `default`."""
    if raw is None:
        return default
    if isinstance(raw, str):
        return raw.strip().lower() in ("1", "true", "yes")
    return bool(raw)


def clip(text: Any, length: int) -> str | None:
    """A text value cut to a column's length (None stays None)."""
    if text is None:
        return None
    value = str(text)
    return value if len(value) <= length else value[: length - 1] + "…"

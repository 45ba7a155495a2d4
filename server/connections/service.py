"""Saved connections, scoped to one user: list, read, create, update, check, delete (refused
while steps use it), and their resolution into a step's resource configurations when the
step runs (docs/domain.md, "Connections").

A step that uses a connection stores `{resource_id: {"connection_id": id}}`; the values are
read from the connection each time the step runs, so a change applies to every step that
uses it from its next run. Secret values are encrypted as the steps' own are
(`server.workflow.secrets`) and leave this module only decrypted for a run or a check.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

from piccolo.custom_types import Combinable

from server.connections.schemas import (
    Connection,
    ConnectionCreate,
    ConnectionPage,
    ConnectionUpdate,
    ConnectionUsage,
    ConnectionUse,
)
from server.connections.tables import Connection as ConnectionTable
from server.database import (
    from_json,
    is_sqlite,
    is_unique_violation,
    now,
    to_json,
    write_transaction,
)
from server.enums import ConnectionCheckStatus
from server.errors import Conflict, InvalidInput, NotFound
from server.missions.tables import ToolStep as ToolStepTable
from server.redaction import redact
from server.schemas import FieldError
from server.settings import get_settings
from server.tools.base import ToolError
from server.tools.registry import get_registry
from server.tools.schemas import ResourceField
from server.workflow.resources import CONNECTION_KEY, value_problem
from server.workflow.secrets import SecretUnreadable, decrypt_value, encrypt_value, secret_values

CHECK_TIMEOUT_SECONDS = 15.0

_USES_SQL = (
    "SELECT s.id, s.name, s.resource_configs, h.id AS hop_id, h.name AS hop_name, "
    "m.id AS mission_id, m.name AS mission_name "
    "FROM tool_steps s JOIN hops h ON h.id = s.hop_id JOIN missions m ON m.id = h.mission_id "
    "WHERE s.user_id = {} AND CAST(s.resource_configs AS TEXT) LIKE {} "
    "ORDER BY m.created_at, h.sequence_order, s.sequence_order"
)


class ConnectionInUse(Conflict):
    """A connection that steps use cannot be deleted (409, naming each step)."""

    code = "connection_in_use"


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _to_struct(row: dict[str, Any]) -> Connection:
    secrets = from_json(row["secret_values"]) or {}
    return Connection(
        id=_uuid(row["id"]),
        name=row["name"],
        resource_type=row["resource_type"],
        values=from_json(row["plain_values"]) or {},
        secrets={name: bool(token) for name, token in secrets.items()},
        check_status=ConnectionCheckStatus(row["check_status"]),
        check_message=row["check_message"],
        checked_at=row["checked_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


_COLUMNS = [c for c in ConnectionTable._meta.columns if c._meta.name != "user_id"]


async def _row(user_id: UUID, connection_id: UUID, *, lock: bool = False) -> dict[str, Any]:
    query = ConnectionTable.select(*_COLUMNS).where(
        (ConnectionTable.id == connection_id) & (ConnectionTable.user_id == user_id)
    )
    if lock and not is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first().run()
    if row is None:
        raise NotFound("connection", connection_id)
    return row


def _fields_of(resource_type: str, field: str = "body.resource_type") -> list[ResourceField]:
    fields = get_registry().resource_fields(resource_type)
    if fields is None:
        known = ", ".join(f'"{name}"' for name in get_registry().resource_types()) or "none"
        raise InvalidInput(field, f'no tool uses a resource of type "{resource_type}" (known types: {known})')
    return fields


def _merge(
    fields: list[ResourceField], plain: dict[str, Any], secrets: dict[str, Any], values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Stored values updated with submitted ones (secrets encrypted, null clears), every
    problem refused at once (400 naming each field)."""
    by_name = {field.name: field for field in fields}
    errors: list[FieldError] = []
    plain, secrets = dict(plain), dict(secrets)
    for name, value in values.items():
        spec = by_name.get(name)
        path = f"body.values.{name}"
        if spec is None:
            known = ", ".join(f'"{f}"' for f in by_name)
            errors.append(
                FieldError(field=path, reason=f'this type of resource has no field "{name}" (fields: {known})')
            )
            continue
        if value is not None and (problem := value_problem(spec, value)):
            errors.append(FieldError(field=path, reason=f'"{name}" {problem}'))
            continue
        bucket = secrets if spec.secret else plain
        if value is None:
            bucket.pop(name, None)
        else:
            bucket[name] = encrypt_value(value) if spec.secret else value
    for spec in fields:
        present = spec.name in plain or bool(secrets.get(spec.name))
        if spec.required and not present and not any(e.field == f"body.values.{spec.name}" for e in errors):
            errors.append(FieldError(field=f"body.values.{spec.name}", reason=f'"{spec.name}" is required'))
    if errors:
        raise _invalid(errors)
    return plain, secrets


def _invalid(errors: list[FieldError]) -> InvalidInput:
    error = InvalidInput(errors[0].field, errors[0].reason)
    error.errors = errors
    error.message = "; ".join(f"`{e.field}`: {e.reason}" for e in errors)
    return error


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f'A connection named "{name}" already exists; choose another name',
        errors=[FieldError(field="body.name", reason="already used by another of your connections")],
    )


async def list_connections(*, user_id: UUID, resource_type: str | None = None) -> ConnectionPage:
    where: Combinable = ConnectionTable.user_id == user_id
    if resource_type is not None:
        where &= ConnectionTable.resource_type == resource_type
    rows = await ConnectionTable.select(*_COLUMNS).where(where).order_by(ConnectionTable.name).run()
    return ConnectionPage(items=[_to_struct(row) for row in rows], total=len(rows))


async def get_connection(*, user_id: UUID, connection_id: UUID) -> Connection:
    return _to_struct(await _row(user_id, connection_id))


async def create_connection(*, user_id: UUID, data: ConnectionCreate) -> Connection:
    fields = _fields_of(data.resource_type)
    plain, secrets = _merge(fields, {}, {}, data.values)
    at = now()
    row = ConnectionTable(
        id=uuid4(),
        user_id=user_id,
        name=data.name,
        resource_type=data.resource_type,
        plain_values=to_json(plain),
        secret_values=to_json(secrets),
        created_at=at,
        updated_at=at,
    )
    try:
        async with write_transaction():
            await row.save().run()
    except Exception as exc:
        if is_unique_violation(exc):
            raise _name_taken(data.name) from None
        raise
    return await get_connection(user_id=user_id, connection_id=row.id)


async def update_connection(*, user_id: UUID, connection_id: UUID, data: ConnectionUpdate) -> Connection:
    """Change the name or values; the last check no longer holds (`unchecked`)."""
    try:
        async with write_transaction():
            row = await _row(user_id, connection_id, lock=True)
            changes: dict[Any, Any] = {ConnectionTable.updated_at: now()}
            if isinstance(data.name, str):
                changes[ConnectionTable.name] = data.name
            if isinstance(data.values, dict):
                plain, secrets = _merge(
                    _fields_of(row["resource_type"], "resource_type"),
                    from_json(row["plain_values"]) or {},
                    from_json(row["secret_values"]) or {},
                    data.values,
                )
                changes |= {
                    ConnectionTable.plain_values: to_json(plain),
                    ConnectionTable.secret_values: to_json(secrets),
                    ConnectionTable.check_status: ConnectionCheckStatus.UNCHECKED,
                    ConnectionTable.check_message: None,
                    ConnectionTable.checked_at: None,
                }
            await (
                ConnectionTable.update(changes)
                .where((ConnectionTable.id == connection_id) & (ConnectionTable.user_id == user_id))
                .run()
            )
    except Exception as exc:
        if is_unique_violation(exc) and isinstance(data.name, str):
            raise _name_taken(data.name) from None
        raise
    return await get_connection(user_id=user_id, connection_id=connection_id)


async def _uses(user_id: UUID, connection_id: UUID) -> list[ConnectionUse]:
    rows = await ToolStepTable.raw(_USES_SQL, user_id, f"%{connection_id}%").run()
    uses: list[ConnectionUse] = []
    for row in rows:
        for resource_id, config in (from_json(row["resource_configs"]) or {}).items():
            if isinstance(config, dict) and str(config.get(CONNECTION_KEY)) == str(connection_id):
                uses.append(
                    ConnectionUse(
                        step_id=_uuid(row["id"]),
                        step_name=row["name"],
                        resource_id=resource_id,
                        hop_id=_uuid(row["hop_id"]),
                        hop_name=row["hop_name"],
                        mission_id=_uuid(row["mission_id"]),
                        mission_name=row["mission_name"],
                    )
                )
    return uses


async def connection_usage(*, user_id: UUID, connection_id: UUID) -> ConnectionUsage:
    await _row(user_id, connection_id)
    return ConnectionUsage(connection_id=connection_id, steps=await _uses(user_id, connection_id))


async def delete_connection(*, user_id: UUID, connection_id: UUID) -> None:
    """Delete a connection no step uses; one in use is refused (409) naming every step. The
    row is locked first, so a step picking it meanwhile either lands before (and the delete
    is refused) or finds it gone."""
    async with write_transaction():
        await _row(user_id, connection_id, lock=True)
        uses = await _uses(user_id, connection_id)
        if uses:
            names = [f'step "{u.step_name}" of hop "{u.hop_name}" in mission "{u.mission_name}"' for u in uses]
            raise ConnectionInUse(
                f"Cannot delete this connection: {len(uses)} step{'s' if len(uses) != 1 else ''} use it "
                f"({'; '.join(names)}); pick another connection in those steps first",
                errors=[
                    FieldError(field=f"tool_steps.{u.step_id}", reason=name)
                    for u, name in zip(uses, names, strict=True)
                ],
            )
        await (
            ConnectionTable.delete()
            .where((ConnectionTable.id == connection_id) & (ConnectionTable.user_id == user_id))
            .run()
        )


def decrypted_values(row: dict[str, Any]) -> dict[str, Any]:
    values = dict(from_json(row["plain_values"]) or {})
    for name, token in (from_json(row["secret_values"]) or {}).items():
        if token:
            values[name] = decrypt_value(token)
    return values


async def check_connection(*, user_id: UUID, connection_id: UUID) -> Connection:
    """Try the connection against its service with its type's check (`server.tools.handlers.checks`)
    and store what it found; a type without a check is recorded `unavailable`, saying so."""
    row = await _row(user_id, connection_id)
    check = get_registry().check(row["resource_type"])
    secrets = secret_values({"c": {"secrets": from_json(row["secret_values"]) or {}}})
    if check is None:
        status = ConnectionCheckStatus.UNAVAILABLE
        message = f'connections of type "{row["resource_type"]}" cannot be checked: no check is declared for this type'
    else:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS + 1):
                message = await check(decrypted_values(row), CHECK_TIMEOUT_SECONDS)
            status = ConnectionCheckStatus.SUCCEEDED
        except ToolError as exc:
            status, message = ConnectionCheckStatus.FAILED, str(exc)
        except TimeoutError:
            status, message = ConnectionCheckStatus.FAILED, f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"
        except SecretUnreadable as exc:
            status, message = ConnectionCheckStatus.FAILED, f"{exc}; enter its secret values again"
    message = redact(message, [*secrets, *get_settings().secret_values()])
    async with write_transaction():
        await (
            ConnectionTable.update(
                {
                    ConnectionTable.check_status: status,
                    ConnectionTable.check_message: message,
                    ConnectionTable.checked_at: now(),
                }
            )
            .where(
                (ConnectionTable.id == connection_id)
                & (ConnectionTable.user_id == user_id)
                & (ConnectionTable.updated_at == row["updated_at"])  # not changed meanwhile
            )
            .run()
        )
    return await get_connection(user_id=user_id, connection_id=connection_id)


# Steps and connections ----------------------------------------------------------------------


async def connection_for_step(*, user_id: UUID, connection_id: UUID, resource_type: str, field: str) -> None:
    """Check, inside the configuring transaction, that the user has this connection and that
    it is of the resource's type (400 naming `field` otherwise); on PostgreSQL its row is held
    (shared) until the transaction ends, so a concurrent delete waits and then sees the step."""
    query = ConnectionTable.select(ConnectionTable.resource_type).where(
        (ConnectionTable.id == connection_id) & (ConnectionTable.user_id == user_id)
    )
    if not is_sqlite():
        query = query.lock_rows("SHARE")
    row = await query.first().run()
    if row is None:
        raise InvalidInput(field, f"you have no connection {connection_id}")
    if row["resource_type"] != resource_type:
        raise InvalidInput(
            field,
            f'connection {connection_id} is of type "{row["resource_type"]}", this resource needs "{resource_type}"',
        )


class MissingConnection(Exception):
    """A step names a connection that no longer exists."""


async def with_connections(*, user_id: UUID, stored: dict[str, Any]) -> dict[str, Any]:
    """A step's stored resource configurations with each connection it uses replaced by the
    connection's current values (secrets still encrypted): read when the step runs."""
    wanted = {
        str(config[CONNECTION_KEY])
        for config in (stored or {}).values()
        if isinstance(config, dict) and config.get(CONNECTION_KEY)
    }
    if not wanted:
        return stored or {}
    rows = (
        await ConnectionTable.select(ConnectionTable.id, ConnectionTable.plain_values, ConnectionTable.secret_values)
        .where((ConnectionTable.user_id == user_id) & ConnectionTable.id.is_in([UUID(w) for w in wanted]))
        .run()
    )
    found = {str(row["id"]): row for row in rows}
    resolved: dict[str, Any] = {}
    for resource_id, config in stored.items():
        connection_id = config.get(CONNECTION_KEY) if isinstance(config, dict) else None
        if not connection_id:
            resolved[resource_id] = config
            continue
        row = found.get(str(connection_id))
        if row is None:
            raise MissingConnection(f'the connection picked for resource "{resource_id}" no longer exists')
        resolved[resource_id] = {
            CONNECTION_KEY: str(connection_id),
            "values": from_json(row["plain_values"]) or {},
            "secrets": from_json(row["secret_values"]) or {},
        }
    return resolved

"""Users and their resource credentials, the same in both generations.

Users keep their e-mail (normalised as sign-in compares it) and their bcrypt hash, which
sign-in verifies and replaces with this project's own hash on the first successful sign-in.
Their integer ids become uuid5 ids, the same on every run. Two e-mails differing only in case
are a conflict: both rows are reported, neither is imported.

Each credential becomes a saved connection of its user (docs/domain.md, "Connections"):
named after its resource, of the type the tools' resource of that id declares, its secret
fields encrypted; the user's steps that use the resource and hold no values of their own pick
it (see `resource_configs`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import msgspec

from server.database import now, to_json
from server.enums import DEFAULT_CONNECTION_CHECK_STATUS
from server.importer.context import Batch, Context
from server.importer.values import (
    ValueProblem,
    derived_uuid,
    json_object,
    legacy_key,
    parse_bool,
    parse_time,
    parse_user_id,
    user_uuid,
)
from server.tools.registry import get_registry
from server.tools.schemas import ResourceSpec, ToolSpec
from server.users.service import normalize_email
from server.workflow.resources import CONNECTION_KEY
from server.workflow.secrets import encrypt_value

BCRYPT_HASH = re.compile(r"^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


async def import_users(ctx: Context) -> set[int]:
    """Import every user; returns the earlier ids of all users the source holds."""
    conflicting = await _case_conflicts(ctx)
    seen: set[int] = set()
    total = await ctx.source.count("users")
    async for rows in ctx.source.batches("users", "user_id", ctx.batch_size):
        emails = [normalize_email(row["email"]) for row in rows if isinstance(row.get("email"), str)]
        existing = await ctx.target.existing_emails(emails)
        batch = Batch()
        for row in rows:
            try:
                legacy_id = parse_user_id(row.get("user_id"))
            except ValueProblem as exc:
                ctx.problem("users", "users", legacy_key(row.get("user_id")), str(exc))
                continue
            seen.add(legacy_id)
            try:
                _user(batch, row, legacy_id, conflicting, existing)
            except ValueProblem as exc:
                ctx.problem("users", "users", legacy_id, str(exc))
        await ctx.flush(batch)
        for item in batch.items:
            if ("users", item.key) in ctx.available:
                ctx.users[int(item.key)] = item.target_id
        ctx.progress.update("users", len(seen), total)
    return seen


async def _case_conflicts(ctx: Context) -> set[str]:
    rows = await ctx.source.fetch(
        "SELECT LOWER(TRIM(email)) AS email FROM users WHERE email IS NOT NULL "
        "GROUP BY LOWER(TRIM(email)) HAVING COUNT(*) > 1"
    )
    return {str(row["email"]) for row in rows}


def _user(batch: Batch, row: dict[str, Any], legacy_id: int, conflicting: set[str], existing: dict[str, Any]) -> None:
    raw_email = row.get("email")
    if not isinstance(raw_email, str) or not EMAIL.match(raw_email.strip()):
        raise ValueProblem(f"e-mail {str(raw_email)[:80]!r} is not an e-mail address")
    email = normalize_email(raw_email)
    if email in conflicting:
        raise ValueProblem(f"e-mail {raw_email.strip()} differs only in case from another user's: a conflict")
    target_id = user_uuid(legacy_id)
    if email in existing and existing[email] != target_id:
        raise ValueProblem(f"an account with e-mail {email} already exists here")
    password = row.get("password")
    if not isinstance(password, str) or not BCRYPT_HASH.match(password):
        raise ValueProblem("the password is not a bcrypt hash")
    created = parse_time(row.get("registration_date"), "registration_date") or parse_time(
        row.get("created_at"), "created_at"
    )
    batch.add(
        "users",
        str(legacy_id),
        target_id,
        {
            "id": target_id,
            "email": email,
            "password_hash": password,
            "is_active": parse_bool(row.get("is_active"), True),
            "created_at": created or now(),
        },
    )


def _resources_by_id() -> dict[str, ResourceSpec]:
    """Resource id -> the first tool resource declaring it (its type and fields)."""
    found: dict[str, ResourceSpec] = {}
    for spec in get_registry().all():
        for resource in spec.resource_dependencies:
            found.setdefault(resource.id, resource)
    return found


def _connection_row(
    ctx: Context, legacy_user: int, key: str, resource_id: str, values: dict[str, Any]
) -> dict[str, Any]:
    """A credential as a saved connection: fields its resource declares plain stay plain,
    every other field is encrypted (credentials were stored as secrets)."""
    spec = _resources_by_id().get(resource_id)
    plain = {field.name for field in spec.fields if not field.secret} if spec else set()
    created = now()
    return {
        "id": derived_uuid("connection", key),
        "user_id": user_uuid(legacy_user),
        "name": f"{spec.name if spec else resource_id} (imported #{key})"[:255],
        "resource_type": (spec.type if spec else resource_id)[:100],
        "plain_values": to_json({k: v for k, v in values.items() if k in plain and v is not None}),
        "secret_values": to_json({k: encrypt_value(v) for k, v in values.items() if k not in plain and v is not None}),
        "check_status": DEFAULT_CONNECTION_CHECK_STATUS.value,
        "check_message": None,
        "checked_at": None,
        "created_at": created,
        "updated_at": created,
    }


async def import_credentials(ctx: Context, source_users: set[int]) -> None:
    """Read every resource credential into `ctx.credentials` and make it a saved connection of
    its user (`ctx.connections`); orphans are reported."""
    async for rows in ctx.source.batches("resource_credentials", "id", ctx.batch_size):
        batch = Batch()
        for row in rows:
            key = legacy_key(row.get("id"))
            try:
                legacy_user = parse_user_id(row.get("user_id"))
                if legacy_user not in source_users:
                    raise ValueProblem(f"orphan: user {legacy_user} does not exist")
                resource_id = row.get("resource_id")
                if not isinstance(resource_id, str) or not resource_id.strip():
                    raise ValueProblem("resource_id is missing")
                values = json_object(row.get("credentials"), "credentials")
            except ValueProblem as exc:
                ctx.problem("resource_credentials", "resource_credentials", key, str(exc))
                continue
            ctx.credentials.setdefault(legacy_user, {})[resource_id.strip()] = values
            connection = _connection_row(ctx, legacy_user, key, resource_id.strip(), values)
            ctx.connections.setdefault(legacy_user, {})[resource_id.strip()] = connection["id"]
            batch.add("resource_credentials", key, connection["id"], connection, (("users", str(legacy_user)),))
        await ctx.flush(batch)


def resource_configs(
    ctx: Context,
    legacy_user: int,
    tool: ToolSpec | None,
    resource_ids: Iterable[str],
    stored: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """The stored resource configurations of a step: for each resource the step names or its
    tool depends on, the user's saved connection of it (made from the credential) when the
    step held no values of its own, else the values the step held (`stored`, generation B)
    updated with the credential, secret fields encrypted. Fields the tool's resource does not
    declare as plain values are treated as secrets (credentials were stored as secrets)."""
    credentials = ctx.credentials.get(legacy_user, {})
    connections = ctx.connections.get(legacy_user, {})
    stored = stored or {}
    declared = {resource.id: resource for resource in tool.resource_dependencies} if tool else {}
    configs: dict[str, dict[str, Any]] = {}
    for resource_id in dict.fromkeys([*resource_ids, *declared]):
        held = stored.get(resource_id)
        if isinstance(held, dict) and held and set(held) <= {"values", "secrets"}:
            # already in this project's shape, its secrets in plain text
            held = {**(held.get("values") or {}), **(held.get("secrets") or {})}
        if resource_id in connections and not (isinstance(held, dict) and held):
            configs[resource_id] = {CONNECTION_KEY: str(connections[resource_id]), "values": {}, "secrets": {}}
            continue
        values = {**(held if isinstance(held, dict) else {}), **credentials.get(resource_id, {})}
        if not values:
            continue
        spec = declared.get(resource_id)
        plain = {field.name for field in spec.fields if not field.secret} if spec else set()
        cache_key = (legacy_user, resource_id, frozenset(plain), msgspec.json.encode(values, order="sorted"))
        cached = ctx.encrypted.get(cache_key)
        if cached is not None:  # one encryption per user and resource, shared by its steps
            configs[resource_id] = cached
            continue
        entry: dict[str, Any] = {"values": {}, "secrets": {}}
        for name, value in values.items():
            if value is None:
                continue
            if name in plain:
                entry["values"][name] = value
            else:
                entry["secrets"][name] = encrypt_value(value)
        configs[resource_id] = ctx.encrypted[cache_key] = entry
    return configs

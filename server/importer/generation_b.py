"""Generation B: relational tables close to this project's, with stored enum names, retired
values, NULL JSON and the orphans of the earlier `User -> hops` cascade.

Chats (with their messages) are imported first, then missions in batches (with their hops,
steps, assets and mapping rows), then sessions, which need both. Orphans (hops without a
mission, steps without a hop, messages without a chat, mapping rows and assets without
their owner) are found with anti-joins on the source and reported.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from server.database import now, to_json
from server.enums import HopStatus, ToolExecutionStatus
from server.importer.accounts import resource_configs
from server.importer.context import YIELD_EVERY, Batch, Context, prefetched
from server.importer.rows import asset_row, convert_mappings, execution_result, simple_schema, written_assets
from server.importer.values import (
    ASSET_ROLE,
    ASSET_STATUS,
    HOP_INTERRUPTED,
    HOP_STATUS_B,
    INTERRUPTED_HOP,
    INTERRUPTED_STEP,
    MESSAGE_ROLE,
    MISSION_STATUS,
    SCOPE_TYPE,
    SESSION_STATUS,
    STEP_INTERRUPTED,
    STEP_STATUS_B,
    ValueProblem,
    clip,
    convert,
    json_list,
    json_object,
    legacy_key,
    legacy_value,
    parse_bool,
    parse_json,
    parse_time,
    parse_user_id,
    parse_uuid,
    text_list,
    user_uuid,
)
from server.tools.registry import get_registry
from server.tools.schemas import ToolSpec

ORPHANS = (
    (
        "hops",
        "SELECT h.id AS id, h.mission_id AS owner FROM hops h "
        "WHERE NOT EXISTS (SELECT 1 FROM missions m WHERE m.id = h.mission_id)",
        "orphan: its mission {owner} does not exist",
    ),
    (
        "tool_steps",
        "SELECT s.id AS id, s.hop_id AS owner FROM tool_steps s WHERE NOT EXISTS "
        "(SELECT 1 FROM hops h JOIN missions m ON m.id = h.mission_id WHERE h.id = s.hop_id)",
        "orphan: its hop {owner} does not exist (or has no mission)",
    ),
    (
        "mission_assets",
        "SELECT x.id AS id, x.mission_id AS owner FROM mission_assets x "
        "WHERE NOT EXISTS (SELECT 1 FROM missions m WHERE m.id = x.mission_id)",
        "orphan: its mission {owner} does not exist",
    ),
    (
        "hop_assets",
        "SELECT x.id AS id, x.hop_id AS owner FROM hop_assets x WHERE NOT EXISTS "
        "(SELECT 1 FROM hops h JOIN missions m ON m.id = h.mission_id WHERE h.id = x.hop_id)",
        "orphan: its hop {owner} does not exist (or has no mission)",
    ),
    (
        "assets",
        "SELECT a.id AS id, a.scope_id AS owner FROM assets a "
        "WHERE NOT EXISTS (SELECT 1 FROM missions m WHERE m.id = a.scope_id) AND NOT EXISTS "
        "(SELECT 1 FROM hops h JOIN missions m ON m.id = h.mission_id WHERE h.id = a.scope_id)",
        "orphan: its scope {owner} is no mission or hop",
    ),
    (
        "chat_messages",
        "SELECT c.id AS id, c.chat_id AS owner FROM chat_messages c "
        "WHERE NOT EXISTS (SELECT 1 FROM chats h WHERE h.id = c.chat_id)",
        "orphan: its chat {owner} does not exist",
    ),
)


@dataclass
class _Scope:
    hops: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    steps: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    mission_links: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    hop_links: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_scope: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class _Owner:
    key: str
    legacy_user: int
    user_id: UUID
    assets: dict[str, UUID] = field(default_factory=dict)
    """The mission's imported assets: source id -> id."""


async def import_generation_b(ctx: Context, source_users: set[int]) -> None:
    await _import_chats(ctx, source_users)
    tools = get_registry().specs()
    total = await ctx.source.count("missions")
    done = 0
    async for rows, scope in prefetched(
        ctx.source.batches("missions", "id", ctx.batch_size), lambda rows: _read_scope(ctx, rows)
    ):
        batch = Batch()
        for index, row in enumerate(rows):
            _convert_mission(ctx, batch, row, scope, source_users, tools)
            if index % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let the batch being written go on while this one is converted
        await ctx.submit(batch)
        done += len(rows)
        ctx.progress.update("missions", done, total)
    await ctx.drain()
    await _import_sessions(ctx, source_users)
    for entity, sql, reason in ORPHANS:
        for row in await ctx.source.fetch(sql):
            ctx.problem(entity, entity, legacy_key(row.get("id")), reason.format(owner=legacy_key(row.get("owner"))))


def _owner(row: dict[str, Any], source_users: set[int]) -> tuple[int, UUID]:
    legacy_user = parse_user_id(row.get("user_id"))
    if legacy_user not in source_users:
        raise ValueProblem(f"orphan: user {legacy_user} does not exist")
    return legacy_user, user_uuid(legacy_user)


def _times(ctx: Context, table: str, row: dict[str, Any], fallback: Any = None) -> tuple[Any, Any]:
    created = parse_time(row.get("created_at"), "created_at")
    updated = parse_time(row.get("updated_at"), "updated_at")
    if created is None:
        ctx.report.note(table, legacy_key(row.get("id")), "created_at was empty: another timestamp is used")
        created = updated or fallback or now()
    return created, updated or created


async def _import_chats(ctx: Context, source_users: set[int]) -> None:
    async for rows in ctx.source.batches("chats", "id", ctx.batch_size):
        messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        keys = [legacy_key(row.get("id")) for row in rows]
        for message in await ctx.source.fetch_in("SELECT * FROM chat_messages WHERE chat_id IN ({in})", keys):
            messages[legacy_key(message.get("chat_id"))].append(message)
        batch = Batch()
        for row in rows:
            key = legacy_key(row.get("id"))
            try:
                chat_id = parse_uuid(row.get("id"), "id")
                legacy_user, user_id = _owner(row, source_users)
                created, updated = _times(ctx, "chats", row)
                chat = {
                    "id": chat_id,
                    "user_id": user_id,
                    "title": clip(row.get("title"), 255),
                    "context_data": to_json(json_object(row.get("context_data"), "context_data")),
                    "created_at": created,
                    "updated_at": updated,
                }
            except ValueProblem as exc:
                ctx.problem("chats", "chats", key, str(exc))
                ctx.skipped("chat_messages", len(messages.get(key, [])))
                continue
            batch.add("chats", key, chat_id, chat, (("users", str(legacy_user)),))
            _messages(ctx, batch, key, chat_id, user_id, messages.get(key, []), created)
        await ctx.flush(batch)


def _messages(
    ctx: Context, batch: Batch, chat_key: str, chat_id: UUID, user_id: UUID, rows: list[dict[str, Any]], at: Any
) -> None:
    taken: dict[int, str] = {}
    for row in sorted(rows, key=lambda r: (int(r.get("sequence_order") or 0), legacy_key(r.get("id")))):
        key = legacy_key(row.get("id"))
        try:
            message_id = parse_uuid(row.get("id"), "id")
            raw_order = row.get("sequence_order")
            order = -1 if raw_order is None else int(raw_order)
            if order < 0:
                raise ValueProblem("sequence_order is missing")
            if order in taken:
                raise ValueProblem(f"sequence_order {order} is taken by message {taken[order]}")
            content = row.get("content")
            if not isinstance(content, str):
                raise ValueProblem("the message has no content")
            message = {
                "id": message_id,
                "user_id": user_id,
                "chat_id": chat_id,
                "sequence_order": order,
                "role": convert("role", row.get("role"), MESSAGE_ROLE).value,
                "content": content,
                "message_metadata": to_json(json_object(row.get("message_metadata"), "message_metadata")),
                "created_at": parse_time(row.get("created_at"), "created_at") or at,
            }
        except (ValueProblem, TypeError, ValueError) as exc:
            ctx.problem("chat_messages", "chat_messages", key, str(exc))
            continue
        taken[order] = key
        batch.add("chat_messages", key, message_id, message, (("chats", chat_key),))


async def _read_scope(ctx: Context, rows: list[dict[str, Any]]) -> _Scope:
    scope = _Scope()
    keys = [legacy_key(row.get("id")) for row in rows]
    for hop in await ctx.source.fetch_in("SELECT * FROM hops WHERE mission_id IN ({in})", keys):
        scope.hops[legacy_key(hop.get("mission_id"))].append(hop)
    hop_keys = [legacy_key(hop.get("id")) for hops in scope.hops.values() for hop in hops]
    for step in await ctx.source.fetch_in("SELECT * FROM tool_steps WHERE hop_id IN ({in})", hop_keys):
        scope.steps[legacy_key(step.get("hop_id"))].append(step)
    for link in await ctx.source.fetch_in("SELECT * FROM mission_assets WHERE mission_id IN ({in})", keys):
        scope.mission_links[legacy_key(link.get("mission_id"))].append(link)
    for link in await ctx.source.fetch_in("SELECT * FROM hop_assets WHERE hop_id IN ({in})", hop_keys):
        scope.hop_links[legacy_key(link.get("hop_id"))].append(link)
    for asset in await ctx.source.fetch_in("SELECT * FROM assets WHERE scope_id IN ({in})", [*keys, *hop_keys]):
        scope.assets[legacy_key(asset.get("id"))] = asset
        scope.by_scope[legacy_key(asset.get("scope_id"))].append(asset)
    return scope


def _convert_mission(
    ctx: Context,
    batch: Batch,
    row: dict[str, Any],
    scope: _Scope,
    source_users: set[int],
    tools: Mapping[str, ToolSpec],
) -> None:
    key = legacy_key(row.get("id"))
    hops = sorted(scope.hops.get(key, []), key=lambda h: (_order(h), legacy_key(h.get("id"))))
    try:
        mission_id = parse_uuid(row.get("id"), "id")
        legacy_user, user_id = _owner(row, source_users)
        name = row.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueProblem("the mission has no name")
        created, updated = _times(ctx, "missions", row)
        hop_keys = {legacy_key(hop.get("id")) for hop in hops}
        current = legacy_key(row.get("current_hop_id")) or None
        if current is not None and current not in hop_keys:
            ctx.report.note("missions", key, f"current_hop_id {current} is no hop of the mission: cleared")
            current = None
        mission = {
            "id": mission_id,
            "user_id": user_id,
            "name": clip(name, 255),
            "description": row.get("description"),
            "goal": row.get("goal"),
            "success_criteria": to_json(text_list(row.get("success_criteria"), "success_criteria")),
            "status": convert("status", row.get("status"), MISSION_STATUS).value,
            "current_hop_id": parse_uuid(current, "current_hop_id") if current else None,
            "mission_metadata": to_json(json_object(row.get("mission_metadata"), "mission_metadata")),
            "created_at": created,
            "updated_at": updated,
        }
    except ValueProblem as exc:
        ctx.problem("missions", "missions", key, str(exc))
        ctx.skipped("hops", len(hops))
        ctx.skipped("tool_steps", sum(len(scope.steps.get(legacy_key(h.get("id")), [])) for h in hops))
        return
    batch.add("missions", key, mission_id, mission, (("users", str(legacy_user)),))
    owner = _Owner(key, legacy_user, user_id)
    for asset in [
        *scope.by_scope.get(key, []),
        *(a for h in hops for a in scope.by_scope.get(legacy_key(h["id"]), [])),
    ]:
        _asset(ctx, batch, owner, asset)
    _links(ctx, batch, owner, "mission_assets", "mission_id", key, mission_id, scope.mission_links.get(key, []))
    taken: dict[int, str] = {}
    for hop in hops:
        hop_key = legacy_key(hop.get("id"))
        steps = scope.steps.get(hop_key, [])
        try:
            hop_id = _hop(ctx, batch, owner, hop, mission_id, taken, created)
        except ValueProblem as exc:
            ctx.problem("hops", "hops", hop_key, str(exc))
            ctx.skipped("tool_steps", len(steps))
            continue
        _links(ctx, batch, owner, "hop_assets", "hop_id", hop_key, hop_id, scope.hop_links.get(hop_key, []))
        _steps(ctx, batch, owner, hop_key, hop_id, steps, tools, created)


def _order(row: dict[str, Any]) -> int:
    try:
        return int(row.get("sequence_order") or 0)
    except (TypeError, ValueError):
        return 0


def _asset(ctx: Context, batch: Batch, owner: _Owner, asset: dict[str, Any]) -> None:
    key = legacy_key(asset.get("id"))
    try:
        asset_id = parse_uuid(asset.get("id"), "id")
        if batch.holds("assets", asset_id):
            raise ValueProblem("the id appears twice")
        if parse_user_id(asset.get("user_id")) != owner.legacy_user:
            raise ValueProblem(f"belongs to another user than mission {owner.key}")
        content = parse_json(asset.get("content"), "content")
        created, updated = _times(ctx, "assets", asset)
        row = asset_row(
            asset_id=asset_id,
            user_id=owner.user_id,
            name=asset.get("name"),
            description=asset.get("description"),
            schema=simple_schema(asset.get("type"), content, "type"),
            subtype=asset.get("subtype"),
            scope_type=convert("scope_type", asset.get("scope_type"), SCOPE_TYPE),
            scope_id=parse_uuid(asset.get("scope_id"), "scope_id"),
            status=convert("status", asset.get("status"), ASSET_STATUS),
            role=convert("role", asset.get("role"), ASSET_ROLE),
            content=content,
            metadata=json_object(asset.get("asset_metadata"), "asset_metadata"),
            created_at=created,
            updated_at=updated,
        )
    except ValueProblem as exc:
        ctx.problem("assets", "assets", key, str(exc))
        return
    batch.add("assets", key, asset_id, row, (("missions", owner.key),))
    owner.assets[key] = asset_id


def _links(
    ctx: Context,
    batch: Batch,
    owner: _Owner,
    entity: str,
    column: str,
    owner_key: str,
    owner_id: UUID,
    rows: list[dict[str, Any]],
) -> None:
    """Mapping rows (MissionAsset or HopAsset) of one mission or hop."""
    seen: set[UUID] = set()
    parent = "missions" if entity == "mission_assets" else "hops"
    for row in rows:
        key = legacy_key(row.get("id"))
        asset_key = legacy_key(row.get("asset_id"))
        try:
            link_id = parse_uuid(row.get("id"), "id")
            if asset_key not in owner.assets:
                raise ValueProblem(f"asset {asset_key} does not exist among the mission's assets")
            asset_id = owner.assets[asset_key]
            if asset_id in seen:
                raise ValueProblem(f"asset {asset_key} is mapped twice")
            link = {
                "id": link_id,
                "user_id": owner.user_id,
                column: owner_id,
                "asset_id": asset_id,
                "role": convert("role", row.get("role"), ASSET_ROLE).value,
                "created_at": parse_time(row.get("created_at"), "created_at") or now(),
            }
        except ValueProblem as exc:
            ctx.problem(entity, entity, key, str(exc))
            continue
        seen.add(asset_id)
        batch.add(entity, key, link_id, link, ((parent, owner_key), ("assets", asset_key)))


def _hop(
    ctx: Context, batch: Batch, owner: _Owner, hop: dict[str, Any], mission_id: UUID, taken: dict[int, str], at: Any
) -> UUID:
    key = legacy_key(hop.get("id"))
    hop_id = parse_uuid(hop.get("id"), "id")
    if hop.get("sequence_order") is None:
        raise ValueProblem("sequence_order is missing")
    order = _order(hop)
    if order in taken:
        raise ValueProblem(f"sequence_order {order} is taken by hop {taken[order]}")
    name = hop.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueProblem("the hop has no name")
    raw = legacy_value("status", hop.get("status"), HOP_STATUS_B)
    status = HOP_STATUS_B[raw]
    created, updated = _times(ctx, "hops", hop, at)
    error = INTERRUPTED_HOP if raw in HOP_INTERRUPTED else hop.get("error_message")
    row = {
        "id": hop_id,
        "user_id": owner.user_id,
        "mission_id": mission_id,
        "sequence_order": order,
        "name": clip(name, 255),
        "description": hop.get("description"),
        "goal": hop.get("goal"),
        "success_criteria": to_json(text_list(hop.get("success_criteria"), "success_criteria")),
        "rationale": hop.get("rationale"),
        "status": status.value,
        "is_final": parse_bool(hop.get("is_final"), False),
        "is_resolved": parse_bool(hop.get("is_resolved"), status is HopStatus.COMPLETED),
        "error_message": None if error in (None, "") else str(error),
        "hop_metadata": to_json(json_object(hop.get("hop_metadata"), "hop_metadata")),
        "intended_input_asset_ids": to_json(_ids(hop.get("intended_input_asset_ids"), "intended_input_asset_ids")),
        "intended_output_asset_ids": to_json(_ids(hop.get("intended_output_asset_ids"), "intended_output_asset_ids")),
        "intended_output_asset_specs": to_json(
            [s for s in json_list(hop.get("intended_output_asset_specs"), "specs") if isinstance(s, dict)]
        ),
        "created_at": created,
        "updated_at": updated,
    }
    taken[order] = key
    batch.add("hops", key, hop_id, row, (("missions", owner.key),))
    return hop_id


def _ids(raw: Any, what: str) -> list[str]:
    return [str(parse_uuid(value, what)) for value in json_list(raw, what)]


def _steps(
    ctx: Context,
    batch: Batch,
    owner: _Owner,
    hop_key: str,
    hop_id: UUID,
    steps: list[dict[str, Any]],
    tools: Mapping[str, ToolSpec],
    at: Any,
) -> None:
    taken: dict[int, str] = {}
    for step in sorted(steps, key=lambda s: (_order(s), legacy_key(s.get("id")))):
        key = legacy_key(step.get("id"))
        try:
            if step.get("sequence_order") is None:
                raise ValueProblem("sequence_order is missing")
            order = _order(step)
            if order in taken:
                raise ValueProblem(f"sequence_order {order} is taken by step {taken[order]}")
            row, used = _step_row(ctx, owner, hop_id, step, order, tools, at)
        except ValueProblem as exc:
            ctx.problem("tool_steps", "tool_steps", key, str(exc))
            continue
        taken[order] = key
        batch.add("tool_steps", key, row["id"], row, (("hops", hop_key), *(("assets", k) for k in used)))


def _step_row(
    ctx: Context,
    owner: _Owner,
    hop_id: UUID,
    step: dict[str, Any],
    order: int,
    tools: Mapping[str, ToolSpec],
    at: Any,
) -> tuple[dict[str, Any], list[str]]:
    step_id = parse_uuid(step.get("id"), "id")
    tool_id = step.get("tool_id")
    if not isinstance(tool_id, str) or not tool_id.strip():
        raise ValueProblem("the step has no tool_id")
    tool_id = tool_id.strip()
    raw = legacy_value("status", step.get("status"), STEP_STATUS_B)
    status = STEP_STATUS_B[raw]
    used: list[str] = []

    def resolve(value: Any) -> UUID:
        asset_key = legacy_key(value)
        if asset_key not in owner.assets:
            raise ValueProblem(f"state_asset {asset_key} does not exist among the mission's assets")
        used.append(asset_key)
        return owner.assets[asset_key]

    parameters = convert_mappings(
        json_object(step.get("parameter_mapping"), "parameter_mapping"), result=False, resolve=resolve, what="parameter"
    )
    results = convert_mappings(
        json_object(step.get("result_mapping"), "result_mapping"), result=True, resolve=resolve, what="result"
    )
    stored = json_object(step.get("resource_configs"), "resource_configs")
    started = parse_time(step.get("started_at"), "started_at")
    completed = parse_time(step.get("completed_at"), "completed_at")
    created, updated = _times(ctx, "tool_steps", step, at)
    error = INTERRUPTED_STEP if raw in STEP_INTERRUPTED else step.get("error_message")
    row = {
        "id": step_id,
        "user_id": owner.user_id,
        "hop_id": hop_id,
        "tool_id": clip(tool_id, 100),
        "sequence_order": order,
        "name": clip(step.get("name") or tool_id, 255),
        "description": step.get("description"),
        "status": status.value,
        "parameter_mapping": to_json(parameters),
        "result_mapping": to_json(results),
        "resource_configs": to_json(resource_configs(ctx, owner.legacy_user, tools.get(tool_id), stored, stored)),
        "validation_errors": to_json(text_list(step.get("validation_errors"), "validation_errors")),
        "execution_result": execution_result(
            parse_json(step.get("execution_result"), "execution_result"),
            written=written_assets(results) if status is ToolExecutionStatus.COMPLETED else [],
            started=started,
            completed=completed,
        ),
        "error_message": None if error in (None, "") else str(error),
        "created_at": created,
        "updated_at": updated,
        "started_at": started,
        "completed_at": completed,
    }
    return row, list(dict.fromkeys(used))


async def _import_sessions(ctx: Context, source_users: set[int]) -> None:
    chats: dict[str, str] = {}
    async for rows in ctx.source.batches("user_sessions", "id", ctx.batch_size):
        batch = Batch()
        for row in rows:
            key = legacy_key(row.get("id"))
            try:
                session_id = parse_uuid(row.get("id"), "id")
                legacy_user, user_id = _owner(row, source_users)
                chat_key = legacy_key(row.get("chat_id"))
                if not chat_key:
                    raise ValueProblem("the session has no chat")
                if chats.setdefault(chat_key, key) != key:
                    raise ValueProblem(f"chat {chat_key} already belongs to session {chats[chat_key]}")
                mission_key = legacy_key(row.get("mission_id")) or None
                if mission_key and ("missions", mission_key) not in ctx.available:
                    ctx.report.note("user_sessions", key, f"mission {mission_key} was not imported: no mission kept")
                    mission_key = None
                created, updated = _times(ctx, "user_sessions", row)
                session = {
                    "id": session_id,
                    "user_id": user_id,
                    "name": clip(row.get("name"), 255),
                    "status": convert("status", row.get("status"), SESSION_STATUS).value,
                    "chat_id": parse_uuid(chat_key, "chat_id"),
                    "mission_id": parse_uuid(mission_key, "mission_id") if mission_key else None,
                    "session_metadata": to_json(json_object(row.get("session_metadata"), "session_metadata")),
                    "created_at": created,
                    "updated_at": updated,
                    "last_activity_at": parse_time(row.get("last_activity_at"), "last_activity_at") or updated,
                }
            except ValueProblem as exc:
                ctx.problem("user_sessions", "user_sessions", key, str(exc))
                continue
            batch.add("user_sessions", key, session_id, session, (("users", str(legacy_user)), ("chats", chat_key)))
        await ctx.flush(batch)

"""Generation A: hops stored as JSON in `missions.current_hop` and `missions.hop_history`.

Per batch of missions: their tool executions and the assets they scope or name are read,
then each mission becomes a Mission row, each hop object a Hop row (`sequence_order` by
position, history first, then the current hop), each step object a ToolStep row, and the
assets and their mission/hop mappings rows. A step's `state_asset` is a local key of its
hop: it is resolved through the hop's `input_mapping`, `output_mapping`, `hop_state`, the
hop's assets' `asset_key` and the executions' `hop_state_asset_ids`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from server.database import now, to_json
from server.enums import AssetRole, AssetScopeType, AssetStatus, HopStatus, ToolExecutionStatus
from server.importer.accounts import resource_configs
from server.importer.context import Batch, Context, prefetched
from server.importer.rows import (
    asset_row,
    convert_mappings,
    execution_result,
    link_row,
    schema_definition,
    simple_schema,
    step_name,
    written_assets,
)
from server.importer.values import (
    ASSET_ROLE,
    ASSET_STATUS,
    EXECUTION_STATUS_A,
    HOP_INTERRUPTED,
    HOP_STATUS_A,
    INTERRUPTED_HOP,
    INTERRUPTED_STEP,
    MISSION_STATUS,
    SCOPE_TYPE,
    STEP_INTERRUPTED,
    STEP_STATUS_A,
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


@dataclass
class _Scope:
    """What one batch read besides its missions, indexed for the conversion."""

    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Asset rows by id."""
    by_scope: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    """Asset rows by scope_id (a mission or hop id)."""
    executions: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    """Tool executions by mission id."""
    hops: dict[str, list[tuple[dict[str, Any], bool]]] = field(default_factory=dict)
    """The hop objects of each mission (decoded once)."""
    hop_errors: dict[str, str] = field(default_factory=dict)
    """Why a mission's hops cannot be read, by mission id."""


@dataclass
class _Mission:
    """A mission being converted: its ids, owner and the assets it may link."""

    key: str
    id: UUID
    legacy_user: int
    user_id: UUID
    created_at: datetime
    updated_at: datetime
    row: dict[str, Any] = field(default_factory=dict)
    """The Mission row (its current hop is set once the hops are converted)."""
    assets: dict[str, UUID] = field(default_factory=dict)
    """Assets converted with this mission: source id -> id."""
    invalid_assets: set[str] = field(default_factory=set)
    """Source ids of assets reported as problems (reported once)."""


async def import_generation_a(ctx: Context, source_users: set[int]) -> None:
    tools = get_registry().specs()
    total = await ctx.source.count("missions")
    done = 0
    read_assets: set[str] = set()
    async for rows, scope in prefetched(
        ctx.source.batches("missions", "id", ctx.batch_size), lambda rows: _read_scope(ctx, rows)
    ):
        batch = Batch()
        for row in rows:
            _convert_mission(ctx, batch, row, scope, source_users, tools)
        await ctx.submit(batch)
        read_assets.update(scope.assets)
        done += len(rows)
        ctx.progress.update("missions", done, total)
    await ctx.drain()
    await _orphan_executions(ctx)
    await _orphan_assets(ctx, read_assets)


def _hop_objects(row: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """The mission's hop objects in order, each with whether it is the current hop; a current
    hop that is also the last of the history is taken once, as the current one."""
    history = json_list(row.get("hop_history"), "hop_history")
    current = parse_json(row.get("current_hop"), "current_hop")
    if current is not None and not isinstance(current, dict):
        raise ValueProblem("current_hop is not a hop object")
    hops: list[tuple[dict[str, Any], bool]] = [(hop, False) for hop in history if isinstance(hop, dict)]
    if isinstance(current, dict):
        hops = [(hop, False) for hop, _ in hops if hop.get("id") != current.get("id") or not current.get("id")]
        hops.append((current, True))
    return hops


async def _read_scope(ctx: Context, rows: list[dict[str, Any]]) -> _Scope:
    scope = _Scope()
    mission_keys = [legacy_key(row.get("id")) for row in rows]
    for execution in await ctx.source.fetch_in(
        "SELECT * FROM tool_executions WHERE mission_id IN ({in})", mission_keys
    ):
        scope.executions[legacy_key(execution.get("mission_id"))].append(execution)
    scope_ids = list(mission_keys)
    referenced: list[str] = []
    for row in rows:
        for name in ("input_asset_ids", "output_asset_ids"):
            try:
                referenced.extend(legacy_key(value) for value in json_list(row.get(name), name))
            except ValueProblem:
                pass
        key = legacy_key(row.get("id"))
        try:
            hops = scope.hops[key] = _hop_objects(row)
        except ValueProblem as exc:
            scope.hop_errors[key] = str(exc)
            continue
        for hop, _ in hops:
            scope_ids.append(legacy_key(hop.get("id")))
            for name in ("input_mapping", "output_mapping"):
                mapping = hop.get(name)
                if isinstance(mapping, dict):
                    referenced.extend(legacy_key(value) for value in mapping.values())
    for asset in await ctx.source.fetch_in("SELECT * FROM assets WHERE scope_id IN ({in})", scope_ids):
        scope.assets[legacy_key(asset.get("id"))] = asset
    missing = [key for key in referenced if key and key not in scope.assets]
    for asset in await ctx.source.fetch_in("SELECT * FROM assets WHERE id IN ({in})", missing):
        scope.assets[legacy_key(asset.get("id"))] = asset
    for asset in scope.assets.values():
        scope.by_scope[legacy_key(asset.get("scope_id"))].append(asset)
    return scope


def _count_skipped_tree(ctx: Context, scope: _Scope, key: str) -> None:
    hops = scope.hops.get(key, [])
    ctx.skipped("hops", len(hops))
    ctx.skipped("tool_steps", sum(len(hop.get("tool_steps") or []) for hop, _ in hops))
    ctx.skipped("tool_executions", len(scope.executions.get(key, [])))
    scoped = [key, *(legacy_key(hop.get("id")) for hop, _ in hops)]
    ctx.skipped("assets", sum(len(scope.by_scope.get(scope_id, [])) for scope_id in scoped))


def _convert_mission(
    ctx: Context,
    batch: Batch,
    row: dict[str, Any],
    scope: _Scope,
    source_users: set[int],
    tools: Mapping[str, ToolSpec],
) -> None:
    key = legacy_key(row.get("id"))
    try:
        mission = _mission_row(ctx, batch, row, key, source_users, scope.hop_errors)
    except ValueProblem as exc:
        ctx.problem("missions", "missions", key, str(exc))
        _count_skipped_tree(ctx, scope, key)
        return
    _mission_assets(ctx, batch, mission, row, scope)
    step_ids: dict[str, tuple[str, UUID]] = {}
    current_hop_id: UUID | None = None
    executions = _executions_by_step(scope.executions.get(key, []))
    hops = scope.hops.get(key, [])
    for position, (hop, current) in enumerate(hops):
        hop_id = _convert_hop(ctx, batch, mission, hop, position, current, scope, executions, tools, step_ids)
        if current:
            current_hop_id = hop_id
    mission.row["current_hop_id"] = current_hop_id
    known = {legacy_key(s.get("id")) for hop, _ in hops for s in hop.get("tool_steps") or [] if isinstance(s, dict)}
    _convert_executions(ctx, batch, mission, scope.executions.get(key, []), step_ids, known)


def _mission_row(
    ctx: Context, batch: Batch, row: dict[str, Any], key: str, source_users: set[int], hop_errors: dict[str, str]
) -> _Mission:
    mission_id = parse_uuid(row.get("id"), "id")
    legacy_user = parse_user_id(row.get("user_id"))
    if legacy_user not in source_users:
        raise ValueProblem(f"orphan: user {legacy_user} does not exist")
    if batch.holds("missions", mission_id):
        raise ValueProblem("the id appears twice")
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueProblem("the mission has no name")
    status = convert("status", row.get("status"), MISSION_STATUS)
    if key in hop_errors:
        raise ValueProblem(hop_errors[key])
    created = parse_time(row.get("created_at"), "created_at")
    updated = parse_time(row.get("updated_at"), "updated_at")
    if created is None:
        ctx.report.note("missions", key, "created_at was empty: updated_at (or the import time) is used")
        created = updated or now()
    mission = _Mission(key, mission_id, legacy_user, user_uuid(legacy_user), created, updated or created)
    mission.row = {
        "id": mission_id,
        "user_id": mission.user_id,
        "name": clip(name, 255),
        "description": row.get("description"),
        "goal": row.get("goal"),
        "success_criteria": to_json(text_list(row.get("success_criteria"), "success_criteria")),
        "status": status.value,
        "current_hop_id": None,
        "mission_metadata": to_json({}),
        "created_at": mission.created_at,
        "updated_at": mission.updated_at,
    }
    batch.add("missions", key, mission_id, mission.row, (("users", str(legacy_user)),))
    return mission


def _asset_from_row(
    ctx: Context, batch: Batch, mission: _Mission, asset: dict[str, Any], default_role: AssetRole
) -> UUID | None:
    """An `assets` row of the mission or one of its hops as an Asset item; None when invalid."""
    key = legacy_key(asset.get("id"))
    if key in mission.assets:
        return mission.assets[key]
    if key in mission.invalid_assets:
        return None
    try:
        asset_id = parse_uuid(asset.get("id"), "id")
        if batch.holds("assets", asset_id):
            raise ValueProblem("the id appears twice")
        if parse_user_id(asset.get("user_id")) != mission.legacy_user:
            raise ValueProblem(f"belongs to another user than mission {mission.key}")
        content = parse_json(asset.get("content"), "content")
        role = default_role if asset.get("role") in (None, "") else convert("role", asset.get("role"), ASSET_ROLE)
        metadata = json_object(asset.get("asset_metadata"), "asset_metadata")
        if asset.get("asset_key"):
            metadata = {**metadata, "legacy_asset_key": str(asset["asset_key"])}
        created = parse_time(asset.get("created_at"), "created_at") or mission.created_at
        batch.add(
            "assets",
            key,
            asset_id,
            asset_row(
                asset_id=asset_id,
                user_id=mission.user_id,
                name=asset.get("name"),
                description=asset.get("description"),
                schema=simple_schema(asset.get("type"), content, "type"),
                subtype=asset.get("subtype"),
                scope_type=convert("scope_type", asset.get("scope_type"), SCOPE_TYPE),
                scope_id=parse_uuid(asset.get("scope_id"), "scope_id"),
                status=AssetStatus.READY if content is not None else AssetStatus.PENDING,
                role=role,
                content=content,
                metadata=metadata,
                created_at=created,
                updated_at=parse_time(asset.get("updated_at"), "updated_at") or created,
            ),
            (("missions", mission.key),),
        )
    except ValueProblem as exc:
        mission.invalid_assets.add(key)
        ctx.problem("assets", "assets", key, str(exc))
        return None
    mission.assets[key] = asset_id
    return asset_id


def _mission_assets(ctx: Context, batch: Batch, mission: _Mission, row: dict[str, Any], scope: _Scope) -> None:
    """The mission-scoped assets and the MissionAsset rows: `input_asset_ids`, then
    `output_asset_ids`, then the other assets scoped to the mission (intermediate)."""
    wanted: dict[str, AssetRole] = {}
    for name, role in (("input_asset_ids", AssetRole.INPUT), ("output_asset_ids", AssetRole.OUTPUT)):
        try:
            values = json_list(row.get(name), name)
        except ValueProblem as exc:
            ctx.problem("mission_assets", "missions", mission.key, str(exc))
            continue
        for value in values:
            wanted.setdefault(legacy_key(value), role)
    for asset in scope.by_scope.get(mission.key, []):
        wanted.setdefault(legacy_key(asset.get("id")), AssetRole.INTERMEDIATE)
    for asset_key, role in wanted.items():
        link = f"{mission.key}/{asset_key}"
        found = scope.assets.get(asset_key)
        if found is None:
            ctx.problem("mission_assets", "missions", mission.key, f"asset {asset_key} does not exist")
            continue
        asset = found
        if legacy_key(asset.get("scope_id")) != mission.key:
            ctx.problem("mission_assets", "missions", mission.key, f"asset {asset_key} is scoped to another mission")
            continue
        asset_id = _asset_from_row(ctx, batch, mission, asset, role)
        if asset_id is None:
            ctx.skipped("mission_assets")
            continue
        link_id, link_values = link_row(
            "mission_assets",
            owner_column="mission_id",
            owner_id=mission.id,
            asset_id=asset_id,
            user_id=mission.user_id,
            role=role,
            at=mission.created_at,
        )
        batch.add("mission_assets", link, link_id, link_values, (("missions", mission.key), ("assets", asset_key)))


def _executions_by_step(executions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest execution of each step (by completion, then update, then creation)."""
    latest: dict[str, dict[str, Any]] = {}

    def when(execution: dict[str, Any]) -> str:
        for name in ("completed_at", "updated_at", "created_at"):
            try:
                value = parse_time(execution.get(name), name)
            except ValueProblem:
                value = None
            if value is not None:
                return value.isoformat()
        return ""

    for execution in executions:
        step = legacy_key(execution.get("step_id"))
        if step not in latest or when(execution) >= when(latest[step]):
            latest[step] = execution
    return latest


def _convert_hop(
    ctx: Context,
    batch: Batch,
    mission: _Mission,
    hop: dict[str, Any],
    position: int,
    current: bool,
    scope: _Scope,
    executions: dict[str, dict[str, Any]],
    tools: Mapping[str, ToolSpec],
    step_ids: dict[str, tuple[str, UUID]],
) -> UUID | None:
    key = legacy_key(hop.get("id"))
    steps = hop.get("tool_steps") or []
    try:
        hop_id, local = _hop_row(ctx, batch, mission, hop, position, current, scope, executions)
    except ValueProblem as exc:
        ctx.problem("hops", "missions.current_hop" if current else "missions.hop_history", key or mission.key, str(exc))
        ctx.skipped("tool_steps", len(steps) if isinstance(steps, list) else 0)
        ctx.skipped("assets", len(scope.by_scope.get(key, [])))
        return None
    if not isinstance(steps, list):
        ctx.problem("tool_steps", "hops", key, "tool_steps is not a list")
        return hop_id
    for order, step in enumerate(steps):
        step_key = legacy_key(step.get("id")) if isinstance(step, dict) else ""
        try:
            if not isinstance(step, dict):
                raise ValueProblem("the step is not an object")
            step_id = _step_row(ctx, batch, mission, key, hop_id, step, order, local, executions, tools)
        except ValueProblem as exc:
            ctx.problem("tool_steps", "hops.tool_steps", step_key or f"{key}[{order}]", str(exc))
            continue
        step_ids[step_key] = (step_key, step_id)
    return hop_id


def _resolve_locals(
    ctx: Context,
    batch: Batch,
    mission: _Mission,
    hop: dict[str, Any],
    hop_id: UUID,
    scope: _Scope,
    executions: dict[str, dict[str, Any]],
) -> tuple[dict[str, str], dict[str, AssetRole]]:
    """Local key -> source id of the asset it stands for, and the hop's asset map (source id
    -> role): mappings first, then the hop's own assets by `asset_key`, the `hop_state`
    objects and the executions' `hop_state_asset_ids`."""
    key = legacy_key(hop.get("id"))
    local: dict[str, str] = {}
    roles: dict[str, AssetRole] = {}
    for name, role in (("input_mapping", AssetRole.INPUT), ("output_mapping", AssetRole.OUTPUT)):
        for local_key, value in json_object(hop.get(name), name).items():
            local.setdefault(str(local_key), legacy_key(value))
            roles.setdefault(legacy_key(value), role)
    for asset in scope.by_scope.get(key, []):
        if _asset_from_row(ctx, batch, mission, asset, AssetRole.INTERMEDIATE) is not None:
            roles.setdefault(legacy_key(asset.get("id")), AssetRole.INTERMEDIATE)
            if asset.get("asset_key"):
                local.setdefault(str(asset["asset_key"]), legacy_key(asset.get("id")))
    for local_key, obj in json_object(hop.get("hop_state"), "hop_state").items():
        if str(local_key) in local or not isinstance(obj, dict) or not obj.get("id"):
            continue
        if _state_asset(ctx, batch, mission, hop_id, obj, scope) is not None:
            local[str(local_key)] = legacy_key(obj.get("id"))
            roles.setdefault(legacy_key(obj.get("id")), AssetRole.INTERMEDIATE)
    for execution in executions.values():
        ids = parse_json(execution.get("hop_state_asset_ids"), "hop_state_asset_ids")
        if isinstance(ids, dict):
            for local_key, value in ids.items():
                local.setdefault(str(local_key), legacy_key(value))
    return local, roles


def _state_asset(
    ctx: Context, batch: Batch, mission: _Mission, hop_id: UUID, obj: dict[str, Any], scope: _Scope
) -> UUID | None:
    """The asset a `hop_state` object stands for: its `assets` row when there is one, else a
    hop-scoped asset made from the object."""
    key = legacy_key(obj.get("id"))
    if key in mission.assets:
        return mission.assets[key]
    if key in scope.assets:
        return _asset_from_row(ctx, batch, mission, scope.assets[key], AssetRole.INTERMEDIATE)
    if key in mission.invalid_assets:
        return None
    try:
        asset_id = parse_uuid(obj.get("id"), "id")
        if batch.holds("assets", asset_id):
            raise ValueProblem("the id appears twice")
        content = obj.get("value")
        raw_status, raw_schema = obj.get("status"), obj.get("schema_definition")
        status = (
            convert("status", raw_status, ASSET_STATUS)
            if raw_status not in (None, "")
            else (AssetStatus.READY if content is not None else AssetStatus.PENDING)
        )
        schema = (
            schema_definition(raw_schema, "schema_definition")
            if raw_schema
            else simple_schema("object", content, "type")
        )
        role = AssetRole.INTERMEDIATE if obj.get("role") in (None, "") else convert("role", obj["role"], ASSET_ROLE)
        raw_metadata = obj.get("asset_metadata")
        metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
        row = asset_row(
            asset_id=asset_id,
            user_id=mission.user_id,
            name=obj.get("name"),
            description=obj.get("description"),
            schema=schema,
            subtype=obj.get("subtype"),
            scope_type=AssetScopeType.HOP,
            scope_id=hop_id,
            status=status,
            role=role,
            content=content,
            metadata=metadata or {},
            created_at=mission.created_at,
            updated_at=mission.updated_at,
        )
    except ValueProblem as exc:
        mission.invalid_assets.add(key)
        ctx.problem("assets", "hops.hop_state", key, str(exc))
        return None
    batch.add("assets", key, asset_id, row, (("missions", mission.key),))
    mission.assets[key] = asset_id
    return asset_id


def _hop_row(
    ctx: Context,
    batch: Batch,
    mission: _Mission,
    hop: dict[str, Any],
    position: int,
    current: bool,
    scope: _Scope,
    executions: dict[str, dict[str, Any]],
) -> tuple[UUID, dict[str, str]]:
    key = legacy_key(hop.get("id"))
    hop_id = parse_uuid(hop.get("id"), "id")
    if batch.holds("hops", hop_id):
        raise ValueProblem("the id appears twice")
    name = hop.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueProblem("the hop has no name")
    raw, status = "all_hops_complete", HopStatus.COMPLETED  # a hop of the history is done
    if current:
        raw = legacy_value("status", hop.get("status"), HOP_STATUS_A)
        status = HOP_STATUS_A[raw]
    error = INTERRUPTED_HOP if raw in HOP_INTERRUPTED else hop.get("error")
    created = parse_time(hop.get("created_at"), "created_at")
    if created is None:
        ctx.report.note("hops", key, "created_at was empty: the mission's is used")
        created = mission.created_at
    hop_steps = {legacy_key(s.get("id")) for s in hop.get("tool_steps") or [] if isinstance(s, dict)}
    own = {step: execution for step, execution in executions.items() if step in hop_steps}
    local, roles = _resolve_locals(ctx, batch, mission, hop, hop_id, scope, own)
    intended = {
        role: [str(mission.assets[k]) for k, r in roles.items() if r is role and k in mission.assets]
        for role in (AssetRole.INPUT, AssetRole.OUTPUT)
    }
    row = {
        "id": hop_id,
        "user_id": mission.user_id,
        "mission_id": mission.id,
        "sequence_order": position,
        "name": clip(name, 255),
        "description": hop.get("description"),
        "goal": None,
        "success_criteria": to_json([]),
        "rationale": hop.get("rationale"),
        "status": status.value,
        "is_final": parse_bool(hop.get("is_final"), False),
        "is_resolved": parse_bool(hop.get("is_resolved"), status is HopStatus.COMPLETED),
        "error_message": None if error in (None, "") else str(error),
        "hop_metadata": to_json({}),
        "intended_input_asset_ids": to_json(intended[AssetRole.INPUT]),
        "intended_output_asset_ids": to_json(intended[AssetRole.OUTPUT]),
        "intended_output_asset_specs": to_json([]),
        "created_at": created,
        "updated_at": parse_time(hop.get("updated_at"), "updated_at") or created,
    }
    batch.add("hops", key, hop_id, row, (("missions", mission.key),))
    _hop_links(ctx, batch, mission, key, hop_id, roles, created)
    return hop_id, local


def _hop_links(
    ctx: Context, batch: Batch, mission: _Mission, key: str, hop_id: UUID, roles: dict[str, AssetRole], at: datetime
) -> None:
    for asset_key, role in roles.items():
        asset_id = mission.assets.get(asset_key)
        if asset_id is None:
            if asset_key not in mission.invalid_assets:
                ctx.problem("hop_assets", "hops", key, f"asset {asset_key} does not exist among the mission's assets")
            else:
                ctx.skipped("hop_assets")
            continue
        link_id, row = link_row(
            "hop_assets",
            owner_column="hop_id",
            owner_id=hop_id,
            asset_id=asset_id,
            user_id=mission.user_id,
            role=role,
            at=at,
        )
        batch.add("hop_assets", f"{key}/{asset_key}", link_id, row, (("hops", key), ("assets", asset_key)))


def _step_row(
    ctx: Context,
    batch: Batch,
    mission: _Mission,
    hop_key: str,
    hop_id: UUID,
    step: dict[str, Any],
    order: int,
    local: dict[str, str],
    executions: dict[str, dict[str, Any]],
    tools: Mapping[str, ToolSpec],
) -> UUID:
    key = legacy_key(step.get("id"))
    step_id = parse_uuid(step.get("id"), "id")
    if batch.holds("tool_steps", step_id):
        raise ValueProblem("the id appears twice")
    tool_id = step.get("tool_id")
    if not isinstance(tool_id, str) or not tool_id.strip():
        raise ValueProblem("the step has no tool_id")
    tool_id = tool_id.strip()
    raw_status = legacy_value("status", step.get("status"), STEP_STATUS_A)
    status = STEP_STATUS_A[raw_status]
    used: list[str] = []

    def resolve(local_key: Any) -> UUID:
        if not isinstance(local_key, str) or local_key not in local:
            raise ValueProblem(f"state_asset `{local_key}` is not a key of the hop's hop_state or mappings")
        asset_id = mission.assets.get(local[local_key])
        if asset_id is None:
            raise ValueProblem(f"state_asset `{local_key}` stands for asset {local[local_key]}, which does not exist")
        used.append(local[local_key])
        return asset_id

    parameters = convert_mappings(
        json_object(step.get("parameter_mapping"), "parameter_mapping"), result=False, resolve=resolve, what="parameter"
    )
    results = convert_mappings(
        json_object(step.get("result_mapping"), "result_mapping"), result=True, resolve=resolve, what="result"
    )
    execution = executions.get(key, {})
    started = parse_time(execution.get("started_at"), "started_at")
    completed = parse_time(execution.get("completed_at"), "completed_at")
    error = INTERRUPTED_STEP if raw_status in STEP_INTERRUPTED else step.get("error") or execution.get("error_message")
    created = parse_time(step.get("created_at"), "created_at") or mission.created_at
    configs = resource_configs(
        ctx, mission.legacy_user, tools.get(tool_id), json_object(step.get("resource_configs"), "resource_configs")
    )
    row = {
        "id": step_id,
        "user_id": mission.user_id,
        "hop_id": hop_id,
        "tool_id": clip(tool_id, 100),
        "sequence_order": order,
        "name": step_name(step.get("description"), tool_id),
        "description": step.get("description"),
        "status": status.value,
        "parameter_mapping": to_json(parameters),
        "result_mapping": to_json(results),
        "resource_configs": to_json(configs),
        "validation_errors": to_json(text_list(step.get("validation_errors"), "validation_errors")),
        "execution_result": execution_result(
            parse_json(execution.get("execution_result"), "execution_result"),
            written=written_assets(results) if status is ToolExecutionStatus.COMPLETED else [],
            started=started,
            completed=completed,
        ),
        "error_message": None if error in (None, "") else str(error),
        "created_at": created,
        "updated_at": parse_time(step.get("updated_at"), "updated_at") or created,
        "started_at": started,
        "completed_at": completed,
    }
    batch.add("tool_steps", key, step_id, row, (("hops", hop_key), *(("assets", k) for k in dict.fromkeys(used))))
    return step_id


def _convert_executions(
    ctx: Context,
    batch: Batch,
    mission: _Mission,
    executions: list[dict[str, Any]],
    step_ids: dict[str, tuple[str, UUID]],
    known: set[str],
) -> None:
    """Each tool execution is merged into its step (the latest one fills the step); one whose
    step is not among the mission's steps is reported; one whose step was skipped is skipped."""
    latest = {id(execution) for execution in _executions_by_step(executions).values()}
    for execution in executions:
        key = legacy_key(execution.get("id"))
        step_key = legacy_key(execution.get("step_id"))
        try:
            legacy_value("status", execution.get("status"), EXECUTION_STATUS_A)
            if step_key in known and step_key not in step_ids:
                ctx.skipped("tool_executions")
                continue
            if step_key not in step_ids:
                raise ValueProblem(f"step {step_key} is not a step of mission {mission.key}")
        except ValueProblem as exc:
            ctx.problem("tool_executions", "tool_executions", key, str(exc))
            continue
        if id(execution) not in latest:
            ctx.report.note("tool_executions", key, f"an earlier run of step {step_key}; the latest run is kept")
            ctx.skipped("tool_executions")
            continue
        batch.add("tool_executions", key, step_ids[step_key][1], None, (("tool_steps", step_key),))


async def _orphan_executions(ctx: Context) -> None:
    """Tool executions whose mission does not exist (never read with a batch)."""
    rows = await ctx.source.fetch(
        "SELECT e.id AS id, e.mission_id AS mission_id FROM tool_executions e "
        "LEFT JOIN missions m ON m.id = e.mission_id WHERE m.id IS NULL"
    )
    for row in rows:
        ctx.problem(
            "tool_executions",
            "tool_executions",
            legacy_key(row.get("id")),
            f"orphan: mission {legacy_key(row.get('mission_id'))} does not exist",
        )


async def _orphan_assets(ctx: Context, read_assets: set[str]) -> None:
    """Assets that no mission read: their scope is no mission and no hop of a mission."""
    async for rows in ctx.source.batches("assets", "id", ctx.batch_size * 20, columns="id, scope_id"):
        for row in rows:
            if legacy_key(row.get("id")) not in read_assets:
                ctx.problem(
                    "assets",
                    "assets",
                    legacy_key(row.get("id")),
                    f"orphan: its scope {legacy_key(row.get('scope_id'))} is no mission or hop",
                )

"""Generation A: hops stored as JSON in `missions.current_hop` and `missions.hop_history`.

Per batch of missions: their tool executions and the assets they scope or name are read,
then each mission becomes a Mission row, each hop object a Hop row (`sequence_order` by
position, history first, then the current hop), each step object a ToolStep row, and the
assets and their mission/hop mappings rows. A step's `state_asset` is a local key of its
hop: it is resolved through the hop's `input_mapping`, `output_mapping`, `hop_state`, the
hop's assets' `asset_key` and the executions' `hop_state_asset_ids`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from server.database import now, to_json
from server.enums import AssetRole, HopStatus, ToolExecutionStatus
from server.importer.accounts import resource_configs
from server.importer.context import YIELD_EVERY, Batch, Context, prefetched
from server.importer.generation_a_assets import (
    MissionState,
    Scope,
    asset_from_row,
    hop_links,
    mission_assets,
    read_scope,
    state_asset,
)
from server.importer.rows import (
    convert_mappings,
    execution_result,
    step_name,
    written_assets,
)
from server.importer.values import (
    EXECUTION_STATUS_A,
    HOP_INTERRUPTED,
    HOP_STATUS_A,
    INTERRUPTED_HOP,
    INTERRUPTED_STEP,
    MISSION_STATUS,
    STEP_INTERRUPTED,
    STEP_STATUS_A,
    ValueProblem,
    clip,
    convert,
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


async def import_generation_a(ctx: Context, source_users: set[int]) -> None:
    tools = get_registry().specs()
    total = await ctx.source.count("missions")
    done = 0
    read_assets: set[str] = set()
    async for rows, scope in prefetched(
        ctx.source.batches("missions", "id", ctx.batch_size), lambda rows: read_scope(ctx, rows)
    ):
        batch = Batch()
        for index, row in enumerate(rows):
            _convert_mission(ctx, batch, row, scope, source_users, tools)
            if index % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let the batch being written go on while this one is converted
        await ctx.submit(batch)
        read_assets.update(scope.assets)
        done += len(rows)
        ctx.progress.update("missions", done, total)
    await ctx.drain()
    await _orphan_executions(ctx)
    await _orphan_assets(ctx, read_assets)


def _count_skipped_tree(ctx: Context, scope: Scope, key: str) -> None:
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
    scope: Scope,
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
    mission_assets(ctx, batch, mission, row, scope)
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
) -> MissionState:
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
    mission = MissionState(key, mission_id, legacy_user, user_uuid(legacy_user), created, updated or created)
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
    mission: MissionState,
    hop: dict[str, Any],
    position: int,
    current: bool,
    scope: Scope,
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
    mission: MissionState,
    hop: dict[str, Any],
    hop_id: UUID,
    scope: Scope,
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
        if asset_from_row(ctx, batch, mission, asset, AssetRole.INTERMEDIATE) is not None:
            roles.setdefault(legacy_key(asset.get("id")), AssetRole.INTERMEDIATE)
            if asset.get("asset_key"):
                local.setdefault(str(asset["asset_key"]), legacy_key(asset.get("id")))
    for local_key, obj in json_object(hop.get("hop_state"), "hop_state").items():
        if str(local_key) in local or not isinstance(obj, dict) or not obj.get("id"):
            continue
        if state_asset(ctx, batch, mission, hop_id, obj, scope) is not None:
            local[str(local_key)] = legacy_key(obj.get("id"))
            roles.setdefault(legacy_key(obj.get("id")), AssetRole.INTERMEDIATE)
    for execution in executions.values():
        ids = parse_json(execution.get("hop_state_asset_ids"), "hop_state_asset_ids")
        if isinstance(ids, dict):
            for local_key, value in ids.items():
                local.setdefault(str(local_key), legacy_key(value))
    return local, roles


def _hop_row(
    ctx: Context,
    batch: Batch,
    mission: MissionState,
    hop: dict[str, Any],
    position: int,
    current: bool,
    scope: Scope,
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
    hop_links(ctx, batch, mission, key, hop_id, roles, created)
    return hop_id, local


def _step_row(
    ctx: Context,
    batch: Batch,
    mission: MissionState,
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
    mission: MissionState,
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

"""Running a hop: execute it (2.7), start, complete and fail its steps (2.7a, 2.8, 2.8b),
retry a failed hop (2.8c) and complete an executed one (2.9) (docs/state-machine.md).

`execute_hop` does not run anything itself: once it has committed, the caller (the route,
the demo) hands the hop to `server.workflow.executor.schedule_hop`, which runs the steps in
order and reports each through `complete_tool_step` / `fail_tool_step`, and the hop through
`complete_hop`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.database import from_json, to_json
from server.enums import AssetRole, AssetScopeType, WorkflowEntity
from server.errors import NotFound, TooManyRequests
from server.missions import service as missions
from server.missions.schemas import ExecutionResult, Hop, ToolStep
from server.missions.tables import Hop as HopTable
from server.missions.tables import Mission as MissionTable
from server.missions.tables import ToolStep as ToolStepTable
from server.redaction import redact
from server.settings import get_settings
from server.workflow.refusals import refused
from server.workflow.state_machine import Transition, Transitions
from server.workflow.transitions.missions import complete_sessions, unready_outputs
from server.workflow.transitions.outputs import targets, write_outputs
from server.workflow.transitions.unit import Work, transition
from server.workflow.visibility import Visibility, as_uuid, visibility

_STEP_WRITES = Transitions.START_TOOL_STEP.effects[0]
_HOP_FAILS, _ASSETS_FAIL = Transitions.FAIL_TOOL_STEP.effects
_STEPS_RETRIED = Transitions.RETRY_HOP.effects[0]
_OUTPUTS_READY, _INTERMEDIATES_EXPIRE, _MISSION_COMPLETES, _ = Transitions.COMPLETE_HOP.effects
_HOP_WAITS = Transitions.COMPLETE_TOOL_STEP.effects[2]

# Statements of 2.8, the step-to-step hot path, kept as plain SQL (both engines accept it).
_STEP_WITH_MISSION_SQL = (
    "SELECT s.hop_id, s.tool_id, s.name, s.sequence_order, s.result_mapping, h.mission_id "
    "FROM tool_steps s JOIN hops h ON h.id = s.hop_id WHERE s.id = {} AND s.user_id = {}"
)
_NEXT_READY_STEP_SQL = (
    "SELECT id, hop_id, result_mapping FROM tool_steps "
    "WHERE hop_id = {} AND user_id = {} AND sequence_order > {} AND status = {} "
    "ORDER BY sequence_order LIMIT 1"
)


def _check_steps(rule: Transition, steps: list[dict[str, Any]]) -> None:
    """Refuse the hop transition when one of its steps is not in a status of `steps_require`."""
    for step in steps:
        if step["status"] not in rule.steps_require:
            raise refused(WorkflowEntity.TOOL_STEP, step["id"], step["status"], rule.steps_require, rule.action)


async def start_step(
    work: Work,
    step: dict[str, Any],
    mission_id: UUID,
    seen: Visibility | None = None,
    *,
    requires: tuple[StrEnum, ...] | None = None,
) -> None:
    """2.7a: a `ready_to_execute` step (or one of `requires`, for 2.7b and 2.7c) goes
    `executing`; the visible assets it writes go `processing`."""
    rule = Transitions.START_TOOL_STEP
    await work.change_status(
        ToolStepTable,
        rule.entity,
        step["id"],
        requires=requires or rule.requires,
        target=rule.target,
        action=rule.action,
        changes={
            ToolStepTable.started_at: work.at,
            ToolStepTable.completed_at: None,
            ToolStepTable.error_message: None,
            # Held by the server that runs it; renewed while it runs (recovery.py).
            ToolStepTable.lease_expires_at: work.at + timedelta(seconds=get_settings().execution.step_lease_seconds),
        },
    )
    work.events.add(WorkflowEntity.TOOL_STEP, step["id"], rule.target, mission_id=mission_id, hop_id=step["hop_id"])
    writes = targets(from_json(step["result_mapping"]) or {})
    if writes:
        if seen is None:
            seen = await visibility(user_id=work.user_id, hop_id=step["hop_id"], mission_id=mission_id)
        await work.set_asset_status(
            [asset_id for asset_id in writes if asset_id in seen],
            _STEP_WRITES.target,
            mission_id=mission_id,
            hop_id=step["hop_id"],
        )


@transition
async def execute_hop(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.7: the hop goes `executing` and its first step that is not yet completed goes
    `executing` (started_at set); the assets that step writes go `processing`. Every step must
    be `ready_to_execute` (or `completed`, kept from a run before a retry)."""
    rule = Transitions.EXECUTE_HOP
    await work.lock_mission_of(WorkflowEntity.HOP, hop_id)
    await check_running_hops(work, hop_id)
    hop = await work.move_hop(rule, hop_id, changes={HopTable.error_message: None}, locked=True)
    steps = (
        await ToolStepTable.select(
            ToolStepTable.id, ToolStepTable.hop_id, ToolStepTable.status, ToolStepTable.result_mapping
        )
        .where((ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == user_id))
        .order_by(ToolStepTable.sequence_order)
        .run()
    )
    _check_steps(rule, steps)
    first = next((step for step in steps if step["status"] in Transitions.START_TOOL_STEP.requires), None)
    if first is None:
        raise refused(
            WorkflowEntity.HOP, hop_id, rule.requires[0], rule.requires, rule.action, hint="The hop has no step to run."
        )
    await start_step(work, first, hop["mission_id"])
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


async def check_running_hops(work: Work, hop_id: UUID) -> None:
    """Refuse (429) a hop beyond the user's running hops (`RUNNING_HOPS_PER_USER`): each holds
    a background task, its pages and its outputs in memory."""
    limit = get_settings().execution.running_hops_per_user
    running = (
        await HopTable.count()
        .where(
            (HopTable.user_id == work.user_id)
            & (HopTable.status == Transitions.EXECUTE_HOP.target)
            & (HopTable.id != hop_id)
        )
        .run()
    )
    if running >= limit:
        raise TooManyRequests(
            f"Cannot execute hop: {running} of this user's hops are executing, the most at once "
            f"(RUNNING_HOPS_PER_USER={limit}); try again when one finishes",
            retry_after=10,
        )


async def _step_with_mission(work: Work, step_id: UUID) -> dict[str, Any]:
    rows = await ToolStepTable.raw(_STEP_WITH_MISSION_SQL, step_id, work.user_id).run()
    if not rows:
        raise NotFound("tool step", step_id)
    step: dict[str, Any] = rows[0]
    step["hop_id"], step["mission_id"] = as_uuid(step["hop_id"]), as_uuid(step["mission_id"])
    return step


@transition
async def complete_tool_step(
    work: Work,
    *,
    user_id: UUID,
    step_id: UUID,
    outputs: dict[str, Any],
    duration_ms: float,
    stubbed: bool = False,
    run_next: bool = True,
) -> ToolStep:
    """2.8: the step goes `completed` with its execution_result and completed_at; its outputs
    are written through its result mapping (naming the tool and step in the assets' metadata);
    the next step goes `executing` (started_at set). A step run alone (2.7b, `run_next=False`)
    starts none: its hop goes back to `hop_impl_ready` unless every step has completed."""
    rule = Transitions.COMPLETE_TOOL_STEP
    await work.lock_mission_of(WorkflowEntity.TOOL_STEP, step_id)
    step = await _step_with_mission(work, step_id)
    hop_id, mission_id = step["hop_id"], step["mission_id"]
    result_mapping = from_json(step["result_mapping"]) or {}
    writes = targets(result_mapping)
    result = ExecutionResult(outputs=outputs, written_asset_ids=writes, duration_ms=duration_ms, stubbed=stubbed)
    await work.move(
        ToolStepTable,
        rule,
        step_id,
        changes={
            ToolStepTable.execution_result: to_json(result),
            ToolStepTable.completed_at: work.at,
            ToolStepTable.error_message: None,
            ToolStepTable.lease_expires_at: None,
        },
    )
    work.events.add(WorkflowEntity.TOOL_STEP, step_id, rule.target, mission_id=mission_id, hop_id=hop_id)
    seen = await write_outputs(work, step_id, step, result_mapping, outputs) if writes else None
    if not run_next:
        await _hop_waits(work, hop_id, mission_id)
        return await missions.get_tool_step(user_id=user_id, step_id=step_id)
    following = await ToolStepTable.raw(
        _NEXT_READY_STEP_SQL,
        hop_id,
        user_id,
        step["sequence_order"],
        Transitions.START_TOOL_STEP.requires[0].value,
    ).run()
    if following:
        following[0]["id"], following[0]["hop_id"] = as_uuid(following[0]["id"]), as_uuid(following[0]["hop_id"])
        await start_step(work, following[0], mission_id, seen)
    return await missions.get_tool_step(user_id=user_id, step_id=step_id)


async def _hop_waits(work: Work, hop_id: UUID, mission_id: UUID) -> None:
    """After a step run alone: the hop waits again (`hop_impl_ready`) while any of its steps
    has not completed; otherwise it stays `executing` for `complete_hop`."""
    unfinished = (
        await ToolStepTable.count()
        .where(
            (ToolStepTable.hop_id == hop_id)
            & (ToolStepTable.user_id == work.user_id)
            & (ToolStepTable.status != Transitions.COMPLETE_TOOL_STEP.target)
        )
        .run()
    )
    if unfinished:
        await work.apply(HopTable, _HOP_WAITS, hop_id, action="let the hop wait after its step ran alone")
        work.events.add(WorkflowEntity.HOP, hop_id, _HOP_WAITS.target, mission_id=mission_id, hop_id=hop_id)


@transition
async def fail_tool_step(
    work: Work, *, user_id: UUID, step_id: UUID, error: str, secrets: Collection[str] = ()
) -> ToolStep:
    """2.8b: the step goes `failed` with error_message; its hop goes `failed` with an
    error_message naming the step; later steps stay `ready_to_execute`; the assets the step
    was writing go `error`. The message is stored redacted: no value of `secrets` (the step's
    configured secrets) nor of the server's own secrets survives in it, in any spelling."""
    rule = Transitions.FAIL_TOOL_STEP
    error = redact(error, [*secrets, *get_settings().secret_values()])
    await work.lock_mission_of(WorkflowEntity.TOOL_STEP, step_id)
    step = await _step_with_mission(work, step_id)
    await work.move(
        ToolStepTable, rule, step_id, changes={ToolStepTable.error_message: error, ToolStepTable.lease_expires_at: None}
    )
    work.events.add(
        WorkflowEntity.TOOL_STEP, step_id, rule.target, mission_id=step["mission_id"], hop_id=step["hop_id"]
    )
    await _fail_hop_of_step(work, step, error)
    return await missions.get_tool_step(user_id=user_id, step_id=step_id)


async def _fail_hop_of_step(work: Work, step: dict[str, Any], error: str) -> None:
    hop_id, mission_id = step["hop_id"], step["mission_id"]
    message = f'Step {step["sequence_order"] + 1} ("{step["name"]}") failed: {error}'
    changed = (
        await HopTable.update(
            {HopTable.status: _HOP_FAILS.target, HopTable.error_message: message, HopTable.updated_at: work.at}
        )
        .where(
            (HopTable.id == hop_id)
            & (HopTable.user_id == work.user_id)
            & HopTable.status.is_in(list(_HOP_FAILS.requires))
        )
        .returning(HopTable.id)
        .run()
    )
    if changed:
        work.events.add(WorkflowEntity.HOP, hop_id, _HOP_FAILS.target, mission_id=mission_id, hop_id=hop_id)
    writes = targets(from_json(step["result_mapping"]) or {})
    if writes:
        seen = await visibility(user_id=work.user_id, hop_id=hop_id, mission_id=mission_id)
        await work.set_asset_status(
            [asset_id for asset_id in writes if asset_id in seen],
            _ASSETS_FAIL.target,
            mission_id=mission_id,
            hop_id=hop_id,
        )


@transition
async def retry_hop(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.8c: a `failed` hop goes back to `hop_impl_ready` and its failed steps to
    `ready_to_execute`; completed steps keep their results, so executing again resumes at the
    step that failed."""
    hop = await work.move_hop(Transitions.RETRY_HOP, hop_id, changes={HopTable.error_message: None})
    steps = (
        await ToolStepTable.update(
            {
                ToolStepTable.status: _STEPS_RETRIED.target,
                ToolStepTable.error_message: None,
                ToolStepTable.started_at: None,
                ToolStepTable.completed_at: None,
                ToolStepTable.execution_result: None,
                ToolStepTable.updated_at: work.at,
            }
        )
        .where(
            (ToolStepTable.hop_id == hop_id)
            & (ToolStepTable.user_id == user_id)
            & ToolStepTable.status.is_in(list(_STEPS_RETRIED.requires))
        )
        .returning(ToolStepTable.id)
        .run()
    )
    work.events.add_many(
        WorkflowEntity.TOOL_STEP,
        [r["id"] for r in steps],
        _STEPS_RETRIED.target,
        mission_id=hop["mission_id"],
        hop_id=hop_id,
    )
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


@transition
async def complete_hop(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.9: an `executing` hop whose steps are all completed goes `completed`, is_resolved,
    with an execution summary in hop_metadata; its output assets go `ready` and its hop-scoped
    intermediates `expired`. A final hop completes the mission (and its session) when every
    mission output is `ready`; otherwise the mission's current hop is cleared, so the next hop
    can start."""
    rule = Transitions.COMPLETE_HOP
    hop = await work.move_hop(
        rule, hop_id, changes={HopTable.is_resolved: True}, returning=[HopTable.is_final, HopTable.hop_metadata]
    )
    mission_id = hop["mission_id"]
    steps = (
        await ToolStepTable.select(
            ToolStepTable.id,
            ToolStepTable.name,
            ToolStepTable.tool_id,
            ToolStepTable.status,
            ToolStepTable.execution_result,
            ToolStepTable.started_at,
            ToolStepTable.completed_at,
        )
        .where((ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == user_id))
        .order_by(ToolStepTable.sequence_order)
        .run()
    )
    _check_steps(rule, steps)
    metadata = {**(from_json(hop["hop_metadata"]) or {}), "execution_summary": execution_summary(steps, work.at)}
    await HopTable.update({HopTable.hop_metadata: to_json(metadata)}).where(HopTable.id == hop_id).run()
    await _settle_hop_assets(work, hop_id, mission_id)
    if hop["is_final"] and not await unready_outputs(work, mission_id):
        await work.apply(MissionTable, _MISSION_COMPLETES, mission_id, action="complete the mission with its final hop")
        work.events.add(WorkflowEntity.MISSION, mission_id, _MISSION_COMPLETES.target, mission_id=mission_id)
        await complete_sessions(work, mission_id)
    else:
        await (
            MissionTable.update({MissionTable.current_hop_id: None, MissionTable.updated_at: work.at})
            .where(
                (MissionTable.id == mission_id)
                & (MissionTable.user_id == user_id)
                & (MissionTable.current_hop_id == hop_id)
            )
            .run()
        )
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


async def _settle_hop_assets(work: Work, hop_id: UUID, mission_id: UUID) -> None:
    """The hop's outputs go `ready`; its own intermediates `expired`."""
    outputs = [
        r["asset_id"]
        for r in await HopAssetTable.select(HopAssetTable.asset_id)
        .where(
            (HopAssetTable.hop_id == hop_id)
            & (HopAssetTable.user_id == work.user_id)
            & (HopAssetTable.role == AssetRole.OUTPUT)
        )
        .run()
    ]
    await work.set_asset_status(outputs, _OUTPUTS_READY.target, mission_id=mission_id, hop_id=hop_id)
    expired = (
        await AssetTable.update({AssetTable.status: _INTERMEDIATES_EXPIRE.target, AssetTable.updated_at: work.at})
        .where(
            (AssetTable.user_id == work.user_id)
            & (AssetTable.scope_type == AssetScopeType.HOP)
            & (AssetTable.scope_id == hop_id)
        )
        .returning(AssetTable.id)
        .run()
    )
    work.events.add_many(
        WorkflowEntity.ASSET,
        [r["id"] for r in expired],
        _INTERMEDIATES_EXPIRE.target,
        mission_id=mission_id,
        hop_id=hop_id,
    )


def execution_summary(steps: list[dict[str, Any]], at: Any) -> dict[str, Any]:
    """What the hop's run did, per step, kept in its hop_metadata."""
    entries = []
    total = 0.0
    for step in steps:
        result = from_json(step["execution_result"]) or {}
        duration = float(result.get("duration_ms") or 0.0)
        total += duration
        entries.append(
            {
                "step_id": str(step["id"]),
                "name": step["name"],
                "tool_id": step["tool_id"],
                "duration_ms": duration,
                "stubbed": bool(result.get("stubbed")),
                "written_asset_ids": result.get("written_asset_ids", []),
            }
        )
    started = min((s["started_at"] for s in steps if s["started_at"]), default=None)
    return {
        "steps": entries,
        "step_count": len(entries),
        "total_duration_ms": total,
        "stubbed_steps": sum(1 for entry in entries if entry["stubbed"]),
        "started_at": started.isoformat() if started else None,
        "completed_at": at.isoformat(),
    }

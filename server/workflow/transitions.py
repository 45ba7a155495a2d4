"""The transition service: every change of status of SPEC section 4, one function per row.

Each transition runs in one write transaction: it changes the status of its main entity with
a conditional UPDATE (`... WHERE status IN (required)`; zero rows -> 404 or 409 naming the
current and the required statuses), then writes everything else the row of the table asks
for. Any error rolls the whole transaction back. Once it has committed, the status changes
are announced through `server.workflow.events.publish`.

Functions are keyword-only and return the API Structs, read inside the transaction, so they
show exactly what the transition wrote. On PostgreSQL the transitions below the mission first
take the mission's row lock (the order deletes use too), and one that PostgreSQL aborts to
break a deadlock runs again.
"""

from __future__ import annotations

import inspect
from typing import Any
from uuid import UUID, uuid4

from server.assets.service import asset_row, summarize_content
from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.assets.tables import MissionAsset as MissionAssetTable
from server.database import from_json, now, to_json, write_transaction
from server.enums import (
    AssetRole,
    AssetScopeType,
    AssetStatus,
    HopStatus,
    MissionStatus,
    ToolExecutionStatus,
    UserSessionStatus,
)
from server.errors import ApiError, NotFound, StatusConflict, Unprocessable
from server.missions import service as missions
from server.missions.schemas import (
    ExecutionResult,
    ExistingAssetOutput,
    Hop,
    HopImplementationProposal,
    HopPlanProposal,
    Mission,
    MissionProposal,
    NewAssetOutput,
    ToolStep,
)
from server.missions.tables import Hop as HopTable
from server.missions.tables import Mission as MissionTable
from server.missions.tables import ToolStep as ToolStepTable
from server.schemas import AssetFieldMapping, FieldError
from server.sessions.tables import UserSession as UserSessionTable
from server.workflow.resources import config_input_errors, merge_configs, missing_configuration
from server.workflow.schemas import ChainValidation, ToolStepConfiguration
from server.workflow.store import (
    Events,
    Visibility,
    as_uuid,
    chain_assets,
    lock_mission_of,
    retry_on_deadlock,
    set_status,
    tool_specs,
    visibility,
)
from server.workflow.validation import chain_errors

MISSION_OPEN = (MissionStatus.AWAITING_APPROVAL, MissionStatus.IN_PROGRESS)
HOP_FINISHED = (HopStatus.COMPLETED, HopStatus.CANCELLED)
STEP_UNFINISHED = (
    ToolExecutionStatus.AWAITING_CONFIGURATION,
    ToolExecutionStatus.READY_TO_EXECUTE,
    ToolExecutionStatus.EXECUTING,
)
STALE_STEP_MESSAGE = "The server stopped while this step was running; retry the hop to run it again."


class InvalidConfiguration(ApiError):
    """Resource values that do not fit the tool's resources (400), every problem listed."""

    status_code = 400
    code = "validation_error"


# Reading inside a transition ---------------------------------------------------------------


async def _row(table: Any, entity: str, entity_id: UUID, user_id: UUID, *columns: Any) -> dict[str, Any]:
    row = await table.select(*columns).where((table.id == entity_id) & (table.user_id == user_id)).first().run()
    if row is None:
        raise NotFound(entity, entity_id)
    return row


async def _move_hop(
    *,
    user_id: UUID,
    hop_id: UUID,
    required: list[HopStatus],
    target: HopStatus,
    action: str,
    at: Any,
    events: Events,
    changes: dict[Any, Any] | None = None,
    returning: list[Any] | None = None,
) -> dict[str, Any]:
    """The opening of a hop transition, inside its transaction: lock the hop's mission, move
    the hop from one of `required` to `target` (with `changes`), announce it. Returns the hop's
    `mission_id` and the `returning` columns."""
    await lock_mission_of("hop", hop_id, user_id=user_id)
    hop = await set_status(
        HopTable,
        "hop",
        hop_id,
        user_id=user_id,
        required=required,
        action=action,
        changes={HopTable.status: target, **(changes or {}), HopTable.updated_at: at},
        returning=[HopTable.mission_id, *(returning or [])],
    )
    events.add("hop", hop_id, target, mission_id=hop["mission_id"], hop_id=hop_id)
    return hop


async def _complete_sessions(user_id: UUID, mission_id: UUID, at: Any, events: Events) -> None:
    """A session whose mission completes becomes completed."""
    rows = (
        await UserSessionTable.update(
            {
                UserSessionTable.status: UserSessionStatus.COMPLETED,
                UserSessionTable.updated_at: at,
                UserSessionTable.last_activity_at: at,
            }
        )
        .where(
            (UserSessionTable.mission_id == mission_id)
            & (UserSessionTable.user_id == user_id)
            & (UserSessionTable.status == UserSessionStatus.ACTIVE)
        )
        .returning(UserSessionTable.id)
        .run()
    )
    events.add_many("session", [r["id"] for r in rows], UserSessionStatus.COMPLETED, mission_id=mission_id)


async def _set_asset_status(user_id: UUID, ids: list[UUID], status: AssetStatus, at: Any, events: Events) -> None:
    if not ids:
        return
    where = (AssetTable.user_id == user_id) & AssetTable.id.is_in(ids)
    rows = (
        await AssetTable.update({AssetTable.status: status, AssetTable.updated_at: at})
        .where(where)
        .returning(AssetTable.id)
        .run()
    )
    events.add_many("asset", [r["id"] for r in rows], status)


def _targets(result_mapping: dict[str, Any]) -> list[UUID]:
    """Asset ids a step writes, in mapping order."""
    ids = []
    for mapping in result_mapping.values():
        if isinstance(mapping, dict) and mapping.get("type") == "asset_field":
            ids.append(UUID(str(mapping["state_asset"])))
    return list(dict.fromkeys(ids))


async def _start_step(
    user_id: UUID, step: dict[str, Any], mission_id: UUID, at: Any, events: Events, seen: Visibility | None = None
) -> None:
    """Put a `ready_to_execute` step to `executing` and the visible assets it writes to
    `processing`."""
    await set_status(
        ToolStepTable,
        "tool step",
        step["id"],
        user_id=user_id,
        required=[ToolExecutionStatus.READY_TO_EXECUTE],
        action="start tool step",
        changes={
            ToolStepTable.status: ToolExecutionStatus.EXECUTING,
            ToolStepTable.started_at: at,
            ToolStepTable.completed_at: None,
            ToolStepTable.error_message: None,
            ToolStepTable.updated_at: at,
        },
    )
    events.add("tool_step", step["id"], ToolExecutionStatus.EXECUTING, mission_id=mission_id, hop_id=step["hop_id"])
    targets = _targets(from_json(step["result_mapping"]) or {})
    if targets:
        if seen is None:
            seen = await visibility(user_id=user_id, hop_id=step["hop_id"], mission_id=mission_id)
        visible = [asset_id for asset_id in targets if asset_id in seen]
        await _set_asset_status(user_id, visible, AssetStatus.PROCESSING, at, events)


async def _hop_result(user_id: UUID, hop_id: UUID) -> Hop:
    """The hop as the API shows it, read inside the transition's transaction (what it
    committed, without a second transaction)."""
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


# 1. Missions --------------------------------------------------------------------------------


@retry_on_deadlock
async def propose_mission(*, user_id: UUID, session_id: UUID, data: MissionProposal) -> Mission:
    """1.1: create the session's mission `awaiting_approval` with its input and output assets
    (mission-scoped, `awaiting_approval`, mapped with their role). The session must be active
    and hold no mission, or only one that is finished."""
    at = now()
    mission_id = uuid4()
    events = Events(user_id)
    async with write_transaction():
        session = await _row(
            UserSessionTable, "session", session_id, user_id, UserSessionTable.status, UserSessionTable.mission_id
        )
        await _check_session_open(user_id, session_id, session)
        await MissionTable.insert(
            MissionTable(
                id=mission_id,
                user_id=user_id,
                name=data.name,
                description=data.description,
                goal=data.goal,
                success_criteria=to_json(data.success_criteria),
                status=MissionStatus.AWAITING_APPROVAL,
                current_hop_id=None,
                mission_metadata=to_json({}),
                created_at=at,
                updated_at=at,
            )
        ).run()
        rows = [
            asset_row(
                user_id=user_id,
                name=proposal.name,
                description=proposal.description,
                schema_definition=proposal.schema_definition,
                role=proposal.role,
                scope_type=AssetScopeType.MISSION,
                scope_id=mission_id,
                content=proposal.content,
                status=AssetStatus.AWAITING_APPROVAL,
            )
            for proposal in data.assets
        ]
        if rows:
            await AssetTable.insert(*rows).run()
            await MissionAssetTable.insert(
                *[
                    MissionAssetTable(
                        id=uuid4(),
                        user_id=user_id,
                        mission_id=mission_id,
                        asset_id=row.id,
                        role=row.role,
                        created_at=at,
                    )
                    for row in rows
                ]
            ).run()
        # Compare-and-set on the session: of two proposals racing for one session, one wins.
        previous = (
            UserSessionTable.mission_id.is_null()
            if session["mission_id"] is None
            else UserSessionTable.mission_id == session["mission_id"]
        )
        changed = (
            await UserSessionTable.update(
                {
                    UserSessionTable.mission_id: mission_id,
                    UserSessionTable.updated_at: at,
                    UserSessionTable.last_activity_at: at,
                }
            )
            .where(
                (UserSessionTable.id == session_id)
                & (UserSessionTable.user_id == user_id)
                & (UserSessionTable.status == UserSessionStatus.ACTIVE)
                & previous
            )
            .returning(UserSessionTable.id)
            .run()
        )
        if not changed:
            session = await _row(
                UserSessionTable, "session", session_id, user_id, UserSessionTable.status, UserSessionTable.mission_id
            )
            await _check_session_open(user_id, session_id, session)
            raise StatusConflict(
                "session", session_id, session["status"], [UserSessionStatus.ACTIVE], "propose mission"
            )
        result = await missions.get_mission(user_id=user_id, mission_id=mission_id)
    events.add("mission", mission_id, MissionStatus.AWAITING_APPROVAL, mission_id=mission_id)
    events.add_many("asset", [row.id for row in rows], AssetStatus.AWAITING_APPROVAL, mission_id=mission_id)
    await events.publish()
    return result


async def _check_session_open(user_id: UUID, session_id: UUID, session: dict[str, Any]) -> None:
    if session["status"] != UserSessionStatus.ACTIVE:
        raise StatusConflict("session", session_id, session["status"], [UserSessionStatus.ACTIVE], "propose mission")
    if session["mission_id"] is not None:
        current = (
            await MissionTable.select(MissionTable.status)
            .where((MissionTable.id == session["mission_id"]) & (MissionTable.user_id == user_id))
            .first()
            .run()
        )
        if current is not None and current["status"] in MISSION_OPEN:
            raise StatusConflict(
                "mission",
                session["mission_id"],
                current["status"],
                [MissionStatus.COMPLETED, MissionStatus.FAILED, MissionStatus.CANCELLED],
                "propose mission: the session already has an unfinished mission",
            )


@retry_on_deadlock
async def accept_mission(*, user_id: UUID, mission_id: UUID) -> Mission:
    """1.2: the mission goes `in_progress`; its assets become `ready_for_processing`."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        await set_status(
            MissionTable,
            "mission",
            mission_id,
            user_id=user_id,
            required=[MissionStatus.AWAITING_APPROVAL],
            action="accept mission",
            changes={MissionTable.status: MissionStatus.IN_PROGRESS, MissionTable.updated_at: at},
        )
        events.add("mission", mission_id, MissionStatus.IN_PROGRESS, mission_id=mission_id)
        rows = (
            await AssetTable.update({AssetTable.status: AssetStatus.READY_FOR_PROCESSING, AssetTable.updated_at: at})
            .where(
                (AssetTable.user_id == user_id)
                & (AssetTable.status == AssetStatus.AWAITING_APPROVAL)
                & AssetTable.id.is_in(
                    MissionAssetTable.select(MissionAssetTable.asset_id).where(
                        (MissionAssetTable.mission_id == mission_id) & (MissionAssetTable.user_id == user_id)
                    )
                )
            )
            .returning(AssetTable.id)
            .run()
        )
        events.add_many("asset", [r["id"] for r in rows], AssetStatus.READY_FOR_PROCESSING, mission_id=mission_id)
        result = await missions.get_mission(user_id=user_id, mission_id=mission_id)
    await events.publish()
    return result


@retry_on_deadlock
async def cancel_mission(*, user_id: UUID, mission_id: UUID) -> Mission:
    """1.3: the mission goes `cancelled`, with every unfinished hop and its unfinished steps
    (a hop that failed is cancelled too, so it cannot be retried)."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        await set_status(
            MissionTable,
            "mission",
            mission_id,
            user_id=user_id,
            required=MISSION_OPEN,
            action="cancel mission",
            changes={MissionTable.status: MissionStatus.CANCELLED, MissionTable.updated_at: at},
        )
        events.add("mission", mission_id, MissionStatus.CANCELLED, mission_id=mission_id)
        hops = (
            await HopTable.update({HopTable.status: HopStatus.CANCELLED, HopTable.updated_at: at})
            .where(
                (HopTable.mission_id == mission_id)
                & (HopTable.user_id == user_id)
                & HopTable.status.not_in(list(HOP_FINISHED))
            )
            .returning(HopTable.id)
            .run()
        )
        hop_ids = [r["id"] for r in hops]
        events.add_many("hop", hop_ids, HopStatus.CANCELLED, mission_id=mission_id)
        if hop_ids:
            steps = (
                await ToolStepTable.update(
                    {ToolStepTable.status: ToolExecutionStatus.CANCELLED, ToolStepTable.updated_at: at}
                )
                .where(
                    ToolStepTable.hop_id.is_in(hop_ids)
                    & (ToolStepTable.user_id == user_id)
                    & ToolStepTable.status.is_in(list(STEP_UNFINISHED))
                )
                .returning(ToolStepTable.id, ToolStepTable.hop_id)
                .run()
            )
            for step in steps:
                events.add(
                    "tool_step", step["id"], ToolExecutionStatus.CANCELLED, mission_id=mission_id, hop_id=step["hop_id"]
                )
        result = await missions.get_mission(user_id=user_id, mission_id=mission_id)
    await events.publish()
    return result


@retry_on_deadlock
async def complete_mission(*, user_id: UUID, mission_id: UUID) -> Mission:
    """2.10: the mission goes `completed`, and so does its session."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        await set_status(
            MissionTable,
            "mission",
            mission_id,
            user_id=user_id,
            required=[MissionStatus.IN_PROGRESS],
            action="complete mission",
            changes={MissionTable.status: MissionStatus.COMPLETED, MissionTable.updated_at: at},
        )
        events.add("mission", mission_id, MissionStatus.COMPLETED, mission_id=mission_id)
        await _complete_sessions(user_id, mission_id, at, events)
        result = await missions.get_mission(user_id=user_id, mission_id=mission_id)
    await events.publish()
    return result


# 2. Hops: planning --------------------------------------------------------------------------


@retry_on_deadlock
async def start_hop_plan(*, user_id: UUID, mission_id: UUID) -> Hop:
    """2.1: a new hop `hop_plan_started` with the next sequence_order becomes the mission's
    current hop. The mission must be `in_progress` with no unfinished current hop."""
    at = now()
    hop_id = uuid4()
    events = Events(user_id)
    async with write_transaction():
        changed = (
            await MissionTable.update({MissionTable.current_hop_id: hop_id, MissionTable.updated_at: at})
            .where(
                (MissionTable.id == mission_id)
                & (MissionTable.user_id == user_id)
                & (MissionTable.status == MissionStatus.IN_PROGRESS)
                & MissionTable.current_hop_id.is_null()
            )
            .returning(MissionTable.id)
            .run()
        )
        if not changed:
            mission = await _row(
                MissionTable, "mission", mission_id, user_id, MissionTable.status, MissionTable.current_hop_id
            )
            if mission["status"] != MissionStatus.IN_PROGRESS:
                raise StatusConflict(
                    "mission", mission_id, mission["status"], [MissionStatus.IN_PROGRESS], "start hop plan"
                )
            hop = await HopTable.select(HopTable.status).where(HopTable.id == mission["current_hop_id"]).first().run()
            raise StatusConflict(
                "hop",
                mission["current_hop_id"],
                hop["status"] if hop else "missing",
                [HopStatus.COMPLETED],
                "start hop plan: the mission's current hop is unfinished",
            )
        rows = await HopTable.raw(
            "SELECT COALESCE(MAX(sequence_order) + 1, 0) AS next FROM hops WHERE mission_id = {}", mission_id
        ).run()
        await HopTable.insert(
            HopTable(
                id=hop_id,
                user_id=user_id,
                mission_id=mission_id,
                sequence_order=rows[0]["next"],
                name=f"Hop {rows[0]['next'] + 1}",
                description=None,
                goal=None,
                success_criteria=to_json([]),
                rationale=None,
                status=HopStatus.HOP_PLAN_STARTED,
                is_final=False,
                is_resolved=False,
                error_message=None,
                hop_metadata=to_json({}),
                intended_input_asset_ids=to_json([]),
                intended_output_asset_ids=to_json([]),
                intended_output_asset_specs=to_json([]),
                created_at=at,
                updated_at=at,
            )
        ).run()
        result = await _hop_result(user_id, hop_id)
    events.add("hop", hop_id, HopStatus.HOP_PLAN_STARTED, mission_id=mission_id, hop_id=hop_id)
    await events.publish()
    return result


@retry_on_deadlock
async def propose_hop_plan(*, user_id: UUID, hop_id: UUID, data: HopPlanProposal) -> Hop:
    """2.2: store the plan and map its assets: each input (an existing mission asset) as a hop
    input; the output either a new asset (mission-scoped, mission role `intermediate`, hop role
    `output`) or an existing mission asset (hop role `output`)."""
    at = now()
    events = Events(user_id)
    inputs = list(dict.fromkeys(data.inputs))
    if isinstance(data.output, NewAssetOutput):
        output_id = uuid4()
        specs = [{"asset_id": output_id, **_proposal_dict(data.output)}]
    else:
        output_id = data.output.mission_asset_id
        specs = []
    async with write_transaction():
        hop = await _move_hop(
            user_id=user_id,
            hop_id=hop_id,
            required=[HopStatus.HOP_PLAN_STARTED],
            target=HopStatus.HOP_PLAN_PROPOSED,
            action="propose hop plan",
            at=at,
            events=events,
            changes={
                HopTable.name: data.name,
                HopTable.description: data.description,
                HopTable.goal: data.goal,
                HopTable.rationale: data.rationale,
                HopTable.success_criteria: to_json(data.success_criteria),
                HopTable.is_final: data.is_final,
                HopTable.intended_input_asset_ids: to_json(inputs),
                HopTable.intended_output_asset_ids: to_json([output_id]),
                HopTable.intended_output_asset_specs: to_json(specs),
            },
        )
        mission_id = hop["mission_id"]
        mission_assets = {
            r["asset_id"]
            for r in await MissionAssetTable.select(MissionAssetTable.asset_id)
            .where((MissionAssetTable.mission_id == mission_id) & (MissionAssetTable.user_id == user_id))
            .run()
        }
        errors = [
            FieldError(field=f"body.inputs[{index}]", reason=f"asset {asset_id} is not an asset of this mission")
            for index, asset_id in enumerate(data.inputs)
            if asset_id not in mission_assets
        ]
        if isinstance(data.output, ExistingAssetOutput):
            if output_id not in mission_assets:
                errors.append(
                    FieldError(
                        field="body.output.mission_asset_id",
                        reason=f"asset {output_id} is not an asset of this mission",
                    )
                )
            elif output_id in inputs:
                errors.append(
                    FieldError(
                        field="body.output.mission_asset_id",
                        reason=f"asset {output_id} cannot be both an input and the output of the hop",
                    )
                )
        if errors:
            raise Unprocessable("The hop plan names assets this mission does not have", errors=errors)
        if isinstance(data.output, NewAssetOutput):
            new_asset = asset_row(
                user_id=user_id,
                name=data.output.asset.name,
                description=data.output.asset.description,
                schema_definition=data.output.asset.schema_definition,
                role=AssetRole.INTERMEDIATE,
                scope_type=AssetScopeType.MISSION,
                scope_id=mission_id,
                content=data.output.asset.content,
                status=AssetStatus.AWAITING_APPROVAL,
            )
            new_asset.id = output_id
            await AssetTable.insert(new_asset).run()
            await MissionAssetTable.insert(
                MissionAssetTable(
                    id=uuid4(),
                    user_id=user_id,
                    mission_id=mission_id,
                    asset_id=new_asset.id,
                    role=AssetRole.INTERMEDIATE,
                    created_at=at,
                )
            ).run()
            events.add("asset", new_asset.id, AssetStatus.AWAITING_APPROVAL, mission_id=mission_id, hop_id=hop_id)
        await HopAssetTable.insert(
            *[
                HopAssetTable(
                    id=uuid4(), user_id=user_id, hop_id=hop_id, asset_id=asset_id, role=AssetRole.INPUT, created_at=at
                )
                for asset_id in inputs
            ],
            HopAssetTable(
                id=uuid4(), user_id=user_id, hop_id=hop_id, asset_id=output_id, role=AssetRole.OUTPUT, created_at=at
            ),
        ).run()
        result = await _hop_result(user_id, hop_id)
    await events.publish()
    return result


def _proposal_dict(output: NewAssetOutput) -> dict[str, Any]:
    asset = output.asset
    return {
        "name": asset.name,
        "description": asset.description,
        "schema_definition": asset.schema_definition,
        "role": AssetRole.OUTPUT,
    }


def _plan_created_assets(hop: dict[str, Any]) -> list[UUID]:
    """Ids of the assets a hop's plan created (recorded in intended_output_asset_specs)."""
    specs = from_json(hop["intended_output_asset_specs"]) or []
    return [UUID(str(spec["asset_id"])) for spec in specs if spec.get("asset_id")]


@retry_on_deadlock
async def accept_hop_plan(*, user_id: UUID, hop_id: UUID) -> Hop:
    """2.3: the hop goes `hop_plan_ready`; assets its plan created become `ready_for_processing`."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        hop = await _move_hop(
            user_id=user_id,
            hop_id=hop_id,
            required=[HopStatus.HOP_PLAN_PROPOSED],
            target=HopStatus.HOP_PLAN_READY,
            action="accept hop plan",
            at=at,
            events=events,
            returning=[HopTable.intended_output_asset_specs],
        )
        await _set_asset_status(user_id, _plan_created_assets(hop), AssetStatus.READY_FOR_PROCESSING, at, events)
        result = await _hop_result(user_id, hop_id)
    await events.publish()
    return result


@retry_on_deadlock
async def reject_hop_plan(*, user_id: UUID, hop_id: UUID) -> Hop:
    """2.3b: the hop goes back to `hop_plan_started`; the plan's asset mappings and the assets
    it created are removed."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        await lock_mission_of("hop", hop_id, user_id=user_id)
        hop = await _row(HopTable, "hop", hop_id, user_id, HopTable.mission_id, HopTable.intended_output_asset_specs)
        await set_status(
            HopTable,
            "hop",
            hop_id,
            user_id=user_id,
            required=[HopStatus.HOP_PLAN_PROPOSED],
            action="reject hop plan",
            changes={
                HopTable.status: HopStatus.HOP_PLAN_STARTED,
                HopTable.intended_input_asset_ids: to_json([]),
                HopTable.intended_output_asset_ids: to_json([]),
                HopTable.intended_output_asset_specs: to_json([]),
                HopTable.updated_at: at,
            },
        )
        await HopAssetTable.delete().where((HopAssetTable.hop_id == hop_id) & (HopAssetTable.user_id == user_id)).run()
        created = _plan_created_assets(hop)
        if created:
            # Their MissionAsset rows go with them (ON DELETE CASCADE on the asset).
            await AssetTable.delete().where((AssetTable.user_id == user_id) & AssetTable.id.is_in(created)).run()
        result = await _hop_result(user_id, hop_id)
    events.add("hop", hop_id, HopStatus.HOP_PLAN_STARTED, mission_id=hop["mission_id"], hop_id=hop_id)
    await events.publish()
    return result


# 2. Hops: implementation --------------------------------------------------------------------


@retry_on_deadlock
async def _simple_hop_transition(
    user_id: UUID, hop_id: UUID, required: HopStatus, target: HopStatus, action: str
) -> Hop:
    events = Events(user_id)
    async with write_transaction():
        await _move_hop(
            user_id=user_id, hop_id=hop_id, required=[required], target=target, action=action, at=now(), events=events
        )
        result = await _hop_result(user_id, hop_id)
    await events.publish()
    return result


async def start_hop_implementation(*, user_id: UUID, hop_id: UUID) -> Hop:
    """2.4: the hop goes from `hop_plan_ready` to `hop_impl_started`."""
    return await _simple_hop_transition(
        user_id, hop_id, HopStatus.HOP_PLAN_READY, HopStatus.HOP_IMPL_STARTED, "start hop implementation"
    )


async def _implementation_errors(
    user_id: UUID, hop_id: UUID, mission_id: UUID, data: HopImplementationProposal, tools: Any
) -> list[FieldError]:
    """Tool chain errors (SPEC section 5) and resource value errors of a proposed chain."""
    assets = await chain_assets(user_id=user_id, hop_id=hop_id, mission_id=mission_id)
    new_ids = list(
        {m.state_asset for step in data.steps for m in step.result_mapping.values() if isinstance(m, AssetFieldMapping)}
        - set(assets)
    )
    # An id meant for a new intermediate must not be an asset that already exists elsewhere.
    taken = (
        [r["id"] for r in await AssetTable.select(AssetTable.id).where(AssetTable.id.is_in(new_ids)).run()]
        if new_ids
        else []
    )
    errors = chain_errors(steps=data.steps, tools=tools, assets=assets, taken=taken)
    for index, step in enumerate(data.steps):
        tool = tools.get(step.tool_id)
        if tool is not None and step.resource_configs:
            errors.extend(config_input_errors(tool, step.resource_configs, f"body.steps[{index}].resource_configs"))
    return errors


async def validate_hop_implementation(
    *, user_id: UUID, hop_id: UUID, data: HopImplementationProposal
) -> ChainValidation:
    """Check a tool chain for a hop without storing anything, whatever the hop's status (the
    SPA calls this while a user edits a chain)."""
    hop = await _row(HopTable, "hop", hop_id, user_id, HopTable.mission_id)
    errors = await _implementation_errors(user_id, hop_id, hop["mission_id"], data, tool_specs())
    return ChainValidation(valid=not errors, errors=errors)


@retry_on_deadlock
async def propose_hop_implementation(*, user_id: UUID, hop_id: UUID, data: HopImplementationProposal) -> Hop:
    """2.5: validate the tool chain (SPEC section 5); with errors nothing is stored and every
    error is returned (422); else the steps are stored `awaiting_configuration` and the hop
    goes `hop_impl_proposed`."""
    at = now()
    events = Events(user_id)
    tools = tool_specs()
    async with write_transaction():
        hop = await _move_hop(
            user_id=user_id,
            hop_id=hop_id,
            required=[HopStatus.HOP_IMPL_STARTED],
            target=HopStatus.HOP_IMPL_PROPOSED,
            action="propose hop implementation",
            at=at,
            events=events,
        )
        errors = await _implementation_errors(user_id, hop_id, hop["mission_id"], data, tools)
        if errors:
            raise Unprocessable(
                f"The tool chain has {len(errors)} error{'s' if len(errors) != 1 else ''}; nothing was stored",
                errors=errors,
            )
        await ToolStepTable.delete().where((ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == user_id)).run()
        rows = []
        for index, step in enumerate(data.steps):
            tool = tools[step.tool_id]
            configs = merge_configs(tool, {}, step.resource_configs)
            rows.append(
                ToolStepTable(
                    id=uuid4(),
                    user_id=user_id,
                    hop_id=hop_id,
                    tool_id=step.tool_id,
                    sequence_order=index,
                    name=step.name,
                    description=step.description,
                    status=ToolExecutionStatus.AWAITING_CONFIGURATION,
                    parameter_mapping=to_json(step.parameter_mapping),
                    result_mapping=to_json(step.result_mapping),
                    resource_configs=to_json(configs),
                    validation_errors=to_json(missing_configuration(tool, configs)),
                    execution_result=None,
                    error_message=None,
                    created_at=at,
                    updated_at=at,
                    started_at=None,
                    completed_at=None,
                )
            )
        await ToolStepTable.insert(*rows).run()
        result = await _hop_result(user_id, hop_id)
    events.add_many(
        "tool_step",
        [row.id for row in rows],
        ToolExecutionStatus.AWAITING_CONFIGURATION,
        mission_id=hop["mission_id"],
        hop_id=hop_id,
    )
    await events.publish()
    return result


@retry_on_deadlock
async def accept_hop_implementation(*, user_id: UUID, hop_id: UUID) -> Hop:
    """2.6: the hop goes `hop_impl_ready`; each step whose tool needs no resource, or whose
    resources are configured, becomes `ready_to_execute`; the others stay
    `awaiting_configuration` with validation_errors naming what is missing."""
    at = now()
    events = Events(user_id)
    tools = tool_specs()
    from server.workflow.executor import stub_mode

    async with write_transaction():
        hop = await _move_hop(
            user_id=user_id,
            hop_id=hop_id,
            required=[HopStatus.HOP_IMPL_PROPOSED],
            target=HopStatus.HOP_IMPL_READY,
            action="accept hop implementation",
            at=at,
            events=events,
        )
        steps = (
            await ToolStepTable.select(ToolStepTable.id, ToolStepTable.tool_id, ToolStepTable.resource_configs)
            .where(
                (ToolStepTable.hop_id == hop_id)
                & (ToolStepTable.user_id == user_id)
                & (ToolStepTable.status == ToolExecutionStatus.AWAITING_CONFIGURATION)
            )
            .run()
        )
        ready: list[UUID] = []
        for step in steps:
            tool = tools.get(step["tool_id"])
            missing = (
                missing_configuration(tool, from_json(step["resource_configs"]) or {})
                if tool is not None
                else [f'tool "{step["tool_id"]}" is not registered']
            )
            if missing and tool is not None and stub_mode():
                missing = []  # stub mode: the executor runs it from the tool's sample responses
            if missing:
                await (
                    ToolStepTable.update(
                        {ToolStepTable.validation_errors: to_json(missing), ToolStepTable.updated_at: at}
                    )
                    .where(ToolStepTable.id == step["id"])
                    .run()
                )
            else:
                ready.append(step["id"])
        if ready:
            await (
                ToolStepTable.update(
                    {
                        ToolStepTable.status: ToolExecutionStatus.READY_TO_EXECUTE,
                        ToolStepTable.validation_errors: to_json([]),
                        ToolStepTable.updated_at: at,
                    }
                )
                .where(ToolStepTable.id.is_in(ready))
                .run()
            )
            events.add_many(
                "tool_step", ready, ToolExecutionStatus.READY_TO_EXECUTE, mission_id=hop["mission_id"], hop_id=hop_id
            )
        result = await _hop_result(user_id, hop_id)
    await events.publish()
    return result


@retry_on_deadlock
async def configure_tool_step(*, user_id: UUID, step_id: UUID, data: ToolStepConfiguration) -> ToolStep:
    """2.6b: store the step's resource values (checked against the tool's resources; secrets
    encrypted); the step becomes `ready_to_execute` once every required value is set."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        await lock_mission_of("step", step_id, user_id=user_id)
        step = await _row(
            ToolStepTable,
            "tool step",
            step_id,
            user_id,
            ToolStepTable.status,
            ToolStepTable.tool_id,
            ToolStepTable.resource_configs,
            ToolStepTable.hop_id,
            ToolStepTable.hop_id.mission_id.as_alias("mission_id"),
        )
        required = [ToolExecutionStatus.AWAITING_CONFIGURATION]
        if step["status"] not in required:
            raise StatusConflict("tool step", step_id, step["status"], required, "configure tool step")
        tool = tool_specs().get(step["tool_id"])
        if tool is None:
            raise Unprocessable(f'Tool "{step["tool_id"]}" of this step is not registered')
        errors = config_input_errors(tool, data.resource_configs, "body.resource_configs")
        if errors:
            raise InvalidConfiguration("; ".join(error.reason for error in errors), errors=errors)
        configs = merge_configs(tool, from_json(step["resource_configs"]) or {}, data.resource_configs)
        missing = missing_configuration(tool, configs)
        status = ToolExecutionStatus.AWAITING_CONFIGURATION if missing else ToolExecutionStatus.READY_TO_EXECUTE
        await set_status(
            ToolStepTable,
            "tool step",
            step_id,
            user_id=user_id,
            required=required,
            action="configure tool step",
            changes={
                ToolStepTable.status: status,
                ToolStepTable.resource_configs: to_json(configs),
                ToolStepTable.validation_errors: to_json(missing),
                ToolStepTable.updated_at: at,
            },
        )
        result = await missions.get_tool_step(user_id=user_id, step_id=step_id)
    if status is ToolExecutionStatus.READY_TO_EXECUTE:
        events.add("tool_step", step_id, status, mission_id=step["mission_id"], hop_id=step["hop_id"])
        await events.publish()
    return result


# 2. Hops: execution -------------------------------------------------------------------------


@retry_on_deadlock
async def execute_hop(*, user_id: UUID, hop_id: UUID, schedule: bool = True) -> Hop:
    """2.7: the hop goes `executing` and its first step that is not yet completed goes
    `executing` (started_at set); the assets that step writes go `processing`. Every step must
    be `ready_to_execute` (or `completed`, kept from a run before a retry).

    Hand-off: once the transaction has committed, the hop is handed to the executor with
    `server.workflow.executor.schedule_hop(user_id=..., hop_id=...)` (when the executor is
    installed and `schedule` is true); the executor then runs the steps in order and reports
    each through `complete_tool_step` / `fail_tool_step`, and the hop through `complete_hop`."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        hop = await _move_hop(
            user_id=user_id,
            hop_id=hop_id,
            required=[HopStatus.HOP_IMPL_READY],
            target=HopStatus.EXECUTING,
            action="execute hop",
            at=at,
            events=events,
            changes={HopTable.error_message: None},
        )
        steps = (
            await ToolStepTable.select(
                ToolStepTable.id, ToolStepTable.hop_id, ToolStepTable.status, ToolStepTable.result_mapping
            )
            .where((ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == user_id))
            .order_by(ToolStepTable.sequence_order)
            .run()
        )
        allowed = (ToolExecutionStatus.READY_TO_EXECUTE, ToolExecutionStatus.COMPLETED)
        for step in steps:
            if step["status"] not in allowed:
                raise StatusConflict(
                    "tool step", step["id"], step["status"], [ToolExecutionStatus.READY_TO_EXECUTE], "execute hop"
                )
        first = next((step for step in steps if step["status"] == ToolExecutionStatus.READY_TO_EXECUTE), None)
        if first is None:
            raise StatusConflict(
                "hop",
                hop_id,
                HopStatus.HOP_IMPL_READY,
                [HopStatus.HOP_IMPL_READY],
                "execute hop: it has no step to run",
            )
        await _start_step(user_id, first, hop["mission_id"], at, events)
        result = await _hop_result(user_id, hop_id)
    await events.publish()
    if schedule:
        await _hand_to_executor(user_id, hop_id)
    return result


async def _hand_to_executor(user_id: UUID, hop_id: UUID) -> None:
    try:
        from server.workflow import executor
    except ModuleNotFoundError as exc:
        if exc.name != "server.workflow.executor":
            raise
        return
    scheduled = executor.schedule_hop(user_id=user_id, hop_id=hop_id)
    if inspect.iscoroutine(scheduled):  # a task runs on its own; only a coroutine needs awaiting
        await scheduled


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


@retry_on_deadlock
async def complete_tool_step(
    *, user_id: UUID, step_id: UUID, outputs: dict[str, Any], duration_ms: float, stubbed: bool = False
) -> ToolStep:
    """2.8: the step goes `completed` with its execution_result and completed_at; its outputs
    are written through its result mapping (SPEC section 6): an output mapped to an asset the
    hop can see updates that asset's content, summary, status and metadata (naming the tool and
    step); one mapped to an id the hop cannot see creates a hop-scoped intermediate asset;
    `discard` drops it. A written asset becomes `ready`, except a hop output, which stays
    `processing` until the hop completes. The next step goes `executing` (started_at set)."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        await lock_mission_of("step", step_id, user_id=user_id)
        rows = await ToolStepTable.raw(_STEP_WITH_MISSION_SQL, step_id, user_id).run()
        if not rows:
            raise NotFound("tool step", step_id)
        step = rows[0]
        step["hop_id"], step["mission_id"] = as_uuid(step["hop_id"]), as_uuid(step["mission_id"])
        hop_id, mission_id = step["hop_id"], step["mission_id"]
        result_mapping = from_json(step["result_mapping"]) or {}
        targets = _targets(result_mapping)
        result = ExecutionResult(outputs=outputs, written_asset_ids=targets, duration_ms=duration_ms, stubbed=stubbed)
        await set_status(
            ToolStepTable,
            "tool step",
            step_id,
            user_id=user_id,
            required=[ToolExecutionStatus.EXECUTING],
            action="complete tool step",
            changes={
                ToolStepTable.status: ToolExecutionStatus.COMPLETED,
                ToolStepTable.execution_result: to_json(result),
                ToolStepTable.completed_at: at,
                ToolStepTable.error_message: None,
                ToolStepTable.updated_at: at,
            },
        )
        events.add("tool_step", step_id, ToolExecutionStatus.COMPLETED, mission_id=mission_id, hop_id=hop_id)
        seen = None
        if targets:
            seen = await _write_outputs(user_id, step_id, step, result_mapping, outputs, at, events)
        following_rows = await ToolStepTable.raw(
            _NEXT_READY_STEP_SQL, hop_id, user_id, step["sequence_order"], ToolExecutionStatus.READY_TO_EXECUTE.value
        ).run()
        following = following_rows[0] if following_rows else None
        if following is not None:
            following["id"], following["hop_id"] = as_uuid(following["id"]), as_uuid(following["hop_id"])
            await _start_step(user_id, following, mission_id, at, events, seen)
        completed = await missions.get_tool_step(user_id=user_id, step_id=step_id)
    await events.publish()
    return completed


async def _write_outputs(
    user_id: UUID,
    step_id: UUID,
    step: dict[str, Any],
    result_mapping: dict[str, Any],
    outputs: dict[str, Any],
    at: Any,
    events: Events,
) -> Visibility:
    """Write the outputs through the result mapping; returns the hop's visibility, including
    the intermediates just created."""
    hop_id, mission_id = step["hop_id"], step["mission_id"]
    seen = await visibility(user_id=user_id, hop_id=hop_id, mission_id=mission_id)
    visible_ids = [asset_id for asset_id in _targets(result_mapping) if asset_id in seen]
    metadata = {}
    if visible_ids:
        rows = (
            await AssetTable.select(AssetTable.id, AssetTable.asset_metadata)
            .where((AssetTable.user_id == user_id) & AssetTable.id.is_in(visible_ids))
            .run()
        )
        metadata = {row["id"]: from_json(row["asset_metadata"]) or {} for row in rows}
    tool = tool_specs().get(step["tool_id"])
    output_specs = {output.name: output for output in tool.outputs} if tool else {}
    written_by = {
        "tool_id": step["tool_id"],
        "step_id": str(step_id),
        "step_name": step["name"],
        "hop_id": str(hop_id),
        "at": at.isoformat(),
    }
    for name, mapping in result_mapping.items():
        if mapping.get("type") != "asset_field":
            continue
        asset_id = UUID(str(mapping["state_asset"]))
        value = outputs.get(name)
        if asset_id in metadata:
            status = AssetStatus.PROCESSING if seen.hop_map.get(asset_id) is AssetRole.OUTPUT else AssetStatus.READY
            await (
                AssetTable.update(
                    {
                        AssetTable.content: to_json(value),
                        AssetTable.content_summary: summarize_content(value),
                        AssetTable.status: status,
                        AssetTable.asset_metadata: to_json({**metadata[asset_id], "written_by": written_by}),
                        AssetTable.updated_at: at,
                    }
                )
                .where((AssetTable.id == asset_id) & (AssetTable.user_id == user_id))
                .run()
            )
            events.add("asset", asset_id, status, mission_id=mission_id, hop_id=hop_id)
        else:
            output = output_specs.get(name)
            schema = output.schema_definition if output else {"type": "object", "is_array": False}
            row = asset_row(
                user_id=user_id,
                name=f"{step['name']}: {name}",
                description=output.description if output else None,
                schema_definition=schema,
                role=AssetRole.INTERMEDIATE,
                scope_type=AssetScopeType.HOP,
                scope_id=hop_id,
                content=value,
                status=AssetStatus.READY,
                asset_metadata={"written_by": written_by},
            )
            row.id = asset_id
            await AssetTable.insert(row).run()
            await HopAssetTable.insert(
                HopAssetTable(
                    id=uuid4(),
                    user_id=user_id,
                    hop_id=hop_id,
                    asset_id=asset_id,
                    role=AssetRole.INTERMEDIATE,
                    created_at=at,
                )
            ).run()
            # A second output of the same step to the same new id updates what was just created.
            metadata[asset_id] = {"written_by": written_by}
            seen.hop_map[asset_id] = AssetRole.INTERMEDIATE
            events.add("asset", asset_id, AssetStatus.READY, mission_id=mission_id, hop_id=hop_id)
    return seen


@retry_on_deadlock
async def fail_tool_step(*, user_id: UUID, step_id: UUID, error: str) -> ToolStep:
    """2.8b: the step goes `failed` with error_message; its hop goes `failed` with an
    error_message naming the step; later steps stay `ready_to_execute`; the assets the step
    was writing go `error`."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        await lock_mission_of("step", step_id, user_id=user_id)
        step = await _row(
            ToolStepTable,
            "tool step",
            step_id,
            user_id,
            ToolStepTable.hop_id,
            ToolStepTable.name,
            ToolStepTable.sequence_order,
            ToolStepTable.result_mapping,
            ToolStepTable.hop_id.mission_id.as_alias("mission_id"),
        )
        await set_status(
            ToolStepTable,
            "tool step",
            step_id,
            user_id=user_id,
            required=[ToolExecutionStatus.EXECUTING],
            action="fail tool step",
            changes={
                ToolStepTable.status: ToolExecutionStatus.FAILED,
                ToolStepTable.error_message: error,
                ToolStepTable.updated_at: at,
            },
        )
        events.add(
            "tool_step", step_id, ToolExecutionStatus.FAILED, mission_id=step["mission_id"], hop_id=step["hop_id"]
        )
        await _fail_hop_of_step(user_id, step, error, at, events)
        failed = await missions.get_tool_step(user_id=user_id, step_id=step_id)
    await events.publish()
    return failed


async def _fail_hop_of_step(user_id: UUID, step: dict[str, Any], error: str, at: Any, events: Events) -> None:
    hop_id, mission_id = step["hop_id"], step["mission_id"]
    message = f'Step {step["sequence_order"] + 1} ("{step["name"]}") failed: {error}'
    changed = (
        await HopTable.update(
            {HopTable.status: HopStatus.FAILED, HopTable.error_message: message, HopTable.updated_at: at}
        )
        .where((HopTable.id == hop_id) & (HopTable.user_id == user_id) & (HopTable.status == HopStatus.EXECUTING))
        .returning(HopTable.id)
        .run()
    )
    if changed:
        events.add("hop", hop_id, HopStatus.FAILED, mission_id=mission_id, hop_id=hop_id)
    targets = _targets(from_json(step["result_mapping"]) or {})
    if targets:
        seen = await visibility(user_id=user_id, hop_id=hop_id, mission_id=mission_id)
        await _set_asset_status(
            user_id, [asset_id for asset_id in targets if asset_id in seen], AssetStatus.ERROR, at, events
        )


@retry_on_deadlock
async def retry_hop(*, user_id: UUID, hop_id: UUID) -> Hop:
    """2.8c: a `failed` hop goes back to `hop_impl_ready` and its failed steps to
    `ready_to_execute`; completed steps keep their results, so executing again resumes at the
    step that failed."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        hop = await _move_hop(
            user_id=user_id,
            hop_id=hop_id,
            required=[HopStatus.FAILED],
            target=HopStatus.HOP_IMPL_READY,
            action="retry hop",
            at=at,
            events=events,
            changes={HopTable.error_message: None},
        )
        steps = (
            await ToolStepTable.update(
                {
                    ToolStepTable.status: ToolExecutionStatus.READY_TO_EXECUTE,
                    ToolStepTable.error_message: None,
                    ToolStepTable.started_at: None,
                    ToolStepTable.completed_at: None,
                    ToolStepTable.execution_result: None,
                    ToolStepTable.updated_at: at,
                }
            )
            .where(
                (ToolStepTable.hop_id == hop_id)
                & (ToolStepTable.user_id == user_id)
                & (ToolStepTable.status == ToolExecutionStatus.FAILED)
            )
            .returning(ToolStepTable.id)
            .run()
        )
        events.add_many(
            "tool_step",
            [r["id"] for r in steps],
            ToolExecutionStatus.READY_TO_EXECUTE,
            mission_id=hop["mission_id"],
            hop_id=hop_id,
        )
        result = await _hop_result(user_id, hop_id)
    await events.publish()
    return result


@retry_on_deadlock
async def complete_hop(*, user_id: UUID, hop_id: UUID) -> Hop:
    """2.9: an `executing` hop whose steps are all completed goes `completed`, is_resolved,
    with an execution summary in hop_metadata; its output assets go `ready` and its hop-scoped
    intermediates `expired`. A final hop completes the mission (and its session); otherwise
    the mission's current hop is cleared, so the next hop can start."""
    at = now()
    events = Events(user_id)
    async with write_transaction():
        hop = await _move_hop(
            user_id=user_id,
            hop_id=hop_id,
            required=[HopStatus.EXECUTING],
            target=HopStatus.COMPLETED,
            action="complete hop",
            at=at,
            events=events,
            changes={HopTable.is_resolved: True},
            returning=[HopTable.is_final, HopTable.hop_metadata],
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
        for step in steps:
            if step["status"] != ToolExecutionStatus.COMPLETED:
                raise StatusConflict(
                    "tool step", step["id"], step["status"], [ToolExecutionStatus.COMPLETED], "complete hop"
                )
        summary = _execution_summary(steps, at)
        metadata = {**(from_json(hop["hop_metadata"]) or {}), "execution_summary": summary}
        await HopTable.update({HopTable.hop_metadata: to_json(metadata)}).where(HopTable.id == hop_id).run()

        outputs = [
            r["asset_id"]
            for r in await HopAssetTable.select(HopAssetTable.asset_id)
            .where(
                (HopAssetTable.hop_id == hop_id)
                & (HopAssetTable.user_id == user_id)
                & (HopAssetTable.role == AssetRole.OUTPUT)
            )
            .run()
        ]
        await _set_asset_status(user_id, outputs, AssetStatus.READY, at, events)
        expired = (
            await AssetTable.update({AssetTable.status: AssetStatus.EXPIRED, AssetTable.updated_at: at})
            .where(
                (AssetTable.user_id == user_id)
                & (AssetTable.scope_type == AssetScopeType.HOP)
                & (AssetTable.scope_id == hop_id)
            )
            .returning(AssetTable.id)
            .run()
        )
        events.add_many("asset", [r["id"] for r in expired], AssetStatus.EXPIRED, mission_id=mission_id, hop_id=hop_id)

        if hop["is_final"]:
            await set_status(
                MissionTable,
                "mission",
                mission_id,
                user_id=user_id,
                required=[MissionStatus.IN_PROGRESS],
                action="complete the mission with its final hop",
                changes={MissionTable.status: MissionStatus.COMPLETED, MissionTable.updated_at: at},
            )
            events.add("mission", mission_id, MissionStatus.COMPLETED, mission_id=mission_id)
            await _complete_sessions(user_id, mission_id, at, events)
        else:
            await (
                MissionTable.update({MissionTable.current_hop_id: None, MissionTable.updated_at: at})
                .where(
                    (MissionTable.id == mission_id)
                    & (MissionTable.user_id == user_id)
                    & (MissionTable.current_hop_id == hop_id)
                )
                .run()
            )
        result = await _hop_result(user_id, hop_id)
    await events.publish()
    return result


def _execution_summary(steps: list[dict[str, Any]], at: Any) -> dict[str, Any]:
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


# Recovery -----------------------------------------------------------------------------------


@retry_on_deadlock
async def fail_stale_executing_steps() -> int:
    """Fail every step left `executing` by a server that stopped (all users), with a message
    saying so, and fail its hop; the assets it was writing go `error`. Called once at start-up,
    before any hop is scheduled. Returns how many steps were failed."""
    at = now()
    by_user: dict[UUID, Events] = {}
    async with write_transaction():
        stale = (
            await ToolStepTable.update(
                {
                    ToolStepTable.status: ToolExecutionStatus.FAILED,
                    ToolStepTable.error_message: STALE_STEP_MESSAGE,
                    ToolStepTable.updated_at: at,
                }
            )
            .where(ToolStepTable.status == ToolExecutionStatus.EXECUTING)
            .returning(
                ToolStepTable.id,
                ToolStepTable.user_id,
                ToolStepTable.hop_id,
                ToolStepTable.name,
                ToolStepTable.sequence_order,
                ToolStepTable.result_mapping,
            )
            .run()
        )
        if stale:
            hops = (
                await HopTable.select(HopTable.id, HopTable.mission_id)
                .where(HopTable.id.is_in([s["hop_id"] for s in stale]))
                .run()
            )
            missions_of = {h["id"]: h["mission_id"] for h in hops}
            for step in stale:
                user_id = step["user_id"]
                events = by_user.setdefault(user_id, Events(user_id))
                step["mission_id"] = missions_of[step["hop_id"]]
                events.add(
                    "tool_step",
                    step["id"],
                    ToolExecutionStatus.FAILED,
                    mission_id=step["mission_id"],
                    hop_id=step["hop_id"],
                )
                await _fail_hop_of_step(user_id, step, STALE_STEP_MESSAGE, at, events)
    for events in by_user.values():
        await events.publish()
    return len(stale)

"""Planning a hop: start (2.1), propose (2.2), accept (2.3) or reject (2.3b) its plan
(docs/state-machine.md)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from server.assets.service import asset_row
from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.assets.tables import MissionAsset as MissionAssetTable
from server.database import from_json, to_json
from server.enums import AssetRole, AssetScopeType, AssetStatus, HopStatus, WorkflowEntity, label
from server.errors import NotFound, Unprocessable
from server.missions import service as missions
from server.missions.schemas import ExistingAssetOutput, Hop, HopPlanProposal, NewAssetOutput
from server.missions.tables import Hop as HopTable
from server.missions.tables import Mission as MissionTable
from server.schemas import FieldError
from server.sessions.schemas import HopPlanProposalCard
from server.workflow.refusals import refused
from server.workflow.state_machine import Transitions
from server.workflow.transitions.unit import Work, transition

_PLANNED_ASSET = Transitions.PROPOSE_HOP_PLAN.effects[0]
_PLAN_ACCEPTED = Transitions.ACCEPT_HOP_PLAN.effects[0]


@transition
async def start_hop_plan(work: Work, *, user_id: UUID, mission_id: UUID) -> Hop:
    """2.1: a new hop `hop_plan_started` with the next sequence_order becomes the mission's
    current hop. The mission must be `in_progress` with no unfinished current hop."""
    rule = Transitions.START_HOP_PLAN
    hop_id = uuid4()
    changed = (
        await MissionTable.update({MissionTable.current_hop_id: hop_id, MissionTable.updated_at: work.at})
        .where(
            (MissionTable.id == mission_id)
            & (MissionTable.user_id == user_id)
            & MissionTable.status.is_in(list(rule.requires))
            & MissionTable.current_hop_id.is_null()
        )
        .returning(MissionTable.id)
        .run()
    )
    if not changed:
        await _refuse_start(work, mission_id)
    rows = await HopTable.raw(
        "SELECT COALESCE(MAX(sequence_order) + 1, 0) AS next FROM hops WHERE mission_id = {}", mission_id
    ).run()
    order = rows[0]["next"]
    await HopTable.insert(
        HopTable(
            id=hop_id,
            user_id=user_id,
            mission_id=mission_id,
            sequence_order=order,
            name=f"Hop {order + 1}",
            description=None,
            goal=None,
            success_criteria=to_json([]),
            rationale=None,
            status=rule.target,
            is_final=False,
            is_resolved=False,
            error_message=None,
            hop_metadata=to_json({}),
            intended_input_asset_ids=to_json([]),
            intended_output_asset_ids=to_json([]),
            intended_output_asset_specs=to_json([]),
            created_at=work.at,
            updated_at=work.at,
        )
    ).run()
    result = await missions.get_hop(user_id=user_id, hop_id=hop_id)
    work.events.add(WorkflowEntity.HOP, hop_id, rule.target, mission_id=mission_id, hop_id=hop_id)
    return result


async def _refuse_start(work: Work, mission_id: UUID) -> None:
    """Why a hop plan cannot start: the mission's status, or its unfinished current hop."""
    rule = Transitions.START_HOP_PLAN
    mission = (
        await MissionTable.select(MissionTable.status, MissionTable.current_hop_id)
        .where((MissionTable.id == mission_id) & (MissionTable.user_id == work.user_id))
        .first()
        .run()
    )
    if mission is None:
        raise NotFound("mission", mission_id)
    if mission["status"] not in rule.requires:
        raise refused(WorkflowEntity.MISSION, mission_id, mission["status"], rule.requires, rule.action)
    hop = await HopTable.select(HopTable.status).where(HopTable.id == mission["current_hop_id"]).first().run()
    raise refused(
        WorkflowEntity.HOP,
        mission["current_hop_id"],
        hop["status"] if hop else "missing",
        [HopStatus.COMPLETED],
        rule.action,
        hint="The mission's current hop is not finished yet; finish or cancel it before planning the next one.",
    )


@transition
async def propose_hop_plan(work: Work, *, user_id: UUID, hop_id: UUID, data: HopPlanProposal) -> Hop:
    """2.2: store the plan and map its assets: each input (an existing mission asset) as a hop
    input; the output either a new asset (mission-scoped, mission role `intermediate`, hop role
    `output`) or an existing mission asset (hop role `output`)."""
    inputs = list(dict.fromkeys(data.inputs))
    if isinstance(data.output, NewAssetOutput):
        output_id = uuid4()
        specs = [{"asset_id": output_id, **_proposal_dict(data.output)}]
    else:
        output_id = data.output.mission_asset_id
        specs = []
    hop = await work.move_hop(
        Transitions.PROPOSE_HOP_PLAN,
        hop_id,
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
    await _check_plan_assets(work, mission_id, data, inputs, output_id)
    if isinstance(data.output, NewAssetOutput):
        await _create_planned_asset(work, mission_id, hop_id, data.output, output_id)
    await HopAssetTable.insert(
        *[
            HopAssetTable(
                id=uuid4(), user_id=user_id, hop_id=hop_id, asset_id=asset_id, role=AssetRole.INPUT, created_at=work.at
            )
            for asset_id in inputs
        ],
        HopAssetTable(
            id=uuid4(), user_id=user_id, hop_id=hop_id, asset_id=output_id, role=AssetRole.OUTPUT, created_at=work.at
        ),
    ).run()
    work.proposal = HopPlanProposalCard(mission_id=mission_id, hop_id=hop_id, proposal=data)
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


async def _check_plan_assets(
    work: Work, mission_id: UUID, data: HopPlanProposal, inputs: list[UUID], output_id: UUID
) -> None:
    """The plan's inputs and existing output must be assets of the mission; a final hop must
    output one of the mission's outputs, and every other mission output must be `ready`
    already (422 naming each)."""
    rows = (
        await MissionAssetTable.select(
            MissionAssetTable.asset_id,
            MissionAssetTable.role,
            MissionAssetTable.asset_id.name.as_alias("name"),
            MissionAssetTable.asset_id.status.as_alias("status"),
        )
        .where((MissionAssetTable.mission_id == mission_id) & (MissionAssetTable.user_id == work.user_id))
        .run()
    )
    mission_assets = {r["asset_id"]: r for r in rows}
    errors = [
        FieldError(field=f"body.inputs[{index}]", reason=f"asset {asset_id} is not an asset of this mission")
        for index, asset_id in enumerate(data.inputs)
        if asset_id not in mission_assets
    ]
    if isinstance(data.output, ExistingAssetOutput):
        field = "body.output.mission_asset_id"
        if output_id not in mission_assets:
            errors.append(FieldError(field=field, reason=f"asset {output_id} is not an asset of this mission"))
        elif output_id in inputs:
            errors.append(
                FieldError(field=field, reason=f"asset {output_id} cannot be both an input and the output of the hop")
            )
    if errors:
        raise Unprocessable("The hop plan names assets this mission does not have", errors=errors)
    if data.is_final:
        _check_final_plan(data, output_id, list(mission_assets.values()))


def _check_final_plan(data: HopPlanProposal, output_id: UUID, mission_assets: list[dict[str, Any]]) -> None:
    """A final hop completes the mission: it must write one of the mission's outputs, and the
    mission's other outputs must be ready by then (written by earlier hops)."""
    outputs = [r for r in mission_assets if r["role"] == AssetRole.OUTPUT]
    errors: list[FieldError] = []
    if not isinstance(data.output, ExistingAssetOutput) or all(r["asset_id"] != output_id for r in outputs):
        names = ", ".join(f'"{r["name"]}"' for r in outputs) or "none (the mission declares no output)"
        errors.append(
            FieldError(
                field="body.output",
                reason=f"a final hop must write one of the mission's outputs (an existing asset); they are: {names}",
            )
        )
    for r in outputs if not errors else ():
        if r["asset_id"] != output_id and r["status"] != AssetStatus.READY:
            errors.append(
                FieldError(
                    field="body.is_final",
                    reason=f'mission output "{r["name"]}" ({r["asset_id"]}) is not ready yet '
                    f"({label(r['status'], AssetStatus).lower()}): plan a hop that writes it before the final one",
                )
            )
    if errors:
        raise Unprocessable(
            "This hop cannot be the final one: " + "; ".join(error.reason for error in errors), errors=errors
        )


async def _create_planned_asset(
    work: Work, mission_id: UUID, hop_id: UUID, output: NewAssetOutput, output_id: UUID
) -> None:
    """The plan's new output: mission-scoped, mission role `intermediate`."""
    row = asset_row(
        user_id=work.user_id,
        name=output.asset.name,
        description=output.asset.description,
        schema_definition=output.asset.schema_definition,
        role=AssetRole.INTERMEDIATE,
        scope_type=AssetScopeType.MISSION,
        scope_id=mission_id,
        content=output.asset.content,
        status=AssetStatus(_PLANNED_ASSET.target),
    )
    row.id = output_id
    await AssetTable.insert(row).run()
    await MissionAssetTable.insert(
        MissionAssetTable(
            id=uuid4(),
            user_id=work.user_id,
            mission_id=mission_id,
            asset_id=row.id,
            role=AssetRole.INTERMEDIATE,
            created_at=work.at,
        )
    ).run()
    work.events.add(WorkflowEntity.ASSET, row.id, _PLANNED_ASSET.target, mission_id=mission_id, hop_id=hop_id)


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


@transition
async def accept_hop_plan(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.3: the hop goes `hop_plan_ready`; assets its plan created become `ready_for_processing`."""
    hop = await work.move_hop(Transitions.ACCEPT_HOP_PLAN, hop_id, returning=[HopTable.intended_output_asset_specs])
    await work.set_asset_status(
        _plan_created_assets(hop), _PLAN_ACCEPTED.target, mission_id=hop["mission_id"], hop_id=hop_id
    )
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


@transition
async def reject_hop_plan(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.3b: the hop goes back to `hop_plan_started`; the plan's asset mappings and the assets
    it created are removed."""
    await work.lock_mission_of(WorkflowEntity.HOP, hop_id)
    planned = (
        await HopTable.select(HopTable.intended_output_asset_specs)
        .where((HopTable.id == hop_id) & (HopTable.user_id == user_id))
        .first()
        .run()
    )
    if planned is None:
        raise NotFound("hop", hop_id)
    empty = to_json([])
    await work.move_hop(
        Transitions.REJECT_HOP_PLAN,
        hop_id,
        locked=True,
        changes={
            HopTable.intended_input_asset_ids: empty,
            HopTable.intended_output_asset_ids: empty,
            HopTable.intended_output_asset_specs: empty,
        },
    )
    await HopAssetTable.delete().where((HopAssetTable.hop_id == hop_id) & (HopAssetTable.user_id == user_id)).run()
    created = _plan_created_assets(planned)
    if created:
        # Their MissionAsset rows go with them (ON DELETE CASCADE on the asset).
        await AssetTable.delete().where((AssetTable.user_id == user_id) & AssetTable.id.is_in(created)).run()
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)

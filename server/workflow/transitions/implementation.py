"""Implementing a hop: start (2.4), propose (2.5) and accept (2.6) its tool chain, configure a
step's resources (2.6b), and the dry-run check of a chain (docs/state-machine.md; the chain
rules are in docs/tools.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

import msgspec

from server.assets.tables import Asset as AssetTable
from server.connections import service as connections
from server.database import decode_json_fields, from_json, to_json
from server.enums import WorkflowEntity
from server.errors import ApiError, InvalidInput, NotFound, Unprocessable
from server.missions import service as missions
from server.missions.schemas import Hop, HopImplementationProposal, ToolStep
from server.missions.tables import Hop as HopTable
from server.missions.tables import ToolStep as ToolStepTable
from server.schemas import AssetFieldMapping, FieldError
from server.sessions.schemas import HopImplementationProposalCard
from server.settings import get_settings
from server.tools.schemas import ToolSpec
from server.workflow.refusals import refused
from server.workflow.resources import config_input_errors, merge_configs, missing_configuration, pick_connections
from server.workflow.schemas import ChainValidation, ToolStepConfiguration
from server.workflow.state_machine import Transition, Transitions
from server.workflow.transitions.unit import Work, transition
from server.workflow.validation import chain_errors
from server.workflow.visibility import chain_assets, tool_specs

_STEPS_PROPOSED = Transitions.PROPOSE_HOP_IMPLEMENTATION.effects[0]
_STEPS_READY = Transitions.ACCEPT_HOP_IMPLEMENTATION.effects[0]


class InvalidConfiguration(ApiError):
    """Resource values that do not fit the tool's resources (400), every problem listed."""

    status_code = 400
    code = "validation_error"


@transition
async def start_hop_implementation(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.4: the hop goes from `hop_plan_ready` to `hop_impl_started`."""
    await work.move_hop(Transitions.START_HOP_IMPLEMENTATION, hop_id)
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


async def _implementation_errors(
    user_id: UUID, hop_id: UUID, mission_id: UUID, data: HopImplementationProposal, tools: Mapping[str, ToolSpec]
) -> list[FieldError]:
    """Tool chain errors (docs/tools.md) and resource value errors of a proposed chain."""
    assets = await chain_assets(user_id=user_id, hop_id=hop_id, mission_id=mission_id)
    new_ids = list(
        {m.state_asset for step in data.steps for m in step.result_mapping.values() if isinstance(m, AssetFieldMapping)}
        - set(assets)
    )
    # An id meant for a new intermediate must not be another asset of this user's. Other users'
    # assets are never looked at: whether an id exists elsewhere is not this user's to learn.
    taken = (
        [
            r["id"]
            for r in await AssetTable.select(AssetTable.id)
            .where(AssetTable.id.is_in(new_ids) & (AssetTable.user_id == user_id))
            .run()
        ]
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
    hop = (
        await HopTable.select(HopTable.mission_id)
        .where((HopTable.id == hop_id) & (HopTable.user_id == user_id))
        .first()
        .run()
    )
    if hop is None:
        raise NotFound("hop", hop_id)
    errors = await _implementation_errors(user_id, hop_id, hop["mission_id"], data, tool_specs())
    return ChainValidation(valid=not errors, errors=errors)


@transition
async def propose_hop_implementation(
    work: Work, *, user_id: UUID, hop_id: UUID, data: HopImplementationProposal
) -> Hop:
    """2.5: validate the tool chain (docs/tools.md); with errors nothing is stored and every
    error is returned (422); else the steps are stored `awaiting_configuration` and the hop
    goes `hop_impl_proposed`."""
    tools = tool_specs()
    hop = await work.move_hop(Transitions.PROPOSE_HOP_IMPLEMENTATION, hop_id)
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
                status=_STEPS_PROPOSED.target,
                parameter_mapping=to_json(step.parameter_mapping),
                result_mapping=to_json(step.result_mapping),
                resource_configs=to_json(configs),
                validation_errors=to_json(missing_configuration(tool, configs)),
                execution_result=None,
                error_message=None,
                created_at=work.at,
                updated_at=work.at,
                started_at=None,
                completed_at=None,
            )
        )
    await ToolStepTable.insert(*rows).run()
    work.proposal = HopImplementationProposalCard(
        mission_id=hop["mission_id"],
        hop_id=hop_id,
        # Resource values may be secret: the chat's card shows the chain without them.
        proposal=HopImplementationProposal(
            steps=[msgspec.structs.replace(step, resource_configs={}) for step in data.steps]
        ),
    )
    result = await missions.get_hop(user_id=user_id, hop_id=hop_id)
    work.events.add_many(
        WorkflowEntity.TOOL_STEP,
        [row.id for row in rows],
        _STEPS_PROPOSED.target,
        mission_id=hop["mission_id"],
        hop_id=hop_id,
    )
    return result


@transition
async def reject_hop_implementation(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.5b: the hop goes back to `hop_impl_started`; its steps are removed, their chain kept
    in hop_metadata (`draft_chain`) as the draft to start from."""
    await _back_to_design(work, Transitions.REJECT_HOP_IMPLEMENTATION, hop_id)
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


@transition
async def revise_hop(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.8d: a `failed` hop goes back to `hop_impl_started`; its steps are removed, their
    chain kept in hop_metadata (`draft_chain`, with the failure in `last_error`) as the draft
    to edit. The assets it wrote stay as they are until a new run writes them."""
    await _back_to_design(work, Transitions.REVISE_HOP, hop_id)
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


_DRAFT_COLUMNS = (
    ToolStepTable.tool_id,
    ToolStepTable.name,
    ToolStepTable.description,
    ToolStepTable.parameter_mapping,
    ToolStepTable.result_mapping,
)


async def _back_to_design(work: Work, rule: Transition, hop_id: UUID) -> None:
    """Move the hop back to `hop_impl_started` (2.5b, 2.8d): its steps are removed and their
    chain kept in `hop_metadata.draft_chain` = {steps: [{tool_id, name, description,
    parameter_mapping, result_mapping}], last_error}, the shape of a HopImplementationProposal
    without resource values (they may be secret), so a form or the assistant starts from it."""
    await work.lock_mission_of(WorkflowEntity.HOP, hop_id)
    hop = (
        await HopTable.select(HopTable.hop_metadata, HopTable.error_message)
        .where((HopTable.id == hop_id) & (HopTable.user_id == work.user_id))
        .first()
        .run()
    )
    if hop is None:
        raise NotFound("hop", hop_id)
    steps = (
        await ToolStepTable.select(*_DRAFT_COLUMNS)
        .where((ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == work.user_id))
        .order_by(ToolStepTable.sequence_order)
        .run()
    )
    draft = [decode_json_fields(step, ("parameter_mapping", "result_mapping")) for step in steps]
    metadata = {
        **(from_json(hop["hop_metadata"]) or {}),
        "draft_chain": {"steps": draft, "last_error": hop["error_message"]},
    }
    await work.move_hop(
        rule,
        hop_id,
        locked=True,
        changes={HopTable.hop_metadata: to_json(metadata), HopTable.error_message: None},
    )
    await ToolStepTable.delete().where((ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == work.user_id)).run()


def _missing(tool: ToolSpec | None, tool_id: str, configs: dict[str, Any]) -> list[str]:
    """What a step still needs before it can run: nothing in stub mode (the executor runs it
    from the tool's sample responses)."""
    if tool is None:
        return [f'tool "{tool_id}" is not registered']
    missing = missing_configuration(tool, configs)
    return [] if get_settings().execution.stub_unconfigured_tools else missing


@transition
async def accept_hop_implementation(work: Work, *, user_id: UUID, hop_id: UUID) -> Hop:
    """2.6: the hop goes `hop_impl_ready`; each step whose tool needs no resource, or whose
    resources are configured, becomes `ready_to_execute`; the others stay
    `awaiting_configuration` with validation_errors naming what is missing."""
    tools = tool_specs()
    hop = await work.move_hop(Transitions.ACCEPT_HOP_IMPLEMENTATION, hop_id)
    steps = (
        await ToolStepTable.select(ToolStepTable.id, ToolStepTable.tool_id, ToolStepTable.resource_configs)
        .where(
            (ToolStepTable.hop_id == hop_id)
            & (ToolStepTable.user_id == user_id)
            & ToolStepTable.status.is_in(list(_STEPS_READY.requires))
        )
        .run()
    )
    ready: list[UUID] = []
    for step in steps:
        missing = _missing(tools.get(step["tool_id"]), step["tool_id"], from_json(step["resource_configs"]) or {})
        if missing:
            await (
                ToolStepTable.update(
                    {ToolStepTable.validation_errors: to_json(missing), ToolStepTable.updated_at: work.at}
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
                    ToolStepTable.status: _STEPS_READY.target,
                    ToolStepTable.validation_errors: to_json([]),
                    ToolStepTable.updated_at: work.at,
                }
            )
            .where(ToolStepTable.id.is_in(ready))
            .run()
        )
        work.events.add_many(
            WorkflowEntity.TOOL_STEP, ready, _STEPS_READY.target, mission_id=hop["mission_id"], hop_id=hop_id
        )
    return await missions.get_hop(user_id=user_id, hop_id=hop_id)


@transition
async def configure_tool_step(work: Work, *, user_id: UUID, step_id: UUID, data: ToolStepConfiguration) -> ToolStep:
    """2.6b: store the step's resource values (checked against the tool's resources; secrets
    encrypted) or the saved connections it uses; the step becomes `ready_to_execute` once
    every required value is set. A step that is ready or failed can be configured again
    (a fix before it runs again), unless its hop is executing."""
    rule = Transitions.CONFIGURE_TOOL_STEP
    await work.lock_mission_of(WorkflowEntity.TOOL_STEP, step_id)
    step = (
        await ToolStepTable.select(
            ToolStepTable.status,
            ToolStepTable.tool_id,
            ToolStepTable.resource_configs,
            ToolStepTable.hop_id,
            ToolStepTable.hop_id.status.as_alias("hop_status"),
            ToolStepTable.hop_id.mission_id.as_alias("mission_id"),
        )
        .where((ToolStepTable.id == step_id) & (ToolStepTable.user_id == user_id))
        .first()
        .run()
    )
    if step is None:
        raise NotFound("tool step", step_id)
    if step["status"] not in rule.requires:
        await work.move(ToolStepTable, rule, step_id)  # refused, naming the step's status
    if step["hop_status"] not in rule.hop_requires:
        raise refused(WorkflowEntity.HOP, step["hop_id"], step["hop_status"], rule.hop_requires, rule.action)
    tool = tool_specs().get(step["tool_id"])
    if tool is None:
        raise Unprocessable(f'Tool "{step["tool_id"]}" of this step is not registered')
    errors = config_input_errors(tool, data.resource_configs, "body.resource_configs")
    errors.extend(await _connection_errors(user_id, tool, data))
    if errors:
        raise InvalidConfiguration("; ".join(error.reason for error in errors), errors=errors)
    configs = merge_configs(tool, from_json(step["resource_configs"]) or {}, data.resource_configs)
    configs = pick_connections(configs, data.connections)
    missing = missing_configuration(tool, configs)
    status = (rule.otherwise if missing else None) or rule.target
    await work.move(
        ToolStepTable,
        rule,
        step_id,
        target=status,
        changes={
            ToolStepTable.resource_configs: to_json(configs),
            ToolStepTable.validation_errors: to_json(missing),
            ToolStepTable.error_message: None,
        },
    )
    result = await missions.get_tool_step(user_id=user_id, step_id=step_id)
    if status != step["status"]:
        work.events.add(WorkflowEntity.TOOL_STEP, step_id, status, mission_id=step["mission_id"], hop_id=step["hop_id"])
    return result


async def _connection_errors(user_id: UUID, tool: ToolSpec, data: ToolStepConfiguration) -> list[FieldError]:
    """Problems with the picked connections: a resource the tool does not use, one given values
    too, a connection the user does not have or of another type."""
    resources = {resource.id: resource for resource in tool.resource_dependencies}
    errors: list[FieldError] = []
    for resource_id, connection_id in data.connections.items():
        field = f"body.connections.{resource_id}"
        resource = resources.get(resource_id)
        if resource is None:
            errors.append(FieldError(field=field, reason=f'tool "{tool.id}" does not use resource "{resource_id}"'))
        elif resource_id in data.resource_configs and connection_id is not None:
            errors.append(FieldError(field=field, reason="give a resource either a connection or values, not both"))
        elif connection_id is not None:
            try:
                await connections.connection_for_step(
                    user_id=user_id, connection_id=connection_id, resource_type=resource.type, field=field
                )
            except InvalidInput as exc:
                errors.extend(exc.errors)
    return errors

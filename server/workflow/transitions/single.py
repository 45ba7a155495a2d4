"""Running part of a hop: one step on its own (2.7b) or a step and every step after it
(2.7c), typically after a fix (a step configured again, a connection changed, an input
edited) (docs/state-machine.md).

Both need the hop in a state where its steps are configured (`hop_impl_ready`, or `failed`)
and every earlier step `completed`, so the step's inputs exist. Like `execute_hop` they only
move statuses; once they have committed, the route hands the hop to the executor
(`schedule_hop`, with `only_step` for 2.7b). A step run alone reports through
`complete_tool_step(run_next=False)`, which starts no other step and, unless every step has
then completed (the executor completes the hop), moves the hop back to `hop_impl_ready`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from server.enums import WorkflowEntity
from server.errors import NotFound
from server.missions import service as missions
from server.missions.schemas import Hop
from server.missions.tables import Hop as HopTable
from server.missions.tables import ToolStep as ToolStepTable
from server.workflow.refusals import refused
from server.workflow.state_machine import Transition, Transitions
from server.workflow.transitions.execution import check_running_hops, start_step
from server.workflow.transitions.unit import Work, transition

_LATER_RESET = Transitions.RUN_FROM_TOOL_STEP.effects[1]


async def _open(work: Work, rule: Transition, step_id: UUID) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Lock the mission, read the step's hop and steps, and check the rule's conditions:
    the step's status, its hop's status, earlier steps completed. Returns the step and the
    hop's steps in order."""
    await work.lock_mission_of(WorkflowEntity.TOOL_STEP, step_id)
    row = (
        await ToolStepTable.select(ToolStepTable.hop_id, ToolStepTable.hop_id.status.as_alias("hop_status"))
        .where((ToolStepTable.id == step_id) & (ToolStepTable.user_id == work.user_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("tool step", step_id)
    steps = (
        await ToolStepTable.select(
            ToolStepTable.id,
            ToolStepTable.hop_id,
            ToolStepTable.name,
            ToolStepTable.status,
            ToolStepTable.sequence_order,
            ToolStepTable.result_mapping,
        )
        .where((ToolStepTable.hop_id == row["hop_id"]) & (ToolStepTable.user_id == work.user_id))
        .order_by(ToolStepTable.sequence_order)
        .run()
    )
    index = next(i for i, s in enumerate(steps) if s["id"] == step_id)
    step = steps[index]
    if step["status"] not in rule.requires:
        raise refused(WorkflowEntity.TOOL_STEP, step_id, step["status"], rule.requires, rule.action)
    if row["hop_status"] not in rule.hop_requires:
        raise refused(WorkflowEntity.HOP, row["hop_id"], row["hop_status"], rule.hop_requires, rule.action)
    done = Transitions.COMPLETE_TOOL_STEP.target
    for earlier in steps[:index]:
        if earlier["status"] != done:
            raise refused(
                WorkflowEntity.TOOL_STEP,
                earlier["id"],
                earlier["status"],
                (done,),
                rule.action,
                hint=f"Step {earlier['sequence_order'] + 1} (“{earlier['name']}”) before it must complete first.",
            )
    return step, steps[index + 1 :]


async def _start(work: Work, rule: Transition, step: dict[str, Any]) -> dict[str, Any]:
    """The hop goes `executing` (its error cleared), then the step (its result cleared)."""
    effect = rule.effects[0]
    await check_running_hops(work, step["hop_id"])
    hop = await work.change_status(
        HopTable,
        WorkflowEntity.HOP,
        step["hop_id"],
        requires=effect.requires,
        target=effect.target,
        action=rule.action,
        changes={HopTable.error_message: None},
        returning=[HopTable.mission_id],
    )
    work.events.add(
        WorkflowEntity.HOP, step["hop_id"], effect.target, mission_id=hop["mission_id"], hop_id=step["hop_id"]
    )
    await _clear_results(work, [step["id"]])
    await start_step(work, step, hop["mission_id"], requires=rule.requires)
    return hop


async def _clear_results(work: Work, step_ids: list[UUID]) -> None:
    await (
        ToolStepTable.update({ToolStepTable.execution_result: None, ToolStepTable.completed_at: None})
        .where(ToolStepTable.id.is_in(step_ids) & (ToolStepTable.user_id == work.user_id))
        .run()
    )


@transition
async def run_tool_step(work: Work, *, user_id: UUID, step_id: UUID) -> Hop:
    """2.7b: the step's hop and the step go `executing`; only this step runs. Requires every
    earlier step `completed`."""
    rule = Transitions.RUN_TOOL_STEP
    step, _ = await _open(work, rule, step_id)
    await _start(work, rule, step)
    return await missions.get_hop(user_id=user_id, hop_id=step["hop_id"])


@transition
async def run_from_tool_step(work: Work, *, user_id: UUID, step_id: UUID) -> Hop:
    """2.7c: the step's hop and the step go `executing`, later completed or failed steps back
    to `ready_to_execute` (results cleared); they then run in order. Requires every earlier
    step `completed` and every later one ready, completed or failed."""
    rule = Transitions.RUN_FROM_TOOL_STEP
    step, later = await _open(work, rule, step_id)
    allowed = (*_LATER_RESET.requires, _LATER_RESET.target)
    for following in later:
        if following["status"] not in allowed:
            raise refused(
                WorkflowEntity.TOOL_STEP,
                following["id"],
                following["status"],
                allowed,
                rule.action,
                hint=f"Step {following['sequence_order'] + 1} (“{following['name']}”) after it cannot run yet.",
            )
    hop = await _start(work, rule, step)
    reset = [s["id"] for s in later if s["status"] in _LATER_RESET.requires]
    if reset:
        await (
            ToolStepTable.update(
                {
                    ToolStepTable.status: _LATER_RESET.target,
                    ToolStepTable.execution_result: None,
                    ToolStepTable.error_message: None,
                    ToolStepTable.started_at: None,
                    ToolStepTable.completed_at: None,
                    ToolStepTable.updated_at: work.at,
                }
            )
            .where(ToolStepTable.id.is_in(reset) & (ToolStepTable.user_id == user_id))
            .run()
        )
        work.events.add_many(
            WorkflowEntity.TOOL_STEP, reset, _LATER_RESET.target, mission_id=hop["mission_id"], hop_id=step["hop_id"]
        )
    return await missions.get_hop(user_id=user_id, hop_id=step["hop_id"])

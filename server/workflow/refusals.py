"""Refusals of the transition service in words for people: what the entity's status means
and what to do now (docs/state-machine.md). The error body keeps the machine-readable part
(`code`, `entity`, `entity_id`, `current_status`, `required_status`)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from server.enums import (
    HopStatus,
    MissionStatus,
    ToolExecutionStatus,
    UserSessionStatus,
    WorkflowEntity,
    label,
)
from server.errors import StatusConflict
from server.workflow.state_machine import STATUSES

WHAT_TO_DO: dict[tuple[WorkflowEntity, StrEnum], str] = {
    (WorkflowEntity.SESSION, UserSessionStatus.ACTIVE): "This session is still open.",
    (
        WorkflowEntity.SESSION,
        UserSessionStatus.COMPLETED,
    ): "This session is finished; start a new session for new work.",
    (
        WorkflowEntity.SESSION,
        UserSessionStatus.ABANDONED,
    ): "This session was left idle; start a new session for new work.",
    (WorkflowEntity.SESSION, UserSessionStatus.ARCHIVED): "This session is archived; start a new session for new work.",
    (
        WorkflowEntity.MISSION,
        MissionStatus.AWAITING_APPROVAL,
    ): "The mission has not been accepted yet; accept it first.",
    (WorkflowEntity.MISSION, MissionStatus.IN_PROGRESS): "The mission is already under way.",
    (WorkflowEntity.MISSION, MissionStatus.COMPLETED): "This mission is completed; nothing more can change in it.",
    (WorkflowEntity.MISSION, MissionStatus.FAILED): "This mission failed; nothing more can change in it.",
    (WorkflowEntity.MISSION, MissionStatus.CANCELLED): "This mission was cancelled; nothing more can change in it.",
    (WorkflowEntity.HOP, HopStatus.HOP_PLAN_STARTED): "The hop has no plan yet; propose its plan first.",
    (WorkflowEntity.HOP, HopStatus.HOP_PLAN_PROPOSED): "The hop's plan is waiting for you: accept or reject it first.",
    (WorkflowEntity.HOP, HopStatus.HOP_PLAN_READY): "The hop's plan is accepted; start its implementation next.",
    (
        WorkflowEntity.HOP,
        HopStatus.HOP_IMPL_STARTED,
    ): "The hop has no tool chain yet; propose its implementation first.",
    (WorkflowEntity.HOP, HopStatus.HOP_IMPL_PROPOSED): (
        "The hop's implementation is waiting for you: accept or reject it first."
    ),
    (WorkflowEntity.HOP, HopStatus.HOP_IMPL_READY): "The hop is ready to run; execute it.",
    (WorkflowEntity.HOP, HopStatus.EXECUTING): "The hop is running; wait for it to finish.",
    (WorkflowEntity.HOP, HopStatus.COMPLETED): "This hop is done; plan the next hop instead.",
    (WorkflowEntity.HOP, HopStatus.FAILED): "The hop failed; retry it or revise its implementation.",
    (WorkflowEntity.HOP, HopStatus.CANCELLED): "This hop was cancelled; nothing more can change in it.",
    (WorkflowEntity.TOOL_STEP, ToolExecutionStatus.AWAITING_CONFIGURATION): (
        "This step still needs its settings before the hop can run."
    ),
    (WorkflowEntity.TOOL_STEP, ToolExecutionStatus.READY_TO_EXECUTE): "This step is configured and waits to run.",
    (WorkflowEntity.TOOL_STEP, ToolExecutionStatus.EXECUTING): "This step is running; wait for it to finish.",
    (WorkflowEntity.TOOL_STEP, ToolExecutionStatus.COMPLETED): "This step has already completed.",
    (WorkflowEntity.TOOL_STEP, ToolExecutionStatus.FAILED): "This step failed; retry the hop or revise it.",
    (WorkflowEntity.TOOL_STEP, ToolExecutionStatus.CANCELLED): "This step was cancelled.",
}
"""What a person reads when a transition is refused for an entity in this status."""


def refused(
    entity: WorkflowEntity,
    entity_id: object,
    current: StrEnum | str,
    required: Iterable[StrEnum | str],
    action: str,
    *,
    hint: str | None = None,
) -> StatusConflict:
    """The 409 of a transition refused for `entity` in status `current`: `Cannot <action>.
    <what to do> (The hop is “Running”; this needs “Implementation ready”.)`."""
    enum = STATUSES[entity]
    required = list(required)
    try:
        status: StrEnum | None = enum(str(current))
    except ValueError:
        status = None
    advice = hint or (WHAT_TO_DO.get((entity, status)) if status is not None else None)
    noun = label(entity).lower()
    needs = " or ".join(f"“{label(value, enum)}”" for value in required)
    facts = f"The {noun} is “{label(current, enum)}”; this needs {needs}."
    message = f"Cannot {action}. {advice} ({facts})" if advice else f"Cannot {action}. {facts}"
    return StatusConflict(
        entity.value, entity_id, str(current), [str(value) for value in required], action, message=message
    )

"""The workflow's state machine, as data: every transition with the entity whose status it
checks, the statuses that allow it, the status it leads to and the route that performs it.

This table is the one definition. The transition service reads it for its checks, its
targets and its refusal messages; `python -m codegen` emits it into the SPA's generated
TypeScript (`frontend/src/api/transitions.gen.ts`, with `allowedTransitions`) and renders
`docs/state-machine.md` from it; a test drives every transition from every status and
compares the answer with the table.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from server.enums import (
    AssetStatus,
    HopStatus,
    MissionStatus,
    ToolExecutionStatus,
    UserSessionStatus,
    WorkflowEntity,
)

STATUSES: dict[WorkflowEntity, type[StrEnum]] = {
    WorkflowEntity.SESSION: UserSessionStatus,
    WorkflowEntity.MISSION: MissionStatus,
    WorkflowEntity.HOP: HopStatus,
    WorkflowEntity.TOOL_STEP: ToolExecutionStatus,
    WorkflowEntity.ASSET: AssetStatus,
}
"""The status enum of each entity."""

NOUNS: dict[WorkflowEntity, str] = {entity: entity.value.replace("_", " ") for entity in WorkflowEntity}
"""How messages name an entity: `tool step`, `hop`, ..."""


class StatusChange(msgspec.Struct, frozen=True, kw_only=True):
    """A change of status that another entity undergoes as part of a transition."""

    entity: WorkflowEntity
    requires: tuple[StrEnum, ...]
    """The statuses it changes from; empty: whatever its status."""
    target: StrEnum
    when: str
    """Which rows change, for people."""


class Transition(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the transition table."""

    name: str
    """Also the name of the service function and the route's operation id."""
    number: str
    """The row's number in docs/state-machine.md."""
    entity: WorkflowEntity
    """The entity whose status the transition checks."""
    requires: tuple[StrEnum, ...]
    """The statuses of `entity` that allow it."""
    target: StrEnum
    """The status it leaves `entity` in, or the status of the entity it creates."""
    creates: WorkflowEntity | None = None
    """Set when the transition creates an entity (`target` is then that entity's status)."""
    otherwise: StrEnum | None = None
    """The status `entity` stays in when the transition's condition is not met yet."""
    steps_require: tuple[ToolExecutionStatus, ...] = ()
    """For hop transitions: the statuses every step of the hop must have."""
    hop_requires: tuple[HopStatus, ...] = ()
    """For tool step transitions: the statuses the step's hop must have (empty: any)."""
    action: str
    """What it does, as the refusal message says it: `Cannot accept mission: ...`."""
    label: str
    """The button or form that performs it, for people."""
    routed: bool = True
    """False when only the server performs it (the executor, the recovery sweep)."""
    undoes: bool = False
    """True when it stops or undoes work (the SPA shows it as a danger button, last)."""
    condition: str | None = None
    """What else must hold, for people."""
    effects: tuple[StatusChange, ...] = ()
    summary: str


UNFINISHED_STEP = (
    ToolExecutionStatus.AWAITING_CONFIGURATION,
    ToolExecutionStatus.READY_TO_EXECUTE,
    ToolExecutionStatus.EXECUTING,
)
UNFINISHED_HOP = tuple(s for s in HopStatus if s not in (HopStatus.COMPLETED, HopStatus.CANCELLED))
FINISHED_MISSION = (MissionStatus.COMPLETED, MissionStatus.FAILED, MissionStatus.CANCELLED)
_SESSION_COMPLETES = StatusChange(
    entity=WorkflowEntity.SESSION,
    requires=(UserSessionStatus.ACTIVE,),
    target=UserSessionStatus.COMPLETED,
    when="the sessions that hold the mission",
)
_STEP_HOP_WAITS = StatusChange(
    entity=WorkflowEntity.HOP,
    requires=(HopStatus.EXECUTING,),
    target=HopStatus.HOP_IMPL_READY,
    when="the step's hop, when it ran this step alone (2.7b) and some of its steps have not completed",
)
_RUN_HOP_STARTS = StatusChange(
    entity=WorkflowEntity.HOP,
    requires=(HopStatus.HOP_IMPL_READY, HopStatus.FAILED),
    target=HopStatus.EXECUTING,
    when="the step's hop (its error message cleared)",
)
_RUN_STEP_WRITES = StatusChange(
    entity=WorkflowEntity.ASSET,
    requires=(),
    target=AssetStatus.PROCESSING,
    when="the assets the step writes that the hop can see",
)
_RUNNABLE_STEP = (ToolExecutionStatus.READY_TO_EXECUTE, ToolExecutionStatus.COMPLETED, ToolExecutionStatus.FAILED)
_RUNNABLE_HOP = (HopStatus.HOP_IMPL_READY, HopStatus.FAILED)
_STEP_STARTS = StatusChange(
    entity=WorkflowEntity.TOOL_STEP,
    requires=(ToolExecutionStatus.READY_TO_EXECUTE,),
    target=ToolExecutionStatus.EXECUTING,
    when="the next step that is ready to execute",
)


class Transitions:
    """Every transition, by name (`Transitions.ACCEPT_MISSION`), in the table's order."""

    ARCHIVE_SESSION = Transition(
        name="archive_session",
        number="0.1",
        entity=WorkflowEntity.SESSION,
        requires=(UserSessionStatus.ACTIVE, UserSessionStatus.COMPLETED, UserSessionStatus.ABANDONED),
        target=UserSessionStatus.ARCHIVED,
        action="archive session",
        label="Archive",
        undoes=True,
        summary="Put away a session the user is done with (its mission stays as it is).",
    )
    PROPOSE_MISSION = Transition(
        name="propose_mission",
        number="1.1",
        entity=WorkflowEntity.SESSION,
        requires=(UserSessionStatus.ACTIVE,),
        creates=WorkflowEntity.MISSION,
        target=MissionStatus.AWAITING_APPROVAL,
        action="propose mission",
        label="Propose mission",
        condition="the session holds no mission, or only a finished one (or, when the assistant revises its "
        "proposal, one awaiting approval, which the new one replaces)",
        effects=(
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(),
                target=AssetStatus.AWAITING_APPROVAL,
                when="the mission's proposed inputs and outputs, created mission-scoped",
            ),
            StatusChange(
                entity=WorkflowEntity.MISSION,
                requires=(MissionStatus.AWAITING_APPROVAL,),
                target=MissionStatus.CANCELLED,
                when="the pending mission a revised proposal of the assistant replaces",
            ),
        ),
        summary="Create the session's mission with its input and output assets.",
    )
    ACCEPT_MISSION = Transition(
        name="accept_mission",
        number="1.2",
        entity=WorkflowEntity.MISSION,
        requires=(MissionStatus.AWAITING_APPROVAL,),
        target=MissionStatus.IN_PROGRESS,
        action="accept mission",
        label="Accept mission",
        effects=(
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(AssetStatus.AWAITING_APPROVAL,),
                target=AssetStatus.READY_FOR_PROCESSING,
                when="the mission's assets",
            ),
        ),
        summary="Start working on the mission.",
    )
    CANCEL_MISSION = Transition(
        name="cancel_mission",
        number="1.3",
        entity=WorkflowEntity.MISSION,
        requires=(MissionStatus.AWAITING_APPROVAL, MissionStatus.IN_PROGRESS),
        target=MissionStatus.CANCELLED,
        action="cancel mission",
        label="Cancel mission",
        undoes=True,
        effects=(
            StatusChange(
                entity=WorkflowEntity.HOP,
                requires=UNFINISHED_HOP,
                target=HopStatus.CANCELLED,
                when="the mission's unfinished hops (a failed one too)",
            ),
            StatusChange(
                entity=WorkflowEntity.TOOL_STEP,
                requires=UNFINISHED_STEP,
                target=ToolExecutionStatus.CANCELLED,
                when="the unfinished steps of those hops",
            ),
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(AssetStatus.PROCESSING,),
                target=AssetStatus.READY_FOR_PROCESSING,
                when="the mission's assets and its hops' assets that steps were writing (none stays processing)",
            ),
        ),
        summary="Stop the mission with its unfinished hops and steps.",
    )
    START_HOP_PLAN = Transition(
        name="start_hop_plan",
        number="2.1",
        entity=WorkflowEntity.MISSION,
        requires=(MissionStatus.IN_PROGRESS,),
        creates=WorkflowEntity.HOP,
        target=HopStatus.HOP_PLAN_STARTED,
        action="start hop plan",
        label="Plan next hop",
        condition="the mission has no unfinished current hop",
        summary="Create the mission's next hop and make it the current one.",
    )
    PROPOSE_HOP_PLAN = Transition(
        name="propose_hop_plan",
        number="2.2",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.HOP_PLAN_STARTED,),
        target=HopStatus.HOP_PLAN_PROPOSED,
        action="propose hop plan",
        label="Propose plan",
        condition="a final hop outputs an existing mission output, and every other mission output is ready already",
        effects=(
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(),
                target=AssetStatus.AWAITING_APPROVAL,
                when="the new asset the plan outputs, created mission-scoped",
            ),
        ),
        summary="Store the hop's plan and map its input and output assets.",
    )
    ACCEPT_HOP_PLAN = Transition(
        name="accept_hop_plan",
        number="2.3",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.HOP_PLAN_PROPOSED,),
        target=HopStatus.HOP_PLAN_READY,
        action="accept hop plan",
        label="Accept plan",
        effects=(
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(),
                target=AssetStatus.READY_FOR_PROCESSING,
                when="the assets the plan created",
            ),
        ),
        summary="Accept the proposed plan.",
    )
    REJECT_HOP_PLAN = Transition(
        name="reject_hop_plan",
        number="2.3b",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.HOP_PLAN_PROPOSED,),
        target=HopStatus.HOP_PLAN_STARTED,
        action="reject hop plan",
        label="Reject plan",
        undoes=True,
        summary="Send the plan back: its asset mappings and the assets it created are removed.",
    )
    START_HOP_IMPLEMENTATION = Transition(
        name="start_hop_implementation",
        number="2.4",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.HOP_PLAN_READY,),
        target=HopStatus.HOP_IMPL_STARTED,
        action="start hop implementation",
        label="Start implementation",
        summary="Start designing the hop's tool chain.",
    )
    PROPOSE_HOP_IMPLEMENTATION = Transition(
        name="propose_hop_implementation",
        number="2.5",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.HOP_IMPL_STARTED,),
        target=HopStatus.HOP_IMPL_PROPOSED,
        action="propose hop implementation",
        label="Propose implementation",
        condition="the tool chain passes validation (docs/tools.md); with errors nothing is stored",
        effects=(
            StatusChange(
                entity=WorkflowEntity.TOOL_STEP,
                requires=(),
                target=ToolExecutionStatus.AWAITING_CONFIGURATION,
                when="the chain's steps, created",
            ),
        ),
        summary="Store the validated tool chain as the hop's steps.",
    )
    REJECT_HOP_IMPLEMENTATION = Transition(
        name="reject_hop_implementation",
        number="2.5b",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.HOP_IMPL_PROPOSED,),
        target=HopStatus.HOP_IMPL_STARTED,
        action="reject hop implementation",
        label="Reject implementation",
        undoes=True,
        summary="Send the tool chain back: its steps are removed (the chain is kept in hop_metadata as the draft to "
        "start from).",
    )
    ACCEPT_HOP_IMPLEMENTATION = Transition(
        name="accept_hop_implementation",
        number="2.6",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.HOP_IMPL_PROPOSED,),
        target=HopStatus.HOP_IMPL_READY,
        action="accept hop implementation",
        label="Accept implementation",
        effects=(
            StatusChange(
                entity=WorkflowEntity.TOOL_STEP,
                requires=(ToolExecutionStatus.AWAITING_CONFIGURATION,),
                target=ToolExecutionStatus.READY_TO_EXECUTE,
                when="the steps whose tools need no resource or whose resources are configured",
            ),
        ),
        summary="Accept the tool chain; steps that need configuration wait for it.",
    )
    CONFIGURE_TOOL_STEP = Transition(
        name="configure_tool_step",
        number="2.6b",
        entity=WorkflowEntity.TOOL_STEP,
        requires=(
            ToolExecutionStatus.AWAITING_CONFIGURATION,
            ToolExecutionStatus.READY_TO_EXECUTE,
            ToolExecutionStatus.FAILED,
        ),
        target=ToolExecutionStatus.READY_TO_EXECUTE,
        otherwise=ToolExecutionStatus.AWAITING_CONFIGURATION,
        hop_requires=(HopStatus.HOP_IMPL_PROPOSED, HopStatus.HOP_IMPL_READY, HopStatus.FAILED),
        action="configure tool step",
        label="Save configuration",
        condition="every required resource value is set (until then the step keeps waiting); a ready or failed "
        "step can be configured again while its hop is not executing",
        summary="Store the values of the step's resources (secrets encrypted) or the saved connections it uses.",
    )
    EXECUTE_HOP = Transition(
        name="execute_hop",
        number="2.7",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.HOP_IMPL_READY,),
        target=HopStatus.EXECUTING,
        steps_require=(ToolExecutionStatus.READY_TO_EXECUTE, ToolExecutionStatus.COMPLETED),
        action="execute hop",
        label="Execute hop",
        effects=(_STEP_STARTS,),
        summary="Run the hop: its steps run in order in the server.",
    )
    RUN_TOOL_STEP = Transition(
        name="run_tool_step",
        number="2.7b",
        entity=WorkflowEntity.TOOL_STEP,
        requires=_RUNNABLE_STEP,
        target=ToolExecutionStatus.EXECUTING,
        hop_requires=_RUNNABLE_HOP,
        action="run tool step",
        label="Run this step",
        condition="every earlier step of the hop has completed (its outputs exist); later steps are left as they "
        "are, and the hop waits again once the step completes",
        effects=(_RUN_HOP_STARTS, _RUN_STEP_WRITES),
        summary="Run this one step (again) on the outputs of the steps before it.",
    )
    RUN_FROM_TOOL_STEP = Transition(
        name="run_from_tool_step",
        number="2.7c",
        entity=WorkflowEntity.TOOL_STEP,
        requires=_RUNNABLE_STEP,
        target=ToolExecutionStatus.EXECUTING,
        hop_requires=_RUNNABLE_HOP,
        action="run from tool step",
        label="Run from here",
        condition="every earlier step of the hop has completed (its outputs exist) and every later one is ready to "
        "execute, completed or failed",
        effects=(
            _RUN_HOP_STARTS,
            StatusChange(
                entity=WorkflowEntity.TOOL_STEP,
                requires=(ToolExecutionStatus.COMPLETED, ToolExecutionStatus.FAILED),
                target=ToolExecutionStatus.READY_TO_EXECUTE,
                when="the later steps, their results cleared (they run again in order)",
            ),
            _RUN_STEP_WRITES,
        ),
        summary="Run this step and every step after it again, in order (after a fix).",
    )
    START_TOOL_STEP = Transition(
        name="start_tool_step",
        number="2.7a",
        entity=WorkflowEntity.TOOL_STEP,
        requires=(ToolExecutionStatus.READY_TO_EXECUTE,),
        target=ToolExecutionStatus.EXECUTING,
        action="start tool step",
        label="Start step",
        routed=False,
        effects=(
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(),
                target=AssetStatus.PROCESSING,
                when="the assets the step writes that the hop can see",
            ),
        ),
        summary="Part of 2.7 and 2.8: the next step starts running.",
    )
    COMPLETE_TOOL_STEP = Transition(
        name="complete_tool_step",
        number="2.8",
        entity=WorkflowEntity.TOOL_STEP,
        requires=(ToolExecutionStatus.EXECUTING,),
        target=ToolExecutionStatus.COMPLETED,
        action="complete tool step",
        label="Complete step",
        routed=False,
        effects=(
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(),
                target=AssetStatus.READY,
                when="the assets the step wrote (a hop output stays processing until the hop completes)",
            ),
            _STEP_STARTS,
            _STEP_HOP_WAITS,
        ),
        summary="Record the step's result and write its outputs; the next step starts.",
    )
    FAIL_TOOL_STEP = Transition(
        name="fail_tool_step",
        number="2.8b",
        entity=WorkflowEntity.TOOL_STEP,
        requires=(ToolExecutionStatus.EXECUTING,),
        target=ToolExecutionStatus.FAILED,
        action="fail tool step",
        label="Fail step",
        routed=False,
        effects=(
            StatusChange(
                entity=WorkflowEntity.HOP,
                requires=(HopStatus.EXECUTING,),
                target=HopStatus.FAILED,
                when="the step's hop, with an error message naming the step",
            ),
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(),
                target=AssetStatus.ERROR,
                when="the assets the step was writing",
            ),
        ),
        summary="Record why the step failed; its hop fails with it. Also used for steps left running "
        "by a server that stopped.",
    )
    RETRY_HOP = Transition(
        name="retry_hop",
        number="2.8c",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.FAILED,),
        target=HopStatus.HOP_IMPL_READY,
        action="retry hop",
        label="Retry",
        effects=(
            StatusChange(
                entity=WorkflowEntity.TOOL_STEP,
                requires=(ToolExecutionStatus.FAILED,),
                target=ToolExecutionStatus.READY_TO_EXECUTE,
                when="the failed step (completed steps keep their results)",
            ),
        ),
        summary="Make a failed hop executable again from the step that failed.",
    )
    REVISE_HOP = Transition(
        name="revise_hop",
        number="2.8d",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.FAILED,),
        target=HopStatus.HOP_IMPL_STARTED,
        action="revise hop",
        label="Revise implementation",
        undoes=True,
        summary="Send a failed hop back to its design: its steps are removed (the chain is kept in hop_metadata as "
        "the draft to edit); the assets it wrote stay as they are until a new run writes them.",
    )
    COMPLETE_HOP = Transition(
        name="complete_hop",
        number="2.9",
        entity=WorkflowEntity.HOP,
        requires=(HopStatus.EXECUTING,),
        target=HopStatus.COMPLETED,
        steps_require=(ToolExecutionStatus.COMPLETED,),
        action="complete hop",
        label="Complete hop",
        effects=(
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(),
                target=AssetStatus.READY,
                when="the hop's outputs",
            ),
            StatusChange(
                entity=WorkflowEntity.ASSET,
                requires=(),
                target=AssetStatus.EXPIRED,
                when="the hop's own intermediates",
            ),
            StatusChange(
                entity=WorkflowEntity.MISSION,
                requires=(MissionStatus.IN_PROGRESS,),
                target=MissionStatus.COMPLETED,
                when="the mission, when the hop is final and every mission output is ready",
            ),
            _SESSION_COMPLETES,
        ),
        summary="Finish an executed hop; a final hop completes the mission (once every mission output is ready), "
        "any other makes room for the next.",
    )
    COMPLETE_MISSION = Transition(
        name="complete_mission",
        number="2.10",
        entity=WorkflowEntity.MISSION,
        requires=(MissionStatus.IN_PROGRESS,),
        target=MissionStatus.COMPLETED,
        action="complete mission",
        label="Complete mission",
        condition="every mission output asset is ready",
        effects=(_SESSION_COMPLETES,),
        summary="Declare the mission done once every output it promised is ready.",
    )


TRANSITIONS: tuple[Transition, ...] = tuple(
    value for name, value in vars(Transitions).items() if name.isupper() and isinstance(value, Transition)
)
"""Every transition, in the table's order."""

BY_NAME: dict[str, Transition] = {transition.name: transition for transition in TRANSITIONS}


def check_table() -> list[str]:
    """Problems in the table itself: statuses of the wrong enum, unknown or duplicate names."""
    problems: list[str] = []
    seen: set[str] = set()
    for transition in TRANSITIONS:
        if transition.name in seen:
            problems.append(f"{transition.name}: named twice")
        seen.add(transition.name)
        own = STATUSES[transition.creates or transition.entity]
        for status in transition.requires:
            if not isinstance(status, STATUSES[transition.entity]):
                problems.append(f"{transition.name}: requires {status!r}, not a {transition.entity} status")
        if transition.hop_requires and transition.entity is not WorkflowEntity.TOOL_STEP:
            problems.append(f"{transition.name}: hop_requires is for tool step transitions")
        if not isinstance(transition.target, own):
            problems.append(f"{transition.name}: target {transition.target!r} is not a status of what it changes")
        for effect in transition.effects:
            enum = STATUSES[effect.entity]
            if not isinstance(effect.target, enum) or any(not isinstance(s, enum) for s in effect.requires):
                problems.append(f"{transition.name}: an effect on {effect.entity} names another entity's status")
    return problems

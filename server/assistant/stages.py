"""Who the assistant is follows the state of the session's mission (docs/assistant.md,
"Who acts"): mission designer, reviewer of its pending mission, hop designer, implementer,
or the one who explains the status and results. Each stage says what the assistant may
propose; it never accepts, executes or completes anything: those are the user's buttons.

Which statuses allow which proposal is read from the transition table, so a stage offers a
function exactly when the transition it performs would be allowed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.enums import MissionStatus
from server.missions.schemas import Hop, Mission
from server.sessions.schemas import UserSession
from server.workflow.state_machine import Transitions


class Role(StrEnum):
    MISSION_DESIGNER = "mission designer"
    MISSION_REVIEWER = "mission reviewer"
    HOP_DESIGNER = "hop designer"
    HOP_PLAN_REVIEWER = "hop plan reviewer"
    IMPLEMENTER = "implementer"
    CHAIN_REVIEWER = "tool chain reviewer"
    EXPLAINER = "explainer"


PROPOSE_MISSION = "propose_mission"
PROPOSE_HOP_PLAN = "propose_hop_plan"
PROPOSE_HOP_IMPLEMENTATION = "propose_hop_implementation"

_INSTRUCTIONS = {
    Role.MISSION_DESIGNER: (
        "The session has no mission yet. Find out what the user wants to achieve: ask what you need to know "
        "(briefly, one or two questions at a time), then propose a mission with `propose_mission`: its name, "
        "goal, success criteria, its input assets (with their content when the user gave it) and its output "
        "assets. Propose as soon as you know enough; do not ask for confirmation first: the user accepts or "
        "rejects the proposal with the card's buttons."
    ),
    Role.MISSION_REVIEWER: (
        "The mission you proposed awaits the user's approval. Answer questions about it. When the user asks for "
        "changes, call `propose_mission` again with the whole revised mission: it replaces the pending one. "
        "Only the user accepts it."
    ),
    Role.HOP_DESIGNER: (
        "The mission is in progress and needs its next hop. Propose the next hop's plan with `propose_hop_plan`: "
        "which mission assets it reads (their ids), and its output: a new asset, or an existing mission output "
        "asset (`existing_asset` with its id). A final hop (`is_final`) writes one of the mission's outputs "
        "(`existing_asset`), and only once the mission's other outputs are ready."
    ),
    Role.HOP_PLAN_REVIEWER: (
        "The hop plan you proposed awaits the user's decision. Answer questions about it. When the user asks for "
        "changes, call `propose_hop_plan` again with the whole revised plan: the pending plan is sent back and "
        "replaced."
    ),
    Role.IMPLEMENTER: (
        "The current hop's plan is accepted. Propose its tool chain with `propose_hop_implementation`: the ordered "
        "steps, each a tool of the catalog with its parameters mapped to assets (`asset_field` with the asset id) "
        "or literals, and its outputs mapped to assets or discarded. A step's output that a later step reads goes "
        "to a new intermediate asset: give it a fresh id (`new_asset_ids`). Every output of the hop must be "
        "written by some step. Look up the tools' exact parameters with `get_tool_catalog` when unsure. When the "
        "hop has a `draft_chain` (a chain sent back, or one whose run failed, with `last_error`), start from it "
        "and fix what went wrong."
    ),
    Role.CHAIN_REVIEWER: (
        "The tool chain you proposed awaits the user's decision. Answer questions about it. When the user asks for "
        "changes, call `propose_hop_implementation` again with the whole revised chain: the pending one is sent "
        "back and replaced."
    ),
    Role.EXPLAINER: (
        "There is nothing for you to propose now. Explain the mission's status and results in plain words: what "
        "ran, what it produced, what failed and why, and what the user can do next (configure a step, execute or "
        "retry the hop, or revise a failed hop's implementation, ...). You cannot press those buttons for the user."
    ),
}


@dataclass(frozen=True, slots=True)
class Stage:
    """Who the assistant is now, and what it may propose."""

    role: Role
    mission: Mission | None
    hop: Hop | None
    """The mission's current hop, when it has one."""
    proposes: str | None
    """The proposal function offered at this stage, if any."""
    revises: bool = False
    """Whether a proposal replaces one that awaits the user's decision."""

    @property
    def instructions(self) -> str:
        return _INSTRUCTIONS[self.role]


def stage_of(session: UserSession) -> Stage:
    """The stage of a session, from its status and its mission's."""
    mission = session.mission
    if session.status not in Transitions.PROPOSE_MISSION.requires:
        return Stage(role=Role.EXPLAINER, mission=mission, hop=None, proposes=None)
    if mission is None or mission.status in (MissionStatus.CANCELLED, MissionStatus.FAILED):
        return Stage(role=Role.MISSION_DESIGNER, mission=mission, hop=None, proposes=PROPOSE_MISSION)
    if mission.status in Transitions.ACCEPT_MISSION.requires:
        return Stage(role=Role.MISSION_REVIEWER, mission=mission, hop=None, proposes=PROPOSE_MISSION, revises=True)
    if mission.status not in Transitions.START_HOP_PLAN.requires:
        return Stage(role=Role.EXPLAINER, mission=mission, hop=None, proposes=None)
    hop = mission.current_hop
    if hop is None or hop.status in Transitions.PROPOSE_HOP_PLAN.requires:
        return Stage(role=Role.HOP_DESIGNER, mission=mission, hop=hop, proposes=PROPOSE_HOP_PLAN)
    if hop.status in Transitions.ACCEPT_HOP_PLAN.requires:
        return Stage(role=Role.HOP_PLAN_REVIEWER, mission=mission, hop=hop, proposes=PROPOSE_HOP_PLAN, revises=True)
    if hop.status in (*Transitions.START_HOP_IMPLEMENTATION.requires, *Transitions.PROPOSE_HOP_IMPLEMENTATION.requires):
        return Stage(role=Role.IMPLEMENTER, mission=mission, hop=hop, proposes=PROPOSE_HOP_IMPLEMENTATION)
    if hop.status in Transitions.ACCEPT_HOP_IMPLEMENTATION.requires:
        return Stage(
            role=Role.CHAIN_REVIEWER, mission=mission, hop=hop, proposes=PROPOSE_HOP_IMPLEMENTATION, revises=True
        )
    return Stage(role=Role.EXPLAINER, mission=mission, hop=hop, proposes=None)

"""Routes of the transitions (docs/state-machine.md): one POST per routed row of the table.

A refused transition answers 409 with the entity's current status and the statuses that
would have allowed it; a tool chain with errors answers 422 listing every error.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.missions.schemas import Hop, HopImplementationProposal, HopPlanProposal, Mission, MissionProposal, ToolStep
from server.params import CurrentUserId
from server.workflow import executor, transitions
from server.workflow.schemas import ChainValidation, ToolStepConfiguration


class MissionTransitionController(Controller):
    """Transitions 1.1 to 1.3, 2.1 and 2.10."""

    path = "/api"
    tags = ["transitions"]

    @post("/sessions/{session_id:uuid}/mission", status_code=HTTP_201_CREATED, operation_id="propose_mission")
    async def propose_mission(
        self, user_id: CurrentUserId, session_id: FromPath[UUID], data: JSONBody[MissionProposal]
    ) -> Mission:
        """1.1 Propose the session's mission: created `awaiting_approval` with its assets."""
        return await transitions.propose_mission(user_id=user_id, session_id=session_id, data=data)

    @post("/missions/{mission_id:uuid}/accept", status_code=HTTP_200_OK, operation_id="accept_mission")
    async def accept_mission(self, user_id: CurrentUserId, mission_id: FromPath[UUID]) -> Mission:
        """1.2 Accept a mission `awaiting_approval`: it goes `in_progress`."""
        return await transitions.accept_mission(user_id=user_id, mission_id=mission_id)

    @post("/missions/{mission_id:uuid}/cancel", status_code=HTTP_200_OK, operation_id="cancel_mission")
    async def cancel_mission(self, user_id: CurrentUserId, mission_id: FromPath[UUID]) -> Mission:
        """1.3 Cancel an unfinished mission with its unfinished hops and steps."""
        return await transitions.cancel_mission(user_id=user_id, mission_id=mission_id)

    @post("/missions/{mission_id:uuid}/complete", status_code=HTTP_200_OK, operation_id="complete_mission")
    async def complete_mission(self, user_id: CurrentUserId, mission_id: FromPath[UUID]) -> Mission:
        """2.10 Complete a mission `in_progress` (and its session)."""
        return await transitions.complete_mission(user_id=user_id, mission_id=mission_id)

    # `.../hops/start`, not `POST .../hops`: that path's GET is in the missions controller, and
    # Litestar refuses a second controller on the same path (both add an OPTIONS handler).
    @post("/missions/{mission_id:uuid}/hops/start", status_code=HTTP_201_CREATED, operation_id="start_hop_plan")
    async def start_hop_plan(self, user_id: CurrentUserId, mission_id: FromPath[UUID]) -> Hop:
        """2.1 Start planning the mission's next hop."""
        return await transitions.start_hop_plan(user_id=user_id, mission_id=mission_id)


class HopTransitionController(Controller):
    """Transitions 2.2 to 2.9 and the dry-run tool chain check."""

    path = "/api/hops"
    tags = ["transitions"]

    @post("/{hop_id:uuid}/plan", status_code=HTTP_200_OK, operation_id="propose_hop_plan")
    async def propose_hop_plan(
        self, user_id: CurrentUserId, hop_id: FromPath[UUID], data: JSONBody[HopPlanProposal]
    ) -> Hop:
        """2.2 Propose the hop's plan: its inputs and its output."""
        return await transitions.propose_hop_plan(user_id=user_id, hop_id=hop_id, data=data)

    @post("/{hop_id:uuid}/plan/accept", status_code=HTTP_200_OK, operation_id="accept_hop_plan")
    async def accept_hop_plan(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.3 Accept the proposed plan."""
        return await transitions.accept_hop_plan(user_id=user_id, hop_id=hop_id)

    @post("/{hop_id:uuid}/plan/reject", status_code=HTTP_200_OK, operation_id="reject_hop_plan")
    async def reject_hop_plan(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.3b Reject the proposed plan: back to `hop_plan_started`, the plan's new assets removed."""
        return await transitions.reject_hop_plan(user_id=user_id, hop_id=hop_id)

    @post("/{hop_id:uuid}/implementation/start", status_code=HTTP_200_OK, operation_id="start_hop_implementation")
    async def start_hop_implementation(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.4 Start implementing a hop whose plan is ready."""
        return await transitions.start_hop_implementation(user_id=user_id, hop_id=hop_id)

    @post("/{hop_id:uuid}/implementation", status_code=HTTP_200_OK, operation_id="propose_hop_implementation")
    async def propose_hop_implementation(
        self, user_id: CurrentUserId, hop_id: FromPath[UUID], data: JSONBody[HopImplementationProposal]
    ) -> Hop:
        """2.5 Propose the hop's tool chain; with errors nothing is stored and all are listed (422)."""
        return await transitions.propose_hop_implementation(user_id=user_id, hop_id=hop_id, data=data)

    @post("/{hop_id:uuid}/implementation/reject", status_code=HTTP_200_OK, operation_id="reject_hop_implementation")
    async def reject_hop_implementation(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.5b Reject the proposed tool chain: back to `hop_impl_started`, its steps removed (kept as a draft)."""
        return await transitions.reject_hop_implementation(user_id=user_id, hop_id=hop_id)

    @post("/{hop_id:uuid}/validate-chain", status_code=HTTP_200_OK, operation_id="validate_tool_chain")
    async def validate_tool_chain(
        self, user_id: CurrentUserId, hop_id: FromPath[UUID], data: JSONBody[HopImplementationProposal]
    ) -> ChainValidation:
        """Check a tool chain for this hop without storing anything."""
        return await transitions.validate_hop_implementation(user_id=user_id, hop_id=hop_id, data=data)

    @post("/{hop_id:uuid}/implementation/accept", status_code=HTTP_200_OK, operation_id="accept_hop_implementation")
    async def accept_hop_implementation(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.6 Accept the proposed tool chain; configured steps become `ready_to_execute`."""
        return await transitions.accept_hop_implementation(user_id=user_id, hop_id=hop_id)

    @post("/{hop_id:uuid}/execute", status_code=HTTP_200_OK, operation_id="execute_hop")
    async def execute_hop(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.7 Execute the hop: its steps run in order in the server."""
        hop = await transitions.execute_hop(user_id=user_id, hop_id=hop_id)
        executor.schedule_hop(user_id=user_id, hop_id=hop_id)  # the transition has committed
        return hop

    @post("/{hop_id:uuid}/retry", status_code=HTTP_200_OK, operation_id="retry_hop")
    async def retry_hop(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.8c Make a failed hop executable again from the step that failed."""
        return await transitions.retry_hop(user_id=user_id, hop_id=hop_id)

    @post("/{hop_id:uuid}/revise", status_code=HTTP_200_OK, operation_id="revise_hop")
    async def revise_hop(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.8d Send a failed hop back to its implementation: its steps removed (kept as the draft to edit)."""
        return await transitions.revise_hop(user_id=user_id, hop_id=hop_id)

    @post("/{hop_id:uuid}/complete", status_code=HTTP_200_OK, operation_id="complete_hop")
    async def complete_hop(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """2.9 Complete an executing hop whose steps have all completed."""
        return await transitions.complete_hop(user_id=user_id, hop_id=hop_id)


class ToolStepTransitionController(Controller):
    """Transitions 2.6b, 2.7b and 2.7c."""

    path = "/api/tool-steps"
    tags = ["transitions"]

    @post("/{step_id:uuid}/configure", status_code=HTTP_200_OK, operation_id="configure_tool_step")
    async def configure_tool_step(
        self, user_id: CurrentUserId, step_id: FromPath[UUID], data: JSONBody[ToolStepConfiguration]
    ) -> ToolStep:
        """2.6b Set the values of the step's resources (secrets are stored encrypted)."""
        return await transitions.configure_tool_step(user_id=user_id, step_id=step_id, data=data)

    @post("/{step_id:uuid}/run", status_code=HTTP_200_OK, operation_id="run_tool_step")
    async def run_tool_step(self, user_id: CurrentUserId, step_id: FromPath[UUID]) -> Hop:
        """2.7b Run this one step (again) on the outputs of the steps before it; returns its hop."""
        hop = await transitions.run_tool_step(user_id=user_id, step_id=step_id)
        executor.schedule_hop(user_id=user_id, hop_id=hop.id, only_step=True)  # the transition has committed
        return hop

    @post("/{step_id:uuid}/run-from-here", status_code=HTTP_200_OK, operation_id="run_from_tool_step")
    async def run_from_tool_step(self, user_id: CurrentUserId, step_id: FromPath[UUID]) -> Hop:
        """2.7c Run this step and every step after it again, in order; returns its hop."""
        hop = await transitions.run_from_tool_step(user_id=user_id, step_id=step_id)
        executor.schedule_hop(user_id=user_id, hop_id=hop.id)
        return hop


TRANSITION_CONTROLLERS = [MissionTransitionController, HopTransitionController, ToolStepTransitionController]

"""Every transition attempted from every status that does not allow it: 409 naming the
current and the required statuses, and not one row changed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from server.enums import HopStatus, MissionStatus, ToolExecutionStatus, UserSessionStatus, WorkflowEntity, label
from server.missions.tables import Hop, Mission, ToolStep
from server.sessions.tables import UserSession
from server.workflow.state_machine import Transitions
from tests.builders import build_mission
from tests.workflow.flow import mission_proposal, new_output, new_session, plan, snapshot

CHAIN = {"steps": [{"tool_id": "sort", "name": "Sort"}]}

# transition route (relative to its entity), entity, the statuses that allow it, request body
CASES: list[tuple[str, str, list[str], Any]] = [
    ("accept", "mission", [MissionStatus.AWAITING_APPROVAL], None),
    ("cancel", "mission", [MissionStatus.AWAITING_APPROVAL, MissionStatus.IN_PROGRESS], None),
    ("complete", "mission", [MissionStatus.IN_PROGRESS], None),
    ("hops/start", "mission", [MissionStatus.IN_PROGRESS], None),
    ("plan", "hop", [HopStatus.HOP_PLAN_STARTED], plan([], new_output())),
    ("plan/accept", "hop", [HopStatus.HOP_PLAN_PROPOSED], None),
    ("plan/reject", "hop", [HopStatus.HOP_PLAN_PROPOSED], None),
    ("implementation/start", "hop", [HopStatus.HOP_PLAN_READY], None),
    ("implementation", "hop", [HopStatus.HOP_IMPL_STARTED], CHAIN),
    ("implementation/accept", "hop", [HopStatus.HOP_IMPL_PROPOSED], None),
    ("execute", "hop", [HopStatus.HOP_IMPL_READY], None),
    ("retry", "hop", [HopStatus.FAILED], None),
    ("revise", "hop", [HopStatus.FAILED], None),
    ("complete", "hop", [HopStatus.EXECUTING], None),
    ("configure", "tool_step", list(Transitions.CONFIGURE_TOOL_STEP.requires), {"resource_configs": {}}),
    ("run", "tool_step", list(Transitions.RUN_TOOL_STEP.requires), None),
    ("run-from-here", "tool_step", list(Transitions.RUN_FROM_TOOL_STEP.requires), None),
]
ENUMS = {"mission": MissionStatus, "hop": HopStatus, "tool_step": ToolExecutionStatus}
TABLES = {"mission": Mission, "hop": Hop, "tool_step": ToolStep}
PREFIX = {"mission": "/api/missions", "hop": "/api/hops", "tool_step": "/api/tool-steps"}


@pytest.mark.parametrize(("action", "entity", "required", "body"), CASES, ids=[f"{c[1]}-{c[0]}" for c in CASES])
async def test_a_transition_from_a_wrong_status_is_refused_and_changes_nothing(user, action, entity, required, body):
    tree = await build_mission(user.user["id"], hops=1, steps_per_hop=1)
    # No current hop, so that starting a hop plan depends on the mission's status alone.
    await Mission.update({Mission.current_hop_id: None}).where(Mission.id == tree.id).run()
    entity_id = {"mission": tree.id, "hop": tree.hop_ids[0], "tool_step": tree.step_ids[0]}[entity]
    table = TABLES[entity]
    wrong = [status for status in ENUMS[entity] if status not in required]
    assert wrong
    for status in wrong:
        await table.update({table.status: status}).where(table.id == entity_id).run()
        before = await snapshot(tree.user_id)
        response = await user.post(f"{PREFIX[entity]}/{entity_id}/{action}", json=body)
        assert response.status_code == 409, (status, response.text)
        error = response.json()
        assert error["code"] == "status_conflict"
        assert (error["current_status"], error["required_status"]) == (status, [str(s) for s in required])
        # In words for people, with the machine-readable part beside it.
        assert f"The {label(WorkflowEntity(entity)).lower()} is “{label(status)}”" in error["message"]
        assert f"`{status}`" not in error["message"] and str(entity_id) not in error["message"]
        assert (error["entity"], error["entity_id"]) == (entity, str(entity_id))
        assert await snapshot(tree.user_id) == before, status


async def test_proposing_a_mission_in_a_session_that_is_not_active_is_refused(user):
    session = await new_session(user)
    for status in UserSessionStatus:
        if status is UserSessionStatus.ACTIVE:
            continue
        await UserSession.update({UserSession.status: status}).where(UserSession.id == UUID(session["id"])).run()
        before = await snapshot(user.user["id"])
        response = await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal())
        assert response.status_code == 409, response.text
        assert (response.json()["current_status"], response.json()["required_status"]) == (status, ["active"])
        assert await snapshot(user.user["id"]) == before


async def test_starting_a_hop_plan_while_the_current_hop_is_unfinished_is_refused(user):
    tree = await build_mission(user.user["id"], hops=1, steps_per_hop=1)
    before = await snapshot(tree.user_id)
    response = await user.post(f"/api/missions/{tree.id}/hops/start")
    assert response.status_code == 409
    assert response.json()["current_status"] == HopStatus.HOP_IMPL_READY
    assert await snapshot(tree.user_id) == before


async def test_completing_a_hop_with_an_unfinished_step_is_refused_and_changes_nothing(user):
    tree = await build_mission(user.user["id"], hops=1, steps_per_hop=2)
    hop_id = tree.hop_ids[0]
    await Hop.update({Hop.status: HopStatus.EXECUTING}).where(Hop.id == hop_id).run()
    await ToolStep.update({ToolStep.status: ToolExecutionStatus.COMPLETED}).where(ToolStep.id == tree.step_ids[0]).run()
    before = await snapshot(tree.user_id)
    response = await user.post(f"/api/hops/{hop_id}/complete")
    assert response.status_code == 409
    assert response.json()["current_status"] == ToolExecutionStatus.READY_TO_EXECUTE
    assert (response.json()["entity"], response.json()["entity_id"]) == ("tool_step", str(tree.step_ids[1]))
    assert "This step is configured and waits to run." in response.json()["message"]
    assert await snapshot(tree.user_id) == before


async def test_transitions_on_another_users_entities_answer_not_found(user, other_user):
    tree = await build_mission(user.user["id"], hops=1, steps_per_hop=1)
    before = await snapshot(tree.user_id)
    for action, entity, _, body in CASES:
        entity_id = {"mission": tree.id, "hop": tree.hop_ids[0], "tool_step": tree.step_ids[0]}[entity]
        response = await other_user.post(f"{PREFIX[entity]}/{entity_id}/{action}", json=body)
        assert response.status_code == 404, (action, response.text)
    assert await snapshot(tree.user_id) == before


@pytest.mark.parametrize("transition", ["complete_tool_step", "fail_tool_step"])
async def test_the_executors_step_reports_are_refused_unless_the_step_is_executing(user, transition):
    from server.errors import StatusConflict
    from server.workflow import transitions

    tree = await build_mission(user.user["id"], hops=1, steps_per_hop=1)
    step_id = tree.step_ids[0]
    report = {
        "complete_tool_step": lambda: transitions.complete_tool_step(
            user_id=tree.user_id, step_id=step_id, outputs={"summary": "x"}, duration_ms=1.0
        ),
        "fail_tool_step": lambda: transitions.fail_tool_step(user_id=tree.user_id, step_id=step_id, error="broken"),
    }[transition]
    for status in ToolExecutionStatus:
        if status is ToolExecutionStatus.EXECUTING:
            continue
        await ToolStep.update({ToolStep.status: status}).where(ToolStep.id == step_id).run()
        before = await snapshot(tree.user_id)
        with pytest.raises(StatusConflict) as refused:
            await report()
        assert (refused.value.current_status, refused.value.required_status) == (status, ["executing"])
        assert await snapshot(tree.user_id) == before

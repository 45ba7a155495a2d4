"""The transition service and the transition table agree: every transition, tried from every
status of its entity, is refused (409 naming the current and the required statuses, nothing
changed) exactly when the table says the status does not allow it."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest

from codegen.api import read_api
from codegen.state_machine import table_data
from server.database import write_transaction
from server.errors import StatusConflict
from server.missions.tables import Hop, Mission, ToolStep
from server.sessions.tables import UserSession
from server.workflow import executor, transitions
from server.workflow.state_machine import STATUSES, TRANSITIONS, Transition, Transitions, check_table
from server.workflow.transitions import execution
from server.workflow.transitions.unit import Work
from tests.builders import build_mission
from tests.workflow.flow import mission_proposal, new_output, new_session, plan, snapshot

ROUTES = {name: row["route"] for name, row in table_data(read_api()).items() if row["route"]}
TABLES = {"session": UserSession, "mission": Mission, "hop": Hop, "tool_step": ToolStep}
BODIES: dict[str, Any] = {
    "propose_mission": mission_proposal(),
    "propose_hop_plan": plan([], new_output()),
    "propose_hop_implementation": {"steps": [{"tool_id": "sort", "name": "Sort"}]},
    "configure_tool_step": {"resource_configs": {}},
}
ROUTED = [t for t in TRANSITIONS if t.routed]
SERVER_ONLY = [t for t in TRANSITIONS if not t.routed]


def test_the_table_is_consistent():
    assert check_table() == []
    assert {t.name for t in ROUTED} == set(ROUTES)


@pytest.mark.parametrize("rule", ROUTED, ids=[t.name for t in ROUTED])
def test_each_route_takes_the_id_of_the_entity_the_transition_checks(rule: Transition):
    names = re.findall(r"\{(\w+)\}", ROUTES[rule.name]["path"])
    assert names == [{"tool_step": "step_id"}.get(rule.entity.value, f"{rule.entity.value}_id")]


async def _entity(user, rule: Transition) -> tuple[Any, UUID]:
    """A fresh entity of the transition's kind, in a tree where only its own status matters."""
    if rule.entity.value == "session":
        return UserSession, UUID((await new_session(user))["id"])
    tree = await build_mission(user.user["id"], hops=1, steps_per_hop=1)
    # No current hop, so that starting a hop plan depends on the mission's status alone.
    await Mission.update({Mission.current_hop_id: None}).where(Mission.id == tree.id).run()
    entity_id = {"mission": tree.id, "hop": tree.hop_ids[0], "tool_step": tree.step_ids[0]}[rule.entity.value]
    return TABLES[rule.entity.value], entity_id


@pytest.mark.parametrize("rule", ROUTED, ids=[t.name for t in ROUTED])
async def test_a_routed_transition_is_refused_exactly_from_the_statuses_the_table_excludes(user, rule: Transition):
    for status in STATUSES[rule.entity]:
        table, entity_id = await _entity(user, rule)
        await table.update({table.status: status}).where(table.id == entity_id).run()
        before = await snapshot(user.user["id"])
        path = re.sub(r"\{\w+\}", str(entity_id), ROUTES[rule.name]["path"])
        response = await user.post(path, json=BODIES.get(rule.name))
        body = response.json()
        refused_for_status = response.status_code == 409 and body.get("current_status") == status.value
        if status in rule.requires:
            assert not refused_for_status, (status, response.text)
            await executor.stop_running_hops()  # a hop that started running finishes before the next status
        else:
            assert refused_for_status, (status, response.text)
            assert body["required_status"] == [s.value for s in rule.requires]
            assert f"Cannot {rule.action}" in body["message"]
            assert await snapshot(user.user["id"]) == before, status


async def _server_transition(rule: Transition, user_id: UUID, step_id: UUID) -> Any:
    if rule is Transitions.COMPLETE_TOOL_STEP:
        return await transitions.complete_tool_step(
            user_id=user_id, step_id=step_id, outputs={"items": []}, duration_ms=1.0
        )
    if rule is Transitions.FAIL_TOOL_STEP:
        return await transitions.fail_tool_step(user_id=user_id, step_id=step_id, error="broken")
    assert rule is Transitions.START_TOOL_STEP
    row = (
        await ToolStep.select(ToolStep.id, ToolStep.hop_id, ToolStep.result_mapping)
        .where(ToolStep.id == step_id)
        .first()
        .run()
    )
    hop = await Hop.select(Hop.mission_id).where(Hop.id == row["hop_id"]).first().run()
    async with write_transaction():
        await execution.start_step(Work(user_id), row, hop["mission_id"])
    return None


@pytest.mark.parametrize("rule", SERVER_ONLY, ids=[t.name for t in SERVER_ONLY])
async def test_a_server_transition_is_refused_exactly_from_the_statuses_the_table_excludes(user, rule: Transition):
    for status in STATUSES[rule.entity]:
        tree = await build_mission(user.user["id"], hops=1, steps_per_hop=1)
        step_id = tree.step_ids[0]
        await ToolStep.update({ToolStep.status: status}).where(ToolStep.id == step_id).run()
        before = await snapshot(tree.user_id)
        if status in rule.requires:
            await _server_transition(rule, tree.user_id, step_id)
            moved = await ToolStep.select(ToolStep.status).where(ToolStep.id == step_id).first().run()
            assert moved["status"] == rule.target
        else:
            with pytest.raises(StatusConflict) as refused:
                await _server_transition(rule, tree.user_id, step_id)
            assert (refused.value.current_status, refused.value.required_status) == (
                status.value,
                [s.value for s in rule.requires],
            )
            assert await snapshot(tree.user_id) == before, status

"""A fault in the middle of a transition, after some of its writes, leaves the database
exactly as it was before the transition began."""

from __future__ import annotations

from uuid import UUID, uuid4

import msgspec
import pytest

from server.assets.tables import HopAsset, MissionAsset
from server.missions.schemas import HopPlanProposal, MissionProposal
from server.workflow import transitions
from server.workflow.transitions import execution
from tests.workflow.flow import (
    hop_in,
    mission_in_progress,
    mission_proposal,
    new_output,
    new_session,
    plan,
    rank_chain,
    snapshot,
)


class InjectedFault(Exception):
    pass


def fail_on(monkeypatch, owner, name: str) -> None:
    def boom(*args, **kwargs):
        raise InjectedFault(f"{name} failed")

    monkeypatch.setattr(owner, name, boom)


async def test_propose_mission_fails_whole_when_its_last_write_fails(user, monkeypatch):
    session = await new_session(user)
    user_id = UUID(user.user["id"])
    before = await snapshot(user_id)
    fail_on(monkeypatch, MissionAsset, "insert")  # after the mission and its assets are inserted
    data = msgspec.convert(mission_proposal(), MissionProposal)
    with pytest.raises(InjectedFault):
        await transitions.propose_mission(user_id=user_id, session_id=UUID(session["id"]), data=data)
    assert await snapshot(user_id) == before


async def test_propose_hop_plan_fails_whole_when_mapping_the_assets_fails(user, monkeypatch):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_plan_started")
    user_id = UUID(user.user["id"])
    before = await snapshot(user_id)
    fail_on(monkeypatch, HopAsset, "insert")  # after the status change and the new asset
    data = msgspec.convert(plan([mission["asset_summary"]["inputs"][0]], new_output()), HopPlanProposal)
    with pytest.raises(InjectedFault):
        await transitions.propose_hop_plan(user_id=user_id, hop_id=UUID(hop["id"]), data=data)
    assert await snapshot(user_id) == before


async def test_complete_tool_step_fails_whole_when_starting_the_next_step_fails(user, monkeypatch):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    user_id = UUID(user.user["id"])
    running = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
    before = await snapshot(user_id)
    # after the step is completed and its output written as a new hop-scoped asset
    fail_on(monkeypatch, execution, "start_step")
    with pytest.raises(InjectedFault):
        await transitions.complete_tool_step(
            user_id=user_id, step_id=running.tool_steps[0].id, outputs={"items": [{"a": 1}]}, duration_ms=1.0
        )
    assert await snapshot(user_id) == before


async def test_complete_hop_fails_whole_when_completing_the_session_fails(user, monkeypatch):
    session = await new_session(user)
    mission = (await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal())).json()
    mission = (await user.post(f"/api/missions/{mission['id']}/accept")).json()
    hop = (await user.post(f"/api/missions/{mission['id']}/hops/start")).json()
    report = {"type": "existing_asset", "mission_asset_id": mission["asset_summary"]["outputs"][0]}
    final_plan = plan([mission["asset_summary"]["inputs"][0]], report, is_final=True)
    assert (await user.post(f"/api/hops/{hop['id']}/plan", json=final_plan)).status_code == 200
    await _walk_to_ready(user, hop["id"], mission)
    user_id, hop_id = UUID(user.user["id"]), UUID(hop["id"])
    running = await transitions.execute_hop(user_id=user_id, hop_id=hop_id)
    for step in running.tool_steps:
        await transitions.complete_tool_step(user_id=user_id, step_id=step.id, outputs={"items": []}, duration_ms=1.0)
    before = await snapshot(user_id)
    # after the hop, its assets and the mission are completed
    fail_on(monkeypatch, execution, "complete_sessions")
    with pytest.raises(InjectedFault):
        await transitions.complete_hop(user_id=user_id, hop_id=hop_id)
    assert await snapshot(user_id) == before
    monkeypatch.undo()
    await transitions.complete_hop(user_id=user_id, hop_id=hop_id)
    assert (await user.get(f"/api/sessions/{session['id']}")).json()["status"] == "completed"


async def _walk_to_ready(client, hop_id: str, mission: dict) -> None:
    assert (await client.post(f"/api/hops/{hop_id}/plan/accept")).status_code == 200
    hop = (await client.post(f"/api/hops/{hop_id}/implementation/start")).json()
    chain = rank_chain(mission["asset_summary"]["inputs"][0], str(uuid4()), hop["asset_summary"]["outputs"][0])
    assert (await client.post(f"/api/hops/{hop_id}/implementation", json=chain)).status_code == 200
    assert (await client.post(f"/api/hops/{hop_id}/implementation/accept")).status_code == 200

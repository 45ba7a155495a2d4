"""50 identical transition requests at once: exactly one succeeds, the others get 409, and the
database holds exactly one outcome."""

from __future__ import annotations

import asyncio
from collections import Counter
from uuid import UUID

from server.assets.tables import Asset
from server.missions.tables import Hop, Mission
from tests.workflow.flow import hop_in, mission_in_progress, mission_proposal, new_output, new_session, plan

CONCURRENT = 50


async def burst(client, path: str, json=None) -> Counter:
    responses = await asyncio.gather(*(client.post(path, json=json) for _ in range(CONCURRENT)))
    for response in responses:
        assert response.status_code in (200, 201, 409), response.text
    return Counter(response.status_code for response in responses)


async def test_one_of_many_identical_mission_proposals_wins(user):
    session = await new_session(user)
    outcome = await burst(user, f"/api/sessions/{session['id']}/mission", mission_proposal())
    assert outcome == {201: 1, 409: CONCURRENT - 1}
    missions = await Mission.select(Mission.id).where(Mission.user_id == UUID(user.user["id"])).run()
    assert len(missions) == 1  # the losers' missions and assets were rolled back
    assert await Asset.count().where(Asset.user_id == UUID(user.user["id"])).run() == 2


async def test_one_of_many_identical_accepts_wins(user):
    _, mission = await _proposed(user)
    assert await burst(user, f"/api/missions/{mission['id']}/accept") == {200: 1, 409: CONCURRENT - 1}


async def test_one_of_many_identical_hop_starts_wins(user):
    mission = await mission_in_progress(user)
    assert await burst(user, f"/api/missions/{mission['id']}/hops/start") == {201: 1, 409: CONCURRENT - 1}
    hops = await Hop.select(Hop.id, Hop.sequence_order).where(Hop.mission_id == UUID(mission["id"])).run()
    assert [hop["sequence_order"] for hop in hops] == [0]
    current = await Mission.select(Mission.current_hop_id).where(Mission.id == UUID(mission["id"])).first().run()
    assert current["current_hop_id"] == hops[0]["id"]


async def test_one_of_many_identical_hop_plans_wins(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_plan_started")
    body = plan([mission["asset_summary"]["inputs"][0]], new_output())
    assert await burst(user, f"/api/hops/{hop['id']}/plan", body) == {200: 1, 409: CONCURRENT - 1}
    fetched = (await user.get(f"/api/hops/{hop['id']}")).json()
    assert len(fetched["hop_asset_map"]) == 2
    created = (
        await Asset.count().where((Asset.scope_id == UUID(mission["id"])) & (Asset.name == "Ranked records")).run()
    )
    assert created == 1


async def _proposed(client):
    session = await new_session(client)
    response = await client.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal())
    assert response.status_code == 201
    return session, response.json()


async def test_cancelling_a_mission_while_its_step_completes_leaves_one_consistent_outcome(user):
    from server.errors import StatusConflict
    from server.workflow import transitions

    user_id = UUID(user.user["id"])
    for _ in range(3):
        mission = await mission_in_progress(user)
        hop = await hop_in(user, mission, "hop_impl_ready")
        running = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
        step_id = running.tool_steps[0].id
        cancel, complete = await asyncio.gather(
            user.post(f"/api/missions/{mission['id']}/cancel"),
            transitions.complete_tool_step(user_id=user_id, step_id=step_id, outputs={"items": []}, duration_ms=1.0),
            return_exceptions=True,
        )
        assert cancel.status_code == 200, cancel.text  # cancelling an in-progress mission always wins
        final = (await user.get(f"/api/hops/{hop['id']}")).json()
        assert final["status"] == "cancelled"
        if isinstance(complete, BaseException):
            assert isinstance(complete, StatusConflict), complete  # the step was cancelled first
            assert [s["status"] for s in final["tool_steps"]] == ["cancelled", "cancelled"]
        else:
            # the step completed first and started the next one, which the cancel then stopped
            assert [s["status"] for s in final["tool_steps"]] == ["completed", "cancelled"]

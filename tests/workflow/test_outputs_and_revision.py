"""Revising a failed hop (2.8d), the final hop and the mission's outputs (2.2, 2.9, 2.10):
refusals, effects, races (one of two wins) and all-or-nothing writes."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

import pytest

from server.missions.tables import ToolStep
from server.workflow import transitions
from server.workflow.transitions import implementation
from tests.workflow.flow import (
    RECORDS,
    asset_id,
    hop_in,
    mission_in_progress,
    new_output,
    ok,
    plan,
    rank_chain,
    snapshot,
)


def existing(asset: str) -> dict[str, Any]:
    return {"type": "existing_asset", "mission_asset_id": asset}


async def failed_hop(client) -> tuple[dict[str, Any], dict[str, Any], UUID]:
    """A mission whose first hop failed at its second step, after the first wrote an
    intermediate; returns the mission, the hop and the intermediate's id."""
    mission = await mission_in_progress(client)
    hop = await hop_in(client, mission, "hop_impl_ready")
    user_id = UUID(client.user["id"])
    running = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
    first, second = running.tool_steps
    scratch = first.result_mapping["items"].state_asset  # type: ignore[union-attr]
    await transitions.complete_tool_step(user_id=user_id, step_id=first.id, outputs={"items": RECORDS}, duration_ms=1)
    await transitions.fail_tool_step(user_id=user_id, step_id=second.id, error="sort key missing")
    return mission, ok(await client.get(f"/api/hops/{hop['id']}")), scratch


def chain_of(hop: dict[str, Any]) -> list[dict[str, Any]]:
    keys = ("tool_id", "name", "description", "parameter_mapping", "result_mapping")
    return [{key: step[key] for key in keys} for step in hop["tool_steps"]]


async def test_revising_a_failed_hop_removes_its_steps_and_keeps_the_chain_as_the_draft(user):
    mission, hop, scratch = await failed_hop(user)
    ranked = hop["asset_summary"]["outputs"][0]
    assert hop["status"] == "failed"
    revised = ok(await user.post(f"/api/hops/{hop['id']}/revise"))
    assert (revised["status"], revised["tool_steps"], revised["error_message"]) == ("hop_impl_started", [], None)
    draft = revised["hop_metadata"]["draft_chain"]
    assert draft == {"steps": chain_of(hop), "last_error": 'Step 2 ("Sort by score") failed: sort key missing'}
    # What the run wrote stays as it is until a new run writes it.
    kept = ok(await user.get(f"/api/assets/{scratch}"))
    assert (kept["status"], kept["content"]) == ("ready", RECORDS)
    assert ok(await user.get(f"/api/assets/{ranked}"))["status"] == "error"
    assert await ToolStep.count().where(ToolStep.hop_id == UUID(hop["id"])).run() == 0
    # The draft is a chain the hop takes again.
    again = ok(await user.post(f"/api/hops/{hop['id']}/implementation", json={"steps": draft["steps"]}))
    assert again["status"] == "hop_impl_proposed" and chain_of(again) == draft["steps"]


async def test_rejecting_an_implementation_keeps_the_same_draft_shape(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_proposed")
    rejected = ok(await user.post(f"/api/hops/{hop['id']}/implementation/reject"))
    assert rejected["status"] == "hop_impl_started" and rejected["tool_steps"] == []
    assert rejected["hop_metadata"]["draft_chain"] == {"steps": chain_of(hop), "last_error": None}


@pytest.mark.parametrize("rival", ["revise", "retry"])
async def test_of_two_concurrent_requests_on_a_failed_hop_one_wins(user, rival):
    _, hop, _ = await failed_hop(user)
    first, second = await asyncio.gather(
        user.post(f"/api/hops/{hop['id']}/revise"), user.post(f"/api/hops/{hop['id']}/{rival}")
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409], (first.text, second.text)
    loser = first if first.status_code == 409 else second
    assert loser.json()["code"] == "status_conflict"
    final = ok(await user.get(f"/api/hops/{hop['id']}"))
    if first.status_code == 200 or rival == "revise":
        assert final["status"] == "hop_impl_started" and final["tool_steps"] == []
    else:
        assert final["status"] == "hop_impl_ready" and len(final["tool_steps"]) == 2


async def test_revising_fails_whole_when_removing_the_steps_fails(user, monkeypatch):
    _, hop, _ = await failed_hop(user)
    before = await snapshot(user.user["id"])

    class Broken(Exception):
        pass

    def boom(*args, **kwargs):
        raise Broken("delete failed")

    monkeypatch.setattr(implementation.ToolStepTable, "delete", boom)  # after the hop moved
    with pytest.raises(Broken):
        await transitions.revise_hop(user_id=UUID(user.user["id"]), hop_id=UUID(hop["id"]))
    assert await snapshot(user.user["id"]) == before


async def test_a_final_hop_must_write_an_existing_mission_output(user):
    mission = await mission_in_progress(user)
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    before = await snapshot(user.user["id"])
    records = asset_id(mission, "inputs")
    refused = await user.post(f"/api/hops/{hop['id']}/plan", json=plan([records], new_output(), is_final=True))
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "body.output" and '"Report"' in error["reason"]
    assert await snapshot(user.user["id"]) == before
    accepted = ok(
        await user.post(
            f"/api/hops/{hop['id']}/plan", json=plan([records], existing(asset_id(mission, "outputs")), is_final=True)
        )
    )
    assert accepted["status"] == "hop_plan_proposed" and accepted["is_final"] is True


async def test_a_final_hop_is_refused_while_another_mission_output_is_not_ready(user):
    from tests.workflow.flow import mission_proposal, new_session

    session = await new_session(user)
    proposal = mission_proposal()
    proposal["assets"].append({"name": "Summary", "schema_definition": {"type": "string"}, "role": "output"})
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=proposal), 201)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    outputs = {ok(await user.get(f"/api/assets/{i}"))["name"]: i for i in mission["asset_summary"]["outputs"]}
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    body = plan([asset_id(mission, "inputs")], existing(outputs["Report"]), is_final=True)
    refused = await user.post(f"/api/hops/{hop['id']}/plan", json=body)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "body.is_final"
    assert '"Summary"' in error["reason"] and outputs["Summary"] in error["reason"]
    assert "not ready" in refused.json()["message"]


async def test_completing_a_mission_waits_for_every_output_to_be_ready(user):
    mission = await mission_in_progress(user)
    report = asset_id(mission, "outputs")
    before = await snapshot(user.user["id"])
    refused = await user.post(f"/api/missions/{mission['id']}/complete")
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "outputs_not_ready"
    assert [e["field"] for e in body["errors"]] == [f"outputs.{report}"]
    assert '"Report"' in body["message"]
    assert await snapshot(user.user["id"]) == before

    # A hop that is not final writes the report: the mission can then be completed by hand.
    user_id = UUID(user.user["id"])
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    ok(await user.post(f"/api/hops/{hop['id']}/plan", json=plan([asset_id(mission, "inputs")], existing(report))))
    ok(await user.post(f"/api/hops/{hop['id']}/plan/accept"))
    ok(await user.post(f"/api/hops/{hop['id']}/implementation/start"))
    ok(
        await user.post(
            f"/api/hops/{hop['id']}/implementation", json=rank_chain(asset_id(mission, "inputs"), str(uuid4()), report)
        )
    )
    ok(await user.post(f"/api/hops/{hop['id']}/implementation/accept"))
    running = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
    for step in running.tool_steps:
        await transitions.complete_tool_step(
            user_id=user_id, step_id=step.id, outputs={"items": RECORDS}, duration_ms=1
        )
    done = ok(await user.post(f"/api/hops/{hop['id']}/complete"))
    assert done["status"] == "completed"
    mission_now = ok(await user.get(f"/api/missions/{mission['id']}"))
    assert (mission_now["status"], mission_now["current_hop_id"]) == ("in_progress", None)  # not final
    first, second = await asyncio.gather(
        user.post(f"/api/missions/{mission['id']}/complete"), user.post(f"/api/missions/{mission['id']}/complete")
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    assert ok(await user.get(f"/api/missions/{mission['id']}"))["status"] == "completed"


async def test_a_final_hop_whose_mission_still_lacks_an_output_leaves_the_mission_open(user):
    """2.9: the mission completes with its final hop only when every output is ready; an
    output that stopped being ready meanwhile (set in the database: no route does it) keeps
    it open, with no current hop."""
    from server.assets.tables import Asset

    mission = await mission_in_progress(user)
    user_id = UUID(user.user["id"])
    report = asset_id(mission, "outputs")
    other = await _add_output(user, mission["id"], "Appendix")
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    await Asset.update({Asset.status: "ready"}).where(Asset.id == other).run()
    ok(
        await user.post(
            f"/api/hops/{hop['id']}/plan", json=plan([asset_id(mission, "inputs")], existing(report), is_final=True)
        )
    )
    ok(await user.post(f"/api/hops/{hop['id']}/plan/accept"))
    ok(await user.post(f"/api/hops/{hop['id']}/implementation/start"))
    ok(
        await user.post(
            f"/api/hops/{hop['id']}/implementation", json=rank_chain(asset_id(mission, "inputs"), str(uuid4()), report)
        )
    )
    ok(await user.post(f"/api/hops/{hop['id']}/implementation/accept"))
    running = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
    for step in running.tool_steps:
        await transitions.complete_tool_step(
            user_id=user_id, step_id=step.id, outputs={"items": RECORDS}, duration_ms=1
        )
    await Asset.update({Asset.status: "error"}).where(Asset.id == other).run()
    ok(await user.post(f"/api/hops/{hop['id']}/complete"))
    mission_now = ok(await user.get(f"/api/missions/{mission['id']}"))
    assert (mission_now["status"], mission_now["current_hop_id"]) == ("in_progress", None)


async def _add_output(client, mission_id: str, name: str) -> UUID:
    """A second output of the mission, added through the API."""
    body = {"name": name, "schema_definition": {"type": "string"}, "role": "output"}
    return UUID(ok(await client.post(f"/api/missions/{mission_id}/assets", json=body), 201)["id"])

"""Hops: read with steps and asset map, update of descriptive fields, delete (never a
mission-scoped asset), and the mission's hop pages."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from server.assets.tables import Asset, HopAsset, MissionAsset
from server.missions.tables import Hop, Mission, ToolStep
from tests.builders import at, build_mission, count_user_rows
from tests.client import signed_in_client


@pytest.fixture(scope="module")
async def alice(app):
    async with signed_in_client(app) as client:
        yield client


async def test_get_hop_round_trip(alice):
    tree = await build_mission(alice.user["id"], hops=2, steps_per_hop=3)
    hop = tree.hops[1]
    response = await alice.get(f"/api/hops/{hop.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(hop.id) and body["mission_id"] == str(tree.id)
    assert body["sequence_order"] == 1 and body["is_final"] is True
    assert body["status"] == "hop_impl_ready"
    assert body["intended_input_asset_ids"] == [str(tree.asset_ids[0])]
    assert [s["id"] for s in body["tool_steps"]] == [str(s) for s in hop.step_ids]
    assert [s["sequence_order"] for s in body["tool_steps"]] == [0, 1, 2]
    assert body["hop_asset_map"] == {str(tree.asset_ids[0]): "input", str(hop.asset_ids[0]): "intermediate"}
    # the same hop as embedded in its mission
    mission = (await alice.get(f"/api/missions/{tree.id}")).json()
    assert mission["hops"][1] == body


async def test_update_changes_descriptive_fields_only(alice):
    tree = await build_mission(alice.user["id"], hops=1)
    url = f"/api/hops/{tree.hop_ids[0]}"
    before = (await alice.get(url)).json()
    response = await alice.patch(
        url,
        json={
            "name": "Renamed",
            "goal": None,
            "rationale": "because",
            "success_criteria": ["x"],
            "hop_metadata": {"m": True},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["goal"], body["rationale"]) == ("Renamed", None, "because")
    assert body["success_criteria"] == ["x"] and body["hop_metadata"] == {"m": True}
    assert body["description"] == before["description"] and body["status"] == before["status"]
    assert body["tool_steps"] == before["tool_steps"]
    assert at(body["updated_at"]) > at(before["updated_at"])
    assert (await alice.get(url)).json() == body


async def test_status_and_sequence_are_not_writable(alice):
    tree = await build_mission(alice.user["id"], hops=1)
    for field, value in (
        ("status", "completed"),
        ("sequence_order", 5),
        ("is_final", True),
        ("mission_id", str(tree.id)),
    ):
        response = await alice.patch(f"/api/hops/{tree.hop_ids[0]}", json={field: value})
        assert response.status_code == 400, field
        assert response.json()["errors"][0]["field"] == f"body.{field}"


async def test_delete_removes_its_steps_maps_and_hop_assets_never_a_mission_asset(alice):
    tree = await build_mission(alice.user["id"], hops=2, steps_per_hop=2, mission_assets=2, hop_assets_per_hop=2)
    doomed, kept = tree.hops
    before = await count_user_rows(alice.user["id"])
    response = await alice.delete(f"/api/hops/{doomed.id}")
    assert response.status_code == 204
    after = await count_user_rows(alice.user["id"])
    assert before["hops"] - after["hops"] == 1
    assert before["tool_steps"] - after["tool_steps"] == len(doomed.step_ids)
    assert before["assets"] - after["assets"] == len(doomed.asset_ids)
    assert before["hop_assets"] - after["hop_assets"] == 1 + len(doomed.asset_ids)
    assert before["mission_assets"] == after["mission_assets"]
    assert before["missions"] == after["missions"]

    # the mission-scoped asset the hop read is still there, still mapped to the mission and the other hop
    assert await Asset.count().where(Asset.id.is_in(tree.asset_ids)).run() == len(tree.asset_ids)
    assert await MissionAsset.count().where(MissionAsset.mission_id == tree.id).run() == len(tree.asset_ids)
    assert await HopAsset.exists().where((HopAsset.hop_id == kept.id) & (HopAsset.asset_id == tree.asset_ids[0])).run()
    assert await ToolStep.count().where(ToolStep.hop_id == kept.id).run() == len(kept.step_ids)
    assert not await ToolStep.exists().where(ToolStep.id.is_in(doomed.step_ids)).run()

    # the mission no longer points at the deleted hop
    mission = (await alice.get(f"/api/missions/{tree.id}")).json()
    assert [h["id"] for h in mission["hops"]] == [str(kept.id)]
    assert mission["current_hop_id"] is None and mission["current_hop"] is None
    assert (await alice.get(f"/api/hops/{doomed.id}")).status_code == 404
    assert (await alice.delete(f"/api/hops/{doomed.id}")).status_code == 404


async def test_deleting_another_hop_keeps_the_current_hop(alice):
    tree = await build_mission(alice.user["id"], hops=2)
    assert (await alice.delete(f"/api/hops/{tree.hop_ids[1]}")).status_code == 204
    row = await Mission.select(Mission.current_hop_id).where(Mission.id == tree.id).first().run()
    assert row["current_hop_id"] == tree.hop_ids[0]


async def test_list_hops_pages_in_sequence_order(alice):
    tree = await build_mission(alice.user["id"], hops=5, steps_per_hop=1)
    seen: list[str] = []
    for offset in (0, 2, 4):
        response = await alice.get(f"/api/missions/{tree.id}/hops", params={"limit": 2, "offset": offset})
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == offset
        seen.extend(item["id"] for item in page["items"])
    assert seen == [str(h) for h in tree.hop_ids]
    assert (await alice.get(f"/api/missions/{tree.id}/hops", params={"offset": 10})).json()["items"] == []


async def test_list_hops_of_a_missing_mission_is_404(alice):
    response = await alice.get(f"/api/missions/{UUID(int=7)}/hops")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_hop_rows_carry_the_user_of_their_mission(alice):
    tree = await build_mission(alice.user["id"], hops=1)
    row = await Hop.select(Hop.user_id).where(Hop.id == tree.hop_ids[0]).first().run()
    assert str(row["user_id"]) == alice.user["id"]


async def test_concurrent_deletes_of_one_hop_one_wins(alice):
    tree = await build_mission(alice.user["id"], hops=1)
    responses = await asyncio.gather(*(alice.delete(f"/api/hops/{tree.hop_ids[0]}") for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [204, 404, 404]


async def test_deleting_a_hop_while_its_mission_is_deleted_never_fails(alice):
    tree = await build_mission(alice.user["id"], hops=2)
    hop, mission = await asyncio.gather(
        alice.delete(f"/api/hops/{tree.hop_ids[0]}"), alice.delete(f"/api/missions/{tree.id}")
    )
    assert mission.status_code == 204
    assert hop.status_code in (204, 404), hop.text
    assert not await Hop.exists().where(Hop.mission_id == tree.id).run()

"""Missions: read with the embedded tree, update of descriptive fields, delete of exactly its
tree, and the list pages."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

import pytest

from server.assets.tables import Asset, HopAsset, MissionAsset
from server.database import now
from server.enums import AssetRole
from server.missions.tables import Hop, Mission, ToolStep
from tests.builders import at, build_mission, count_user_rows
from tests.client import signed_in_client


@pytest.fixture(scope="module")
async def alice(app):
    async with signed_in_client(app) as client:
        yield client


@pytest.fixture(scope="module")
async def bob(app):
    async with signed_in_client(app) as client:
        yield client


async def test_get_mission_returns_the_tree_the_builder_stored(alice):
    tree = await build_mission(alice.user["id"], name="Read me", hops=3, steps_per_hop=2, mission_assets=2)
    response = await alice.get(f"/api/missions/{tree.id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == str(tree.id)
    assert body["name"] == "Read me"
    assert body["success_criteria"] == ["it works"]
    assert body["mission_metadata"] == {"source": "builder"}
    assert [hop["id"] for hop in body["hops"]] == [str(h) for h in tree.hop_ids]
    assert [hop["sequence_order"] for hop in body["hops"]] == [0, 1, 2]
    assert body["current_hop"]["id"] == str(tree.hop_ids[0])
    assert body["current_hop_id"] == str(tree.hop_ids[0])
    first = body["hops"][0]
    assert [step["id"] for step in first["tool_steps"]] == [str(s) for s in tree.hops[0].step_ids]
    assert first["tool_steps"][0]["parameter_mapping"]["text"] == {
        "type": "asset_field",
        "state_asset": str(tree.asset_ids[0]),
    }
    # a stored secret is reported as set, never returned
    assert first["tool_steps"][0]["resource_configs"] == {
        "llm": {"connection_id": None, "values": {"model": "small"}, "secrets": {"api_key": True}}
    }
    assert first["hop_asset_map"] == {str(tree.asset_ids[0]): "input", str(tree.hops[0].asset_ids[0]): "intermediate"}
    assert first["asset_summary"] == {
        "inputs": [str(tree.asset_ids[0])],
        "outputs": [],
        "intermediate": [str(tree.hops[0].asset_ids[0])],
    }
    assert body["mission_asset_map"] == {str(tree.asset_ids[0]): "input", str(tree.asset_ids[1]): "output"}
    assert body["asset_summary"] == {
        "inputs": [str(tree.asset_ids[0])],
        "outputs": [str(tree.asset_ids[1])],
        "intermediate": [],
    }


async def test_a_mission_without_hops_has_no_current_hop(alice):
    tree = await build_mission(alice.user["id"], hops=0, mission_assets=0)
    body = (await alice.get(f"/api/missions/{tree.id}")).json()
    assert body["hops"] == [] and body["current_hop"] is None and body["mission_asset_map"] == {}


async def test_update_changes_descriptive_fields_only(alice):
    tree = await build_mission(alice.user["id"], name="Before")
    before = (await alice.get(f"/api/missions/{tree.id}")).json()
    response = await alice.patch(
        f"/api/missions/{tree.id}",
        json={"name": "After", "description": None, "success_criteria": ["a", "b"], "mission_metadata": {"k": 1}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "After"
    assert body["description"] is None
    assert body["goal"] == before["goal"]
    assert body["success_criteria"] == ["a", "b"]
    assert body["mission_metadata"] == {"k": 1}
    assert body["status"] == before["status"]
    assert at(body["updated_at"]) > at(before["updated_at"])
    assert (await alice.get(f"/api/missions/{tree.id}")).json() == body


async def test_an_empty_update_changes_nothing(alice):
    tree = await build_mission(alice.user["id"])
    before = (await alice.get(f"/api/missions/{tree.id}")).json()
    response = await alice.patch(f"/api/missions/{tree.id}", json={})
    assert response.status_code == 200
    assert response.json() == before


async def test_status_is_not_writable_through_update(alice):
    tree = await build_mission(alice.user["id"])
    response = await alice.patch(f"/api/missions/{tree.id}", json={"status": "completed"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body.status"
    assert (await alice.get(f"/api/missions/{tree.id}")).json()["status"] == "in_progress"


async def test_delete_removes_exactly_the_missions_tree(alice, bob):
    doomed = await build_mission(
        alice.user["id"], name="Doomed", hops=3, steps_per_hop=2, mission_assets=3, hop_assets_per_hop=2
    )
    kept = await build_mission(alice.user["id"], name="Kept", hops=2, steps_per_hop=2, mission_assets=2)
    others = await build_mission(bob.user["id"], name="Other's")
    before = await count_user_rows(alice.user["id"])
    before_other = await count_user_rows(bob.user["id"])

    response = await alice.delete(f"/api/missions/{doomed.id}")
    assert response.status_code == 204

    after = await count_user_rows(alice.user["id"])
    hops, steps = len(doomed.hop_ids), len(doomed.step_ids)
    hop_maps = sum(1 + len(h.asset_ids) for h in doomed.hops)
    assert before["missions"] - after["missions"] == 1
    assert before["hops"] - after["hops"] == hops
    assert before["tool_steps"] - after["tool_steps"] == steps
    assert before["assets"] - after["assets"] == len(doomed.all_asset_ids)
    assert before["mission_assets"] - after["mission_assets"] == len(doomed.asset_ids)
    assert before["hop_assets"] - after["hop_assets"] == hop_maps
    assert await count_user_rows(bob.user["id"]) == before_other

    assert not await Mission.exists().where(Mission.id == doomed.id).run()
    assert not await Hop.exists().where(Hop.mission_id == doomed.id).run()
    assert not await ToolStep.exists().where(ToolStep.id.is_in(doomed.step_ids)).run()
    assert not await Asset.exists().where(Asset.id.is_in(doomed.all_asset_ids)).run()
    assert await Asset.count().where(Asset.id.is_in(kept.all_asset_ids)).run() == len(kept.all_asset_ids)
    assert await ToolStep.count().where(ToolStep.id.is_in(kept.step_ids)).run() == len(kept.step_ids)
    assert (await alice.get(f"/api/missions/{kept.id}")).status_code == 200
    assert (await bob.get(f"/api/missions/{others.id}")).status_code == 200
    assert (await alice.get(f"/api/missions/{doomed.id}")).status_code == 404
    assert (await alice.delete(f"/api/missions/{doomed.id}")).status_code == 404


async def test_delete_leaves_an_asset_of_another_mission_mapped_to_this_one(alice):
    """A mission asset belongs to its scope; a mapping from another mission goes, the asset stays."""
    owner = await build_mission(alice.user["id"], hops=0, mission_assets=1)
    borrower = await build_mission(alice.user["id"], hops=1, mission_assets=0, hop_assets_per_hop=0)
    shared = owner.asset_ids[0]
    await MissionAsset.insert(
        MissionAsset(
            user_id=UUID(alice.user["id"]),
            mission_id=borrower.id,
            asset_id=shared,
            role=AssetRole.INPUT,
            created_at=now(),
        )
    ).run()
    await HopAsset.insert(
        HopAsset(
            user_id=UUID(alice.user["id"]),
            hop_id=borrower.hop_ids[0],
            asset_id=shared,
            role=AssetRole.INPUT,
            created_at=now(),
        )
    ).run()
    assert (await alice.delete(f"/api/missions/{borrower.id}")).status_code == 204
    assert await Asset.exists().where(Asset.id == shared).run()
    assert await MissionAsset.count().where(MissionAsset.asset_id == shared).run() == 1
    assert await HopAsset.count().where(HopAsset.asset_id == shared).run() == 0


async def test_deleting_a_mission_detaches_its_session(alice):
    tree = await build_mission(alice.user["id"])
    session = (await alice.post("/api/sessions", json={"name": "with mission"})).json()
    from server.sessions.tables import UserSession

    await UserSession.update({UserSession.mission_id: tree.id}).where(UserSession.id == UUID(session["id"])).run()
    assert (await alice.get(f"/api/sessions/{session['id']}")).json()["mission"]["id"] == str(tree.id)
    assert (await alice.delete(f"/api/missions/{tree.id}")).status_code == 204
    body = (await alice.get(f"/api/sessions/{session['id']}")).json()
    assert body["mission_id"] is None and body["mission"] is None


async def test_list_pages_are_newest_first_without_overlaps_or_gaps(user):
    user_id = user.user["id"]
    start = now() - timedelta(days=1)
    built = []
    for index in range(7):
        # three share one timestamp: the id breaks the tie
        created = start + timedelta(seconds=min(index, 4))
        built.append(await build_mission(user_id, name=f"m{index}", hops=0, mission_assets=0, created_at=created))
    seen: list[str] = []
    for offset in range(0, 8, 3):
        page = (await user.get("/api/missions", params={"limit": 3, "offset": offset})).json()
        assert page["total"] == 7 and page["limit"] == 3 and page["offset"] == offset
        seen.extend(item["id"] for item in page["items"])
    assert len(seen) == 7 and set(seen) == {str(t.id) for t in built}
    ordered = (await user.get("/api/missions", params={"limit": 50})).json()["items"]
    assert [item["id"] for item in ordered] == seen
    keys = [(at(item["created_at"]), item["id"]) for item in ordered]
    assert keys == sorted(keys, reverse=True)
    assert "hops" not in ordered[0]


async def test_list_filters_by_status(user):
    from server.enums import MissionStatus

    done = await build_mission(user.user["id"], hops=0, mission_assets=0, status=MissionStatus.COMPLETED)
    await build_mission(user.user["id"], hops=0, mission_assets=0, status=MissionStatus.AWAITING_APPROVAL)
    page = (await user.get("/api/missions", params={"status": "completed"})).json()
    assert [item["id"] for item in page["items"]] == [str(done.id)]
    assert page["total"] == 1


async def test_concurrent_deletes_of_one_mission_one_wins_the_other_is_404(alice):
    tree = await build_mission(alice.user["id"], hops=2, steps_per_hop=2)
    responses = await asyncio.gather(*(alice.delete(f"/api/missions/{tree.id}") for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [204, 404, 404, 404], [r.text for r in responses]


async def test_an_update_racing_a_delete_never_resurrects_nor_fails(alice):
    tree = await build_mission(alice.user["id"], hops=1)
    update, delete = await asyncio.gather(
        alice.patch(f"/api/missions/{tree.id}", json={"name": "racing"}), alice.delete(f"/api/missions/{tree.id}")
    )
    assert delete.status_code == 204
    assert update.status_code in (200, 404), update.text
    assert not await Mission.exists().where(Mission.id == tree.id).run()

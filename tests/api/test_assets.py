"""Assets: add to a mission, read with content, lists without content, update, delete."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from server.assets.tables import Asset, HopAsset, MissionAsset
from tests.builders import at, build_mission, count_rows
from tests.client import signed_in_client

SCHEMA = {"type": "object", "description": "a table", "is_array": True, "fields": {"title": {"type": "string"}}}


@pytest.fixture(scope="module")
async def alice(app):
    async with signed_in_client(app) as client:
        yield client


async def test_create_then_get_round_trip(alice):
    tree = await build_mission(alice.user["id"], hops=0, mission_assets=0)
    content = [{"title": "one"}, {"title": "two"}]
    response = await alice.post(
        f"/api/missions/{tree.id}/assets",
        json={
            "name": "Articles",
            "description": "found",
            "schema_definition": SCHEMA,
            "role": "input",
            "content": content,
            "subtype": "csv",
            "asset_metadata": {"origin": "upload"},
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["name"] == "Articles" and created["role"] == "input" and created["subtype"] == "csv"
    assert created["scope_type"] == "mission" and created["scope_id"] == str(tree.id)
    assert created["status"] == "awaiting_approval"
    assert created["content"] == content
    assert created["content_summary"].startswith("2 items")
    assert created["schema_definition"] == {
        "type": "object",
        "description": "a table",
        "is_array": True,
        "fields": {"title": {"type": "string", "description": None, "is_array": False, "fields": None}},
    }
    assert created["asset_metadata"] == {"origin": "upload"}
    fetched = await alice.get(f"/api/assets/{created['id']}")
    assert fetched.status_code == 200 and fetched.json() == created
    mission = (await alice.get(f"/api/missions/{tree.id}")).json()
    assert mission["mission_asset_map"] == {created["id"]: "input"}
    assert mission["asset_summary"]["inputs"] == [created["id"]]


async def test_a_mission_asset_added_directly_is_an_input_or_an_output(alice):
    tree = await build_mission(alice.user["id"], hops=0, mission_assets=0)
    before = await count_rows()
    response = await alice.post(
        f"/api/missions/{tree.id}/assets",
        json={"name": "x", "schema_definition": {"type": "string"}, "role": "intermediate"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body.role"
    assert await count_rows() == before


async def test_adding_to_a_missing_mission_is_404_and_writes_nothing(alice):
    before = await count_rows()
    response = await alice.post(
        f"/api/missions/{UUID(int=3)}/assets",
        json={"name": "x", "schema_definition": {"type": "string"}, "role": "input"},
    )
    assert response.status_code == 404
    assert await count_rows() == before


async def test_update_descriptive_fields_and_content(alice):
    tree = await build_mission(alice.user["id"], hops=0, mission_assets=1)
    url = f"/api/assets/{tree.asset_ids[0]}"
    before = (await alice.get(url)).json()
    response = await alice.patch(
        url, json={"name": "Renamed", "description": None, "content": {"answer": 42}, "asset_metadata": {"v": 2}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Renamed" and body["description"] is None
    assert body["content"] == {"answer": 42} and body["content_summary"] == '{"answer":42}'
    assert body["asset_metadata"] == {"v": 2}
    assert (body["status"], body["role"], body["scope_id"]) == (before["status"], before["role"], before["scope_id"])
    assert at(body["updated_at"]) > at(before["updated_at"])
    assert (await alice.get(url)).json() == body
    cleared = (await alice.patch(url, json={"content": None})).json()
    assert cleared["content"] is None and cleared["content_summary"] == ""
    for field, value in (
        ("status", "ready"),
        ("role", "output"),
        ("scope_id", str(UUID(int=1))),
        ("schema_definition", SCHEMA),
    ):
        refused = await alice.patch(url, json={field: value})
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == f"body.{field}"


async def test_delete_removes_the_asset_and_its_mapping_rows(alice):
    tree = await build_mission(alice.user["id"], hops=1, mission_assets=1)
    asset_id = tree.asset_ids[0]  # mapped to the mission and read by the hop
    assert await HopAsset.exists().where(HopAsset.asset_id == asset_id).run()
    assert (await alice.delete(f"/api/assets/{asset_id}")).status_code == 204
    assert not await Asset.exists().where(Asset.id == asset_id).run()
    assert not await MissionAsset.exists().where(MissionAsset.asset_id == asset_id).run()
    assert not await HopAsset.exists().where(HopAsset.asset_id == asset_id).run()
    assert await Asset.exists().where(Asset.id == tree.hops[0].asset_ids[0]).run()
    assert (await alice.get(f"/api/assets/{asset_id}")).status_code == 404
    assert (await alice.delete(f"/api/assets/{asset_id}")).status_code == 404
    mission = (await alice.get(f"/api/missions/{tree.id}")).json()
    assert mission["mission_asset_map"] == {}


async def test_lists_leave_content_out_and_filter_by_mission_hop_role_and_status(user):
    first = await build_mission(user.user["id"], hops=1, mission_assets=2, hop_assets_per_hop=1)
    second = await build_mission(user.user["id"], hops=0, mission_assets=3)
    everything = (await user.get("/api/assets", params={"limit": 200})).json()
    assert everything["total"] == 6
    assert all("content" not in item for item in everything["items"])
    assert all("content_summary" in item for item in everything["items"])

    def ids(page):
        return {item["id"] for item in page["items"]}

    by_mission = (await user.get("/api/assets", params={"mission_id": str(second.id)})).json()
    assert ids(by_mission) == {str(a) for a in second.asset_ids} and by_mission["total"] == 3
    by_hop = (await user.get("/api/assets", params={"hop_id": str(first.hop_ids[0])})).json()
    assert ids(by_hop) == {str(first.asset_ids[0]), str(first.hops[0].asset_ids[0])}
    outputs = (await user.get("/api/assets", params={"role": "output"})).json()
    assert ids(outputs) == {str(first.asset_ids[1]), str(second.asset_ids[1])}
    ready = (await user.get("/api/assets", params={"status": "ready"})).json()
    assert ready["total"] == 6
    assert (await user.get("/api/assets", params={"status": "expired"})).json()["total"] == 0


async def test_asset_pages_are_stable(user):
    await build_mission(user.user["id"], hops=2, mission_assets=3, hop_assets_per_hop=2)
    seen: list[str] = []
    for offset in range(0, 8, 3):
        page = (await user.get("/api/assets", params={"limit": 3, "offset": offset})).json()
        assert page["total"] == 7
        seen.extend(item["id"] for item in page["items"])
    assert len(seen) == 7 == len(set(seen))
    full = (await user.get("/api/assets")).json()["items"]
    assert [item["id"] for item in full] == seen
    keys = [(at(item["created_at"]), item["id"]) for item in full]
    assert keys == sorted(keys)


async def test_adding_an_asset_while_its_mission_is_deleted_leaves_no_orphan(alice):
    for _ in range(3):
        tree = await build_mission(alice.user["id"], hops=1, mission_assets=0)
        add = {"name": "late", "schema_definition": {"type": "string"}, "role": "input"}
        created, deleted = await asyncio.gather(
            alice.post(f"/api/missions/{tree.id}/assets", json=add), alice.delete(f"/api/missions/{tree.id}")
        )
        assert deleted.status_code == 204
        assert created.status_code in (201, 404), created.text
        assert not await Asset.exists().where(Asset.scope_id == tree.id).run()


async def test_concurrent_deletes_of_one_asset_one_wins(alice):
    tree = await build_mission(alice.user["id"], hops=0, mission_assets=1)
    responses = await asyncio.gather(*(alice.delete(f"/api/assets/{tree.asset_ids[0]}") for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [204, 404, 404]

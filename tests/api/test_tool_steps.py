"""Tool steps: read, update of descriptive fields, delete, and a hop's step pages."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from server.missions.tables import ToolStep
from tests.builders import at, build_mission
from tests.client import signed_in_client


@pytest.fixture(scope="module")
async def alice(app):
    async with signed_in_client(app) as client:
        yield client


async def test_get_tool_step_round_trip_without_secret_values(alice):
    tree = await build_mission(alice.user["id"], hops=1, steps_per_hop=2)
    step_id = tree.hops[0].step_ids[1]
    response = await alice.get(f"/api/tool-steps/{step_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(step_id) and body["hop_id"] == str(tree.hop_ids[0])
    assert body["tool_id"] == "summarize_text" and body["sequence_order"] == 1
    assert body["status"] == "ready_to_execute"
    assert body["parameter_mapping"] == {"text": {"type": "asset_field", "state_asset": str(tree.asset_ids[0])}}
    assert body["result_mapping"] == {"summary": {"type": "asset_field", "state_asset": str(tree.hops[0].asset_ids[0])}}
    assert body["resource_configs"] == {
        "llm": {"connection_id": None, "values": {"model": "small"}, "secrets": {"api_key": True}}
    }
    assert "sealed" not in response.text
    assert body["execution_result"] is None and body["started_at"] is None


async def test_literal_and_discard_mappings_round_trip(alice):
    tree = await build_mission(alice.user["id"], hops=1, steps_per_hop=1, mission_assets=0, hop_assets_per_hop=0)
    body = (await alice.get(f"/api/tool-steps/{tree.step_ids[0]}")).json()
    assert body["parameter_mapping"] == {"text": {"type": "literal", "value": "hi"}}
    assert body["result_mapping"] == {"summary": {"type": "discard"}}


async def test_update_changes_name_and_description_only(alice):
    tree = await build_mission(alice.user["id"], hops=1, steps_per_hop=1)
    url = f"/api/tool-steps/{tree.step_ids[0]}"
    before = (await alice.get(url)).json()
    response = await alice.patch(url, json={"name": "Summarize", "description": "shorter"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Summarize" and body["description"] == "shorter"
    assert at(body["updated_at"]) > at(before["updated_at"])
    assert {k: v for k, v in body.items() if k not in ("name", "description", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("name", "description", "updated_at")
    }
    assert (await alice.get(url)).json() == body
    for field, value in (("status", "completed"), ("tool_id", "other"), ("parameter_mapping", {})):
        refused = await alice.patch(url, json={field: value})
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == f"body.{field}"
    assert (await alice.get(url)).json() == body


async def test_delete_removes_only_the_step(alice):
    tree = await build_mission(alice.user["id"], hops=1, steps_per_hop=3)
    doomed = tree.step_ids[1]
    assert (await alice.delete(f"/api/tool-steps/{doomed}")).status_code == 204
    assert not await ToolStep.exists().where(ToolStep.id == doomed).run()
    hop = (await alice.get(f"/api/hops/{tree.hop_ids[0]}")).json()
    assert [s["id"] for s in hop["tool_steps"]] == [str(tree.step_ids[0]), str(tree.step_ids[2])]
    assert hop["hop_asset_map"] != {}
    assert (await alice.get(f"/api/tool-steps/{doomed}")).status_code == 404
    assert (await alice.delete(f"/api/tool-steps/{doomed}")).status_code == 404


async def test_list_tool_steps_pages_in_order(alice):
    tree = await build_mission(alice.user["id"], hops=1, steps_per_hop=5)
    url = f"/api/hops/{tree.hop_ids[0]}/tool-steps"
    seen: list[str] = []
    for offset in (0, 2, 4):
        page = (await alice.get(url, params={"limit": 2, "offset": offset})).json()
        assert page["total"] == 5
        seen.extend(item["id"] for item in page["items"])
    assert seen == [str(s) for s in tree.step_ids]
    assert (await alice.get(f"/api/hops/{UUID(int=9)}/tool-steps")).status_code == 404


async def test_concurrent_deletes_of_one_step_one_wins(alice):
    tree = await build_mission(alice.user["id"], hops=1, steps_per_hop=1)
    responses = await asyncio.gather(*(alice.delete(f"/api/tool-steps/{tree.step_ids[0]}") for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [204, 404, 404]

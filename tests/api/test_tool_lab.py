"""The tool lab (docs/tools.md, "The tool lab"): any tool on literal values or the user's
own assets, outside any mission, nothing stored; an output kept as an asset on request."""

from __future__ import annotations

from tests.builders import count_user_rows
from tests.tools.local_http import local_http_server
from tests.workflow.flow import RECORDS, mission_in_progress, ok

SORT = {"items": {"type": "literal", "value": RECORDS}, "keys": {"type": "literal", "value": [{"path": "score"}]}}


async def test_a_tool_runs_on_literals_and_nothing_is_stored(user):
    before = await count_user_rows(user.user["id"])
    result = ok(await user.post("/api/tools/sort/run", json={"parameters": SORT}))
    assert result["tool_id"] == "sort"
    assert result["outputs"]["items"] == sorted(RECORDS, key=lambda r: r["score"])
    assert result["duration_ms"] >= 0 and result["output_bytes"] > 0
    assert await count_user_rows(user.user["id"]) == before


async def test_a_tool_runs_on_an_asset_of_the_user_and_not_on_another_users(user, other_user):
    mission = await mission_in_progress(user)
    source = mission["asset_summary"]["inputs"][0]
    params = {**SORT, "items": {"type": "asset_field", "state_asset": source}}
    result = ok(await user.post("/api/tools/sort/run", json={"parameters": params}))
    assert [r["name"] for r in result["outputs"]["items"]] == ["a", "b", "c"]
    refused = await other_user.post("/api/tools/sort/run", json={"parameters": params})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "body.parameters.items.state_asset"


async def test_bad_parameters_are_refused_naming_the_field(user):
    cases = [
        ({"keys": SORT["keys"]}, "body.parameters.items"),
        ({**SORT, "bogus": {"type": "literal", "value": 1}}, "body.parameters.bogus"),
        ({**SORT, "keys": {"type": "literal", "value": "score"}}, "body.parameters.keys"),
    ]
    for parameters, field in cases:
        response = await user.post("/api/tools/sort/run", json={"parameters": parameters})
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == field, response.text
    assert (await user.post("/api/tools/no_such_tool/run", json={"parameters": {}})).status_code == 404


async def test_a_literal_over_the_content_limit_is_refused(user, settings_env):
    settings_env(CONTENT_MAX_BYTES="1000")
    big = {**SORT, "items": {"type": "literal", "value": [{"score": i, "pad": "x" * 50} for i in range(100)]}}
    response = await user.post("/api/tools/sort/run", json={"parameters": big})
    assert response.status_code == 400 and "CONTENT_MAX_BYTES" in response.text


async def test_a_tool_that_fails_answers_422_with_its_message_and_a_connection_is_used(user):
    with local_http_server() as base_url:
        conn = ok(
            await user.post(
                "/api/connections",
                json={"name": "Lab search", "resource_type": "searxng", "values": {"base_url": f"{base_url}/down"}},
            ),
            201,
        )
        params = {"query": {"type": "literal", "value": "tides"}}
        failed = await user.post(
            "/api/tools/web_search/run", json={"parameters": params, "connections": {"search_provider": conn["id"]}}
        )
        assert failed.status_code == 422 and "HTTP 503" in failed.json()["message"]
        ok(await user.patch(f"/api/connections/{conn['id']}", json={"values": {"base_url": base_url}}))
        result = ok(
            await user.post(
                "/api/tools/web_search/run", json={"parameters": params, "connections": {"search_provider": conn["id"]}}
            )
        )
        assert len(result["outputs"]["results"]) == 5


async def test_an_output_is_saved_as_a_mission_input_asset_with_the_tools_schema(user, other_user):
    mission = await mission_in_progress(user)
    result = ok(await user.post("/api/tools/sort/run", json={"parameters": SORT}))
    body = {
        "mission_id": mission["id"],
        "tool_id": "sort",
        "output": "items",
        "name": "Sorted records",
        "content": result["outputs"]["items"],
    }
    asset = ok(await user.post("/api/tools/results", json=body), 201)
    assert asset["role"] == "input" and asset["content"] == result["outputs"]["items"]
    assert asset["schema_definition"]["is_array"] is True
    assert asset["asset_metadata"]["saved_from_tool_lab"] == {"tool_id": "sort", "output": "items"}
    refreshed = ok(await user.get(f"/api/missions/{mission['id']}"))
    assert asset["id"] in refreshed["asset_summary"]["inputs"]
    bad = await user.post("/api/tools/results", json={**body, "output": "nope"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "body.output"
    assert (await other_user.post("/api/tools/results", json=body)).status_code == 404

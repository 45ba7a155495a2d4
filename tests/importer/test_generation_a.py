"""Generation A (hops as JSON) from SQLite and from MariaDB: every mission loads through the
API with the ids, statuses, order, mappings and execution results of the fixture; the messy
rows are reported; secrets are stored encrypted and never reported."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from server.connections.tables import Connection
from server.importer.report import to_json
from server.importer.run import import_legacy
from server.importer.values import user_uuid
from server.missions.tables import ToolStep
from tests.client import ApiClient
from tests.importer.conftest import WriteSource
from tests.legacy_builders import PASSWORD, SECRET, generation_a

MISSION_STATUS = {"ACTIVE": "in_progress", "active": "in_progress", "PENDING": "awaiting_approval"}
MISSION_STATUS["COMPLETED"] = "completed"
CURRENT_HOP_STATUS = {
    "hop_ready_to_execute": "hop_impl_ready",
    "hop_running": "failed",
    "all_hops_complete": "completed",
    "hop_proposed": "hop_plan_proposed",
    "ready_to_design": "hop_plan_started",
}
STEP_STATUS = {"completed": "completed", "running": "failed", "pending": "awaiting_configuration"}


async def signed_in(app: Any, email: str) -> ApiClient:
    client = ApiClient(app)
    response = await client.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.csrf_token = response.json()["csrf_token"]
    return client


def check_steps(hop: dict[str, Any], expected: dict[str, Any], source: str) -> None:
    assert [step["id"] for step in hop["tool_steps"]] == [step["id"] for step in expected["steps"]]
    for order, (step, want) in enumerate(zip(hop["tool_steps"], expected["steps"], strict=True)):
        assert step["sequence_order"] == order
        assert step["status"] == STEP_STATUS[want["legacy"]]
        assert step["name"] == f"Summarise step {order}"
        assert step["parameter_mapping"] == {"text": {"type": "asset_field", "state_asset": source}}
        assert step["result_mapping"]["summary"] == {"type": "asset_field", "state_asset": want["summary"]}
        assert step["result_mapping"]["method"] == {"type": "discard"}
        if want["legacy"] == "completed":
            result = step["execution_result"]
            assert result["outputs"] == {"summary": f"summary {order}", "method": "extractive"}
            assert result["written_asset_ids"] == [want["summary"]]
        else:
            assert step["execution_result"] is None
        if want["legacy"] == "running":
            assert "interrupted" in step["error_message"]


def check_mission(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert body["status"] == MISSION_STATUS[expected["status"]]
    assert [hop["id"] for hop in body["hops"]] == [hop["id"] for hop in expected["hops"]]
    assert body["current_hop_id"] == expected["hops"][-1]["id"]
    assert body["mission_asset_map"] == {expected["source"]: "input", expected["report"]: "output"}
    for order, (hop, want) in enumerate(zip(body["hops"], expected["hops"], strict=True)):
        assert hop["sequence_order"] == order
        status = CURRENT_HOP_STATUS[expected["scenario"]] if want["current"] else "completed"
        assert hop["status"] == status
        if status == "failed":
            assert "stopped" in hop["error_message"]
        assert hop["hop_asset_map"][expected["source"]] == "input"
        assert hop["hop_asset_map"][expected["report"]] == "output"
        assert hop["hop_asset_map"][want["work"]] == "intermediate"
        if "missing_step" not in expected:
            check_steps(hop, want, expected["source"])


async def test_generation_a_is_imported_with_its_ids_statuses_order_and_results(app, write_source: WriteSource):
    data = generation_a(missions=10)
    url = await write_source(data)
    report = await import_legacy(source_url=url, skip_invalid=True)
    assert report.generation == "A" and report.outcome == "imported", report.problems
    assert {(p.table, p.id) for p in report.problems} == data.expect["problems"]
    assert report.counts["missions"].imported == len(data.expect["missions"])
    assert report.counts["missions"].skipped == 3  # carol's (e-mail conflict), the orphan, the unknown status
    assert SECRET.encode() not in to_json(report)

    clients = {uid: await signed_in(app, email) for uid, email in data.expect["users"].items()}
    try:
        for expected in data.expect["missions"]:
            response = await clients[expected["user"]].get(f"/api/missions/{expected['id']}")
            assert response.status_code == 200, response.text
            check_mission(response.json(), expected)
        for mission_id in data.expect["skipped_missions"]:
            assert (await clients[min(clients)].get(f"/api/missions/{mission_id}")).status_code == 404
        messy = next(m for m in data.expect["missions"] if "missing_step" in m)
        body = (await clients[messy["user"]].get(f"/api/missions/{messy['id']}")).json()
        steps = [step["id"] for hop in body["hops"] for step in hop["tool_steps"]]
        assert messy["missing_step"] not in steps
        assert len(steps) == sum(len(hop["steps"]) for hop in messy["hops"]) - 1
        listed = (await clients[min(clients)].get("/api/missions", params={"limit": 200})).json()
        assert {m["id"] for m in data.expect["missions"] if m["user"] == min(clients)} <= {
            item["id"] for item in listed["items"]
        }
    finally:
        for client in clients.values():
            await client.aclose()


async def test_credentials_become_saved_connections_that_the_steps_use(app, sqlite_source):
    data = generation_a(missions=2, messy=False)
    await import_legacy(source_url=sqlite_source(data), skip_invalid=True)
    alice = min(data.expect["users"])
    first_steps = [m["hops"][0]["steps"][0]["id"] for m in data.expect["missions"] if m["user"] == alice]
    rows = await ToolStep.select().where(ToolStep.id.is_in(first_steps)).run()
    assert rows and all(SECRET not in row["resource_configs"] for row in rows)
    client = await signed_in(app, data.expect["users"][alice])
    try:
        step = (await client.get(f"/api/tool-steps/{first_steps[0]}")).json()
        config = step["resource_configs"]["llm_provider"]
        # The credential became a saved connection of the user, which the step uses.
        assert config["values"] == {} and config["connection_id"]
        connection = (await client.get(f"/api/connections/{config['connection_id']}")).json()
    finally:
        await client.aclose()
    assert connection["resource_type"] == "openai_compatible_chat"
    assert connection["values"] == {"base_url": "http://127.0.0.1:9/v1", "model": "tiny"}
    assert connection["secrets"] == {"api_key": True}
    raw = await Connection.select().where(Connection.id == UUID(connection["id"])).first().run()
    assert SECRET not in str(raw)
    assert all(str(user_uuid(uid)) for uid in data.expect["users"])

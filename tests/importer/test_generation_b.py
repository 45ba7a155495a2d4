"""Generation B (relational) from SQLite and from MariaDB: names and retired values mapped,
a hop left running shows failed with a reason and can be retried, orphans reported, chats and
sessions kept."""

from __future__ import annotations

from server.importer.run import import_legacy
from tests.importer.conftest import WriteSource
from tests.importer.test_generation_a import signed_in
from tests.legacy_builders import generation_b


async def test_generation_b_is_imported_and_its_failed_hop_can_be_retried(app, write_source: WriteSource):
    data = generation_b()
    report = await import_legacy(source_url=await write_source(data), skip_invalid=True)
    assert report.generation == "B" and report.outcome == "imported"
    assert {(p.table, p.id) for p in report.problems} == data.expect["problems"]
    dana, eve = sorted(data.expect["users"])
    client = await signed_in(app, data.expect["users"][dana])
    try:
        mission = (await client.get(f"/api/missions/{data.expect['mission']['id']}")).json()
        assert mission["status"] == "in_progress" and mission["success_criteria"] == []
        hops = data.expect["hops"]
        assert [hop["id"] for hop in mission["hops"]] == [h["hop"]["id"] for h in hops]
        done, running = mission["hops"]
        assert done["status"] == "completed" and [s["status"] for s in done["tool_steps"]] == ["completed"] * 2
        assert running["status"] == "failed" and "stopped" in running["error_message"]
        assert [s["status"] for s in running["tool_steps"]] == ["completed", "failed", "ready_to_execute"]
        assert "interrupted" in running["tool_steps"][1]["error_message"]
        assert mission["current_hop_id"] == running["id"]
        assert mission["mission_asset_map"] == {
            data.expect["source"]["id"]: "input",
            data.expect["report"]["id"]: "output",
        }
        assets = (await client.get("/api/assets", params={"limit": 200})).json()
        statuses = {item["id"]: item["status"] for item in assets["items"]}
        assert statuses[data.expect["report"]["id"]] == "awaiting_approval"  # proposed
        assert statuses[hops[0]["work"]["id"]] == "processing"  # in_progress
        session = (await client.get(f"/api/sessions/{data.expect['session']['id']}")).json()
        assert session["mission_id"] == mission["id"] and session["status"] == "active"
        assert [m["role"] for m in session["chat"]["messages"]] == ["user", "assistant", "status"]

        retried = await client.post(f"/api/hops/{running['id']}/retry")
        assert retried.status_code == 200, retried.text
        body = retried.json()
        assert body["status"] == "hop_impl_ready" and body["error_message"] is None
        assert [s["status"] for s in body["tool_steps"]] == ["completed", "ready_to_execute", "ready_to_execute"]
    finally:
        await client.aclose()
    client = await signed_in(app, data.expect["users"][eve])
    try:
        second = (await client.get(f"/api/missions/{data.expect['second']['id']}")).json()
        assert second["status"] == "awaiting_approval"
        (hop,) = second["hops"]
        assert hop["status"] == "hop_impl_proposed"
        assert [s["status"] for s in hop["tool_steps"]] == ["awaiting_configuration"] * 2
    finally:
        await client.aclose()

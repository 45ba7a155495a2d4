"""Saved connections (docs/domain.md, "Connections"): secrets encrypted at rest and
write-only, checks per resource type, bad input naming the field, steps that use one (read at
each run), and deletion refused while steps use it."""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

from server.connections.tables import Connection
from server.database import from_json
from server.missions.tables import ToolStep
from server.workflow.secrets import decrypt_value
from tests.tools.local_http import local_http_server, requests_seen
from tests.workflow.flow import mission_in_progress, ok
from tests.workflow.test_execution import hop_with_chain, wait_for_hop

SECRET = "sk-conn-7f3a9-do-not-show"


def search(base_url: str, **values) -> dict:
    return {"name": "My search", "resource_type": "searxng", "values": {"base_url": base_url, **values}}


async def test_a_connection_keeps_its_secret_encrypted_at_rest_and_never_returns_it(user, caplog):
    caplog.set_level(logging.DEBUG)
    created = ok(await user.post("/api/connections", json=search("http://127.0.0.1:9", api_key=SECRET)), 201)
    assert created["values"] == {"base_url": "http://127.0.0.1:9"}
    assert created["secrets"] == {"api_key": True}
    assert created["check_status"] == "unchecked"
    row = await Connection.select().where(Connection.id == UUID(created["id"])).first().run()
    raw = str(row)
    assert SECRET not in raw
    token = from_json(row["secret_values"])
    assert decrypt_value(token["api_key"]) == SECRET
    for response in (
        await user.get("/api/connections"),
        await user.get(f"/api/connections/{created['id']}"),
        await user.patch(f"/api/connections/{created['id']}", json={"name": "Renamed"}),
    ):
        assert response.status_code == 200 and SECRET not in response.text
    assert SECRET not in caplog.text


async def test_updating_keeps_unnamed_values_clears_nulls_and_resets_the_check(user):
    created = ok(await user.post("/api/connections", json=search("http://127.0.0.1:9", api_key=SECRET)), 201)
    url = f"/api/connections/{created['id']}"
    changed = ok(await user.patch(url, json={"values": {"timeout_seconds": 3, "api_key": None}}))
    assert changed["values"] == {"base_url": "http://127.0.0.1:9", "timeout_seconds": 3}
    assert changed["secrets"] == {}
    refused = await user.patch(url, json={"values": {"base_url": None}})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "body.values.base_url"


async def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(user):
    before = await Connection.count().where(Connection.user_id == UUID(user.user["id"])).run()
    cases = [
        ({"name": "x", "resource_type": "nope", "values": {}}, "body.resource_type"),
        ({"name": "x", "resource_type": "searxng", "values": {}}, "body.values.base_url"),
        ({"name": "x", "resource_type": "searxng", "values": {"base_url": "ftp://a"}}, "body.values.base_url"),
        ({"name": "x", "resource_type": "searxng", "values": {"base_url": "http://a", "zzz": 1}}, "body.values.zzz"),
        ({"name": "", "resource_type": "searxng", "values": {"base_url": "http://a"}}, "body.name"),
        (
            {"name": "x", "resource_type": "searxng", "values": {"base_url": "http://a", "timeout_seconds": "1"}},
            "body.values.timeout_seconds",
        ),
    ]
    for body, field in cases:
        response = await user.post("/api/connections", json=body)
        assert response.status_code == 400, response.text
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.text)
    assert await Connection.count().where(Connection.user_id == UUID(user.user["id"])).run() == before


async def test_two_connections_cannot_share_a_name_even_concurrently(user):
    body = {"name": "Twin", "resource_type": "searxng", "values": {"base_url": "http://a.test"}}
    first, second = await asyncio.gather(
        user.post("/api/connections", json=body), user.post("/api/connections", json=body)
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]


async def test_another_users_connection_answers_404(user, other_user):
    created = ok(await user.post("/api/connections", json=search("http://127.0.0.1:9", api_key=SECRET)), 201)
    for method in ("GET", "PATCH", "DELETE"):
        response = await other_user.request(
            method, f"/api/connections/{created['id']}", json={} if method == "PATCH" else None
        )
        assert response.status_code == 404
    assert ok(await other_user.get("/api/connections"))["items"] == []


async def test_check_reaches_the_service_through_the_guarded_client_and_records_the_outcome(user):
    with local_http_server() as base_url:
        good = ok(await user.post("/api/connections", json=search(base_url, api_key=SECRET)), 201)
        checked = ok(await user.post(f"/api/connections/{good['id']}/check"))
        assert checked["check_status"] == "succeeded" and "5 results" in checked["check_message"]
        assert requests_seen[-1]["headers"]["authorization"] == f"Bearer {SECRET}"
        down = ok(await user.post("/api/connections", json={**search(f"{base_url}/down"), "name": "Down"}), 201)
        failed = ok(await user.post(f"/api/connections/{down['id']}/check"))
        assert failed["check_status"] == "failed" and "HTTP 503" in failed["check_message"]
    # Loopback is refused again once the test server is gone (public addresses only).
    refused = ok(await user.post(f"/api/connections/{good['id']}/check"))
    assert refused["check_status"] == "failed" and SECRET not in str(refused)


async def test_a_type_without_a_check_says_so(user, monkeypatch):
    from server.tools.registry import get_registry

    created = ok(await user.post("/api/connections", json=search("http://127.0.0.1:9")), 201)
    monkeypatch.setattr(get_registry(), "_checks", {})
    checked = ok(await user.post(f"/api/connections/{created['id']}/check"))
    assert checked["check_status"] == "unavailable" and "cannot be checked" in checked["check_message"]
    types = ok(await user.get("/api/resource-types"))["resource_types"]
    assert {t["type"] for t in types} >= {"searxng", "openai_compatible_chat"}


def search_step() -> dict:
    return {
        "tool_id": "web_search",
        "name": "Search",
        "parameter_mapping": {"query": {"type": "literal", "value": "tides"}},
        "result_mapping": {"results": {"type": "asset_field", "state_asset": "$output"}},
    }


async def _search_hop(client):
    mission = await mission_in_progress(client)
    # The hop's output holds search results: a mission whose input is a list of objects still works.
    hop = await hop_with_chain(client, mission, [search_step()])
    return mission, hop


async def test_a_step_uses_a_connection_and_runs_with_its_values_as_changed_since(user):
    with local_http_server() as base_url:
        conn = ok(await user.post("/api/connections", json=search(f"{base_url}/down", api_key=SECRET)), 201)
        mission, hop = await _search_hop(user)
        step = hop["tool_steps"][0]
        assert step["status"] == "awaiting_configuration"
        configured = ok(
            await user.post(
                f"/api/tool-steps/{step['id']}/configure", json={"connections": {"search_provider": conn["id"]}}
            )
        )
        assert configured["status"] == "ready_to_execute"
        assert configured["resource_configs"]["search_provider"]["connection_id"] == conn["id"]
        # Changed after the step was configured: the run reads the connection as it is now.
        ok(await user.patch(f"/api/connections/{conn['id']}", json={"values": {"base_url": base_url}}))
        ok(await user.post(f"/api/hops/{hop['id']}/execute"))
        done = await wait_for_hop(user, hop["id"])
        assert done["status"] == "completed", done["error_message"]
        assert requests_seen[-1]["path"] == "/search"
        assert requests_seen[-1]["headers"]["authorization"] == f"Bearer {SECRET}"
        stored = await ToolStep.select(ToolStep.resource_configs).where(ToolStep.id == UUID(step["id"])).first().run()
        assert SECRET not in str(stored) and conn["id"] in str(stored)

        # In use: deletion is refused, naming the step, its hop and its mission.
        refused = await user.delete(f"/api/connections/{conn['id']}")
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["code"] == "connection_in_use" and '"Search"' in body["message"]
        assert body["errors"][0]["field"] == f"tool_steps.{step['id']}"
        usage = ok(await user.get(f"/api/connections/{conn['id']}/usage"))
        assert [u["step_id"] for u in usage["steps"]] == [step["id"]]
        assert usage["steps"][0]["mission_name"] == mission["name"]
        assert await Connection.exists().where(Connection.id == UUID(conn["id"])).run()


async def test_picking_a_connection_checks_it_and_names_the_field(user, other_user):
    _, hop = await _search_hop(user)
    step_id = hop["tool_steps"][0]["id"]
    theirs = ok(await other_user.post("/api/connections", json=search("http://127.0.0.1:9")), 201)
    model = ok(
        await user.post(
            "/api/connections",
            json={"name": "Model", "resource_type": "openai_compatible_chat", "values": {"model": "m"}},
        ),
        201,
    )
    for connections, field in (
        ({"search_provider": theirs["id"]}, "body.connections.search_provider"),
        ({"search_provider": model["id"]}, "body.connections.search_provider"),
        ({"nope": model["id"]}, "body.connections.nope"),
    ):
        response = await user.post(f"/api/tool-steps/{step_id}/configure", json={"connections": connections})
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == field
    assert ok(await user.get(f"/api/tool-steps/{step_id}"))["status"] == "awaiting_configuration"


async def test_a_connection_not_in_use_is_deleted_and_one_picked_concurrently_is_never_lost(user):
    _, hop = await _search_hop(user)
    step_id = hop["tool_steps"][0]["id"]
    conn = ok(await user.post("/api/connections", json=search("http://127.0.0.1:9")), 201)
    picked, deleted = await asyncio.gather(
        user.post(f"/api/tool-steps/{step_id}/configure", json={"connections": {"search_provider": conn["id"]}}),
        user.delete(f"/api/connections/{conn['id']}"),
    )
    exists = await Connection.exists().where(Connection.id == UUID(conn["id"])).run()
    if picked.status_code == 200:
        assert deleted.status_code == 409 and exists
    else:
        assert picked.status_code == 400 and deleted.status_code == 204 and not exists
    unused = ok(await user.post("/api/connections", json={**search("http://127.0.0.1:9"), "name": "Unused"}), 201)
    assert (await user.delete(f"/api/connections/{unused['id']}")).status_code == 204
    assert (await user.get(f"/api/connections/{unused['id']}")).status_code == 404


async def test_a_mailbox_connection_is_checked_by_signing_in_to_the_imap_server(user, dovecot):
    values = dovecot.resource()
    good = ok(
        await user.post("/api/connections", json={"name": "Mail", "resource_type": "imap", "values": values}), 201
    )
    checked = ok(await user.post(f"/api/connections/{good['id']}/check"))
    assert checked["check_status"] == "succeeded", checked
    assert "signed in as" in checked["check_message"] and "INBOX holds" in checked["check_message"]
    wrong = {**values, "password": "not-the-password"}
    bad = ok(await user.post("/api/connections", json={"name": "Wrong", "resource_type": "imap", "values": wrong}), 201)
    failed = ok(await user.post(f"/api/connections/{bad['id']}/check"))
    assert failed["check_status"] == "failed" and "refused the sign-in" in failed["check_message"]
    assert "not-the-password" not in str(failed)

"""Memory and storage bounded under adversarial use (docs/security.md, "Limits"): hops running
at once and event streams per user, the size of every free-form field, and all the content one
user stores; each refusal is a 4xx naming its limit, and nothing is written."""

from __future__ import annotations

import pytest

from tests.builders import count_rows
from tests.security.test_leases import sort_then_fetch
from tests.tools.local_http import local_http_server
from tests.workflow.flow import mission_in_progress, new_session, ok
from tests.workflow.sse_client import EventStream
from tests.workflow.test_execution import hop_with_chain


@pytest.fixture(scope="module")
def web():
    with local_http_server() as base_url:
        yield base_url


async def test_a_user_cannot_run_more_hops_at_once_than_the_limit(user, web, settings_env):
    settings_env(RUNNING_HOPS_PER_USER="1")
    missions = [await mission_in_progress(user) for _ in range(2)]
    hops = [await hop_with_chain(user, m, sort_then_fetch(f"{web}/slow?s=2")) for m in missions]
    ok(await user.post(f"/api/hops/{hops[0]['id']}/execute"))
    refused = await user.post(f"/api/hops/{hops[1]['id']}/execute")
    assert refused.status_code == 429
    assert "RUNNING_HOPS_PER_USER=1" in refused.json()["message"]
    assert int(refused.headers["retry-after"]) > 0
    assert ok(await user.get(f"/api/hops/{hops[1]['id']}"))["status"] == "hop_impl_ready"
    ok(await user.post(f"/api/missions/{missions[0]['id']}/cancel"))
    ok(await user.post(f"/api/hops/{hops[1]['id']}/execute"))  # room again
    ok(await user.post(f"/api/missions/{missions[1]['id']}/cancel"))


async def test_a_user_cannot_hold_more_event_streams_than_the_limit(app, user, settings_env):
    settings_env(EVENTS_STREAMS_PER_USER="2", EVENTS_KEEP_ALIVE_SECONDS="0.2")
    async with EventStream(app, user) as first, EventStream(app, user) as second:
        assert first.status == second.status == 200
        async with EventStream(app, user) as third:
            assert third.status == 429
    async with EventStream(app, user) as again:  # closed streams give their place back
        assert again.status == 200


@pytest.mark.parametrize(
    ("method", "url", "body", "field", "setting"),
    [
        (
            "POST",
            "/api/sessions",
            {"session_metadata": {"k": "v" * 70_000}},
            "body.session_metadata",
            "FIELD_MAX_BYTES",
        ),
        (
            "PATCH",
            "/api/assets/{asset}",
            {"asset_metadata": {"k": ["x"] * 40_000}},
            "body.asset_metadata",
            "FIELD_MAX_BYTES",
        ),
        ("PATCH", "/api/assets/{asset}", {"content": "c" * 6_000_000}, "body.content", "CONTENT_MAX_BYTES"),
        (
            "PATCH",
            "/api/missions/{mission}",
            {"mission_metadata": {"k": "v" * 70_000}},
            "body.mission_metadata",
            "FIELD_MAX_BYTES",
        ),
        (
            "POST",
            "/api/missions/{mission}/assets",
            {"name": "a", "role": "input", "schema_definition": {"type": "string", "description": "d" * 2_001}},
            "body.schema_definition.description",
            "",
        ),
        (
            "POST",
            "/api/sessions/{session}/messages",
            {"role": "user", "content": "hi", "message_metadata": {"k": "v" * 70_000}},
            "body.message_metadata",
            "FIELD_MAX_BYTES",
        ),
    ],
)
async def test_every_free_form_field_is_bounded(user, method, url, body, field, setting):
    mission = await mission_in_progress(user)
    session = await new_session(user)
    ids = {"asset": mission["asset_summary"]["inputs"][0], "mission": mission["id"], "session": session["id"]}
    before = await count_rows()
    response = await user.request(method, url.format(**ids), json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert any(e["field"].startswith(field) for e in error["errors"]), error
    assert setting in error["message"]
    assert await count_rows() == before


async def test_a_literal_parameter_value_is_bounded(user, web):
    mission = await mission_in_progress(user)
    steps = sort_then_fetch(f"{web}/x")[1:]
    steps[0]["parameter_mapping"]["urls"]["value"] = ["http://example.org/" + "p" * 70_000]
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    response = await user.post(f"/api/hops/{hop['id']}/validate-chain", json={"steps": steps})
    assert response.status_code == 400 and "FIELD_MAX_BYTES" in response.json()["message"]


async def test_the_content_one_user_stores_is_bounded(user, settings_env):
    settings_env(USER_CONTENT_MAX_BYTES="30000")
    mission = await mission_in_progress(user)
    asset = {"name": "big", "role": "input", "schema_definition": {"type": "string"}, "content": "x" * 12_000}
    url = f"/api/missions/{mission['id']}/assets"
    created = [(await user.post(url, json=asset)).status_code for _ in range(3)]
    assert created == [201, 201, 413]
    before = await count_rows()
    refused = await user.post(url, json=asset)
    assert refused.status_code == 413 and refused.json()["code"] == "limit_exceeded"
    assert "USER_CONTENT_MAX_BYTES" in refused.json()["message"]
    assert await count_rows() == before
    # Replacing content counts the new size only, not the old one as well.
    first = mission["asset_summary"]["inputs"][0]
    assert (await user.patch(f"/api/assets/{first}", json={"content": "y" * 5_000})).status_code == 200
    assert (await user.patch(f"/api/assets/{first}", json={"content": "y" * 5_500})).status_code == 200


async def test_a_step_whose_outputs_pass_the_storage_limit_fails_saying_so(user, settings_env):
    from tests.workflow.test_execution import wait_for_hop

    mission = await mission_in_progress(user)
    hop = await hop_with_chain(user, mission, sort_then_fetch("http://unused.invalid/")[:1])
    settings_env(USER_CONTENT_MAX_BYTES="100")  # the input already holds most of it
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    failed = await wait_for_hop(user, hop["id"])
    assert failed["status"] == "failed"
    assert "USER_CONTENT_MAX_BYTES" in failed["tool_steps"][0]["error_message"]

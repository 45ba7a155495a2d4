"""No secret (the model's API key, a step's secret resource value) in any response, event or
log line: a test that does everything that touches them and greps what came out."""

from __future__ import annotations

import logging
from uuid import UUID, uuid4

from tests.assistant.designer import mission_arguments
from tests.assistant.helpers import API_KEY, ChatWatcher, say
from tests.assistant.model_server import Call, Reply, Status
from tests.workflow.flow import asset_id, hop_in, mission_proposal, new_session, ok, rank_chain
from tests.workflow.sse_client import EventStream

STEP_SECRET = "sk-step-resource-secret-4242"


async def test_no_secret_reaches_a_response_an_event_or_a_log_line(app, user, model, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)  # every logger, the HTTP clients' debug lines included
    bodies: list[str] = []
    request = user.request

    async def recorded(method, url, **kwargs):
        response = await request(method, url, **kwargs)
        bodies.append(response.text)
        return response

    monkeypatch.setattr(user, "request", recorded)
    arguments = mission_arguments({"messages": [{"role": "user", "content": "x"}]})
    model.script(
        Reply(text=["Proposing."], calls=[Call("propose_mission", arguments)]),
        # A server that echoes the key it refuses.
        Status(401, {"error": {"message": f"Incorrect API key provided: {API_KEY}."}}),
    )
    async with EventStream(app, user) as stream:
        session = await new_session(user)
        watcher = ChatWatcher(UUID(user.user["id"]))
        try:
            await say(user, session["id"], "rank my records")
            await watcher.turn_ended(session["id"])
            await say(user, session["id"], "again")
            await watcher.turn_ended(session["id"])
        finally:
            watcher.close()
        await _a_step_with_a_secret(user)
        ok(await user.get(f"/api/sessions/{session['id']}/assistant"))
        ok(await user.get(f"/api/sessions/{session['id']}"))
        ok(await user.get("/api/schema/openapi.json"))
        events = []
        while not stream.messages.empty():
            events.append(str(stream.messages.get_nowait().get("data", "")))

    assert any(r["_headers"].get("authorization") == f"Bearer {API_KEY}" for r in model.requests)  # it was used
    assert len(events) > 10 and len(bodies) > 10
    refused = [text for text in bodies if "refused the API key" in text]
    assert refused  # the 401 reached the chat, without the key the model server echoed
    for secret in (API_KEY, STEP_SECRET):
        assert not [text for text in bodies if secret in text]
        assert not [text for text in events if secret in text]
        assert secret not in caplog.text


async def _a_step_with_a_secret(user) -> None:
    """A chain proposed with a secret resource value, then configured with one."""
    session = await new_session(user)
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    hop = await hop_in(user, mission, "hop_impl_started")
    chain = rank_chain(asset_id(mission, "inputs"), str(uuid4()), hop["asset_summary"]["outputs"][0])
    search = {
        "tool_id": "web_search",
        "name": "Search",
        "parameter_mapping": {"query": {"type": "literal", "value": "tides"}},
        "result_mapping": {"results": {"type": "discard"}},
        "resource_configs": {"search_provider": {"base_url": "http://127.0.0.1:9", "api_key": STEP_SECRET}},
    }
    chain["steps"].insert(0, search)
    hop = ok(await user.post(f"/api/hops/{hop['id']}/implementation", json=chain))
    hop = ok(await user.post(f"/api/hops/{hop['id']}/implementation/accept"))
    step = hop["tool_steps"][0]
    configs = {"search_provider": {"base_url": "http://127.0.0.1:9", "api_key": STEP_SECRET + "-2"}}
    await user.post(f"/api/tool-steps/{step['id']}/configure", json={"resource_configs": configs})
    ok(await user.get(f"/api/sessions/{session['id']}"))

"""Every page stays current: what one page does reaches the user's other pages over the real
event stream, transitions and plain edits alike (a session created, renamed or archived,
chat messages, proposals, an asset's content, a mission's name)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from tests.workflow.flow import asset_id, hop_in, mission_in_progress, mission_proposal, ok, rank_chain
from tests.workflow.sse_client import EventStream


async def messages_until(stream: EventStream, predicate, timeout: float = 5.0) -> list[tuple[str, dict[str, Any]]]:
    """(event name, data) of every message of the stream up to the first meeting `predicate`."""
    import json

    seen: list[tuple[str, dict[str, Any]]] = []
    loop = asyncio.get_running_loop()
    ends = loop.time() + timeout
    while True:
        message = await stream.next_message(timeout=max(0.01, ends - loop.time()))
        if "event" not in message:
            continue
        item = (message["event"], json.loads(message["data"]))
        seen.append(item)
        if predicate(*item):
            return seen


async def test_a_session_created_renamed_and_archived_reaches_the_other_pages(app, user):
    async with EventStream(app, user) as stream:
        session = ok(await user.post("/api/sessions", json={"name": "draft"}), 201)
        ok(await user.patch(f"/api/sessions/{session['id']}", json={"name": "Tides"}))
        ok(await user.post(f"/api/sessions/{session['id']}/archive"))
        seen = await messages_until(stream, lambda kind, e: kind == "workflow" and e["status"] == "archived")
    workflow = [(e["entity"], e["id"], e["status"], e["change"]) for kind, e in seen if kind == "workflow"]
    assert workflow == [
        ("session", session["id"], "active", "created"),
        ("session", session["id"], "active", "updated"),
        ("session", session["id"], "archived", "status"),
    ]


async def test_a_rename_that_changes_nothing_announces_nothing(app, user):
    session = ok(await user.post("/api/sessions", json={"name": "draft"}), 201)
    async with EventStream(app, user) as stream:
        await stream.next_message()  # connected
        ok(await user.patch(f"/api/sessions/{session['id']}", json={}))
        await asyncio.sleep(0.1)
        assert stream.pending_events() == []


async def test_chat_messages_and_proposals_reach_the_other_pages(app, user):
    session = ok(await user.post("/api/sessions", json={"name": "work"}), 201)
    async with EventStream(app, user) as stream:
        ok(await user.post(f"/api/sessions/{session['id']}/messages", json={"role": "user", "content": "hello"}), 201)
        mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
        seen = await messages_until(stream, lambda kind, e: kind == "chat" and e.get("role") == "status")
    chat = [(e["type"], e["session_id"], e["role"]) for kind, e in seen if kind == "chat"]
    assert chat[0] == ("message_stored", session["id"], "user")
    assert chat[-1] == ("message_stored", session["id"], "status")  # the proposal's card
    assert ("mission", mission["id"], "awaiting_approval") in [
        (e["entity"], e["id"], e["status"]) for kind, e in seen if kind == "workflow"
    ]
    messages = ok(await user.get(f"/api/sessions/{session['id']}/messages"))["items"]
    card = messages[-1]["message_metadata"]["proposal"]
    assert card["kind"] == "mission" and card["mission_id"] == mission["id"]


async def test_hop_proposals_reach_the_other_pages(app, user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_started")
    async with EventStream(app, user) as stream:
        chain = rank_chain(asset_id(mission, "inputs"), str(uuid4()), hop["asset_summary"]["outputs"][0])
        ok(await user.post(f"/api/hops/{hop['id']}/implementation", json=chain))
        seen = await messages_until(stream, lambda kind, e: kind == "chat" and e.get("role") == "status")
    hops = [(e["id"], e["status"]) for kind, e in seen if kind == "workflow" and e["entity"] == "hop"]
    assert hops == [(hop["id"], "hop_impl_proposed")]
    steps = [e for kind, e in seen if kind == "workflow" and e["entity"] == "tool_step"]
    assert len(steps) == 2 and all(e["status"] == "awaiting_configuration" for e in steps)


async def test_edits_of_a_mission_and_its_assets_reach_the_other_pages(app, user):
    mission = await mission_in_progress(user)
    records = asset_id(mission, "inputs")
    async with EventStream(app, user) as stream:
        ok(await user.patch(f"/api/missions/{mission['id']}", json={"name": "Ranked records"}))
        ok(await user.patch(f"/api/assets/{records}", json={"content": [{"name": "z", "score": 9}]}))
        added = ok(
            await user.post(
                f"/api/missions/{mission['id']}/assets",
                json={"name": "Notes", "schema_definition": {"type": "string"}, "role": "output"},
            ),
            201,
        )
        assert (await user.delete(f"/api/assets/{added['id']}")).status_code == 204
        seen = await stream.events_until(lambda e: e["change"] == "deleted")
    assert [(e["entity"], e["id"], e["change"], e["mission_id"]) for e in seen] == [
        ("mission", mission["id"], "updated", mission["id"]),
        ("asset", records, "updated", mission["id"]),
        ("asset", added["id"], "created", mission["id"]),
        ("asset", added["id"], "deleted", mission["id"]),
    ]


async def test_edits_of_a_hop_and_its_steps_reach_the_other_pages(app, user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_proposed")
    step = hop["tool_steps"][0]
    async with EventStream(app, user) as stream:
        ok(await user.patch(f"/api/hops/{hop['id']}", json={"name": "Rank by score"}))
        ok(await user.patch(f"/api/tool-steps/{step['id']}", json={"description": "highest first"}))
        ok(await user.patch(f"/api/hops/{hop['id']}", json={}))  # nothing changed: nothing announced
        seen = await stream.events_until(lambda e: e["entity"] == "tool_step")
        await asyncio.sleep(0.1)
        assert stream.pending_events() == []
    assert [(e["entity"], e["id"], e["status"], e["change"], e["mission_id"], e["hop_id"]) for e in seen] == [
        ("hop", hop["id"], "hop_impl_proposed", "updated", mission["id"], hop["id"]),
        ("tool_step", step["id"], step["status"], "updated", mission["id"], hop["id"]),
    ]

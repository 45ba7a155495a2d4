"""Live events over server-sent events: every transition and step progress reaches the
signed-in user's open streams, and only theirs."""

from __future__ import annotations

import asyncio

from server.workflow.events import broker
from tests.workflow.flow import hop_in, mission_in_progress, ok, proposed_mission
from tests.workflow.sse_client import EventStream
from tests.workflow.test_execution import wait_for_hop


async def test_the_stream_opens_with_a_comment_and_needs_a_signed_in_user(app, user, anon):
    async with EventStream(app, user) as stream:
        assert stream.status == 200
        assert stream.headers[b"content-type"].startswith(b"text/event-stream")
        assert b"content-encoding" not in stream.headers  # never held back by compression
        first = await stream.next_message()
        assert first["comments"] == ["connected"] and first["retry"] == "3000"
        assert broker.subscriber_count() >= 1
    refused = await anon.get("/api/events")
    assert refused.status_code == 401


async def test_a_transition_is_announced_to_the_users_stream(app, user):
    async with EventStream(app, user) as stream:
        session, mission = await proposed_mission(user)
        ok(await user.post(f"/api/missions/{mission['id']}/accept"))
        events = await stream.events_until(lambda e: e["entity"] == "mission" and e["status"] == "in_progress")
        await asyncio.sleep(0.05)
        events += stream.pending_events()  # the rest of the same transition
    proposed = [e for e in events if e["entity"] == "mission"]
    assert proposed[0]["id"] == mission["id"] and proposed[0]["status"] == "awaiting_approval"
    assert proposed[-1] == {**proposed[-1], "id": mission["id"], "status": "in_progress", "mission_id": mission["id"]}
    assets = {e["id"] for e in events if e["entity"] == "asset" and e["status"] == "ready_for_processing"}
    assert assets == set(mission["asset_summary"]["inputs"] + mission["asset_summary"]["outputs"])


async def test_a_running_hop_announces_each_step_and_its_completion(app, user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    first_id, second_id = (s["id"] for s in hop["tool_steps"])
    async with EventStream(app, user) as stream:
        ok(await user.post(f"/api/hops/{hop['id']}/execute"))
        events = await stream.events_until(
            lambda e: (
                e["entity"] == "mission"
                and e["status"] == "completed"
                or (e["entity"] == "hop" and e["status"] == "completed")
            )
        )
    steps = [(e["id"], e["status"], e.get("progress")) for e in events if e["entity"] == "tool_step"]
    assert steps == [
        (first_id, "executing", None),
        (first_id, "executing", "running tool `filter`"),
        (first_id, "completed", None),
        (second_id, "executing", None),
        (second_id, "executing", "running tool `sort`"),
        (second_id, "completed", None),
    ]
    assert [e["status"] for e in events if e["entity"] == "hop"] == ["executing", "completed"]
    assert all(
        e["hop_id"] == hop["id"] and e["mission_id"] == mission["id"]
        for e in events
        if e["entity"] in ("tool_step", "hop")
    )
    await wait_for_hop(user, hop["id"])


async def test_each_user_receives_only_their_own_events(app, user, other_user):
    async with EventStream(app, user) as mine, EventStream(app, other_user) as theirs:
        _, mission = await proposed_mission(user)
        await mine.events_until(lambda e: e["entity"] == "mission")
        _, other_mission = await proposed_mission(other_user)
        seen = await theirs.events_until(lambda e: e["entity"] == "mission")
        assert all(e["id"] != mission["id"] and e.get("mission_id") != mission["id"] for e in seen)
        assert seen[-1]["id"] == other_mission["id"]
        await asyncio.sleep(0.1)
        assert all(
            e.get("mission_id") != other_mission["id"] and e["id"] != other_mission["id"] for e in mine.pending_events()
        )


async def test_an_idle_stream_gets_keep_alive_comments_and_unsubscribes_on_disconnect(app, user, settings_env):
    settings_env(EVENTS_KEEP_ALIVE_SECONDS="0.05")
    user_id = __import__("uuid").UUID(user.user["id"])
    async with EventStream(app, user) as stream:
        await stream.next_message()  # connected
        keep_alive = await stream.next_message(timeout=2)
        assert keep_alive["comments"] == ["keep-alive"] and "data" not in keep_alive
        assert broker.subscriber_count(user_id) == 1
    assert broker.subscriber_count(user_id) == 0


async def test_a_stream_ends_after_its_lifetime_so_the_browser_reconnects(app, user, settings_env):
    settings_env(EVENTS_STREAM_SECONDS="0.2", EVENTS_KEEP_ALIVE_SECONDS="0.05")
    async with EventStream(app, user) as stream:
        await asyncio.wait_for(stream._task, 3)  # the response completes on its own
        assert stream.status == 200 and stream.completed
        assert (await stream.next_message())["comments"] == ["connected"]

"""A whole mission designed in conversation and executed to `completed` (on the engine the
run uses: `TEST_ENGINE=sqlite|postgres`): the assistant proposes the mission, then after each
acceptance the next hop plan and its tool chain; the person accepts each card and executes;
every transition, the person's, the assistant's and the server's, shows in the chat."""

from __future__ import annotations

import asyncio
from uuid import UUID

from tests.assistant.designer import RECORDS, Designer
from tests.assistant.helpers import ChatWatcher, offered, replies, say, statuses
from tests.workflow.flow import new_session, ok


async def _wait_for(predicate, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.05)


async def test_a_mission_designed_in_conversation_runs_to_completed(user, model):
    model.responder = Designer()
    session = await new_session(user)
    sid = session["id"]
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        await say(user, sid, "I have some records; I want them ranked by score in a report.")
        await watcher.turn_ended(sid)
        mission = ok(await user.get(f"/api/sessions/{sid}"))["mission"]
        assert mission["status"] == "awaiting_approval" and mission["name"] == "Rank records"

        ok(await user.post(f"/api/missions/{mission['id']}/accept"))  # the card's Accept
        await watcher.turn_ended(sid)  # the assistant proposes the hop's plan
        mission = ok(await user.get(f"/api/missions/{mission['id']}"))
        [hop] = mission["hops"]
        assert hop["status"] == "hop_plan_proposed" and hop["is_final"]

        ok(await user.post(f"/api/hops/{hop['id']}/plan/accept"))
        await watcher.turn_ended(sid)  # ... and its tool chain
        hop = ok(await user.get(f"/api/hops/{hop['id']}"))
        assert hop["status"] == "hop_impl_proposed"
        assert [step["tool_id"] for step in hop["tool_steps"]] == ["filter", "sort"]

        ok(await user.post(f"/api/hops/{hop['id']}/implementation/accept"))
        ok(await user.post(f"/api/hops/{hop['id']}/execute"))
        await watcher.turn_ended(sid)  # the hop completed the mission: the assistant explains

        async def completed() -> bool:
            return ok(await user.get(f"/api/missions/{mission['id']}"))["status"] == "completed"

        await _wait_for(completed)
    finally:
        watcher.close()

    report = ok(await user.get(f"/api/assets/{mission['asset_summary']['outputs'][0]}"))
    assert report["status"] == "ready"
    assert report["content"] == sorted(RECORDS, key=lambda r: r["score"], reverse=True)

    notes = [m["message_metadata"] for m in await statuses(user, sid)]
    assert [(n["transition"], n["actor"]) for n in notes] == [
        ("propose_mission", "assistant"),
        ("accept_mission", "person"),
        ("start_hop_plan", "assistant"),
        ("propose_hop_plan", "assistant"),
        ("accept_hop_plan", "person"),
        ("start_hop_implementation", "assistant"),
        ("propose_hop_implementation", "assistant"),
        ("accept_hop_implementation", "person"),
        ("execute_hop", "person"),
        ("complete_tool_step", "server"),
        ("complete_tool_step", "server"),
        ("complete_hop", "server"),
    ]
    assert [n["proposal"]["kind"] for n in notes if n["proposal"]] == ["mission", "hop_plan", "hop_implementation"]
    said = [r["content"] for r in await replies(user, sid)]
    assert len(said) == 4 and "is completed" in said[-1]
    # Who the assistant was at each turn: designer, hop designer, implementer, explainer.
    assert [offered(request)[0] for request in model.requests] == [
        "propose_mission",
        "propose_hop_plan",
        "propose_hop_implementation",
        "get_tool_catalog",
    ]
    assert ok(await user.get(f"/api/sessions/{sid}"))["status"] == "completed"

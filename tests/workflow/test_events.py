"""Each transition announces, once committed, every status it changed; a refused one
announces nothing."""

from __future__ import annotations

import asyncio
from uuid import UUID

from server.workflow.events import broker
from tests.workflow.flow import mission_proposal, new_session, ok


async def drain(queue: asyncio.Queue, count: int) -> list:
    events = [await asyncio.wait_for(queue.get(), timeout=5) for _ in range(count)]
    await asyncio.sleep(0.05)
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


async def test_transitions_announce_the_statuses_they_changed(user):
    user_id = UUID(user.user["id"])
    queue = broker.subscribe(user_id)
    try:
        session = await new_session(user)
        [created] = await drain(queue, 1)  # not a transition: announced as a change
        assert (created.entity, created.id, created.status, created.change) == (
            "session",
            UUID(session["id"]),
            "active",
            "created",
        )
        # Inputs only: a mission with no output can be completed at once.
        proposal = mission_proposal()
        proposal["assets"] = [asset for asset in proposal["assets"] if asset["role"] == "input"]
        mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=proposal), 201)
        proposed = await drain(queue, 2)
        assert [(e.entity, e.status) for e in proposed] == [
            ("mission", "awaiting_approval"),
            ("asset", "awaiting_approval"),
        ]
        assert proposed[0].id == UUID(mission["id"])

        ok(await user.post(f"/api/missions/{mission['id']}/accept"))
        accepted = await drain(queue, 2)
        assert [(e.entity, e.status) for e in accepted] == [
            ("mission", "in_progress"),
            ("asset", "ready_for_processing"),
        ]

        refused = await user.post(f"/api/missions/{mission['id']}/accept")
        assert refused.status_code == 409
        await asyncio.sleep(0.1)
        assert queue.empty()

        ok(await user.post(f"/api/missions/{mission['id']}/complete"))
        completed = await drain(queue, 2)
        assert [(e.entity, e.id, e.status) for e in completed] == [
            ("mission", UUID(mission["id"]), "completed"),
            ("session", UUID(session["id"]), "completed"),
        ]
    finally:
        broker.unsubscribe(user_id, queue)

"""Steps left `executing` by a server that stopped are failed at start-up with a clear message,
and so are their hops; retry then runs them again."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from server.workflow import transitions
from tests.workflow.flow import hop_in, mission_in_progress, ok


async def test_stale_executing_steps_are_failed_with_their_hop(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    user_id = UUID(user.user["id"])
    await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))

    assert await transitions.fail_stale_steps(older_than=timedelta(0)) >= 1
    hop_now = ok(await user.get(f"/api/hops/{hop['id']}"))
    assert hop_now["status"] == "failed"
    first, second = hop_now["tool_steps"]
    assert (first["status"], first["error_message"]) == ("failed", transitions.STALE_STEP_MESSAGE)
    assert second["status"] == "ready_to_execute"
    assert hop_now["error_message"] == f'Step 1 ("Keep scored") failed: {transitions.STALE_STEP_MESSAGE}'

    await transitions.fail_stale_steps(older_than=timedelta(0))  # a second sweep leaves the failed hop as it is
    assert ok(await user.get(f"/api/hops/{hop['id']}"))["status"] == "failed"
    retried = ok(await user.post(f"/api/hops/{hop['id']}/retry"))
    assert [s["status"] for s in retried["tool_steps"]] == ["ready_to_execute", "ready_to_execute"]

"""Running one step (2.7b) or a step and those after it (2.7c), docs/state-machine.md: the
rules (earlier steps completed, the hop configured and not running), races (one wins, the
other 409) and atomicity (a refusal changes nothing)."""

from __future__ import annotations

import asyncio

from tests.workflow.flow import RECORDS, hop_in, mission_in_progress, ok, snapshot
from tests.workflow.test_execution import wait_for_hop


async def _steps(client, hop_id: str) -> list[dict]:
    return ok(await client.get(f"/api/hops/{hop_id}"))["tool_steps"]


async def _wait_steps(client, hop_id: str, statuses: tuple[str, ...]) -> dict:
    """Poll until the hop is back in `hop_impl_ready` or finished, and its steps match."""
    hop = await wait_for_hop(client, hop_id, ("hop_impl_ready", "completed", "failed"))
    assert tuple(s["status"] for s in hop["tool_steps"]) == statuses, hop
    return hop


async def test_running_the_first_step_alone_runs_only_it_and_the_hop_waits_again(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    first, second = hop["tool_steps"]
    started = ok(await user.post(f"/api/tool-steps/{first['id']}/run"))
    assert started["status"] in ("executing", "hop_impl_ready")
    done = await _wait_steps(user, hop["id"], ("completed", "ready_to_execute"))
    assert done["status"] == "hop_impl_ready"
    assert done["tool_steps"][0]["execution_result"]["outputs"]["items"] == [r for r in RECORDS if r["score"] > 0]
    # The second alone now: every step has completed, so the hop completes.
    ok(await user.post(f"/api/tool-steps/{second['id']}/run"))
    done = await wait_for_hop(user, hop["id"], ("completed", "failed"))
    assert done["status"] == "completed", done["error_message"]


async def test_a_step_whose_earlier_steps_have_not_completed_is_refused_and_nothing_changes(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    second = hop["tool_steps"][1]
    before = await snapshot(user.user["id"])
    for action in ("run", "run-from-here"):
        refused = await user.post(f"/api/tool-steps/{second['id']}/{action}")
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["current_status"] == "ready_to_execute" and body["required_status"] == ["completed"]
        assert "before it must complete first" in body["message"]
    assert await snapshot(user.user["id"]) == before


async def test_a_hop_that_is_not_configured_or_is_running_refuses_both(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_proposed")
    first = hop["tool_steps"][0]
    before = await snapshot(user.user["id"])
    refused = await user.post(f"/api/tool-steps/{first['id']}/run")
    # The step still awaits acceptance of the chain (awaiting_configuration): the step's status refuses it.
    assert refused.status_code == 409 and refused.json()["current_status"] == "awaiting_configuration"
    assert await snapshot(user.user["id"]) == before


async def test_run_from_here_runs_the_step_and_every_later_one_again(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    first = hop["tool_steps"][0]
    ok(await user.post(f"/api/tool-steps/{first['id']}/run"))
    await _wait_steps(user, hop["id"], ("completed", "ready_to_execute"))
    ok(await user.post(f"/api/tool-steps/{first['id']}/run-from-here"))
    done = await wait_for_hop(user, hop["id"], ("completed", "failed"))
    assert done["status"] == "completed", done["error_message"]
    assert [s["status"] for s in done["tool_steps"]] == ["completed", "completed"]


async def test_a_failed_hop_runs_again_from_its_failed_step_after_a_fix(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    first, second = hop["tool_steps"]
    from uuid import UUID

    from server.missions.tables import Hop, ToolStep

    # A failed run: the first step completed, the second failed.
    ok(await user.post(f"/api/tool-steps/{first['id']}/run"))
    await _wait_steps(user, hop["id"], ("completed", "ready_to_execute"))
    await ToolStep.update({ToolStep.status: "failed"}).where(ToolStep.id == UUID(second["id"])).run()
    await Hop.update({Hop.status: "failed", Hop.error_message: "broken"}).where(Hop.id == UUID(hop["id"])).run()
    ok(await user.post(f"/api/tool-steps/{second['id']}/run-from-here"))
    done = await wait_for_hop(user, hop["id"], ("completed", "failed"))
    assert done["status"] == "completed" and done["error_message"] is None


async def test_two_concurrent_runs_one_wins_the_other_is_refused(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    first = hop["tool_steps"][0]
    for actions in (("run", "run"), ("run", "run-from-here")):
        answers = await asyncio.gather(*(user.post(f"/api/tool-steps/{first['id']}/{a}") for a in actions))
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.text for a in answers]
        await wait_for_hop(user, hop["id"], ("hop_impl_ready", "completed", "failed"))
        hop = ok(await user.get(f"/api/hops/{hop['id']}"))
        if hop["status"] == "completed":
            break

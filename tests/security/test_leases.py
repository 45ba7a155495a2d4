"""Recovery in seconds (docs/security.md, "Leases"): a server killed while a step runs leaves
the step with a lease nobody renews; it is failed, with a reason, within 15 s, by whichever
process sweeps first. A step that keeps running keeps its lease. Cancelling a mission during
execution leaves no asset `processing`."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import UUID

import httpx
import pytest

from server.missions.tables import ToolStep as ToolStepTable
from server.workflow import executor, transitions
from tests.client import PASSWORD
from tests.server_process import ServerProcess
from tests.tools.local_http import local_http_server
from tests.workflow.flow import mission_in_progress, ok
from tests.workflow.test_execution import hop_with_chain, wait_for_hop


@pytest.fixture(scope="module")
def web():
    with local_http_server() as base_url:
        yield base_url


def sort_then_fetch(url: str) -> list[dict[str, Any]]:
    """A chain whose first step writes the hop's output and whose second waits on `url`."""
    return [
        {
            "tool_id": "sort",
            "name": "Sort",
            "parameter_mapping": {
                "items": {"type": "asset_field", "state_asset": "$input"},
                "keys": {"type": "literal", "value": [{"path": "name"}]},
            },
            "result_mapping": {"items": {"type": "asset_field", "state_asset": "$output"}},
        },
        {
            "tool_id": "web_retrieve",
            "name": "Fetch slowly",
            "parameter_mapping": {
                "urls": {"type": "literal", "value": [url]},
                "timeout_seconds": {"type": "literal", "value": 40},
            },
            "result_mapping": {"pages": {"type": "discard"}},
        },
    ]


async def _step(step_id: str) -> dict[str, Any]:
    row: dict[str, Any] = (
        await ToolStepTable.select(ToolStepTable.status, ToolStepTable.error_message, ToolStepTable.lease_expires_at)
        .where(ToolStepTable.id == UUID(step_id))
        .first()
        .run()
    )
    return row


async def _until(check, timeout: float) -> float:
    """Seconds until `check()` holds (polling), failing after `timeout`."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < timeout, "timed out"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_a_step_of_a_killed_server_is_failed_within_15_seconds_of_the_kill(user, web):
    mission = await mission_in_progress(user)
    hop = await hop_with_chain(user, mission, sort_then_fetch(f"{web}/slow?s=30"))
    slow_step = hop["tool_steps"][1]["id"]
    allowed = {"OUTBOUND_ALLOW_HOSTS": "127.0.0.1"}
    first = ServerProcess(**allowed).start()
    try:
        async with httpx.AsyncClient(base_url=first.url, timeout=20) as client:
            signed = await client.post("/api/auth/sign-in", json={"email": user.user["email"], "password": PASSWORD})
            client.headers["x-csrf-token"] = signed.json()["csrf_token"]
            ok(await client.post(f"/api/hops/{hop['id']}/execute"))
        await _until(lambda: _is(slow_step, "executing"), 15)
        leased = await _step(slow_step)
        assert leased["lease_expires_at"] is not None
        first.kill()
        killed_at = time.monotonic()
    finally:
        first.stop()
    with ServerProcess(**allowed):  # the restart
        await _until(lambda: _is(slow_step, "failed"), 15)
    assert time.monotonic() - killed_at <= 15
    failed = ok(await user.get(f"/api/hops/{hop['id']}"))
    assert failed["status"] == "failed"
    assert failed["tool_steps"][1]["error_message"] == transitions.STALE_STEP_MESSAGE
    # Retry is allowed at once (no 409 while the old run is presumed alive).
    assert (await user.post(f"/api/hops/{hop['id']}/retry")).status_code == 200


async def _is(step_id: str, status: str) -> bool:
    return (await _step(step_id))["status"] == status


async def test_a_running_step_keeps_its_lease_past_the_lease_time(user, web, settings_env):
    settings_env(STEP_LEASE_SECONDS="1.5", STALE_STEP_SWEEP_SECONDS="0.3")
    mission = await mission_in_progress(user)
    hop = await hop_with_chain(user, mission, sort_then_fetch(f"{web}/slow?s=3"))
    async with executor.executor_lifespan(None):  # this process sweeps and renews
        ok(await user.post(f"/api/hops/{hop['id']}/execute"))
        done = await wait_for_hop(user, hop["id"], timeout=20)
    assert done["status"] == "completed", done["error_message"]


@pytest.mark.parametrize("trial", range(6))
async def test_cancelling_during_execution_leaves_no_asset_processing(user, web, trial):
    mission = await mission_in_progress(user)
    hop = await hop_with_chain(user, mission, sort_then_fetch(f"{web}/slow?s=2"))
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    await asyncio.sleep(0.05 * trial)  # cancel at different moments of the run
    ok(await user.post(f"/api/missions/{mission['id']}/cancel"))
    for task in list(executor._running.values()):
        await asyncio.wait_for(asyncio.shield(task), timeout=10)
    after = ok(await user.get(f"/api/missions/{mission['id']}"))
    assert after["status"] == "cancelled"
    mine = [*after["asset_summary"]["inputs"], *after["asset_summary"]["outputs"], *hop["asset_summary"]["outputs"]]
    statuses = {a: ok(await user.get(f"/api/assets/{a}"))["status"] for a in set(mine)}
    assert "processing" not in statuses.values(), statuses

"""Execution over HTTP (transitions 2.7 to 2.9, docs/tools.md "Execution"): execute -> the steps run in order in
the background -> assets are written through the result mappings -> the hop completes.
A failing tool fails its step and hop with the tool's message; retry runs it again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.tools.local_http import local_http_server, set_flaky_down
from tests.workflow.flow import (
    RECORDS,
    asset_id,
    hop_in,
    mission_in_progress,
    mission_proposal,
    new_output,
    new_session,
    ok,
    plan,
)

OBJECTS = {"type": "object", "is_array": True}


@pytest.fixture(scope="module")
def web():
    with local_http_server() as base_url:
        yield base_url


async def wait_for_hop(
    client, hop_id: str, statuses: tuple[str, ...] = ("completed", "failed"), timeout: float = 15.0
) -> dict[str, Any]:
    """Poll the hop over HTTP until it reaches one of `statuses`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        hop = ok(await client.get(f"/api/hops/{hop_id}"))
        if hop["status"] in statuses:
            return hop
        assert asyncio.get_running_loop().time() < deadline, f"hop still {hop['status']}"
        await asyncio.sleep(0.02)


async def hop_with_chain(
    client, mission: dict[str, Any], steps: list[dict[str, Any]], *, is_final: bool = True
) -> dict[str, Any]:
    """A hop of `mission` planned (reading the mission input, writing the mission's output
    when final, else a new asset) and implemented with `steps`, where "$input" and "$output"
    stand for those asset ids."""
    hop = ok(await client.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    source = asset_id(mission, "inputs")
    output = (
        {"type": "existing_asset", "mission_asset_id": asset_id(mission, "outputs")}
        if is_final
        else new_output("Result")
    )
    hop = ok(await client.post(f"/api/hops/{hop['id']}/plan", json=plan([source], output, is_final=is_final)))
    target = hop["asset_summary"]["outputs"][0]
    ok(await client.post(f"/api/hops/{hop['id']}/plan/accept"))
    ok(await client.post(f"/api/hops/{hop['id']}/implementation/start"))
    for step in steps:
        for mapping in (*step.get("parameter_mapping", {}).values(), *step.get("result_mapping", {}).values()):
            if mapping.get("state_asset") == "$input":
                mapping["state_asset"] = source
            elif mapping.get("state_asset") == "$output":
                mapping["state_asset"] = target
    ok(await client.post(f"/api/hops/{hop['id']}/implementation", json={"steps": steps}))
    return ok(await client.post(f"/api/hops/{hop['id']}/implementation/accept"))


async def test_executing_a_hop_runs_its_steps_in_order_writes_assets_and_completes_it(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    output_id = hop["asset_summary"]["outputs"][0]
    started = ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    assert started["status"] in ("executing", "completed")  # the background run may already be done

    done = await wait_for_hop(user, hop["id"])
    assert done["status"] == "completed", done["error_message"]
    assert done["is_resolved"] is True
    first, second = done["tool_steps"]
    assert first["status"] == second["status"] == "completed"
    assert first["started_at"] <= first["completed_at"] <= second["started_at"] <= second["completed_at"]
    for step in (first, second):
        assert step["execution_result"]["stubbed"] is False
        assert step["execution_result"]["duration_ms"] >= 0
        assert step["error_message"] is None
    ranked = sorted(RECORDS, key=lambda r: r["score"])
    assert second["execution_result"]["outputs"] == {"items": ranked}

    # The intermediate written by step 1 was created hop-scoped, then expired with the hop.
    (intermediate_id,) = first["execution_result"]["written_asset_ids"]
    intermediate = ok(await user.get(f"/api/assets/{intermediate_id}"))
    assert (intermediate["scope_type"], intermediate["scope_id"], intermediate["role"]) == (
        "hop",
        hop["id"],
        "intermediate",
    )
    assert intermediate["status"] == "expired"
    assert intermediate["content"] == RECORDS
    assert intermediate["asset_metadata"]["written_by"]["tool_id"] == "filter"

    output = ok(await user.get(f"/api/assets/{output_id}"))
    assert output["status"] == "ready"
    assert output["content"] == ranked
    assert output["asset_metadata"]["written_by"]["step_id"] == second["id"]


async def test_a_final_hop_run_by_the_executor_completes_the_mission(user):
    mission = await mission_in_progress(user)
    hop = await hop_with_chain(
        user,
        mission,
        [
            {
                "tool_id": "group_reduce",
                "name": "Count by name",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": "$input"},
                    "key": {"type": "literal", "value": "name"},
                },
                "result_mapping": {"groups": {"type": "asset_field", "state_asset": "$output"}},
            }
        ],
    )
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    done = await wait_for_hop(user, hop["id"])
    assert done["status"] == "completed", done["error_message"]
    mission = ok(await user.get(f"/api/missions/{mission['id']}"))
    assert mission["status"] == "completed"
    output = ok(await user.get(f"/api/assets/{done['asset_summary']['outputs'][0]}"))
    assert output["content"] == [{"key": r["name"], "size": 1, "values": {"count": 1}} for r in RECORDS]


async def test_a_failing_tool_fails_its_step_and_hop_with_the_tools_message(user):
    mission = await mission_in_progress(user)
    hop = await hop_with_chain(
        user,
        mission,
        [
            {
                "tool_id": "group_reduce",
                "name": "Sum names",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": "$input"},
                    "key": {"type": "literal", "value": "name"},
                    "reductions": {"type": "literal", "value": [{"name": "s", "op": "sum", "path": "name"}]},
                },
                "result_mapping": {"groups": {"type": "asset_field", "state_asset": "$output"}},
            }
        ],
    )
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    failed = await wait_for_hop(user, hop["id"])
    assert failed["status"] == "failed"
    (step,) = failed["tool_steps"]
    assert step["status"] == "failed"
    assert step["error_message"] == 'reduction `s`: cannot sum the non-number value "b"'
    assert failed["error_message"] == 'Step 1 ("Sum names") failed: reduction `s`: cannot sum the non-number value "b"'
    output = ok(await user.get(f"/api/assets/{failed['asset_summary']['outputs'][0]}"))
    assert output["status"] == "error"


async def test_retry_runs_the_failed_step_again_and_completes_the_hop(user, web):
    set_flaky_down(True)
    mission = await mission_in_progress(user)
    hop = await hop_with_chain(
        user,
        mission,
        [
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
                "name": "Fetch status page",
                "parameter_mapping": {"urls": {"type": "literal", "value": [f"{web}/flaky"]}},
                "result_mapping": {"pages": {"type": "discard"}},
            },
        ],
    )
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    failed = await wait_for_hop(user, hop["id"])
    assert failed["status"] == "failed"
    assert [s["status"] for s in failed["tool_steps"]] == ["completed", "failed"]
    assert failed["tool_steps"][1]["error_message"] == f"no page could be retrieved ({web}/flaky: HTTP 503)"

    set_flaky_down(False)
    ok(await user.post(f"/api/hops/{hop['id']}/retry"))
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    done = await wait_for_hop(user, hop["id"])
    assert done["status"] == "completed", done["error_message"]
    sort_step, fetch_step = done["tool_steps"]
    assert sort_step["completed_at"] == failed["tool_steps"][0]["completed_at"]  # not run twice
    assert fetch_step["execution_result"]["outputs"]["pages"][0]["title"] == "Back up"
    assert fetch_step["execution_result"]["written_asset_ids"] == []


async def test_a_parameter_the_tool_refuses_fails_the_step_naming_the_parameter(user):
    """A literal that does not fit is refused when the chain is proposed (test_validation);
    data read from an asset is only known when the step runs."""
    session = await new_session(user)
    proposal = mission_proposal()
    proposal["assets"][0]["content"] = ["not", "objects"]
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=proposal), 201)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    hop = await hop_with_chain(
        user,
        mission,
        [
            {
                "tool_id": "sort",
                "name": "Sort wrongly",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": "$input"},
                    "keys": {"type": "literal", "value": [{"path": "score", "descending": True}]},
                },
                "result_mapping": {"items": {"type": "asset_field", "state_asset": "$output"}},
            }
        ],
    )
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    failed = await wait_for_hop(user, hop["id"])
    assert failed["tool_steps"][0]["error_message"] == "parameter `items[0]`: must be an object, not text"

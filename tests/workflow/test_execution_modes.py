"""Execution modes: stub mode for unconfigured tools, a configured resource used for real,
the per-step time limit, and steps left executing by a stopped server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
import pytest

from server.database import now
from server.missions.tables import ToolStep as ToolStepTable
from server.tools.base import ToolContext
from server.tools.registry import RegisteredTool, get_registry
from server.tools.schemas import ToolSpec
from server.workflow import executor, transitions
from tests.tools.local_http import local_http_server
from tests.workflow.flow import asset_id, mission_in_progress, ok, plan
from tests.workflow.test_execution import wait_for_hop

RESULTS = {"type": "search_result", "is_array": True}


@pytest.fixture(scope="module")
def web():
    with local_http_server() as base_url:
        yield base_url


async def planned_hop(client, output_schema: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The first hop of a new mission, planned to write a new output of `output_schema`, with
    `steps` proposed ("$input"/"$output" stand for the asset ids), up to the accept."""
    mission = await mission_in_progress(client)
    hop = ok(await client.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    output = {"type": "new_asset", "asset": {"name": "Found", "schema_definition": output_schema, "role": "output"}}
    hop = ok(await client.post(f"/api/hops/{hop['id']}/plan", json=plan([asset_id(mission, "inputs")], output)))
    ids = {"$input": asset_id(mission, "inputs"), "$output": hop["asset_summary"]["outputs"][0]}
    for step in steps:
        for mapping in (*step.get("parameter_mapping", {}).values(), *step.get("result_mapping", {}).values()):
            if mapping.get("state_asset") in ids:
                mapping["state_asset"] = ids[mapping["state_asset"]]
    ok(await client.post(f"/api/hops/{hop['id']}/plan/accept"))
    ok(await client.post(f"/api/hops/{hop['id']}/implementation/start"))
    ok(await client.post(f"/api/hops/{hop['id']}/implementation", json={"steps": steps}))
    return ok(await client.post(f"/api/hops/{hop['id']}/implementation/accept"))


def search_step() -> dict[str, Any]:
    return {
        "tool_id": "web_search",
        "name": "Search",
        "parameter_mapping": {
            "query": {"type": "literal", "value": "tides"},
            "max_results": {"type": "literal", "value": 2},
        },
        "result_mapping": {"results": {"type": "asset_field", "state_asset": "$output"}},
    }


async def test_an_unconfigured_search_step_waits_for_configuration(user, monkeypatch):
    monkeypatch.delenv("STUB_UNCONFIGURED_TOOLS", raising=False)
    hop = await planned_hop(user, RESULTS, [search_step()])
    (step,) = hop["tool_steps"]
    assert step["status"] == "awaiting_configuration"
    assert step["validation_errors"] == ['resource "search_provider" (Search provider) needs "base_url"']
    refused = await user.post(f"/api/hops/{hop['id']}/execute")
    assert refused.status_code == 409


async def test_stub_mode_runs_an_unconfigured_tool_from_its_sample_response(user, settings_env):
    settings_env(STUB_UNCONFIGURED_TOOLS="1")
    hop = await planned_hop(user, RESULTS, [search_step()])
    assert hop["tool_steps"][0]["status"] == "ready_to_execute"
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    done = await wait_for_hop(user, hop["id"])
    assert done["status"] == "completed", done["error_message"]
    result = done["tool_steps"][0]["execution_result"]
    assert result["stubbed"] is True
    sample = get_registry().get("web_search").sample_responses[0]
    assert result["outputs"] == sample
    assert done["hop_metadata"]["execution_summary"]["stubbed_steps"] == 1
    output = ok(await user.get(f"/api/assets/{done['asset_summary']['outputs'][0]}"))
    assert output["content"] == sample["results"]


async def test_a_configured_search_provider_is_used_for_real(user, web, monkeypatch):
    monkeypatch.delenv("STUB_UNCONFIGURED_TOOLS", raising=False)
    hop = await planned_hop(user, RESULTS, [search_step()])
    (step,) = hop["tool_steps"]
    ok(
        await user.post(
            f"/api/tool-steps/{step['id']}/configure",
            json={"resource_configs": {"search_provider": {"base_url": web, "api_key": "secret-1"}}},
        )
    )
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    done = await wait_for_hop(user, hop["id"])
    assert done["status"] == "completed", done["error_message"]
    result = done["tool_steps"][0]["execution_result"]
    assert result["stubbed"] is False
    assert [r["title"] for r in result["outputs"]["results"]] == ["Result 0 for tides", "Result 1 for tides"]
    assert "secret-1" not in msgspec.json.encode(done).decode()


# The per-step time limit -------------------------------------------------------------------


class _WaitParameters(msgspec.Struct):
    seconds: float


class _WaitOutputs(msgspec.Struct):
    waited: float


async def _wait(parameters: _WaitParameters, context: ToolContext) -> _WaitOutputs:
    import asyncio

    await asyncio.sleep(parameters.seconds)
    return _WaitOutputs(waited=parameters.seconds)


WAIT_SPEC = {
    "id": "wait_for_test",
    "name": "Wait",
    "description": "Waits (tests of the step time limit).",
    "category": "test",
    "parameters": [{"name": "seconds", "schema_definition": {"type": "number"}, "json_schema": {"type": "number"}}],
    "outputs": [{"name": "waited", "schema_definition": {"type": "number"}, "json_schema": {"type": "number"}}],
}


@pytest.fixture
def wait_tool():
    registry = get_registry()
    spec = msgspec.convert(WAIT_SPEC, ToolSpec)
    registry.register(
        RegisteredTool(spec=spec, handler=_wait, parameters_type=_WaitParameters, outputs_type=_WaitOutputs)
    )
    yield spec
    registry.unregister(spec.id)


async def test_a_step_that_outlives_its_time_limit_fails_with_a_clear_message(user, wait_tool, settings_env):
    settings_env(STEP_TIMEOUT_SECONDS="0.3")
    step = {
        "tool_id": wait_tool.id,
        "name": "Wait too long",
        "parameter_mapping": {"seconds": {"type": "literal", "value": 5}},
        "result_mapping": {"waited": {"type": "discard"}},
    }
    keep = {
        "tool_id": "filter",
        "name": "Keep all",
        "parameter_mapping": {
            "items": {"type": "asset_field", "state_asset": "$input"},
            "conditions": {"type": "literal", "value": [{"path": "name", "op": "exists"}]},
        },
        "result_mapping": {"items": {"type": "asset_field", "state_asset": "$output"}},
    }
    hop = await planned_hop(user, {"type": "object", "is_array": True}, [step, keep])
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    failed = await wait_for_hop(user, hop["id"], timeout=4)
    assert failed["status"] == "failed"
    assert failed["tool_steps"][0]["error_message"] == "tool `wait_for_test` did not finish within 0.3 s"
    assert failed["tool_steps"][1]["status"] == "ready_to_execute"


# Steps left executing -----------------------------------------------------------------------


async def _executing_hop(client) -> dict[str, Any]:
    """A hop whose first step is `executing` with no executor running it (as after a crash)."""
    keep = {
        "tool_id": "filter",
        "name": "Keep all",
        "parameter_mapping": {
            "items": {"type": "asset_field", "state_asset": "$input"},
            "conditions": {"type": "literal", "value": [{"path": "name", "op": "exists"}]},
        },
        "result_mapping": {"items": {"type": "asset_field", "state_asset": "$output"}},
    }
    hop = await planned_hop(client, {"type": "object", "is_array": True}, [keep])
    user_id = UUID(client.user["id"])
    await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
    return ok(await client.get(f"/api/hops/{hop['id']}"))


async def test_start_up_fails_steps_left_executing_by_a_stopped_server(user):
    stale = await _executing_hop(user)
    recent = await _executing_hop(user)
    assert stale["tool_steps"][0]["status"] == recent["tool_steps"][0]["status"] == "executing"
    long_ago = now() - timedelta(hours=2)
    await (
        ToolStepTable.update({ToolStepTable.updated_at: long_ago, ToolStepTable.started_at: long_ago})
        .where(ToolStepTable.id == UUID(stale["tool_steps"][0]["id"]))
        .run()
    )

    async with executor.executor_lifespan(None):  # what the app runs at start-up
        pass

    failed = ok(await user.get(f"/api/hops/{stale['id']}"))
    assert failed["status"] == "failed"
    assert failed["tool_steps"][0]["status"] == "failed"
    assert failed["tool_steps"][0]["error_message"] == executor.STALE_STEP_MESSAGE
    assert failed["error_message"] == f'Step 1 ("Keep all") failed: {executor.STALE_STEP_MESSAGE}'
    # A step that started within its time limit may still be running in another process.
    untouched = ok(await user.get(f"/api/hops/{recent['id']}"))
    assert untouched["tool_steps"][0]["status"] == "executing"

    # Retry runs the recovered hop to completion.
    ok(await user.post(f"/api/hops/{stale['id']}/retry"))
    ok(await user.post(f"/api/hops/{stale['id']}/execute"))
    assert (await wait_for_hop(user, stale["id"]))["status"] == "completed"

    # The sweep fails the other one once its time limit and grace period have passed.
    assert await executor.fail_stale_steps(older_than=timedelta(0)) >= 1
    swept = ok(await user.get(f"/api/hops/{recent['id']}"))
    assert swept["tool_steps"][0]["status"] == "failed"


async def test_outputs_over_the_size_limit_fail_the_step(user, settings_env):
    settings_env(STEP_OUTPUT_MAX_BYTES="40")
    keep = {
        "tool_id": "filter",
        "name": "Keep all",
        "parameter_mapping": {
            "items": {"type": "asset_field", "state_asset": "$input"},
            "conditions": {"type": "literal", "value": [{"path": "name", "op": "exists"}]},
        },
        "result_mapping": {"items": {"type": "asset_field", "state_asset": "$output"}},
    }
    hop = await planned_hop(user, {"type": "object", "is_array": True}, [keep])
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    failed = await wait_for_hop(user, hop["id"])
    assert failed["status"] == "failed"
    assert (
        failed["tool_steps"][0]["error_message"]
        == "tool `filter` returned 80 bytes of outputs, more than the limit of 40"
    )

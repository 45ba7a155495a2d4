"""One mission walked through every transition of docs/state-machine.md, in the table's order,
checking every entity's status, timestamps, assets, mappings and roles after each step.

Planning, implementation and configuration go over HTTP. Execution is reported to the
transition service directly (execute without handing the hop to the executor, then
complete/fail each step), so each intermediate state can be inspected; the executor's own
tests walk execution over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from server.missions.tables import ToolStep
from server.workflow import transitions
from server.workflow.secrets import decrypt_value
from tests.workflow.flow import (
    RECORDS,
    hop_in,
    mission_in_progress,
    mission_proposal,
    new_output,
    new_session,
    ok,
    plan,
    rank_chain,
)


def ts(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value)


async def get(client, path: str) -> dict[str, Any]:
    return ok(await client.get(path))


async def asset(client, asset_id: str) -> dict[str, Any]:
    return await get(client, f"/api/assets/{asset_id}")


async def test_a_mission_walks_through_every_transition(user):
    user_id = UUID(user.user["id"])

    # 1.1 propose mission -------------------------------------------------------------------
    session = await new_session(user)
    assert session["status"] == "active" and session["mission_id"] is None
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    assert mission["status"] == "awaiting_approval"
    assert mission["hops"] == [] and mission["current_hop_id"] is None
    records_id, report_id = mission["asset_summary"]["inputs"][0], mission["asset_summary"]["outputs"][0]
    assert mission["mission_asset_map"] == {records_id: "input", report_id: "output"}
    records = await asset(user, records_id)
    assert (records["scope_type"], records["scope_id"], records["status"], records["role"]) == (
        "mission",
        mission["id"],
        "awaiting_approval",
        "input",
    )
    assert records["content"] == RECORDS
    report = await asset(user, report_id)
    assert (report["scope_type"], report["status"], report["role"], report["content"]) == (
        "mission",
        "awaiting_approval",
        "output",
        None,
    )
    session = await get(user, f"/api/sessions/{session['id']}")
    assert session["mission_id"] == mission["id"] and session["mission"]["id"] == mission["id"]

    # 1.2 accept mission --------------------------------------------------------------------
    accepted = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    assert accepted["status"] == "in_progress"
    assert ts(accepted["updated_at"]) > ts(mission["updated_at"])
    for asset_id in (records_id, report_id):
        assert (await asset(user, asset_id))["status"] == "ready_for_processing"
    mission = accepted

    # 2.1 start hop plan --------------------------------------------------------------------
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    assert (hop["status"], hop["sequence_order"], hop["mission_id"]) == ("hop_plan_started", 0, mission["id"])
    assert hop["tool_steps"] == [] and hop["hop_asset_map"] == {}
    mission = await get(user, f"/api/missions/{mission['id']}")
    assert mission["current_hop_id"] == hop["id"] and mission["current_hop"]["id"] == hop["id"]

    # 2.2 propose hop plan, 2.3b reject it, 2.2 again, 2.3 accept ---------------------------
    proposed = ok(await user.post(f"/api/hops/{hop['id']}/plan", json=plan([records_id], new_output())))
    assert proposed["status"] == "hop_plan_proposed"
    assert (proposed["name"], proposed["goal"], proposed["is_final"]) == ("Rank", "ranked records", False)
    (ranked_id,) = proposed["asset_summary"]["outputs"]
    assert proposed["hop_asset_map"] == {records_id: "input", ranked_id: "output"}
    assert proposed["intended_input_asset_ids"] == [records_id] and proposed["intended_output_asset_ids"] == [ranked_id]
    assert proposed["intended_output_asset_specs"][0]["asset_id"] == ranked_id
    ranked = await asset(user, ranked_id)
    # a new plan output: mission-scoped, mission role intermediate, hop role output
    assert (ranked["scope_type"], ranked["scope_id"], ranked["role"], ranked["status"]) == (
        "mission",
        mission["id"],
        "intermediate",
        "awaiting_approval",
    )
    mission = await get(user, f"/api/missions/{mission['id']}")
    assert mission["mission_asset_map"][ranked_id] == "intermediate"
    assert ts(proposed["updated_at"]) > ts(hop["updated_at"])

    rejected = ok(await user.post(f"/api/hops/{hop['id']}/plan/reject"))
    assert rejected["status"] == "hop_plan_started"
    assert rejected["hop_asset_map"] == {} and rejected["intended_output_asset_ids"] == []
    assert (await user.get(f"/api/assets/{ranked_id}")).status_code == 404
    assert ranked_id not in (await get(user, f"/api/missions/{mission['id']}"))["mission_asset_map"]

    proposed = ok(await user.post(f"/api/hops/{hop['id']}/plan", json=plan([records_id], new_output())))
    (ranked_id,) = proposed["asset_summary"]["outputs"]
    ready = ok(await user.post(f"/api/hops/{hop['id']}/plan/accept"))
    assert ready["status"] == "hop_plan_ready"
    assert (await asset(user, ranked_id))["status"] == "ready_for_processing"
    assert (await asset(user, records_id))["status"] == "ready_for_processing"

    # 2.4 start hop implementation ----------------------------------------------------------
    started = ok(await user.post(f"/api/hops/{hop['id']}/implementation/start"))
    assert started["status"] == "hop_impl_started"

    # 2.5 propose hop implementation: a broken chain stores nothing, a valid one is stored ---
    scratch_id = str(uuid4())
    broken = rank_chain(records_id, scratch_id, ranked_id)
    broken["steps"][1]["tool_id"] = "no_such_tool"
    refused = await user.post(f"/api/hops/{hop['id']}/implementation", json=broken)
    assert refused.status_code == 422, refused.text
    assert [e["reason"] for e in refused.json()["errors"]] == [
        'step 2 ("Sort by score"): tool "no_such_tool" is not registered'
    ]
    unchanged = await get(user, f"/api/hops/{hop['id']}")
    assert unchanged["status"] == "hop_impl_started" and unchanged["tool_steps"] == []

    proposed = ok(
        await user.post(f"/api/hops/{hop['id']}/implementation", json=rank_chain(records_id, scratch_id, ranked_id))
    )
    assert proposed["status"] == "hop_impl_proposed"
    first, second = proposed["tool_steps"]
    assert [(s["tool_id"], s["sequence_order"], s["status"]) for s in (first, second)] == [
        ("filter", 0, "awaiting_configuration"),
        ("sort", 1, "awaiting_configuration"),
    ]
    assert first["parameter_mapping"]["items"] == {"type": "asset_field", "state_asset": records_id}
    assert first["result_mapping"]["items"] == {"type": "asset_field", "state_asset": scratch_id}
    assert (first["started_at"], first["completed_at"], first["execution_result"]) == (None, None, None)

    # 2.6 accept hop implementation: tools without resources are ready ---------------------
    accepted = ok(await user.post(f"/api/hops/{hop['id']}/implementation/accept"))
    assert accepted["status"] == "hop_impl_ready"
    assert [s["status"] for s in accepted["tool_steps"]] == ["ready_to_execute", "ready_to_execute"]
    assert all(s["validation_errors"] == [] for s in accepted["tool_steps"])

    # 2.7 execute hop -----------------------------------------------------------------------
    executing = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
    assert executing.status == "executing"
    step1, step2 = executing.tool_steps
    assert step1.status == "executing" and step1.started_at is not None
    assert step2.status == "ready_to_execute" and step2.started_at is None

    # 2.8 complete tool step: a new hop-scoped intermediate, the next step starts ----------
    kept = [r for r in RECORDS if r["score"] > 0]
    done = await transitions.complete_tool_step(
        user_id=user_id, step_id=step1.id, outputs={"items": kept}, duration_ms=1.5, stubbed=False
    )
    assert done.status == "completed" and done.completed_at is not None
    assert done.execution_result is not None
    assert (done.execution_result.outputs, done.execution_result.written_asset_ids) == (
        {"items": kept},
        [UUID(scratch_id)],
    )
    scratch = await asset(user, scratch_id)
    assert (scratch["scope_type"], scratch["scope_id"], scratch["role"], scratch["status"]) == (
        "hop",
        hop["id"],
        "intermediate",
        "ready",
    )
    assert scratch["content"] == kept
    assert scratch["schema_definition"]["type"] == "object" and scratch["schema_definition"]["is_array"] is True
    assert scratch["asset_metadata"]["written_by"]["step_id"] == str(step1.id)
    hop_now = await get(user, f"/api/hops/{hop['id']}")
    assert hop_now["hop_asset_map"][scratch_id] == "intermediate"
    assert [s["status"] for s in hop_now["tool_steps"]] == ["completed", "executing"]
    assert hop_now["tool_steps"][1]["started_at"] is not None
    assert (await asset(user, ranked_id))["status"] == "processing"  # the running step writes it

    # 2.8b fail tool step -------------------------------------------------------------------
    failed = await transitions.fail_tool_step(user_id=user_id, step_id=step2.id, error="sort key missing")
    assert (failed.status, failed.error_message) == ("failed", "sort key missing")
    hop_now = await get(user, f"/api/hops/{hop['id']}")
    assert hop_now["status"] == "failed"
    assert hop_now["error_message"] == 'Step 2 ("Sort by score") failed: sort key missing'
    assert (await asset(user, ranked_id))["status"] == "error"

    # 2.8c retry hop: the failed step is ready again, the completed one keeps its result -----
    retried = ok(await user.post(f"/api/hops/{hop['id']}/retry"))
    assert (retried["status"], retried["error_message"]) == ("hop_impl_ready", None)
    assert [s["status"] for s in retried["tool_steps"]] == ["completed", "ready_to_execute"]
    assert retried["tool_steps"][1]["error_message"] is None

    again = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
    assert [s.status for s in again.tool_steps] == ["completed", "executing"]
    assert again.tool_steps[0].completed_at == done.completed_at

    ranked_rows = sorted(kept, key=lambda r: r["score"])
    await transitions.complete_tool_step(
        user_id=user_id, step_id=step2.id, outputs={"items": ranked_rows}, duration_ms=2.0, stubbed=True
    )
    ranked = await asset(user, ranked_id)
    assert (
        ranked["content"] == ranked_rows and ranked["status"] == "processing"
    )  # a hop output is ready when the hop completes
    assert ranked["asset_metadata"]["written_by"]["tool_id"] == "sort"
    assert ranked["content_summary"].startswith("3 items")

    # 2.9 complete hop (not final) ----------------------------------------------------------
    completed = ok(await user.post(f"/api/hops/{hop['id']}/complete"))
    assert (completed["status"], completed["is_resolved"]) == ("completed", True)
    summary = completed["hop_metadata"]["execution_summary"]
    assert [s["step_id"] for s in summary["steps"]] == [str(step1.id), str(step2.id)]
    assert summary["total_duration_ms"] == 3.5 and summary["stubbed_steps"] == 1
    assert (await asset(user, ranked_id))["status"] == "ready"
    assert (await asset(user, scratch_id))["status"] == "expired"
    assert (await asset(user, records_id))["status"] == "ready_for_processing"
    mission = await get(user, f"/api/missions/{mission['id']}")
    assert mission["status"] == "in_progress" and mission["current_hop_id"] is None

    # The final hop: reads the ranked records, writes the mission's report -----------------
    hop2 = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    assert hop2["sequence_order"] == 1
    existing = {"type": "existing_asset", "mission_asset_id": report_id}
    hop2 = ok(
        await user.post(f"/api/hops/{hop2['id']}/plan", json=plan([ranked_id], existing, is_final=True, name="Report"))
    )
    assert hop2["hop_asset_map"] == {ranked_id: "input", report_id: "output"}
    assert hop2["intended_output_asset_specs"] == []
    mission = await get(user, f"/api/missions/{mission['id']}")
    assert mission["mission_asset_map"][report_id] == "output"  # an existing output keeps its mission role
    ok(await user.post(f"/api/hops/{hop2['id']}/plan/accept"))
    ok(await user.post(f"/api/hops/{hop2['id']}/implementation/start"))
    chain = {
        "steps": [
            {
                "tool_id": "web_search",
                "name": "Look around",
                "parameter_mapping": {"query": {"type": "literal", "value": "ranking"}},
                "result_mapping": {"results": {"type": "discard"}},
            },
            {
                "tool_id": "extract",
                "name": "Names",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": ranked_id},
                    "fields": {"type": "literal", "value": {"name": "name"}},
                },
                "result_mapping": {"items": {"type": "asset_field", "state_asset": report_id}},
            },
        ]
    }
    ok(await user.post(f"/api/hops/{hop2['id']}/implementation", json=chain))
    hop2 = ok(await user.post(f"/api/hops/{hop2['id']}/implementation/accept"))
    search, extract = hop2["tool_steps"]
    # a step whose resource is not configured waits, saying what is missing
    assert search["status"] == "awaiting_configuration"
    assert search["validation_errors"] == ['resource "search_provider" (Search provider) needs "base_url"']
    assert extract["status"] == "ready_to_execute"
    refused = await user.post(f"/api/hops/{hop2['id']}/execute")
    assert refused.status_code == 409 and refused.json()["current_status"] == "awaiting_configuration"

    # 2.6b configure tool step ------------------------------------------------------------
    configured = ok(
        await user.post(
            f"/api/tool-steps/{search['id']}/configure",
            json={"resource_configs": {"search_provider": {"base_url": "http://127.0.0.1:9", "api_key": "s3cret"}}},
        )
    )
    assert configured["status"] == "ready_to_execute" and configured["validation_errors"] == []
    assert configured["resource_configs"] == {
        "search_provider": {
            "connection_id": None,
            "values": {"base_url": "http://127.0.0.1:9"},
            "secrets": {"api_key": True},
        }
    }
    stored = await ToolStep.select(ToolStep.resource_configs).where(ToolStep.id == UUID(search["id"])).first().run()
    assert "s3cret" not in str(stored["resource_configs"])
    secrets = msgspec.json.decode(stored["resource_configs"])["search_provider"]["secrets"]
    assert decrypt_value(secrets["api_key"]) == "s3cret"

    # 2.7 - 2.9 on the final hop: the mission and its session complete ---------------------
    running = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop2["id"]))
    assert [s.status for s in running.tool_steps] == ["executing", "ready_to_execute"]
    assert (await asset(user, report_id))["status"] == "ready_for_processing"  # the first step discards its output
    await transitions.complete_tool_step(
        user_id=user_id, step_id=UUID(search["id"]), outputs={"results": []}, duration_ms=1.0
    )
    assert (await asset(user, report_id))["status"] == "processing"
    names = [{"name": r["name"]} for r in ranked_rows]
    await transitions.complete_tool_step(
        user_id=user_id, step_id=UUID(extract["id"]), outputs={"items": names}, duration_ms=1.0
    )
    final = await transitions.complete_hop(user_id=user_id, hop_id=UUID(hop2["id"]))
    assert final.status == "completed" and final.is_resolved
    report = await asset(user, report_id)
    assert (report["status"], report["content"], report["role"], report["scope_type"]) == (
        "ready",
        names,
        "output",
        "mission",
    )
    mission = await get(user, f"/api/missions/{mission['id']}")
    assert mission["status"] == "completed"
    assert mission["current_hop_id"] == hop2["id"]  # the final hop stays the current one
    assert [h["status"] for h in mission["hops"]] == ["completed", "completed"]
    session = await get(user, f"/api/sessions/{session['id']}")
    assert session["status"] == "completed"

    # 2.10 and 1.3 are refused on a completed mission ---------------------------------------
    for action in ("complete", "cancel"):
        response = await user.post(f"/api/missions/{mission['id']}/{action}")
        assert response.status_code == 409 and response.json()["current_status"] == "completed"


async def test_cancel_mission_cancels_the_running_hop_and_its_unfinished_steps(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_ready")
    user_id = UUID(user.user["id"])
    running = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
    await transitions.complete_tool_step(
        user_id=user_id, step_id=running.tool_steps[0].id, outputs={"items": []}, duration_ms=1
    )
    cancelled = ok(await user.post(f"/api/missions/{mission['id']}/cancel"))
    assert cancelled["status"] == "cancelled"
    (hop_now,) = cancelled["hops"]
    assert hop_now["status"] == "cancelled"
    assert [s["status"] for s in hop_now["tool_steps"]] == ["completed", "cancelled"]
    # the executor's next report is refused: the step is no longer executing
    refused = await user.post(f"/api/hops/{hop['id']}/complete")
    assert refused.status_code == 409 and refused.json()["current_status"] == "cancelled"


async def test_complete_mission_completes_its_session(user):
    session = await new_session(user)
    proposal = mission_proposal()
    proposal["assets"] = [asset for asset in proposal["assets"] if asset["role"] == "input"]  # nothing to wait for
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=proposal), 201)
    ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    completed = ok(await user.post(f"/api/missions/{mission['id']}/complete"))
    assert completed["status"] == "completed"
    assert (await get(user, f"/api/sessions/{session['id']}"))["status"] == "completed"


async def test_a_session_with_a_finished_mission_takes_a_new_one_but_not_while_one_is_open(user):
    session = await new_session(user)
    first = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal("first")), 201)
    refused = await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal("second"))
    assert refused.status_code == 409
    assert refused.json()["current_status"] == "awaiting_approval"
    ok(await user.post(f"/api/missions/{first['id']}/cancel"))
    second = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal("second")), 201)
    assert (await get(user, f"/api/sessions/{session['id']}"))["mission_id"] == second["id"]


async def test_a_hop_plan_naming_assets_outside_the_mission_is_refused_whole(user):
    mission = await mission_in_progress(user)
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    stranger = str(uuid4())
    response = await user.post(
        f"/api/hops/{hop['id']}/plan",
        json=plan(
            [mission["asset_summary"]["inputs"][0], stranger], {"type": "existing_asset", "mission_asset_id": stranger}
        ),
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["body.inputs[1]", "body.output.mission_asset_id"]
    hop_now = await get(user, f"/api/hops/{hop['id']}")
    assert hop_now["status"] == "hop_plan_started" and hop_now["hop_asset_map"] == {}


async def test_configuring_a_step_checks_values_against_the_tool_resource(user):
    mission = await mission_in_progress(user)
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    ok(await user.post(f"/api/hops/{hop['id']}/plan", json=plan([], new_output("Found"))))
    ok(await user.post(f"/api/hops/{hop['id']}/plan/accept"))
    hop = ok(await user.post(f"/api/hops/{hop['id']}/implementation/start"))
    output_id = hop["asset_summary"]["outputs"][0]
    results_id = str(uuid4())
    chain = {
        "steps": [
            {
                "tool_id": "web_search",
                "name": "Search",
                "parameter_mapping": {"query": {"type": "literal", "value": "q"}},
                "result_mapping": {"results": {"type": "asset_field", "state_asset": results_id}},
                "resource_configs": {"search_provider": {"timeout_seconds": 5, "api_key": "from-the-proposal"}},
            },
            {
                "tool_id": "extract",
                "name": "Titles",
                "parameter_mapping": {"items": {"type": "asset_field", "state_asset": results_id}},
                "result_mapping": {"items": {"type": "asset_field", "state_asset": output_id}},
            },
        ]
    }
    ok(await user.post(f"/api/hops/{hop['id']}/implementation", json=chain))
    hop = ok(await user.post(f"/api/hops/{hop['id']}/implementation/accept"))
    search = hop["tool_steps"][0]
    assert search["status"] == "awaiting_configuration"
    # a secret in the proposal is stored encrypted and reported only as set
    assert search["resource_configs"] == {
        "search_provider": {"connection_id": None, "values": {"timeout_seconds": 5}, "secrets": {"api_key": True}}
    }
    stored = await ToolStep.select(ToolStep.resource_configs).where(ToolStep.id == UUID(search["id"])).first().run()
    assert "from-the-proposal" not in str(stored["resource_configs"])
    token = msgspec.json.decode(stored["resource_configs"])["search_provider"]["secrets"]["api_key"]
    assert decrypt_value(token) == "from-the-proposal"
    path = f"/api/tool-steps/{search['id']}/configure"

    wrong = await user.post(
        path,
        json={"resource_configs": {"search": {"base_url": "x"}, "search_provider": {"base_url": 3, "colour": "red"}}},
    )
    assert wrong.status_code == 400, wrong.text
    assert [(e["field"], e["reason"]) for e in wrong.json()["errors"]] == [
        (
            "body.resource_configs.search",
            'tool "web_search" does not use resource "search" (it uses: "search_provider")',
        ),
        (
            "body.resource_configs.search_provider.base_url",
            'resource "search_provider" field "base_url" must be a string',
        ),
        ("body.resource_configs.search_provider.colour", 'resource "search_provider" has no field "colour"'),
    ]
    partial = ok(await user.post(path, json={"resource_configs": {"search_provider": {"api_key": "k"}}}))
    assert partial["status"] == "awaiting_configuration"
    assert partial["validation_errors"] == ['resource "search_provider" (Search provider) needs "base_url"']
    assert partial["resource_configs"]["search_provider"]["secrets"] == {"api_key": True}
    complete = ok(
        await user.post(path, json={"resource_configs": {"search_provider": {"base_url": "https://search.test"}}})
    )
    assert complete["status"] == "ready_to_execute"
    assert complete["resource_configs"]["search_provider"] == {
        "connection_id": None,
        "values": {"timeout_seconds": 5, "base_url": "https://search.test"},
        "secrets": {"api_key": True},
    }
    # A ready step can be configured again (a fix before it runs), keeping what was not named.
    again = ok(
        await user.post(path, json={"resource_configs": {"search_provider": {"base_url": "https://other.test"}}})
    )
    assert again["status"] == "ready_to_execute"
    assert again["resource_configs"]["search_provider"]["values"]["base_url"] == "https://other.test"

"""The model acts through functions whose parameters are the proposal Structs' JSON Schemas;
arguments are decoded with msgspec and go through the transition service like a form's;
what does not decode or validate goes back to the model, which tries again a bounded number
of times; then the chat says what went wrong."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import msgspec

from server.assistant.functions import parameters_schema
from server.missions.schemas import HopImplementationProposal, HopPlanProposal, MissionProposal
from tests.assistant.designer import chain_arguments, mission_arguments, plan_arguments
from tests.assistant.helpers import ChatWatcher, offered, replies, say, statuses, tool_messages
from tests.assistant.model_server import Call, Reply
from tests.workflow.flow import hop_in, mission_in_progress, new_session, ok, proposed_mission


def test_the_proposal_functions_take_the_structs_json_schemas():
    for struct in (MissionProposal, HopPlanProposal, HopImplementationProposal):
        (reference,), components = msgspec.json.schema_components([struct], ref_template="#/$defs/{name}")
        schema = parameters_schema(struct)
        assert reference == {"$ref": f"#/$defs/{struct.__name__}"}
        assert {key: value for key, value in schema.items() if key != "$defs"} == components.pop(struct.__name__)
        assert schema.get("$defs", {}) == components
        assert schema["type"] == "object"


async def _turn(user, session_id: str, text: str):
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        await say(user, session_id, text)
        return await watcher.turn_ended(session_id)
    finally:
        watcher.close()


async def test_a_valid_mission_proposal_is_stored_by_the_transition_with_its_card(user, model):
    arguments = mission_arguments({"messages": [{"role": "user", "content": "x"}]})
    model.script(Reply(text=["Here is ", "a mission."], calls=[Call("propose_mission", arguments, fragments=7)]))
    session = await new_session(user)
    ended = await _turn(user, session["id"], "I want my records ranked")
    assert ended.outcome == "answered"
    [request] = model.requests
    assert offered(request) == ["propose_mission", "get_tool_catalog", "get_asset", "new_asset_ids"]
    assert request["tools"][0]["function"]["parameters"] == json.loads(json.dumps(parameters_schema(MissionProposal)))
    fetched = ok(await user.get(f"/api/sessions/{session['id']}"))
    mission = fetched["mission"]
    assert mission["name"] == "Rank records" and mission["status"] == "awaiting_approval"
    assert len(mission["mission_asset_map"]) == 2
    [status] = await statuses(user, session["id"])
    note = status["message_metadata"]
    assert note["transition"] == "propose_mission" and note["actor"] == "assistant"
    assert note["proposal"]["kind"] == "mission" and note["proposal"]["mission_id"] == mission["id"]
    assert note["proposal"]["proposal"]["name"] == "Rank records"
    [reply] = await replies(user, session["id"])
    assert reply["content"] == "Here is a mission."
    assert reply["message_metadata"]["proposals"] == ["propose_mission"]
    # The user's message, the status message of the transition, then the reply.
    roles = [m["role"] for m in fetched["chat"]["messages"]]
    assert roles == ["user", "status", "assistant"]


async def test_arguments_that_do_not_decode_go_back_to_the_model_which_tries_again(user, model):
    good = mission_arguments({"messages": [{"role": "user", "content": "x"}]})
    bad_role = {**good, "assets": [{**good["assets"][0], "role": "intermediate"}]}
    model.script(
        Reply(calls=[Call("propose_mission", '{"name": "Rank", "assets": [', fragments=3)]),
        Reply(calls=[Call("propose_mission", bad_role)]),
        Reply(text=["Fixed."], calls=[Call("propose_mission", good)]),
    )
    session = await new_session(user)
    ended = await _turn(user, session["id"], "rank my records")
    assert ended.outcome == "answered"
    first, second, third = model.requests
    [error] = tool_messages(second)
    assert "do not decode as MissionProposal" in error["content"] and '"stored":false' in error["content"]
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == "propose_mission"
    [error, again] = tool_messages(third)
    assert "role must be `input` or `output`" in again["content"]
    fetched = ok(await user.get(f"/api/sessions/{session['id']}"))
    assert fetched["mission"]["name"] == "Rank records"
    assert [m["role"] for m in fetched["chat"]["messages"]] == ["user", "status", "assistant"]


async def test_a_proposal_that_keeps_failing_stops_after_the_bound_and_the_chat_says_why(user, model, settings_env):
    settings_env(ASSISTANT_PROPOSAL_ATTEMPTS="2")
    model.script(
        Reply(calls=[Call("propose_mission", {"name": ""})]),
        Reply(text=["Trying again."], calls=[Call("propose_mission", {"name": ""})]),
    )
    session = await new_session(user)
    ended = await _turn(user, session["id"], "rank my records")
    assert ended.outcome == "failed"
    assert len(model.requests) == 2
    fetched = ok(await user.get(f"/api/sessions/{session['id']}"))
    assert fetched["mission"] is None
    [reply] = [m for m in fetched["chat"]["messages"] if m["role"] == "assistant"]
    assert reply["message_metadata"]["failure"] == "invalid_proposal"
    assert reply["content"].startswith("Trying again.")
    assert "The proposal still had errors after 2 tries" in reply["content"]
    assert "length >= 1" in reply["content"]


async def test_a_chain_with_validation_errors_goes_back_to_the_model_until_it_validates(user, model):
    session, mission = await proposed_mission(user)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    hop = await hop_in(user, mission, "hop_plan_started")
    ok(await user.post(f"/api/hops/{hop['id']}/plan", json=_plan_for(mission)))
    ok(await user.post(f"/api/hops/{hop['id']}/plan/accept"))

    def chain(body, broken: bool):
        arguments = chain_arguments(body)
        if broken:
            arguments["steps"][0]["tool_id"] = "no_such_tool"
            del arguments["steps"][1]["parameter_mapping"]["keys"]
        return Reply(calls=[Call("propose_hop_implementation", arguments, fragments=9)])

    model.script(lambda body: chain(body, True), lambda body: chain(body, False))
    ended = await _turn(user, session["id"], "now the tool chain please")
    assert ended.outcome == "answered"
    first, second = model.requests
    assert offered(first)[0] == "propose_hop_implementation"
    [error] = tool_messages(second)
    assert "no_such_tool" in error["content"] and "keys" in error["content"]
    hop = ok(await user.get(f"/api/hops/{hop['id']}"))
    assert hop["status"] == "hop_impl_proposed"
    assert [step["tool_id"] for step in hop["tool_steps"]] == ["filter", "sort"]
    transitions = [m["message_metadata"]["transition"] for m in await statuses(user, session["id"])]
    assert transitions[-2:] == ["start_hop_implementation", "propose_hop_implementation"]


def _plan_for(mission):
    return {
        "name": "Rank",
        "is_final": True,
        "inputs": mission["asset_summary"]["inputs"],
        "output": {"type": "existing_asset", "mission_asset_id": mission["asset_summary"]["outputs"][0]},
    }


async def test_the_hop_designer_starts_the_hop_and_proposes_its_plan(user, model):
    mission = await mission_in_progress(user)
    sessions = ok(await user.get("/api/sessions"))["items"]
    session_id = next(s["id"] for s in sessions if s["mission_id"] == mission["id"])
    model.script(lambda body: Reply(calls=[Call("propose_hop_plan", plan_arguments(body))]))
    ended = await _turn(user, session_id, "what next?")
    assert ended.outcome == "answered"
    mission = ok(await user.get(f"/api/missions/{mission['id']}"))
    assert [hop["status"] for hop in mission["hops"]] == ["hop_plan_proposed"]
    assert mission["hops"][0]["name"] == "Rank the records"
    [reply] = await replies(user, session_id)
    assert "accept it, or tell me what to change" in reply["content"]
    notes = [m["message_metadata"] for m in await statuses(user, session_id)]
    assert [n["transition"] for n in notes][-2:] == ["start_hop_plan", "propose_hop_plan"]
    assert notes[-1]["proposal"]["kind"] == "hop_plan" and notes[-1]["actor"] == "assistant"


async def test_a_revised_mission_replaces_the_pending_one(user, model):
    first = mission_arguments({"messages": [{"role": "user", "content": "x"}]})
    second = {**first, "name": "Rank by score"}
    model.script(Reply(calls=[Call("propose_mission", first)]), Reply(calls=[Call("propose_mission", second)]))
    session = await new_session(user)
    await _turn(user, session["id"], "rank my records")
    pending = ok(await user.get(f"/api/sessions/{session['id']}"))["mission"]
    await _turn(user, session["id"], "call it Rank by score")
    assert offered(model.requests[1])[0] == "propose_mission"
    assert "awaits the user's approval" in model.requests[1]["messages"][0]["content"]
    fetched = ok(await user.get(f"/api/sessions/{session['id']}"))
    assert fetched["mission"]["name"] == "Rank by score" and fetched["mission"]["id"] != pending["id"]
    assert ok(await user.get(f"/api/missions/{pending['id']}"))["status"] == "cancelled"
    notes = [m["message_metadata"] for m in await statuses(user, session["id"])]
    assert notes[-1]["proposal"]["replaces_mission_id"] == pending["id"]
    assert "replaces the mission proposed before" in (await statuses(user, session["id"]))[-1]["content"]


async def test_a_proposal_that_does_not_fit_the_state_is_refused_and_said_back(user, model):
    model.script(
        Reply(
            calls=[
                Call(
                    "propose_hop_plan",
                    {"name": "x", "output": {"type": "existing_asset", "mission_asset_id": str(uuid4())}},
                )
            ]
        ),
        Reply(text=["Sorry, first a mission."]),
    )
    session = await new_session(user)
    ended = await _turn(user, session["id"], "plan a hop")
    assert ended.outcome == "answered"
    [error] = tool_messages(model.requests[1])
    assert "does not fit the mission's state" in error["content"]
    assert ok(await user.get(f"/api/sessions/{session['id']}"))["mission"] is None

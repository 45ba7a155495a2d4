"""Every transition, by a form, the assistant or the server, writes a `status` message into
the chat of the session that holds its mission, in the transition's own transaction: a
refused or failed transition writes none, and a failure writing the message fails the
transition whole. A proposal's message carries what was proposed (a typed card), without
resource values, which may be secret."""

from __future__ import annotations

from uuid import UUID, uuid4

import msgspec
import pytest

from server.sessions import service as sessions
from server.sessions.schemas import StatusNote
from server.workflow import transitions
from tests.workflow.flow import asset_id, hop_in, mission_proposal, new_session, ok, plan, rank_chain, snapshot


async def _statuses(client, session_id: str) -> list[dict]:
    items = ok(await client.get(f"/api/sessions/{session_id}/messages", params={"limit": 200}))["items"]
    return [m for m in items if m["role"] == "status"]


async def test_each_transition_of_the_forms_writes_a_status_message_in_order(user):
    session = await new_session(user)
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    hop = await hop_in(user, mission, "hop_impl_ready")
    messages = await _statuses(user, session["id"])
    notes = [msgspec.convert(m["message_metadata"], StatusNote) for m in messages]
    assert [(n.transition, n.number, n.actor) for n in notes] == [
        ("propose_mission", "1.1", "person"),
        ("accept_mission", "1.2", "person"),
        ("start_hop_plan", "2.1", "person"),
        ("propose_hop_plan", "2.2", "person"),
        ("accept_hop_plan", "2.3", "person"),
        ("start_hop_implementation", "2.4", "person"),
        ("propose_hop_implementation", "2.5", "person"),
        ("accept_hop_implementation", "2.6", "person"),
    ]
    assert [m["content"] for m in messages[:2]] == [
        "Mission “Rank records” is now awaiting approval.",
        "Mission “Rank records” is now in progress.",
    ]
    assert messages[-1]["content"] == "Hop “Rank” is now implementation ready."
    assert notes[-1].entity == "hop" and str(notes[-1].entity_id) == hop["id"] and notes[-1].status == "hop_impl_ready"
    assert str(notes[-1].mission_id) == mission["id"] and str(notes[-1].hop_id) == hop["id"]
    kinds = [n.proposal.__struct_config__.tag if n.proposal else None for n in notes]
    assert kinds == ["mission", None, None, "hop_plan", None, None, "hop_implementation", None]
    assert notes[0].proposal.proposal.name == "Rank records"  # type: ignore[union-attr]


async def test_a_refused_transition_writes_no_status_message(user):
    session = await new_session(user)
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    before = await _statuses(user, session["id"])
    assert (await user.post(f"/api/missions/{mission['id']}/complete")).status_code == 409
    assert await _statuses(user, session["id"]) == before


async def test_a_status_message_that_cannot_be_written_fails_the_transition_whole(user, monkeypatch):
    session = await new_session(user)
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    user_id = UUID(user.user["id"])
    before = await snapshot(user_id)

    def boom(*args, **kwargs):
        raise RuntimeError("chat unavailable")

    monkeypatch.setattr(sessions, "insert_message", boom)
    with pytest.raises(RuntimeError):
        await transitions.accept_mission(user_id=user_id, mission_id=UUID(mission["id"]))
    monkeypatch.undo()
    assert await snapshot(user_id) == before
    assert ok(await user.get(f"/api/missions/{mission['id']}"))["status"] == "awaiting_approval"


async def test_an_archived_session_records_its_own_transition(user):
    session = await new_session(user)
    ok(await user.post(f"/api/sessions/{session['id']}/archive"))
    [message] = await _statuses(user, session["id"])
    assert message["content"] == "Session “work” is now archived."
    assert message["message_metadata"]["entity"] == "session"


async def test_a_proposed_chain_card_leaves_resource_values_out(user):
    session = await new_session(user)
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    hop = await hop_in(user, mission, "hop_impl_started")
    chain = rank_chain(asset_id(mission, "inputs"), str(uuid4()), hop["asset_summary"]["outputs"][0])
    chain["steps"].insert(
        0,
        {
            "tool_id": "web_search",
            "name": "Search",
            "parameter_mapping": {"query": {"type": "literal", "value": "tides"}},
            "result_mapping": {"results": {"type": "discard"}},
            "resource_configs": {"search_provider": {"base_url": "http://127.0.0.1:9", "api_key": "sk-very-secret"}},
        },
    )
    response = await user.post(f"/api/hops/{hop['id']}/implementation", json=chain)
    assert response.status_code == 200, response.text
    messages = await _statuses(user, session["id"])
    card = messages[-1]["message_metadata"]["proposal"]
    assert card["kind"] == "hop_implementation" and card["hop_id"] == hop["id"]
    assert [step["resource_configs"] for step in card["proposal"]["steps"]] == [{}, {}, {}]
    session_text = (await user.get(f"/api/sessions/{session['id']}")).text
    assert "sk-very-secret" not in session_text


async def test_a_plan_rejected_and_proposed_again_shows_both_cards(user):
    session = await new_session(user)
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    hop = await hop_in(user, mission, "hop_plan_proposed")
    ok(await user.post(f"/api/hops/{hop['id']}/plan/reject"))
    output = {"type": "existing_asset", "mission_asset_id": asset_id(mission, "outputs")}
    ok(await user.post(f"/api/hops/{hop['id']}/plan", json=plan([asset_id(mission, "inputs")], output, name="Again")))
    notes = [m["message_metadata"] for m in await _statuses(user, session["id"])]
    cards = [n["proposal"]["proposal"]["name"] for n in notes if n["proposal"] and n["proposal"]["kind"] == "hop_plan"]
    assert cards == ["Rank", "Again"]
    assert [n["transition"] for n in notes][-2:] == ["reject_hop_plan", "propose_hop_plan"]

"""What the model sees: the chat within a token budget (oldest left out first), in the order
the conversation went; the mission's state with its assets' summaries, never their content;
the tool catalog; and who it is, which follows the mission's state."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import msgspec

from server.assets import service as assets
from server.assistant.context import STATE_MARKER, history, system_prompt, tool_catalog
from server.assistant.functions import declarations
from server.assistant.stages import Role, stage_of
from server.enums import MessageRole
from server.llm import estimate_tokens
from server.sessions.schemas import ChatMessage, UserSession
from tests.assistant.designer import mission_state
from tests.workflow.flow import hop_in, mission_proposal, new_session, ok

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def message(role: str, content: str, minute: int, **metadata) -> ChatMessage:
    return ChatMessage(
        id=uuid4(),
        chat_id=uuid4(),
        sequence_order=minute,
        role=MessageRole(role),
        content=content,
        message_metadata=metadata,
        created_at=T0 + timedelta(minutes=minute),
    )


def test_tokens_are_estimated_from_characters():
    assert estimate_tokens("") == 0
    assert estimate_tokens("four") == 1 and estimate_tokens("a" * 400) == 100
    assert estimate_tokens("日本語") == 3


def test_the_history_keeps_the_newest_messages_within_the_budget():
    chat = [message("user", f"question {i} " + "x" * 400, i) for i in range(0, 20, 2)]
    chat += [message("assistant", f"answer {i} " + "y" * 400, i + 1, outcome="answered") for i in range(0, 20, 2)]
    chat.sort(key=lambda m: m.sequence_order)
    kept = history(chat, budget=500)
    assert kept[-1]["content"].startswith("answer 18")
    assert kept[0]["role"] == "user" and kept[0]["content"].startswith("question 16")
    assert len(kept) == 4  # about 110 tokens each
    assert all("question 0" not in m["content"] for m in kept)


def test_the_newest_message_is_kept_even_when_alone_it_is_over_the_budget():
    kept = history([message("user", "z" * 10_000, 0)], budget=100)
    assert len(kept) == 1 and len(kept[0]["content"]) <= 401


def test_status_messages_join_the_users_turn_and_failed_replies_are_left_out():
    chat = [
        message("user", "rank my records", 0),
        message("status", "Mission “R” is now awaiting approval.", 1),
        message("assistant", "Here it is.", 2, outcome="answered"),
        message("status", "Mission “R” is now in progress.", 3),
        message("assistant", "The model server at http://x cannot be reached.", 4, outcome="failed"),
        message("user", "next?", 5),
    ]
    kept = history(chat, budget=10_000)
    assert [m["role"] for m in kept] == ["user", "assistant", "user"]
    assert kept[0]["content"] == "rank my records\n\n(Status: Mission “R” is now awaiting approval.)"
    assert "cannot be reached" not in kept[2]["content"] and kept[2]["content"].endswith("next?")


def test_a_message_posted_while_a_turn_ran_comes_after_that_turns_reply():
    chat = [
        message("user", "first", 0),
        message("user", "second", 2),
        message(
            "assistant", "answer to first", 3, outcome="answered", started_at=(T0 + timedelta(minutes=1)).isoformat()
        ),
    ]
    assert [m["content"] for m in history(chat, budget=1000)] == ["first", "answer to first", "second"]


async def _session(client, session_id: str) -> UserSession:
    return msgspec.convert(ok(await client.get(f"/api/sessions/{session_id}")), UserSession)


async def test_who_the_assistant_is_follows_the_missions_state(user):
    session = await new_session(user)
    sid = session["id"]
    seen = [stage_of(await _session(user, sid))]
    mission = ok(await user.post(f"/api/sessions/{sid}/mission", json=mission_proposal()), 201)
    seen.append(stage_of(await _session(user, sid)))
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    seen.append(stage_of(await _session(user, sid)))
    for status in ("hop_plan_started", "hop_plan_proposed", "hop_plan_ready", "hop_impl_proposed", "hop_impl_ready"):
        async with _fresh_mission(user) as (other_session, other_mission):
            await hop_in(user, other_mission, status)
            seen.append(stage_of(await _session(user, other_session)))
    assert [(stage.role, stage.proposes, stage.revises) for stage in seen] == [
        (Role.MISSION_DESIGNER, "propose_mission", False),
        (Role.MISSION_REVIEWER, "propose_mission", True),
        (Role.HOP_DESIGNER, "propose_hop_plan", False),
        (Role.HOP_DESIGNER, "propose_hop_plan", False),
        (Role.HOP_PLAN_REVIEWER, "propose_hop_plan", True),
        (Role.IMPLEMENTER, "propose_hop_implementation", False),
        (Role.CHAIN_REVIEWER, "propose_hop_implementation", True),
        (Role.EXPLAINER, None, False),
    ]
    for stage in seen:
        names = [d["function"]["name"] for d in declarations(stage)]
        assert names == [
            *([stage.proposes] if stage.proposes else []),
            "get_tool_catalog",
            "get_asset",
            "new_asset_ids",
        ]


@asynccontextmanager
async def _fresh_mission(client):
    session = await new_session(client)
    mission = ok(await client.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    yield session["id"], ok(await client.post(f"/api/missions/{mission['id']}/accept"))


async def test_the_system_message_holds_the_mission_state_with_summaries_not_content(user):
    session = await new_session(user)
    proposal = mission_proposal()
    proposal["assets"][0]["content"] = [{"name": f"record {i}", "secret_value": "CONTENT-ONLY"} for i in range(500)]
    ok(await user.post(f"/api/sessions/{session['id']}/mission", json=proposal), 201)
    session_struct = await _session(user, session["id"])
    stage = stage_of(session_struct)
    listed = await assets.list_assets(
        user_id=UUID(user.user["id"]),
        limit=200,
        offset=0,
        mission_id=session_struct.mission.id,  # type: ignore[union-attr]
    )
    prompt = system_prompt(stage, listed.items)
    assert "record 2" in prompt and "record 499" not in prompt  # the summary's start, never the whole content
    assert len(prompt) < 10_000
    state = mission_state({"messages": [{"role": "system", "content": prompt}]})
    records = next(a for a in state["assets"] if a["name"] == "Records")
    assert records["role"] == "input" and records["summary"] and records["type"] == "object"
    assert state["mission"]["status"] == "awaiting_approval"
    assert STATE_MARKER in prompt and "mission reviewer" in prompt
    assert "- sort(items: object[], keys: object[]) -> items: object[]" in tool_catalog()


async def test_a_revised_hop_is_implemented_again_from_its_draft_and_its_failure(user):
    from server.workflow import transitions
    from server.workflow.transitions.unit import AFTER_COMMIT

    async with _fresh_mission(user) as (sid, mission):
        hop = await hop_in(user, mission, "hop_impl_ready")
        user_id = UUID(user.user["id"])
        running = await transitions.execute_hop(user_id=user_id, hop_id=UUID(hop["id"]))
        await transitions.fail_tool_step(user_id=user_id, step_id=running.tool_steps[0].id, error="no such field")
        assert stage_of(await _session(user, sid)).role is Role.EXPLAINER
        saved = list(AFTER_COMMIT)
        AFTER_COMMIT.clear()  # no model here: the turn it would trigger is not the point
        try:
            ok(await user.post(f"/api/hops/{hop['id']}/revise"))
        finally:
            AFTER_COMMIT[:] = saved
        session_struct = await _session(user, sid)
        stage = stage_of(session_struct)
        assert (stage.role, stage.proposes) == (Role.IMPLEMENTER, "propose_hop_implementation")
        state = mission_state({"messages": [{"role": "system", "content": system_prompt(stage, [])}]})
        (seen,) = state["hops"]
        assert [step["tool_id"] for step in seen["draft_chain"]["steps"]] == ["filter", "sort"]
        assert seen["draft_chain"]["last_error"] == 'Step 1 ("Keep scored") failed: no such field'

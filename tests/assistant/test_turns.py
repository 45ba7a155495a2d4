"""One turn at a time per session: a message posted while a turn runs is stored and waits for
a follow-up turn (never a 409); a running turn can be cancelled, keeps what it wrote and is
marked stopped; a turn left by a stopped server is ended with a message saying so."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID, uuid4

from server.assistant import runner
from server.assistant.tables import AssistantTurn
from server.database import now
from server.sessions.schemas import AssistantTokens, AssistantTurnEnded
from tests.assistant.helpers import ChatWatcher, replies, say
from tests.assistant.model_server import Reply
from tests.workflow.flow import new_session, ok


async def test_a_second_message_while_a_turn_runs_waits_and_a_follow_up_turn_answers_it(user, model):
    model.script(Reply(text=["one ", "two ", "three"], delay=0.15), Reply(text=["And the second."]))
    session = await new_session(user)
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        await say(user, session["id"], "first question")
        await watcher.until(lambda e: isinstance(e, AssistantTokens))
        state = ok(await user.get(f"/api/sessions/{session['id']}/assistant"))
        assert state["configured"] and state["model"] == "test-model" and state["turn"]["ended_at"] is None
        second = await user.post(
            f"/api/sessions/{session['id']}/messages", json={"role": "user", "content": "second question"}
        )
        assert second.status_code == 201
        first_end = await watcher.turn_ended(session["id"])
        second_end = await watcher.turn_ended(session["id"])
    finally:
        watcher.close()
    assert first_end.turn_id != second_end.turn_id
    assert [r["content"] for r in await replies(user, session["id"])] == ["one two three", "And the second."]
    first, follow_up = model.requests
    assert [m["content"] for m in first["messages"][1:]] == ["first question"]
    assert follow_up["messages"][-1] == {"role": "user", "content": "second question"}
    assert ok(await user.get(f"/api/sessions/{session['id']}/assistant"))["turn"] is None


async def test_messages_posted_at_once_are_all_kept_and_answered_by_at_most_two_turns(user, model):
    model.script(Reply(text=["first answer"], delay=0.05), Reply(text=["second answer"]))
    session = await new_session(user)
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        url = f"/api/sessions/{session['id']}/messages"
        posted = await asyncio.gather(*(user.post(url, json={"role": "user", "content": f"m{i}"}) for i in range(5)))
        assert [r.status_code for r in posted] == [201] * 5
        await watcher.turn_ended(session["id"])
        await asyncio.sleep(0.5)
    finally:
        watcher.close()
    answers = await replies(user, session["id"])
    assert 1 <= len(answers) <= 2 and len(model.requests) == len(answers)


async def test_a_running_turn_can_be_cancelled_and_keeps_what_it_wrote(user, model):
    model.script(Reply(text=["Let me ", "think ", "about ", "that ", "for a while"], delay=0.4))
    session = await new_session(user)
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        await say(user, session["id"], "a long question")
        await watcher.until(lambda e: isinstance(e, AssistantTokens) and "think" in e.text)
        cancelled = ok(await user.post(f"/api/sessions/{session['id']}/assistant/cancel"))
        ended = await watcher.turn_ended(session["id"], timeout=3)
    finally:
        watcher.close()
    assert ended.outcome == "cancelled"
    assert cancelled["configured"] is True
    [reply] = await replies(user, session["id"])
    assert reply["content"].startswith("Let me think") and reply["content"].endswith("(Stopped.)")
    assert reply["message_metadata"]["outcome"] == "cancelled"
    assert ok(await user.get(f"/api/sessions/{session['id']}/assistant"))["turn"] is None
    # Cancelling when nothing runs is harmless.
    assert ok(await user.post(f"/api/sessions/{session['id']}/assistant/cancel"))["turn"] is None


async def test_a_cancellation_asked_elsewhere_reaches_the_turn_through_its_heartbeat(user, model, monkeypatch):
    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 0.1)
    model.script(Reply(text=["slow ", "answer ", "that ", "goes ", "on"], delay=0.3))
    session = await new_session(user)
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        await say(user, session["id"], "go")
        await watcher.until(lambda e: isinstance(e, AssistantTokens))
        # As another server process would: only the row says it.
        await (
            AssistantTurn.update({AssistantTurn.cancel_requested: True})
            .where(AssistantTurn.running_session_id == UUID(session["id"]))
            .run()
        )
        ended = await watcher.turn_ended(session["id"], timeout=3)
    finally:
        watcher.close()
    assert ended.outcome == "cancelled"


async def test_a_turn_left_by_a_stopped_server_is_ended_with_a_message_and_the_session_answers_again(user, model):
    session = await new_session(user)
    stale = now() - timedelta(seconds=runner.STALE_SECONDS + 5)
    await AssistantTurn.insert(
        AssistantTurn(
            id=uuid4(),
            user_id=UUID(user.user["id"]),
            session_id=UUID(session["id"]),
            running_session_id=UUID(session["id"]),
            follow_up=False,
            cancel_requested=False,
            started_at=stale,
            heartbeat_at=stale,
            ended_at=None,
        )
    ).run()
    model.script(Reply(text=["I am back."]))
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        await say(user, session["id"], "hello?")
        ended = await watcher.turn_ended(session["id"])
    finally:
        watcher.close()
    assert ended.outcome == "answered"
    contents = [r["content"] for r in await replies(user, session["id"])]
    assert contents == [runner.SERVER_STOPPED, "I am back."]


async def test_turn_events_name_their_session(user, model):
    model.script(Reply(text=["ok"]))
    session = await new_session(user)
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        await say(user, session["id"], "hi")
        await watcher.turn_ended(session["id"])
    finally:
        watcher.close()
    assert {str(e.session_id) for e in watcher.chat_events()} == {session["id"]}
    assert isinstance(watcher.seen[-1], AssistantTurnEnded)

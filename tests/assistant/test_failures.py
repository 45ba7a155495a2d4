"""Failures of the model never answer 500, never leave half a proposal, keep the user's
message, and put a readable reason in the chat: unreachable, 401, 429 (the client's back-off,
then a message), a timeout, a stream cut mid-way, a context too long."""

from __future__ import annotations

import time
from uuid import UUID

from tests.assistant.designer import mission_arguments
from tests.assistant.helpers import ChatWatcher, messages, replies
from tests.assistant.model_server import Call, Reply, Status
from tests.workflow.flow import new_session, ok, snapshot

LONG = {"error": {"message": "This model's maximum context length is 4096 tokens.", "code": "context_length_exceeded"}}


async def _failed_turn(user, text: str = "rank my records"):
    session = await new_session(user)
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        posted = await user.post(f"/api/sessions/{session['id']}/messages", json={"role": "user", "content": text})
        assert posted.status_code == 201, posted.text
        ended = await watcher.turn_ended(session["id"])
    finally:
        watcher.close()
    chat = await messages(user, session["id"])
    assert chat[0]["role"] == "user" and chat[0]["content"] == text  # the user's message is kept
    return session, ended, chat


async def test_a_rate_limit_is_retried_with_the_clients_back_off_then_answered(user, model):
    model.script(Status(429, headers={"retry-after-ms": "50"}), Reply(text=["Back again."]))
    session, ended, chat = await _failed_turn(user)
    assert ended.outcome == "answered" and len(model.requests) == 2
    assert chat[-1]["content"] == "Back again."


async def test_a_rate_limit_that_lasts_ends_the_turn_with_a_message(user, model):
    model.script(*[Status(429, headers={"retry-after-ms": "10"})] * 2)
    _, ended, chat = await _failed_turn(user)
    assert ended.outcome == "failed" and len(model.requests) == 2  # LLM_MAX_RETRIES=1
    reply = chat[-1]
    assert reply["role"] == "assistant" and reply["message_metadata"]["failure"] == "rate_limited"
    assert "limiting requests (HTTP 429), still after 1 retry" in reply["content"]


async def test_a_refused_key_says_so(user, model):
    model.script(Status(401, {"error": {"message": "Incorrect API key provided"}}))
    _, ended, chat = await _failed_turn(user)
    assert ended.outcome == "failed" and len(model.requests) == 1  # not retried
    assert chat[-1]["message_metadata"]["failure"] == "unauthorized"
    assert "refused the API key (HTTP 401)" in chat[-1]["content"]


async def test_an_unreachable_model_server_says_so(user, model, settings_env):
    settings_env(LLM_BASE_URL="http://127.0.0.1:9/v1", LLM_MAX_RETRIES="0")
    _, ended, chat = await _failed_turn(user)
    assert ended.outcome == "failed"
    assert chat[-1]["message_metadata"]["failure"] == "unreachable"
    assert "http://127.0.0.1:9 cannot be reached" in chat[-1]["content"]


async def test_a_slow_answer_times_out_with_a_message(user, model, settings_env):
    settings_env(LLM_TIMEOUT_SECONDS="0.4", LLM_MAX_RETRIES="0")
    model.script(Reply(text=["late"], delay_first=2.0))
    started = time.perf_counter()
    _, ended, chat = await _failed_turn(user)
    assert time.perf_counter() - started < 1.8
    assert chat[-1]["message_metadata"]["failure"] == "timeout"
    assert "did not answer within 0.4 s" in chat[-1]["content"]


async def test_a_stream_cut_mid_way_keeps_what_came_and_says_why(user, model):
    model.script(Reply(text=["Here is ", "the begin", "ning of", " a long answer"], cut_after=3))
    _, ended, chat = await _failed_turn(user)
    assert ended.outcome == "failed"
    reply = chat[-1]
    assert reply["message_metadata"]["failure"] == "interrupted"
    assert reply["content"].startswith("Here is the begin")
    assert "The answer was cut off" in reply["content"]


async def test_a_stream_cut_in_the_middle_of_a_proposal_stores_nothing_of_it(user, model):
    arguments = mission_arguments({"messages": [{"role": "user", "content": "x"}]})
    model.script(Reply(text=["Proposing."], calls=[Call("propose_mission", arguments, fragments=10)], cut_after=6))
    before = await snapshot(user.user["id"])
    session, ended, chat = await _failed_turn(user)
    assert ended.outcome == "failed"
    assert ok(await user.get(f"/api/sessions/{session['id']}"))["mission"] is None
    assert [m["role"] for m in chat] == ["user", "assistant"]
    after = await snapshot(user.user["id"])
    assert after["missions"] == before["missions"] and after["assets"] == before["assets"]


async def test_a_context_too_long_is_tried_again_with_half_the_history_then_said(user, model):
    model.script(Status(400, LONG), Reply(text=["Short enough now."]))
    _, ended, chat = await _failed_turn(user)
    assert ended.outcome == "answered" and chat[-1]["content"] == "Short enough now."
    model.script(*[Status(400, LONG)] * 6)
    _, ended, chat = await _failed_turn(user)
    assert ended.outcome == "failed"
    assert chat[-1]["message_metadata"]["failure"] == "context_too_long"
    assert "too long for the model" in chat[-1]["content"]


async def test_no_failure_answers_500_to_the_user(user, model):
    model.script(Status(500, {"error": {"message": "model crashed"}}), Status(500, {"error": {"message": "again"}}))
    session, ended, chat = await _failed_turn(user)
    assert ended.outcome == "failed"
    assert "The model server failed (HTTP 500): again" in chat[-1]["content"]
    assert (await user.get(f"/api/sessions/{session['id']}")).status_code == 200
    assert len(await replies(user, session["id"])) == 1

"""A turn's reply streams to the page as chat events and is stored whole when it ends; plain
text is chatting; without `LLM_BASE_URL` nothing answers and the API says so."""

from __future__ import annotations

import asyncio
from uuid import UUID

import msgspec

from server.sessions.schemas import (
    AssistantTokens,
    AssistantTurnEnded,
    AssistantTurnStarted,
    ChatEvent,
    ChatMessageStored,
)
from tests.assistant.helpers import ChatWatcher, messages, replies, say
from tests.assistant.model_server import Reply
from tests.workflow.flow import new_session, ok
from tests.workflow.sse_client import EventStream


async def test_without_llm_base_url_nothing_answers_and_the_state_says_no_assistant_is_configured(user):
    session = await new_session(user)
    state = ok(await user.get(f"/api/sessions/{session['id']}/assistant"))
    assert state == {"configured": False, "model": None, "turn": None}
    await say(user, session["id"], "hello?")
    await asyncio.sleep(0.3)
    assert [m["role"] for m in await messages(user, session["id"])] == ["user"]


async def test_a_plain_text_answer_streams_token_by_token_and_is_stored_whole(user, model):
    model.script(Reply(text=["Hel", "lo, ", "how can I ", "help?"], delay=0.05))
    session = await new_session(user)
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        asked = await say(user, session["id"], "Hi there")
        ended = await watcher.turn_ended(session["id"])
    finally:
        watcher.close()
    assert ended.outcome == "answered"
    events = watcher.chat_events()
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "ChatMessageStored" and kinds[1] == "AssistantTurnStarted"
    assert [e.text for e in events if isinstance(e, AssistantTokens)] == ["Hel", "lo, ", "how can I ", "help?"]
    assert kinds[-2:] == ["ChatMessageStored", "AssistantTurnEnded"]
    started = next(e for e in events if isinstance(e, AssistantTurnStarted))
    assert started.turn_id == ended.turn_id
    [reply] = await replies(user, session["id"])
    assert reply["content"] == "Hello, how can I help?"
    assert reply["message_metadata"]["outcome"] == "answered"
    assert reply["message_metadata"]["turn_id"] == str(ended.turn_id)
    stored = [e for e in events if isinstance(e, ChatMessageStored)]
    assert [str(e.message_id) for e in stored] == [asked["id"], reply["id"]]
    # What the model was sent: the system message, then the user's words.
    [request] = model.requests
    assert request["stream"] is True and request["model"] == "test-model"
    assert request["messages"][0]["role"] == "system" and request["messages"][-1] == {
        "role": "user",
        "content": "Hi there",
    }


async def test_the_event_stream_carries_chat_events_typed_as_chat_event(app, user, model):
    model.script(Reply(text=["a", "b"], delay=0.05))
    async with EventStream(app, user) as stream:
        session = await new_session(user)
        await say(user, session["id"], "hi")
        decoded = []
        while not decoded or not isinstance(decoded[-1], AssistantTurnEnded):
            message = await stream.next_message(timeout=10)
            if message.get("event") == "chat":
                decoded.append(msgspec.json.decode(message["data"], type=ChatEvent))
    assert [type(e).__name__ for e in decoded] == [
        "ChatMessageStored",
        "AssistantTurnStarted",
        "AssistantTokens",
        "AssistantTokens",
        "ChatMessageStored",
        "AssistantTurnEnded",
    ]


async def test_a_burst_of_tokens_reaches_the_page_in_fewer_events_with_the_same_text(user, model):
    pieces = [f"w{i} " for i in range(200)]
    model.script(Reply(text=pieces))
    session = await new_session(user)
    watcher = ChatWatcher(UUID(user.user["id"]))
    try:
        await say(user, session["id"], "go")
        await watcher.turn_ended(session["id"])
    finally:
        watcher.close()
    texts = [e.text for e in watcher.chat_events() if isinstance(e, AssistantTokens)]
    assert "".join(texts) == "".join(pieces) and len(texts) < len(pieces)
    [reply] = await replies(user, session["id"])
    assert reply["content"] == "".join(pieces).strip()

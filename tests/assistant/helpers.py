"""Driving the assistant in tests: post a message, wait for the turn to end, read the chat."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from server.sessions.schemas import AssistantTurnEnded, ChatEvent
from server.workflow.events import broker
from tests.workflow.flow import ok

API_KEY = "sk-test-0123456789-secret-key"


class ChatWatcher:
    """The chat events of one user, as the page's event stream gets them."""

    def __init__(self, user_id: UUID) -> None:
        self.user_id = user_id
        self.queue = broker.subscribe(user_id, chat=True)
        self.seen: list[Any] = []

    def close(self) -> None:
        broker.unsubscribe(self.user_id, self.queue)

    async def until(self, predicate, timeout: float = 15.0) -> list[Any]:
        """Every event up to the first that meets `predicate` (kept in `seen` too)."""
        got: list[Any] = []
        async with asyncio.timeout(timeout):
            while True:
                event = await self.queue.get()
                self.seen.append(event)
                got.append(event)
                if predicate(event):
                    return got

    async def turn_ended(self, session_id: str, timeout: float = 15.0) -> AssistantTurnEnded:
        events = await self.until(
            lambda e: isinstance(e, AssistantTurnEnded) and str(e.session_id) == session_id, timeout
        )
        ended = events[-1]
        assert isinstance(ended, AssistantTurnEnded)
        return ended

    def chat_events(self) -> list[ChatEvent]:
        return [e for e in self.seen if not hasattr(e, "entity")]


async def say(client, session_id: str, text: str) -> dict[str, Any]:
    return ok(await client.post(f"/api/sessions/{session_id}/messages", json={"role": "user", "content": text}), 201)


async def messages(client, session_id: str) -> list[dict[str, Any]]:
    return ok(await client.get(f"/api/sessions/{session_id}/messages", params={"limit": 200}))["items"]


async def replies(client, session_id: str) -> list[dict[str, Any]]:
    return [m for m in await messages(client, session_id) if m["role"] == "assistant"]


async def statuses(client, session_id: str) -> list[dict[str, Any]]:
    return [m for m in await messages(client, session_id) if m["role"] == "status"]


def tool_messages(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in request["messages"] if m["role"] == "tool"]


def offered(request: dict[str, Any]) -> list[str]:
    return [tool["function"]["name"] for tool in request.get("tools") or []]

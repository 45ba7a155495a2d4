"""The server-sent events stream of the signed-in user's workflow events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from server.params import CurrentUserId
from server.sessions.schemas import ChatEvent
from server.settings import get_settings
from server.workflow.events import LiveEvent, WorkflowEvent, broker

EVENT_TYPE = "workflow"
CHAT_EVENT_TYPE = "chat"
STREAM_EVENTS: dict[str, Any] = {EVENT_TYPE: WorkflowEvent, CHAT_EVENT_TYPE: ChatEvent}
"""The stream's event names and the type of each one's data (the codegen types them)."""
_encode = msgspec.json.Encoder().encode


async def event_stream(user_id: UUID) -> AsyncIterator[ServerSentEventMessage]:
    """The user's events until the stream's lifetime ends (the browser then reconnects: the
    sign-in is checked again, and a server shutting down is not held up), with keep-alive
    comments while nothing happens."""
    settings = get_settings().events
    queue = broker.subscribe(user_id, chat=True)
    interval = settings.keep_alive_seconds
    loop = asyncio.get_running_loop()
    ends = loop.time() + settings.stream_seconds
    try:
        yield ServerSentEventMessage(comment="connected", data=None, retry=3000)
        while (left := ends - loop.time()) > 0:
            try:
                event: LiveEvent = await asyncio.wait_for(queue.get(), timeout=min(interval, left))
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            kind = EVENT_TYPE if isinstance(event, WorkflowEvent) else CHAT_EVENT_TYPE
            yield ServerSentEventMessage(event=kind, data=_encode(event).decode())
    finally:
        broker.unsubscribe(user_id, queue)


class EventController(Controller):
    path = "/api/events"
    tags = ["events"]

    @get(
        "/",
        operation_id="stream_events",
        summary="Live workflow events",
        response_description=(
            "text/event-stream: `event: workflow` messages whose data is a WorkflowEvent (JSON), `event: chat` "
            "messages whose data is a ChatEvent (JSON), and keep-alive comments."
        ),
    )
    async def stream_events(self, user_id: CurrentUserId) -> ServerSentEvent:
        """Every status change of the user's sessions, missions, hops, tool steps and assets,
        and the progress of running steps, as server-sent events (`event: workflow`, data: a
        WorkflowEvent as JSON); messages stored in the user's chats and the assistant's replies
        as they stream (`event: chat`, data: a ChatEvent as JSON)."""
        return ServerSentEvent(event_stream(user_id), headers={"cache-control": "no-cache", "x-accel-buffering": "no"})

"""The server-sent events stream of the signed-in user's workflow and chat events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from server.errors import TooManyRequests
from server.params import CurrentUserId
from server.sessions.schemas import ChatEvent
from server.settings import get_settings
from server.workflow.events import WorkflowEvent, broker

EVENT_TYPE = "workflow"
CHAT_EVENT_TYPE = "chat"
STREAM_EVENTS: dict[str, Any] = {EVENT_TYPE: WorkflowEvent, CHAT_EVENT_TYPE: ChatEvent}
"""The stream's event names and the type of each one's data (the codegen types them)."""
_encode = msgspec.json.Encoder().encode


def check_stream_limit(user_id: UUID) -> None:
    """Refuse (429) a stream beyond the user's limit in this process (`EVENTS_STREAMS_PER_USER`)."""
    limit = get_settings().events.streams_per_user
    if broker.subscriber_count(user_id) >= limit:
        raise TooManyRequests(
            f"Too many open event streams: at most {limit} per user (EVENTS_STREAMS_PER_USER); close one first",
            retry_after=5,
        )


async def event_stream(user_id: UUID, auth_session_id: UUID | None = None) -> AsyncIterator[ServerSentEventMessage]:
    """The user's events until the stream's lifetime ends (the browser then reconnects: the
    sign-in is checked again, and a server shutting down is not held up), or until its sign-in
    session ends (sign-out), with keep-alive comments while nothing happens."""
    settings = get_settings().events
    if broker.subscriber_count(user_id) >= settings.streams_per_user:
        return  # others opened streams meanwhile: this one ends at once
    queue = broker.subscribe(user_id, auth_session_id, chat=True)
    interval = settings.keep_alive_seconds
    loop = asyncio.get_running_loop()
    ends = loop.time() + settings.stream_seconds
    try:
        yield ServerSentEventMessage(comment="connected", data=None, retry=3000)
        while (left := ends - loop.time()) > 0:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=min(interval, left))
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            if event is None:
                return  # signed out
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
    async def stream_events(self, request: Request[Any, Any, Any], user_id: CurrentUserId) -> ServerSentEvent:
        """Every status change of the user's sessions, missions, hops, tool steps and assets,
        and the progress of running steps, as server-sent events (`event: workflow`, data: a
        WorkflowEvent as JSON); messages stored in the user's chats and the assistant's replies
        as they stream (`event: chat`, data: a ChatEvent as JSON). The stream ends at sign-out;
        a user holds a limited number."""
        check_stream_limit(user_id)
        stream = event_stream(user_id, request.auth.auth_session_id)
        return ServerSentEvent(stream, headers={"cache-control": "no-cache", "x-accel-buffering": "no"})

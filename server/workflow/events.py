"""Live events: every transition and step progress, announced to the user's open pages.

`publish` is called by the transition service after its transaction commits. Subscribers
(the server-sent events route) receive the events of their own user only.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from server.schemas import Output, Timestamp


class WorkflowEvent(Output, kw_only=True):
    """One change of status: which entity, which id, its new status."""

    entity: str
    """`session`, `mission`, `hop`, `tool_step` or `asset`."""
    id: UUID
    status: str
    mission_id: UUID | None = None
    hop_id: UUID | None = None
    at: Timestamp


class EventBroker:
    """Fans events out to the subscribers of each user, in this process."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[UUID, set[asyncio.Queue[WorkflowEvent]]] = defaultdict(set)

    def subscribe(self, user_id: UUID) -> asyncio.Queue[WorkflowEvent]:
        queue: asyncio.Queue[WorkflowEvent] = asyncio.Queue(maxsize=self._queue_size)
        self._subscribers[user_id].add(queue)
        return queue

    def unsubscribe(self, user_id: UUID, queue: asyncio.Queue[WorkflowEvent]) -> None:
        queues = self._subscribers.get(user_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._subscribers[user_id]

    def deliver(self, user_id: UUID, events: Iterable[WorkflowEvent]) -> None:
        for queue in list(self._subscribers.get(user_id, ())):
            for event in events:
                if queue.full():
                    queue.get_nowait()  # a slow page loses its oldest event, never blocks the server
                queue.put_nowait(event)


broker = EventBroker()


async def publish(*, user_id: UUID, events: list[WorkflowEvent]) -> None:
    """Announce committed changes to the user's subscribers."""
    if events:
        broker.deliver(user_id, events)

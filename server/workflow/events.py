"""Live events: every transition and step progress, and what happens in the chats (messages
stored, the assistant's reply as it streams), announced to the user's open pages.

`publish` is called by the transition service after its transaction commits, by the
executor as steps run, by the chat when a message is stored and by the assistant as its
reply streams. Subscribers (the server-sent events route) receive the events of their own
user only: `WorkflowEvent`s and `ChatEvent`s (server/sessions/schemas.py).

With one process (SQLite) events go straight to this process's subscribers. On PostgreSQL
several server processes share the database: `publish` sends a NOTIFY on the channel
`missions_events`, and every process keeps one LISTEN connection (started in the app's
lifespan) that hands what arrives to its own subscribers, so a page connected to any process
sees the events of every process.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from piccolo.querystring import QueryString

from server.database import engine, now
from server.enums import EntityChange, WorkflowEntity
from server.schemas import Output, Timestamp
from server.sessions.schemas import ChatEvent
from server.settings import get_settings

logger = logging.getLogger("server.events")

CHANNEL = "missions_events"
NOTIFY_PAYLOAD_LIMIT = 7900
"""PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; larger batches are split."""


class WorkflowEvent(Output, kw_only=True):
    """One change of an entity: which entity, which id, its status now, and what changed
    (by default its status; an edit such as a session's rename says `updated`)."""

    entity: WorkflowEntity
    id: UUID
    status: str
    change: EntityChange = EntityChange.STATUS
    mission_id: UUID | None = None
    hop_id: UUID | None = None
    progress: str | None = None
    """For step progress announced while a step runs: what it is doing."""
    at: Timestamp


LiveEvent = WorkflowEvent | ChatEvent
"""What the event stream carries: `event: workflow` and `event: chat` messages."""


class _Notification(msgspec.Struct, array_like=True):
    user_id: UUID
    events: list[WorkflowEvent]
    chat: list[ChatEvent] = []
    closed: list[UUID] | None = None
    """Sign-in sessions whose streams end (signed out); an empty list: every stream of the user."""


_encode = msgspec.json.Encoder().encode
_decode_notification = msgspec.json.Decoder(_Notification).decode


Item = LiveEvent | None
"""What a stream's queue holds: an event, or None when the stream must end (signed out)."""


class EventBroker:
    """Fans events out to the subscribers of each user, in this process; each subscriber is
    the stream of one sign-in session, with the chat events too when it asked for them."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[UUID, dict[asyncio.Queue[Item], UUID | None]] = defaultdict(dict)
        self._chat: set[asyncio.Queue[Item]] = set()

    def subscribe(
        self, user_id: UUID, auth_session_id: UUID | None = None, *, chat: bool = False
    ) -> asyncio.Queue[Item]:
        """A queue of the user's workflow events, with their chat events too when `chat`."""
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=self._queue_size)
        self._subscribers[user_id][queue] = auth_session_id
        if chat:
            self._chat.add(queue)
        return queue

    def unsubscribe(self, user_id: UUID, queue: asyncio.Queue[Item]) -> None:
        self._chat.discard(queue)
        queues = self._subscribers.get(user_id)
        if queues is not None:
            queues.pop(queue, None)
            if not queues:
                del self._subscribers[user_id]

    def subscriber_count(self, user_id: UUID | None = None) -> int:
        if user_id is not None:
            return len(self._subscribers.get(user_id, ()))
        return sum(len(queues) for queues in self._subscribers.values())

    def deliver(self, user_id: UUID, events: Iterable[LiveEvent]) -> None:
        for queue in list(self._subscribers.get(user_id, ())):
            chat = queue in self._chat
            for event in events:
                if not chat and not isinstance(event, WorkflowEvent):
                    continue
                if queue.full():
                    queue.get_nowait()  # a slow page loses its oldest event, never blocks the server
                queue.put_nowait(event)

    def close(self, user_id: UUID, auth_session_ids: Collection[UUID] | None = None) -> None:
        """End the streams of these sign-in sessions of the user (all of them: None)."""
        for queue, session_id in list(self._subscribers.get(user_id, {}).items()):
            if auth_session_ids is None or session_id in auth_session_ids:
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)


broker = EventBroker()


class PostgresListener:
    """One LISTEN connection per process that delivers notifications to the local broker,
    reconnecting when the connection drops."""

    def __init__(self, dsn: str, channel: str = CHANNEL, target: EventBroker = broker) -> None:
        self.dsn = dsn
        self.channel = channel
        self.target = target
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._closing = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="events listener")
        try:
            await asyncio.wait_for(self.connected.wait(), timeout=10)
        except TimeoutError:
            logger.warning("event listener not connected yet; retrying in the background")

    async def stop(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._close_connection()

    async def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        self.connected.clear()
        if connection is not None and not connection.is_closed():
            try:
                await connection.close(timeout=2)
            except Exception:
                connection.terminate()

    def _on_notification(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            notification = _decode_notification(str(payload))
        except (msgspec.DecodeError, msgspec.ValidationError):
            logger.warning("ignored a malformed event notification")
            return
        self.target.deliver(notification.user_id, [*notification.events, *notification.chat])
        if notification.closed is not None:
            self.target.close(notification.user_id, notification.closed or None)

    async def _run(self) -> None:
        delay = 0.5
        while not self._closing:
            try:
                lost = asyncio.Event()
                connection = self._connection = await asyncpg.connect(self.dsn)
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(self.channel, self._on_notification)
                self.connected.set()
                delay = 0.5
                await lost.wait()
                logger.warning("event listener connection lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("event listener cannot connect (%s); retrying in %.1f s", exc, delay)
            await self._close_connection()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


_listener: PostgresListener | None = None


def _batches(user_id: UUID, events: list[LiveEvent]) -> Iterable[str]:
    """Payloads under the NOTIFY limit (one event always fits: its fields are short)."""
    workflow = [event for event in events if isinstance(event, WorkflowEvent)]
    chat = [event for event in events if not isinstance(event, WorkflowEvent)]
    payload = _encode(_Notification(user_id=user_id, events=workflow, chat=chat)).decode()
    if len(payload.encode()) <= NOTIFY_PAYLOAD_LIMIT or len(events) == 1:
        yield payload
        return
    middle = len(events) // 2
    yield from _batches(user_id, events[:middle])
    yield from _batches(user_id, events[middle:])


async def _notify(user_id: UUID, events: list[LiveEvent]) -> None:
    db = engine()
    for payload in _batches(user_id, events):
        await db.run_querystring(QueryString("SELECT pg_notify({}, {})", CHANNEL, payload))


async def announce_change(
    *,
    user_id: UUID,
    entity: WorkflowEntity,
    entity_id: UUID,
    status: str,
    change: EntityChange,
    mission_id: UUID | None = None,
    hop_id: UUID | None = None,
) -> None:
    """Announce an edit that is not a transition (a session renamed, an asset's content
    changed, ...) once it has committed, so the user's other pages read it again."""
    event = WorkflowEvent(
        entity=entity, id=entity_id, status=str(status), change=change, mission_id=mission_id, hop_id=hop_id, at=now()
    )
    await publish(user_id=user_id, events=[event])


async def publish(*, user_id: UUID, events: Sequence[LiveEvent]) -> None:
    """Announce committed changes (and chat activity) to the user's subscribers in every
    server process, in order."""
    if not events:
        return
    events = list(events)
    listener = _listener
    if listener is None:
        broker.deliver(user_id, events)
        return
    if not listener.connected.is_set():
        broker.deliver(user_id, events)  # this process would miss its own notification
    try:
        await _notify(user_id, events)
    except Exception:
        logger.exception("could not send event notification")
        if listener.connected.is_set():
            broker.deliver(user_id, events)


async def close_streams(*, user_id: UUID, auth_session_ids: Collection[UUID] | None = None) -> None:
    """End the open event streams of these sign-in sessions (every one of the user's: None), in
    every server process: called at sign-out and when an account closes."""
    broker.close(user_id, auth_session_ids)
    if _listener is None:
        return
    notification = _Notification(user_id=user_id, events=[], closed=list(auth_session_ids or []))
    try:
        await engine().run_querystring(QueryString("SELECT pg_notify({}, {})", CHANNEL, _encode(notification).decode()))
    except Exception:
        logger.exception("could not announce the end of event streams")


async def start_listening() -> None:
    """Start the LISTEN connection of this process (PostgreSQL only)."""
    global _listener
    settings = get_settings().database
    if not settings.is_postgres or _listener is not None:
        return
    listener = PostgresListener(settings.url or "")
    await listener.start()
    _listener = listener


async def stop_listening() -> None:
    global _listener
    listener, _listener = _listener, None
    if listener is not None:
        await listener.stop()


@asynccontextmanager
async def events_lifespan(_: Any) -> AsyncIterator[None]:
    """The LISTEN connection of this process, for the app's lifespan."""
    await start_listening()
    try:
        yield
    finally:
        await stop_listening()

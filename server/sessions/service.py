"""Sessions and their chat, scoped to one user."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from piccolo.custom_types import Combinable

from server.database import (
    decode_json_fields,
    is_unique_violation,
    json_columns,
    now,
    read_transaction,
    to_json,
    to_struct,
    write_transaction,
)
from server.enums import EntityChange, MessageRole, UserSessionStatus, WorkflowEntity
from server.errors import Conflict, InvalidInput, NotFound
from server.missions.service import get_mission
from server.sessions.schemas import (
    RECENT_MESSAGES,
    Chat,
    ChatMessage,
    ChatMessageCreate,
    ChatMessagePage,
    ChatMessageStored,
    UserSession,
    UserSessionCreate,
    UserSessionInfo,
    UserSessionPage,
    UserSessionUpdate,
)
from server.sessions.tables import Chat as ChatTable
from server.sessions.tables import ChatMessage as ChatMessageTable
from server.sessions.tables import UserSession as UserSessionTable
from server.workflow import events

_SESSION_JSON = json_columns(UserSessionTable)
_CHAT_JSON = json_columns(ChatTable)
_MESSAGE_JSON = json_columns(ChatMessageTable)
_SESSION_COLUMNS = [c for c in UserSessionTable._meta.columns if c._meta.name != "user_id"]
_CHAT_COLUMNS = [c for c in ChatTable._meta.columns if c._meta.name != "user_id"]
_MESSAGE_COLUMNS = [c for c in ChatMessageTable._meta.columns if c._meta.name != "user_id"]
_APPEND_ATTEMPTS = 5


async def _session_row(user_id: UUID, session_id: UUID) -> dict[str, Any]:
    row = (
        await UserSessionTable.select(*_SESSION_COLUMNS)
        .where((UserSessionTable.id == session_id) & (UserSessionTable.user_id == user_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("session", session_id)
    return decode_json_fields(row, _SESSION_JSON)


async def _chat(user_id: UUID, chat_id: UUID) -> Chat:
    row = (
        await ChatTable.select(*_CHAT_COLUMNS)
        .where((ChatTable.id == chat_id) & (ChatTable.user_id == user_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("chat", chat_id)
    where = (ChatMessageTable.chat_id == chat_id) & (ChatMessageTable.user_id == user_id)
    newest = (
        await ChatMessageTable.select(*_MESSAGE_COLUMNS)
        .where(where)
        .order_by(ChatMessageTable.sequence_order, ascending=False)
        .limit(RECENT_MESSAGES)
        .run()
    )
    count = len(newest) if len(newest) < RECENT_MESSAGES else await ChatMessageTable.count().where(where).run()
    decode_json_fields(row, _CHAT_JSON)
    row["messages"] = [to_struct(ChatMessage, decode_json_fields(m, _MESSAGE_JSON)) for m in reversed(newest)]
    row["message_count"] = count
    return to_struct(Chat, row)


async def create_session(*, user_id: UUID, data: UserSessionCreate) -> UserSession:
    """A new active session with its own empty chat."""
    created = now()
    chat_id, session_id = uuid4(), uuid4()
    async with write_transaction():
        await ChatTable.insert(
            ChatTable(
                id=chat_id,
                user_id=user_id,
                title=data.chat_title,
                context_data="{}",
                created_at=created,
                updated_at=created,
            )
        ).run()
        await UserSessionTable.insert(
            UserSessionTable(
                id=session_id,
                user_id=user_id,
                name=data.name,
                status=UserSessionStatus.ACTIVE,
                chat_id=chat_id,
                mission_id=None,
                session_metadata=to_json(data.session_metadata),
                created_at=created,
                updated_at=created,
                last_activity_at=created,
            )
        ).run()
    await events.announce_change(
        user_id=user_id,
        entity=WorkflowEntity.SESSION,
        entity_id=session_id,
        status=UserSessionStatus.ACTIVE,
        change=EntityChange.CREATED,
    )
    return await get_session(user_id=user_id, session_id=session_id)


async def get_session(*, user_id: UUID, session_id: UUID) -> UserSession:
    """A session with its chat and its mission embedded."""
    async with read_transaction():
        row = await _session_row(user_id, session_id)
        chat = await _chat(user_id, row["chat_id"])
    mission = None
    if row["mission_id"]:
        try:
            mission = await get_mission(user_id=user_id, mission_id=row["mission_id"])
        except NotFound:  # deleted since the session was read: the session no longer has one
            row["mission_id"] = None
    return to_struct(UserSession, row, chat=chat, mission=mission)


async def get_active_session(*, user_id: UUID) -> UserSession:
    """The most recently active session that is still `active`."""
    row = (
        await UserSessionTable.select(UserSessionTable.id)
        .where((UserSessionTable.user_id == user_id) & (UserSessionTable.status == UserSessionStatus.ACTIVE))
        .order_by(UserSessionTable.last_activity_at, ascending=False)
        .order_by(UserSessionTable.id, ascending=False)
        .first()
        .run()
    )
    if row is None:
        raise NotFound("active session")
    return await get_session(user_id=user_id, session_id=row["id"])


async def list_sessions(
    *, user_id: UUID, limit: int, offset: int, status: UserSessionStatus | None = None
) -> UserSessionPage:
    where: Combinable = UserSessionTable.user_id == user_id
    if status is not None:
        where &= UserSessionTable.status == status
    rows = (
        await UserSessionTable.select(*_SESSION_COLUMNS)
        .where(where)
        .order_by(UserSessionTable.last_activity_at, ascending=False)
        .order_by(UserSessionTable.id, ascending=False)
        .limit(limit)
        .offset(offset)
        .run()
    )
    total = await UserSessionTable.count().where(where).run()
    items = [to_struct(UserSessionInfo, decode_json_fields(r, _SESSION_JSON)) for r in rows]
    return UserSessionPage(items=items, total=total, limit=limit, offset=offset)


async def update_session(*, user_id: UUID, session_id: UUID, data: UserSessionUpdate) -> UserSession:
    changes: dict[Any, Any] = {}
    if data.name is not msgspec.UNSET:
        changes[UserSessionTable.name] = data.name
    if data.session_metadata is not msgspec.UNSET:
        changes[UserSessionTable.session_metadata] = to_json(data.session_metadata)
    async with write_transaction():
        await _session_row(user_id, session_id)
        if changes:
            changes[UserSessionTable.updated_at] = now()
            await (
                UserSessionTable.update(changes)
                .where((UserSessionTable.id == session_id) & (UserSessionTable.user_id == user_id))
                .run()
            )
    session = await get_session(user_id=user_id, session_id=session_id)
    if changes:
        await events.announce_change(
            user_id=user_id,
            entity=WorkflowEntity.SESSION,
            entity_id=session_id,
            status=session.status,
            change=EntityChange.UPDATED,
            mission_id=session.mission_id,
        )
    return session


async def append_message(*, user_id: UUID, session_id: UUID, data: ChatMessageCreate) -> ChatMessage:
    """Append a person's message to the session's chat. Clients post `user` messages only:
    the server writes the others (`write_message`)."""
    if data.role is not MessageRole.USER:
        raise InvalidInput(
            "body.role", "only `user` messages can be posted; `assistant` and `status` messages are the server's"
        )
    return await write_message(
        user_id=user_id, session_id=session_id, role=data.role, content=data.content, metadata=data.message_metadata
    )


_INSERT_MESSAGE_SQL = (
    "INSERT INTO chat_messages (id, user_id, chat_id, sequence_order, role, content, message_metadata, created_at) "
    "VALUES ({}, {}, {}, (SELECT COALESCE(MAX(m.sequence_order) + 1, 0) FROM chat_messages m WHERE m.chat_id = {}), "
    "{}, {}, {}, {}) RETURNING sequence_order"
)


async def insert_message(
    *, user_id: UUID, chat_id: UUID, role: MessageRole, content: str, metadata: str, at: datetime
) -> tuple[UUID, int]:
    """Insert a message at the end of a chat whose row the open transaction has locked
    (written by `write_message`, and by the transitions for their status messages); returns
    its id and sequence_order."""
    message_id = uuid4()
    rows = await ChatMessageTable.raw(
        _INSERT_MESSAGE_SQL, message_id, user_id, chat_id, chat_id, role.value, content, metadata, at
    ).run()
    return message_id, int(rows[0]["sequence_order"])


async def lock_chat(*, user_id: UUID, session_id: UUID, role: MessageRole, at: datetime) -> UUID:
    """In an open write transaction, before a message of `role` is inserted: the session's
    chat, its row locked (after the session's, the order a transition that writes its status
    message takes them). A person's message also moves the session's last activity."""
    table = UserSessionTable
    where = (table.id == session_id) & (table.user_id == user_id)
    if role is MessageRole.USER:
        rows = await table.update({table.last_activity_at: at}).where(where).returning(table.chat_id).run()
    else:
        rows = await table.select(table.chat_id).where(where).run()
    if not rows:
        raise NotFound("session", session_id)
    chat_id: UUID = rows[0]["chat_id"]
    await ChatTable.update({ChatTable.updated_at: at}).where(ChatTable.id == chat_id).run()
    return chat_id


async def write_message(
    *, user_id: UUID, session_id: UUID, role: MessageRole, content: str, metadata: dict[str, Any]
) -> ChatMessage:
    """Append to the session's chat; the sequence_order is the next free one, even under
    concurrent appends (the session's and then the chat's row locks order them, as a
    transition's status message takes them; the unique constraint backs it up). The message
    is announced on the event stream once stored."""
    for _ in range(_APPEND_ATTEMPTS):
        created = now()
        try:
            async with write_transaction():
                # Appends to one chat queue on its row lock (PostgreSQL) instead of racing for
                # the same sequence_order.
                chat_id = await lock_chat(user_id=user_id, session_id=session_id, role=role, at=created)
                message_id, sequence = await insert_message(
                    user_id=user_id, chat_id=chat_id, role=role, content=content, metadata=to_json(metadata), at=created
                )
        except Exception as exc:
            if is_unique_violation(exc):
                continue
            raise
        stored = ChatMessageStored(
            session_id=session_id,
            chat_id=chat_id,
            message_id=message_id,
            sequence_order=sequence,
            role=role,
            at=created,
        )
        await events.publish(user_id=user_id, events=[stored])
        return ChatMessage(
            id=message_id,
            chat_id=chat_id,
            sequence_order=sequence,
            role=role,
            content=content,
            message_metadata=metadata,
            created_at=created,
        )
    raise Conflict("The chat is receiving too many messages at once; try again")


async def list_messages(*, user_id: UUID, session_id: UUID, limit: int, offset: int) -> ChatMessagePage:
    async with read_transaction():
        session = await _session_row(user_id, session_id)
        where = (ChatMessageTable.chat_id == session["chat_id"]) & (ChatMessageTable.user_id == user_id)
        rows = (
            await ChatMessageTable.select(*_MESSAGE_COLUMNS)
            .where(where)
            .order_by(ChatMessageTable.sequence_order)
            .limit(limit)
            .offset(offset)
            .run()
        )
        total = await ChatMessageTable.count().where(where).run()
    items = [to_struct(ChatMessage, decode_json_fields(r, _MESSAGE_JSON)) for r in rows]
    return ChatMessagePage(items=items, total=total, limit=limit, offset=offset)

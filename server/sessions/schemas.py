"""Working sessions and their chat."""

from __future__ import annotations

from uuid import UUID

import msgspec

from server.enums import DEFAULT_USER_SESSION_STATUS, MessageRole, UserSessionStatus
from server.missions.schemas import Mission
from server.schemas import Input, Metadata, Name, Output, PageLimit, PageOffset, Text, Timestamp


class ChatMessage(Output, kw_only=True):
    """One message of a chat, in the chat's order."""

    id: UUID
    chat_id: UUID
    sequence_order: int
    """Position in the chat, assigned by the server: 0, 1, 2, ..."""
    role: MessageRole
    content: str
    message_metadata: Metadata
    created_at: Timestamp


class Chat(Output, kw_only=True):
    """The conversation of a session."""

    id: UUID
    title: str | None
    context_data: Metadata
    created_at: Timestamp
    updated_at: Timestamp
    messages: list[ChatMessage]
    """Every message, ordered by sequence_order."""


class ChatMessageCreate(Input, kw_only=True):
    """Append a message; the server assigns its sequence_order."""

    role: MessageRole
    content: Text
    message_metadata: Metadata = {}


class ChatMessagePage(Output, kw_only=True):
    """A page of messages in chat order."""

    items: list[ChatMessage]
    total: int
    limit: int
    offset: int


class UserSessionInfo(Output, kw_only=True):
    """A session without its embedded chat and mission."""

    id: UUID
    name: str | None
    status: UserSessionStatus = DEFAULT_USER_SESSION_STATUS
    chat_id: UUID
    mission_id: UUID | None
    session_metadata: Metadata
    created_at: Timestamp
    updated_at: Timestamp
    last_activity_at: Timestamp


class UserSession(UserSessionInfo, kw_only=True):
    """A session with its chat and, when it has one, its mission."""

    chat: Chat
    mission: Mission | None


class UserSessionCreate(Input, kw_only=True):
    """Start a session; its chat is created with it."""

    name: Name | None = None
    session_metadata: Metadata = {}
    chat_title: Name | None = None


class UserSessionUpdate(Input, kw_only=True):
    """Rename a session or replace its metadata; absent fields are left as they are."""

    name: Name | None | msgspec.UnsetType = msgspec.UNSET
    session_metadata: Metadata | msgspec.UnsetType = msgspec.UNSET


class UserSessionPage(Output, kw_only=True):
    """A page of sessions, most recently active first."""

    items: list[UserSessionInfo]
    total: int
    limit: int
    offset: int


__all__ = [
    "Chat",
    "ChatMessage",
    "ChatMessageCreate",
    "ChatMessagePage",
    "UserSession",
    "UserSessionCreate",
    "UserSessionInfo",
    "UserSessionPage",
    "UserSessionUpdate",
    "PageLimit",
    "PageOffset",
]

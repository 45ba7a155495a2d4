"""Routes for sessions and their chat."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from server.assistant import runner
from server.enums import UserSessionStatus
from server.params import DEFAULT_LIMIT, CurrentUserId, Limit, Offset
from server.sessions import service
from server.sessions.schemas import (
    ChatMessage,
    ChatMessageCreate,
    ChatMessagePage,
    UserSession,
    UserSessionCreate,
    UserSessionPage,
    UserSessionUpdate,
)
from server.workflow import transitions


class SessionController(Controller):
    path = "/api/sessions"
    tags = ["sessions"]

    @post("/", status_code=HTTP_201_CREATED, operation_id="create_session")
    async def create_session(self, user_id: CurrentUserId, data: JSONBody[UserSessionCreate]) -> UserSession:
        """Start a session; its chat is created with it."""
        return await service.create_session(user_id=user_id, data=data)

    @get("/", operation_id="list_sessions")
    async def list_sessions(
        self,
        user_id: CurrentUserId,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        status: FromQuery[UserSessionStatus | None] = None,
    ) -> UserSessionPage:
        """The user's sessions, most recently active first."""
        return await service.list_sessions(user_id=user_id, limit=limit, offset=offset, status=status)

    @get("/active", operation_id="get_active_session")
    async def get_active_session(self, user_id: CurrentUserId) -> UserSession:
        """The most recently active session that is still active (404 when there is none)."""
        return await service.get_active_session(user_id=user_id)

    @get("/{session_id:uuid}", operation_id="get_session")
    async def get_session(self, user_id: CurrentUserId, session_id: FromPath[UUID]) -> UserSession:
        """One session with its chat and mission embedded."""
        return await service.get_session(user_id=user_id, session_id=session_id)

    @patch("/{session_id:uuid}", operation_id="update_session")
    async def update_session(
        self, user_id: CurrentUserId, session_id: FromPath[UUID], data: JSONBody[UserSessionUpdate]
    ) -> UserSession:
        """Rename a session or replace its metadata."""
        return await service.update_session(user_id=user_id, session_id=session_id, data=data)

    @post("/{session_id:uuid}/archive", status_code=200, operation_id="archive_session")
    async def archive_session(self, user_id: CurrentUserId, session_id: FromPath[UUID]) -> UserSession:
        """0.1 Archive a session."""
        return await transitions.archive_session(user_id=user_id, session_id=session_id)

    @post("/{session_id:uuid}/messages", status_code=HTTP_201_CREATED, operation_id="append_chat_message")
    async def append_message(
        self, user_id: CurrentUserId, session_id: FromPath[UUID], data: JSONBody[ChatMessageCreate]
    ) -> ChatMessage:
        """Append a `user` message to the session's chat (other roles are the server's: 400). With
        an assistant configured, it answers: a turn starts, or the running one is followed by
        another that answers this message too (docs/assistant.md)."""
        message = await service.append_message(user_id=user_id, session_id=session_id, data=data)
        runner.request_turn(user_id=user_id, session_id=session_id)
        return message

    @get("/{session_id:uuid}/messages", operation_id="list_chat_messages")
    async def list_messages(
        self, user_id: CurrentUserId, session_id: FromPath[UUID], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> ChatMessagePage:
        """The chat's messages in order."""
        return await service.list_messages(user_id=user_id, session_id=session_id, limit=limit, offset=offset)

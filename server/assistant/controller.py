"""Routes of the chat assistant (docs/assistant.md). A turn starts when a `user` message is
posted (`POST /api/sessions/{session_id}/messages`); its reply streams on `GET /api/events`."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK

from server.assistant import service
from server.assistant.schemas import AssistantState
from server.params import CurrentUserId


class AssistantController(Controller):
    path = "/api/sessions"
    tags = ["assistant"]

    @get("/{session_id:uuid}/assistant", operation_id="get_assistant_state")
    async def get_assistant_state(self, user_id: CurrentUserId, session_id: FromPath[UUID]) -> AssistantState:
        """Whether an assistant is configured, and the turn running in this session."""
        return await service.get_state(user_id=user_id, session_id=session_id)

    @post("/{session_id:uuid}/assistant/cancel", status_code=HTTP_200_OK, operation_id="cancel_assistant_turn")
    async def cancel_assistant_turn(self, user_id: CurrentUserId, session_id: FromPath[UUID]) -> AssistantState:
        """Stop the turn running in this session (what it wrote so far is kept, marked stopped)."""
        return await service.cancel(user_id=user_id, session_id=session_id)

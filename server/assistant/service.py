"""The assistant as the API shows it: configured or not, and the turn running in a session."""

from __future__ import annotations

from uuid import UUID

from server.assistant import runner
from server.assistant.schemas import AssistantState, AssistantTurn
from server.assistant.tables import AssistantTurn as TurnTable
from server.database import to_struct
from server.errors import NotFound
from server.sessions.tables import UserSession as UserSessionTable
from server.settings import get_settings

_TURN_COLUMNS = (
    TurnTable.id,
    TurnTable.session_id,
    TurnTable.started_at,
    TurnTable.ended_at,
    TurnTable.cancel_requested,
)


async def _check_session(user_id: UUID, session_id: UUID) -> None:
    exists = (
        await UserSessionTable.exists()
        .where((UserSessionTable.id == session_id) & (UserSessionTable.user_id == user_id))
        .run()
    )
    if not exists:
        raise NotFound("session", session_id)


async def get_state(*, user_id: UUID, session_id: UUID) -> AssistantState:
    """Whether an assistant is configured (its model's name, never its key or address) and
    the turn running in the session."""
    await _check_session(user_id, session_id)
    settings = get_settings().assistant
    row = (
        await TurnTable.select(*_TURN_COLUMNS)
        .where((TurnTable.running_session_id == session_id) & (TurnTable.user_id == user_id))
        .first()
        .run()
    )
    return AssistantState(
        configured=settings.configured,
        model=settings.llm_model if settings.configured else None,
        turn=to_struct(AssistantTurn, row) if row else None,
    )


async def cancel(*, user_id: UUID, session_id: UUID) -> AssistantState:
    """Stop the session's running turn (its reply so far is stored, marked stopped); nothing
    happens when none runs."""
    await _check_session(user_id, session_id)
    await runner.cancel_turn(user_id=user_id, session_id=session_id)
    return await get_state(user_id=user_id, session_id=session_id)

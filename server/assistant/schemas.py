"""What the API says about the assistant: whether one is configured and the turn running in a
session. The model's key and address are never part of it."""

from __future__ import annotations

from uuid import UUID

from server.schemas import Output, Timestamp


class AssistantTurn(Output, kw_only=True):
    """One assistant turn: the answer to the messages posted before it started."""

    id: UUID
    session_id: UUID
    started_at: Timestamp
    ended_at: Timestamp | None
    """Null while the turn runs."""
    cancel_requested: bool


class AssistantState(Output, kw_only=True):
    """The assistant of a session: configured or not, and the turn running now."""

    configured: bool
    """False without `LLM_BASE_URL`: everything works through the forms, and nothing answers in the chat."""
    model: str | None
    """The model's name, when configured."""
    turn: AssistantTurn | None
    """The turn running in this session, if any."""

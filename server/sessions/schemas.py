"""Working sessions and their chat."""

from __future__ import annotations

from uuid import UUID

import msgspec

from server.enums import DEFAULT_USER_SESSION_STATUS, Actor, MessageRole, TurnOutcome, UserSessionStatus, WorkflowEntity
from server.missions.schemas import HopImplementationProposal, HopPlanProposal, Mission, MissionProposal
from server.schemas import Input, Metadata, Name, Output, PageLimit, PageOffset, Text, Timestamp

RECENT_MESSAGES = 100
"""How many of a chat's messages its session carries: the newest ones. The earlier ones are
read in pages from `GET /api/sessions/{id}/messages` (docs/domain.md, "UserSession")."""


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
    """The newest messages (at most 100), ordered by sequence_order: a long chat's earlier
    messages are read in pages from its messages route."""
    message_count: int
    """How many messages the chat holds in all (the first of `messages` is at position
    `message_count - len(messages)`)."""


class ChatMessageCreate(Input, kw_only=True):
    """Append a message; the server assigns its sequence_order. Clients post `user` messages
    only: `assistant` and `status` messages are written by the server (docs/assistant.md)."""

    role: MessageRole
    """Must be `user`."""
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


# What the server writes into a message's metadata ---------------------------------------------


class MissionProposalCard(Output, kw_only=True, tag="mission", tag_field="kind"):
    """A proposed mission, as it was proposed (the card the chat shows for it)."""

    mission_id: UUID
    proposal: MissionProposal
    replaces_mission_id: UUID | None = None
    """The pending mission this proposal replaced (cancelled in the same transition)."""


class HopPlanProposalCard(Output, kw_only=True, tag="hop_plan", tag_field="kind"):
    """A proposed hop plan, as it was proposed."""

    mission_id: UUID
    hop_id: UUID
    proposal: HopPlanProposal


class HopImplementationProposalCard(Output, kw_only=True, tag="hop_implementation", tag_field="kind"):
    """A proposed tool chain, as it was proposed (resource values left out: they may be secret)."""

    mission_id: UUID
    hop_id: UUID
    proposal: HopImplementationProposal


ProposalCard = MissionProposalCard | HopPlanProposalCard | HopImplementationProposalCard


class StatusNote(Output, kw_only=True):
    """The metadata of a `status` message: the transition it records. Every transition writes
    one into the chat of each session that holds its mission, in its own transaction."""

    transition: str
    """The transition's name (docs/state-machine.md)."""
    number: str
    entity: WorkflowEntity
    entity_id: UUID
    status: str
    """The entity's status after the transition."""
    mission_id: UUID | None
    hop_id: UUID | None
    actor: Actor
    proposal: ProposalCard | None = None
    """What a propose transition proposed: the chat shows it as a card to accept or reject."""


class TurnTimings(Output, kw_only=True):
    """Where an assistant turn spent its time, in milliseconds."""

    total_ms: float
    model_ms: float
    """Waiting for the model (requests and streamed answers)."""
    first_token_ms: float | None = None
    """From the start of the turn to the first piece of text."""


class AssistantNote(Output, kw_only=True):
    """The metadata of an `assistant` message: the turn that wrote it and how it ended."""

    turn_id: UUID
    outcome: TurnOutcome
    model: str
    started_at: Timestamp | None = None
    """When the turn started: messages posted after it were answered by a later turn."""
    reason: str | None = None
    """Why the turn failed or stopped, for people."""
    failure: str | None = None
    """The kind of failure (`timeout`, `rate_limited`, `invalid_proposal`, ...)."""
    proposals: list[str] = []
    """The transitions the turn performed (`propose_mission`, ...)."""
    timings: TurnTimings | None = None


# Live chat events (`event: chat` on the event stream) -----------------------------------------


class ChatMessageStored(Output, kw_only=True, tag="message_stored", tag_field="type"):
    """A message was stored in a session's chat (by the user, the assistant or a transition)."""

    session_id: UUID
    chat_id: UUID
    message_id: UUID
    sequence_order: int
    role: MessageRole
    at: Timestamp


class AssistantTurnStarted(Output, kw_only=True, tag="turn_started", tag_field="type"):
    """The assistant started answering in a session."""

    session_id: UUID
    turn_id: UUID
    at: Timestamp


class AssistantTokens(Output, kw_only=True, tag="tokens", tag_field="type"):
    """The next piece of the assistant's reply, as the model streams it."""

    session_id: UUID
    turn_id: UUID
    text: str
    at: Timestamp


class AssistantActivity(Output, kw_only=True, tag="activity", tag_field="type"):
    """What the assistant is doing besides writing: looking something up, proposing."""

    session_id: UUID
    turn_id: UUID
    activity: str
    at: Timestamp


class AssistantTurnEnded(Output, kw_only=True, tag="turn_ended", tag_field="type"):
    """The assistant's turn ended; its reply is stored (a `message_stored` event came first)."""

    session_id: UUID
    turn_id: UUID
    outcome: TurnOutcome
    at: Timestamp


ChatEvent = ChatMessageStored | AssistantTurnStarted | AssistantTokens | AssistantActivity | AssistantTurnEnded


__all__ = [
    "AssistantActivity",
    "AssistantNote",
    "AssistantTokens",
    "AssistantTurnEnded",
    "AssistantTurnStarted",
    "ChatEvent",
    "ChatMessageStored",
    "HopImplementationProposalCard",
    "HopPlanProposalCard",
    "MissionProposalCard",
    "ProposalCard",
    "StatusNote",
    "TurnTimings",
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

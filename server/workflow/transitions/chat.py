"""Every transition writes a `status` message into the chat of each session that holds its
mission (or of the session itself), inside the transition's own write transaction: a
committed transition always has its message, a rolled-back one never does
(docs/assistant.md, "Status messages").

The message's metadata is a `StatusNote`: the transition, the entity and its new status, who
performed it, and for a proposal what was proposed (`ProposalCard`), which the chat shows as
a card with its Accept and Reject buttons.

Locks, on PostgreSQL: a transition holds its mission's row, then the sessions' rows it
changed; the chat's row comes last (the same order as appending a message: the session, then
the chat), so a transition and a message posted at the same time queue instead of deadlocking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from piccolo.custom_types import Combinable

from server.database import to_json
from server.enums import Actor, MessageRole, MissionStatus, WorkflowEntity, label
from server.sessions import service as sessions
from server.sessions.schemas import ChatMessageStored, StatusNote
from server.sessions.tables import Chat as ChatTable
from server.sessions.tables import UserSession as UserSessionTable
from server.workflow.state_machine import NOUNS, STATUSES, Transition

if TYPE_CHECKING:
    from server.workflow.transitions.unit import Work


def status_text(rule: Transition, result: Any, work: Work) -> str:
    """What the status message says, for people: `Hop “Rank” is now plan ready.` (the
    transition itself is in the metadata; the text names no button, so it never reads as one)."""
    entity = rule.creates or rule.entity
    noun = NOUNS[entity]
    name = getattr(result, "name", None)
    subject = f"{noun.capitalize()} “{name}”" if name else f"The {noun}"
    status = str(getattr(result, "status", rule.target))
    # The status in the words the screens show (server/enums.py labels).
    text = f"{subject} is now {label(status, STATUSES[entity]).lower()}"
    error = getattr(result, "error_message", None)
    if error and rule.entity is WorkflowEntity.TOOL_STEP:
        text += f": {error}"
    text += "."
    mission_done = any(
        event.entity is WorkflowEntity.MISSION and event.status == MissionStatus.COMPLETED
        for event in work.events.items
    )
    if mission_done and (rule.creates or rule.entity) is not WorkflowEntity.MISSION:
        text += " The mission is completed."
    if work.proposal is not None and getattr(work.proposal, "replaces_mission_id", None):
        text += " It replaces the mission proposed before, now cancelled."
    return text


def _scope(work: Work) -> tuple[set[UUID], set[UUID]]:
    """The missions and the sessions a transition's events name."""
    missions = {event.mission_id for event in work.events.items if event.mission_id is not None}
    sessions = {event.id for event in work.events.items if event.entity is WorkflowEntity.SESSION}
    return missions, sessions


async def _sessions_and_chats(work: Work) -> list[dict[str, Any]]:
    missions, sessions = _scope(work)
    table = UserSessionTable
    conditions: list[Combinable] = []
    if missions:
        conditions.append(table.mission_id.is_in(list(missions)))
    if sessions:
        conditions.append(table.id.is_in(list(sessions)))
    if not conditions:
        return []
    where = conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1]
    rows: list[dict[str, Any]] = (
        await table.select(table.id, table.chat_id)
        .where((table.user_id == work.user_id) & where)
        .order_by(table.id)
        .run()
    )
    return rows


async def record_in_chat(work: Work, rule: Transition, result: Any, actor: Actor) -> list[UUID]:
    """Write the transition's status message into the chats of the sessions it concerns (in
    the open transaction); returns those sessions' ids. The message events go with the
    transition's events, after commit."""
    targets = await _sessions_and_chats(work)
    if not targets:
        return []
    entity = rule.creates or rule.entity
    entity_id: UUID = result.id
    events = [event for event in work.events.items if event.id == entity_id] or work.events.items
    note = StatusNote(
        transition=rule.name,
        number=rule.number,
        entity=entity,
        entity_id=entity_id,
        status=str(getattr(result, "status", rule.target)),
        mission_id=next((event.mission_id for event in events if event.mission_id), None),
        hop_id=next((event.hop_id for event in events if event.hop_id), None),
        actor=actor,
        proposal=work.proposal,
    )
    content = status_text(rule, result, work)
    metadata = to_json(msgspec.to_builtins(note))
    chat_ids = [row["chat_id"] for row in targets]
    await ChatTable.update({ChatTable.updated_at: work.at}).where(ChatTable.id.is_in(chat_ids)).run()
    for row in targets:
        message_id, sequence = await sessions.insert_message(
            user_id=work.user_id,
            chat_id=row["chat_id"],
            role=MessageRole.STATUS,
            content=content,
            metadata=metadata,
            at=work.at,
        )
        work.events.chat.append(
            ChatMessageStored(
                session_id=row["id"],
                chat_id=row["chat_id"],
                message_id=message_id,
                sequence_order=sequence,
                role=MessageRole.STATUS,
                at=work.at,
            )
        )
    return [row["id"] for row in targets]

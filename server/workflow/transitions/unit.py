"""The unit of work every transition runs in (docs/architecture.md, "Transitions").

`@transition` turns `async def name(work: Work, *, user_id: UUID, ...) -> Result` into the
public transition `name(user_id=..., ...)`. Each call takes the time, opens one write
transaction, runs the body, writes the transition's `status` message into the chats of the
sessions it concerns (`chat.record_in_chat`, in the same transaction), publishes the events
once the transaction has committed, and then tells the after-commit hooks (`AFTER_COMMIT`:
the assistant's, which may start a turn). Who performs it (`acting_as`) is recorded in the
message: a person, the assistant or the server.

A transaction that PostgreSQL aborted to break a deadlock (rows locked in another order, e.g.
a mission cancelled while its step completes) runs again from the start: nothing was
committed, so running it again is safe.

Inside, `Work.move` is the conditional status change of the transition table
(`server/workflow/state_machine.py`): `UPDATE ... WHERE status IN (requires)`; zero rows means
the row is missing (404) or in another status (409 naming both). Under concurrency exactly one
caller sees its row change: SQLite queues writers (`BEGIN IMMEDIATE`), PostgreSQL re-checks
the condition after the row lock.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID

from piccolo.table import Table

from server.assets.tables import Asset as AssetTable
from server.database import is_sqlite, now, write_transaction
from server.enums import Actor, WorkflowEntity
from server.errors import NotFound
from server.missions.tables import Hop as HopTable
from server.missions.tables import Mission as MissionTable
from server.sessions.schemas import ChatEvent, ProposalCard
from server.workflow import events
from server.workflow.events import WorkflowEvent
from server.workflow.refusals import refused
from server.workflow.state_machine import BY_NAME, NOUNS, StatusChange, Transition
from server.workflow.transitions.chat import record_in_chat

logger = logging.getLogger("server.transitions")
P = ParamSpec("P")
R = TypeVar("R")
RETRIES_AFTER_DEADLOCK = 3
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def retry_on_deadlock(run: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run again (a bounded number of times) when PostgreSQL aborted the transaction to break a
    deadlock or a serialization conflict; the rerun sees the other transaction's outcome and
    succeeds or is refused like any other request. Other errors pass through."""

    @functools.wraps(run)
    async def again(*args: P.args, **kwargs: P.kwargs) -> R:
        for _ in range(RETRIES_AFTER_DEADLOCK):
            try:
                return await run(*args, **kwargs)
            except Exception as exc:
                if getattr(exc, "sqlstate", None) not in _RETRYABLE_SQLSTATES:
                    raise
        return await run(*args, **kwargs)

    return again


class Events:
    """Status changes collected during a transaction, announced once it has committed."""

    def __init__(self, user_id: UUID, at: datetime) -> None:
        self.user_id = user_id
        self.at = at
        self.items: list[WorkflowEvent] = []
        self.chat: list[ChatEvent] = []

    def add(
        self,
        entity: WorkflowEntity,
        entity_id: UUID,
        status: StrEnum | str,
        *,
        mission_id: UUID | None = None,
        hop_id: UUID | None = None,
    ) -> None:
        self.items.append(
            WorkflowEvent(
                entity=entity, id=entity_id, status=str(status), mission_id=mission_id, hop_id=hop_id, at=self.at
            )
        )

    def add_many(self, entity: WorkflowEntity, ids: Iterable[UUID], status: StrEnum | str, **scope: Any) -> None:
        for entity_id in ids:
            self.add(entity, entity_id, status, **scope)

    async def publish(self) -> None:
        if self.items or self.chat:
            await events.publish(user_id=self.user_id, events=[*self.items, *self.chat])


_LOCK_BY = {
    WorkflowEntity.MISSION: "SELECT m.id FROM missions m WHERE m.id = {} AND m.user_id = {} FOR UPDATE",
    WorkflowEntity.HOP: (
        "SELECT m.id FROM missions m JOIN hops h ON h.mission_id = m.id "
        "WHERE h.id = {} AND m.user_id = {} FOR UPDATE OF m"
    ),
    WorkflowEntity.TOOL_STEP: (
        "SELECT m.id FROM missions m JOIN hops h ON h.mission_id = m.id JOIN tool_steps s ON s.hop_id = h.id "
        "WHERE s.id = {} AND m.user_id = {} FOR UPDATE OF m"
    ),
}


class Work:
    """One run of a transition: who, when, and the events to announce after commit."""

    def __init__(self, user_id: UUID) -> None:
        self.user_id = user_id
        self.at = now()
        self.events = Events(user_id, self.at)
        self.proposal: ProposalCard | None = None
        """Set by a propose transition: what it proposed, for the chat's card."""

    async def lock_mission_of(self, entity: WorkflowEntity, entity_id: UUID) -> None:
        """On PostgreSQL, hold the row of the mission that owns this mission, hop or step until
        the transaction ends. Transitions that write at several levels take it first, like the
        deletes do, so that concurrent writers to one mission's tree queue in one order (no
        deadlock, no asset orphaned by a racing delete). SQLite's write transaction already
        holds the whole database; a missing row is left for the transition to report."""
        if not is_sqlite():
            await MissionTable.raw(_LOCK_BY[entity], entity_id, self.user_id).run()

    async def move(
        self,
        table: type[Table],
        transition: Transition,
        entity_id: UUID,
        *,
        target: StrEnum | None = None,
        changes: dict[Any, Any] | None = None,
        returning: Iterable[Any] = (),
    ) -> dict[str, Any]:
        """Move the transition's entity from one of its required statuses to its target (or
        `target`, for a transition whose condition is not met yet), with `changes`. Returns the
        changed row's `returning` columns (values after the change)."""
        return await self.change_status(
            table,
            transition.entity,
            entity_id,
            requires=transition.requires,
            target=target or transition.target,
            action=transition.action,
            changes=changes,
            returning=returning,
        )

    async def move_hop(
        self,
        transition: Transition,
        hop_id: UUID,
        *,
        changes: dict[Any, Any] | None = None,
        returning: Iterable[Any] = (),
        locked: bool = False,
    ) -> dict[str, Any]:
        """The opening of a hop transition: lock the hop's mission (unless the transition has
        `locked` it already), move the hop, announce it. Returns the hop's `mission_id` and the
        `returning` columns."""
        if not locked:
            await self.lock_mission_of(WorkflowEntity.HOP, hop_id)
        hop = await self.move(
            HopTable, transition, hop_id, changes=changes, returning=[HopTable.mission_id, *returning]
        )
        self.events.add(WorkflowEntity.HOP, hop_id, transition.target, mission_id=hop["mission_id"], hop_id=hop_id)
        return hop

    async def apply(
        self, table: type[Table], effect: StatusChange, entity_id: UUID, *, action: str, returning: Iterable[Any] = ()
    ) -> dict[str, Any]:
        """Apply one of a transition's effects to one row, refused like a transition."""
        return await self.change_status(
            table,
            effect.entity,
            entity_id,
            requires=effect.requires,
            target=effect.target,
            action=action,
            returning=returning,
        )

    async def change_status(
        self,
        table: Any,
        entity: WorkflowEntity,
        entity_id: UUID,
        *,
        requires: tuple[StrEnum, ...],
        target: StrEnum,
        action: str,
        changes: dict[Any, Any] | None = None,
        returning: Iterable[Any] = (),
    ) -> dict[str, Any]:
        where = (table.id == entity_id) & (table.user_id == self.user_id) & table.status.is_in(list(requires))
        values = {table.status: target, **(changes or {}), table.updated_at: self.at}
        changed = await table.update(values).where(where).returning(table.id, *returning).run()
        if changed:
            row: dict[str, Any] = changed[0]
            return row
        current = (
            await table.select(table.status)
            .where((table.id == entity_id) & (table.user_id == self.user_id))
            .first()
            .run()
        )
        if current is None:
            raise NotFound(NOUNS[entity], entity_id)
        raise refused(entity, entity_id, current["status"], requires, action)

    async def set_asset_status(self, ids: list[UUID], status: StrEnum, **scope: Any) -> None:
        """Set the status of these assets of the user (an effect; no status is required)."""
        if not ids:
            return
        rows = (
            await AssetTable.update({AssetTable.status: status, AssetTable.updated_at: self.at})
            .where((AssetTable.user_id == self.user_id) & AssetTable.id.is_in(ids))
            .returning(AssetTable.id)
            .run()
        )
        self.events.add_many(WorkflowEntity.ASSET, [r["id"] for r in rows], status, **scope)


_ACTOR: ContextVar[Actor | None] = ContextVar("transition_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Transitions performed inside are recorded as `actor`'s (by default a routed transition
    is a person's and one only the server performs is the server's)."""
    token = _ACTOR.set(actor)
    try:
        yield
    finally:
        _ACTOR.reset(token)


@dataclass(frozen=True, slots=True)
class Committed:
    """A transition that has committed, as the after-commit hooks see it."""

    user_id: UUID
    transition: Transition
    actor: Actor
    session_ids: tuple[UUID, ...]
    """The sessions whose chat recorded it."""


AFTER_COMMIT: list[Callable[[Committed], None]] = []
"""Called after each transition has committed and published its events (quickly: a hook
that has work to do schedules it)."""


def _after_commit(committed: Committed) -> None:
    for hook in list(AFTER_COMMIT):
        try:
            hook(committed)
        except Exception:  # a hook must never undo what committed
            logger.exception("after-commit hook failed for %s", committed.transition.name)


def transition(body: Callable[Concatenate[Work, P], Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """The public transition of `body(work, *, user_id, ...)`: one write transaction per
    attempt (with the transition's status message in the chat), rerun after a deadlock,
    events published after commit, then the after-commit hooks."""
    rule = BY_NAME[body.__name__]

    @retry_on_deadlock
    @functools.wraps(body)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        user_id = kwargs["user_id"]
        if not isinstance(user_id, UUID):
            raise TypeError("a transition takes user_id=UUID")
        actor = _ACTOR.get() or (Actor.PERSON if rule.routed else Actor.SERVER)
        work = Work(user_id)
        async with write_transaction():
            result = await body(work, *args, **kwargs)
            sessions = await record_in_chat(work, rule, result, actor)
        await work.events.publish()
        _after_commit(Committed(user_id=user_id, transition=rule, actor=actor, session_ids=tuple(sessions)))
        return result

    return run

"""Runs assistant turns in background tasks of the server process (docs/assistant.md, "Turns").

One turn at a time per session, whichever process runs it: a turn holds its session's slot
(`assistant_turns.running_session_id`, unique) until it ends. A message posted while a turn
runs is stored at once (201) and waits: the running turn is asked for a follow-up, and when
it ends one more turn answers everything posted meanwhile. So a second message never gets a
409 and is never lost.

A turn is started by a user's message, and by a person's (or the executor's) transition that
moves the design on (`TRIGGERS`: the mission or a hop plan accepted, a hop completed or
failed) in a session where the user talks to the assistant. It ends with its reply stored in
the chat; it can be cancelled (`cancel_turn`, from any process: the turn's heartbeat reads
the request), it is stopped after `ASSISTANT_TURN_SECONDS`, and a turn whose process stopped
is recognised by its heartbeat's age and ended with a message saying so.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from server.assistant.tables import AssistantTurn as TurnTable
from server.assistant.turn import Turn, TurnReport
from server.database import is_unique_violation, now, to_json, write_transaction
from server.enums import Actor, MessageRole, TurnOutcome
from server.errors import NotFound
from server.llm import ModelConfig, close_models, language_model
from server.sessions import service as sessions
from server.sessions.schemas import (
    AssistantNote,
    AssistantTurnEnded,
    AssistantTurnStarted,
    ChatMessageStored,
    TurnTimings,
)
from server.sessions.tables import ChatMessage as ChatMessageTable
from server.sessions.tables import UserSession as UserSessionTable
from server.settings import get_settings
from server.workflow import events, transitions
from server.workflow.state_machine import Transitions

logger = logging.getLogger("server.assistant")

HEARTBEAT_SECONDS = 2.0
STALE_SECONDS = 20.0
"""A running turn whose heartbeat is older than this has no live process."""
STOP_GRACE_SECONDS = 5.0
_CLAIM_ATTEMPTS = 5
TRIGGERS = frozenset(
    transition.name
    for transition in (
        Transitions.ACCEPT_MISSION,
        Transitions.ACCEPT_HOP_PLAN,
        Transitions.COMPLETE_HOP,
        Transitions.FAIL_TOOL_STEP,
        Transitions.REVISE_HOP,
    )
)
"""Transitions after which the assistant takes its turn (designs the next thing, or explains)."""
STOPPED_TEXT = "(Stopped.)"
SERVER_STOPPED = "The server stopped while the assistant was answering; ask again."
NOT_CONFIGURED = "No assistant is configured: work through the forms."

_running: dict[UUID, asyncio.Task[None]] = {}
"""Session id -> the task running its turns in this process."""
_background: set[asyncio.Task[Any]] = set()


def _spawn(work: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
    task = asyncio.get_running_loop().create_task(work, name=name)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


def request_turn(*, user_id: UUID, session_id: UUID) -> None:
    """Have the assistant answer the session's chat: start a turn, or, while one runs, ask it
    for a follow-up. Returns at once; does nothing when no assistant is configured."""
    if get_settings().assistant.configured:
        _spawn(_start(user_id, session_id), f"assistant request {session_id}")


async def _start(user_id: UUID, session_id: UUID) -> None:
    try:
        for _ in range(_CLAIM_ATTEMPTS):
            turn_id = await _claim(user_id, session_id)
            if turn_id is not None:
                task = _spawn(_turns(user_id, session_id, turn_id), f"assistant turns {session_id}")
                _running[session_id] = task
                task.add_done_callback(lambda done: _forget(session_id, done))
                return
            if await _ask_for_follow_up(session_id):
                return
        logger.warning("could not start an assistant turn in session %s", session_id)
    except Exception:
        logger.exception("could not start an assistant turn in session %s", session_id)


def _forget(session_id: UUID, task: asyncio.Task[Any]) -> None:
    if _running.get(session_id) is task:
        del _running[session_id]


async def _claim(user_id: UUID, session_id: UUID) -> UUID | None:
    """A new turn holding the session's slot, or None when a live turn holds it already (one
    whose process stopped is ended first)."""
    for attempt in range(2):
        turn_id = await _insert_turn(user_id, session_id)
        if turn_id is not None or attempt or not await end_stale_turns(session_id=session_id):
            return turn_id
    return None


async def _insert_turn(user_id: UUID, session_id: UUID) -> UUID | None:
    turn_id, at = uuid4(), now()
    try:
        await TurnTable.insert(
            TurnTable(
                id=turn_id,
                user_id=user_id,
                session_id=session_id,
                running_session_id=session_id,
                follow_up=False,
                cancel_requested=False,
                started_at=at,
                heartbeat_at=at,
                ended_at=None,
            )
        ).run()
    except Exception as exc:
        if is_unique_violation(exc):
            return None
        raise
    return turn_id


async def _ask_for_follow_up(session_id: UUID) -> bool:
    rows = (
        await TurnTable.update({TurnTable.follow_up: True})
        .where(TurnTable.running_session_id == session_id)
        .returning(TurnTable.id)
        .run()
    )
    return bool(rows)


async def _turns(user_id: UUID, session_id: UUID, turn_id: UUID) -> None:
    """Run the turn, then the follow-ups asked for while it ran."""
    current: UUID | None = turn_id
    while current is not None:
        follow_up = await _one_turn(user_id, session_id, current)
        current = await _claim(user_id, session_id) if follow_up else None


async def _one_turn(user_id: UUID, session_id: UUID, turn_id: UUID) -> bool:
    """Run one turn and store its reply; returns whether a follow-up was asked for."""
    settings = get_settings().assistant
    config = ModelConfig.from_settings(settings)
    if config is None:  # the setting went away since the turn was asked for
        report = _stopped(TurnReport(), "not_configured", NOT_CONFIGURED)
        return await _finish(user_id, session_id, turn_id, report, "")
    turn = Turn(
        user_id=user_id, session_id=session_id, turn_id=turn_id, model=language_model(config), settings=settings
    )
    await events.publish(
        user_id=user_id, events=[AssistantTurnStarted(session_id=session_id, turn_id=turn_id, at=now())]
    )
    current = asyncio.current_task()
    assert current is not None
    beat = asyncio.get_running_loop().create_task(_heartbeat(turn_id, current), name=f"heartbeat {turn_id}")
    try:
        async with asyncio.timeout(settings.turn_seconds):
            report = await turn.run()
    except TimeoutError:
        report = _stopped(turn.report, "turn_time_limit", f"The turn took longer than {settings.turn_seconds:g} s.")
    except asyncio.CancelledError:
        report = turn.report
        report.outcome, report.reason = TurnOutcome.CANCELLED, "Stopped before the end of the answer."
    except Exception:
        logger.exception("assistant turn %s failed", turn_id)
        report = _stopped(turn.report, "internal_error", "The assistant failed unexpectedly; ask again.")
    finally:
        beat.cancel()
    return await asyncio.shield(_finish(user_id, session_id, turn_id, report, config.model))


def _stopped(report: TurnReport, failure: str, reason: str) -> TurnReport:
    report.outcome, report.failure, report.reason = TurnOutcome.FAILED, failure, reason
    return report


def reply_text(report: TurnReport) -> str:
    """The stored reply: what streamed, and why it stopped when it did not end well."""
    text = report.text
    if report.outcome is TurnOutcome.CANCELLED:
        return f"{text}\n\n{STOPPED_TEXT}" if text else STOPPED_TEXT
    if report.outcome is TurnOutcome.FAILED:
        return f"{text}\n\n{report.reason}" if text else report.reason or "The assistant could not answer."
    return text


async def _finish(user_id: UUID, session_id: UUID, turn_id: UUID, report: TurnReport, model: str) -> bool:
    total = time.perf_counter() - report.started
    note = AssistantNote(
        turn_id=turn_id,
        outcome=report.outcome,
        model=model,
        started_at=now() - timedelta(seconds=total),
        reason=report.reason,
        failure=report.failure,
        proposals=report.proposals,
        timings=TurnTimings(
            total_ms=total * 1000,
            model_ms=report.model_seconds * 1000,
            first_token_ms=None if report.first_token_seconds is None else report.first_token_seconds * 1000,
        ),
    )
    return await _store_and_end(user_id, session_id, turn_id, reply_text(report), note)


async def _store_and_end(user_id: UUID, session_id: UUID, turn_id: UUID, content: str, note: AssistantNote) -> bool:
    """Store the reply and end the turn in one transaction, then announce both; returns
    whether a follow-up was asked for (and not cancelled)."""
    for _ in range(3):
        at = now()
        stored: list[Any] = []
        try:
            async with write_transaction():
                try:
                    chat_id = await sessions.lock_chat(
                        user_id=user_id, session_id=session_id, role=MessageRole.ASSISTANT, at=at
                    )
                    message_id, sequence = await sessions.insert_message(
                        user_id=user_id,
                        chat_id=chat_id,
                        role=MessageRole.ASSISTANT,
                        content=content,
                        metadata=to_json(note),
                        at=at,
                    )
                    stored.append(
                        ChatMessageStored(
                            session_id=session_id,
                            chat_id=chat_id,
                            message_id=message_id,
                            sequence_order=sequence,
                            role=MessageRole.ASSISTANT,
                            at=at,
                        )
                    )
                except NotFound:
                    logger.info("session %s is gone; the assistant's reply is dropped", session_id)
                rows = (
                    await TurnTable.update({TurnTable.running_session_id: None, TurnTable.ended_at: at})
                    .where(TurnTable.id == turn_id)
                    .returning(TurnTable.follow_up, TurnTable.cancel_requested)
                    .run()
                )
        except Exception as exc:
            if is_unique_violation(exc):
                continue
            raise
        ended = AssistantTurnEnded(session_id=session_id, turn_id=turn_id, outcome=note.outcome, at=at)
        await events.publish(user_id=user_id, events=[*stored, ended])
        return bool(rows) and rows[0]["follow_up"] and not rows[0]["cancel_requested"]
    raise RuntimeError(f"could not store the reply of assistant turn {turn_id}")


async def _store_reply(user_id: UUID, session_id: UUID, content: str, metadata: dict[str, Any]) -> None:
    try:
        await sessions.write_message(
            user_id=user_id, session_id=session_id, role=MessageRole.ASSISTANT, content=content, metadata=metadata
        )
    except NotFound:
        logger.info("session %s is gone; the assistant's reply is dropped", session_id)


async def _heartbeat(turn_id: UUID, turn: asyncio.Task[Any]) -> None:
    """Keep the turn's row fresh; cancel the turn when a cancellation was asked for (by any
    process)."""
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        try:
            rows = (
                await TurnTable.update({TurnTable.heartbeat_at: now()})
                .where(TurnTable.id == turn_id)
                .returning(TurnTable.cancel_requested)
                .run()
            )
        except Exception:
            logger.warning("assistant turn %s: heartbeat failed", turn_id, exc_info=True)
            continue
        if rows and rows[0]["cancel_requested"]:
            turn.cancel()
            return


async def cancel_turn(*, user_id: UUID, session_id: UUID) -> bool:
    """Ask the session's running turn to stop (no follow-up either); True when one was running."""
    rows = (
        await TurnTable.update({TurnTable.cancel_requested: True, TurnTable.follow_up: False})
        .where((TurnTable.running_session_id == session_id) & (TurnTable.user_id == user_id))
        .returning(TurnTable.id)
        .run()
    )
    task = _running.get(session_id)
    if rows and task is not None and not task.done():
        task.cancel()
    return bool(rows)


async def end_stale_turns(*, session_id: UUID | None = None) -> int:
    """End the turns whose process stopped (their heartbeat is too old), each with a message
    saying so; returns how many."""
    cutoff = now() - timedelta(seconds=STALE_SECONDS)
    where = TurnTable.running_session_id.is_not_null() & (TurnTable.heartbeat_at < cutoff)
    if session_id is not None:
        where &= TurnTable.running_session_id == session_id
    rows = (
        await TurnTable.update({TurnTable.running_session_id: None, TurnTable.ended_at: now()})
        .where(where)
        .returning(TurnTable.id, TurnTable.user_id, TurnTable.session_id)
        .run()
    )
    for row in rows:
        note = AssistantNote(
            turn_id=row["id"], outcome=TurnOutcome.FAILED, model="", reason=SERVER_STOPPED, failure="server_stopped"
        )
        await _store_reply(row["user_id"], row["session_id"], SERVER_STOPPED, msgspec.to_builtins(note))
    return len(rows)


def _after_transition(committed: transitions.Committed) -> None:
    """After a person's or the executor's transition that moves the design on, the assistant
    takes its turn in the sessions that recorded it, where the user talks to it."""
    if committed.actor is Actor.ASSISTANT or committed.transition.name not in TRIGGERS:
        return
    if not get_settings().assistant.configured:
        return
    for session_id in committed.session_ids:
        _spawn(_start_if_talking(committed.user_id, session_id), f"assistant after {committed.transition.name}")


async def _start_if_talking(user_id: UUID, session_id: UUID) -> None:
    chats = UserSessionTable.select(UserSessionTable.chat_id).where(
        (UserSessionTable.id == session_id) & (UserSessionTable.user_id == user_id)
    )
    talking = (
        await ChatMessageTable.exists()
        .where(
            (ChatMessageTable.user_id == user_id)
            & (ChatMessageTable.role == MessageRole.USER)
            & ChatMessageTable.chat_id.is_in(chats)
        )
        .run()
    )
    if talking:
        await _start(user_id, session_id)


async def stop_turns(grace_seconds: float = STOP_GRACE_SECONDS) -> None:
    """Cancel the turns this process runs; each stores what it had (marked stopped)."""
    tasks = [task for task in _running.values() if not task.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=grace_seconds)


@asynccontextmanager
async def assistant_lifespan(_: Any) -> AsyncIterator[None]:
    """The assistant's part of the app's lifespan: its after-commit hook, the turns a stopped
    server left running ended at start-up, running turns stopped and the model clients
    closed at shut-down."""
    transitions.AFTER_COMMIT.append(_after_transition)
    try:
        await end_stale_turns()
    except Exception:
        logger.exception("could not end the assistant turns left running")
    try:
        yield
    finally:
        transitions.AFTER_COMMIT.remove(_after_transition)
        await stop_turns()
        await close_models()

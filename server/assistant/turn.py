"""One assistant turn (docs/assistant.md, "A turn"): the model's answer to the chat, streamed
to the page token by token, with the functions it calls carried out in between.

The model is asked again after each look-up, and after each proposal that did not go through
(its errors go back as the function's answer), a bounded number of times
(`ASSISTANT_PROPOSAL_ATTEMPTS`, `ASSISTANT_MAX_MODEL_REQUESTS`). A proposal that is stored
ends the turn: the user decides next. A model that answers in plain text is chatting: its
text is the reply. A failure of the model (unreachable, key refused, rate-limited after the
client's back-off, timeout, an answer cut off, a context too long even with half the
history) ends the turn with a reason for people; what was streamed before it is kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from server.assistant import context, functions
from server.assistant.stages import PROPOSE_HOP_IMPLEMENTATION, PROPOSE_HOP_PLAN, PROPOSE_MISSION, Stage, stage_of
from server.database import now
from server.enums import TurnOutcome
from server.llm import Failure, Finished, FunctionCall, LanguageModel, Message, ModelError, TextDelta
from server.sessions import service as sessions
from server.sessions.schemas import AssistantActivity, AssistantTokens
from server.settings import AssistantSettings
from server.workflow import events

DONE_TEXTS = {
    PROPOSE_MISSION: "I proposed the mission: accept it with the card's button, or tell me what to change.",
    PROPOSE_HOP_PLAN: "I proposed the next hop's plan: accept it, or tell me what to change.",
    PROPOSE_HOP_IMPLEMENTATION: "I proposed the hop's tool chain: accept it, or tell me what to change.",
}


@dataclass(slots=True)
class TurnReport:
    """How a turn went: what it said and did, and where its time went."""

    outcome: TurnOutcome = TurnOutcome.ANSWERED
    reason: str | None = None
    failure: str | None = None
    proposals: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    """The reply's text as it was streamed to the page."""
    started: float = field(default_factory=time.perf_counter)
    model_seconds: float = 0.0
    first_token_seconds: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()


class TextRelay:
    """Passes the reply's text on to the page as it comes, without holding up the reading of
    the model's stream: what arrived since the last event goes out as one `tokens` event (a
    steady stream, one event per piece; a burst, a few events)."""

    def __init__(self, publish: Callable[[str], Awaitable[None]]) -> None:
        self._publish = publish
        self._pending: list[str] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, text: str) -> None:
        self._pending.append(text)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        while self._pending:
            text, self._pending = "".join(self._pending), []
            await self._publish(text)

    async def drain(self) -> None:
        """Wait until everything added has been published."""
        if self._task is not None:
            await self._task
        await self._send()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


class Turn:
    """One turn in one session; `report` says how far it got, even when it was cancelled."""

    def __init__(
        self, *, user_id: UUID, session_id: UUID, turn_id: UUID, model: LanguageModel, settings: AssistantSettings
    ) -> None:
        self.user_id = user_id
        self.session_id = session_id
        self.turn_id = turn_id
        self.model = model
        self.settings = settings
        self.report = TurnReport()
        self._last_error = ""

    async def _publish(self, text: str | None = None, activity: str | None = None) -> None:
        at = now()
        item: Any = (
            AssistantTokens(session_id=self.session_id, turn_id=self.turn_id, text=text, at=at)
            if text is not None
            else AssistantActivity(session_id=self.session_id, turn_id=self.turn_id, activity=activity or "", at=at)
        )
        await events.publish(user_id=self.user_id, events=[item])

    async def say(self, text: str) -> None:
        """Add text of the server's own to the reply (it streams like the model's)."""
        if self.report.parts and not self.report.text.endswith("\n"):
            text = "\n\n" + text
        self.report.parts.append(text)
        await self._publish(text=text)

    async def _ask(
        self, messages: list[Message], offered: list[dict[str, Any]]
    ) -> tuple[str, tuple[FunctionCall, ...]]:
        """One streamed answer; the time spent waiting on the model is counted apart from the
        time spent passing its text on."""
        report = self.report
        separator = "\n\n" if report.text else ""
        texts: list[str] = []
        calls: tuple[FunctionCall, ...] = ()
        relay = TextRelay(lambda text: self._publish(text=text))
        started = time.perf_counter()
        own = 0.0
        try:
            async for part in self.model.stream(messages, functions=offered):
                if isinstance(part, TextDelta):
                    mark = time.perf_counter()
                    if report.first_token_seconds is None:
                        report.first_token_seconds = mark - report.started
                    text = (separator + part.text) if not texts else part.text
                    texts.append(part.text)
                    report.parts.append(text)
                    relay.add(text)
                    own += time.perf_counter() - mark
                elif isinstance(part, Finished):
                    calls = part.calls
            report.model_seconds += time.perf_counter() - started - own
            await relay.drain()
        finally:
            relay.stop()
        return "".join(texts), calls

    async def run(self) -> TurnReport:
        """Answer the chat as it is now."""
        session = await sessions.get_session(user_id=self.user_id, session_id=self.session_id)
        stage = stage_of(session)
        budget = self.settings.history_tokens
        messages = await context.build(user_id=self.user_id, session=session, stage=stage, budget=budget)
        invalid = 0
        requests = 0
        while True:
            if requests >= self.settings.max_model_requests:
                return self._failed("too_many_requests", "The assistant needed too many steps and stopped; ask again.")
            requests += 1
            try:
                text, calls = await self._ask(messages, functions.declarations(stage))
            except ModelError as exc:
                if exc.kind is Failure.CONTEXT_TOO_LONG and budget > 500 and not self.report.parts:
                    budget //= 2  # the oldest half of the history goes
                    messages = await context.build(user_id=self.user_id, session=session, stage=stage, budget=budget)
                    continue
                return self._failed(exc.kind.value, exc.message)
            if not calls:
                if not self.report.text:
                    return self._failed("empty_answer", "The model sent an empty answer.")
                return self.report
            messages.append(_assistant_message(text, calls))
            done, errors = await self._perform(calls, messages, stage)
            if done is not None:
                if not text.strip():
                    await self.say(DONE_TEXTS[done])
                return self.report
            invalid += errors
            if invalid >= self.settings.proposal_attempts:
                return self._failed(
                    "invalid_proposal",
                    f"The proposal still had errors after {invalid} tries: {self._last_error}",
                )
            stage = stage_of(await sessions.get_session(user_id=self.user_id, session_id=self.session_id))

    async def _perform(
        self, calls: tuple[FunctionCall, ...], messages: list[Message], stage: Stage
    ) -> tuple[str | None, int]:
        """Carry out the calls in order (shielded: a cancelled turn lets a transition finish);
        returns the proposal that was stored, if any, and how many proposals were refused."""
        errors = 0
        for call in calls:
            await self._publish(activity=functions.ACTIVITIES.get(call.name, call.name))
            task = asyncio.ensure_future(
                functions.perform(call, user_id=self.user_id, session_id=self.session_id, stage=stage)
            )
            outcome = await asyncio.shield(task)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": outcome.content})
            if outcome.proposed is not None:
                self.report.proposals.append(outcome.proposed)
                return outcome.proposed, errors
            if outcome.error is not None:
                self._last_error = outcome.error
                if call.name in functions.PROPOSALS or call.name not in functions.LOOKUPS:
                    errors += 1
        return None, errors

    def _failed(self, failure: str, reason: str) -> TurnReport:
        self.report.outcome = TurnOutcome.FAILED
        self.report.failure = failure
        self.report.reason = reason
        return self.report


def _assistant_message(text: str, calls: tuple[FunctionCall, ...]) -> Message:
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [
            {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
            for call in calls
        ],
    }


__all__ = ["TextRelay", "Turn", "TurnReport"]

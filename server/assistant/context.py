"""What the model sees in a turn (docs/assistant.md, "Context"): who it is now (the stage's
instructions), the mission's state (the mission, its hops and steps, its assets with their
summaries, never their content), the tool catalog, and the chat's history within a token
budget, the oldest messages left out first. Tokens are estimated (`server.llm.tokens`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from server.assets import service as assets
from server.assets.schemas import AssetInfo
from server.assistant.stages import Stage
from server.enums import MessageRole, TurnOutcome
from server.llm import Message, message_tokens
from server.missions.schemas import Hop, Mission
from server.sessions.schemas import ChatMessage, UserSession
from server.tools.registry import get_registry
from server.workflow.state_machine import Transitions

PREAMBLE = (
    "You are the assistant of Missions. A mission reaches a goal through a sequence of hops; each hop is a short "
    "chain of tool steps; data moves between them as assets (each with an id, a role and a data type). You design "
    "missions with the user, in this chat, and you act only by calling the functions offered to you. The user "
    "accepts or rejects each proposal with the buttons of its card, and starts execution: you never accept, "
    "execute or complete anything yourself. Status messages in the chat record every change. Keep replies short "
    "and plain; refer to assets by name."
)
STATE_MARKER = "Mission state (JSON):"
SUMMARY_CHARACTERS = 300
_encode = msgspec.json.Encoder().encode


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _asset(asset: AssetInfo, role: str | None) -> dict[str, Any]:
    schema = asset.schema_definition
    return {
        "id": asset.id,
        "name": asset.name,
        "role": role or asset.role,
        "status": asset.status,
        "type": schema.type,
        "is_array": schema.is_array,
        "description": asset.description,
        "summary": _clip(asset.content_summary, SUMMARY_CHARACTERS),
    }


_DESIGNING = Transitions.PROPOSE_HOP_IMPLEMENTATION.requires


def _hop(hop: Hop) -> dict[str, Any]:
    return {
        "id": hop.id,
        "number": hop.sequence_order + 1,
        "name": hop.name,
        "status": hop.status,
        "is_final": hop.is_final,
        "goal": hop.goal,
        "assets": hop.hop_asset_map,
        "error": hop.error_message,
        # The chain a rejected or revised implementation left to start from (docs/state-machine.md, 2.5b, 2.8d).
        "draft_chain": hop.hop_metadata.get("draft_chain") if hop.status in _DESIGNING else None,
        "steps": [
            {
                "name": step.name,
                "tool_id": step.tool_id,
                "status": step.status,
                "parameter_mapping": step.parameter_mapping,
                "result_mapping": step.result_mapping,
                "waiting_for": step.validation_errors,
                "error": step.error_message,
            }
            for step in hop.tool_steps
        ],
    }


def mission_state(mission: Mission | None, mission_assets: list[AssetInfo]) -> dict[str, Any]:
    """The mission as the model sees it (summaries, no content, no secret)."""
    if mission is None:
        return {"mission": None}
    return {
        "mission": {
            "id": mission.id,
            "name": mission.name,
            "status": mission.status,
            "goal": mission.goal,
            "description": mission.description,
            "success_criteria": mission.success_criteria,
            "current_hop_id": mission.current_hop_id,
        },
        "assets": [_asset(asset, mission.mission_asset_map.get(asset.id)) for asset in mission_assets],
        "hops": [_hop(hop) for hop in mission.hops],
    }


def tool_catalog() -> str:
    """One line per tool: its id, parameters (`?` when optional) with their types, outputs."""

    def kind(definition: Any) -> str:
        return f"{definition.type}{'[]' if definition.is_array else ''}"

    lines = []
    for spec in get_registry().all():
        parameters = ", ".join(
            f"{p.name}{'' if p.required else '?'}: {kind(p.schema_definition)}" for p in spec.parameters
        )
        outputs = ", ".join(f"{o.name}: {kind(o.schema_definition)}" for o in spec.outputs)
        lines.append(f"- {spec.id}({parameters}) -> {outputs}: {_clip(spec.description, 160)}")
    return "\n".join(lines)


def system_prompt(stage: Stage, mission_assets: list[AssetInfo]) -> str:
    state = _encode(mission_state(stage.mission, mission_assets)).decode()
    return (
        f"{PREAMBLE}\n\nNow you are the {stage.role}. {stage.instructions}\n\n{STATE_MARKER}\n{state}\n\n"
        f"Tools (get_tool_catalog gives their exact schemas):\n{tool_catalog()}"
    )


def _as_model_message(message: ChatMessage) -> Message | None:
    if message.role is MessageRole.USER:
        return {"role": "user", "content": message.content}
    if message.role is MessageRole.STATUS:
        return {"role": "user", "content": f"(Status: {message.content})"}
    outcome = message.message_metadata.get("outcome")
    if message.role is MessageRole.ASSISTANT and message.content.strip() and outcome != TurnOutcome.FAILED:
        # A failed turn's message is the server's reason, not the model's words: left out.
        text = message.content if outcome != TurnOutcome.CANCELLED else f"{message.content} (stopped by the user)"
        return {"role": "assistant", "content": text}
    return None


def in_answer_order(messages: list[ChatMessage]) -> list[ChatMessage]:
    """The chat in the order the conversation went: a message posted while a turn ran was
    stored before that turn's reply, but a later turn answered it, so it comes after."""
    ordered: list[ChatMessage] = []
    for message in messages:
        started = message.message_metadata.get("started_at") if message.role is MessageRole.ASSISTANT else None
        if not isinstance(started, str):
            ordered.append(message)
            continue
        at = msgspec.convert(started, datetime)
        later = [m for m in ordered if m.role is MessageRole.USER and m.created_at > at]
        ordered = [m for m in ordered if m not in later] + [message] + later
    return ordered


def history(messages: list[ChatMessage], budget: int) -> list[Message]:
    """The chat as Chat Completions messages, newest kept first within `budget` estimated
    tokens (the newest is always kept, cut to fit), consecutive messages of one role joined,
    starting with a user message."""
    converted = [m for m in (_as_model_message(message) for message in in_answer_order(messages)) if m is not None]
    kept: list[Message] = []
    used = 0
    for message in reversed(converted):
        cost = message_tokens(message)
        if kept and used + cost > budget:
            break
        if not kept and cost > budget:
            message = {**message, "content": "…" + message["content"][-max(budget, 1) * 4 :]}
            cost = budget
        kept.append(message)
        used += cost
    kept.reverse()
    joined: list[Message] = []
    for message in kept:
        if joined and joined[-1]["role"] == message["role"]:
            joined[-1] = {**joined[-1], "content": f"{joined[-1]['content']}\n\n{message['content']}"}
        else:
            joined.append(dict(message))
    while joined and joined[0]["role"] != "user":
        joined.pop(0)
    return joined


async def build(*, user_id: UUID, session: UserSession, stage: Stage, budget: int) -> list[Message]:
    """The messages of a turn's first request."""
    mission_assets: list[AssetInfo] = []
    if stage.mission is not None:
        page = await assets.list_assets(user_id=user_id, limit=200, offset=0, mission_id=stage.mission.id)
        mission_assets = page.items
    system = system_prompt(stage, mission_assets)
    return [{"role": "system", "content": system}, *history(session.chat.messages, budget)]


__all__ = ["STATE_MARKER", "build", "history", "in_answer_order", "mission_state", "system_prompt", "tool_catalog"]

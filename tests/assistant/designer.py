"""A rule-based stand-in for a model, for the local model server: it reads the request the
assistant sends (the functions offered, the mission state in the system message, the user's
last words) and answers as a helpful model would, streaming its text in pieces. It proposes
the ranking mission (records in, report out), one final hop that writes the report, and the
two-step chain filter -> sort; otherwise it explains in plain text.

Saying `call it <name>` in a message names the next proposal, so a test can ask for a change
and recognise the revised proposal; a message that says `slowly` gets a slow plain answer."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from server.assistant.context import STATE_MARKER
from tests.assistant.model_server import Answer, Call, Reply, Whole

RECORDS = [{"title": "b", "score": 2}, {"title": "a", "score": 1}, {"title": "c", "score": 3}]
OBJECTS = {"type": "object", "is_array": True}
_CALL_IT = re.compile(r"call it [“\"']?([^”\"'\n.]+)", re.IGNORECASE)


def mission_state(body: dict[str, Any]) -> dict[str, Any]:
    """The mission state the assistant put in its system message."""
    system = body["messages"][0]["content"]
    line = system.split(STATE_MARKER, 1)[1].strip().splitlines()[0]
    state: dict[str, Any] = json.loads(line)
    return state


def last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body["messages"]):
        if message["role"] == "user":
            return str(message["content"])
    return ""


def named(body: dict[str, Any], default: str) -> str:
    match = _CALL_IT.search(last_user_text(body))
    return match.group(1).strip() if match else default


def words(text: str) -> list[str]:
    return [piece for piece in re.split(r"(?<=\s)", text) if piece]


def mission_arguments(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": named(body, "Rank records"),
        "goal": "A report of the records ranked by score",
        "success_criteria": ["every record ranked by score"],
        "assets": [
            {"name": "Records", "schema_definition": OBJECTS, "role": "input", "content": RECORDS},
            {"name": "Report", "schema_definition": OBJECTS, "role": "output"},
        ],
    }


def plan_arguments(body: dict[str, Any]) -> dict[str, Any]:
    assets = mission_state(body)["assets"]
    inputs = [asset["id"] for asset in assets if asset["role"] == "input"]
    output = next(asset["id"] for asset in assets if asset["role"] == "output")
    return {
        "name": named(body, "Rank the records"),
        "goal": "the records sorted by score into the report",
        "success_criteria": ["sorted by score"],
        "is_final": True,
        "inputs": inputs,
        "output": {"type": "existing_asset", "mission_asset_id": output},
    }


def chain_arguments(body: dict[str, Any], intermediate: str | None = None) -> dict[str, Any]:
    state = mission_state(body)
    hop = next(hop for hop in state["hops"] if hop["id"] == state["mission"]["current_hop_id"])
    source = next(asset_id for asset_id, role in hop["assets"].items() if role == "input")
    target = next(asset_id for asset_id, role in hop["assets"].items() if role == "output")
    middle = intermediate or str(uuid.uuid4())
    return {
        "steps": [
            {
                "tool_id": "filter",
                "name": "Keep scored",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": source},
                    "conditions": {"type": "literal", "value": [{"path": "score", "op": "gt", "value": 0}]},
                },
                "result_mapping": {"items": {"type": "asset_field", "state_asset": middle}},
            },
            {
                "tool_id": "sort",
                "name": "Sort by score",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": middle},
                    "keys": {"type": "literal", "value": [{"path": "score", "descending": True}]},
                },
                "result_mapping": {"items": {"type": "asset_field", "state_asset": target}},
            },
        ]
    }


def explanation(body: dict[str, Any]) -> str:
    state = mission_state(body)
    mission = state.get("mission")
    if mission is None:
        return "Tell me what you want to achieve."
    if mission["status"] == "completed":
        return f"The mission “{mission['name']}” is completed: the report holds the records ranked by score."
    hops = state.get("hops") or []
    if hops and hops[-1]["status"] == "failed":
        return f"The hop failed: {hops[-1]['error']}. Retry it once the cause is fixed."
    return "The tool chain is ready: press Execute hop when you want it to run."


class Designer:
    """Answers each request from what it offers and says (see the module's docstring)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def reply(self, text: str, calls: list[Call] | None = None) -> Reply:
        return Reply(text=words(text), calls=calls or [], delay=self.delay)

    def __call__(self, body: dict[str, Any]) -> Answer:
        if not body.get("stream"):
            return Whole("Summary by the designer.")
        offered = {tool["function"]["name"] for tool in body.get("tools") or []}
        if "slowly" in last_user_text(body):
            story = "Once upon a time there were records, and they wanted to be ranked, one by one, slowly."
            return Reply(text=words(story), delay=0.4)
        if "propose_mission" in offered:
            arguments = mission_arguments(body)
            return self.reply(
                f"Here is a mission to rank your records: “{arguments['name']}”.",
                [Call("propose_mission", arguments, fragments=6)],
            )
        if "propose_hop_plan" in offered:
            arguments = plan_arguments(body)
            return self.reply(
                f"Next, one final hop: “{arguments['name']}”.", [Call("propose_hop_plan", arguments, fragments=5)]
            )
        if "propose_hop_implementation" in offered:
            return self.reply(
                "The hop's tool chain: filter the scored records, then sort them.",
                [Call("propose_hop_implementation", chain_arguments(body), fragments=8)],
            )
        return self.reply(explanation(body))

"""Driving a mission through its transitions over HTTP, and reading the database around it.

The chains use real registered tools (`filter`, `sort`, `extract`, `web_search`); the
execution itself is reported straight to the transition service where a test needs to
control it."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from server.assets.tables import Asset, HopAsset, MissionAsset
from server.missions.tables import Hop, Mission, ToolStep
from server.sessions.tables import Chat, UserSession

RECORDS = [{"name": "b", "score": 2}, {"name": "a", "score": 1}, {"name": "c", "score": 3}]
OBJECTS = {"type": "object", "is_array": True}

WORKFLOW_TABLES = (UserSession, Chat, Mission, Hop, ToolStep, Asset, MissionAsset, HopAsset)


def ok(response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


async def new_session(client) -> dict[str, Any]:
    return ok(await client.post("/api/sessions", json={"name": "work"}), 201)


def mission_proposal(name: str = "Rank records") -> dict[str, Any]:
    return {
        "name": name,
        "description": "Rank the records and report them",
        "goal": "a ranked report",
        "success_criteria": ["records ranked"],
        "assets": [
            {"name": "Records", "schema_definition": OBJECTS, "role": "input", "content": RECORDS},
            {"name": "Report", "schema_definition": OBJECTS, "role": "output"},
        ],
    }


async def proposed_mission(client) -> tuple[dict[str, Any], dict[str, Any]]:
    session = await new_session(client)
    mission = ok(await client.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal()), 201)
    return session, mission


async def mission_in_progress(client) -> dict[str, Any]:
    _, mission = await proposed_mission(client)
    return ok(await client.post(f"/api/missions/{mission['id']}/accept"))


def asset_id(mission: dict[str, Any], name_role: str) -> str:
    """The mission asset with this role (`inputs` or `outputs`), first of its kind."""
    return mission["asset_summary"][name_role][0]


def plan(inputs: list[str], output: dict[str, Any], *, is_final: bool = False, name: str = "Rank") -> dict[str, Any]:
    return {
        "name": name,
        "description": "sort the records",
        "goal": "ranked records",
        "rationale": "sorting first makes the report easy",
        "success_criteria": ["sorted"],
        "is_final": is_final,
        "inputs": inputs,
        "output": output,
    }


def new_output(name: str = "Ranked records") -> dict[str, Any]:
    return {"type": "new_asset", "asset": {"name": name, "schema_definition": OBJECTS, "role": "output"}}


def rank_chain(source: str, intermediate: str, target: str) -> dict[str, Any]:
    """filter(source) -> intermediate (a new hop-scoped asset); sort(intermediate) -> target."""
    return {
        "steps": [
            {
                "tool_id": "filter",
                "name": "Keep scored",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": source},
                    "conditions": {"type": "literal", "value": [{"path": "score", "op": "gt", "value": 0}]},
                },
                "result_mapping": {"items": {"type": "asset_field", "state_asset": intermediate}},
            },
            {
                "tool_id": "sort",
                "name": "Sort by score",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": intermediate},
                    "keys": {"type": "literal", "value": [{"path": "score"}]},
                },
                "result_mapping": {"items": {"type": "asset_field", "state_asset": target}},
            },
        ]
    }


async def hop_in(client, mission: dict[str, Any], status: str) -> dict[str, Any]:
    """A first hop of an `in_progress` mission brought to `status` (up to `hop_impl_ready`)
    over HTTP, with the two-step ranking chain."""
    hop = ok(await client.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    if status == "hop_plan_started":
        return hop
    hop = ok(await client.post(f"/api/hops/{hop['id']}/plan", json=plan([asset_id(mission, "inputs")], new_output())))
    steps = [
        ("hop_plan_proposed", "plan/accept"),
        ("hop_plan_ready", "implementation/start"),
        ("hop_impl_started", None),
        ("hop_impl_proposed", "implementation/accept"),
        ("hop_impl_ready", None),
    ]
    for _reached, action in steps:
        if hop["status"] == status:
            return hop
        if action is None:
            target = hop["asset_summary"]["outputs"][0]
            chain = rank_chain(asset_id(mission, "inputs"), str(uuid4()), target)
            hop = ok(await client.post(f"/api/hops/{hop['id']}/implementation", json=chain))
        else:
            hop = ok(await client.post(f"/api/hops/{hop['id']}/{action}"))
    assert hop["status"] == status, hop["status"]
    return hop


async def snapshot(user_id: str | UUID) -> dict[str, list[dict[str, Any]]]:
    """Every workflow row of one user, for comparing before and after a refused or failed
    transition."""
    user_id = UUID(str(user_id))
    return {
        table._meta.tablename: await table.select().where(table.user_id == user_id).order_by(table.id).run()
        for table in WORKFLOW_TABLES
    }

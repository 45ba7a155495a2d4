"""Content of earlier databases: generation A (hops as JSON) and generation B (relational),
clean rows in volume and the messy ones (see `tests/legacy_fixtures.py`)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from tests.legacy_fixtures import Clock, LegacyData, bcrypt_hash, new_id, stamp

PASSWORD = "old system password"
CURRENT_SCENARIOS = ("hop_ready_to_execute", "hop_running", "all_hops_complete", "hop_proposed", "ready_to_design")
SECRET = "sk-live-SECRET-value-42"


def _user(data: LegacyData, user_id: int, email: str, clock: Clock) -> None:
    at = stamp(clock.next())
    data.add(
        "users",
        user_id=user_id,
        email=email,
        password=bcrypt_hash(PASSWORD),
        is_active=True,
        registration_date=at,
        created_at=at,
        updated_at=at,
    )


def _asset_obj(asset: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": asset["id"],
        "name": asset["name"],
        "description": None,
        "schema_definition": {"type": asset["type"], "is_array": False},
        "value": None,
        "status": "ready",
        "role": asset["role"],
        "asset_metadata": {"creator": "agent"},
    }


def _a_asset(data: LegacyData, user_id: int, scope: tuple[str, str], key: str, role: str, content: Any, at: str) -> Any:
    return data.add(
        "assets",
        id=new_id(),
        user_id=user_id,
        name=f"{key} asset",
        description=f"the {key}",
        type="string" if not isinstance(content, list) else "object",
        subtype=None,
        role=role,
        content=content,
        asset_metadata={"version": 1, "token_count": 12},
        db_entity_metadata=None,
        scope_type=scope[0],
        scope_id=scope[1],
        asset_key=key,
        created_at=at,
        updated_at=at,
    )


@dataclass
class _AMission:
    """What the steps and hops of one generation-A mission being built share."""

    data: LegacyData
    user_id: int
    mission_id: str
    created: str
    scenario: str
    assets: dict[str, dict[str, Any]]


def _step_status(current: bool, scenario: str, index: int) -> str:
    if not current or scenario == "all_hops_complete":
        return "completed"
    if scenario == "hop_running":
        return ("completed", "running", "pending")[min(index, 2)]
    return "pending"


def _a_step(m: _AMission, index: int, count: int, current: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """A step object (and its execution when it ran), with what the import must make of it."""
    step_id, legacy_status = new_id(), _step_status(current, m.scenario, index)
    target = "report" if index == count - 1 else "work"
    step = {
        "id": step_id,
        "tool_id": "summarize",
        "description": f"Summarise step {index}\nmore words",
        "resource_configs": {"llm_provider": {"id": "llm_provider"}} if index == 0 else {},
        "parameter_mapping": {"text": {"type": "asset_field", "state_asset": "source", "path": "$"}},
        "result_mapping": {"summary": {"type": "asset_field", "state_asset": target}, "method": {"type": "discard"}},
        "status": legacy_status,
        "error": None,
        "validation_errors": None,
        "created_at": m.created,
        "updated_at": m.created,
    }
    if legacy_status in ("completed", "running"):
        done = legacy_status == "completed"
        m.data.add(
            "tool_executions",
            id=new_id(),
            user_id=m.user_id,
            mission_id=m.mission_id,
            tool_id="summarize",
            step_id=step_id,
            status="COMPLETED" if done else "RUNNING",
            tool_step=None,
            hop_state_asset_ids={"source": m.assets["source"]["id"], "work": m.assets["work"]["id"]},
            parameter_mapping=None,
            result_mapping=None,
            execution_result={"summary": f"summary {index}", "method": "extractive"} if done else None,
            error_message=None,
            created_at=m.created,
            updated_at=m.created,
            started_at=m.created,
            completed_at=m.created if done else None,
        )
    expected = {"id": step_id, "legacy": legacy_status, "text": m.assets["source"]["id"]}
    expected["summary"] = m.assets[target]["id"]
    return step, expected


def _a_hop(m: _AMission, index: int, current: bool, steps: int) -> tuple[dict[str, Any], dict[str, Any]]:
    hop_id = new_id()
    m.assets["work"] = _a_asset(m.data, m.user_id, ("hop", hop_id), "work", "intermediate", ["a", "b"], m.created)
    count = 0 if current and m.scenario in ("ready_to_design", "hop_proposed") else steps
    made = [_a_step(m, s, count, current) for s in range(count)]
    hop = {
        "id": hop_id,
        "name": f"Hop {index}",
        "description": "a hop",
        "input_mapping": {"source": m.assets["source"]["id"]},
        "output_mapping": {"report": m.assets["report"]["id"]},
        "hop_state": {key: _asset_obj(asset) for key, asset in m.assets.items()},
        "tool_steps": [step for step, _ in made],
        "status": m.scenario if current else "all_hops_complete",
        "is_final": current,
        "is_resolved": not current,
        "rationale": "because",
        "error": None,
        "created_at": m.created,
        "updated_at": "",
    }
    expected = {"id": hop_id, "current": current, "steps": [e for _, e in made], "work": m.assets["work"]["id"]}
    return hop, expected


def a_mission(
    data: LegacyData,
    rng: random.Random,
    clock: Clock,
    user_id: int,
    *,
    hops: int = 2,
    steps: int = 2,
    scenario: str = "hop_ready_to_execute",
    status: str = "ACTIVE",
) -> dict[str, Any]:
    """One clean generation-A mission; its expectations go to data.expect['missions']."""
    mission_id, created = new_id(), stamp(clock.next())
    scope = ("mission", mission_id)
    source = _a_asset(data, user_id, scope, "source", "input", "Some long source text.", created)
    report = _a_asset(data, user_id, scope, "report", "output", None, created)
    m = _AMission(data, user_id, mission_id, created, scenario, {"source": source, "report": report})
    made = [_a_hop(m, h, h == hops - 1, steps) for h in range(hops)]
    hop_objects = [hop for hop, _ in made]
    mission = data.add(
        "missions",
        id=mission_id,
        user_id=user_id,
        name=f"Mission {rng.randrange(10**6)}",
        description="what it is for",
        goal="a goal",
        status=status,
        success_criteria=["it is done"],
        current_hop=hop_objects[-1] if hop_objects else None,
        hop_history=hop_objects[:-1],
        input_asset_ids=[source["id"]],
        output_asset_ids=[report["id"]],
        created_at=created,
        updated_at=created,
    )
    expected = {"id": mission_id, "user": user_id, "status": status, "scenario": scenario}
    expected.update(hops=[e for _, e in made], source=source["id"], report=report["id"])
    data.expect.setdefault("missions", []).append(expected)
    return mission


def generation_a(
    seed: int = 1,
    *,
    missions: int = 12,
    messy: bool = True,
    hops: int = 2,
    steps: int = 3,
    scenarios: tuple[str, ...] = CURRENT_SCENARIOS,
) -> LegacyData:
    """A generation-A database: `missions` clean missions over two users (their current hops
    cycling through `scenarios`), plus the messy rows."""
    rng = random.Random(seed)
    clock = Clock(rng)
    data = LegacyData("A")
    base = random.randrange(10**6, 10**9)
    tag = new_id()[:8]
    alice, bob = base, base + 1
    _user(data, alice, f"alice-{tag}@example.com", clock)
    _user(data, bob, f"Bob-{tag}@Example.com", clock)
    data.expect.update(users={alice: f"alice-{tag}@example.com", bob: f"bob-{tag}@example.com"}, problems=set())
    data.add(
        "resource_credentials",
        id=base,
        user_id=alice,
        resource_id="llm_provider",
        credentials={"base_url": "http://127.0.0.1:9/v1", "model": "tiny", "api_key": SECRET},
    )
    for index in range(missions):
        scenario = scenarios[index % len(scenarios)]
        status = ("ACTIVE", "active", "PENDING", "COMPLETED")[index % 4]
        a_mission(data, rng, clock, (alice, bob)[index % 2], hops=hops, steps=steps, scenario=scenario, status=status)
    if messy:
        _messy_a(data, rng, clock, base, tag)
    return data


def _messy_a(data: LegacyData, rng: random.Random, clock: Clock, base: int, tag: str) -> None:
    problems: set[tuple[str, str]] = data.expect["problems"]
    carol, carol2, ghost_user = base + 2, base + 3, base + 99
    _user(data, carol, f"carol-{tag}@example.com", clock)
    _user(data, carol2, f"CAROL-{tag}@example.com", clock)
    problems |= {("users", str(carol)), ("users", str(carol2))}
    a_mission(data, rng, clock, carol)  # skipped with its owner
    data.expect["skipped_missions"] = [data.expect["missions"].pop()["id"]]
    orphan = a_mission(data, rng, clock, ghost_user)  # the old user cascade left it behind
    data.expect["missions"].pop()
    problems.add(("missions", orphan["id"]))
    data.add("resource_credentials", id=base + 1, user_id=ghost_user, resource_id="gmail", credentials={"k": SECRET})
    problems.add(("resource_credentials", str(base + 1)))
    unknown = a_mission(data, rng, clock, base, status="ON_HOLD")
    data.expect["missions"].pop()
    problems.add(("missions", unknown["id"]))
    messy = a_mission(data, rng, clock, base + 1, scenario="hop_ready_to_execute", status="PENDING")
    messy["success_criteria"] = None
    messy["input_asset_ids"] = [*messy["input_asset_ids"], dangling := new_id()]
    problems.add(("missions", messy["id"]))  # the dangling input asset (its link is skipped)
    step = messy["current_hop"]["tool_steps"][1]
    step["parameter_mapping"] = {"text": {"type": "asset_field", "state_asset": "ghost"}}
    problems.add(("hops.tool_steps", step["id"]))
    messy["current_hop"]["created_at"] = ""
    expected = data.expect["missions"][-1]
    expected.update(dangling=dangling, missing_step=step["id"])
    data.add(
        "assets",
        id=(stray := new_id()),
        user_id=base,
        name="stray",
        description=None,
        type="string",
        subtype=None,
        role="input",
        content="x",
        asset_metadata=None,
        db_entity_metadata=None,
        scope_type="mission",
        scope_id=new_id(),
        asset_key="stray",
        created_at=stamp(clock.next()),
        updated_at="",
    )
    problems.add(("assets", stray))
    data.add(
        "tool_executions",
        id=(lost := new_id()),
        user_id=base,
        mission_id=new_id(),
        tool_id="summarize",
        step_id=new_id(),
        status="FAILED",
        tool_step=None,
        hop_state_asset_ids=None,
        parameter_mapping=None,
        result_mapping=None,
        execution_result=None,
        error_message="boom",
        created_at="",
        updated_at="",
        started_at="",
        completed_at="",
    )
    problems.add(("tool_executions", lost))


def _b_row(data: LegacyData, table: str, **row: Any) -> dict[str, Any]:
    return data.add(table, id=new_id(), **row)


def _b_hop(data: LegacyData, user_id: int, mission_id: str, order: int, status: str, at: str, **extra: Any) -> Any:
    row = dict(
        user_id=user_id,
        mission_id=mission_id,
        sequence_order=order,
        name=f"Hop {order}",
        description=None,
        goal=None,
        success_criteria=None,
        rationale=None,
        status=status,
        is_final=False,
        is_resolved=status == "COMPLETED",
        error_message=None,
        hop_metadata=None,
        intended_input_asset_ids=None,
        intended_output_asset_ids=None,
        intended_output_asset_specs=None,
        created_at=at,
        updated_at=at,
    )
    return _b_row(data, "hops", **{**row, **extra})


def _b_step(data: LegacyData, user_id: int, hop_id: str, order: int, status: str, at: str, **extra: Any) -> Any:
    row = dict(
        user_id=user_id,
        hop_id=hop_id,
        tool_id="sort",
        sequence_order=order,
        name=f"Step {order}",
        description=None,
        status=status,
        parameter_mapping=None,
        result_mapping=None,
        resource_configs=None,
        validation_errors=None,
        execution_result=None,
        error_message=None,
        created_at=at,
        updated_at=at,
        started_at=None,
        completed_at=None,
    )
    return _b_row(data, "tool_steps", **{**row, **extra})


def _b_asset(
    data: LegacyData, user_id: int, scope: tuple[str, str], role: str, status: str, content: Any, at: str
) -> Any:
    return _b_row(
        data,
        "assets",
        user_id=user_id,
        name=f"{role} asset",
        description=None,
        type="STRING",
        subtype=None,
        role=role,
        content=content,
        asset_metadata=None,
        scope_type=scope[0],
        scope_id=scope[1],
        status=status,
        created_at=at,
        updated_at=at,
    )


def _b_chat(data: LegacyData, user_id: int, at: str) -> dict[str, Any]:
    chat = _b_row(data, "chats", user_id=user_id, title="Research", context_data=None, created_at=at, updated_at=at)
    for order, role in enumerate(("USER", "ASSISTANT", "status")):
        _b_row(
            data,
            "chat_messages",
            user_id=user_id,
            chat_id=chat["id"],
            sequence_order=order,
            role=role,
            content=f"message {order}",
            message_metadata=None,
            created_at=at,
        )
    lost = _b_row(
        data,
        "chat_messages",
        user_id=user_id,
        chat_id=new_id(),
        sequence_order=0,
        role="USER",
        content="lost",
        message_metadata=None,
        created_at=at,
    )
    data.expect["problems"].add(("chat_messages", lost["id"]))
    return chat


def _b_running_mission(data: LegacyData, dana: int, at: str) -> dict[str, Any]:
    """An IN_PROGRESS mission: a completed hop, then one the earlier server was running."""
    problems = data.expect["problems"]
    mission = _b_row(
        data,
        "missions",
        user_id=dana,
        name="Relational mission",
        description=None,
        goal="g",
        success_criteria=None,
        status="IN_PROGRESS",
        current_hop_id=None,
        mission_metadata=None,
        created_at=at,
        updated_at=at,
    )
    source = _b_asset(data, dana, ("mission", mission["id"]), "input", "READY", "text to read", at)
    report = _b_asset(data, dana, ("mission", mission["id"]), "output", "proposed", None, at)
    for asset, role in ((source, "INPUT"), (report, "output"), ({"id": new_id()}, "input")):
        link = _b_row(
            data,
            "mission_assets",
            user_id=dana,
            mission_id=mission["id"],
            asset_id=asset["id"],
            role=role,
            created_at=at,
        )
    problems.add(("mission_assets", link["id"]))  # the last one names an asset that does not exist
    hops = []
    for order, (status, statuses) in enumerate(
        (("COMPLETED", ("COMPLETED", "COMPLETED")), ("EXECUTING", ("COMPLETED", "EXECUTING", "READY_TO_EXECUTE")))
    ):
        hop = _b_hop(
            data, dana, mission["id"], order, status, at, intended_input_asset_ids=[source["id"]], updated_at=""
        )
        work = _b_asset(data, dana, ("hop", hop["id"]), "intermediate", "in_progress", None, at)
        for asset, role in ((source, "input"), (work, "intermediate")):
            _b_row(data, "hop_assets", user_id=dana, hop_id=hop["id"], asset_id=asset["id"], role=role, created_at=at)
        steps = [
            _b_step(
                data,
                dana,
                hop["id"],
                index,
                step_status,
                at,
                tool_id="summarize",
                started_at=at,
                parameter_mapping={"text": {"type": "asset_field", "state_asset": source["id"]}},
                result_mapping={
                    "summary": {"type": "asset_field", "state_asset": work["id"]},
                    "method": {"type": "discard"},
                },
                execution_result={"outputs": {"summary": "s", "method": "extractive"}}
                if step_status == "COMPLETED"
                else None,
                completed_at=at if step_status == "COMPLETED" else None,
            )
            for index, step_status in enumerate(statuses)
        ]
        hops.append({"hop": hop, "steps": steps, "work": work})
    mission["current_hop_id"] = hops[-1]["hop"]["id"]
    problems.add(("hops", _b_hop(data, dana, mission["id"], 2, "HOP_PAUSED", at)["id"]))
    data.expect.update(mission=mission, hops=hops, source=source, report=report)
    return mission


def generation_b(seed: int = 2) -> LegacyData:
    """A generation-B database: two users with chats, sessions and missions, and the messy rows."""
    rng = random.Random(seed)
    clock = Clock(rng)
    data = LegacyData("B")
    base, tag = random.randrange(10**6, 10**9), new_id()[:8]
    dana, eve = base, base + 1
    _user(data, dana, f"dana-{tag}@example.com", clock)
    _user(data, eve, f"eve-{tag}@example.com", clock)
    problems: set[tuple[str, str]] = set()
    data.expect.update(users={dana: f"dana-{tag}@example.com", eve: f"eve-{tag}@example.com"}, problems=problems)
    at = stamp(clock.next())
    chat = _b_chat(data, dana, at)
    mission = _b_running_mission(data, dana, at)
    second = _b_row(
        data,
        "missions",
        user_id=eve,
        name="Waiting",
        description=None,
        goal=None,
        success_criteria=["x"],
        status="pending",
        current_hop_id=None,
        mission_metadata={"k": 1},
        created_at=at,
        updated_at=at,
    )
    proposed = _b_hop(data, eve, second["id"], 0, "HOP_IMPL_PROPOSED", at, is_final=True)
    for index, status in enumerate(("PROPOSED", "ready_to_configure")):
        _b_step(data, eve, proposed["id"], index, status, at)
    problems.add(("hops", _b_hop(data, eve, new_id(), 0, "COMPLETED", at)["id"]))  # its mission is gone
    problems.add(("tool_steps", _b_step(data, eve, new_id(), 0, "COMPLETED", at)["id"]))  # its hop is gone
    session = _b_row(
        data,
        "user_sessions",
        user_id=dana,
        name="Dana's work",
        status="ACTIVE",
        chat_id=chat["id"],
        mission_id=mission["id"],
        session_metadata=None,
        created_at=at,
        updated_at=at,
        last_activity_at=at,
    )
    data.expect.update(second=second, proposed=proposed, chat=chat, session=session)
    return data

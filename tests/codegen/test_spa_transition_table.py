"""The SPA decides what a person can do from the generated transition table
(`frontend/src/api/transitions.gen.ts`), never from statuses of its own: no hand-written file
under `frontend/src` names a status that some transition of that entity requires, of the
entity itself (`requires`) or of every step of a hop (`steps_require`)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from server.enums import ToolExecutionStatus, WorkflowEntity
from server.workflow.state_machine import STATUSES, TRANSITIONS

SPA_SOURCES = Path(__file__).resolve().parents[2] / "frontend" / "src"


def forbidden_statuses() -> dict[str, dict[str, str]]:
    """Enum name (as the TypeScript names it too) -> member name -> value, for every status
    that a transition requires: of its entity, or of the hop's steps."""
    forbidden: dict[str, dict[str, str]] = {}
    for transition in TRANSITIONS:
        required = [(STATUSES[transition.entity], status) for status in transition.requires]
        required += [(STATUSES[WorkflowEntity.TOOL_STEP], status) for status in transition.steps_require]
        for enum, status in required:
            member = enum(status)
            forbidden.setdefault(enum.__name__, {})[member.name] = member.value
    return forbidden


def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    enums = "|".join(sorted(STATUSES[entity].__name__ for entity in STATUSES))
    # `HopStatus.HOP_PLAN_PROPOSED` or `HopStatus["HOP_PLAN_PROPOSED"]`
    member = re.compile(
        rf"\b({enums})\s*(?:\?\.|\.)\s*([A-Z][A-Z0-9_]*)\b|\b({enums})\s*\[\s*([\"'`])([A-Z0-9_]+)\4\s*\]"
    )
    # `=== "hop_plan_proposed"`, `"..." !==`, `case "...":`
    literal = re.compile(r"(?:[!=]==?|\bcase)\s*([\"'`])([a-z0-9_]+)\1|([\"'`])([a-z0-9_]+)\3\s*[!=]==?")
    return member, literal


def violations(sources: Path) -> list[str]:
    """Every place under `sources` (generated files aside) that names a forbidden status."""
    forbidden = forbidden_statuses()
    values = {value for members in forbidden.values() for value in members.values()}
    member, literal = _patterns()
    found: list[str] = []
    for path in sorted(sources.rglob("*")):
        if path.suffix not in {".ts", ".tsx"} or path.name.endswith(".gen.ts"):
            continue
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(sources)
        for match in member.finditer(text):
            enum, name = (match[1], match[2]) if match[1] else (match[3], match[5])
            if name in forbidden.get(enum, {}):
                found.append(f"{where}:{text.count(chr(10), 0, match.start()) + 1}: {match[0]}")
        for match in literal.finditer(text):
            if (match[2] or match[4]) in values:
                found.append(f"{where}:{text.count(chr(10), 0, match.start()) + 1}: {match[0]}")
    return found


def test_the_forbidden_statuses_come_from_the_table():
    forbidden = forbidden_statuses()
    assert forbidden["HopStatus"]["HOP_PLAN_PROPOSED"] == "hop_plan_proposed"
    assert forbidden["MissionStatus"]["IN_PROGRESS"] == "in_progress"
    assert forbidden["UserSessionStatus"]["ACTIVE"] == "active"
    # `completed` is required of steps (complete_hop's steps_require), not of hops.
    assert forbidden["ToolExecutionStatus"]["COMPLETED"] == ToolExecutionStatus.COMPLETED
    assert "COMPLETED" not in forbidden["HopStatus"]
    assert "AssetStatus" not in forbidden


def test_no_spa_source_names_a_status_that_a_transition_requires():
    assert violations(SPA_SOURCES) == []


def test_a_planted_status_check_is_found(tmp_path: Path):
    copy = tmp_path / "src"
    shutil.copytree(SPA_SOURCES, copy, ignore=shutil.ignore_patterns("*.css"))
    planted = {
        "hops/Planted.tsx": 'if (hop.status === HopStatus.HOP_PLAN_PROPOSED) return "accept";',
        "missions/planted.ts": 'export const open = (m: Mission) => m.status !== "in_progress";',
        "tools/planted.ts": 'switch (step.status) {\n  case "awaiting_configuration":\n    break;\n}',
        "sessions/planted.ts": 'const live = "active" == session.status || UserSessionStatus["ACTIVE"];',
        "hops/steps.ts": "const done = steps.every((s) => s.status === ToolExecutionStatus.COMPLETED);",
    }
    for name, line in planted.items():
        (copy / name).write_text(line + "\n", encoding="utf-8")
    # Not required by any transition of its entity, or generated: allowed.
    (copy / "hops/allowed.ts").write_text(
        'const over = hop.status === HopStatus.COMPLETED || s === AssetStatus.READY || x === "archived";\n',
        encoding="utf-8",
    )
    (copy / "api" / "extra.gen.ts").write_text("const x = HopStatus.HOP_PLAN_PROPOSED;\n", encoding="utf-8")

    found = violations(copy)

    assert found == [
        "hops/Planted.tsx:1: HopStatus.HOP_PLAN_PROPOSED",
        "hops/steps.ts:1: ToolExecutionStatus.COMPLETED",
        'missions/planted.ts:1: !== "in_progress"',
        'sessions/planted.ts:1: UserSessionStatus["ACTIVE"]',
        'sessions/planted.ts:1: "active" ==',
        'tools/planted.ts:2: case "awaiting_configuration"',
    ]

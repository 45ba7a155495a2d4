"""The transition table (`server/workflow/state_machine.py`) rendered for the SPA and for people:

- `frontend/src/api/transitions.gen.ts`: `TRANSITIONS` (every row, with the client function
  that performs it), `allowedTransitions(entity, status)`, `stepsAllow(name, statuses)` and
  `performTransition`, the typed client functions by transition name;
- `docs/state-machine.md`: the table and a Mermaid state diagram per entity.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Any

from codegen.api import Operation
from codegen.client import camel_case
from server.enums import WorkflowEntity
from server.workflow.state_machine import STATUSES, TRANSITIONS, Transition

TABLE_START = "export const TRANSITIONS = "
TABLE_END = " as const satisfies Readonly<Record<TransitionName, TransitionRule>>;"


class TableMismatch(ValueError):
    """A routed transition without its route, or a route that takes another entity's id."""


def _routes(ops: list[Operation]) -> dict[str, Operation]:
    by_id = {op.operation_id: op for op in ops}
    routes: dict[str, Operation] = {}
    for transition in TRANSITIONS:
        if not transition.routed:
            continue
        op = by_id.get(transition.name)
        if op is None:
            raise TableMismatch(f"transition `{transition.name}` has no route with operation_id `{transition.name}`")
        routes[transition.name] = op
    return routes


def table_data(ops: list[Operation]) -> dict[str, dict[str, Any]]:
    """The table as plain JSON, by transition name (what the TypeScript file holds)."""
    routes = _routes(ops)

    def values(statuses: tuple[StrEnum, ...]) -> list[str]:
        return [status.value for status in statuses]

    data: dict[str, dict[str, Any]] = {}
    for t in TRANSITIONS:
        op = routes.get(t.name)
        data[t.name] = {
            "name": t.name,
            "number": t.number,
            "entity": t.entity.value,
            "requires": values(t.requires),
            "target": t.target.value,
            "creates": t.creates.value if t.creates else None,
            "otherwise": t.otherwise.value if t.otherwise else None,
            "steps_require": values(t.steps_require),
            "hop_requires": values(t.hop_requires),
            "action": t.action,
            "label": t.label,
            "condition": t.condition,
            "undoes": t.undoes,
            "summary": t.summary,
            "effects": [
                {"entity": e.entity.value, "requires": values(e.requires), "target": e.target.value, "when": e.when}
                for e in t.effects
            ],
            "route": None if op is None else _route_data(op),
        }
    return data


def _route_data(op: Operation) -> dict[str, Any]:
    body = getattr(op.body, "__name__", None) if op.body is not None else None
    return {"operation": camel_case(op.operation_id), "method": op.method, "path": op.path, "body": body}


PRELUDE = """\
/** The status type of each entity the transitions are about. */
export interface EntityStatus {
  session: UserSessionStatus;
  mission: MissionStatus;
  hop: HopStatus;
  tool_step: ToolExecutionStatus;
  asset: AssetStatus;
}

/** A change of status another entity undergoes as part of a transition. */
export interface StatusChange {
  readonly entity: WorkflowEntity;
  /** The statuses it changes from; empty: whatever its status. */
  readonly requires: readonly string[];
  readonly target: string;
  /** Which rows change, for people. */
  readonly when: string;
}

/** One row of the transition table (docs/state-machine.md). */
export interface TransitionRule {
  readonly name: TransitionName;
  readonly number: string;
  /** The entity whose status the transition checks. */
  readonly entity: WorkflowEntity;
  /** The statuses of `entity` that allow it. */
  readonly requires: readonly string[];
  /** The status it leaves `entity` in, or the status of the entity it creates. */
  readonly target: string;
  readonly creates: WorkflowEntity | null;
  /** The status `entity` stays in while the transition's condition is not met. */
  readonly otherwise: string | null;
  /** For hop transitions: the statuses every step of the hop must have. */
  readonly steps_require: readonly ToolExecutionStatus[];
  /** For tool step transitions: the statuses the step's hop must have (empty: any). */
  readonly hop_requires: readonly HopStatus[];
  /** What it does, as a refusal message says it. */
  readonly action: string;
  /** The button or form that performs it, for people. */
  readonly label: string;
  /** What else must hold, for people. */
  readonly condition: string | null;
  /** Whether it stops or undoes work (shown as a danger action). */
  readonly undoes: boolean;
  readonly summary: string;
  readonly effects: readonly StatusChange[];
  /** The route that performs it (its client function, and the name of its request body's type,
   * null when it takes none), or null when only the server performs it. */
  readonly route: {
    readonly operation: string;
    readonly method: string;
    readonly path: string;
    readonly body: string | null;
  } | null;
}
"""

HELPERS = """\
/** Every transition name, in the table's order. */
export const TRANSITION_NAMES = Object.keys(TRANSITIONS) as TransitionName[];

/** The transitions an entity in `status` allows, in the table's order. A transition's
 * `condition` and `steps_require` may still refuse it; the server has the last word. */
export function allowedTransitions<E extends keyof EntityStatus>(
  entity: E,
  status: EntityStatus[E],
): TransitionName[] {
  return TRANSITION_NAMES.filter((name) => {
    const rule: TransitionRule = TRANSITIONS[name];
    return rule.entity === entity && rule.requires.includes(status);
  });
}

/** Whether `name` is allowed for an entity in `status` (see {@link allowedTransitions}). */
export function isAllowed<E extends keyof EntityStatus>(
  name: TransitionName,
  entity: E,
  status: EntityStatus[E],
): boolean {
  const rule: TransitionRule = TRANSITIONS[name];
  return rule.entity === entity && rule.requires.includes(status);
}

/** Whether the hop's status satisfies the transition's `hop_requires` (true when it has none). */
export function hopAllows(name: TransitionName, hopStatus: HopStatus): boolean {
  const rule: TransitionRule = TRANSITIONS[name];
  return rule.hop_requires.length === 0 || rule.hop_requires.includes(hopStatus);
}

/** Whether every step status satisfies the transition's `steps_require` (true when it has none). */
export function stepsAllow(name: TransitionName, stepStatuses: readonly ToolExecutionStatus[]): boolean {
  const rule: TransitionRule = TRANSITIONS[name];
  if (rule.steps_require.length === 0) return true;
  return stepStatuses.length > 0 && stepStatuses.every((status) => rule.steps_require.includes(status));
}
"""


def render_transitions(ops: list[Operation], header: list[str]) -> str:
    data = table_data(ops)
    routed = {name: row["route"]["operation"] for name, row in data.items() if row["route"]}
    status_types = sorted(enum.__name__ for enum in STATUSES.values())
    out = [*header, ""]
    out.append(f'import type {{ {", ".join([*status_types, "WorkflowEntity"])} }} from "./types.gen";')
    out.append(f'import {{ {", ".join(sorted(set(routed.values())))} }} from "./client.gen";')
    out.append("")
    out.append("/** The name of every transition of the workflow. */")
    out.append("export type TransitionName =")
    out.extend(f'  | "{name}"' for name in data)
    out[-1] += ";"
    out.append("")
    out.append(PRELUDE)
    out.append("/** The transition table, by name: the one definition the server checks against. */")
    table = json.dumps(data, indent=2, ensure_ascii=False)
    out.append(TABLE_START + table + TABLE_END)
    out.append("")
    out.append(HELPERS)
    out.append("/** The client function performing each transition that has a route. */")
    out.append("export const performTransition = {")
    out.extend(f"  {name}: {operation}," for name, operation in routed.items())
    out.append("} as const;")
    out.append("")
    return "\n".join(out)


def read_table(text: str) -> dict[str, dict[str, Any]] | None:
    """The table a generated transitions file holds (None when it cannot be found)."""
    start = text.find(TABLE_START)
    end = text.find(TABLE_END, start)
    if start < 0 or end < 0:
        return None
    try:
        table = json.loads(text[start + len(TABLE_START) : end])
    except json.JSONDecodeError:
        return None
    return table if isinstance(table, dict) else None


# The document ------------------------------------------------------------------------------

DOC_HEADER = [
    "<!-- Generated by `python -m codegen` from server/workflow/state_machine.py. Do not edit:",
    "     change the table and run the command again; `python -m codegen --check` says what differs. -->",
]


def _statuses(statuses: tuple[StrEnum, ...]) -> str:
    return ", ".join(f"`{s.value}`" for s in statuses) or "any"


def _route(transition: Transition, routes: dict[str, Operation]) -> str:
    op = routes.get(transition.name)
    return f"`{op.method} {op.path}`" if op else "the server (no route)"


def _state(status: StrEnum) -> str:
    # Mermaid state names: identifiers; the value is shown as the state's label.
    return re.sub(r"\W", "_", status.value)


def _diagram(entity: WorkflowEntity) -> list[str]:
    lines = ["```mermaid", "stateDiagram-v2"]
    edges: list[str] = []
    for t in TRANSITIONS:
        if t.creates is entity:
            edges.append(f"    [*] --> {_state(t.target)}: {t.name}")
        elif t.entity is entity:
            for status in t.requires:
                edges.append(f"    {_state(status)} --> {_state(t.target)}: {t.name}")
    # Then the changes other transitions make to this entity as their effects.
    for t in TRANSITIONS:
        for effect in t.effects:
            if effect.entity is entity and effect.requires:
                for status in effect.requires:
                    if status != effect.target:
                        edges.append(f"    {_state(status)} --> {_state(effect.target)}: by {t.name}")
    lines.extend(dict.fromkeys(edges))
    lines.append("```")
    return lines


def render_document(ops: list[Operation]) -> str:
    routes = _routes(ops)
    out = [*DOC_HEADER, "", "# The state machine", ""]
    out.append(
        "Every change of status goes through one transition service (`server/workflow/transitions/`). "
        "Each transition checks the status of one entity, writes everything or nothing, and is refused "
        "with a conflict (409) naming the entity's current status and the statuses it requires. "
        "The SPA decides which actions to show from the same table (`frontend/src/api/transitions.gen.ts`)."
    )
    out += ["", "## Transitions", ""]
    out.append("| # | transition | entity | requires | leads to | route | also |")
    out.append("|---|---|---|---|---|---|---|")
    for t in TRANSITIONS:
        leads = f"new {t.creates.value} `{t.target.value}`" if t.creates else f"`{t.target.value}`"
        if t.otherwise:
            leads += f" (else stays `{t.otherwise.value}`)"
        also = [t.summary]
        if t.condition:
            also.append(f"Requires that {t.condition}.")
        if t.steps_require:
            also.append(f"Every step of the hop: {_statuses(t.steps_require)}.")
        if t.hop_requires:
            also.append(f"Its hop: {_statuses(t.hop_requires)}.")
        for effect in t.effects:
            also.append(
                f"{effect.entity.value.replace('_', ' ')} {_statuses(effect.requires)} → `{effect.target.value}`: "
                f"{effect.when}."
            )
        out.append(
            f"| {t.number} | `{t.name}` | {t.entity.value} | {_statuses(t.requires)} | {leads} | "
            f"{_route(t, routes)} | {' '.join(also)} |"
        )
    for entity in WorkflowEntity:
        out += ["", f"## {entity.value.replace('_', ' ').capitalize()}", ""]
        enum = STATUSES[entity]
        out.append("Statuses, in order: " + ", ".join(f"`{s.value}`" for s in enum) + ".")
        out.append("")
        out.extend(_diagram(entity))
        unconditioned = sorted(
            {
                f"`{e.target.value}` by `{t.name}` ({e.when})"
                for t in TRANSITIONS
                for e in t.effects
                if e.entity is entity and not e.requires
            }
        )
        if unconditioned:
            out += ["", "Also set whatever the previous status:", ""]
            out.extend(f"- {line}" for line in unconditioned)
    out.append("")
    return "\n".join(out)

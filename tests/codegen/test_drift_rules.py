"""How the check classifies each change for the client: breaking or additive."""

from __future__ import annotations

from codegen.drift import ADDITIVE, BREAKING, diff_models, diff_python, parse_typescript

BASE = """\
// Enums --------------------------------------------------------------------

export const HopStatus = {
  HOP_PLAN_STARTED: "hop_plan_started",
  EXECUTING: "executing",
} as const;

// Types the server sends --------------------------------------------------

export interface Hop {
  id: Uuid;
  /** @defaultValue "hop_plan_started" */
  status: HopStatus;
  goal: string | null;
}

// Types the client sends --------------------------------------------------

export interface HopUpdate {
  name?: string;
  goal?: string | null;
}
"""


def changes(old: str, new: str) -> list[tuple[str, str, str]]:
    return [(c.kind, c.subject, c.detail) for c in diff_models(parse_typescript(old), parse_typescript(new))]


def test_identical_files_have_no_changes():
    assert changes(BASE, BASE) == []


def test_enum_values_lost_renamed_or_changed_are_breaking_and_added_ones_additive():
    assert changes(BASE, BASE.replace('  EXECUTING: "executing",\n', "")) == [
        (BREAKING, "enum HopStatus", 'lost value "executing" (member EXECUTING)')
    ]
    assert changes(BASE, BASE.replace('EXECUTING: "executing"', 'RUNNING: "executing"')) == [
        (BREAKING, "enum HopStatus", 'member EXECUTING renamed to RUNNING (value "executing")')
    ]
    assert changes(BASE, BASE.replace('EXECUTING: "executing"', 'EXECUTING: "running"')) == [
        (BREAKING, "enum HopStatus", 'member EXECUTING changed value from "executing" to "running"')
    ]
    added = BASE.replace('  EXECUTING: "executing",\n', '  EXECUTING: "executing",\n  FAILED: "failed",\n')
    assert changes(BASE, added) == [(ADDITIVE, "enum HopStatus", 'gained value "failed" (member FAILED)')]


def test_optionality_is_judged_by_direction():
    server_optional = BASE.replace("  goal: string | null;\n}", "  goal?: string | null;\n}")
    assert changes(BASE, server_optional) == [
        (BREAKING, "interface Hop.goal", "became optional in what the server sends")
    ]
    client_required = BASE.replace("  goal?: string | null;", "  goal: string | null;")
    assert changes(BASE, client_required) == [
        (BREAKING, "interface HopUpdate.goal", "became required in what the client sends")
    ]
    client_optional = client_required
    assert changes(client_optional, BASE) == [(ADDITIVE, "interface HopUpdate.goal", "became optional")]


def test_nullability_type_default_and_fields():
    not_null = BASE.replace("  goal: string | null;\n}", "  goal: string;\n}")
    assert changes(BASE, not_null) == [
        (ADDITIVE, "interface Hop.goal", "no longer nullable (`string | null` -> `string`)")
    ]
    assert changes(not_null, BASE) == [
        (BREAKING, "interface Hop.goal", "became nullable (`string` -> `string | null`)")
    ]
    assert changes(BASE, BASE.replace("  id: Uuid;", "  id: number;"))[0][:2] == (BREAKING, "interface Hop.id")
    new_default = BASE.replace('@defaultValue "hop_plan_started"', '@defaultValue "executing"')
    assert changes(BASE, new_default) == [
        (BREAKING, "interface Hop.status", 'default changed from "hop_plan_started" to "executing"')
    ]
    removed = BASE.replace("  goal: string | null;\n}", "}")
    assert changes(BASE, removed) == [(BREAKING, "interface Hop.goal", "field removed")]
    assert changes(removed, BASE) == [(ADDITIVE, "interface Hop.goal", "field added (`string | null`)")]
    request_field = BASE.replace("  name?: string;", "  name?: string;\n  title: string;")
    assert changes(BASE, request_field) == [
        (BREAKING, "interface HopUpdate.title", "required field added (`string`) in what the client sends")
    ]


def test_python_models_fields_are_compared_too():
    old = "class P(Struct):\n    a: int\n    b: str = 'x'\n"
    assert [(c.kind, c.subject) for c in diff_python(old, "class P(Struct):\n    a: int\n")] == [
        (BREAKING, "class P.b")
    ]
    assert [(c.kind, c.subject) for c in diff_python(old, old + "    c: int = 0\n")] == [(ADDITIVE, "class P.c")]
    assert [(c.kind, c.subject) for c in diff_python("class P(:\n", old)] == [(BREAKING, "module")]

"""`python -m codegen --check` on temporary copies of the project: an untouched copy passes;
each kind of drift fails with a message naming the enum or field and the layer."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project_copy import edit


def check(project: Path) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--check"], cwd=project, capture_output=True, text=True, timeout=120
    )
    return result.returncode, result.stdout + result.stderr


def test_an_untouched_checkout_passes(project: Path):
    code, out = check(project)
    assert code == 0, out
    assert "no findings" in out


def test_a_changed_enum_value_fails_naming_the_enum_and_the_typescript_layer(project: Path):
    edit(
        project / "server/enums.py", 'HOP_IMPL_READY = "hop_impl_ready"', 'HOP_IMPL_READY = "hop_implementation_ready"'
    )
    code, out = check(project)
    assert code == 1, out
    assert "frontend/src/api/types.gen.ts is out of date" in out
    assert (
        'BREAKING  enum HopStatus: member HOP_IMPL_READY changed value from "hop_impl_ready" to '
        '"hop_implementation_ready"' in out
    )
    assert "TypeScript (frontend/src/api)" in out


def test_a_removed_field_fails_naming_the_field_in_the_typescript_and_api_layers(project: Path):
    schemas = project / "server/missions/schemas.py"
    edit(
        schemas,
        "    goal: str | None\n    success_criteria: list[str]\n    status: MissionStatus",
        "    success_criteria: list[str]\n    status: MissionStatus",
    )
    code, out = check(project)
    assert code == 1, out
    assert "BREAKING  interface Mission.goal: field removed" in out
    assert "BREAKING  interface MissionInfo.goal: field removed" in out
    api_section = out[out.index("API (msgspec Structs)") :]
    assert "CRITICAL  Mission.goal: column missions.goal has no field in Struct Mission" in api_section


def test_a_changed_default_fails_naming_the_field_in_the_database_and_typescript_layers(project: Path):
    edit(
        project / "server/missions/schemas.py",
        "    status: HopStatus = DEFAULT_HOP_STATUS",
        "    status: HopStatus = HopStatus.HOP_PLAN_PROPOSED",
    )
    code, out = check(project)
    assert code == 1, out
    database_section = out[out.index("Database (Piccolo tables)") :]
    assert (
        "CRITICAL  hops.status: default 'hop_plan_started' differs from Hop.status default 'hop_plan_proposed'"
        in database_section
    )
    assert 'BREAKING  interface Hop.status: default changed from "hop_plan_started" to "hop_plan_proposed"' in out


def test_changed_column_choices_fail_naming_the_column_in_the_database_layer(project: Path):
    edit(
        project / "server/missions/tables.py",
        "status = enum_column(HopStatus, DEFAULT_HOP_STATUS)",
        "status = enum_column(MissionStatus, DEFAULT_MISSION_STATUS)",
    )
    code, out = check(project)
    assert code == 1, out
    database_section = out[out.index("Database (Piccolo tables)") :]
    assert "CRITICAL  hops.status: choices MissionStatus differ from Hop.status (HopStatus)" in database_section
    assert "only in the API ['hop_plan_started'" in database_section


def test_a_hand_edited_generated_file_fails(project: Path):
    edit(project / "frontend/src/api/types.gen.ts", "  csrf_token: string;", "  csrf_token: number;")
    code, out = check(project)
    assert code == 1, out
    assert "BREAKING  interface CurrentUser.csrf_token: type changed from `number` to `string`" in out
    assert "-  csrf_token: number;" in out  # the text diff shows the edited line


def test_a_comment_edited_by_hand_fails_too(project: Path):
    edit(
        project / "frontend/src/api/client.gen.ts",
        "/** Options every call takes. */",
        "/** Options every call takes (edited). */",
    )
    code, out = check(project)
    assert code == 1, out
    assert "the text differs but every declaration agrees: edited by hand or reformatted" in out
    assert "frontend/src/api/client.gen.ts" in out


def test_drifted_tool_models_fail_naming_the_class_and_field(project: Path):
    models = project / "server/tools/models.py"
    if not (project / "codegen/tool_models.py").exists() or not models.exists():
        pytest.fail("the tool models generator and its output are part of the project")
    text = models.read_text()
    tree = ast.parse(text)
    cls, field = next(
        (node, stmt)
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        for stmt in node.body
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
    )
    lines = text.splitlines(keepends=True)
    del lines[field.lineno - 1 : field.end_lineno]
    models.write_text("".join(lines))
    code, out = check(project)
    assert code == 1, out
    # Regenerating would put the field back: a required field, so breaking for the callers.
    assert f"BREAKING  class {cls.name}.{field.target.id}: required field added" in out, out
    assert "Tool models (generated Structs)" in out


def test_a_name_collision_stops_the_generator_naming_both_declarations(project: Path):
    schemas = project / "server/assets/schemas.py"
    schemas.write_text(
        schemas.read_text()
        + (
            '\n\nclass SchemaDefinitionInput(Output, kw_only=True):\n    """Clashes with the request shape of '
            'SchemaDefinition."""\n\n    x: int\n'
        )
    )
    result = subprocess.run([sys.executable, "-m", "codegen"], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "`SchemaDefinitionInput`" in result.stderr
    assert (
        "server.assets.schemas.SchemaDefinitionInput" in result.stderr
        and "server.schemas.SchemaDefinition" in result.stderr
    )

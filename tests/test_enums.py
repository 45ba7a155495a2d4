"""Every enum of docs/domain.md has exactly its values, order and default in every
layer: the Structs, the Piccolo tables (choices, defaults, CHECK constraints, the live
database), and the served OpenAPI document. The database refuses any other value."""

from __future__ import annotations

import re
import sqlite3
from uuid import UUID, uuid4

import asyncpg
import msgspec
import pytest

from server.assets.schemas import AssetInfo
from server.assets.tables import Asset, HopAsset, MissionAsset
from server.database import now
from server.enums import ALL_ENUMS
from server.missions.schemas import HopInfo, MissionInfo, ToolStep
from server.missions.tables import Hop, Mission
from server.missions.tables import ToolStep as ToolStepTable
from server.schemas import SchemaDefinition
from server.sessions.schemas import ChatMessage, ChatMessageCreate, UserSessionInfo
from server.sessions.tables import ChatMessage as ChatMessageTable
from server.sessions.tables import UserSession
from server.users.tables import User

# docs/domain.md's enumerations, copied as data: the independent reference. (values in order, default)
DOCUMENTED_ENUMS: dict[str, tuple[list[str], str | None]] = {
    "MessageRole": (["user", "assistant", "system", "tool", "status"], None),
    "UserSessionStatus": (["active", "completed", "abandoned", "archived"], "active"),
    "MissionStatus": (["awaiting_approval", "in_progress", "completed", "failed", "cancelled"], "awaiting_approval"),
    "HopStatus": (
        [
            "hop_plan_started",
            "hop_plan_proposed",
            "hop_plan_ready",
            "hop_impl_started",
            "hop_impl_proposed",
            "hop_impl_ready",
            "executing",
            "completed",
            "failed",
            "cancelled",
        ],
        "hop_plan_started",
    ),
    "ToolExecutionStatus": (
        ["awaiting_configuration", "ready_to_execute", "executing", "completed", "failed", "cancelled"],
        "awaiting_configuration",
    ),
    "AssetStatus": (
        ["pending", "awaiting_approval", "ready_for_processing", "processing", "ready", "error", "expired"],
        "awaiting_approval",
    ),
    "AssetRole": (["input", "output", "intermediate"], None),
    "AssetScopeType": (["mission", "hop"], None),
    "ValueType": (
        [
            "string",
            "number",
            "boolean",
            "primitive",
            "object",
            "file",
            "database_entity",
            "markdown",
            "config",
            "email",
            "webpage",
            "search_result",
            "pubmed_article",
            "newsletter",
            "daily_newsletter_recap",
        ],
        None,
    ),
}

# Retired values of the earlier system (docs/domain.md), by the enum that must refuse them.
RETIRED = {
    "ToolExecutionStatus": ["proposed", "ready_to_configure"],
    "AssetStatus": ["proposed", "in_progress"],
    "MissionStatus": ["pending", "active", "complete", "ready_to_design"],
}

# Where each enum is used: (response or input Struct, field) ...
STRUCT_FIELDS = [
    ("MessageRole", ChatMessage, "role"),
    ("MessageRole", ChatMessageCreate, "role"),
    ("UserSessionStatus", UserSessionInfo, "status"),
    ("MissionStatus", MissionInfo, "status"),
    ("HopStatus", HopInfo, "status"),
    ("ToolExecutionStatus", ToolStep, "status"),
    ("AssetStatus", AssetInfo, "status"),
    ("AssetRole", AssetInfo, "role"),
    ("AssetScopeType", AssetInfo, "scope_type"),
    ("ValueType", SchemaDefinition, "type"),
]
# ... and (table, column).
TABLE_COLUMNS = [
    ("MessageRole", ChatMessageTable, "role"),
    ("UserSessionStatus", UserSession, "status"),
    ("MissionStatus", Mission, "status"),
    ("HopStatus", Hop, "status"),
    ("ToolExecutionStatus", ToolStepTable, "status"),
    ("AssetStatus", Asset, "status"),
    ("AssetRole", Asset, "role"),
    ("AssetRole", MissionAsset, "role"),
    ("AssetRole", HopAsset, "role"),
    ("AssetScopeType", Asset, "scope_type"),
]


def values(enum) -> list[str]:
    return [member.value for member in enum]


def test_the_server_defines_exactly_the_documented_enums():
    assert {enum.__name__: values(enum) for enum in ALL_ENUMS} == {name: v for name, (v, _) in DOCUMENTED_ENUMS.items()}


def test_every_documented_enum_is_checked_in_structs_and_tables():
    assert {name for name, *_ in STRUCT_FIELDS} == set(DOCUMENTED_ENUMS)
    assert {name for name, *_ in TABLE_COLUMNS} == set(DOCUMENTED_ENUMS) - {"ValueType"}  # ValueType lives in JSON


@pytest.mark.parametrize(("enum_name", "struct", "field"), STRUCT_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_struct_fields_take_the_documented_values_and_default(enum_name, struct, field):
    expected_values, expected_default = DOCUMENTED_ENUMS[enum_name]
    info = next(f for f in msgspec.inspect.type_info(struct).fields if f.name == field)
    assert isinstance(info.type, msgspec.inspect.EnumType)
    assert info.type.cls.__name__ == enum_name
    assert values(info.type.cls) == expected_values
    output = not struct.__name__.endswith("Create")
    if expected_default is not None and output:
        assert not info.required and info.default == expected_default
    else:
        assert info.required


@pytest.mark.parametrize(("enum_name", "table", "column"), TABLE_COLUMNS, ids=lambda x: getattr(x, "__name__", x))
def test_table_columns_take_the_documented_values_default_and_check(enum_name, table, column):
    expected_values, expected_default = DOCUMENTED_ENUMS[enum_name]
    col = table._meta.get_column_by_name(column)
    assert col._meta.choices is not None and values(col._meta.choices) == expected_values
    assert not col._meta.null
    if expected_default is None:
        assert col.default in ("", None)
    else:
        assert col.default == expected_default
    checks = [
        c for c in table._meta.constraints if type(c).__name__ == "Check" and re.match(rf'"?{column}"? IN', c.condition)
    ]
    assert len(checks) == 1, f"{table._meta.tablename}.{column} has no CHECK constraint"
    allowed = re.findall(r"'([^']*)'", checks[0].condition)
    assert allowed == expected_values


async def _live_default(engine_name: str, table: str, column: str) -> str | None:
    if engine_name == "sqlite":
        rows = await User.raw(f'PRAGMA table_info("{table}")').run()
        raw = next(r["dflt_value"] for r in rows if r["name"] == column)
    else:
        rows = await User.raw(
            "SELECT column_default FROM information_schema.columns WHERE table_name = {} AND column_name = {}",
            table,
            column,
        ).run()
        raw = rows[0]["column_default"]
    if raw is None:
        return None
    match = re.match(r"^'([^']*)'", raw)
    return match.group(1) if match else raw


@pytest.mark.parametrize(("enum_name", "table", "column"), TABLE_COLUMNS, ids=lambda x: getattr(x, "__name__", x))
async def test_the_migrated_database_has_the_documented_default(migrated, engine_name, enum_name, table, column):
    _, expected_default = DOCUMENTED_ENUMS[enum_name]
    live = await _live_default(engine_name, table._meta.tablename, column)
    assert live in ((None, "") if expected_default is None else (expected_default,))


async def test_the_served_openapi_document_has_the_documented_enums_and_defaults(anon):
    response = await anon.get("/api/schema/openapi.json")
    assert response.status_code == 200
    components = response.json()["components"]["schemas"]
    for name, (expected_values, _) in DOCUMENTED_ENUMS.items():
        assert components[name]["enum"] == expected_values, name
        assert components[name]["type"] == "string"
    for enum_name, struct, field in STRUCT_FIELDS:
        # HopInfo is only served as part of Hop, its subclass
        schema = components[struct.__name__ if struct is not HopInfo else "Hop"]
        prop = schema["properties"][field]
        ref = prop.get("$ref") or next(o["$ref"] for o in prop.get("oneOf", []) if "$ref" in o)
        assert ref == f"#/components/schemas/{enum_name}"
        expected_default = DOCUMENTED_ENUMS[enum_name][1]
        if expected_default is not None and not struct.__name__.endswith("Create"):
            # responses always carry the field; the default is documented on it
            assert prop.get("default", components[enum_name].get("default")) == expected_default
        else:
            assert field in schema.get("required", [])


async def test_query_filters_in_the_openapi_document_use_the_enums(anon):
    paths = (await anon.get("/api/schema/openapi.json")).json()["paths"]
    filters = {
        ("/api/sessions", "status"): "UserSessionStatus",
        ("/api/missions", "status"): "MissionStatus",
        ("/api/assets", "status"): "AssetStatus",
        ("/api/assets", "role"): "AssetRole",
    }
    for (path, name), enum_name in filters.items():
        param = next(p for p in paths[path]["get"]["parameters"] if p["name"] == name)
        assert f'"#/components/schemas/{enum_name}"' in msgspec.json.encode(param["schema"]).decode()


# The database refuses a value outside an enum, whatever writes it.


def _insert_sql(table: str, row: dict) -> tuple[str, list]:
    columns = ", ".join(f'"{name}"' for name in row)
    marks = ", ".join("{}" for _ in row)
    return f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', list(row.values())


async def _user_row(engine_name) -> UUID:
    user_id = uuid4()
    await User.raw(
        'INSERT INTO "users" ("id", "email", "password_hash", "is_active", "created_at") VALUES ({}, {}, {}, {}, {})',
        user_id,
        f"{user_id}@example.com",
        "x",
        True,
        now(),
    ).run()
    return user_id


async def test_the_database_refuses_a_retired_mission_status(migrated, engine_name):
    user_id = await _user_row(engine_name)
    before = await Mission.count().run()
    for retired in RETIRED["MissionStatus"] + ["proposed", ""]:
        sql, args = _insert_sql(
            "missions",
            {
                "id": uuid4(),
                "user_id": user_id,
                "name": "m",
                "status": retired,
                "success_criteria": "[]",
                "mission_metadata": "{}",
                "created_at": now(),
                "updated_at": now(),
            },
        )
        with pytest.raises(Exception) as refused:
            await Mission.raw(sql, *args).run()
        assert "check" in str(refused.value).lower() or "ck_missions_status" in str(refused.value)
    assert await Mission.count().run() == before


async def test_the_database_refuses_a_retired_value_on_update(migrated, engine_name):
    from tests.builders import build_mission

    user_id = await _user_row(engine_name)
    tree = await build_mission(user_id, hops=1, steps_per_hop=1, mission_assets=1)
    cases = [
        ("tool_steps", "status", tree.step_ids[0], RETIRED["ToolExecutionStatus"]),
        ("assets", "status", tree.asset_ids[0], RETIRED["AssetStatus"]),
        ("missions", "status", tree.id, RETIRED["MissionStatus"]),
        ("hops", "status", tree.hop_ids[0], ["proposed", "active"]),
        ("assets", "role", tree.asset_ids[0], ["inputs"]),
        ("assets", "scope_type", tree.asset_ids[0], ["session"]),
    ]
    for table, column, row_id, bad_values in cases:
        for bad in bad_values:
            with pytest.raises((sqlite3.IntegrityError, asyncpg.exceptions.CheckViolationError)):
                await User.raw(f'UPDATE "{table}" SET "{column}" = {{}} WHERE id = {{}}', bad, row_id).run()
    tool = await ToolStepTable.select(ToolStepTable.status).where(ToolStepTable.id == tree.step_ids[0]).first().run()
    assert tool["status"] == "ready_to_execute"


async def test_the_database_accepts_every_documented_value(migrated, engine_name):
    """The CHECK constraints are not stricter than docs/domain.md."""
    from tests.builders import build_mission

    user_id = await _user_row(engine_name)
    tree = await build_mission(user_id, hops=1, steps_per_hop=1, mission_assets=1)
    for table, column, row_id, enum_name in (
        ("missions", "status", tree.id, "MissionStatus"),
        ("hops", "status", tree.hop_ids[0], "HopStatus"),
        ("tool_steps", "status", tree.step_ids[0], "ToolExecutionStatus"),
        ("assets", "status", tree.asset_ids[0], "AssetStatus"),
    ):
        for value in DOCUMENTED_ENUMS[enum_name][0]:
            await User.raw(f'UPDATE "{table}" SET "{column}" = {{}} WHERE id = {{}}', value, row_id).run()

"""The migrations produce exactly the tables the code declares, undo to an empty database,
and a table changed without a migration is caught.

Forwards and backwards run through the command line on a database of their own (a new
SQLite file, or a new PostgreSQL database), never the one the other tests use.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from enum import StrEnum
from pathlib import Path

import asyncpg
import pytest
from piccolo.columns import ForeignKey, Varchar
from piccolo.constraints import Check, Unique

from server import migration_check
from server.__main__ import main as cli_main
from server.columns import enum_check
from server.missions.tables import Mission
from server.piccolo_app import APP_CONFIG, TABLES
from server.settings import PROJECT_ROOT

MIGRATION_TABLE = "migration"  # Piccolo's record of applied migrations
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def declared_schema() -> dict[str, dict]:
    """What the Table classes declare: per table, its columns (name -> nullable), foreign
    keys (column -> (target table, on delete)), unique and check constraint names."""
    schema = {}
    for table in TABLES:
        constraints = table._meta.constraints
        schema[table._meta.tablename] = {
            "columns": {c._meta.db_column_name: bool(c._meta.null) for c in table._meta.columns},
            "foreign_keys": {
                c._meta.db_column_name: (
                    c._foreign_key_meta.resolved_references._meta.tablename,
                    c._foreign_key_meta.on_delete.value,
                )
                for c in table._meta.columns
                if isinstance(c, ForeignKey)
            },
            "unique": sorted(c._meta.name for c in constraints if isinstance(c, Unique)),
            "check": sorted(c._meta.name for c in constraints if isinstance(c, Check)),
        }
    return schema


def sqlite_schema(path: Path) -> dict[str, dict]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        names = [
            r["name"]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        triggers = {
            r["name"]: r["tbl_name"]
            for r in connection.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        }
        schema = {}
        for name in names:
            if name == MIGRATION_TABLE:
                continue
            columns = {
                r["name"]: not r["notnull"] and not r["pk"] for r in connection.execute(f'PRAGMA table_info("{name}")')
            }
            foreign_keys = {
                r["from"]: (r["table"], r["on_delete"])
                for r in connection.execute(f'PRAGMA foreign_key_list("{name}")')
            }
            unique = sorted(
                r["name"]
                for r in connection.execute(f'PRAGMA index_list("{name}")')
                if r["unique"] and r["origin"] == "c"
            )
            checks = sorted({t.rsplit("_", 1)[0] for t, table in triggers.items() if table == name})
            for kind in ("insert", "update"):
                assert all(f"{c}_{kind}" in triggers for c in checks), f"{name}: a CHECK trigger is missing"
            schema[name] = {"columns": columns, "foreign_keys": foreign_keys, "unique": unique, "check": checks}
        return schema
    finally:
        connection.close()


_PG_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


async def postgres_schema(url: str) -> dict[str, dict]:
    connection = await asyncpg.connect(url)
    try:
        names = [
            r["table_name"]
            for r in await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = "
                "'BASE TABLE'"
            )
        ]
        schema = {}
        for name in names:
            if name == MIGRATION_TABLE:
                continue
            columns = {
                r["column_name"]: r["is_nullable"] == "YES"
                for r in await connection.fetch(
                    "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' "
                    "AND table_name = $1",
                    name,
                )
            }
            constraints = await connection.fetch(
                "SELECT c.conname, c.contype::text AS contype, c.confdeltype::text AS confdeltype, a.attname, "
                "t.relname AS target "
                "FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
                "LEFT JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "LEFT JOIN pg_class t ON t.oid = c.confrelid WHERE r.relname = $1",
                name,
            )
            declared_unique = {c._meta.name for t in TABLES for c in t._meta.constraints if isinstance(c, Unique)}
            schema[name] = {
                "columns": columns,
                "foreign_keys": {
                    r["attname"]: (r["target"], _PG_ON_DELETE[r["confdeltype"]])
                    for r in constraints
                    if r["contype"] == "f"
                },
                # single-column UNIQUE columns get generated names; compare the named table constraints
                "unique": sorted(
                    r["conname"] for r in constraints if r["contype"] == "u" and r["conname"] in declared_unique
                ),
                "check": sorted(r["conname"] for r in constraints if r["contype"] == "c"),
            }
        return schema
    finally:
        await connection.close()


@pytest.fixture
async def scratch_database(engine_name, tmp_path):
    """Environment for the command line pointing at a new, empty database, and a reader of its schema."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env["DATA_DIR"] = str(tmp_path)
    if engine_name == "sqlite":
        yield env, lambda: asyncio.to_thread(sqlite_schema, tmp_path / "missions.sqlite")
        return
    name = f"missions_migrate_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    env["DATABASE_URL"] = url
    try:
        yield env, lambda: postgres_schema(url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run_cli(env: dict[str, str], *args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_forwards_gives_the_declared_tables_and_backwards_all_leaves_none(scratch_database):
    env, live_schema = scratch_database
    forwards = await run_cli(env, "migrate", "forwards")
    assert forwards.returncode == 0, forwards.stderr + forwards.stdout
    assert await live_schema() == declared_schema()

    backwards = await run_cli(env, "migrate", "backwards", "--target", "all")
    assert backwards.returncode == 0, backwards.stderr + backwards.stdout
    assert await live_schema() == {}


def test_the_declared_schema_keeps_the_spec_deletion_rules():
    """No cascade through the user; the mission's tree cascades from the mission."""
    schema = declared_schema()
    for table, info in schema.items():
        if table == "auth_sessions":
            continue  # sign-in sessions are not the user's data
        if "user_id" in info["foreign_keys"]:
            assert info["foreign_keys"]["user_id"] == ("users", "RESTRICT"), table
    assert schema["hops"]["foreign_keys"]["mission_id"] == ("missions", "CASCADE")
    assert schema["tool_steps"]["foreign_keys"]["hop_id"] == ("hops", "CASCADE")
    assert schema["mission_assets"]["foreign_keys"]["mission_id"] == ("missions", "CASCADE")
    assert schema["hop_assets"]["foreign_keys"]["hop_id"] == ("hops", "CASCADE")
    assert schema["user_sessions"]["foreign_keys"]["mission_id"] == ("missions", "SET NULL")


async def test_the_migrations_match_the_tables():
    assert await migration_check.pending_changes_async() == []


def _changed_mission(**members) -> type:
    """A copy of the Mission table with some members changed, as an edit to tables.py would."""
    return type("Mission", (Mission,), {"__module__": __name__, **members}, tablename="missions")


def _with(table: type) -> list[type]:
    return [table if t is Mission else t for t in TABLES]


async def test_a_new_column_without_a_migration_is_caught():
    changes = await migration_check.pending_changes_async(_with(_changed_mission(priority=Varchar(length=20))))
    assert len(changes) == 1 and "add_column" in changes[0] and "priority" in changes[0]


async def test_a_changed_enum_without_a_migration_is_caught():
    class Widened(StrEnum):
        AWAITING_APPROVAL = "awaiting_approval"
        PAUSED = "paused"

    check_only = await migration_check.pending_changes_async(
        _with(_changed_mission(ck_missions_status=enum_check("missions", "status", Widened)))
    )
    assert len(check_only) == 1 and "ck_missions_status" in check_only[0] and "paused" in check_only[0]


async def test_a_dropped_table_or_constraint_without_a_migration_is_caught():
    assert any(
        "drop_table" in c for c in await migration_check.pending_changes_async([t for t in TABLES if t is not Mission])
    )
    without = type("Mission", (Mission,), {"__module__": __name__}, tablename="missions")
    without._meta.constraints = []
    assert any("drop_constraint" in c for c in await migration_check.pending_changes_async(_with(without)))


async def test_check_migrations_command_exits_1_and_prints_the_difference(monkeypatch, capsys):
    assert await asyncio.to_thread(cli_main, ["check-migrations"]) == 0
    monkeypatch.setattr(APP_CONFIG, "table_classes", _with(_changed_mission(priority=Varchar(length=20))))
    assert await asyncio.to_thread(cli_main, ["check-migrations"]) == 1
    assert "priority" in capsys.readouterr().out


async def test_an_edited_tables_module_in_a_copy_of_the_project_fails_the_check(tmp_path):
    """End to end: the command, run in a copy of the project whose tables.py gained a column."""
    for part in ("server", "migrations"):
        shutil.copytree(PROJECT_ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "piccolo_conf.py", tmp_path)
    tables = tmp_path / "server" / "missions" / "tables.py"
    source = tables.read_text()
    anchor = "    mission_metadata = json_column()\n"
    assert anchor in source
    tables.write_text(
        source.replace(anchor, anchor + "    priority = Varchar(length=20, null=True, default=None)\n", 1)
    )
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data")}
    result = await run_cli(env, "check-migrations", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "priority" in result.stdout
    unchanged = await run_cli(env, "check-migrations")
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr

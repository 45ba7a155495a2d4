"""Composite indexes for the per-user lists, in the order the services page them: a page is
read straight off the index instead of sorting all of the user's rows. The same B-tree
serves newest-first and oldest-first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T07:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes for the per-user ordered lists"

INDEXES = {
    "ix_missions_user_created": ("missions", ("user_id", "created_at", "id")),
    "ix_missions_user_status_created": ("missions", ("user_id", "status", "created_at", "id")),
    "ix_user_sessions_user_activity": ("user_sessions", ("user_id", "last_activity_at", "id")),
    "ix_user_sessions_user_status_activity": ("user_sessions", ("user_id", "status", "last_activity_at", "id")),
    "ix_assets_user_created": ("assets", ("user_id", "created_at", "id")),
}


async def create_indexes() -> None:
    engine = engine_finder()
    for name, (table, columns) in INDEXES.items():
        column_list = ", ".join(f'"{column}"' for column in columns)
        await engine.run_ddl(f'CREATE INDEX "{name}" ON "{table}" ({column_list})')


async def drop_indexes() -> None:
    engine = engine_finder()
    for name in INDEXES:
        await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager

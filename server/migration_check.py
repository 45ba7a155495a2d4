"""Does every table change have a migration?

Piccolo's own `migrations check` only lists which migrations ran. This module replays the
migrations into a schema snapshot (without touching a database) and diffs the Table
classes against it, with the same machinery `piccolo migrations new --auto` uses: an empty
answer means an auto migration would find no changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Sequence
from itertools import chain

from piccolo.apps.migrations.auto import DiffableTable, SchemaDiffer, SchemaSnapshot
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from server.piccolo_app import APP_CONFIG


def _diffable(table: type[Table]) -> DiffableTable:
    return DiffableTable(
        class_name=table.__name__,
        tablename=table._meta.tablename,
        columns=table._meta.non_default_columns,
        constraints=table._meta.constraints,
        schema=table._meta.schema,
    )


async def pending_changes_async(
    tables: Sequence[type[Table]] | None = None, app_config: AppConfig | None = None
) -> list[str]:
    """The migration statements still missing for `tables` (default: the app's tables), as
    an auto migration would write them; empty when the migrations are complete."""
    if app_config is None:
        app_config = APP_CONFIG
    managers = await BaseMigrationManager().get_migration_managers(app_config=app_config)
    snapshot = SchemaSnapshot(managers).get_snapshot()
    current = [_diffable(table) for table in (tables if tables is not None else app_config.table_classes)]
    # "n": a column that disappeared and another that appeared are a drop and an add, not a
    # rename; the differ would otherwise ask on the terminal.
    differ = SchemaDiffer(schema=current, schema_snapshot=snapshot, auto_input="n")
    with contextlib.redirect_stdout(io.StringIO()):  # the differ prints a summary table
        statements = list(chain.from_iterable(s.statements for s in differ.get_alter_statements()))
    return statements + _changed_constraints(current, snapshot)


def _changed_constraints(current: list[DiffableTable], snapshot: list[DiffableTable]) -> list[str]:
    """Constraints whose definition changed under the same name (for example a CHECK that
    allows one more value): the differ compares constraints by name only."""
    before = {table.tablename: table for table in snapshot}
    changes = []
    for table in current:
        old = before.get(table.tablename)
        if old is None:
            continue
        old_params = {c._meta.name: c._meta.params for c in old.constraints}
        for constraint in table.constraints:
            previous = old_params.get(constraint._meta.name)
            if previous is not None and previous != constraint._meta.params:
                changes.append(
                    f"constraint {table.tablename}.{constraint._meta.name} changed: {previous} -> "
                    f"{constraint._meta.params}"
                )
    return changes


def pending_changes(tables: Sequence[type[Table]] | None = None, app_config: AppConfig | None = None) -> list[str]:
    """Synchronous `pending_changes_async`, for the command line and plain tests."""
    return asyncio.run(pending_changes_async(tables, app_config))


def main() -> int:
    """Print the missing migration statements; 1 when there are any."""
    changes = pending_changes()
    if not changes:
        print("migrations are up to date with the tables")
        return 0
    print("tables changed without a migration; `piccolo migrations new server --auto` would add:")
    for statement in changes:
        print(f"  {statement}")
    return 1

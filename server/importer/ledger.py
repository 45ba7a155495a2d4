"""The target side of an import: the ledger of rows already imported from a source, the ids
and e-mails the database already holds, and bulk inserts, all inside the import's one
transaction.

Bulk inserts bypass row objects: PostgreSQL takes the rows through COPY, SQLite through one
prepared INSERT run over every row (`executemany`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from operator import itemgetter
from typing import Any
from uuid import UUID, uuid5

from piccolo.table import Table

from server.database import engine, now
from server.importer.tables import ImportLedgerEntry
from server.users.tables import User

SOURCE = "source"
"""The entity of the marker entry that says a source has been imported from."""
SOURCE_NAMESPACE = UUID("3c2d1e0f-5a6b-4c7d-8e9f-a0b1c2d3e4f5")


def ledger_key(source: str, entity: str, legacy_id: str) -> str:
    """The ledger's key for one row of one source: a 128-bit hash of the three, in UUID
    form (made as text: an import makes one per row, and text is what both engines take)."""
    digest = hashlib.blake2b(f"{source}\n{entity}\n{legacy_id}".encode(), digest_size=16).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"


LOOKUP_CHUNK = 900
"""Values per lookup: under SQLite's smallest limit on parameters (999)."""


def _chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Target:
    """The app's database during one import (call inside `write_transaction()`).

    With `write=False` (a dry run, or a run that has met a problem) nothing is inserted; the
    lookups still answer from what the database holds.
    """

    def __init__(self, *, source: str, write: bool) -> None:
        self.source = source
        self.write = write
        self.rows_written = 0
        self.has_history = True
        """False once `start` found no earlier run from this source: nothing can be present
        (rows this run writes are never looked up again)."""
        self._marked = False

    async def start(self) -> None:
        """Find out whether an earlier run wrote anything from this source (its marker entry)."""
        rows = await _select_in("SELECT id FROM import_ledger WHERE id", [], [ledger_key(self.source, SOURCE, "")])
        self.has_history = self._marked = bool(rows)

    async def present(self, entity: str, keys: Collection[str]) -> dict[str, UUID]:
        """Which of `keys` (source ids of `entity`) an earlier run imported, with their ids here."""
        found: dict[str, UUID] = {}
        if not self.has_history:
            return found
        by_key = {ledger_key(self.source, entity, key): key for key in set(keys)}
        for chunk in _chunks(sorted(by_key)):
            rows = await _select_in("SELECT id, target_id FROM import_ledger WHERE id", [], list(chunk))
            found.update({by_key[str(row["id"])]: _uuid(row["target_id"]) for row in rows})
        return found

    async def existing_ids(self, table: type[Table], ids: Collection[UUID]) -> set[UUID]:
        """Which of `ids` the table already holds."""
        found: set[UUID] = set()
        for chunk in _chunks(sorted(set(ids))):
            rows = await _select_in(f'SELECT id FROM "{table._meta.tablename}" WHERE id', [], list(chunk))
            found.update(_uuid(row["id"]) for row in rows)
        return found

    async def existing_emails(self, emails: Collection[str]) -> dict[str, UUID]:
        """Accounts already here with one of these (normalised) e-mails: e-mail -> id."""
        found: dict[str, UUID] = {}
        for chunk in _chunks(sorted(set(emails))):
            rows = await User.select(User.id, User.email).where(User.email.is_in(list(chunk))).run()
            found.update({row["email"]: _uuid(row["id"]) for row in rows})
        return found

    async def insert(self, table: type[Table], rows: list[dict[str, Any]]) -> None:
        """Insert rows in one bulk operation: dicts holding the same columns (a column they
        all leave out takes its database default)."""
        if not rows or not self.write:
            return
        present = rows[0].keys()
        columns = [c._meta.db_column_name for c in table._meta.columns if c._meta.db_column_name in present]
        pick = itemgetter(*columns)
        records: list[tuple[Any, ...]] = [pick(row) for row in rows]
        transaction = engine().current_transaction.get()
        if transaction is None:
            raise RuntimeError("an import writes inside its transaction only")
        connection = transaction.connection
        if engine().engine_type == "postgres":
            await connection.copy_records_to_table(table._meta.tablename, records=records, columns=columns)
        else:
            names = ", ".join(f'"{name}"' for name in columns)
            marks = ", ".join("?" * len(columns))
            await connection.executemany(f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})', records)
        self.rows_written += len(rows)

    async def record(self, entries: list[tuple[str, str, UUID]]) -> None:
        """Add (entity, source id, id here) entries to the ledger; the first entries from a
        source also mark the source as imported from."""
        if not self.write:
            return
        at = now()
        if not self._marked and entries:
            entries = [(SOURCE, "", uuid5(SOURCE_NAMESPACE, self.source)), *entries]
            self._marked = True
        await self.insert(
            ImportLedgerEntry,
            [
                {
                    "id": ledger_key(self.source, entity, key),
                    "source": self.source,
                    "entity": entity,
                    "legacy_id": key,
                    "target_id": target_id,
                    "imported_at": at,
                }
                for entity, key, target_id in entries
            ],
        )


async def _select_in(sql: str, params: list[Any], values: list[Any]) -> list[dict[str, Any]]:
    """Rows of `sql` (ending in the column to match) for the values: one array parameter on
    PostgreSQL, a list of parameters on SQLite."""
    if engine().engine_type == "postgres":
        text, args = f"{sql} = ANY({{}})", [*params, values]
    else:
        text, args = f"{sql} IN ({', '.join('{}' for _ in values)})", [*params, *values]
    rows: list[dict[str, Any]] = await ImportLedgerEntry.raw(text, *args).run()
    return rows


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


async def ledger_ready() -> bool:
    """True when the database has the ledger table (its migrations have been applied), False
    when it lacks it; any other error (the database cannot be reached) is raised."""
    try:
        await ImportLedgerEntry.select(ImportLedgerEntry.id).limit(1).run()
    except Exception as exc:
        text = str(exc).lower()
        if "import_ledger" in text and ("no such table" in text or "does not exist" in text):
            return False
        raise
    return True

"""The import ledger: which rows of which earlier database were imported, so a second run
of `python -m server import-legacy` writes nothing it already wrote."""

from piccolo.columns import UUID, Varchar
from piccolo.table import Table

from server.columns import created_column


class ImportLedgerEntry(Table, tablename="import_ledger"):
    """One imported row: its source database, its kind, its id there and its id here."""

    id = UUID(primary_key=True)
    """uuid5 of (source, entity, legacy_id): the one key a lookup needs (see
    `server.importer.ledger.ledger_key`), cheaper to index than the three texts."""
    source = Varchar(length=500, null=False)
    """The source database without credentials (`mysql://host:port/db`, `sqlite:///path`)."""
    entity = Varchar(length=40, null=False)
    """What the row is: `users`, `missions`, `hops`, `tool_steps`, `assets`, ..."""
    legacy_id = Varchar(length=200, null=False)
    """The row's id in the source (derived rows: a key built from the ids they join)."""
    target_id = UUID(null=False)
    imported_at = created_column()

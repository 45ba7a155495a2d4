"""The engine the tables use, and the transactions the services open on it."""

from __future__ import annotations

import functools
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import TransactionType


@functools.cache
def engine() -> Engine[Any]:
    """The engine of `piccolo_conf.py` (PostgreSQL or the SQLite file, from the settings): the
    one every table was bound to when its class was created."""
    found = engine_finder()
    if found is None:
        raise RuntimeError("piccolo_conf.py defines no engine (DB)")
    return found


def is_sqlite() -> bool:
    return engine().engine_type == "sqlite"


def write_transaction() -> Any:
    """A transaction for writes: `BEGIN IMMEDIATE` on SQLite, so two writers queue instead of
    failing on lock upgrade; a plain transaction on PostgreSQL (row locks do the rest)."""
    db = engine()
    if db.engine_type == "sqlite":
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


def read_transaction() -> Any:
    """A transaction for a read that spans several queries: one connection, one snapshot on SQLite."""
    return engine().transaction()


def for_update(query: Any) -> Any:
    """Lock the rows a select finds until the transaction ends (PostgreSQL), so that
    check-then-write sequences cannot interleave. On SQLite the write transaction already
    holds the database's write lock."""
    if is_sqlite():
        return query
    return query.lock_rows("UPDATE")

"""The engine the tables use, and the transactions the services open on it."""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
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


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
_writing: ContextVar[bool] = ContextVar("writing", default=False)


def write_transaction() -> Any:
    """A transaction for writes: `BEGIN IMMEDIATE` on SQLite, so two writers queue instead of
    failing on lock upgrade; a plain transaction on PostgreSQL (row locks do the rest)."""
    db = engine()
    if db.engine_type == "sqlite":
        return _queued_sqlite_write(db)
    return db.transaction()


@asynccontextmanager
async def _queued_sqlite_write(db: Engine[Any]) -> AsyncIterator[Any]:
    """SQLite has one writer at a time. Writers of this process wait for it in turn on an
    asyncio lock (first come, first served) instead of inside SQLite's busy handler, which
    polls with sleeps that grow to 100 ms and lets late comers overtake: under load that made
    the slowest write requests wait seconds. A transaction nested in one holding the lock
    goes straight in."""
    if _writing.get():
        async with db.transaction(transaction_type=TransactionType.immediate) as transaction:
            yield transaction
        return
    loop = asyncio.get_running_loop()
    lock = _writers.get(loop)
    if lock is None:
        lock = _writers[loop] = asyncio.Lock()
    async with lock:
        token = _writing.set(True)
        try:
            async with db.transaction(transaction_type=TransactionType.immediate) as transaction:
                yield transaction
        finally:
            _writing.reset(token)


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

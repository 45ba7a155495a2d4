"""One import's state, and how a batch of converted rows reaches the database.

Conversion turns source rows into `Item`s: the target row, the source id the ledger keys it
by, and the items it needs (a hop needs its mission). `Context.flush` then, per batch:
looks up which items an earlier run imported (they are counted as already present and not
written), refuses rows whose id the database already holds for another reason, skips every
item whose needs are not met (a skipped row takes what depends on it along), and writes the
rest with one bulk insert per table plus their ledger entries.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from piccolo.table import Table

from server.assets.tables import Asset, HopAsset, MissionAsset
from server.connections.tables import Connection
from server.importer.ledger import Target
from server.importer.report import ImportReport, Progress
from server.importer.sources import Source
from server.missions.tables import Hop, Mission, ToolStep
from server.sessions.tables import Chat, ChatMessage, UserSession
from server.users.tables import User

Key = tuple[str, str]
"""(entity, source id)."""
R = TypeVar("R")
S = TypeVar("S")

TABLES: dict[str, type[Table]] = {
    "users": User,
    "chats": Chat,
    "chat_messages": ChatMessage,
    "missions": Mission,
    "assets": Asset,
    "hops": Hop,
    "tool_steps": ToolStep,
    "mission_assets": MissionAsset,
    "hop_assets": HopAsset,
    "user_sessions": UserSession,
    "resource_credentials": Connection,
}
"""Target table per entity, in the order a batch writes them (parents first)."""

CROSS_BATCH = frozenset({"users", "chats", "missions"})
"""Entities that rows of later batches may need: their availability is kept for the whole run."""
YIELD_EVERY = 2
"""Missions converted between two turns of the event loop, so the batch being written (COPY
on PostgreSQL, a round trip at a time) goes on while the next is converted."""
CONFLICT_CHECKED = frozenset({"users", "chats", "missions", "user_sessions"})
"""Entities whose ids are checked against the database before writing: a clash (the same data
imported under another source address, say) skips the row with everything under it. A clash
below them can only come with one of them, or fails the whole run (nothing written)."""


@dataclass(slots=True)
class Item:
    """One converted row. `row` is None for a source row merged into another (a tool execution
    into its step, a credential into steps' configurations): it is counted and recorded in the
    ledger but has no row of its own."""

    entity: str
    key: str
    target_id: UUID
    row: dict[str, Any] | None
    needs: tuple[Key, ...] = ()
    derived: bool = False
    """A row the source did not have (a generation-A mapping row): its id is derived from the
    ids it joins, so the database holding that id means it was imported; no ledger entry."""


@dataclass(slots=True)
class Batch:
    items: list[Item] = field(default_factory=list)
    ids: set[tuple[str, UUID]] = field(default_factory=set)

    def add(
        self,
        entity: str,
        key: str,
        target_id: UUID,
        row: dict[str, Any] | None,
        needs: tuple[Key, ...] = (),
        *,
        derived: bool = False,
    ) -> None:
        self.items.append(Item(entity, key, target_id, row, needs, derived))
        if row is not None:
            self.ids.add((entity, target_id))

    def holds(self, entity: str, target_id: UUID) -> bool:
        """True when the batch already has a row of `entity` with this id (a duplicate in the source)."""
        return (entity, target_id) in self.ids


@dataclass
class Context:
    """What every stage of one import shares."""

    source: Source
    target: Target
    report: ImportReport
    skip_invalid: bool
    batch_size: int
    progress: Progress
    available: set[Key] = field(default_factory=set)
    """Cross-batch items (users, chats, missions) imported or present so far."""
    users: dict[int, UUID] = field(default_factory=dict)
    """Earlier user id -> id here, for every user that is imported or present."""
    credentials: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """Earlier user id -> resource id -> credential values (secrets: never reported)."""
    connections: dict[int, dict[str, UUID]] = field(default_factory=dict)
    """Earlier user id -> resource id -> the saved connection its credential became."""
    encrypted: dict[Any, dict[str, Any]] = field(default_factory=dict)
    """Stored configurations already made (encrypted) for a user's resource: reused by its steps."""
    _pending: asyncio.Task[None] | None = None

    async def submit(self, batch: Batch) -> None:
        """Write a batch in the background (after the one before it) while the caller converts
        the next: the database works while Python does."""
        await self.drain()
        gc.collect(1)  # the collector is paused during an import (see `server.importer.run`)
        self._pending = asyncio.create_task(self.flush(batch))

    async def drain(self) -> None:
        """Wait for the batch being written (its error, if any, is raised here)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    async def abandon(self) -> None:
        """Stop the batch being written (the run is failing; the transaction rolls back)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending

    def problem(self, entity: str, table: str, row_id: object, reason: str) -> None:
        """A row that cannot be converted: reported, counted as read and skipped."""
        counts = self.report.entity(entity)
        counts.read += 1
        counts.skipped += 1
        self.report.problem(table, row_id, reason)
        if not self.skip_invalid:
            self.target.write = False  # the run will be refused: stop writing, keep reporting

    def skipped(self, entity: str, count: int = 1) -> None:
        """Rows read but skipped because a row they depend on was (no report line of their own)."""
        counts = self.report.entity(entity)
        counts.read += count
        counts.skipped += count

    async def flush(self, batch: Batch) -> None:
        """Write a batch as the module docstring says."""
        if not batch.items:
            return
        present = await self._present(batch)
        conflicts = await self._conflicts(batch, present)
        written: dict[str, list[dict[str, Any]]] = defaultdict(list)
        ledger: list[tuple[str, str, UUID]] = []
        local: set[Key] = set()
        available = self.available
        for item in batch.items:
            key = (item.entity, item.key)
            counts = self.report.entity(item.entity)
            counts.read += 1
            if key in present:
                counts.already_present += 1
            elif key in conflicts:
                counts.skipped += 1
                self.report.problem(item.entity, item.key, conflicts[key])
                if not self.skip_invalid:
                    self.target.write = False
                continue
            elif any(need not in local and need not in available for need in item.needs):
                counts.skipped += 1
                continue
            else:
                counts.imported += 1
                if item.row is not None:
                    written[item.entity].append(item.row)
                if not item.derived:
                    ledger.append((item.entity, item.key, item.target_id))
            local.add(key)
            if item.entity in CROSS_BATCH:
                self.available.add(key)
        for entity, table in TABLES.items():
            await self.target.insert(table, written.get(entity, []))
        await self.target.record(ledger)

    async def _present(self, batch: Batch) -> set[Key]:
        present: set[Key] = set()
        if not self.target.has_history:
            return present  # nothing was imported from this source before
        by_entity: dict[str, list[str]] = defaultdict(list)
        derived: dict[str, dict[UUID, str]] = defaultdict(dict)
        for item in batch.items:
            if item.derived:
                derived[item.entity][item.target_id] = item.key
            else:
                by_entity[item.entity].append(item.key)
        for entity, keys in by_entity.items():
            present.update((entity, key) for key in await self.target.present(entity, keys))
        for entity, ids in derived.items():
            present.update((entity, ids[i]) for i in await self.target.existing_ids(TABLES[entity], ids.keys()))
        return present

    async def _conflicts(self, batch: Batch, present: set[Key]) -> dict[Key, str]:
        """Rows whose id the database already holds without the ledger knowing it from this
        source (native data, or another source): they cannot be imported."""
        by_entity: dict[str, dict[UUID, str]] = defaultdict(dict)
        for item in batch.items:
            if item.entity in CONFLICT_CHECKED and item.row is not None and (item.entity, item.key) not in present:
                by_entity[item.entity][item.target_id] = item.key
        conflicts: dict[Key, str] = {}
        for entity, ids in by_entity.items():
            for target_id in await self.target.existing_ids(TABLES[entity], ids.keys()):
                conflicts[(entity, ids[target_id])] = (
                    f"this database already has a row with id {target_id} that was not imported from this source"
                )
        return conflicts


async def prefetched(batches: AsyncIterator[R], prepare: Callable[[R], Awaitable[S]]) -> AsyncIterator[tuple[R, S]]:
    """The batches with what `prepare` reads for each, the next one read while the caller
    works on the current one."""

    async def read() -> tuple[R, S] | None:
        rows = await anext(batches, None)
        if rows is None:
            return None
        return rows, await prepare(rows)

    task = asyncio.create_task(read())
    try:
        while (ready := await task) is not None:
            task = asyncio.create_task(read())
            yield ready
    finally:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task

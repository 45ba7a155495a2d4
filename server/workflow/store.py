"""Building blocks of the transitions: the conditional status change, the asset visibility of
a hop, the tool specifications, and the events announced after commit."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

import msgspec
from piccolo.table import Table

from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.database import decode_json_fields, is_sqlite, now
from server.enums import AssetRole, AssetStatus
from server.errors import NotFound, StatusConflict
from server.schemas import SchemaDefinition
from server.tools.schemas import ToolSpec
from server.workflow import events
from server.workflow.events import WorkflowEvent
from server.workflow.validation import ChainAsset

P = ParamSpec("P")
R = TypeVar("R")
RETRIES_AFTER_DEADLOCK = 3
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def retry_on_deadlock(transition: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run a transition again when PostgreSQL aborted it to break a deadlock with another
    transaction (rows locked in another order, e.g. a mission being cancelled while its step
    completes). Nothing was committed, so running it again is safe; the rerun sees the other
    transaction's outcome and succeeds or is refused like any other request."""

    @functools.wraps(transition)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(RETRIES_AFTER_DEADLOCK + 1):
            try:
                return await transition(*args, **kwargs)
            except Exception as exc:
                if attempt < RETRIES_AFTER_DEADLOCK and getattr(exc, "sqlstate", None) in _RETRYABLE_SQLSTATES:
                    continue
                raise
        raise AssertionError("unreachable")

    return run


async def set_status(
    table: type[Table],
    entity: str,
    entity_id: UUID,
    *,
    user_id: UUID,
    required: Iterable[str],
    action: str,
    changes: dict[Any, Any],
    extra_where: Any = None,
    returning: Iterable[Any] = (),
) -> dict[str, Any]:
    """Change a row's status only if it is in one of the `required` statuses, as one
    conditional UPDATE; zero rows changed means the row is missing (404) or in another status
    (409 naming both). Under concurrency exactly one caller sees its row change: SQLite queues
    writers (BEGIN IMMEDIATE), PostgreSQL re-checks the condition after the row lock.

    Returns the changed row's `returning` columns (values after the change), which spares the
    caller a read of the row beforehand."""
    required = list(required)
    where = (table.id == entity_id) & (table.user_id == user_id) & table.status.is_in(required)  # type: ignore[attr-defined]
    if extra_where is not None:
        where &= extra_where
    changes = {**changes, table.updated_at: changes.get(table.updated_at) or now()}  # type: ignore[attr-defined]
    changed = await table.update(changes).where(where).returning(table.id, *returning).run()  # type: ignore[attr-defined]
    if changed:
        return changed[0]
    row = await table.select(table.status).where((table.id == entity_id) & (table.user_id == user_id)).first().run()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(entity, entity_id)
    raise StatusConflict(entity, entity_id, row["status"], required, action)


_LOCK_BY = {
    "mission": "SELECT m.id FROM missions m WHERE m.id = {} AND m.user_id = {} FOR UPDATE",
    "hop": (
        "SELECT m.id FROM missions m JOIN hops h ON h.mission_id = m.id "
        "WHERE h.id = {} AND m.user_id = {} FOR UPDATE OF m"
    ),
    "step": (
        "SELECT m.id FROM missions m JOIN hops h ON h.mission_id = m.id JOIN tool_steps s ON s.hop_id = h.id "
        "WHERE s.id = {} AND m.user_id = {} FOR UPDATE OF m"
    ),
}


async def lock_mission_of(kind: str, entity_id: UUID, *, user_id: UUID) -> None:
    """Inside a write transaction on PostgreSQL: hold the row of the mission that owns this
    mission, hop or step (`kind`) until the transaction ends. Transitions that write at several
    levels take it first, like the deletes do, so that concurrent writers to one mission's
    tree queue in one order (no deadlock, no asset orphaned by a racing delete). SQLite's
    write transaction already holds the whole database; a missing row is left for the
    transition to report."""
    if is_sqlite():
        return
    from server.missions.tables import Mission as MissionTable

    await MissionTable.raw(_LOCK_BY[kind], entity_id, user_id).run()


def tool_specs() -> Mapping[str, ToolSpec]:
    """The registered tools by id (none while the registry is not installed)."""
    try:
        from server.tools.registry import get_registry
    except ModuleNotFoundError as exc:
        if exc.name != "server.tools.registry":
            raise
        return {}
    return get_registry().specs()


class Visibility(msgspec.Struct, kw_only=True):
    """The assets a hop can see: its own asset map and the mission's."""

    hop_map: dict[UUID, AssetRole]
    mission_map: dict[UUID, AssetRole]

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self.hop_map or asset_id in self.mission_map

    def ids(self) -> list[UUID]:
        return list(dict.fromkeys([*self.hop_map, *self.mission_map]))


# One statement for both maps: visibility is read on every step of a running hop.
_VISIBILITY_SQL = (
    "SELECT 1 AS of_hop, asset_id, role FROM hop_assets WHERE hop_id = {} AND user_id = {} "
    "UNION ALL "
    "SELECT 0 AS of_hop, asset_id, role FROM mission_assets WHERE mission_id = {} AND user_id = {}"
)


def as_uuid(value: Any) -> UUID:
    """A UUID from a raw row (SQLite returns text where a statement loses the column type)."""
    return value if isinstance(value, UUID) else UUID(str(value))


async def visibility(*, user_id: UUID, hop_id: UUID, mission_id: UUID) -> Visibility:
    rows = await HopAssetTable.raw(_VISIBILITY_SQL, hop_id, user_id, mission_id, user_id).run()
    hop_map: dict[UUID, AssetRole] = {}
    mission_map: dict[UUID, AssetRole] = {}
    for row in rows:
        (hop_map if row["of_hop"] else mission_map)[as_uuid(row["asset_id"])] = AssetRole(row["role"])
    return Visibility(hop_map=hop_map, mission_map=mission_map)


async def chain_assets(*, user_id: UUID, hop_id: UUID, mission_id: UUID) -> dict[UUID, ChainAsset]:
    """The assets a hop can see, as tool chain validation needs them. Available from the
    start: the hop's inputs, and mission assets the hop does not map that are mission inputs
    or were made ready by an earlier hop."""
    seen = await visibility(user_id=user_id, hop_id=hop_id, mission_id=mission_id)
    ids = seen.ids()
    if not ids:
        return {}
    rows = (
        await AssetTable.select(AssetTable.id, AssetTable.name, AssetTable.schema_definition, AssetTable.status)
        .where((AssetTable.user_id == user_id) & AssetTable.id.is_in(ids))
        .run()
    )
    assets: dict[UUID, ChainAsset] = {}
    for row in rows:
        decode_json_fields(row, ("schema_definition",))
        hop_role = seen.hop_map.get(row["id"])
        if hop_role is not None:
            available = hop_role is AssetRole.INPUT
        else:
            available = seen.mission_map.get(row["id"]) is AssetRole.INPUT or row["status"] == AssetStatus.READY
        assets[row["id"]] = ChainAsset(
            id=row["id"],
            name=row["name"],
            schema_definition=msgspec.convert(row["schema_definition"], SchemaDefinition),
            hop_role=hop_role,
            available_at_start=available,
        )
    # Keep the order of the maps: hop assets first, then the mission's.
    return {asset_id: assets[asset_id] for asset_id in ids if asset_id in assets}


class Events:
    """Status changes collected during a transaction, announced once it has committed."""

    def __init__(self, user_id: UUID) -> None:
        self.user_id = user_id
        self.items: list[WorkflowEvent] = []
        self.at = now()

    def add(
        self, entity: str, entity_id: UUID, status: str, *, mission_id: UUID | None = None, hop_id: UUID | None = None
    ) -> None:
        self.items.append(
            WorkflowEvent(
                entity=entity, id=entity_id, status=str(status), mission_id=mission_id, hop_id=hop_id, at=self.at
            )
        )

    def add_many(self, entity: str, ids: Iterable[UUID], status: str, **kwargs: Any) -> None:
        for entity_id in ids:
            self.add(entity, entity_id, status, **kwargs)

    async def publish(self) -> None:
        await events.publish(user_id=self.user_id, events=self.items)

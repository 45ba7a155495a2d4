"""Reading, updating and deleting missions, hops and tool steps, scoped to one user.

A mission is read in one statement whatever its size: the database builds one JSON document
(the mission, its hops, all their tool steps, the mission's and the hops' asset maps) and
msgspec decodes it straight into Structs.
Status changes are not made here: they belong to `server.workflow.transitions`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns import Column
from piccolo.custom_types import Combinable

from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.assets.tables import MissionAsset as MissionAssetTable
from server.database import (
    JsonSql,
    decode_json_fields,
    engine,
    for_update,
    json_columns,
    json_statement,
    now,
    read_transaction,
    to_json,
    to_struct,
    write_transaction,
)
from server.enums import AssetRole, AssetScopeType, EntityChange, MissionStatus, WorkflowEntity
from server.errors import NotFound
from server.missions.schemas import (
    Hop,
    HopInfo,
    HopPage,
    HopUpdate,
    Mission,
    MissionInfo,
    MissionPage,
    MissionUpdate,
    ResourceConfigState,
    ToolStep,
    ToolStepPage,
    ToolStepUpdate,
)
from server.missions.tables import Hop as HopTable
from server.missions.tables import Mission as MissionTable
from server.missions.tables import ToolStep as ToolStepTable
from server.schemas import summarize_asset_map
from server.workflow import events

_MISSION_JSON = json_columns(MissionTable)
_HOP_JSON = json_columns(HopTable)
_STEP_JSON = json_columns(ToolStepTable)

_MISSION_COLUMNS = [c for c in MissionTable._meta.columns if c._meta.name != "user_id"]
_STEP_COLUMNS = [c for c in ToolStepTable._meta.columns if c._meta.name != "user_id"]


# Row decoding ------------------------------------------------------------------------------


def resource_config_state(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored resource configs -> response shape: secrets are reported only as set or not."""
    return {
        resource_id: {
            "connection_id": config.get("connection_id"),
            "values": config.get("values", {}),
            "secrets": {name: bool(value) for name, value in config.get("secrets", {}).items()},
        }
        for resource_id, config in stored.items()
    }


def tool_step_from_row(row: dict[str, Any]) -> ToolStep:
    decode_json_fields(row, _STEP_JSON)
    row["resource_configs"] = resource_config_state(row["resource_configs"] or {})
    return to_struct(ToolStep, row)


# Reading -----------------------------------------------------------------------------------


async def _mission_row(user_id: UUID, mission_id: UUID) -> dict[str, Any]:
    row = (
        await MissionTable.select(*_MISSION_COLUMNS)
        .where((MissionTable.id == mission_id) & (MissionTable.user_id == user_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("mission", mission_id)
    return row


class _StoredResourceConfig(msgspec.Struct):
    """A step's resource configuration as stored: secrets still in it."""

    values: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    connection_id: UUID | None = None


class _HopTree(msgspec.Struct):
    """What one statement returns for hops: the hops, all their steps (each with its stored
    resource configs, masked before it leaves) and their asset maps as (hop, asset, role)."""

    hops: list[HopInfo]
    steps: list[tuple[ToolStep, dict[str, _StoredResourceConfig] | None]]
    hop_assets: list[tuple[UUID, UUID, AssetRole]]


class _MissionTree(_HopTree):
    mission: MissionInfo | None
    mission_assets: list[tuple[UUID, AssetRole]]


class _MissionList(msgspec.Struct):
    items: list[MissionInfo]
    total: int


def _hop_parts(sql: JsonSql, hops_by: str) -> dict[str, str]:
    """The user's hops matching `hops_by` (on alias `h`), their steps and asset maps.

    Every row is found through the mission or hop ids, not among all of the user's rows:
    the user_id conditions only re-check them (SQLite, without statistics, would otherwise
    pick the user_id index and scan the user's whole history)."""
    hop_filter = f"{hops_by} AND {sql.filter_column('h.user_id')} = :user"
    step = sql.row(ToolStepTable, "s", replace={"resource_configs": sql.empty_object()})
    return {
        "hops": sql.aggregate(sql.row(HopTable, "h"), f"FROM hops h WHERE {hop_filter}", ["h.sequence_order"]),
        "steps": sql.aggregate(
            sql.array(step, sql.column(ToolStepTable.resource_configs, "s")),
            f"FROM tool_steps s JOIN hops h ON h.id = s.hop_id WHERE {hop_filter} AND "
            f"{sql.filter_column('s.user_id')} = :user",
            ["h.sequence_order", "s.sequence_order"],
        ),
        "hop_assets": sql.aggregate(
            sql.array(
                *(sql.column(c, "ha") for c in (HopAssetTable.hop_id, HopAssetTable.asset_id, HopAssetTable.role))
            ),
            f"FROM hop_assets ha JOIN hops h ON h.id = ha.hop_id WHERE {hop_filter} AND "
            f"{sql.filter_column('ha.user_id')} = :user",
            ["ha.created_at", "ha.id"],
        ),
    }


def _mission_tree_sql(sql: JsonSql) -> str:
    return sql.document(
        {
            "mission": sql.scalar(
                f"SELECT {sql.row(MissionTable, 'm')} FROM missions m WHERE m.id = :mission AND "
                f"{sql.filter_column('m.user_id')} = :user"
            ),
            **_hop_parts(sql, "h.mission_id = :mission"),
            "mission_assets": sql.aggregate(
                sql.array(sql.column(MissionAssetTable.asset_id, "ma"), sql.column(MissionAssetTable.role, "ma")),
                f"FROM mission_assets ma WHERE ma.mission_id = :mission AND {sql.filter_column('ma.user_id')} = :user",
                ["ma.created_at", "ma.id"],
            ),
        }
    )


def _mission_list_sql(sql: JsonSql, *, by_status: bool) -> str:
    where = "WHERE p.user_id = :user" + (" AND p.status = :status" if by_status else "")
    # The page's ids come off the (user_id[, status], created_at, id) index; only those
    # rows are turned into JSON.
    page = f"SELECT p.id FROM missions p {where} ORDER BY p.created_at DESC, p.id DESC LIMIT :limit OFFSET :offset"
    return sql.document(
        {
            "items": sql.aggregate(
                sql.row(MissionTable, "m"),
                f"FROM missions m WHERE m.id IN ({page})",
                ["m.created_at DESC", "m.id DESC"],
            ),
            "total": f"(SELECT count(*) FROM missions p {where})",  # a number: JSON as it is
        }
    )


# One statement each, whatever the number of hops, steps and assets.
_MISSION_TREE = json_statement(_mission_tree_sql)
_HOP = json_statement(lambda sql: sql.document(_hop_parts(sql, "h.id = :hop")))
_MISSION_PAGE = json_statement(lambda sql: _mission_list_sql(sql, by_status=False))
_MISSION_PAGE_BY_STATUS = json_statement(lambda sql: _mission_list_sql(sql, by_status=True))

_decode_hop_tree = msgspec.json.Decoder(_HopTree).decode
_decode_mission_tree = msgspec.json.Decoder(_MissionTree).decode
_decode_mission_list = msgspec.json.Decoder(_MissionList).decode


def _config_states(stored: dict[str, _StoredResourceConfig]) -> dict[str, ResourceConfigState]:
    """Stored resource configs -> response shape: secrets are reported only as set or not."""
    return {
        resource_id: ResourceConfigState(
            connection_id=config.connection_id,
            values=config.values,
            secrets={name: bool(value) for name, value in config.secrets.items()},
        )
        for resource_id, config in stored.items()
    }


def _assemble_hops(tree: _HopTree) -> list[Hop]:
    steps_by_hop: dict[UUID, list[ToolStep]] = defaultdict(list)
    for step, configs in tree.steps:
        if configs:
            step.resource_configs = _config_states(configs)
        steps_by_hop[step.hop_id].append(step)
    maps_by_hop: dict[UUID, dict[UUID, AssetRole]] = defaultdict(dict)
    for hop_id, asset_id, role in tree.hop_assets:
        maps_by_hop[hop_id][asset_id] = role
    hops = []
    for info in tree.hops:
        asset_map = maps_by_hop.get(info.id, {})
        hops.append(
            Hop(
                **msgspec.structs.asdict(info),
                tool_steps=steps_by_hop.get(info.id, []),
                hop_asset_map=asset_map,
                asset_summary=summarize_asset_map(asset_map),
            )
        )
    return hops


async def _mission_tree(user_id: UUID, mission_id: UUID) -> _MissionTree:
    tree = _decode_mission_tree(await _MISSION_TREE.fetch_value(engine(), mission=mission_id, user=user_id))
    if tree.mission is None:
        raise NotFound("mission", mission_id)
    return tree


async def get_mission(*, user_id: UUID, mission_id: UUID) -> Mission:
    """One mission with its hops, steps and asset maps, in one statement whatever its size
    (one snapshot on both engines)."""
    tree = await _mission_tree(user_id, mission_id)
    hops = _assemble_hops(tree)
    info = tree.mission
    assert info is not None  # _mission_tree raises NotFound without it
    asset_map = dict(tree.mission_assets)
    current = next((hop for hop in hops if hop.id == info.current_hop_id), None)
    return Mission(
        **msgspec.structs.asdict(info),
        hops=hops,
        current_hop=current,
        mission_asset_map=asset_map,
        asset_summary=summarize_asset_map(asset_map),
    )


async def list_missions(*, user_id: UUID, limit: int, offset: int, status: MissionStatus | None = None) -> MissionPage:
    """Newest first; ties broken by id so pages never overlap. One statement (page and total)."""
    if status is None:
        doc = await _MISSION_PAGE.fetch_value(engine(), user=user_id, limit=limit, offset=offset)
    else:
        doc = await _MISSION_PAGE_BY_STATUS.fetch_value(
            engine(), user=user_id, status=status.value, limit=limit, offset=offset
        )
    page = _decode_mission_list(doc)
    return MissionPage(items=page.items, total=page.total, limit=limit, offset=offset)


async def get_hop(*, user_id: UUID, hop_id: UUID) -> Hop:
    hops = _assemble_hops(_decode_hop_tree(await _HOP.fetch_value(engine(), hop=hop_id, user=user_id)))
    if not hops:
        raise NotFound("hop", hop_id)
    return hops[0]


async def list_hops(*, user_id: UUID, mission_id: UUID, limit: int, offset: int) -> HopPage:
    hops = _assemble_hops(await _mission_tree(user_id, mission_id))
    return HopPage(items=hops[offset : offset + limit], total=len(hops), limit=limit, offset=offset)


async def get_tool_step(*, user_id: UUID, step_id: UUID) -> ToolStep:
    row = (
        await ToolStepTable.select(*_STEP_COLUMNS)
        .where((ToolStepTable.id == step_id) & (ToolStepTable.user_id == user_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("tool step", step_id)
    return tool_step_from_row(row)


async def list_tool_steps(*, user_id: UUID, hop_id: UUID, limit: int, offset: int) -> ToolStepPage:
    async with read_transaction():
        exists = await HopTable.exists().where((HopTable.id == hop_id) & (HopTable.user_id == user_id)).run()
        if not exists:
            raise NotFound("hop", hop_id)
        where = (ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == user_id)
        rows = (
            await ToolStepTable.select(*_STEP_COLUMNS)
            .where(where)
            .order_by(ToolStepTable.sequence_order)
            .limit(limit)
            .offset(offset)
            .run()
        )
        total = await ToolStepTable.count().where(where).run()
    return ToolStepPage(items=[tool_step_from_row(r) for r in rows], total=total, limit=limit, offset=offset)


# Updating ----------------------------------------------------------------------------------


def _changes(data: msgspec.Struct, json_fields: tuple[str, ...]) -> dict[Column | str, Any]:
    """The fields a partial update sets, JSON fields encoded for their column."""
    changes: dict[Column | str, Any] = {}
    for name in data.__struct_fields__:
        value = getattr(data, name)
        if value is msgspec.UNSET:
            continue
        changes[name] = to_json(value) if name in json_fields else value
    return changes


async def update_mission(*, user_id: UUID, mission_id: UUID, data: MissionUpdate) -> Mission:
    changes = _changes(data, _MISSION_JSON)
    async with write_transaction():
        await _mission_row(user_id, mission_id)
        if changes:
            changes["updated_at"] = now()
            await (
                MissionTable.update(changes)
                .where((MissionTable.id == mission_id) & (MissionTable.user_id == user_id))
                .run()
            )
    mission = await get_mission(user_id=user_id, mission_id=mission_id)
    if changes:
        await events.announce_change(
            user_id=user_id,
            entity=WorkflowEntity.MISSION,
            entity_id=mission_id,
            status=mission.status,
            change=EntityChange.UPDATED,
            mission_id=mission_id,
        )
    return mission


async def update_hop(*, user_id: UUID, hop_id: UUID, data: HopUpdate) -> Hop:
    changes = _changes(data, _HOP_JSON)
    async with write_transaction():
        await get_hop(user_id=user_id, hop_id=hop_id)
        if changes:
            changes["updated_at"] = now()
            await HopTable.update(changes).where((HopTable.id == hop_id) & (HopTable.user_id == user_id)).run()
    hop = await get_hop(user_id=user_id, hop_id=hop_id)
    if changes:
        await events.announce_change(
            user_id=user_id,
            entity=WorkflowEntity.HOP,
            entity_id=hop_id,
            status=hop.status,
            change=EntityChange.UPDATED,
            mission_id=hop.mission_id,
            hop_id=hop_id,
        )
    return hop


async def update_tool_step(*, user_id: UUID, step_id: UUID, data: ToolStepUpdate) -> ToolStep:
    changes = _changes(data, _STEP_JSON)
    async with write_transaction():
        await get_tool_step(user_id=user_id, step_id=step_id)
        if changes:
            changes["updated_at"] = now()
            await (
                ToolStepTable.update(changes)
                .where((ToolStepTable.id == step_id) & (ToolStepTable.user_id == user_id))
                .run()
            )
    step = await get_tool_step(user_id=user_id, step_id=step_id)
    if changes:
        mission_id = await HopTable.select(HopTable.mission_id).where(HopTable.id == step.hop_id).first().run()
        await events.announce_change(
            user_id=user_id,
            entity=WorkflowEntity.TOOL_STEP,
            entity_id=step_id,
            status=step.status,
            change=EntityChange.UPDATED,
            mission_id=mission_id["mission_id"] if mission_id else None,
            hop_id=step.hop_id,
        )
    return step


# Deleting ----------------------------------------------------------------------------------


async def lock_mission(*, user_id: UUID, mission_id: UUID) -> None:
    """Inside a write transaction: hold the mission's row until it ends, or 404. Writers that
    add to or remove from a mission's tree take this first, so they queue instead of
    interleaving (a racing delete would otherwise leave an orphan asset behind)."""
    row = (
        await for_update(
            MissionTable.select(MissionTable.id).where(
                (MissionTable.id == mission_id) & (MissionTable.user_id == user_id)
            )
        )
        .first()
        .run()
    )
    if row is None:
        raise NotFound("mission", mission_id)


async def delete_mission(*, user_id: UUID, mission_id: UUID) -> None:
    """Remove the mission, its hops and their steps, the mapping rows, and every asset scoped
    to the mission or one of its hops, in one transaction."""
    async with write_transaction():
        await lock_mission(user_id=user_id, mission_id=mission_id)
        hop_ids = [
            r["id"]
            for r in await HopTable.select(HopTable.id)
            .where((HopTable.mission_id == mission_id) & (HopTable.user_id == user_id))
            .run()
        ]
        scoped: Combinable = (AssetTable.scope_type == AssetScopeType.MISSION) & (AssetTable.scope_id == mission_id)
        if hop_ids:
            scoped |= (AssetTable.scope_type == AssetScopeType.HOP) & AssetTable.scope_id.is_in(hop_ids)
        await AssetTable.delete().where((AssetTable.user_id == user_id) & scoped).run()
        # Hops, steps and mapping rows go with the mission (ON DELETE CASCADE on the mission).
        await MissionTable.delete().where((MissionTable.id == mission_id) & (MissionTable.user_id == user_id)).run()


async def delete_hop(*, user_id: UUID, hop_id: UUID) -> None:
    """Remove a hop, its steps, its mapping rows and its hop-scoped assets; never a
    mission-scoped asset."""
    async with write_transaction():
        row = (
            await HopTable.select(HopTable.mission_id)
            .where((HopTable.id == hop_id) & (HopTable.user_id == user_id))
            .first()
            .run()
        )
        if row is None:
            raise NotFound("hop", hop_id)
        # The mission first, then the hop: the order a mission delete takes them in.
        try:
            await lock_mission(user_id=user_id, mission_id=row["mission_id"])
        except NotFound:
            raise NotFound("hop", hop_id) from None
        if not await HopTable.exists().where((HopTable.id == hop_id) & (HopTable.user_id == user_id)).run():
            raise NotFound("hop", hop_id)
        await (
            AssetTable.delete()
            .where(
                (AssetTable.user_id == user_id)
                & (AssetTable.scope_type == AssetScopeType.HOP)
                & (AssetTable.scope_id == hop_id)
            )
            .run()
        )
        await (
            MissionTable.update({MissionTable.current_hop_id: None, MissionTable.updated_at: now()})
            .where((MissionTable.id == row["mission_id"]) & (MissionTable.current_hop_id == hop_id))
            .run()
        )
        await HopTable.delete().where((HopTable.id == hop_id) & (HopTable.user_id == user_id)).run()


async def delete_tool_step(*, user_id: UUID, step_id: UUID) -> None:
    async with write_transaction():
        deleted = (
            await ToolStepTable.delete()
            .where((ToolStepTable.id == step_id) & (ToolStepTable.user_id == user_id))
            .returning(ToolStepTable.id)
            .run()
        )
    if not deleted:
        raise NotFound("tool step", step_id)

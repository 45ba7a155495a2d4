"""Reading, updating and deleting missions, hops and tool steps, scoped to one user.

A mission is read with a fixed number of queries whatever its size: the mission, its hops,
all their tool steps, the mission's asset map and all hop asset maps, in one snapshot.
Status changes are not made here: they belong to `server.workflow.transitions`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

import msgspec

from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.assets.tables import MissionAsset as MissionAssetTable
from server.database import (
    decode_json_fields,
    for_update,
    json_columns,
    now,
    read_transaction,
    to_json,
    to_struct,
    write_transaction,
)
from server.enums import AssetRole, AssetScopeType, MissionStatus
from server.errors import NotFound
from server.missions.schemas import (
    Hop,
    HopPage,
    HopUpdate,
    Mission,
    MissionInfo,
    MissionPage,
    MissionUpdate,
    ToolStep,
    ToolStepPage,
    ToolStepUpdate,
)
from server.missions.tables import Hop as HopTable
from server.missions.tables import Mission as MissionTable
from server.missions.tables import ToolStep as ToolStepTable
from server.schemas import summarize_asset_map

_MISSION_JSON = json_columns(MissionTable)
_HOP_JSON = json_columns(HopTable)
_STEP_JSON = json_columns(ToolStepTable)

_MISSION_COLUMNS = [c for c in MissionTable._meta.columns if c._meta.name != "user_id"]
_HOP_COLUMNS = [c for c in HopTable._meta.columns if c._meta.name != "user_id"]
_STEP_COLUMNS = [c for c in ToolStepTable._meta.columns if c._meta.name != "user_id"]


# Row decoding ------------------------------------------------------------------------------


def resource_config_state(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored resource configs -> response shape: secrets are reported only as set or not."""
    return {
        resource_id: {
            "values": config.get("values", {}),
            "secrets": {name: bool(value) for name, value in config.get("secrets", {}).items()},
        }
        for resource_id, config in stored.items()
    }


def tool_step_from_row(row: dict[str, Any]) -> ToolStep:
    decode_json_fields(row, _STEP_JSON)
    row["resource_configs"] = resource_config_state(row["resource_configs"] or {})
    return to_struct(ToolStep, row)


def hop_from_row(row: dict[str, Any], steps: list[ToolStep], asset_map: dict[UUID, AssetRole]) -> Hop:
    decode_json_fields(row, _HOP_JSON)
    row["tool_steps"] = steps
    row["hop_asset_map"] = asset_map
    row["asset_summary"] = summarize_asset_map(asset_map)
    return to_struct(Hop, row)


def mission_info_from_row(row: dict[str, Any]) -> MissionInfo:
    return to_struct(MissionInfo, decode_json_fields(row, _MISSION_JSON))


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


async def _hops_of_mission(user_id: UUID, mission_id: UUID, hop_id: UUID | None = None) -> list[Hop]:
    """The hops of a mission (or the one hop `hop_id`) with their steps and asset maps: 3 queries."""
    hop_filter = (HopTable.mission_id == mission_id) & (HopTable.user_id == user_id)
    step_filter = (ToolStepTable.hop_id.mission_id == mission_id) & (ToolStepTable.user_id == user_id)
    map_filter = (HopAssetTable.hop_id.mission_id == mission_id) & (HopAssetTable.user_id == user_id)
    if hop_id is not None:
        hop_filter &= HopTable.id == hop_id
        step_filter = (ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == user_id)
        map_filter = (HopAssetTable.hop_id == hop_id) & (HopAssetTable.user_id == user_id)
    hop_rows = await HopTable.select(*_HOP_COLUMNS).where(hop_filter).order_by(HopTable.sequence_order).run()
    if not hop_rows:
        return []
    step_rows = (
        await ToolStepTable.select(*_STEP_COLUMNS)
        .where(step_filter)
        .order_by(ToolStepTable.hop_id)
        .order_by(ToolStepTable.sequence_order)
        .run()
    )
    map_rows = (
        await HopAssetTable.select(HopAssetTable.hop_id, HopAssetTable.asset_id, HopAssetTable.role)
        .where(map_filter)
        .order_by(HopAssetTable.created_at)
        .order_by(HopAssetTable.id)
        .run()
    )
    steps_by_hop: dict[UUID, list[ToolStep]] = defaultdict(list)
    for row in step_rows:
        steps_by_hop[row["hop_id"]].append(tool_step_from_row(row))
    maps_by_hop: dict[UUID, dict[UUID, AssetRole]] = defaultdict(dict)
    for row in map_rows:
        maps_by_hop[row["hop_id"]][row["asset_id"]] = AssetRole(row["role"])
    return [hop_from_row(row, steps_by_hop.get(row["id"], []), maps_by_hop.get(row["id"], {})) for row in hop_rows]


async def get_mission(*, user_id: UUID, mission_id: UUID) -> Mission:
    """One mission with its hops, steps and asset maps, in 5 queries whatever its size."""
    async with read_transaction():
        row = await _mission_row(user_id, mission_id)
        hops = await _hops_of_mission(user_id, mission_id)
        map_rows = (
            await MissionAssetTable.select(MissionAssetTable.asset_id, MissionAssetTable.role)
            .where((MissionAssetTable.mission_id == mission_id) & (MissionAssetTable.user_id == user_id))
            .order_by(MissionAssetTable.created_at)
            .order_by(MissionAssetTable.id)
            .run()
        )
    asset_map = {r["asset_id"]: AssetRole(r["role"]) for r in map_rows}
    decode_json_fields(row, _MISSION_JSON)
    current = next((hop for hop in hops if hop.id == row["current_hop_id"]), None)
    row.update(hops=hops, current_hop=current, mission_asset_map=asset_map, asset_summary=summarize_asset_map(asset_map))
    return to_struct(Mission, row)


async def list_missions(
    *, user_id: UUID, limit: int, offset: int, status: MissionStatus | None = None
) -> MissionPage:
    """Newest first; ties broken by id so pages never overlap."""
    where = MissionTable.user_id == user_id
    if status is not None:
        where &= MissionTable.status == status
    rows = (
        await MissionTable.select(*_MISSION_COLUMNS)
        .where(where)
        .order_by(MissionTable.created_at, ascending=False)
        .order_by(MissionTable.id, ascending=False)
        .limit(limit)
        .offset(offset)
        .run()
    )
    total = await MissionTable.count().where(where).run()
    return MissionPage(items=[mission_info_from_row(r) for r in rows], total=total, limit=limit, offset=offset)


async def get_hop(*, user_id: UUID, hop_id: UUID) -> Hop:
    async with read_transaction():
        row = await HopTable.select(HopTable.mission_id).where((HopTable.id == hop_id) & (HopTable.user_id == user_id)).first().run()
        if row is None:
            raise NotFound("hop", hop_id)
        hops = await _hops_of_mission(user_id, row["mission_id"], hop_id=hop_id)
    return hops[0]


async def list_hops(*, user_id: UUID, mission_id: UUID, limit: int, offset: int) -> HopPage:
    async with read_transaction():
        await _mission_row(user_id, mission_id)
        hops = await _hops_of_mission(user_id, mission_id)
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


def _changes(data: msgspec.Struct, json_fields: tuple[str, ...]) -> dict[str, Any]:
    """The fields a partial update sets, JSON fields encoded for their column."""
    changes: dict[str, Any] = {}
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
            await MissionTable.update(changes).where(
                (MissionTable.id == mission_id) & (MissionTable.user_id == user_id)
            ).run()
    return await get_mission(user_id=user_id, mission_id=mission_id)


async def update_hop(*, user_id: UUID, hop_id: UUID, data: HopUpdate) -> Hop:
    changes = _changes(data, _HOP_JSON)
    async with write_transaction():
        await get_hop(user_id=user_id, hop_id=hop_id)
        if changes:
            changes["updated_at"] = now()
            await HopTable.update(changes).where((HopTable.id == hop_id) & (HopTable.user_id == user_id)).run()
    return await get_hop(user_id=user_id, hop_id=hop_id)


async def update_tool_step(*, user_id: UUID, step_id: UUID, data: ToolStepUpdate) -> ToolStep:
    changes = _changes(data, _STEP_JSON)
    async with write_transaction():
        await get_tool_step(user_id=user_id, step_id=step_id)
        if changes:
            changes["updated_at"] = now()
            await ToolStepTable.update(changes).where(
                (ToolStepTable.id == step_id) & (ToolStepTable.user_id == user_id)
            ).run()
    return await get_tool_step(user_id=user_id, step_id=step_id)


# Deleting ----------------------------------------------------------------------------------


async def lock_mission(*, user_id: UUID, mission_id: UUID) -> None:
    """Inside a write transaction: hold the mission's row until it ends, or 404. Writers that
    add to or remove from a mission's tree take this first, so they queue instead of
    interleaving (a racing delete would otherwise leave an orphan asset behind)."""
    row = await for_update(
        MissionTable.select(MissionTable.id).where((MissionTable.id == mission_id) & (MissionTable.user_id == user_id))
    ).first().run()
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
        scoped = (AssetTable.scope_type == AssetScopeType.MISSION) & (AssetTable.scope_id == mission_id)
        if hop_ids:
            scoped |= (AssetTable.scope_type == AssetScopeType.HOP) & AssetTable.scope_id.is_in(hop_ids)
        await AssetTable.delete().where((AssetTable.user_id == user_id) & scoped).run()
        # Hops, steps and mapping rows go with the mission (ON DELETE CASCADE on the mission).
        await MissionTable.delete().where((MissionTable.id == mission_id) & (MissionTable.user_id == user_id)).run()


async def delete_hop(*, user_id: UUID, hop_id: UUID) -> None:
    """Remove a hop, its steps, its mapping rows and its hop-scoped assets; never a
    mission-scoped asset."""
    async with write_transaction():
        row = await HopTable.select(HopTable.mission_id).where((HopTable.id == hop_id) & (HopTable.user_id == user_id)).first().run()
        if row is None:
            raise NotFound("hop", hop_id)
        # The mission first, then the hop: the order a mission delete takes them in.
        try:
            await lock_mission(user_id=user_id, mission_id=row["mission_id"])
        except NotFound:
            raise NotFound("hop", hop_id) from None
        if not await HopTable.exists().where((HopTable.id == hop_id) & (HopTable.user_id == user_id)).run():
            raise NotFound("hop", hop_id)
        await AssetTable.delete().where(
            (AssetTable.user_id == user_id)
            & (AssetTable.scope_type == AssetScopeType.HOP)
            & (AssetTable.scope_id == hop_id)
        ).run()
        await MissionTable.update({MissionTable.current_hop_id: None, MissionTable.updated_at: now()}).where(
            (MissionTable.id == row["mission_id"]) & (MissionTable.current_hop_id == hop_id)
        ).run()
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

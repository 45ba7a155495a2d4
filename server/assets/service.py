"""Assets, scoped to one user: list without content, read with content, add to a mission,
update, delete."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import msgspec
from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Sum

from server.assets.schemas import Asset, AssetCreate, AssetInfo, AssetPage, AssetUpdate
from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.assets.tables import MissionAsset as MissionAssetTable
from server.database import decode_json_fields, json_columns, now, to_json, to_struct, write_transaction
from server.enums import DEFAULT_ASSET_STATUS, AssetRole, AssetScopeType, AssetStatus, EntityChange, WorkflowEntity
from server.errors import InvalidInput, LimitExceeded, NotFound
from server.missions.service import lock_mission
from server.settings import get_settings
from server.workflow import events

_ASSET_JSON = json_columns(AssetTable)
_INFO_COLUMNS = [c for c in AssetTable._meta.columns if c._meta.name not in ("user_id", "content")]
_ALL_COLUMNS = [c for c in AssetTable._meta.columns if c._meta.name != "user_id"]
SUMMARY_LENGTH = 200


def summarize_content(content: Any) -> str:
    """A short text standing for an asset's content (its value representation)."""
    if content is None:
        return ""
    if isinstance(content, str):
        text = content
    elif isinstance(content, list):
        text = f"{len(content)} item{'s' if len(content) != 1 else ''}: " + msgspec.json.encode(content[:3]).decode()
    else:
        text = msgspec.json.encode(content).decode()
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def asset_row(
    *,
    user_id: UUID,
    name: str,
    description: str | None,
    schema_definition: Any,
    role: AssetRole,
    scope_type: AssetScopeType,
    scope_id: UUID,
    content: Any = None,
    subtype: str | None = None,
    status: AssetStatus = DEFAULT_ASSET_STATUS,
    asset_metadata: dict[str, Any] | None = None,
) -> AssetTable:
    """A new asset row, ready to insert (used here and by the transitions)."""
    created = now()
    encoded = to_json(content)
    return AssetTable(
        id=uuid4(),
        user_id=user_id,
        name=name,
        description=description,
        schema_definition=to_json(schema_definition),
        subtype=subtype,
        scope_type=scope_type,
        scope_id=scope_id,
        status=status,
        role=role,
        content=encoded,
        content_bytes=len(encoded.encode()),
        content_summary=summarize_content(content),
        asset_metadata=to_json(asset_metadata or {}),
        created_at=created,
        updated_at=created,
    )


async def get_asset(*, user_id: UUID, asset_id: UUID) -> Asset:
    row = (
        await AssetTable.select(*_ALL_COLUMNS)
        .where((AssetTable.id == asset_id) & (AssetTable.user_id == user_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("asset", asset_id)
    return to_struct(Asset, decode_json_fields(row, _ASSET_JSON))


async def list_assets(
    *,
    user_id: UUID,
    limit: int,
    offset: int,
    mission_id: UUID | None = None,
    hop_id: UUID | None = None,
    role: AssetRole | None = None,
    status: AssetStatus | None = None,
) -> AssetPage:
    """Assets without content, oldest first; filtered by the mission or hop they are mapped to."""
    where: Combinable = AssetTable.user_id == user_id
    if mission_id is not None:
        where &= AssetTable.id.is_in(
            MissionAssetTable.select(MissionAssetTable.asset_id).where(
                (MissionAssetTable.mission_id == mission_id) & (MissionAssetTable.user_id == user_id)
            )
        )
    if hop_id is not None:
        where &= AssetTable.id.is_in(
            HopAssetTable.select(HopAssetTable.asset_id).where(
                (HopAssetTable.hop_id == hop_id) & (HopAssetTable.user_id == user_id)
            )
        )
    if role is not None:
        where &= AssetTable.role == role
    if status is not None:
        where &= AssetTable.status == status
    rows = (
        await AssetTable.select(*_INFO_COLUMNS)
        .where(where)
        .order_by(AssetTable.created_at)
        .order_by(AssetTable.id)
        .limit(limit)
        .offset(offset)
        .run()
    )
    total = await AssetTable.count().where(where).run()
    items = [to_struct(AssetInfo, decode_json_fields(r, _ASSET_JSON)) for r in rows]
    return AssetPage(items=items, total=total, limit=limit, offset=offset)


async def create_mission_asset(*, user_id: UUID, mission_id: UUID, data: AssetCreate) -> Asset:
    """Add an input or output asset to a mission: mission-scoped, with its MissionAsset row."""
    if data.role is AssetRole.INTERMEDIATE:
        raise InvalidInput("body.role", "a mission asset added directly is an `input` or an `output`")
    row = asset_row(
        user_id=user_id,
        name=data.name,
        description=data.description,
        schema_definition=data.schema_definition,
        role=data.role,
        scope_type=AssetScopeType.MISSION,
        scope_id=mission_id,
        content=data.content,
        subtype=data.subtype,
        asset_metadata=data.asset_metadata,
    )
    async with write_transaction():
        await lock_mission(user_id=user_id, mission_id=mission_id)
        await check_storage(user_id=user_id, adding=row.content_bytes)
        await AssetTable.insert(row).run()
        await MissionAssetTable.insert(
            MissionAssetTable(
                id=uuid4(),
                user_id=user_id,
                mission_id=mission_id,
                asset_id=row.id,
                role=data.role,
                created_at=row.created_at,
            )
        ).run()
    asset = await get_asset(user_id=user_id, asset_id=row.id)
    await _announce(user_id, asset, EntityChange.CREATED)
    return asset


async def _announce(user_id: UUID, asset: Asset | dict[str, Any], change: EntityChange) -> None:
    """Tell the user's open pages about an edit of an asset (not a transition)."""
    item = msgspec.structs.asdict(asset) if isinstance(asset, Asset) else asset
    scope = {"mission_id" if item["scope_type"] == AssetScopeType.MISSION else "hop_id": item["scope_id"]}
    await events.announce_change(
        user_id=user_id,
        entity=WorkflowEntity.ASSET,
        entity_id=item["id"],
        status=item["status"],
        change=change,
        **scope,
    )


async def update_asset(*, user_id: UUID, asset_id: UUID, data: AssetUpdate) -> Asset:
    changes: dict[Any, Any] = {}
    for name in ("name", "description", "subtype"):
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            changes[getattr(AssetTable, name)] = value
    if data.content is not msgspec.UNSET:
        encoded = to_json(data.content)
        changes[AssetTable.content] = encoded
        changes[AssetTable.content_bytes] = len(encoded.encode())
        changes[AssetTable.content_summary] = summarize_content(data.content)
    if data.asset_metadata is not msgspec.UNSET:
        changes[AssetTable.asset_metadata] = to_json(data.asset_metadata)
    async with write_transaction():
        await get_asset(user_id=user_id, asset_id=asset_id)
        if AssetTable.content_bytes in changes:
            await check_storage(user_id=user_id, adding=changes[AssetTable.content_bytes], replacing=[asset_id])
        if changes:
            changes[AssetTable.updated_at] = now()
            await AssetTable.update(changes).where((AssetTable.id == asset_id) & (AssetTable.user_id == user_id)).run()
    asset = await get_asset(user_id=user_id, asset_id=asset_id)
    if changes:
        await _announce(user_id, asset, EntityChange.UPDATED)
    return asset


async def stored_bytes(*, user_id: UUID, excluding: list[UUID] | None = None) -> int:
    """JSON size of all the user's asset content (less the assets in `excluding`)."""
    where: Combinable = AssetTable.user_id == user_id
    if excluding:
        where = where & AssetTable.id.not_in(excluding)
    rows = await AssetTable.select(Sum(AssetTable.content_bytes).as_alias("used")).where(where).run()
    return int(rows[0]["used"] or 0) if rows else 0


async def check_storage(*, user_id: UUID, adding: int, replacing: list[UUID] | None = None) -> None:
    """Refuse (413, naming the setting) content that would take the user past
    `USER_CONTENT_MAX_BYTES`; `replacing` are the assets whose content it replaces."""
    limit = get_settings().limits.user_content_max_bytes
    used = await stored_bytes(user_id=user_id, excluding=replacing)
    if used + adding > limit:
        raise LimitExceeded(
            f"Storing {adding} more bytes would take this account past its limit of {limit} bytes of asset "
            f"content (USER_CONTENT_MAX_BYTES; {used} used); delete some assets first"
        )


async def delete_asset(*, user_id: UUID, asset_id: UUID) -> None:
    """Delete an asset and its mapping rows."""
    async with write_transaction():
        deleted = (
            await AssetTable.delete()
            .where((AssetTable.id == asset_id) & (AssetTable.user_id == user_id))
            .returning(AssetTable.id, AssetTable.status, AssetTable.scope_type, AssetTable.scope_id)
            .run()
        )
    if not deleted:
        raise NotFound("asset", asset_id)
    await _announce(user_id, deleted[0], EntityChange.DELETED)

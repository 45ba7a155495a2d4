"""What a hop can see: the assets of its own map and of its mission's (read on every step of a
running hop, in one statement), those assets as tool chain validation needs them, and the
registered tools."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.database import decode_json_fields
from server.enums import AssetRole, AssetStatus
from server.schemas import SchemaDefinition
from server.tools.registry import get_registry
from server.tools.schemas import ToolSpec
from server.workflow.validation import ChainAsset


def tool_specs() -> Mapping[str, ToolSpec]:
    """The registered tools by id."""
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

"""Assets and their mapping rows to missions and hops."""

from piccolo.columns import UUID, ForeignKey, Integer, OnDelete, Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from server.columns import created_column, enum_check, enum_column, json_column
from server.enums import DEFAULT_ASSET_STATUS, AssetRole, AssetScopeType, AssetStatus
from server.missions.tables import Hop, Mission
from server.users.tables import User


class Asset(Table, tablename="assets"):
    """Scoped to a mission or a hop through (scope_type, scope_id); the service deletes it
    with its scope, in the same transaction."""

    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    name = Varchar(length=255, null=False)
    description = Text(null=True, default=None)
    schema_definition = json_column()
    subtype = Varchar(length=255, null=True, default=None)
    scope_type = enum_column(AssetScopeType)
    scope_id = UUID(null=False, index=True)
    status = enum_column(AssetStatus, DEFAULT_ASSET_STATUS)
    role = enum_column(AssetRole)
    content = json_column(null=True)
    content_bytes = Integer(null=False, default=0)
    """JSON size of `content`, summed for the user's storage limit."""
    content_summary = Text(null=False, default="")
    asset_metadata = json_column()
    created_at = created_column()
    updated_at = created_column()

    ck_assets_scope_type = enum_check("assets", "scope_type", AssetScopeType)
    ck_assets_status = enum_check("assets", "status", AssetStatus)
    ck_assets_role = enum_check("assets", "role", AssetRole)


class MissionAsset(Table, tablename="mission_assets"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    mission_id = ForeignKey(Mission, on_delete=OnDelete.cascade, null=False)
    asset_id = ForeignKey(Asset, on_delete=OnDelete.cascade, null=False, index=True)
    role = enum_column(AssetRole)
    created_at = created_column()

    uq_mission_assets_pair = Unique(["mission_id", "asset_id"])
    ck_mission_assets_role = enum_check("mission_assets", "role", AssetRole)


class HopAsset(Table, tablename="hop_assets"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    hop_id = ForeignKey(Hop, on_delete=OnDelete.cascade, null=False)
    asset_id = ForeignKey(Asset, on_delete=OnDelete.cascade, null=False, index=True)
    role = enum_column(AssetRole)
    created_at = created_column()

    uq_hop_assets_pair = Unique(["hop_id", "asset_id"])
    ck_hop_assets_role = enum_check("hop_assets", "role", AssetRole)

"""Assets: the data that flows between a mission's hops and tool steps."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.enums import DEFAULT_ASSET_STATUS, AssetRole, AssetScopeType, AssetStatus
from server.schemas import Input, Metadata, Name, Output, SchemaDefinition, ShortText, Timestamp


class AssetInfo(Output, kw_only=True):
    """An asset without its content, as lists show it."""

    id: UUID
    name: str
    description: str | None
    schema_definition: SchemaDefinition
    subtype: str | None
    scope_type: AssetScopeType
    scope_id: UUID
    """Id of the mission or hop the asset belongs to."""
    status: AssetStatus = DEFAULT_ASSET_STATUS
    role: AssetRole
    content_summary: str
    """Short text standing for the content (its value representation)."""
    asset_metadata: Metadata
    created_at: Timestamp
    updated_at: Timestamp


class Asset(AssetInfo, kw_only=True):
    """An asset with its content."""

    content: Any


class AssetCreate(Input, kw_only=True):
    """Add an input or output asset to a mission (mission-scoped)."""

    name: Name
    description: ShortText | None = None
    schema_definition: SchemaDefinition
    subtype: Name | None = None
    role: AssetRole
    content: Any = None
    asset_metadata: Metadata = {}


class AssetUpdate(Input, kw_only=True):
    """Change an asset's descriptive fields or its content; absent fields are left as they are."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    subtype: Name | None | msgspec.UnsetType = msgspec.UNSET
    content: Any | msgspec.UnsetType = msgspec.UNSET
    asset_metadata: Metadata | msgspec.UnsetType = msgspec.UNSET


class AssetPage(Output, kw_only=True):
    """A page of assets, oldest first."""

    items: list[AssetInfo]
    total: int
    limit: int
    offset: int

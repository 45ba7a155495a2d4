"""Shapes shared by every domain: constrained aliases, SchemaDefinition, the mapping
tagged unions, the asset summary and the one error shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

from server.enums import AssetRole, ValueType

Name = Annotated[str, Meta(min_length=1, max_length=255, description="A short, non-empty name.")]
Text = Annotated[str, Meta(max_length=20_000)]
ShortText = Annotated[str, Meta(max_length=2_000)]
Criterion = Annotated[str, Meta(min_length=1, max_length=2_000)]
Timestamp = Annotated[datetime, Meta(tz=True, description="ISO 8601 timestamp in UTC.")]
Metadata = dict[str, Any]
PageLimit = Annotated[int, Meta(ge=1, le=200)]
PageOffset = Annotated[int, Meta(ge=0)]


class Input(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every request body: unknown fields are refused."""


class Output(msgspec.Struct, kw_only=True):
    """Base of every response body."""


class SchemaDefinition(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Describes the data of an asset, a tool parameter or a tool output."""

    type: ValueType
    description: str | None = None
    is_array: bool = False
    fields: dict[str, SchemaDefinition] | None = None
    """For objects: the named fields and their definitions."""


# Mappings on a tool step: tagged unions on the field `type`.


class AssetFieldMapping(msgspec.Struct, tag="asset_field", tag_field="type", kw_only=True, forbid_unknown_fields=True):
    """Read a parameter from, or write an output to, the asset with this id."""

    state_asset: UUID


class LiteralMapping(msgspec.Struct, tag="literal", tag_field="type", kw_only=True, forbid_unknown_fields=True):
    """Pass this literal JSON value as the parameter."""

    value: Any


class DiscardMapping(msgspec.Struct, tag="discard", tag_field="type", kw_only=True, forbid_unknown_fields=True):
    """Drop this output."""


ParameterMapping = AssetFieldMapping | LiteralMapping
ResultMapping = AssetFieldMapping | DiscardMapping


class AssetIdsByRole(Output, kw_only=True):
    """Asset ids grouped by their role."""

    inputs: list[UUID]
    outputs: list[UUID]
    intermediate: list[UUID]


def summarize_asset_map(asset_map: dict[UUID, AssetRole]) -> AssetIdsByRole:
    """Group an asset map (asset id -> role) by role, keeping its order."""
    summary = AssetIdsByRole(inputs=[], outputs=[], intermediate=[])
    for asset_id, role in asset_map.items():
        if role is AssetRole.INPUT:
            summary.inputs.append(asset_id)
        elif role is AssetRole.OUTPUT:
            summary.outputs.append(asset_id)
        else:
            summary.intermediate.append(asset_id)
    return summary


class FieldError(Output, kw_only=True):
    """One reason a request was refused, with the path of the field it concerns."""

    field: str
    """Dotted path of the field, for example `body.assets[0].name`, or `` when the whole body is at fault."""
    reason: str


class ErrorResponse(Output, kw_only=True):
    """The one error shape of the API (400, 401, 403, 404, 409, 422, 429)."""

    status: int
    code: str
    """Stable machine-readable kind: validation_error, not_authenticated, forbidden, not_found, conflict, ..."""
    message: str
    errors: list[FieldError] = []
    current_status: str | None = None
    """For a refused transition: the entity's status now."""
    required_status: list[str] | None = None
    """For a refused transition: the statuses that would have allowed it."""

"""Shapes shared by every domain: constrained aliases, SchemaDefinition, the mapping
tagged unions, the asset summary and the one error shape."""

from __future__ import annotations

import functools
import typing
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

from server.enums import AssetRole, ValueType
from server.settings import get_settings

_encode = msgspec.json.Encoder().encode

Name = Annotated[str, Meta(min_length=1, max_length=255, description="A short, non-empty name.")]
Text = Annotated[str, Meta(max_length=20_000)]
ShortText = Annotated[str, Meta(max_length=2_000)]
Criterion = Annotated[str, Meta(min_length=1, max_length=2_000)]
Timestamp = Annotated[datetime, Meta(tz=True, description="ISO 8601 timestamp in UTC.")]
Metadata = dict[str, Any]
PageLimit = Annotated[int, Meta(ge=1, le=200)]
PageOffset = Annotated[int, Meta(ge=0)]


def json_size_problem(field: str, value: Any) -> str | None:
    """Why a free-form value is too large to accept (`FIELD_MAX_BYTES`, or `CONTENT_MAX_BYTES`
    for an asset's `content`), or None."""
    limits = get_settings().limits
    limit, setting = (
        (limits.content_max_bytes, "CONTENT_MAX_BYTES")
        if field == "content"
        else (limits.field_max_bytes, "FIELD_MAX_BYTES")
    )
    size = len(_encode(value))
    if size <= limit:
        return None
    return f"`{field}` is {size} bytes of JSON, more than the limit of {limit} ({setting})"


def _is_free_form(annotation: Any) -> bool:
    if annotation is Any:
        return True
    return any(_is_free_form(arg) for arg in typing.get_args(annotation))


@functools.cache
def _free_form_fields(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return tuple(f.name for f in msgspec.structs.fields(cls) if _is_free_form(hints.get(f.name)))


class Input(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every request body: unknown fields are refused, and every free-form field (JSON
    of any shape: metadata objects, content, values) is bounded in size."""

    def __post_init__(self) -> None:
        for name in _free_form_fields(type(self)):
            value = getattr(self, name)
            if value is not msgspec.UNSET and value is not None and (problem := json_size_problem(name, value)):
                raise ValueError(problem)


class Output(msgspec.Struct, kw_only=True):
    """Base of every response body."""


class SchemaDefinition(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Describes the data of an asset, a tool parameter or a tool output."""

    type: ValueType
    description: ShortText | None = None
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

    def __post_init__(self) -> None:
        if problem := json_size_problem("value", self.value):
            raise ValueError(problem)


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
    entity: str | None = None
    """For a refused transition: the kind of entity refused (a WorkflowEntity value: `hop`, `tool_step`, ...)."""
    entity_id: str | None = None
    """For a refused transition: the id of that entity."""
    current_status: str | None = None
    """For a refused transition: the entity's status now."""
    required_status: list[str] | None = None
    """For a refused transition: the statuses that would have allowed it."""

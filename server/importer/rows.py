"""Target rows shared by both generations: assets and their schema definitions, mapping rows,
tool step mappings and execution results, in the shapes the API reads back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from server.assets.service import summarize_content
from server.database import to_json
from server.enums import AssetRole, AssetScopeType, AssetStatus
from server.importer.values import VALUE_TYPE, ValueProblem, clip, convert, derived_uuid

WHOLE_VALUE_PATHS = frozenset({"", "$", "$.", "."})
"""Paths that select an asset's whole value: the mapping here reads exactly that."""


def schema_definition(raw: Any, what: str) -> dict[str, Any]:
    """A SchemaDefinition from a stored one ({type, description, is_array, fields}); keys it
    does not have are dropped."""
    if not isinstance(raw, dict):
        raise ValueProblem(f"{what} is not an object")
    fields = raw.get("fields")
    if fields is not None and not isinstance(fields, dict):
        raise ValueProblem(f"{what}.fields is not an object")
    description = raw.get("description")
    return {
        "type": convert(f"{what}.type", raw.get("type"), VALUE_TYPE).value,
        "description": description if isinstance(description, str) else None,
        "is_array": bool(raw.get("is_array", False)),
        "fields": {str(name): schema_definition(value, f"{what}.fields.{name}") for name, value in fields.items()}
        if fields
        else None,
    }


def simple_schema(value_type: Any, content: Any, what: str) -> dict[str, Any]:
    """The schema definition of an asset stored with only a `type` column: that type, an
    array when the content is a list."""
    return {
        "type": convert(what, value_type, VALUE_TYPE).value,
        "description": None,
        "is_array": isinstance(content, list),
        "fields": None,
    }


def asset_row(
    *,
    asset_id: UUID,
    user_id: UUID,
    name: Any,
    description: Any,
    schema: dict[str, Any],
    subtype: Any,
    scope_type: AssetScopeType,
    scope_id: UUID,
    status: AssetStatus,
    role: AssetRole,
    content: Any,
    metadata: dict[str, Any],
    created_at: datetime,
    updated_at: datetime,
) -> dict[str, Any]:
    if not isinstance(name, str) or not name.strip():
        raise ValueProblem("the asset has no name")
    return {
        "id": asset_id,
        "user_id": user_id,
        "name": clip(name, 255),
        "description": None if description is None else str(description),
        "schema_definition": to_json(schema),
        "subtype": clip(subtype, 255) if subtype not in (None, "") else None,
        "scope_type": scope_type.value,
        "scope_id": scope_id,
        "status": status.value,
        "role": role.value,
        "content": to_json(content),
        "content_summary": summarize_content(content),
        "asset_metadata": to_json(metadata),
        "created_at": created_at,
        "updated_at": updated_at,
    }


def link_row(
    kind: str, *, owner_column: str, owner_id: UUID, asset_id: UUID, user_id: UUID, role: AssetRole, at: datetime
) -> tuple[UUID, dict[str, Any]]:
    """A MissionAsset (`kind` mission_assets) or HopAsset row with an id derived from the pair."""
    link_id = derived_uuid(kind, owner_id, asset_id)
    return link_id, {
        "id": link_id,
        "user_id": user_id,
        owner_column: owner_id,
        "asset_id": asset_id,
        "role": role.value,
        "created_at": at,
    }


def convert_mapping(raw: Any, *, result: bool, resolve: Callable[[Any], UUID], what: str) -> dict[str, Any]:
    """A parameter mapping (`asset_field` or `literal`) or a result mapping (`asset_field` or
    `discard`). `resolve` turns the stored `state_asset` into an asset id. A `path` is kept
    when it selects the whole value; any other path is a problem, since a mapping here reads
    or writes a whole asset."""
    if not isinstance(raw, dict):
        raise ValueProblem(f"{what} is not a mapping object")
    kind = raw.get("type")
    if kind == "asset_field":
        path = raw.get("path")
        if path is not None and (not isinstance(path, str) or path.strip() not in WHOLE_VALUE_PATHS):
            raise ValueProblem(
                f"{what} reads path `{str(path)[:60]}` of its asset; a step here reads and writes whole assets, "
                "so the path cannot be kept"
            )
        return {"type": "asset_field", "state_asset": str(resolve(raw.get("state_asset")))}
    if kind == "literal" and not result:
        return {"type": "literal", "value": raw.get("value")}
    if kind == "discard" and result:
        return {"type": "discard"}
    allowed = "asset_field or discard" if result else "asset_field or literal"
    raise ValueProblem(f"{what} has type `{kind}`; expected {allowed}")


def convert_mappings(
    raw: dict[str, Any], *, result: bool, resolve: Callable[[Any], UUID], what: str
) -> dict[str, dict[str, Any]]:
    return {
        str(name): convert_mapping(value, result=result, resolve=resolve, what=f"{what} `{name}`")
        for name, value in raw.items()
    }


def written_assets(result_mapping: dict[str, dict[str, Any]]) -> list[str]:
    """Asset ids a step's result mapping writes, in mapping order."""
    return [m["state_asset"] for m in result_mapping.values() if m["type"] == "asset_field"]


def execution_result(
    raw: Any, *, written: list[str], started: datetime | None, completed: datetime | None
) -> str | None:
    """An ExecutionResult from a stored result: its `outputs` when it has them, else the
    object itself as the outputs, else the value as output `result`."""
    if raw is None:
        return None
    if isinstance(raw, dict) and isinstance(raw.get("outputs"), dict):
        outputs = raw["outputs"]
    elif isinstance(raw, dict):
        outputs = raw
    else:
        outputs = {"result": raw}
    duration = (completed - started).total_seconds() * 1000 if started and completed else 0.0
    return to_json(
        {"outputs": outputs, "written_asset_ids": written, "duration_ms": max(duration, 0.0), "stubbed": False}
    )


def step_name(description: Any, tool_id: str) -> str:
    """Earlier steps had no name: the first line of the description, else the tool id."""
    if isinstance(description, str) and description.strip():
        return clip(description.strip().splitlines()[0], 255) or tool_id
    return tool_id

"""Resource configurations of tool steps: checking what a user submits against the tool's
resource specifications, storing it (secrets encrypted), and naming what is still missing.

Stored shape, per step: `{resource_id: {"values": {field: value}, "secrets": {field: ciphertext}}}`.
"""

from __future__ import annotations

from typing import Any

from server.schemas import FieldError
from server.tools.schemas import ResourceField, ToolSpec
from server.workflow.secrets import encrypt_value

CONNECTION_KEY = "connection_id"
"""The key of a stored configuration that names the saved connection it uses (docs/domain.md)."""


def value_problem(field: ResourceField, value: Any) -> str | None:
    """Why `value` does not fit the field's type, or None."""
    kind = field.type
    if kind in ("string", "url"):
        if not isinstance(value, str):
            return "must be a string"
        if kind == "url" and not value.startswith(("http://", "https://")):
            return "must be an http:// or https:// URL"
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be an integer"
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be a number"
    elif kind == "boolean":
        if not isinstance(value, bool):
            return "must be true or false"
    return None


def config_input_errors(tool: ToolSpec, configs: dict[str, dict[str, Any]], field_prefix: str) -> list[FieldError]:
    """Problems with submitted configurations: unknown resources or fields, wrong value types.
    A null value clears a field."""
    resources = {resource.id: resource for resource in tool.resource_dependencies}
    errors: list[FieldError] = []
    for resource_id, values in configs.items():
        path = f"{field_prefix}.{resource_id}"
        resource = resources.get(resource_id)
        if resource is None:
            known = ", ".join(f'"{r}"' for r in resources) or "none"
            errors.append(
                FieldError(
                    field=path, reason=f'tool "{tool.id}" does not use resource "{resource_id}" (it uses: {known})'
                )
            )
            continue
        fields = {field.name: field for field in resource.fields}
        for name, value in values.items():
            spec = fields.get(name)
            if spec is None:
                errors.append(
                    FieldError(field=f"{path}.{name}", reason=f'resource "{resource_id}" has no field "{name}"')
                )
            elif value is not None and (problem := value_problem(spec, value)):
                errors.append(
                    FieldError(field=f"{path}.{name}", reason=f'resource "{resource_id}" field "{name}" {problem}')
                )
    return errors


def merge_configs(tool: ToolSpec, stored: dict[str, Any], configs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Stored configurations updated with submitted values (checked beforehand): secret fields
    are encrypted, a null value removes the field."""
    resources = {resource.id: resource for resource in tool.resource_dependencies}
    merged = {
        rid: {"values": dict(c.get("values", {})), "secrets": dict(c.get("secrets", {}))} for rid, c in stored.items()
    }
    for resource_id, values in configs.items():
        resource = resources[resource_id]
        secret_fields = {field.name for field in resource.fields if field.secret}
        entry = merged.setdefault(resource_id, {"values": {}, "secrets": {}})
        entry.pop(CONNECTION_KEY, None)  # the step's own values replace a connection
        for name, value in values.items():
            bucket = entry["secrets"] if name in secret_fields else entry["values"]
            if value is None:
                bucket.pop(name, None)
            else:
                bucket[name] = encrypt_value(value) if name in secret_fields else value
    return merged


def missing_configuration(tool: ToolSpec, stored: dict[str, Any]) -> list[str]:
    """What the step still needs before it can run: one readable line per missing required field."""
    problems: list[str] = []
    for resource in tool.resource_dependencies:
        entry = stored.get(resource.id, {})
        if entry.get(CONNECTION_KEY):
            continue  # a saved connection has every required value (checked when it is saved)
        present = set(entry.get("values", {})) | {name for name, value in entry.get("secrets", {}).items() if value}
        for field in resource.fields:
            if field.required and field.name not in present:
                problems.append(f'resource "{resource.id}" ({resource.name}) needs "{field.name}"')
    return problems


def pick_connections(stored: dict[str, Any], connections: dict[str, Any]) -> dict[str, Any]:
    """Stored configurations with the picked connections (resource id -> connection id, or
    None to stop using one): a resource that uses a connection keeps no values of its own."""
    merged = dict(stored)
    for resource_id, connection_id in connections.items():
        if connection_id is None:
            if (merged.get(resource_id) or {}).get(CONNECTION_KEY):
                merged.pop(resource_id)
        else:
            merged[resource_id] = {CONNECTION_KEY: str(connection_id), "values": {}, "secrets": {}}
    return merged

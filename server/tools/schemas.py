"""Tool and resource specifications, as the JSON files in `server/tools/specs/` declare them
and as the API lists them for the SPA."""

from __future__ import annotations

from typing import Any

from server.schemas import Output, SchemaDefinition


class ResourceField(Output, kw_only=True, forbid_unknown_fields=True):
    """One value a resource's configuration needs."""

    name: str
    type: str
    """`string`, `url`, `integer`, `number` or `boolean`."""
    description: str | None = None
    secret: bool = False
    """Secret values are write-only: stored encrypted, never returned."""
    required: bool = True


class ResourceSpec(Output, kw_only=True, forbid_unknown_fields=True):
    """An external service a tool depends on."""

    id: str
    name: str
    type: str
    description: str | None = None
    fields: list[ResourceField]


class PathsInto(Output, kw_only=True, forbid_unknown_fields=True):
    """Where a parameter holds paths into the items of another parameter (docs/tools.md,
    "Paths into items"): tool chain validation checks a literal's paths against the fields
    that the other parameter's asset declares."""

    parameter: str
    """The parameter whose items the paths point into (e.g. `items`)."""
    at: str = ""
    """Where the path strings are in this parameter's value: `""` the value itself, `[].path`
    the `path` of each element of a list, `{}` each value of an object."""


class ToolParameter(Output, kw_only=True, forbid_unknown_fields=True):
    name: str
    description: str | None = None
    schema_definition: SchemaDefinition
    json_schema: dict[str, Any]
    """JSON Schema of the parameter's value."""
    required: bool = True
    paths_into: PathsInto | None = None


class ToolOutput(Output, kw_only=True, forbid_unknown_fields=True):
    name: str
    description: str | None = None
    schema_definition: SchemaDefinition
    json_schema: dict[str, Any]
    """JSON Schema of the output's value."""


class ToolSpec(Output, kw_only=True, forbid_unknown_fields=True):
    """A registered tool: what it takes, what it returns, what it depends on."""

    id: str
    name: str
    description: str
    category: str
    parameters: list[ToolParameter]
    outputs: list[ToolOutput]
    resource_dependencies: list[ResourceSpec] = []
    sample_responses: list[dict[str, Any]] = []
    """Example outputs by name; used in stub mode when a resource is not configured."""


class ToolCatalog(Output, kw_only=True):
    """Every registered tool."""

    tools: list[ToolSpec]


class ResourceType(Output, kw_only=True):
    """A kind of external service that tools depend on, which a saved connection configures
    (its fields are those the tools' resources of this type declare)."""

    type: str
    name: str
    description: str | None = None
    fields: list[ResourceField]
    checkable: bool
    """True when the server can check a connection of this type against its service."""
    tool_ids: list[str]
    """The tools that depend on a resource of this type."""


class ResourceTypeCatalog(Output, kw_only=True):
    """Every resource type the registered tools depend on."""

    resource_types: list[ResourceType]

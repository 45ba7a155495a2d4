"""The tool registry: tool specifications read from `server/tools/specs/*.json`, each paired
with its handler and the generated Structs of its parameters and outputs.

Handlers (`server/tools/handlers/`) are written against `server.tools.base`.

Stored resource configurations (a tool step's `resource_configs`) have the shape
`{resource_id: {"values": {field: value}, "secrets": {field: encrypted value}}}`
(see `server.workflow.resources`). A resource whose fields are all optional never blocks a
step: the tool uses it when it is configured.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from server.tools import models
from server.tools.base import Handler, LiteralCheck, ResourceCheck, ToolContext, ToolError
from server.tools.parameters import convert_parameters
from server.tools.schemas import ResourceField, ResourceType, ResourceTypeCatalog, ToolCatalog, ToolSpec

SPECS_DIR = Path(__file__).resolve().parent / "specs"


@dataclass(frozen=True, slots=True)
class RegisteredTool:
    """A tool's specification with its handler and the Structs it takes and returns."""

    spec: ToolSpec
    handler: Handler
    parameters_type: type[msgspec.Struct]
    outputs_type: type[msgspec.Struct]
    check_literals: LiteralCheck | None = None
    """What the handler checks of its parameters before reading any input (chain validation)."""


def models_class_names(tool_id: str) -> tuple[str, str]:
    """Names of the generated parameters and outputs Structs of a tool: `web_retrieve` ->
    (`WebRetrieveParameters`, `WebRetrieveOutputs`)."""
    stem = "".join(part.capitalize() for part in tool_id.split("_"))
    return f"{stem}Parameters", f"{stem}Outputs"


_spec_decoder = msgspec.json.Decoder(ToolSpec)
_TOOL_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def load_specs(specs_dir: Path = SPECS_DIR) -> list[ToolSpec]:
    """Every tool specification in `specs_dir`, sorted by id; a malformed file raises
    ValueError naming it."""
    specs: list[ToolSpec] = []
    for path in sorted(specs_dir.glob("*.json")):
        try:
            spec = _spec_decoder.decode(path.read_bytes())
        except msgspec.ValidationError as exc:
            raise ValueError(f"{path.name}: {exc}") from exc
        if spec.id != path.stem or not _TOOL_ID.match(spec.id):
            raise ValueError(f"{path.name}: tool id `{spec.id}` must be the file's name in snake_case")
        for kind, names in (
            ("parameter", [p.name for p in spec.parameters]),
            ("output", [o.name for o in spec.outputs]),
        ):
            if len(set(names)) != len(names):
                raise ValueError(f"{path.name}: duplicate {kind} names")
        specs.append(spec)
    return specs


class ToolRegistry:
    """Registered tools by id."""

    def __init__(self, checks: Mapping[str, ResourceCheck] | None = None) -> None:
        self._tools: dict[str, RegisteredTool] = {}
        self._checks: dict[str, ResourceCheck] = dict(checks or {})

    def register(self, tool: RegisteredTool) -> None:
        self._tools[tool.spec.id] = tool

    def unregister(self, tool_id: str) -> None:
        self._tools.pop(tool_id, None)

    def get(self, tool_id: str) -> ToolSpec | None:
        """The specification of a tool, or None when no such tool is registered."""
        tool = self._tools.get(tool_id)
        return tool.spec if tool else None

    def tool(self, tool_id: str) -> RegisteredTool | None:
        """The tool with its handler, or None."""
        return self._tools.get(tool_id)

    def all(self) -> list[ToolSpec]:
        return [self._tools[tool_id].spec for tool_id in sorted(self._tools)]

    def specs(self) -> Mapping[str, ToolSpec]:
        """Tool id -> specification (what `validate_tool_chain` takes)."""
        return {tool_id: self._tools[tool_id].spec for tool_id in sorted(self._tools)}

    def catalog(self) -> ToolCatalog:
        return ToolCatalog(tools=self.all())

    def resource_types(self) -> dict[str, ResourceType]:
        """Resource type -> its fields (the union of what the tools' resources of that type
        declare, first declaration first), whether it can be checked, and its tools."""
        types: dict[str, ResourceType] = {}
        for spec in self.all():
            for resource in spec.resource_dependencies:
                known = types.get(resource.type)
                if known is None:
                    types[resource.type] = ResourceType(
                        type=resource.type,
                        name=resource.name,
                        description=resource.description,
                        fields=list(resource.fields),
                        checkable=resource.type in self._checks,
                        tool_ids=[spec.id],
                    )
                    continue
                names = {field.name for field in known.fields}
                known.fields.extend(field for field in resource.fields if field.name not in names)
                if spec.id not in known.tool_ids:
                    known.tool_ids.append(spec.id)
        return dict(sorted(types.items()))

    def resource_type_catalog(self) -> ResourceTypeCatalog:
        return ResourceTypeCatalog(resource_types=list(self.resource_types().values()))

    def check(self, resource_type: str) -> ResourceCheck | None:
        """The check of a resource type, or None when it has none."""
        return self._checks.get(resource_type)

    def resource_fields(self, resource_type: str) -> list[ResourceField] | None:
        known = self.resource_types().get(resource_type)
        return known.fields if known else None


@lru_cache(maxsize=1)
def get_registry() -> ToolRegistry:
    """The registry of every tool specified in `server/tools/specs/`, with its handler."""
    # The handlers bring their HTTP and model clients with them: loaded on first use, they stay
    # out of the start-up of commands that only read the specifications (codegen, migrate).
    from server.tools.handlers import CHECKS, HANDLERS, LITERAL_CHECKS

    registry = ToolRegistry(CHECKS)
    for spec in load_specs():
        handler = HANDLERS.get(spec.id)
        if handler is None:
            raise RuntimeError(f"tool `{spec.id}` has a specification but no handler")
        parameters_name, outputs_name = models_class_names(spec.id)
        registry.register(
            RegisteredTool(
                spec=spec,
                handler=handler,
                parameters_type=getattr(models, parameters_name),
                outputs_type=getattr(models, outputs_name),
                check_literals=LITERAL_CHECKS.get(spec.id),
            )
        )
    return registry


async def run_tool(tool: RegisteredTool, parameters: Mapping[str, Any], context: ToolContext) -> dict[str, Any]:
    """Call a tool's handler with plain JSON parameters and return its outputs as plain JSON.
    Parameters that do not match the tool's Struct raise ToolError naming the parameter."""
    typed = convert_parameters(tool.parameters_type, parameters)
    outputs = await tool.handler(typed, context)
    if not isinstance(outputs, tool.outputs_type):
        raise ToolError(f"tool `{tool.spec.id}` returned {type(outputs).__name__}, not {tool.outputs_type.__name__}")
    result: dict[str, Any] = msgspec.to_builtins(outputs)
    return result


def sample_outputs(tool: RegisteredTool) -> dict[str, Any]:
    """The tool's first sample response, checked against its outputs Struct (stub mode)."""
    if not tool.spec.sample_responses:
        raise ToolError(f"tool `{tool.spec.id}` has no sample response to run in stub mode")
    try:
        typed = msgspec.convert(tool.spec.sample_responses[0], tool.outputs_type)
    except msgspec.ValidationError as exc:
        raise ToolError(f"tool `{tool.spec.id}` has an invalid sample response: {exc}") from None
    result: dict[str, Any] = msgspec.to_builtins(typed)
    return result

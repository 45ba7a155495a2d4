"""The part of tool chain validation that predicts a step's run from its literals
(docs/tools.md, "Parameter values" and "Paths into items"): a literal is converted exactly as
the executor converts it (`server.tools.parameters.convert_parameters`), and the paths a
literal holds into another parameter's items are checked against the fields that the asset
feeding those items declares in its SchemaDefinition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from server.enums import ValueType, label
from server.schemas import AssetFieldMapping, FieldError, LiteralMapping, SchemaDefinition
from server.tools.base import ToolError
from server.tools.parameters import literal_errors, paths_at
from server.tools.registry import get_registry
from server.tools.schemas import ToolSpec

_SHOWN = 80


def shown(value: Any) -> str:
    """A literal value as an error message quotes it (JSON, shortened)."""
    text = msgspec.json.encode(value).decode()
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def literal_value_errors(
    *, step_label: str, tool: ToolSpec, mappings: Mapping[str, Any], path: str
) -> list[FieldError]:
    """The literals of a step that the tool would refuse when the step runs, each naming the
    step, the parameter and the value."""
    registered = get_registry().tool(tool.id)
    if registered is None or registered.spec != tool:
        return []  # a tool the registry does not run: nothing to predict
    known = {parameter.name for parameter in tool.parameters}
    literals = {
        name: mapping.value
        for name, mapping in mappings.items()
        if isinstance(mapping, LiteralMapping) and name in known
    }
    return [
        FieldError(
            field=f"{path}.parameter_mapping.{name}.value",
            reason=f'{step_label}: parameter "{name}" cannot take the value {shown(literals[name])}: {reason}',
        )
        for name, reason in literal_errors(registered.parameters_type, literals, registered.check_literals).items()
    ]


def item_path_errors(
    *,
    step_label: str,
    tool: ToolSpec,
    mappings: Mapping[str, Any],
    schemas: Mapping[UUID, SchemaDefinition],
    path: str,
) -> list[FieldError]:
    """Paths in literals (a sort key, a filter condition, ...) that name no field of the items
    they point into, when the asset feeding those items declares its fields."""
    errors: list[FieldError] = []
    for parameter in tool.parameters:
        mapping = mappings.get(parameter.name)
        target = parameter.paths_into
        if target is None or not isinstance(mapping, LiteralMapping):
            continue
        source = mappings.get(target.parameter)
        if not isinstance(source, AssetFieldMapping) or source.state_asset not in schemas:
            continue
        item = _item_schema(schemas[source.state_asset])
        for where, text in paths_at(mapping.value, target.at):
            problem = path_problem(text, item, root=f'each item of "{target.parameter}"')
            if problem:
                errors.append(
                    FieldError(
                        field=f"{path}.parameter_mapping.{parameter.name}.value{where}",
                        reason=f'{step_label}: parameter "{parameter.name}" has the path {shown(text)}, '
                        f"which {problem}",
                    )
                )
    return errors


def _item_schema(schema: SchemaDefinition) -> SchemaDefinition:
    """What one item of a list asset looks like (a single object is its own item)."""
    return msgspec.structs.replace(schema, is_array=False)


def path_problem(text: str, schema: SchemaDefinition, *, root: str = "each item") -> str | None:
    """Why `text` (the tools' path syntax, parsed by the same parser they use) finds nothing in
    data described by `schema`, or None when it may (a part without declared fields is not
    checked further)."""
    from server.tools.handlers.paths import parse_path  # the handlers load on first use

    try:
        steps = parse_path(text)
    except ToolError as exc:
        return f"cannot be read ({exc})"
    current = schema
    walked = ""

    def what(walked: str) -> str:
        return f'"{walked}"' if walked else root

    for step in steps:
        if isinstance(step, int):
            if not current.is_array:
                return f"indexes [{step}] into {what(walked)}, which is not a list"
            current = msgspec.structs.replace(current, is_array=False)
            walked += f"[{step}]"
            continue
        if current.is_array:
            return f'reads "{step}" from {what(walked)}, which is a list (index it first, e.g. [0])'
        if current.fields is None:
            if current.type in (ValueType.STRING, ValueType.NUMBER, ValueType.BOOLEAN):
                return f'reads "{step}" from {what(walked)}, which is {label(current.type).lower()} with no fields'
            return None  # fields not declared: whatever the data holds
        if step not in current.fields:
            names = ", ".join(f'"{name}"' for name in current.fields)
            return f'names the field "{step}", which {what(walked)} does not have (its fields: {names})'
        current = current.fields[step]
        walked = f"{walked}.{step}" if walked else step
    return None

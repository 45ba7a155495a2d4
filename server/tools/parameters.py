"""A tool's parameter values, checked the one way the executor and tool chain validation
share (docs/tools.md, "Parameter values"): `convert_parameters` turns plain JSON into the
tool's generated parameters Struct (JSON Schema of the specification: types, enum values,
required properties, bounds) or raises ToolError naming the parameter; `literal_errors` runs
the same conversion on the literals of a proposed step, before anything runs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import msgspec

from server.tools.base import LiteralCheck, ToolError

_MISSING_FIELD = re.compile(r"Object missing required field `(.+)`")


_KINDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "nothing (null)",
}
_COMPARISONS = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}
_WRONG_TYPE = re.compile(r"^Expected `([\w |]+)`, got `(\w+)`$")
_BOUND = re.compile(r"^Expected `(\w+)` (>=|<=|>|<) (\S+)$")
_LENGTH = re.compile(r"^Expected `(\w+)` of length (>=|<=) (\d+)$")
_PATTERN = re.compile(r"^Expected `str` matching regex '(.+)'$")
_KNOWN_PATTERNS = {
    r"^\d{4}-\d{2}-\d{2}$": "a date written YYYY-MM-DD",
    r"^\d{4}([/-]\d{1,2}([/-]\d{1,2})?)?$": "a year, a year and month, or a date (YYYY, YYYY/MM or YYYY/MM/DD)",
}
_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `(.+)`$")


def _kind(name: str) -> str:
    return " or ".join(_KINDS.get(part.strip(), part.strip()) for part in name.split("|"))


def in_words(reason: str) -> str:
    """A msgspec validation message as people read it (`Expected `int` >= 1` -> `must be a
    whole number of at least 1`); an unrecognised one is returned as it is."""
    if match := _WRONG_TYPE.match(reason):
        got = "a number with a fraction" if match.group(2) == "float" else _kind(match.group(2))
        return f"must be {_kind(match.group(1))}, not {got}"
    if match := _BOUND.match(reason):
        return f"must be {_kind(match.group(1))} of {_COMPARISONS[match.group(2)]} {match.group(3)}"
    if match := _LENGTH.match(reason):
        one, many = {"str": ("character", "characters"), "object": ("entry", "entries")}.get(
            match.group(1), ("item", "items")
        )
        count = match.group(3)
        return f"must have {_COMPARISONS[match.group(2)]} {count} {one if count == '1' else many}"
    if match := _PATTERN.match(reason):
        known = _KNOWN_PATTERNS.get(match.group(1).replace("\\\\", "\\"))
        return f"must be {known}" if known else f"must be text matching the pattern {match.group(1)}"
    if match := _MISSING_FIELD.match(reason):
        return f"needs `{match.group(1)}`"
    if match := _UNKNOWN_FIELD.match(reason):
        return f"has `{match.group(1)}`, which is not one of its settings"
    if reason.startswith("Invalid enum value "):
        return f"{reason.removeprefix('Invalid enum value ')} is not one of the allowed values"
    return reason


def _parameter_error(exc: msgspec.ValidationError) -> str:
    reason, _, at = str(exc).partition(" - at `")
    path = at.rstrip("`").removeprefix("$").lstrip(".")
    if path:
        return f"parameter `{path}`: {in_words(reason)}"
    if match := _MISSING_FIELD.match(reason):
        return f"missing required parameter `{match.group(1)}`"
    return f"parameters: {in_words(reason)}"


@lru_cache(maxsize=64)
def _partial_type(parameters_type: type[msgspec.Struct]) -> type[msgspec.Struct]:
    """The parameters Struct with every field optional: what a step's literals alone must fit
    (the parameters read from assets are only known when the step runs)."""
    fields = [
        (field.encode_name, field.type | msgspec.UnsetType, msgspec.UNSET)
        for field in msgspec.structs.fields(parameters_type)
    ]
    return msgspec.defstruct(f"Partial{parameters_type.__name__}", fields, kw_only=True)


def convert_parameters(
    parameters_type: type[msgspec.Struct], parameters: Mapping[str, Any], *, partial: bool = False
) -> msgspec.Struct:
    """`parameters` (plain JSON) as the tool's parameters Struct; ToolError naming the
    parameter and the reason when they do not fit. With `partial`, parameters left out are
    not missing (a chain's literals, checked before the assets exist)."""
    target = _partial_type(parameters_type) if partial else parameters_type
    try:
        return msgspec.convert(dict(parameters), target)
    except msgspec.ValidationError as exc:
        raise ToolError(_parameter_error(exc)) from None


def literal_errors(
    parameters_type: type[msgspec.Struct], literals: Mapping[str, Any], check: LiteralCheck | None = None
) -> dict[str, str]:
    """Parameter name -> why its literal value would fail the step at run time (each
    parameter checked on its own, so that every bad one is named): converted as the executor
    converts it, then checked as the handler checks it (`check`) before reading any input."""
    errors: dict[str, str] = {}
    for name, value in literals.items():
        try:
            converted = convert_parameters(parameters_type, {name: value}, partial=True)
            if check is not None:
                check(converted)
        except ToolError as exc:
            errors[name] = str(exc)
    return errors


def paths_at(value: Any, at: str) -> Iterator[tuple[str, Any]]:
    """The path strings in `value` at the location `at` (`""`, `[].path`, `{}`; see
    `server.tools.schemas.PathsInto`), each with where it is in the value (`[0].path`)."""
    steps = [step for step in at.split(".") if step] if at else []
    yield from _walk(value, steps, "")


def _walk(value: Any, steps: list[str], where: str) -> Iterator[tuple[str, Any]]:
    if not steps:
        if isinstance(value, str):
            yield where, value
        return
    step, rest = steps[0], steps[1:]
    if step == "[]" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, rest, f"{where}[{index}]")
    elif step == "{}" and isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, rest, f"{where}.{key}")
    elif isinstance(value, dict) and step in value:
        yield from _walk(value[step], rest, f"{where}.{step}")

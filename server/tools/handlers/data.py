"""Data tools that reshape lists of objects: group_by, group_reduce, extract (with its model mode in
`described`), filter, sort."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from server.tools.base import ToolContext, ToolError
from server.tools.handlers.described import described_values
from server.tools.handlers.paths import MISSING, resolve
from server.tools.models import (
    ExtractOutputs,
    ExtractParameters,
    FilterOutputs,
    FilterParameters,
    Group,
    GroupByOutputs,
    GroupByParameters,
    GroupReduceOutputs,
    GroupReduceParameters,
    ItemGroup,
    Reduction,
    SortOutputs,
    SortParameters,
)


def _given(value: Any, default: Any) -> Any:
    return default if value is msgspec.UNSET else value


def _group_key(value: Any) -> Any:
    """A hashable stand-in for a key value (lists and objects group by their JSON form)."""
    if isinstance(value, (dict, list)):
        return ("json", msgspec.json.encode(value, order="sorted"))
    if isinstance(value, bool):
        return ("bool", value)  # True must not group with 1
    return ("value", value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _reduce(reduction: Reduction, items: list[dict[str, Any]]) -> Any:
    if reduction.op == "count":
        if not reduction.path:
            return len(items)
        return sum(1 for item in items if resolve(item, reduction.path) not in (MISSING, None))
    values = [v for v in (resolve(item, reduction.path or "") for item in items) if v is not MISSING and v is not None]
    if reduction.op == "collect":
        return values
    if reduction.op == "first":
        return values[0] if values else None
    if reduction.op == "sum":
        not_numbers = [v for v in values if not _is_number(v)]
        if not_numbers:
            raise ToolError(
                f"reduction `{reduction.name}`: cannot sum the non-number value "
                f"{msgspec.json.encode(not_numbers[0]).decode()[:80]}"
            )
        return sum(values)
    if not values:
        return None
    if all(_is_number(v) for v in values) or all(isinstance(v, str) for v in values):
        return min(values) if reduction.op == "min" else max(values)
    raise ToolError(f"reduction `{reduction.name}`: {reduction.op} needs values that are all numbers or all strings")


async def group_by(parameters: GroupByParameters, context: ToolContext) -> GroupByOutputs:
    """Group items by the value at `key`, in order of first appearance, keeping each group's items."""
    fold = _given(parameters.case_insensitive, False)
    groups: dict[Any, tuple[Any, list[Any]]] = {}
    for item in parameters.items:
        key = resolve(item, parameters.key)
        key = None if key is MISSING else key
        identity = _group_key(key.casefold() if fold and isinstance(key, str) else key)
        groups.setdefault(identity, (key, []))[1].append(item)
    return GroupByOutputs(
        groups=[ItemGroup(key=key, size=len(members), items=members) for key, members in groups.values()]
    )


async def group_reduce(parameters: GroupReduceParameters, context: ToolContext) -> GroupReduceOutputs:
    """Group items by the value at `key`, in order of first appearance, and reduce each group."""
    reductions = _given(parameters.reductions, None) or [Reduction(name="count", op="count")]
    names = [r.name for r in reductions]
    if len(set(names)) != len(names):
        raise ToolError("reduction names must be unique")
    groups: dict[Any, tuple[Any, list[dict[str, Any]]]] = {}
    for item in parameters.items:
        key = resolve(item, parameters.key)
        key = None if key is MISSING else key
        groups.setdefault(_group_key(key), (key, []))[1].append(item)
    return GroupReduceOutputs(
        groups=[
            Group(key=key, size=len(members), values={r.name: _reduce(r, members) for r in reductions})
            for key, members in groups.values()
        ]
    )


async def extract(parameters: ExtractParameters, context: ToolContext) -> ExtractOutputs:
    """Fields by path, fields from a regular expression's match, and fields described in words
    (read by a language model), for each item."""
    fields = _given(parameters.fields, None) or {}
    pattern_text = _given(parameters.pattern, None)
    described = _given(parameters.described_fields, None) or {}
    if not fields and not pattern_text and not described:
        raise ToolError("give `fields`, `pattern`, or both, and/or `described_fields`")
    pattern = None
    if pattern_text:
        try:
            pattern = re.compile(pattern_text, re.IGNORECASE if _given(parameters.ignore_case, False) else 0)
        except re.error as exc:
            raise ToolError(f"invalid regular expression: {exc}") from None
    source = _given(parameters.source, "")
    keep_unmatched = _given(parameters.keep_unmatched, False)
    kept: list[Any] = []
    results: list[dict[str, Any]] = []
    for item in parameters.items:
        row: dict[str, Any] = {}
        for name, path in fields.items():
            value = resolve(item, path)
            row[name] = None if value is MISSING else value
        if pattern is not None:
            text = resolve(item, source)
            match = pattern.search(text) if isinstance(text, str) else None
            if match is None and not keep_unmatched:
                continue
            if pattern.groupindex:
                for name in pattern.groupindex:
                    row[name] = match.group(name) if match else None
            else:
                row["match"] = match.group(0) if match else None
                row["groups"] = list(match.groups()) if match else []
        kept.append(item)
        results.append(row)
    if described and kept:
        for row, values in zip(results, await described_values(kept, described, context), strict=True):
            row.update(values)
    return ExtractOutputs(items=results)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "exists":
        return actual is not MISSING and actual is not None
    if op == "not_exists":
        return actual is MISSING or actual is None
    if actual is MISSING:
        return False
    if op in ("eq", "ne"):
        same = type(actual) is type(expected) or (_is_number(actual) and _is_number(expected))
        equal = same and actual == expected
        return equal if op == "eq" else not equal
    if op in ("gt", "gte", "lt", "lte"):
        if not (
            (_is_number(actual) and _is_number(expected)) or (isinstance(actual, str) and isinstance(expected, str))
        ):
            return False
        results: dict[str, bool] = {
            "gt": actual > expected,
            "gte": actual >= expected,
            "lt": actual < expected,
            "lte": actual <= expected,
        }
        return results[op]
    if op == "contains":
        if isinstance(actual, str):
            return isinstance(expected, str) and expected in actual
        if isinstance(actual, list):
            return expected in actual
        if isinstance(actual, dict):
            return isinstance(expected, str) and expected in actual
        return False
    if op == "in":
        return isinstance(expected, list) and actual in expected
    if op == "matches":
        return isinstance(actual, str) and expected.search(actual) is not None
    raise ToolError(f"unknown condition `{op}`")


def prepare_conditions(given: Any) -> list[tuple[str, str, Any]]:
    """`filter`'s conditions as (path, op, value), a `matches` value compiled; ToolError naming
    the condition when one cannot be evaluated."""
    conditions: list[tuple[str, str, Any]] = []
    for index, condition in enumerate(given):
        value = _given(condition.value, None)
        if condition.op == "matches":
            if not isinstance(value, str):
                raise ToolError(f"conditions[{index}]: `matches` needs a regular expression as its value")
            try:
                value = re.compile(value)
            except re.error as exc:
                raise ToolError(f"conditions[{index}]: invalid regular expression: {exc}") from None
        elif condition.op == "in" and not isinstance(value, list):
            raise ToolError(f"conditions[{index}]: `in` needs a list as its value")
        elif condition.op not in ("exists", "not_exists") and condition.value is msgspec.UNSET:
            raise ToolError(f"conditions[{index}]: `{condition.op}` needs a value")
        conditions.append((condition.path, condition.op, value))
    return conditions


def check_filter_literals(parameters: Any) -> None:
    """What `filter` checks of its conditions before it reads an item, on literal conditions."""
    if parameters.conditions is not msgspec.UNSET:
        prepare_conditions(parameters.conditions)


async def filter_items(parameters: FilterParameters, context: ToolContext) -> FilterOutputs:
    """The items for which all (or any) of the conditions hold."""
    conditions = prepare_conditions(parameters.conditions)
    combine = all if _given(parameters.match, "all") == "all" else any
    kept = [
        item
        for item in parameters.items
        if combine(_compare(op, resolve(item, path), value) for path, op, value in conditions)
    ]
    return FilterOutputs(items=kept)


_TYPE_RANK = {bool: 0, int: 1, float: 1, str: 2}


def _sort_value(value: Any) -> tuple[int, Any]:
    """Numbers, then strings, then booleans, then anything else by its JSON form."""
    if isinstance(value, bool):
        return (3, value)
    if _is_number(value):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (4, msgspec.json.encode(value, order="sorted"))


async def sort_items(parameters: SortParameters, context: ToolContext) -> SortOutputs:
    """A stable multi-key sort; missing and null values last whatever the direction."""
    items = list(parameters.items)
    # Sort by the least significant key first; Python's sort is stable, so earlier keys win.
    for key in reversed(parameters.keys):
        descending = _given(key.descending, False)
        present = [(resolve(item, key.path), item) for item in items]
        known = [(v, item) for v, item in present if v is not MISSING and v is not None]
        unknown = [item for v, item in present if v is MISSING or v is None]
        known.sort(key=lambda pair: _sort_value(pair[0]), reverse=descending)
        items = [item for _, item in known] + unknown
    return SortOutputs(items=items)

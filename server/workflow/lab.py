"""The tool lab: run any registered tool on literal values or the user's own assets, outside
any mission, and see its outputs; nothing is stored unless the user saves an output as an
asset (docs/tools.md, "The tool lab").

A run goes the way a step's does: parameters resolved (`executor.resolve_parameters`),
saved connections read and decrypted, the handler called through `run_tool` (the same
conversion to the tool's parameters Struct) within `STEP_TIMEOUT_SECONDS`, outputs bounded by
`STEP_OUTPUT_MAX_BYTES`, error texts redacted of secrets. A user runs at most
`RUNNING_HOPS_PER_USER` tools at once in a process (429 beyond).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from typing import Any
from uuid import UUID

import msgspec

from server.assets import service as assets
from server.assets.schemas import Asset, AssetCreate
from server.connections import service as connections
from server.enums import AssetRole
from server.errors import InvalidInput, LimitExceeded, NotFound, TooManyRequests, Unprocessable
from server.redaction import redact, secrets_in_use
from server.schemas import AssetFieldMapping, FieldError
from server.settings import get_settings
from server.tools.base import ToolContext, ToolError
from server.tools.registry import RegisteredTool, get_registry
from server.workflow.executor import resolve_parameters, tools_model
from server.workflow.resources import CONNECTION_KEY
from server.workflow.schemas import ToolResultSave, ToolRun, ToolRunResult
from server.workflow.secrets import SecretUnreadable, resolved_resource_configs, secret_values

_encode = msgspec.json.Encoder().encode
_running: Counter[UUID] = Counter()


def _tool(tool_id: str) -> RegisteredTool:
    tool = get_registry().tool(tool_id)
    if tool is None:
        raise NotFound("tool", tool_id)
    return tool


def _check_parameters(tool: RegisteredTool, data: ToolRun) -> None:
    """Unknown and missing parameters, refused before anything runs (400 naming each)."""
    known = {p.name: p for p in tool.spec.parameters}
    errors = [
        FieldError(field=f"body.parameters.{name}", reason=f'tool "{tool.spec.id}" has no parameter "{name}"')
        for name in data.parameters
        if name not in known
    ]
    errors += [
        FieldError(field=f"body.parameters.{p.name}", reason=f'"{p.name}" is required')
        for p in tool.spec.parameters
        if p.required and p.name not in data.parameters
    ]
    resources = {r.id for r in tool.spec.resource_dependencies}
    errors += [
        FieldError(field=f"body.connections.{rid}", reason=f'tool "{tool.spec.id}" does not use resource "{rid}"')
        for rid in data.connections
        if rid not in resources
    ]
    if errors:
        raise _invalid(errors)


def _invalid(errors: list[FieldError]) -> InvalidInput:
    error = InvalidInput(errors[0].field, errors[0].reason)
    error.errors = errors
    error.message = "; ".join(f"`{e.field}`: {e.reason}" for e in errors)
    return error


def _typed(tool: RegisteredTool, parameters: dict[str, Any]) -> Any:
    """The parameters converted to the tool's Struct as a step's are (`run_tool`); a value
    that does not fit is a 400 naming it."""
    try:
        return msgspec.convert(parameters, tool.parameters_type)
    except msgspec.ValidationError as exc:
        reason, _, at = str(exc).partition(" - at `")
        path = at.rstrip("`").removeprefix("$").lstrip(".")
        name = re.split(r"[.\[]", path, maxsplit=1)[0] if path else ""
        raise InvalidInput(f"body.parameters.{path}" if name else "body.parameters", reason) from None


async def _stored_configs(user_id: UUID, tool: RegisteredTool, data: ToolRun) -> dict[str, Any]:
    types = {r.id: r.type for r in tool.spec.resource_dependencies}
    for resource_id, connection_id in data.connections.items():
        await connections.connection_for_step(
            user_id=user_id,
            connection_id=connection_id,
            resource_type=types[resource_id],
            field=f"body.connections.{resource_id}",
        )
    stored = {rid: {CONNECTION_KEY: str(cid)} for rid, cid in data.connections.items()}
    return await connections.with_connections(user_id=user_id, stored=stored)


async def run_tool(*, user_id: UUID, tool_id: str, data: ToolRun) -> ToolRunResult:
    """Run the tool once and return its outputs; nothing is written."""
    tool = _tool(tool_id)
    _check_parameters(tool, data)
    settings = get_settings()
    limit = settings.execution.running_hops_per_user
    if _running[user_id] >= limit:
        raise TooManyRequests(
            f"Cannot run the tool: {limit} of your runs are going on, the most at once (RUNNING_HOPS_PER_USER)",
            retry_after=5,
        )
    _running[user_id] += 1
    try:
        return await _run(user_id, tool, data)
    finally:
        _running[user_id] -= 1
        if _running[user_id] <= 0:
            del _running[user_id]


async def _run(user_id: UUID, tool: RegisteredTool, data: ToolRun) -> ToolRunResult:
    started = time.perf_counter()
    settings = get_settings()
    mapping = {
        name: {"type": "asset_field", "state_asset": str(m.state_asset)}
        if isinstance(m, AssetFieldMapping)
        else {"type": "literal", "value": m.value}
        for name, m in data.parameters.items()
    }
    try:
        parameters = await resolve_parameters(user_id=user_id, mapping=mapping)
    except ToolError:
        missing = next(n for n, m in data.parameters.items() if isinstance(m, AssetFieldMapping))
        raise InvalidInput(f"body.parameters.{missing}.state_asset", "you have no asset with this id") from None
    typed = _typed(tool, parameters)
    stored = await _stored_configs(user_id, tool, data)
    secrets = [*secret_values(stored), *settings.secret_values()]
    try:
        context = ToolContext(
            resources=resolved_resource_configs(stored),
            timeout_seconds=settings.execution.step_timeout_seconds,
            user_id=user_id,
            default_model=tools_model(),
        )
        with secrets_in_use(secrets):
            outputs = await call_typed(tool, typed, context)
    except (ToolError, SecretUnreadable) as exc:
        raise Unprocessable(f"The tool could not run: {redact(str(exc), secrets)}") from None
    size = len(_encode(outputs))
    if size > settings.execution.step_output_max_bytes:
        raise LimitExceeded(
            f"The tool returned {size} bytes of outputs, more than the limit of "
            f"{settings.execution.step_output_max_bytes} (STEP_OUTPUT_MAX_BYTES)"
        )
    return ToolRunResult(
        tool_id=tool.spec.id,
        outputs=outputs,
        duration_ms=(time.perf_counter() - started) * 1000,
        output_bytes=size,
    )


async def call_typed(tool: RegisteredTool, typed: Any, context: ToolContext) -> dict[str, Any]:
    """The handler called on already converted parameters, within the time limit, its outputs
    checked against the tool's outputs Struct as `run_tool` does."""
    try:
        async with asyncio.timeout(context.timeout_seconds):
            outputs = await tool.handler(typed, context)
    except TimeoutError:
        raise ToolError(f"tool `{tool.spec.id}` did not finish within {context.timeout_seconds:g} s") from None
    if not isinstance(outputs, tool.outputs_type):
        raise ToolError(f"tool `{tool.spec.id}` returned {type(outputs).__name__}, not {tool.outputs_type.__name__}")
    result: dict[str, Any] = msgspec.to_builtins(outputs)
    return result


async def save_result(*, user_id: UUID, data: ToolResultSave) -> Asset:
    """Keep one output of a run as a new input asset of one of the user's missions, with the
    tool output's schema."""
    tool = get_registry().tool(data.tool_id)
    if tool is None:
        raise InvalidInput("body.tool_id", f'no tool "{data.tool_id}" is registered')
    output = next((o for o in tool.spec.outputs if o.name == data.output), None)
    if output is None:
        names = ", ".join(f'"{o.name}"' for o in tool.spec.outputs)
        raise InvalidInput("body.output", f'tool "{data.tool_id}" has no output "{data.output}" (outputs: {names})')
    return await assets.create_mission_asset(
        user_id=user_id,
        mission_id=data.mission_id,
        data=AssetCreate(
            name=data.name,
            description=data.description,
            schema_definition=output.schema_definition,
            role=AssetRole.INPUT,
            content=data.content,
            asset_metadata={"saved_from_tool_lab": {"tool_id": tool.spec.id, "output": output.name}},
        ),
    )

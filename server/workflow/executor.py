"""Runs a hop's tool steps in order, in a background task of the server process.

`schedule_hop` is called by the route of the "execute hop" transition (2.7) once the
transition has committed: the hop is `executing` and its first step `executing`. For each executing step the executor
resolves the parameters (an asset's content, read in the user's scope, or a literal),
decrypts the resource configurations, calls the tool's handler within the step time limit,
and reports through the transitions: `complete_tool_step` (2.8, which writes the outputs
through the result mapping and moves the next step to `executing`) or `fail_tool_step`
(2.8b). When no step is left to run, `complete_hop` (2.9).

Stub mode: a step whose tool needs a resource that is not configured runs from the tool's
first sample response, recorded as `stubbed` in its execution_result, when the execute
request asked for it or the setting `STUB_UNCONFIGURED_TOOLS=1` is on.

Every error text of a step goes through one redaction step (`server.redaction`) before it is
stored, returned or logged: no configured secret survives in it, in any spelling. While a step
runs, this process renews its lease (`transitions.recovery`); a step whose lease lapsed (its
server stopped) is failed by the sweep of any process.

Settings: `server.settings.ExecutionSettings` (the step time limit, stub mode, the lease and
the sweep, the largest output of one step).
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.assets.service import check_storage
from server.assets.tables import Asset as AssetTable
from server.connections import service as connections
from server.database import decode_json_fields, now
from server.enums import Actor, ToolExecutionStatus, WorkflowEntity
from server.errors import ApiError, LimitExceeded
from server.llm import ModelConfig
from server.missions.tables import Hop as HopTable
from server.missions.tables import ToolStep as ToolStepTable
from server.redaction import install_log_redaction, redact, secrets_in_use
from server.settings import get_settings
from server.tools.base import ToolContext, ToolError
from server.tools.registry import RegisteredTool, get_registry, run_tool, sample_outputs
from server.workflow import events, transitions
from server.workflow.events import WorkflowEvent
from server.workflow.resources import missing_configuration
from server.workflow.secrets import SecretUnreadable, resolved_resource_configs, secret_values

logger = logging.getLogger("server.executor")
_encode = msgspec.json.Encoder().encode

STALE_STEP_MESSAGE = transitions.STALE_STEP_MESSAGE
"""What a step left running by a stopped server says (see `server.workflow.transitions.recovery`)."""


def stub_mode(requested: bool | None = None) -> bool:
    """Whether unconfigured tools run from their sample responses: the request's choice, else the setting."""
    return get_settings().execution.stub_unconfigured_tools if requested is None else requested


def tools_model() -> ModelConfig | None:
    """The server's model for the tools' model mode (`LLM_FOR_TOOLS`), or None."""
    settings = get_settings().assistant
    return ModelConfig.from_settings(settings) if settings.llm_for_tools else None


# Background tasks --------------------------------------------------------------------------

_running: dict[UUID, asyncio.Task[None]] = {}


def schedule_hop(
    *, user_id: UUID, hop_id: UUID, stub_unconfigured: bool | None = None, only_step: bool = False
) -> asyncio.Task[None]:
    """Start running the hop's executing steps in a background task (one task per hop);
    `only_step`: run the executing step alone (2.7b) and start no other."""
    task = _running.get(hop_id)
    if task is not None and not task.done():
        return task
    task = asyncio.get_running_loop().create_task(
        run_hop(user_id=user_id, hop_id=hop_id, stub_unconfigured=stub_unconfigured, only_step=only_step),
        name=f"hop {hop_id}",
    )
    _running[hop_id] = task
    task.add_done_callback(lambda done: _running.pop(hop_id, None) if _running.get(hop_id) is done else None)
    return task


async def stop_running_hops(grace_seconds: float = 5.0) -> None:
    """Let running hops finish for a moment, then cancel them (their steps stay `executing`
    and are failed by the stale-step sweep)."""
    tasks = [task for task in _running.values() if not task.done()]
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=grace_seconds)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=1.0)


# Running a hop -----------------------------------------------------------------------------

_STEP_COLUMNS = (
    ToolStepTable.id,
    ToolStepTable.tool_id,
    ToolStepTable.sequence_order,
    ToolStepTable.status,
    ToolStepTable.parameter_mapping,
    ToolStepTable.resource_configs,
)


@dataclass(slots=True)
class StepOutcome:
    outputs: dict[str, Any] | None
    error: str | None
    """Already redacted."""
    duration_ms: float
    stubbed: bool
    secrets: list[str] = field(default_factory=list)
    """The step's configured secret values, which no stored or logged text may carry."""


async def run_hop(
    *, user_id: UUID, hop_id: UUID, stub_unconfigured: bool | None = None, only_step: bool = False
) -> None:
    """Run the hop's steps one after the other until it completes, fails or is cancelled (the
    transitions are recorded as the server's); with `only_step`, just its executing step."""
    install_log_redaction()
    with transitions.acting_as(Actor.SERVER):
        await _run_hop(user_id=user_id, hop_id=hop_id, stub_unconfigured=stub_unconfigured, only_step=only_step)


async def _run_hop(*, user_id: UUID, hop_id: UUID, stub_unconfigured: bool | None = None, only_step: bool) -> None:
    stub = stub_mode(stub_unconfigured)
    hop = (
        await HopTable.select(HopTable.mission_id)
        .where((HopTable.id == hop_id) & (HopTable.user_id == user_id))
        .first()
        .run()
    )
    if hop is None:
        return
    mission_id = hop["mission_id"]
    _leased.add(hop_id)
    try:
        steps = (
            await ToolStepTable.select(*_STEP_COLUMNS)
            .where((ToolStepTable.hop_id == hop_id) & (ToolStepTable.user_id == user_id))
            .order_by(ToolStepTable.sequence_order)
            .run()
        )
        index = next((i for i, s in enumerate(steps) if s["status"] == ToolExecutionStatus.EXECUTING), None)
        # 2.8 starts the next `ready_to_execute` step in order, so the list read once says
        # which step runs next; a hop cancelled meanwhile makes the next transition refuse.
        while index is not None:
            step = steps[index]
            outcome = await run_step(user_id=user_id, hop_id=hop_id, mission_id=mission_id, step=step, stub=stub)
            if outcome.error is not None:
                await transitions.fail_tool_step(
                    user_id=user_id, step_id=step["id"], error=outcome.error, secrets=outcome.secrets
                )
                return
            try:
                await transitions.complete_tool_step(
                    user_id=user_id,
                    step_id=step["id"],
                    outputs=outcome.outputs or {},
                    duration_ms=outcome.duration_ms,
                    stubbed=outcome.stubbed,
                    run_next=not only_step,
                )
            except ApiError:
                raise
            except Exception:
                # The outputs could not be written (a database refusal): the step fails, saying so.
                logger.exception("hop %s: the outputs of step %s could not be written", hop_id, step["id"])
                await transitions.fail_tool_step(
                    user_id=user_id, step_id=step["id"], error="the step's outputs could not be stored"
                )
                return
            step["status"] = ToolExecutionStatus.COMPLETED
            if only_step:
                break
            index = next(
                (i for i in range(index + 1, len(steps)) if steps[i]["status"] == ToolExecutionStatus.READY_TO_EXECUTE),
                None,
            )
            if index is not None:
                steps[index]["status"] = ToolExecutionStatus.EXECUTING
        if steps and all(s["status"] == ToolExecutionStatus.COMPLETED for s in steps):
            await transitions.complete_hop(user_id=user_id, hop_id=hop_id)
    except ApiError as exc:
        # The hop moved on without us (cancelled, or another process got there first).
        logger.info("hop %s stopped: %s", hop_id, exc.message)
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("hop %s: executor error", hop_id)
    finally:
        _leased.discard(hop_id)


async def run_step(*, user_id: UUID, hop_id: UUID, mission_id: UUID, step: dict[str, Any], stub: bool) -> StepOutcome:
    """Call one step's tool; every failure becomes a readable error, never an exception."""
    started = time.perf_counter()
    decode_json_fields(step, ("parameter_mapping", "resource_configs"))
    tool = get_registry().tool(step["tool_id"])

    secrets: list[str] = []

    def failed(message: str) -> StepOutcome:
        return StepOutcome(
            outputs=None,
            error=redact(message, [*secrets, *get_settings().secret_values()]),
            duration_ms=(time.perf_counter() - started) * 1000,
            stubbed=False,
            secrets=secrets,
        )

    if tool is None:
        return failed(f"tool `{step['tool_id']}` is not registered")
    try:
        # A saved connection's values are read now: a change applies from the next run.
        stored_configs = await connections.with_connections(user_id=user_id, stored=step["resource_configs"] or {})
    except connections.MissingConnection as exc:
        return failed(f"{exc}; pick a connection for the step again")
    secrets.extend(secret_values(stored_configs))
    missing = missing_configuration(tool.spec, stored_configs)
    stubbed = bool(missing)
    if stubbed and not stub:
        return failed(f"tool `{tool.spec.id}` is not configured: {'; '.join(missing)}")
    await events.publish(
        user_id=user_id,
        events=[
            WorkflowEvent(
                entity=WorkflowEntity.TOOL_STEP,
                id=step["id"],
                status=ToolExecutionStatus.EXECUTING,
                mission_id=mission_id,
                hop_id=hop_id,
                progress="running from sample responses (stub mode)" if stubbed else f"running tool `{tool.spec.id}`",
                at=now(),
            )
        ],
    )
    try:
        if stubbed:
            outputs = sample_outputs(tool)
        else:
            parameters = await resolve_parameters(user_id=user_id, mapping=step["parameter_mapping"] or {})
            context = ToolContext(
                resources=resolved_resource_configs(stored_configs),
                timeout_seconds=get_settings().execution.step_timeout_seconds,
                user_id=user_id,
                step_id=step["id"],
                default_model=tools_model(),
            )
            with secrets_in_use([*secrets, *get_settings().secret_values()]):
                outputs = await call_with_timeout(tool, parameters, context)
    except ToolError as exc:
        return failed(str(exc))
    except SecretUnreadable as exc:
        return failed(f"{exc}; configure the step's resources again")
    except Exception as exc:  # a handler bug must fail the step, not leave it executing
        # Logged redacted: a traceback quotes the values it was handed.
        trace = redact(traceback.format_exc(), [*secrets, *get_settings().secret_values()])
        logger.error("tool %s failed unexpectedly\n%s", tool.spec.id, trace)
        return failed(f"tool `{tool.spec.id}` failed unexpectedly: {type(exc).__name__}: {exc}")
    size = len(_encode(outputs))
    limit = get_settings().execution.step_output_max_bytes
    if size > limit:
        return failed(f"tool `{tool.spec.id}` returned {size} bytes of outputs, more than the limit of {limit}")
    try:
        await check_storage(user_id=user_id, adding=size)
    except LimitExceeded as exc:
        return failed(exc.message)
    return StepOutcome(outputs=outputs, error=None, duration_ms=(time.perf_counter() - started) * 1000, stubbed=stubbed)


async def call_with_timeout(tool: RegisteredTool, parameters: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    try:
        async with asyncio.timeout(context.timeout_seconds):
            return await run_tool(tool, parameters, context)
    except TimeoutError:
        raise ToolError(f"tool `{tool.spec.id}` did not finish within {context.timeout_seconds:g} s") from None


async def resolve_parameters(*, user_id: UUID, mapping: dict[str, Any]) -> dict[str, Any]:
    """Parameter values: a literal as given, an asset's content by its id (one query for all)."""
    asset_ids = {name: UUID(str(m["state_asset"])) for name, m in mapping.items() if m.get("type") == "asset_field"}
    contents: dict[UUID, Any] = {}
    if asset_ids:
        rows = (
            await AssetTable.select(AssetTable.id, AssetTable.content)
            .where((AssetTable.user_id == user_id) & AssetTable.id.is_in(list(set(asset_ids.values()))))
            .run()
        )
        contents = {row["id"]: decode_json_fields(row, ("content",))["content"] for row in rows}
    parameters: dict[str, Any] = {}
    for name, m in mapping.items():
        if m.get("type") == "literal":
            parameters[name] = m.get("value")
        elif m.get("type") == "asset_field":
            asset_id = asset_ids[name]
            if asset_id not in contents:
                raise ToolError(f"parameter `{name}`: asset {asset_id} no longer exists")
            parameters[name] = contents[asset_id]
    return parameters


# Leases and steps left executing -------------------------------------------------------------

_leased: set[UUID] = set()
"""Hops whose steps this process is running: it renews their leases."""


async def fail_stale_steps(*, older_than: timedelta | None = None) -> int:
    """Fail the steps left `executing` with no live executor (and their hops); returns how
    many. A step is stale once its lease lapsed: the server running it stopped renewing it
    (`older_than` instead fails those unchanged for that long). Hops this process runs are
    skipped."""
    return await transitions.fail_stale_steps(older_than=older_than, running_hops=set(_running) | _leased)


async def _keep_leases(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await transitions.renew_leases(set(_leased))
        except Exception:
            logger.exception("could not renew step leases")


async def _sweep_forever(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await fail_stale_steps()
        except Exception:
            logger.exception("stale step sweep failed")


@asynccontextmanager
async def executor_lifespan(_: Any) -> AsyncIterator[None]:
    """At start-up, fail the steps a stopped server left executing, then keep sweeping for
    them and renewing the leases of the steps this process runs; at shut-down, let running
    hops finish briefly."""
    settings = get_settings().execution
    await fail_stale_steps()
    loop = asyncio.get_running_loop()
    background = [
        loop.create_task(_sweep_forever(settings.stale_step_sweep_seconds), name="stale step sweep"),
        loop.create_task(_keep_leases(settings.step_lease_seconds / 3), name="step leases"),
    ]
    try:
        yield
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await stop_running_hops()

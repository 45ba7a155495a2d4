"""Benchmark: engine overhead per tool step, the executor's own cost around a tool that does
nothing (resolving parameters, the 2.8 transition that records the result, writes the output
asset and starts the next step, the events), excluding the tool's work.

A hop of 20 no-op steps is executed 15 times; each step reads an asset written by the step
before and writes a new hop-scoped asset. The overhead of a step is the time between the end
of one tool call and the start of the next. Prints the median and 90th percentile per
engine. Target: median under 5 ms on SQLite.

    .venv/bin/python tests/bench/bench_step_overhead.py [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID, uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import common

STEPS = 20
RUNS = 15
EMAIL = "bench-executor@example.com"
TOOL_ID = "noop_for_bench"


def register_noop_tool(marks: list[tuple[float, float]]) -> None:
    """A tool that returns its input, recording when each call starts and ends."""
    import msgspec

    from server.tools.registry import RegisteredTool, get_registry
    from server.tools.schemas import ToolSpec

    class NoopParameters(msgspec.Struct):
        value: dict

    class NoopOutputs(msgspec.Struct):
        value: dict

    async def noop(parameters: NoopParameters, context) -> NoopOutputs:
        started = time.perf_counter()
        outputs = NoopOutputs(value=parameters.value)
        marks.append((started, time.perf_counter()))
        return outputs

    object_schema = {"type": "object"}
    spec = msgspec.convert(
        {
            "id": TOOL_ID,
            "name": "No-op",
            "description": "Returns its input.",
            "category": "bench",
            "parameters": [{"name": "value", "schema_definition": object_schema, "json_schema": object_schema}],
            "outputs": [{"name": "value", "schema_definition": object_schema, "json_schema": object_schema}],
        },
        ToolSpec,
    )
    get_registry().register(
        RegisteredTool(spec=spec, handler=noop, parameters_type=NoopParameters, outputs_type=NoopOutputs)
    )


async def ready_hop(user_id: UUID) -> UUID:
    """A mission whose final hop chains STEPS no-op steps, accepted and ready to execute."""
    from server.enums import AssetRole, ValueType
    from server.missions.schemas import (
        AssetProposal,
        HopImplementationProposal,
        HopPlanProposal,
        MissionProposal,
        NewAssetOutput,
        ToolStepProposal,
    )
    from server.schemas import AssetFieldMapping, SchemaDefinition
    from server.sessions.schemas import UserSessionCreate
    from server.sessions.service import create_session
    from server.workflow import transitions

    schema = SchemaDefinition(type=ValueType.OBJECT)
    session = await create_session(user_id=user_id, data=UserSessionCreate(name="bench"))
    mission = await transitions.propose_mission(
        user_id=user_id,
        session_id=session.id,
        data=MissionProposal(
            name="Bench",
            assets=[
                AssetProposal(
                    name="Start", schema_definition=schema, role=AssetRole.INPUT, content={"n": 1, "text": "x" * 200}
                )
            ],
        ),
    )
    mission = await transitions.accept_mission(user_id=user_id, mission_id=mission.id)
    (start,) = mission.asset_summary.inputs
    hop = await transitions.start_hop_plan(user_id=user_id, mission_id=mission.id)
    hop = await transitions.propose_hop_plan(
        user_id=user_id,
        hop_id=hop.id,
        data=HopPlanProposal(
            name="Chain",
            inputs=[start],
            output=NewAssetOutput(asset=AssetProposal(name="End", schema_definition=schema, role=AssetRole.OUTPUT)),
        ),
    )
    (end,) = hop.asset_summary.outputs
    await transitions.accept_hop_plan(user_id=user_id, hop_id=hop.id)
    await transitions.start_hop_implementation(user_id=user_id, hop_id=hop.id)
    links = [start, *(uuid4() for _ in range(STEPS - 1)), end]
    steps = [
        ToolStepProposal(
            tool_id=TOOL_ID,
            name=f"Step {index + 1}",
            parameter_mapping={"value": AssetFieldMapping(state_asset=links[index])},
            result_mapping={"value": AssetFieldMapping(state_asset=links[index + 1])},
        )
        for index in range(STEPS)
    ]
    await transitions.propose_hop_implementation(
        user_id=user_id, hop_id=hop.id, data=HopImplementationProposal(steps=steps)
    )
    await transitions.accept_hop_implementation(user_id=user_id, hop_id=hop.id)
    return hop.id


def main(engine_name: str) -> None:
    # The database is created and dropped outside the measuring event loop.
    with common.bench_database(engine_name):
        overheads, per_hop, transition, cpu = asyncio.run(measure())
    overheads.sort()
    p90 = overheads[int(len(overheads) * 0.9)]
    print(
        f"engine overhead per tool step on {engine_name} ({RUNS} hops x {STEPS} no-op steps, each reading and "
        "writing an asset):"
    )
    print(
        f"  median between tool calls:  {statistics.median(overheads):.2f} ms   (p90 {p90:.2f} ms)   target < 5 ms "
        "on SQLite"
    )
    print(
        f"  of which the 2.8 transition: {statistics.median(transition):.2f} ms   (complete_tool_step: record, write "
        "the asset, start the next step)"
    )
    print(f"  whole hop / steps, median:  {statistics.median(per_hop):.2f} ms   (includes completing the hop)")
    print(
        f"  CPU time of this process per step, median: {statistics.median(cpu):.2f} ms   (all its threads; steadier "
        "than wall time on a busy machine)"
    )


async def measure() -> tuple[list[float], list[float], list[float], list[float]]:
    from server.database import engine
    from server.missions.service import get_hop
    from server.workflow import executor, transitions

    await common.migrate()
    db = engine()
    await db.start_connection_pool()
    try:
        user_id = await common.create_user(EMAIL)
        marks: list[tuple[float, float]] = []
        register_noop_tool(marks)
        transition: list[float] = []
        complete_tool_step = transitions.complete_tool_step

        async def timed_complete(**kwargs):
            started = time.perf_counter()
            try:
                return await complete_tool_step(**kwargs)
            finally:
                transition.append((time.perf_counter() - started) * 1000)

        transitions.complete_tool_step = timed_complete
        overheads: list[float] = []
        per_hop: list[float] = []
        cpu: list[float] = []
        for run in range(RUNS + 1):
            hop_id = await ready_hop(user_id)
            marks.clear()
            await transitions.execute_hop(user_id=user_id, hop_id=hop_id)
            started, cpu_started = time.perf_counter(), time.process_time()
            await executor.run_hop(user_id=user_id, hop_id=hop_id)
            elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_started
            hop = await get_hop(user_id=user_id, hop_id=hop_id)
            assert hop.status == "completed", hop.error_message
            assert len(marks) == STEPS
            if run == 0:
                transition.clear()
                continue  # the first run warms caches and connections: not counted
            overheads += [(marks[i + 1][0] - marks[i][1]) * 1000 for i in range(STEPS - 1)]
            work = sum(end - begin for begin, end in marks)
            per_hop.append((elapsed - work) * 1000 / STEPS)
            cpu.append(cpu_used * 1000 / STEPS)
    finally:
        await db.close_connection_pool()
    return overheads, per_hop, transition, cpu


if __name__ == "__main__":
    engines = common.engines_from_args(__doc__ or "")
    if len(engines) == 1:
        main(engines[0])
    else:  # the engine is fixed when `server` is imported: one process per engine
        for name in engines:
            subprocess.run([sys.executable, __file__, "--engine", name], check=True)

"""Benchmark: latency of transition requests over HTTP, through one uvicorn process.

Two cycles that can repeat forever, each request a real transition with its conditional
status change, its writes in one transaction and its response read back:
- mission: propose mission (1.1) -> accept (1.2) -> start hop plan (2.1) -> cancel (1.3),
  in the same session (a cancelled mission makes room for the next one);
- hop plan: propose hop plan (2.2, a new output asset and two mappings) -> reject (2.3b,
  which removes them).

Prints, per engine, the median and 95th percentile of each transition and of all of them,
the server's CPU time per request and the machine's load. Target: median under 10 ms on
SQLite. On a machine busy with other work, BENCH_PRIORITY=1 (as root) runs the server and
the client ahead of it, which shows the latency a dedicated machine would see.

    [BENCH_PRIORITY=1] .venv/bin/python tests/bench/bench_transitions.py [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import common

EMAIL = "bench-transitions@example.com"
MISSION_CYCLES = 100
PLAN_CYCLES = 200
WARMUP_CYCLES = 10
PRIORITY = -10
"""Nice value of the server and the client with BENCH_PRIORITY=1 (needs root)."""
OBJECTS = {"type": "object", "is_array": True}
MISSION = {
    "name": "Benchmark mission",
    "goal": "measure transitions",
    "success_criteria": ["fast"],
    "assets": [
        {"name": "Records", "schema_definition": OBJECTS, "role": "input", "content": [{"n": 1}, {"n": 2}]},
        {"name": "Report", "schema_definition": OBJECTS, "role": "output"},
    ],
}


@contextmanager
def signed_in_client(base: str) -> Iterator[Any]:
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        response = client.post("/api/auth/sign-in", json={"email": EMAIL, "password": common.PASSWORD})
        response.raise_for_status()
        client.headers["x-csrf-token"] = response.json()["csrf_token"]
        yield client


class Recorder:
    def __init__(self) -> None:
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.recording = False

    def post(self, client, name: str, path: str, json=None, expect: int = 200) -> dict:
        started = time.perf_counter()
        response = client.post(path, json=json)
        elapsed = time.perf_counter() - started
        if response.status_code != expect:
            raise RuntimeError(f"{name}: POST {path} answered {response.status_code}: {response.text[:300]}")
        if self.recording:
            self.timings[name].append(elapsed * 1000)
        return response.json()


def mission_cycle(client, recorder: Recorder, session_id: str) -> None:
    mission = recorder.post(client, "propose mission", f"/api/sessions/{session_id}/mission", MISSION, expect=201)
    recorder.post(client, "accept mission", f"/api/missions/{mission['id']}/accept")
    recorder.post(client, "start hop plan", f"/api/missions/{mission['id']}/hops/start", expect=201)
    recorder.post(client, "cancel mission", f"/api/missions/{mission['id']}/cancel")


def plan_cycle(client, recorder: Recorder, hop_id: str, input_id: str) -> None:
    plan = {
        "name": "Rank",
        "goal": "ranked records",
        "inputs": [input_id],
        "output": {"type": "new_asset", "asset": {"name": "Ranked", "schema_definition": OBJECTS, "role": "output"}},
    }
    recorder.post(client, "propose hop plan", f"/api/hops/{hop_id}/plan", plan)
    recorder.post(client, "reject hop plan", f"/api/hops/{hop_id}/plan/reject")


def server_pid(base: str) -> int:
    """The process id of the server listening on `base`'s port."""
    port = base.rsplit(":", 1)[1].encode()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in command and port in command:
                return int(proc.name)
    raise RuntimeError(f"no server process found on {base}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, all its threads included: on a
    busy machine, wall-clock latency includes waiting for a core, CPU time does not."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_priority(pid: int) -> None:
    """Give the server and this client precedence over other work on the machine (root only),
    so that the figures show the server's latency rather than the machine's queue."""
    for process in (pid, os.getpid()):
        for task in Path(f"/proc/{process}/task").iterdir():
            os.setpriority(os.PRIO_PROCESS, int(task.name), PRIORITY)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def main(engine_name: str) -> None:
    prioritized = os.environ.get("BENCH_PRIORITY") == "1"
    with common.bench_database(engine_name) as env:
        await common.migrate()
        await common.create_user(EMAIL)
        with common.server_process(env) as base, signed_in_client(base) as client:
            recorder = Recorder()
            session = client.post("/api/sessions", json={"name": "bench"}).json()
            plan_session = client.post("/api/sessions", json={"name": "bench plans"}).json()
            mission = recorder.post(
                client, "propose mission", f"/api/sessions/{plan_session['id']}/mission", MISSION, expect=201
            )
            recorder.post(client, "accept mission", f"/api/missions/{mission['id']}/accept")
            hop = recorder.post(client, "start hop plan", f"/api/missions/{mission['id']}/hops/start", expect=201)
            input_id = mission["asset_summary"]["inputs"][0]
            for _ in range(WARMUP_CYCLES):
                mission_cycle(client, recorder, session["id"])
                plan_cycle(client, recorder, hop["id"], input_id)
            pid = server_pid(base)
            if prioritized:
                raise_priority(pid)
            recorder.recording = True
            cpu_before = cpu_seconds(pid)
            # Interleaved, so that a change in the machine's load touches every transition alike.
            for index in range(PLAN_CYCLES):
                if index % (PLAN_CYCLES // MISSION_CYCLES) == 0:
                    mission_cycle(client, recorder, session["id"])
                plan_cycle(client, recorder, hop["id"], input_id)
            cpu = cpu_seconds(pid) - cpu_before
    every = [value for values in recorder.timings.values() for value in values]
    load = os.getloadavg()[0]
    print(
        f"Transition requests over HTTP on {engine_name} (one uvicorn process, one kept-alive connection; "
        f"load average {load:.1f} on {os.cpu_count()} "
        f"cores{f', server and client at nice {PRIORITY}' if prioritized else ''})"
    )
    for name, values in recorder.timings.items():
        print(
            f"  {name:<18} median {statistics.median(values):6.2f} ms   p95 {percentile(values, 0.95):6.2f} ms   "
            f"({len(values)} requests)"
        )
    median = statistics.median(every)
    target = f"   target < 10 ms: {'met' if median < 10 else 'NOT met'}" if engine_name == "sqlite" else ""
    print(
        f"  {'all transitions':<18} median {median:6.2f} ms   p95 {percentile(every, 0.95):6.2f} ms   ({len(every)} "
        f"requests){target}"
    )
    print(f"  server CPU time per transition request: {cpu * 1000 / len(every):.2f} ms")


if __name__ == "__main__":
    common.run_per_engine(__file__, common.engines_from_args(__doc__ or ""), main)

"""Benchmark: sign-in latency through one uvicorn process, under the sign-in limiter.

Sequential sign-ins on one connection: the median and 95th percentile of successful sign-ins
(the right password: the count is taken, the hash verified, the count reset, a session row
written) and of refused ones (a wrong password for another account). Most of the time is the
password hash (argon2), which the limiter must not add much to. BENCH_PRIORITY=1 (as root)
runs the server and the client ahead of other work on the machine.

    [BENCH_PRIORITY=1] .venv/bin/python tests/bench/bench_sign_in.py [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import common

EMAIL = "bench-sign-in@example.com"
OTHER = "bench-sign-in-other@example.com"
ROUNDS = 120
WARMUP = 10
PRIORITY = -10


def raise_priority(pid: int) -> None:
    for process in (pid, os.getpid()):
        for task in Path(f"/proc/{process}/task").iterdir():
            os.setpriority(os.PRIO_PROCESS, int(task.name), PRIORITY)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def main(engine_name: str) -> None:
    import httpx

    prioritized = os.environ.get("BENCH_PRIORITY") == "1"
    env_extra = {"LOGIN_ATTEMPTS_PER_WINDOW": "100000", "LOGIN_ADDRESS_ATTEMPTS_PER_WINDOW": "100000"}
    with common.bench_database(engine_name) as env:
        await common.migrate()
        await common.create_user(EMAIL)
        await common.create_user(OTHER)
        with common.server_process({**env, **env_extra}) as base:
            if prioritized:
                raise_priority(common._SERVER_PIDS[base])
            timings: dict[str, list[float]] = {"signed in": [], "refused": []}
            with httpx.Client(base_url=base, timeout=30) as client:
                for index in range(WARMUP + ROUNDS):
                    for label, body, status in (
                        ("signed in", {"email": EMAIL, "password": common.PASSWORD}, 200),
                        ("refused", {"email": OTHER, "password": "not the password"}, 401),
                    ):
                        started = time.perf_counter()
                        response = client.post("/api/auth/sign-in", json=body)
                        elapsed = (time.perf_counter() - started) * 1000
                        if response.status_code != status:
                            raise SystemExit(f"sign-in answered {response.status_code}: {response.text[:200]}")
                        client.cookies.clear()
                        if index >= WARMUP:
                            timings[label].append(elapsed)
    print(
        f"Sign-in over HTTP on {engine_name} (one uvicorn process; load {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores{f', nice {PRIORITY}' if prioritized else ''})"
    )
    for label, values in timings.items():
        print(
            f"  {label:<10} p50 {statistics.median(values):7.2f} ms   p95 {percentile(values, 0.95):7.2f} ms   "
            f"({len(values)} requests)"
        )


if __name__ == "__main__":
    common.run_per_engine(__file__, common.engines_from_args(__doc__ or ""), main)

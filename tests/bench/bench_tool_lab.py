"""Benchmark: the tool lab's run of `sort` on 10,000 records (`POST /api/tools/sort/run`,
the records sent as a literal), against a real server process.

Prints, per engine, the median and 90th percentile of the server's time for the run (its
`duration_ms`: resolving the parameters, converting them to the tool's Struct, sorting,
checking the outputs' size) and of the whole request seen by the client (decoding the
400 KB body and encoding the answer included). Target: server time under 200 ms.

    .venv/bin/python tests/bench/bench_tool_lab.py [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import common

RECORDS = 10_000
RUNS = 30
EMAIL = "bench-lab@example.com"


def _p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9) - 1]


async def main(engine_name: str) -> None:
    import httpx

    with common.bench_database(engine_name) as env:
        await common.migrate()
        await common.create_user(EMAIL)
        from server.database import engine

        await engine().close_connection_pool()
        rng = random.Random(7)
        items = [{"name": f"r{i}", "score": rng.random(), "group": rng.randrange(50)} for i in range(RECORDS)]
        body = {
            "parameters": {
                "items": {"type": "literal", "value": items},
                "keys": {"type": "literal", "value": [{"path": "group"}, {"path": "score", "descending": True}]},
            }
        }
        with common.server_process(env) as base, httpx.Client(base_url=base, timeout=60) as client:
            signed = client.post("/api/auth/sign-in", json={"email": EMAIL, "password": common.PASSWORD})
            signed.raise_for_status()
            client.headers["x-csrf-token"] = signed.json()["csrf_token"]
            server_ms: list[float] = []
            request_ms: list[float] = []
            for run in range(RUNS + 3):
                started = time.perf_counter()
                response = client.post("/api/tools/sort/run", json=body)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
                result = response.json()
                assert len(result["outputs"]["items"]) == RECORDS
                if run >= 3:  # the first runs warm the process
                    server_ms.append(result["duration_ms"])
                    request_ms.append(elapsed)
    print(
        f"{engine_name}: sort of {RECORDS} records in the tool lab, {RUNS} runs: "
        f"server time median {statistics.median(server_ms):.1f} ms, p90 {_p90(server_ms):.1f} ms; "
        f"whole request median {statistics.median(request_ms):.1f} ms, p90 {_p90(request_ms):.1f} ms "
        f"(target: server time under 200 ms)"
    )


if __name__ == "__main__":
    common.run_per_engine(__file__, common.engines_from_args(__doc__ or ""), main)

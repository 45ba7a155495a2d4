"""Benchmark: GET /api/missions/{id} of a mission with 10 hops x 4 tool steps and 50 assets.

Prints, per engine: the SQL statements one request runs (for that mission and for a
one-hop mission: they must be equal), the response size, the median latency of sequential
requests on one connection, the requests/s of wrk with 32 connections against one uvicorn
process, and the server's CPU time per request (all its threads; the figure that machine
load changes least). Each is measured without compression and, in brackets, with
`Accept-Encoding: gzip` as a browser sends it (the app gzips bodies of 4 KiB and more).
Targets: median <= 7 ms and >= 150 requests/s.

    .venv/bin/python tests/bench/bench_mission_read.py [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import common

EMAIL = "bench-reader@example.com"
OTHER_EMAIL = "bench-other@example.com"


async def main(engine_name: str) -> None:
    with common.bench_database(engine_name) as env:
        await common.migrate()
        user_id = await common.create_user(EMAIL)
        other_id = await common.create_user(OTHER_EMAIL)
        big = await common.build_mission(user_id)
        small = await common.build_mission(user_id, hops=1, steps_per_hop=1, assets=2, name="Small mission")
        for _ in range(5):  # someone else's data in the same tables, as in production
            await common.build_mission(other_id)
        big_queries, size = await common.count_request_queries(f"/api/missions/{big.id}", EMAIL)
        small_queries, _ = await common.count_request_queries(f"/api/missions/{small.id}", EMAIL)
        with common.server_process(env) as base:
            cookie = common.sign_in(base, EMAIL)
            url = f"{base}/api/missions/{big.id}"
            median = common.median_ms(url, cookie)
            median_gzip = common.median_ms(url, cookie, accept_encoding="gzip")
            plain = common.wrk(url, cookie)
            gzip = common.wrk(url, cookie, accept_encoding="gzip")
    print(f"GET /api/missions/{{id}} on {engine_name}: 10 hops x 4 steps, 50 assets, {size / 1000:.1f} kB of JSON")
    print(f"  SQL statements per request:  {big_queries} (one-hop mission: {small_queries}; auth look-up included)")
    print(f"  median, one connection:      {median:.2f} ms  (gzip: {median_gzip:.2f} ms)   target <= 7 ms")
    print(
        f"  requests/s, wrk -c32 -t2:    {plain.requests_per_second:.0f}  (gzip: {gzip.requests_per_second:.0f})   "
        "target >= 150"
    )
    print(f"  server CPU per request:      {plain.server_cpu_ms:.2f} ms  (gzip: {gzip.server_cpu_ms:.2f} ms)")
    if big_queries != small_queries:
        raise SystemExit("the number of queries depends on the size of the mission")


if __name__ == "__main__":
    common.run_per_engine(__file__, common.engines_from_args(__doc__ or ""), main)

"""Benchmark: GET /api/missions, page 1 of a user's 10,000 missions (newest first, 50 a page).

Prints, per engine: the SQL statements of one request, the median latency of sequential
requests on one connection for page 1, page 1 filtered by status and a page deep in the
list, and checks that walking pages gives every mission once, in a stable order.
Target: page 1 under 20 ms median.

    .venv/bin/python tests/bench/bench_list.py [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import common

EMAIL = "bench-lister@example.com"
MISSIONS = 10_000
OTHER_MISSIONS = 2_000
BATCH = 500


async def insert_missions(user_id: uuid.UUID, count: int) -> None:
    """`count` missions inserted through the Mission table; every tenth pair shares a
    timestamp, so the order must break ties by id."""
    from server.database import now, to_json, write_transaction
    from server.enums import MissionStatus
    from server.missions.tables import Mission

    start = now() - timedelta(days=30)
    statuses = list(MissionStatus)
    for first in range(0, count, BATCH):
        rows = []
        for index in range(first, min(first + BATCH, count)):
            created = start + timedelta(seconds=index - (index % 10 == 1))
            rows.append(
                Mission(
                    id=uuid.uuid4(),
                    user_id=user_id,
                    name=f"Mission {index}",
                    description="Find and summarize sources.",
                    goal="A summary",
                    success_criteria=to_json(["sources cited"]),
                    status=statuses[index % len(statuses)],
                    current_hop_id=None,
                    mission_metadata=to_json({"n": index}),
                    created_at=created,
                    updated_at=created,
                )  # fmt: skip
            )
        async with write_transaction():
            await Mission.insert(*rows).run()


def walk_pages(base: str, cookie: str, limit: int = 200) -> list[str]:
    import httpx

    ids: list[str] = []
    with httpx.Client(headers={"cookie": cookie}, timeout=30) as client:
        while True:
            page = client.get(f"{base}/api/missions", params={"limit": limit, "offset": len(ids)}).json()
            ids += [item["id"] for item in page["items"]]
            if len(page["items"]) < limit:
                return ids


async def main(engine_name: str) -> None:
    with common.bench_database(engine_name) as env:
        await common.migrate()
        user_id = await common.create_user(EMAIL)
        await insert_missions(await common.create_user("bench-someone-else@example.com"), OTHER_MISSIONS)
        await insert_missions(user_id, MISSIONS)
        queries, size = await common.count_request_queries("/api/missions", EMAIL)
        with common.server_process(env) as base:
            cookie = common.sign_in(base, EMAIL)
            first = common.median_ms(f"{base}/api/missions", cookie)
            by_status = common.median_ms(f"{base}/api/missions?status=completed", cookie)
            deep = common.median_ms(f"{base}/api/missions?offset={MISSIONS - 100}", cookie, requests=100)
            ids = walk_pages(base, cookie)
    print(
        f"GET /api/missions on {engine_name}: {MISSIONS:,} missions of the user ({OTHER_MISSIONS:,} of another), 50 "
        "a page"
    )
    print(f"  SQL statements per request:  {queries} (auth look-up included); page 1 is {size / 1000:.1f} kB")
    print(f"  median, page 1:              {first:.2f} ms   target < 20 ms")
    print(f"  median, page 1 by status:    {by_status:.2f} ms")
    print(f"  median, offset {MISSIONS - 100:,}:        {deep:.2f} ms")
    if len(ids) != MISSIONS or len(set(ids)) != MISSIONS:
        raise SystemExit(f"walking the pages gave {len(ids)} items, {len(set(ids))} distinct: the order is not stable")
    print(f"  walking all pages:           {len(ids):,} missions, each once")


if __name__ == "__main__":
    common.run_per_engine(__file__, common.engines_from_args(__doc__ or ""), main)

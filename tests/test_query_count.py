"""Reading a mission costs a fixed number of SQL statements, whatever its numbers of hops,
tool steps and assets (no statement per hop or per step)."""

from __future__ import annotations

from uuid import UUID

from server.database import engine
from tests.bench.common import QueryCounter, build_mission

# The auth look-up and the mission document; a ceiling, so a per-row query cannot hide in it.
MAX_STATEMENTS = 3


async def _statements(client, path: str) -> tuple[int, dict]:
    with QueryCounter(engine()) as counter:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return counter.count, response.json()


async def test_reading_a_mission_costs_the_same_statements_whatever_its_size(user):
    user_id = UUID(user.user["id"])
    small = await build_mission(user_id, hops=1, steps_per_hop=1, assets=2, name="small")
    large = await build_mission(user_id, hops=10, steps_per_hop=4, assets=50, name="large")

    small_count, small_body = await _statements(user, f"/api/missions/{small.id}")
    large_count, large_body = await _statements(user, f"/api/missions/{large.id}")

    assert len(small_body["hops"]) == 1 and len(large_body["hops"]) == 10
    assert sum(len(hop["tool_steps"]) for hop in large_body["hops"]) == 40
    assert len(large_body["mission_asset_map"]) == 40
    assert all(len(hop["hop_asset_map"]) == 5 for hop in large_body["hops"])
    assert small_count == large_count <= MAX_STATEMENTS


async def test_reading_hops_costs_the_same_statements_whatever_the_mission_size(user):
    user_id = UUID(user.user["id"])
    small = await build_mission(user_id, hops=1, steps_per_hop=1, assets=2, name="small")
    large = await build_mission(user_id, hops=10, steps_per_hop=4, assets=50, name="large")

    counts = set()
    for mission in (small, large):
        count, body = await _statements(user, f"/api/missions/{mission.id}/hops")
        assert body["total"] == len(mission.hop_ids)
        counts.add(count)
        count, body = await _statements(user, f"/api/hops/{mission.hop_ids[-1]}")
        assert body["id"] == str(mission.hop_ids[-1])
        counts.add(count)
    assert len(counts) == 1 and counts.pop() <= MAX_STATEMENTS


async def test_a_page_of_missions_costs_the_same_statements_whatever_the_page_size(user):
    user_id = UUID(user.user["id"])
    for index in range(12):
        await build_mission(user_id, hops=1, steps_per_hop=1, assets=2, name=f"mission {index}")

    one, body = await _statements(user, "/api/missions?limit=1")
    assert len(body["items"]) == 1 and body["total"] == 12
    many, body = await _statements(user, "/api/missions?limit=10&status=in_progress")
    assert len(body["items"]) == 10 and body["total"] == 12
    assert one == many <= MAX_STATEMENTS


async def test_the_counter_sees_every_statement(user):
    """The counter is what the other tests rely on: a request with more statements counts more."""
    user_id = UUID(user.user["id"])
    mission = await build_mission(user_id, hops=1, steps_per_hop=1, assets=2)
    read, _ = await _statements(user, f"/api/missions/{mission.id}")
    with QueryCounter(engine()) as counter:
        response = await user.patch(f"/api/missions/{mission.id}", json={"name": "renamed"})
    assert response.status_code == 200, response.text
    assert counter.count > read

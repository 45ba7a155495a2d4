"""The demo command's data: a demo account whose mission runs end to end over HTTP."""

from __future__ import annotations

import uuid

from server.workflow.demo import ARTICLES, create_demo
from tests.client import ApiClient
from tests.workflow.flow import ok
from tests.workflow.test_execution import wait_for_hop


async def test_the_demo_mission_is_ready_to_execute_and_runs_to_completion(app):
    email = f"demo-{uuid.uuid4().hex[:8]}@example.com"
    made = await create_demo(email=email, password="demo-password-1")
    assert (made.mission_status, made.hop_status) == ("in_progress", "hop_impl_ready")
    again = await create_demo(email=email, password="ignored")
    assert again.user_id == made.user_id and again.password is None and again.mission_id != made.mission_id

    async with ApiClient(app) as client:
        signed_in = ok(await client.post("/api/auth/sign-in", json={"email": email, "password": "demo-password-1"}))
        client.csrf_token = signed_in["csrf_token"]
        hop = ok(await client.get(f"/api/hops/{made.hop_id}"))
        assert {step["status"] for step in hop["tool_steps"]} == {"ready_to_execute"}
        ok(await client.post(f"/api/hops/{made.hop_id}/execute"))
        done = await wait_for_hop(client, str(made.hop_id))
        assert done["status"] == "completed", done["error_message"]
        mission = ok(await client.get(f"/api/missions/{made.mission_id}"))
        assert mission["status"] == "completed"
        reading_list = ok(await client.get(f"/api/assets/{done['asset_summary']['outputs'][0]}"))
    science = sorted((a for a in ARTICLES if a["section"] == "science"), key=lambda a: a["published"], reverse=True)
    assert reading_list["content"] == [
        {"title": a["title"], "words": a["words"], "published": a["published"]} for a in science
    ]
    words = done["tool_steps"][3]["execution_result"]["outputs"]["groups"]
    assert {g["key"]: g["values"]["words"] for g in words}["science"] == sum(a["words"] for a in science)


async def test_the_demo_can_run_its_mission_itself(app):
    made = await create_demo(email=f"demo-{uuid.uuid4().hex[:8]}@example.com", run=True)
    assert (made.mission_status, made.hop_status) == ("completed", "completed")

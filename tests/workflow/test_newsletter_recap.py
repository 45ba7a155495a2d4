"""The daily newsletter recap template end to end over HTTP: its mission, plan and chain pass
the chain check, its steps are configured through the step resources (the mailbox of a real
IMAP server, Dovecot), the server's model is the local model server, and the hop runs to a
Markdown recap. Also the demo command's second mission."""

from __future__ import annotations

import uuid

import msgspec

from server.workflow.demo import DEMO_SENDERS, create_demo
from server.workflow.templates import recap_chain, recap_mission, recap_plan
from tests.assistant.model_server import ModelServer, Whole
from tests.client import ApiClient
from tests.workflow.flow import ok
from tests.workflow.test_execution import wait_for_hop

SENDERS = ["editor@tides.example.org", "news@harbour.example.net"]


def summarized_by_sender(body) -> Whole:
    text = body["messages"][1]["content"]
    return Whole("Tides: spring tides peak." if "tide" in text.lower() else "Harbour: the budget passed.")


async def recap_hop_ready(user) -> tuple[dict, dict]:
    """The template's mission and hop, proposed and accepted over HTTP, the chain checked."""
    session = ok(await user.post("/api/sessions", json={"name": "newsletters"}), 201)
    proposal = msgspec.to_builtins(recap_mission(SENDERS))
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=proposal), 201)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    senders_id = mission["asset_summary"]["inputs"][0]
    recap_id = mission["asset_summary"]["outputs"][0]
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)
    hop = ok(
        await user.post(
            f"/api/hops/{hop['id']}/plan",
            json=msgspec.to_builtins(recap_plan(uuid.UUID(senders_id), uuid.UUID(recap_id))),
        )
    )
    assert hop["asset_summary"]["outputs"] == [recap_id]
    ok(await user.post(f"/api/hops/{hop['id']}/plan/accept"))
    ok(await user.post(f"/api/hops/{hop['id']}/implementation/start"))
    chain = msgspec.to_builtins(recap_chain(senders_id=uuid.UUID(senders_id), recap_id=uuid.UUID(recap_id)))
    checked = ok(await user.post(f"/api/hops/{hop['id']}/validate-chain", json=chain))
    assert checked["errors"] == [], checked
    ok(await user.post(f"/api/hops/{hop['id']}/implementation", json=chain))
    hop = ok(await user.post(f"/api/hops/{hop['id']}/implementation/accept"))
    return mission, hop


async def test_the_recap_runs_end_to_end_against_dovecot_and_the_model_server(user, dovecot, settings_env):
    model = ModelServer(responder=summarized_by_sender).start()
    # The server's model writes the summaries (the tools' model mode, `LLM_FOR_TOOLS`).
    settings_env(LLM_BASE_URL=model.base_url, LLM_MODEL="recap-model", LLM_API_KEY="sk-recap", LLM_FOR_TOOLS="1")
    try:
        mission, hop = await recap_hop_ready(user)
        search, group, summarize, recap = hop["tool_steps"]
        assert [s["tool_id"] for s in hop["tool_steps"]] == [
            "email_search",
            "group_by",
            "summarize_groups",
            "newsletter_recap",
        ]
        assert search["status"] == "awaiting_configuration"
        assert {s["status"] for s in (group, summarize, recap)} == {"ready_to_execute"}
        configured = ok(
            await user.post(
                f"/api/tool-steps/{search['id']}/configure", json={"resource_configs": {"mailbox": dovecot.resource()}}
            )
        )
        assert configured["status"] == "ready_to_execute"
        assert "password" not in str(configured.get("resource_configs")) or dovecot.resource()["password"] not in str(
            configured
        )

        ok(await user.post(f"/api/hops/{hop['id']}/execute"))
        done = await wait_for_hop(user, hop["id"])
        assert done["status"] == "completed", done["error_message"]
        recap_asset = ok(await user.get(f"/api/assets/{done['asset_summary']['outputs'][0]}"))
    finally:
        model.stop()
    assert recap_asset["schema_definition"]["type"] == "daily_newsletter_recap"
    markdown = recap_asset["content"]
    assert markdown.startswith("# Daily newsletter recap, ")
    assert "5 messages from 2 senders." not in markdown  # the old message is outside the last day
    assert "4 messages from 2 senders." in markdown
    assert "## Tide Weekly\n\nTides: spring tides peak.\n\n- Spring tides this week\n- Neap tides next\n" in markdown
    assert (
        "## Harbour News\n\nHarbour: the budget passed.\n\n- Harbour budget approved\n- Minutes attached\n" in markdown
    )
    assert (
        "- <https://tides.example.org/spring-tides>" in markdown
        and "- <https://harbour.example.net/budget>" in markdown
    )
    assert "Last week" not in markdown and "Ana" not in markdown
    assert len(model.requests) == 2 and {r["model"] for r in model.requests} == {"recap-model"}
    steps = done["tool_steps"]
    assert steps[0]["execution_result"]["outputs"]["matched"] == 4
    assert all(step["execution_result"]["stubbed"] is False for step in steps)


async def test_a_wrong_mailbox_password_fails_the_hop_with_words_for_people(user, dovecot):
    mission, hop = await recap_hop_ready(user)
    search = hop["tool_steps"][0]
    mailbox = dovecot.resource(password="not-the-password-42")
    ok(await user.post(f"/api/tool-steps/{search['id']}/configure", json={"resource_configs": {"mailbox": mailbox}}))
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    done = await wait_for_hop(user, hop["id"])
    assert done["status"] == "failed"
    assert "refused the sign-in of reader" in done["error_message"]
    assert "not-the-password-42" not in str(done)


async def test_the_demo_adds_the_recap_mission_which_runs_with_a_mailbox(app, dovecot):
    email = f"demo-{uuid.uuid4().hex[:8]}@example.com"
    waiting = await create_demo(email=email, password="demo-password-1")
    assert waiting.recap_hop_status == "hop_impl_ready" and waiting.recap_mission_id != waiting.mission_id
    async with ApiClient(app) as client:
        signed_in = ok(await client.post("/api/auth/sign-in", json={"email": email, "password": "demo-password-1"}))
        client.csrf_token = signed_in["csrf_token"]
        hop = ok(await client.get(f"/api/hops/{waiting.recap_hop_id}"))
        assert hop["tool_steps"][0]["status"] == "awaiting_configuration"
        sessions = ok(await client.get("/api/sessions"))
    names = {s["name"] for s in sessions["items"]}
    assert {"Demo: science reading list", "Demo: daily newsletter recap"} <= names
    ran = await create_demo(email=email, run=True, mailbox=dovecot.resource())
    assert (ran.mission_status, ran.recap_hop_status) == ("completed", "completed")
    assert DEMO_SENDERS == SENDERS

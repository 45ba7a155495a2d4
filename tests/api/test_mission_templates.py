"""Mission templates over the API (docs/tools.md, "Mission templates"): the list with the
parameters a person gives, the recap made from its template through the transitions (with a
saved mailbox connection, run against a real IMAP server, Dovecot), bad input naming the
field with nothing written, isolation, and the refusal while a mission is in progress."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

from server.missions.tables import Mission
from tests.workflow.flow import ok
from tests.workflow.test_execution import wait_for_hop

SENDERS = ["editor@tides.example.org", "news@harbour.example.net"]
RECAP = "daily_newsletter_recap"


async def new_session(client) -> dict:
    return ok(await client.post("/api/sessions", json={"name": "newsletters"}), 201)


def start_url(session: dict, template_id: str = RECAP) -> str:
    return f"/api/sessions/{session['id']}/mission-templates/{template_id}"


async def mailbox_connection(client, dovecot) -> dict:
    body = {"name": "My mailbox", "resource_type": "imap", "values": dovecot.resource()}
    return ok(await client.post("/api/connections", json=body), 201)


async def missions_of(client) -> int:
    return await Mission.count().where(Mission.user_id == UUID(client.user["id"])).run()


async def test_the_templates_are_listed_with_their_parameters(user, anon):
    listed = ok(await user.get("/api/mission-templates"))
    (recap,) = [t for t in listed["items"] if t["id"] == RECAP]
    assert recap["name"] == "Daily newsletter recap"
    parameters = {p["name"]: p for p in recap["parameters"]}
    assert parameters["senders"]["kind"] == "text_list" and parameters["senders"]["required"] is True
    assert parameters["hours"]["default"] == 24
    assert parameters["mailbox_connection_id"]["resource_type"] == "imap"
    assert (await anon.get("/api/mission-templates")).status_code == 401


async def test_the_recap_from_its_template_with_a_connection_runs_to_its_markdown(user, dovecot):
    connection = await mailbox_connection(user, dovecot)
    session = await new_session(user)
    body = {"senders": [*SENDERS, " editor@tides.example.org "], "mailbox_connection_id": connection["id"]}
    made = ok(await user.post(start_url(session), json=body), 201)
    mission, hop = made["mission"], made["hop"]
    assert mission["status"] == "in_progress"
    assert ok(await user.get(f"/api/sessions/{session['id']}"))["mission_id"] == mission["id"]
    assert hop["status"] == "hop_impl_ready" and hop["is_final"] is True
    steps = hop["tool_steps"]
    assert [s["tool_id"] for s in steps] == ["email_search", "group_by", "summarize_groups", "newsletter_recap"]
    assert {s["status"] for s in steps} == {"ready_to_execute"}
    assert steps[0]["resource_configs"]["mailbox"]["connection_id"] == connection["id"]
    assert steps[0]["parameter_mapping"]["newer_than_hours"]["value"] == 24
    senders = ok(await user.get(f"/api/assets/{mission['asset_summary']['inputs'][0]}"))
    assert senders["content"] == SENDERS  # trimmed, each once
    assert dovecot.resource()["password"] not in str(made)

    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    done = await wait_for_hop(user, hop["id"])
    assert done["status"] == "completed", done["error_message"]
    recap = ok(await user.get(f"/api/assets/{mission['asset_summary']['outputs'][0]}"))
    assert recap["content"].startswith("# Daily newsletter recap, ")
    assert "4 messages from 2 senders." in recap["content"]
    assert "## Tide Weekly" in recap["content"] and "## Harbour News" in recap["content"]


async def test_without_a_connection_the_search_step_awaits_its_mailbox(user):
    session = await new_session(user)
    made = ok(await user.post(start_url(session), json={"senders": SENDERS[:1], "hours": 6}), 201)
    search = made["hop"]["tool_steps"][0]
    assert search["status"] == "awaiting_configuration"
    assert search["parameter_mapping"]["newer_than_hours"]["value"] == 6
    assert made["hop"]["status"] == "hop_impl_ready"


async def test_bad_input_names_the_field_and_writes_nothing(user, dovecot):
    session = await new_session(user)
    search = ok(
        await user.post(
            "/api/connections",
            json={"name": "Search", "resource_type": "searxng", "values": {"base_url": "http://127.0.0.1:9"}},
        ),
        201,
    )
    before = await missions_of(user)
    cases = [
        ({}, 400, "senders"),
        ({"senders": []}, 400, "senders"),
        ({"senders": ["   "]}, 400, "senders"),
        ({"senders": ["a@b.example"] * 51}, 400, "senders"),
        ({"senders": SENDERS, "hours": 0}, 400, "hours"),
        ({"senders": SENDERS, "hours": 1000}, 400, "hours"),
        ({"senders": SENDERS, "folder": "x"}, 400, "folder"),
        ({"senders": SENDERS, "mailbox_connection_id": "nope"}, 400, "mailbox_connection_id"),
        ({"senders": SENDERS, "mailbox_connection_id": search["id"]}, 400, "mailbox_connection_id"),
    ]
    for body, status, field in cases:
        response = await user.post(start_url(session), json=body)
        assert response.status_code == status, (body, response.text)
        assert field in response.text, (field, response.text)
    unknown = await user.post(start_url(session, "no_such_template"), json={"senders": SENDERS})
    assert unknown.status_code == 404
    assert await missions_of(user) == before


async def test_another_users_session_or_connection_answers_404(user, other_user, dovecot):
    theirs = await mailbox_connection(other_user, dovecot)
    their_session = await new_session(other_user)
    mine = await new_session(user)
    response = await user.post(start_url(their_session), json={"senders": SENDERS})
    assert response.status_code == 404
    response = await user.post(start_url(mine), json={"senders": SENDERS, "mailbox_connection_id": theirs["id"]})
    assert response.status_code == 404
    absent = await user.post(start_url({"id": str(uuid4())}), json={"senders": SENDERS})
    assert absent.status_code == 404
    assert await missions_of(user) == 0 and await missions_of(other_user) == 0


async def test_a_session_with_a_mission_in_progress_refuses_another_even_concurrently(user):
    session = await new_session(user)
    first, second = await asyncio.gather(
        user.post(start_url(session), json={"senders": SENDERS}),
        user.post(start_url(session), json={"senders": SENDERS}),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409], (first.text, second.text)
    again = await user.post(start_url(session), json={"senders": SENDERS})
    assert again.status_code == 409
    assert await missions_of(user) == 1

"""Sessions and their chat: create with its chat, read, rename, archive, the active one,
list pages, and chat messages appended in order (clients post `user` messages only)."""

from __future__ import annotations

import asyncio

import pytest

from tests.builders import at
from tests.client import signed_in_client


@pytest.fixture(scope="module")
async def alice(app):
    async with signed_in_client(app) as client:
        yield client


async def test_create_then_get_round_trip_with_its_empty_chat(alice):
    response = await alice.post(
        "/api/sessions", json={"name": "Plan a trip", "session_metadata": {"tab": 2}, "chat_title": "Trip chat"}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["name"] == "Plan a trip"
    assert created["status"] == "active"
    assert created["session_metadata"] == {"tab": 2}
    assert created["mission_id"] is None and created["mission"] is None
    assert created["chat"]["id"] == created["chat_id"]
    assert created["chat"]["title"] == "Trip chat"
    assert created["chat"]["messages"] == []
    assert created["created_at"] == created["updated_at"] == created["last_activity_at"]
    fetched = await alice.get(f"/api/sessions/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created


async def test_create_with_an_empty_body_uses_the_defaults(alice):
    created = (await alice.post("/api/sessions", json={})).json()
    assert created["name"] is None and created["session_metadata"] == {} and created["chat"]["title"] is None


async def test_rename_and_replace_metadata(alice):
    created = (await alice.post("/api/sessions", json={"name": "old", "session_metadata": {"a": 1}})).json()
    renamed = await alice.patch(f"/api/sessions/{created['id']}", json={"name": "new"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "new"
    assert renamed.json()["session_metadata"] == {"a": 1}
    assert at(renamed.json()["updated_at"]) > at(created["updated_at"])
    cleared = (
        await alice.patch(f"/api/sessions/{created['id']}", json={"name": None, "session_metadata": {"b": [1]}})
    ).json()
    assert cleared["name"] is None and cleared["session_metadata"] == {"b": [1]}
    assert (await alice.get(f"/api/sessions/{created['id']}")).json() == cleared


async def test_status_is_not_writable_through_update(alice):
    created = (await alice.post("/api/sessions", json={})).json()
    response = await alice.patch(f"/api/sessions/{created['id']}", json={"status": "archived"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body.status"


async def test_archive_once_then_conflict(alice):
    created = (await alice.post("/api/sessions", json={"name": "to archive"})).json()
    archived = await alice.post(f"/api/sessions/{created['id']}/archive")
    assert archived.status_code == 200
    assert archived.json()["status"] == "archived"
    again = await alice.post(f"/api/sessions/{created['id']}/archive")
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "status_conflict" and body["current_status"] == "archived"
    assert "archived" not in body["required_status"]


async def test_active_session_is_the_most_recently_active_one(user):
    assert (await user.get("/api/sessions/active")).status_code == 404
    first = (await user.post("/api/sessions", json={"name": "first"})).json()
    second = (await user.post("/api/sessions", json={"name": "second"})).json()
    assert (await user.get("/api/sessions/active")).json()["id"] == second["id"]
    await user.post(f"/api/sessions/{first['id']}/messages", json={"role": "user", "content": "back here"})
    assert (await user.get("/api/sessions/active")).json()["id"] == first["id"]
    await user.post(f"/api/sessions/{first['id']}/archive")
    assert (await user.get("/api/sessions/active")).json()["id"] == second["id"]


async def test_list_pages_are_stable_and_filtered_by_status(user):
    ids = [(await user.post("/api/sessions", json={"name": f"s{i}"})).json()["id"] for i in range(5)]
    await user.post(f"/api/sessions/{ids[0]}/archive")
    seen: list[str] = []
    for offset in (0, 2, 4):
        page = (await user.get("/api/sessions", params={"limit": 2, "offset": offset})).json()
        assert page["total"] == 5
        seen.extend(item["id"] for item in page["items"])
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    full = (await user.get("/api/sessions")).json()["items"]
    assert [item["id"] for item in full] == seen
    keys = [(at(item["last_activity_at"]), item["id"]) for item in full]
    assert keys == sorted(keys, reverse=True)
    archived = (await user.get("/api/sessions", params={"status": "archived"})).json()
    assert [item["id"] for item in archived["items"]] == [ids[0]]
    assert "chat" not in full[0]


async def test_messages_get_sequence_order_0_1_2_and_list_in_order(alice):
    session = (await alice.post("/api/sessions", json={})).json()
    url = f"/api/sessions/{session['id']}/messages"
    sent = []
    for content in ("hello", "hi", "thinking"):
        response = await alice.post(
            url, json={"role": "user", "content": content, "message_metadata": {"n": len(sent)}}
        )
        assert response.status_code == 201, response.text
        sent.append(response.json())
    assert [m["sequence_order"] for m in sent] == [0, 1, 2]
    assert all(m["chat_id"] == session["chat_id"] for m in sent)
    listed = (await alice.get(url)).json()
    assert listed["items"] == sent and listed["total"] == 3
    page = (await alice.get(url, params={"limit": 2, "offset": 2})).json()
    assert page["items"] == sent[2:]
    embedded = (await alice.get(f"/api/sessions/{session['id']}")).json()["chat"]
    assert embedded["messages"] == sent and embedded["message_count"] == 3


async def test_a_long_chat_embeds_its_newest_100_messages_and_pages_the_earlier_ones(alice):
    session = (await alice.post("/api/sessions", json={})).json()
    url = f"/api/sessions/{session['id']}/messages"
    for i in range(130):
        assert (await alice.post(url, json={"role": "user", "content": f"m{i}"})).status_code == 201
    chat = (await alice.get(f"/api/sessions/{session['id']}")).json()["chat"]
    assert chat["message_count"] == 130
    assert [m["content"] for m in chat["messages"]] == [f"m{i}" for i in range(30, 130)]
    earlier = (await alice.get(url, params={"offset": 0, "limit": 30})).json()
    assert [m["content"] for m in earlier["items"]] == [f"m{i}" for i in range(30)] and earlier["total"] == 130
    renamed = (await alice.patch(f"/api/sessions/{session['id']}", json={"name": "long"})).json()
    assert renamed["chat"]["message_count"] == 130 and len(renamed["chat"]["messages"]) == 100
    assert (await alice.post("/api/sessions", json={})).json()["chat"]["message_count"] == 0


@pytest.mark.parametrize("role", ["assistant", "system", "tool", "status"])
async def test_clients_post_only_user_messages_the_others_are_refused_naming_the_field(alice, role):
    session = (await alice.post("/api/sessions", json={})).json()
    url = f"/api/sessions/{session['id']}/messages"
    response = await alice.post(url, json={"role": role, "content": "pretending"})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "validation_error" and body["errors"][0]["field"] == "body.role"
    assert "only `user` messages" in body["message"]
    assert (await alice.get(url)).json()["items"] == []


async def test_concurrent_appends_get_distinct_consecutive_sequence_orders(alice):
    session = (await alice.post("/api/sessions", json={})).json()
    url = f"/api/sessions/{session['id']}/messages"
    responses = await asyncio.gather(*(alice.post(url, json={"role": "user", "content": f"m{i}"}) for i in range(20)))
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses if r.status_code != 201]
    assert sorted(r.json()["sequence_order"] for r in responses) == list(range(20))
    listed = (await alice.get(url, params={"limit": 50})).json()["items"]
    assert [m["sequence_order"] for m in listed] == list(range(20))
    assert sorted(m["content"] for m in listed) == sorted(f"m{i}" for i in range(20))


async def test_appending_a_message_moves_last_activity(alice):
    session = (await alice.post("/api/sessions", json={})).json()
    await alice.post(f"/api/sessions/{session['id']}/messages", json={"role": "user", "content": "x"})
    after = (await alice.get(f"/api/sessions/{session['id']}")).json()
    assert at(after["last_activity_at"]) > at(session["last_activity_at"])
    assert at(after["chat"]["updated_at"]) > at(session["chat"]["updated_at"])


async def test_concurrent_archives_one_wins_the_others_conflict(alice):
    session = (await alice.post("/api/sessions", json={})).json()
    responses = await asyncio.gather(*(alice.post(f"/api/sessions/{session['id']}/archive") for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [200, 409, 409], [r.text for r in responses]


async def test_a_session_without_a_configured_model_says_so_and_has_no_turn(user):
    session = (await user.post("/api/sessions", json={"name": "plain"})).json()
    state = (await user.get(f"/api/sessions/{session['id']}/assistant")).json()
    assert state == {"configured": False, "model": None, "turn": None}

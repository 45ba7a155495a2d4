"""Bad input is refused with 400 in the one error shape, naming the field, and writes
nothing; no request, however malformed, gets a 500. Missing sign-in is 401, a missing
CSRF header 403 (the sign-in rate limit, 429, is in test_auth)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from litestar.routes import HTTPRoute

from server.app import create_app
from server.database import now
from tests.builders import build_mission, count_rows
from tests.client import ApiClient, signed_in_client

SCHEMA = {"type": "string"}
ASSET = {"name": "a", "schema_definition": SCHEMA, "role": "input"}
MESSAGES = "/api/sessions/{session}/messages"
JSON = {"content-type": "application/json"}

# (case id, method, url, request keywords, the field the error must name)
CASES: list[tuple[str, str, str, dict[str, Any], str]] = [
    # malformed or missing bodies
    ("truncated json", "POST", MESSAGES, {"content": b'{"role": "user",', "headers": JSON}, "body"),
    ("not json", "POST", MESSAGES, {"content": b"role=user", "headers": JSON}, "body"),
    ("empty body", "POST", MESSAGES, {"content": b"", "headers": JSON}, "body"),
    ("array body", "POST", MESSAGES, {"json": [{"role": "user", "content": "x"}]}, "body"),
    ("null body", "PATCH", "/api/missions/{mission}", {"json": None, "content": b"null", "headers": JSON}, "body"),
    (
        "deeply nested",
        "PATCH",
        "/api/sessions/{session}",
        {"content": b'{"session_metadata":' + b"[" * 5000 + b"]" * 5000 + b"}", "headers": JSON},
        "body",
    ),
    # wrong types
    ("content is a number", "POST", MESSAGES, {"json": {"role": "user", "content": 5}}, "body.content"),
    ("metadata is a list", "POST", "/api/sessions", {"json": {"session_metadata": []}}, "body.session_metadata"),
    (
        "criteria is a string",
        "PATCH",
        "/api/missions/{mission}",
        {"json": {"success_criteria": "done"}},
        "body.success_criteria",
    ),
    (
        "criterion is empty",
        "PATCH",
        "/api/hops/{hop}",
        {"json": {"success_criteria": ["ok", ""]}},
        "body.success_criteria[1]",
    ),
    ("name is null", "PATCH", "/api/tool-steps/{step}", {"json": {"name": None}}, "body.name"),
    (
        "schema type is a number",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "schema_definition": {"type": 1}}},
        "body.schema_definition.type",
    ),
    (
        "is_array is a string",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "schema_definition": {"type": "string", "is_array": "yes"}}},
        "body.schema_definition.is_array",
    ),
    # unknown fields
    (
        "unknown field",
        "POST",
        MESSAGES,
        {"json": {"role": "user", "content": "x", "sequence_order": 3}},
        "body.sequence_order",
    ),
    ("user_id is not an input", "POST", "/api/sessions", {"json": {"user_id": str(UUID(int=1))}}, "body.user_id"),
    (
        "unknown nested field",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "schema_definition": {"type": "string", "format": "x"}}},
        "body.schema_definition.format",
    ),
    # missing required fields
    ("missing content", "POST", MESSAGES, {"json": {"role": "user"}}, "body.content"),
    ("missing role", "POST", MESSAGES, {"json": {"content": "x"}}, "body.role"),
    (
        "missing schema",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {"name": "a", "role": "input"}},
        "body.schema_definition",
    ),
    (
        "missing schema type",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "schema_definition": {}}},
        "body.schema_definition.type",
    ),
    ("missing password", "POST", "/api/auth/sign-up", {"json": {"email": "x@example.com"}}, "body.password"),
    # lengths and formats
    ("empty name", "POST", "/api/sessions", {"json": {"name": ""}}, "body.name"),
    ("name too long", "PATCH", "/api/missions/{mission}", {"json": {"name": "n" * 256}}, "body.name"),
    ("content too long", "POST", MESSAGES, {"json": {"role": "user", "content": "c" * 20_001}}, "body.content"),
    (
        "description too long",
        "PATCH",
        "/api/assets/{asset}",
        {"json": {"description": "d" * 2_001}},
        "body.description",
    ),
    (
        "too many criteria",
        "PATCH",
        "/api/missions/{mission}",
        {"json": {"success_criteria": ["c"] * 51}},
        "body.success_criteria",
    ),
    (
        "bad email",
        "POST",
        "/api/auth/sign-up",
        {"json": {"email": "no-at-sign", "password": "long enough password"}},
        "body.email",
    ),
    (
        "short password",
        "POST",
        "/api/auth/sign-up",
        {"json": {"email": "short@example.com", "password": "short"}},
        "body.password",
    ),
    # retired and unknown enum values in bodies
    ("message role proposed", "POST", MESSAGES, {"json": {"role": "proposed", "content": "x"}}, "body.role"),
    (
        "asset role in_progress",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "role": "in_progress"}},
        "body.role",
    ),
    (
        "asset role intermediate",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "role": "intermediate"}},
        "body.role",
    ),
    (
        "value type proposed",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "schema_definition": {"type": "proposed"}}},
        "body.schema_definition.type",
    ),
    (
        "nested value type",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "schema_definition": {"type": "object", "fields": {"a": {"type": "active"}}}}},
        "body.schema_definition.fields",
    ),
    ("asset status in_progress", "PATCH", "/api/assets/{asset}", {"json": {"status": "in_progress"}}, "body.status"),
    (
        "asset status proposed on create",
        "POST",
        "/api/missions/{mission}/assets",
        {"json": {**ASSET, "status": "proposed"}},
        "body.status",
    ),
    ("mission status pending", "PATCH", "/api/missions/{mission}", {"json": {"status": "pending"}}, "body.status"),
    ("mission status complete", "PATCH", "/api/missions/{mission}", {"json": {"status": "complete"}}, "body.status"),
    (
        "tool step ready_to_configure",
        "PATCH",
        "/api/tool-steps/{step}",
        {"json": {"status": "ready_to_configure"}},
        "body.status",
    ),
    ("tool step proposed", "PATCH", "/api/tool-steps/{step}", {"json": {"status": "proposed"}}, "body.status"),
    ("hop status active", "PATCH", "/api/hops/{hop}", {"json": {"status": "active"}}, "body.status"),
    ("session status pending", "PATCH", "/api/sessions/{session}", {"json": {"status": "pending"}}, "body.status"),
    # retired and unknown enum values in query filters
    *[
        (f"mission filter {value}", "GET", "/api/missions", {"params": {"status": value}}, "query.status")
        for value in ("pending", "active", "complete", "ready_to_design", "proposed", "")
    ],
    *[
        (f"asset filter {value}", "GET", "/api/assets", {"params": {"status": value}}, "query.status")
        for value in ("proposed", "in_progress")
    ],
    ("asset role filter", "GET", "/api/assets", {"params": {"role": "proposed"}}, "query.role"),
    ("session filter", "GET", "/api/sessions", {"params": {"status": "in_progress"}}, "query.status"),
    ("id filter not a uuid", "GET", "/api/assets", {"params": {"mission_id": "42"}}, "query.mission_id"),
    # paging
    ("limit zero", "GET", "/api/missions", {"params": {"limit": 0}}, "query.limit"),
    ("limit too big", "GET", "/api/sessions", {"params": {"limit": 201}}, "query.limit"),
    ("limit not a number", "GET", "/api/assets", {"params": {"limit": "ten"}}, "query.limit"),
    ("negative offset", "GET", "/api/missions/{mission}/hops", {"params": {"offset": -1}}, "query.offset"),
    ("huge offset", "GET", MESSAGES, {"params": {"offset": "1" * 40}}, "query.offset"),
]


@pytest.fixture(scope="module")
async def alice(app):
    async with signed_in_client(app) as client:
        yield client


@pytest.fixture(scope="module")
async def ids(alice) -> dict[str, str]:
    tree = await build_mission(alice.user["id"], hops=1, steps_per_hop=1, mission_assets=1)
    session = (await alice.post("/api/sessions", json={"name": "s"})).json()
    connection = (
        await alice.post(
            "/api/connections",
            json={"name": "search", "resource_type": "searxng", "values": {"base_url": "http://127.0.0.1:9"}},
        )
    ).json()
    return {
        "connection": connection["id"],
        "session": session["id"],
        "mission": str(tree.id),
        "hop": str(tree.hop_ids[0]),
        "step": str(tree.step_ids[0]),
        "asset": str(tree.asset_ids[0]),
    }


@pytest.mark.parametrize(
    ("method", "url", "request_kwargs", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    alice, ids, method, url, request_kwargs, field
):
    kwargs = dict(request_kwargs)
    if kwargs.get("content") is not None:
        kwargs.pop("json", None)
    before = await count_rows()
    response = await alice.request(method, url.format(**ids), **kwargs)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400 and body["code"] == "validation_error"
    fields = [error["field"] for error in body["errors"]]
    assert any(f == field or f.startswith(field + "[") or f.startswith(field + ".") for f in fields), fields
    assert all(error["reason"] for error in body["errors"])
    assert field in body["message"] or field == "body"
    assert await count_rows() == before


def unsafe_routes() -> list[tuple[str, str, bool]]:
    """(method, path, takes a body) of every /api route that changes something."""
    found = []
    for route in create_app().routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"GET", "HEAD", "OPTIONS"}):
                found.append((method, route.path, "data" in handler.parsed_fn_signature.parameters))
    return found


def every_route() -> list[tuple[str, str]]:
    """(method, path) of every /api route but the OpenAPI document's."""
    return sorted(
        (method, route.path)
        for route in create_app().routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/api") and not route.path.startswith("/api/schema")
        for handler in route.route_handlers
        if not handler.opt.get("exclude_from_auth")
        for method in handler.http_methods - {"HEAD", "OPTIONS"}
    )


UNSAFE = unsafe_routes()
PUBLIC = {"/api/auth/sign-up", "/api/auth/sign-in"}
GARBAGE = [b"", b"null", b"42", b'"text"', b"[]", b"{", b'{"a": 1}', b"\xff\xfe", b'{"name": "\\u0000"}', b"[" * 3000]


def _fill(path: str, ids: dict[str, str]) -> str:
    for name, kind in (
        ("session_id", "session"),
        ("mission_id", "mission"),
        ("hop_id", "hop"),
        ("step_id", "step"),
        ("asset_id", "asset"),
        ("connection_id", "connection"),
    ):
        path = path.replace(f"{{{name}:uuid}}", ids[kind])
    return path.replace(":uuid}", "}")


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, body in UNSAFE if body], ids=lambda x: x)
async def test_garbage_bodies_never_cause_a_500_nor_a_write(alice, ids, method, path):
    url = _fill(path, ids)
    for garbage in GARBAGE:
        before = await count_rows()
        response = await alice.request(method, url, content=garbage, headers=JSON)
        assert response.status_code < 500, (garbage[:40], response.text)
        assert response.status_code in (400, 404, 409, 422), (garbage[:40], response.text)
        assert response.json()["status"] == response.status_code
        assert await count_rows() == before


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in UNSAFE if p not in PUBLIC], ids=lambda x: x)
async def test_unsafe_routes_need_sign_in_and_the_csrf_header(app, alice, ids, method, path):
    url = _fill(path, ids)
    before = await count_rows()
    async with ApiClient(app) as anonymous:
        response = await anonymous.request(method, url, json={})
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    token, alice.csrf_token = alice.csrf_token, None
    try:
        response = await alice.request(method, url, json={})
    finally:
        alice.csrf_token = token
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert await count_rows() == before


async def test_text_with_a_nul_character_is_refused_not_a_500(alice, ids):
    before = await count_rows()
    for url, payload, field in (
        (MESSAGES.format(**ids), {"role": "user", "content": "a\u0000b"}, "body.content"),
        (f"/api/missions/{ids['mission']}", {"name": "a\u0000b"}, "body.name"),
        (f"/api/sessions/{ids['session']}", {"session_metadata": {"k": "a\u0000b"}}, "body.session_metadata"),
        (f"/api/assets/{ids['asset']}", {"content": ["a\u0000b"]}, "body.content"),
    ):
        method = "POST" if url.endswith("messages") else "PATCH"
        response = await alice.request(method, url, json=payload)
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"].startswith(field)
    assert await count_rows() == before


async def test_database_refusals_from_a_race_are_conflicts_and_a_check_violation_is_not(alice, ids):
    """What the 500 handler turns into 409: real errors of the engine in use."""
    from server.errors import is_write_conflict
    from server.missions.tables import Hop
    from server.sessions.tables import ChatMessage

    hop = await Hop.select(Hop.mission_id, Hop.sequence_order).where(Hop.id == UUID(ids["hop"])).first().run()
    with pytest.raises(Exception) as duplicate:
        await Hop.raw(
            "INSERT INTO hops (id, user_id, mission_id, sequence_order, name, status, is_final, is_resolved, "
            "success_criteria, "
            "hop_metadata, intended_input_asset_ids, intended_output_asset_ids, intended_output_asset_specs, "
            "created_at, updated_at) "
            "VALUES ({}, {}, {}, {}, 'dup', 'hop_plan_started', {}, {}, {}, {}, {}, {}, {}, {}, {})",
            UUID(int=77),
            UUID(alice.user["id"]),
            hop["mission_id"],
            hop["sequence_order"],
            False,
            False,
            "[]",
            "{}",
            "[]",
            "[]",
            "[]",
            now(),
            now(),
        ).run()
    assert is_write_conflict(duplicate.value)
    with pytest.raises(Exception) as orphan:
        await ChatMessage.raw(
            "INSERT INTO chat_messages (id, user_id, chat_id, sequence_order, role, content, message_metadata, "
            "created_at) "
            "VALUES ({}, {}, {}, 0, 'user', 'x', {}, {})",
            UUID(int=78),
            UUID(alice.user["id"]),
            UUID(int=79),
            "{}",
            now(),
        ).run()
    assert is_write_conflict(orphan.value)
    with pytest.raises(Exception) as check:
        await Hop.raw("UPDATE hops SET status = 'active' WHERE id = {}", UUID(ids["hop"])).run()
    assert not is_write_conflict(check.value)


@pytest.mark.parametrize(("method", "path"), [r for r in every_route() if r[1] not in PUBLIC], ids=lambda x: x)
async def test_every_route_needs_sign_in(app, ids, method, path):
    async with ApiClient(app) as anonymous:
        response = await anonymous.request(method, _fill(path, ids), json={} if method != "GET" else None)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/no-such-thing", 404),
        ("GET", "/api/missions/not-an-id", 404),
        ("PUT", "/api/missions/{mission}", 405),
        ("POST", "/api/missions/{mission}/hops", 405),
        ("DELETE", "/api/sessions/{session}", 405),
    ],
)
async def test_unknown_routes_and_methods_answer_in_the_error_shape(alice, ids, method, url, status):
    response = await alice.request(method, url.format(**ids), json={})
    assert response.status_code == status
    assert response.json()["status"] == status

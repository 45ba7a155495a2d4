"""Another user's ids answer 404 on every route that takes one, exactly as a missing id does,
and change nothing.

The routes are enumerated from the app itself, so a route added later is covered without
touching this module: its id parameter must name a known kind of entity (ID_KINDS) and its
body must be buildable (`sample_body`), or the test fails and says what to add.
"""

from __future__ import annotations

import typing
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from litestar.routes import HTTPRoute

from server.app import create_app
from tests.builders import build_mission, count_user_rows
from tests.client import signed_in_client

# Path or query parameter name -> the kind of entity whose id it takes.
ID_KINDS = {
    "session_id": "session",
    "mission_id": "mission",
    "hop_id": "hop",
    "step_id": "tool_step",
    "tool_step_id": "tool_step",
    "asset_id": "asset",
    "mission_asset_id": "asset",
    "chat_id": "chat",
    "connection_id": "connection",
}

# Bodies that the generic builder below cannot guess (patterns, cross-field rules).
SAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "SignUp": {"email": "someone@example.com", "password": "long enough password"},
    "SignIn": {"email": "someone@example.com", "password": "x"},
    "AssetCreate": {"name": "a", "schema_definition": {"type": "string"}, "role": "input"},
    "ChatMessageCreate": {"role": "user", "content": "hello"},
    "MissionProposal": {"name": "m", "success_criteria": [], "assets": []},
    "HopPlanProposal": {
        "name": "h",
        "output": {
            "type": "new_asset",
            "asset": {"name": "o", "schema_definition": {"type": "string"}, "role": "output"},
        },
    },
    "HopImplementationProposal": {"steps": [{"tool_id": "summarize_text", "name": "s"}]},
}


def sample_value(annotation: Any, ids: dict[str, UUID]) -> Any:
    """A valid value for a type, built from msgspec's view of it."""
    info = msgspec.inspect.type_info(annotation)
    return _sample(info, ids, name="")


def _sample(info: msgspec.inspect.Type, ids: dict[str, UUID], name: str) -> Any:
    inspect = msgspec.inspect
    if isinstance(info, inspect.StructType):
        if info.cls.__name__ in SAMPLE_BODIES:
            return SAMPLE_BODIES[info.cls.__name__]
        body = {f.encode_name: _sample(f.type, ids, f.name) for f in info.fields if f.required}
        if info.tag_field is not None:
            body[info.tag_field] = info.tag
        return body
    if isinstance(info, inspect.UnionType):
        return _sample(next(t for t in info.types if not isinstance(t, inspect.NoneType)), ids, name)
    if isinstance(info, inspect.EnumType):
        return next(iter(info.cls)).value
    if isinstance(info, inspect.UUIDType):
        kind = ID_KINDS.get(name)
        return str(ids[kind]) if kind else str(uuid4())
    if isinstance(info, inspect.StrType):
        return "x" * max(info.min_length or 1, 1)
    if isinstance(info, (inspect.IntType, inspect.FloatType)):
        return info.ge or info.gt or 0
    if isinstance(info, inspect.BoolType):
        return False
    if isinstance(info, (inspect.ListType, inspect.SetType, inspect.TupleType, inspect.VarTupleType)):
        return [_sample(info.item_type, ids, name) for _ in range(info.min_length or 0)]
    if isinstance(info, inspect.DictType):
        return {}
    return None


def id_routes() -> list[tuple[str, str, Any, list[str], list[str]]]:
    """(method, path template, body type or None, UUID path params, UUID query params) of
    every /api handler that takes an entity id."""
    app = create_app()
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        path_ids = [name for name, p in route.path_parameters.items() if p.type is UUID]
        for handler in route.route_handlers:
            methods = sorted(handler.http_methods - {"OPTIONS", "HEAD"})
            if not methods:
                continue
            params = handler.parsed_fn_signature.parameters
            query_ids = [
                name
                for name, p in params.items()
                if name not in path_ids
                and name not in ("data", "user_id")
                and UUID in (typing.get_args(p.annotation) or (p.annotation,))
            ]
            if not path_ids and not query_ids:
                continue
            body = params["data"].annotation if "data" in params else None
            for method in methods:
                found.append((method, route.path, body, path_ids, query_ids))
    return found


ROUTES = id_routes()


def test_the_route_enumeration_sees_the_known_id_routes():
    seen = {(method, path) for method, path, *_ in ROUTES}
    for expected in (
        ("GET", "/api/missions/{mission_id:uuid}"),
        ("DELETE", "/api/hops/{hop_id:uuid}"),
        ("PATCH", "/api/tool-steps/{step_id:uuid}"),
        ("POST", "/api/sessions/{session_id:uuid}/messages"),
        ("POST", "/api/missions/{mission_id:uuid}/assets"),
        ("GET", "/api/assets"),
    ):
        assert expected in seen
    assert len(seen) >= 20


@pytest.mark.parametrize("name", sorted({n for _, _, _, p, q in ROUTES for n in p + q}))
def test_every_id_parameter_names_a_known_kind(name):
    assert name in ID_KINDS, f"add `{name}` to ID_KINDS so its routes are checked for isolation"


@pytest.fixture(scope="module")
async def owner(app):
    async with signed_in_client(app) as client:
        yield client


@pytest.fixture(scope="module")
async def intruder(app):
    async with signed_in_client(app) as client:
        yield client


@pytest.fixture(scope="module")
async def owned(owner) -> dict[str, UUID]:
    """One entity of every kind, owned by `owner`."""
    tree = await build_mission(owner.user["id"], hops=1, steps_per_hop=1, mission_assets=1)
    session = (await owner.post("/api/sessions", json={"name": "mine"})).json()
    await owner.post(f"/api/sessions/{session['id']}/messages", json={"role": "user", "content": "private"})
    connection = await owner.post(
        "/api/connections",
        json={
            "name": "private search",
            "resource_type": "searxng",
            "values": {"base_url": "http://127.0.0.1:9", "api_key": "owner-only-key"},
        },
    )
    assert connection.status_code == 201, connection.text
    return {
        "connection": UUID(connection.json()["id"]),
        "session": UUID(session["id"]),
        "chat": UUID(session["chat_id"]),
        "mission": tree.id,
        "hop": tree.hop_ids[0],
        "tool_step": tree.step_ids[0],
        "asset": tree.asset_ids[0],
    }


def _url(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace(f"{{{name}:uuid}}", value)
    return path


# Deletions last, so every other route still finds the owner's entities in place.
@pytest.mark.parametrize(
    ("method", "path", "body_type", "path_ids", "query_ids"),
    sorted(ROUTES, key=lambda r: (r[0] == "DELETE", r[1], r[0])),
    ids=lambda x: x if isinstance(x, str) else "",
)
async def test_another_users_id_answers_404_and_changes_nothing(
    owner, intruder, owned, method, path, body_type, path_ids, query_ids
):
    for name in path_ids + query_ids:
        assert name in ID_KINDS, f"add `{name}` to ID_KINDS"
    body = sample_value(body_type, owned) if body_type is not None else None
    theirs = {name: str(owned[ID_KINDS[name]]) for name in path_ids}
    missing = {name: str(uuid4()) for name in path_ids}
    query = {name: str(owned[ID_KINDS[name]]) for name in query_ids}
    before = await count_user_rows(owner.user["id"]), await count_user_rows(intruder.user["id"])

    response = await intruder.request(method, _url(path, theirs), params=query, json=body)
    after = await count_user_rows(owner.user["id"]), await count_user_rows(intruder.user["id"])
    assert after == before, f"{method} {path} by another user changed rows"
    if path_ids:
        assert response.status_code == 404, f"{method} {path}: {response.status_code} {response.text}"
        assert response.json()["code"] == "not_found"
        # indistinguishable from an id that does not exist
        absent = await intruder.request(method, _url(path, missing), params=query, json=body)
        assert absent.status_code == 404
        text = response.text
        for name in path_ids:
            text = text.replace(theirs[name], missing[name])
        assert text == absent.text
    else:
        # a list filtered by another user's id: nothing of theirs shows
        assert response.status_code in (200, 404), response.text
        if response.status_code == 200:
            assert response.json()["total"] == 0 and response.json()["items"] == []
    if method == "GET":
        own = await owner.get(_url(path, theirs), params=query)
        assert own.status_code == 200, f"the owner cannot read {path}: {own.text}"


async def test_the_owner_still_has_everything(owner, owned):
    for path in (
        f"/api/sessions/{owned['session']}",
        f"/api/missions/{owned['mission']}",
        f"/api/hops/{owned['hop']}",
        f"/api/tool-steps/{owned['tool_step']}",
        f"/api/assets/{owned['asset']}",
    ):
        assert (await owner.get(path)).status_code == 200, path
    messages = (await owner.get(f"/api/sessions/{owned['session']}/messages")).json()
    assert [m["content"] for m in messages["items"]] == ["private"]


async def test_lists_show_only_the_users_own_entities(owner, intruder, owned):
    for path in ("/api/sessions", "/api/missions", "/api/assets"):
        mine = {item["id"] for item in (await owner.get(path, params={"limit": 200})).json()["items"]}
        theirs = {item["id"] for item in (await intruder.get(path, params={"limit": 200})).json()["items"]}
        assert mine and not (mine & theirs)
    assert (await intruder.get("/api/sessions/active")).status_code == 404

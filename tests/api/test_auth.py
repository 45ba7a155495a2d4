"""Sign-up, sign-in, sign-out, the current user, closing an account, the CSRF header, the
sign-in rate limit, and users that still own data."""

from __future__ import annotations

import asyncio
import uuid
from uuid import UUID

import pytest

from server.users.tables import User
from tests.builders import build_mission, count_rows, count_user_rows
from tests.client import PASSWORD, ApiClient


def new_email() -> str:
    return f"auth-{uuid.uuid4().hex[:12]}@Example.com"


async def test_sign_up_then_sign_in_then_me(anon):
    email = new_email()
    created = await anon.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})
    assert created.status_code == 202
    assert "sign in" in created.json()["message"]
    assert "password" not in created.text.replace("password.", "") and "hash" not in created.text
    assert (await anon.get("/api/auth/me")).status_code == 401

    signed = await anon.post("/api/auth/sign-in", json={"email": email.upper(), "password": PASSWORD})
    assert signed.status_code == 200
    user = signed.json()["user"]
    assert user["email"] == email.lower() and user["is_active"] is True
    anon.csrf_token = signed.json()["csrf_token"]
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = await anon.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json() == {"user": user, "csrf_token": anon.csrf_token}


async def test_the_same_email_cannot_sign_up_twice_and_sign_up_does_not_say_it_exists(anon):
    email = new_email()
    first = await anon.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})
    again = await anon.post("/api/auth/sign-up", json={"email": email.lower(), "password": "another password"})
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert await User.count().where(User.email == email.lower()).run() == 1
    # The first password still signs in; the second never replaced it.
    assert (await anon.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})).status_code == 200
    refused = await anon.post("/api/auth/sign-in", json={"email": email, "password": "another password"})
    assert refused.status_code == 401


async def test_wrong_password_and_unknown_email_are_refused_alike(anon):
    email = new_email()
    await anon.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})
    wrong = await anon.post("/api/auth/sign-in", json={"email": email, "password": "not the password"})
    unknown = await anon.post("/api/auth/sign-in", json={"email": new_email(), "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in wrong.headers


async def test_sign_out_ends_the_session(user):
    assert (await user.get("/api/auth/me")).status_code == 200
    response = await user.post("/api/auth/sign-out")
    assert response.status_code == 204
    assert (await user.get("/api/auth/me")).status_code == 401
    assert (await user.get("/api/sessions")).status_code == 401


async def test_a_stolen_cookie_does_not_survive_sign_out(app, user):
    cookie = user.cookies.get("missions_session")
    await user.post("/api/auth/sign-out")
    async with ApiClient(app) as thief:
        thief.cookies.set("missions_session", cookie)
        assert (await thief.get("/api/auth/me")).status_code == 401


async def test_unsafe_requests_need_the_csrf_header(user):
    token, user.csrf_token = user.csrf_token, None
    before = await count_rows()
    missing = await user.post("/api/sessions", json={"name": "no header"})
    wrong = await user.post("/api/sessions", json={"name": "wrong header"}, headers={"x-csrf-token": "guess"})
    for response in (missing, wrong):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    assert await count_rows() == before
    assert (await user.get("/api/sessions")).status_code == 200  # safe methods need no header
    user.csrf_token = token
    assert (await user.post("/api/sessions", json={"name": "with header"})).status_code == 201


async def test_another_sessions_csrf_token_is_refused(app, user, other_user):
    user.csrf_token = other_user.csrf_token
    assert (await user.post("/api/sessions", json={})).status_code == 403


async def test_every_api_route_needs_sign_in(anon):
    before = await count_rows()
    for method, path in (
        ("GET", "/api/auth/me"),
        ("GET", "/api/sessions"),
        ("POST", "/api/sessions"),
        ("GET", "/api/missions"),
        ("GET", f"/api/missions/{UUID(int=1)}"),
        ("DELETE", f"/api/missions/{UUID(int=1)}"),
        ("GET", "/api/assets"),
    ):
        response = await anon.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "not_authenticated"
    assert await count_rows() == before


async def test_failed_sign_ins_are_rate_limited(anon, settings_env):
    settings_env(LOGIN_ATTEMPTS_PER_WINDOW="3", LOGIN_WINDOW_SECONDS="60")
    email = new_email()
    await anon.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})
    for _ in range(3):
        assert (
            await anon.post("/api/auth/sign-in", json={"email": email, "password": "wrong password"})
        ).status_code == 401
    blocked = await anon.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_requests"
    assert "set-cookie" not in blocked.headers
    assert 1 <= int(blocked.headers["retry-after"]) <= 60


async def test_a_successful_sign_in_resets_the_count_for_the_email(anon, settings_env):
    settings_env(LOGIN_ATTEMPTS_PER_WINDOW="3", LOGIN_WINDOW_SECONDS="60")
    email = new_email()
    await anon.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})
    for _ in range(2):
        await anon.post("/api/auth/sign-in", json={"email": email, "password": "wrong password"})
    assert (await anon.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})).status_code == 200
    for _ in range(2):
        assert (
            await anon.post("/api/auth/sign-in", json={"email": email, "password": "wrong password"})
        ).status_code == 401
    assert (await anon.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})).status_code == 200


async def test_closing_an_account_deactivates_it_and_keeps_its_data(app, user):
    user_id = user.user["id"]
    await build_mission(user_id, hops=1)
    await user.post("/api/sessions", json={"name": "kept"})
    before = await count_user_rows(user_id)
    response = await user.delete("/api/auth/me")
    assert response.status_code == 204
    assert (await user.get("/api/auth/me")).status_code == 401
    row = await User.select(User.is_active).where(User.id == UUID(user_id)).first().run()
    assert row == {"is_active": False}
    after = await count_user_rows(user_id)
    assert after == {**before, "auth_sessions": 0}
    async with ApiClient(app) as again:
        refused = await again.post("/api/auth/sign-in", json={"email": user.user["email"], "password": PASSWORD})
        assert refused.status_code == 401


async def test_deleting_a_user_who_owns_hops_is_refused_and_nothing_is_lost(user):
    user_id = UUID(user.user["id"])
    await build_mission(user_id, hops=2, steps_per_hop=2)
    await user.post("/api/sessions", json={})
    before = await count_rows()
    with pytest.raises(Exception) as refused:
        await User.delete().where(User.id == user_id).run()
    assert "foreign key" in str(refused.value).lower()
    assert await count_rows() == before
    assert (await user.get("/api/auth/me")).status_code == 200


async def test_a_non_ascii_csrf_header_is_refused_not_a_500(user):
    before = await count_rows()
    response = await user.post("/api/sessions", json={}, headers={"x-csrf-token": "é".encode("latin-1")})
    assert response.status_code == 403
    assert await count_rows() == before


async def test_a_malformed_session_cookie_is_401(anon):
    for value in ("", "x" * 5000, "é".encode("latin-1")):
        cookie = b"missions_session=" + (value if isinstance(value, bytes) else value.encode())
        response = await anon.get("/api/auth/me", headers={"cookie": cookie})
        assert response.status_code == 401


async def test_concurrent_sign_ups_with_one_email_create_one_account(anon):
    email = new_email()
    responses = await asyncio.gather(
        *(anon.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD}) for _ in range(4))
    )
    assert [r.status_code for r in responses] == [202, 202, 202, 202]
    assert await User.count().where(User.email == email.lower()).run() == 1


async def test_an_expired_sign_in_session_is_401(user):
    from datetime import timedelta

    from server.database import now
    from server.users.tables import AuthSession

    await (
        AuthSession.update({AuthSession.expires_at: now() - timedelta(seconds=1)})
        .where(AuthSession.user_id == UUID(user.user["id"]))
        .run()
    )
    assert (await user.get("/api/auth/me")).status_code == 401

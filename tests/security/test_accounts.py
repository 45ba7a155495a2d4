"""Accounts (docs/security.md, "Accounts"): sign-up does not say which e-mails exist and says
what to do next; weak passwords are refused; expired sign-ins are purged; an open event stream
ends at sign-out; the SQLite files are private; validate-chain tells nothing about other
users' assets."""

from __future__ import annotations

import asyncio
import os
import re
import stat
import uuid
from datetime import timedelta
from uuid import UUID

import pytest

from server.database import now
from server.database.engines import private_file
from server.settings import get_settings
from server.users import service as users
from server.users.tables import AuthSession
from tests.client import PASSWORD
from tests.workflow.flow import mission_in_progress, ok
from tests.workflow.sse_client import EventStream

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def new_email() -> str:
    return f"account-{uuid.uuid4().hex[:12]}@example.com"


async def test_sign_up_answers_the_same_for_a_taken_and_a_new_email(anon):
    taken = new_email()
    await anon.post("/api/auth/sign-up", json={"email": taken, "password": PASSWORD})
    again = await anon.post("/api/auth/sign-up", json={"email": taken, "password": "some other passphrase"})
    fresh = await anon.post("/api/auth/sign-up", json={"email": new_email(), "password": PASSWORD})
    assert again.status_code == fresh.status_code == 202
    assert again.json() == fresh.json()
    assert "sign in" in fresh.json()["message"]
    assert {k: v for k, v in again.headers.items() if k not in ("date", "content-length")} == {
        k: v for k, v in fresh.headers.items() if k not in ("date", "content-length")
    }


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password", "at least 10"),
        ("12345678", "at least 10"),
        ("1234567890", "most common"),
        ("qwertyuiop", "most common"),
        ("          ", "different characters"),
        ("aaaaaaaaaaaa", "different characters"),
        ("{email}", "e-mail address"),
        ("{name}", "e-mail address"),
    ],
)
async def test_weak_passwords_are_refused(anon, password, reason):
    email = new_email()
    password = password.format(email=email, name=email.split("@")[0])
    response = await anon.post("/api/auth/sign-up", json={"email": email, "password": password})
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "body.password" and reason in error["reason"]
    assert (await anon.post("/api/auth/sign-in", json={"email": email, "password": password})).status_code == 401


async def test_expired_sign_in_sessions_are_purged(user):
    user_id = UUID(user.user["id"])
    await (
        AuthSession.update({AuthSession.expires_at: now() - timedelta(seconds=1)})
        .where(AuthSession.user_id == user_id)
        .run()
    )
    assert await users.purge_expired() >= 1
    assert await AuthSession.count().where(AuthSession.user_id == user_id).run() == 0


async def test_an_open_event_stream_ends_at_sign_out(app, user, settings_env):
    settings_env(EVENTS_KEEP_ALIVE_SECONDS="5", EVENTS_STREAM_SECONDS="60")
    async with EventStream(app, user) as stream:
        assert stream.status == 200
        ok(await user.post("/api/sessions", json={"name": "before"}), 201)
        assert (await user.post("/api/auth/sign-out")).status_code == 204
        await asyncio.wait_for(stream._task, 3)  # the stream closed itself, long before its lifetime
        assert stream.completed


async def test_closing_the_account_ends_its_streams(app, user):
    async with EventStream(app, user) as stream:
        assert (await user.delete("/api/auth/me")).status_code == 204
        await asyncio.wait_for(stream._task, 3)


def test_the_sqlite_files_are_readable_by_their_owner_only(engine_name, tmp_path):
    path = tmp_path / "data" / "missions.sqlite"
    private_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"")
    wal.chmod(0o644)
    private_file(path)  # an existing file (and its companions) is narrowed
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    if engine_name == "sqlite":
        live = get_settings().database.sqlite_path
        for item in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
            if item.exists():
                assert stat.S_IMODE(item.stat().st_mode) == 0o600, item
    key = get_settings().database.data_dir / "secret.key"
    if key.exists():
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


async def test_validate_chain_says_the_same_of_another_users_asset_and_of_no_asset(user, other_user):
    theirs = await mission_in_progress(other_user)
    their_asset = theirs["asset_summary"]["inputs"][0]
    mission = await mission_in_progress(user)
    hop = ok(await user.post(f"/api/missions/{mission['id']}/hops/start"), 201)

    def chain(asset_id: str) -> dict:
        return {
            "steps": [
                {
                    "tool_id": "sort",
                    "name": "Sort",
                    "parameter_mapping": {
                        "items": {"type": "asset_field", "state_asset": mission["asset_summary"]["inputs"][0]},
                        "keys": {"type": "literal", "value": [{"path": "name"}]},
                    },
                    "result_mapping": {"items": {"type": "asset_field", "state_asset": asset_id}},
                }
            ]
        }

    answers = []
    for asset_id in (their_asset, str(uuid.uuid4())):
        response = await user.post(f"/api/hops/{hop['id']}/validate-chain", json=chain(asset_id))
        assert response.status_code == 200
        answers.append(UUID_TEXT.sub("ID", response.text))
    assert answers[0] == answers[1]
    assert "cannot see" not in answers[0]

"""The command line's create-user: the same rules as sign-up, a readable refusal, exit 1."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

from server.settings import PROJECT_ROOT
from server.users.tables import User


async def create_user(*args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server", "create-user", *args],
        env=dict(os.environ),  # the test database
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_create_user_then_refuse_the_same_email_and_bad_input(migrated):
    email = f"cli-{uuid.uuid4().hex[:8]}@Example.com"
    created = await create_user(email, "--password", "long enough password")
    assert created.returncode == 0, created.stderr
    assert email.lower() in created.stdout
    assert await User.count().where(User.email == email.lower()).run() == 1

    again = await create_user(email.lower(), "--password", "long enough password")
    assert again.returncode == 1
    assert "already exists" in again.stderr and "Traceback" not in again.stderr

    bad = await create_user("not-an-email", "--password", "short")
    assert bad.returncode == 1
    assert "email" in bad.stderr and "Traceback" not in bad.stderr
    assert await User.count().where(User.email == "not-an-email").run() == 0

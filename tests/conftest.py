"""Test set-up: a real database (SQLite file or PostgreSQL), migrated from empty, and the
real app driven over HTTP.

The engine is chosen with `TEST_ENGINE=sqlite` (default) or `TEST_ENGINE=postgres`; for
PostgreSQL a fresh database is created on `TEST_POSTGRES_URL` (default
`postgresql://postgres@127.0.0.1:5432/postgres`) and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

ENGINE = os.environ.get("TEST_ENGINE", "sqlite")
_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_TMP = Path(tempfile.mkdtemp(prefix="missions-test-"))
_PG_DB = f"missions_test_{uuid.uuid4().hex[:10]}"

os.environ["DATA_DIR"] = str(_TMP)
os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("LOGIN_ATTEMPTS_PER_WINDOW", "1000")
os.environ.setdefault("LOGIN_ADDRESS_ATTEMPTS_PER_WINDOW", "100000")
os.environ.setdefault("SIGNUP_ATTEMPTS_PER_WINDOW", "100000")  # every test user signs up from one address
if ENGINE == "postgres":
    os.environ["DATABASE_URL"] = _ADMIN_URL.rsplit("/", 1)[0] + f"/{_PG_DB}"
else:
    os.environ.pop("DATABASE_URL", None)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    if ENGINE == "postgres":
        asyncio.run(_admin(f'CREATE DATABASE "{_PG_DB}"'))


def pytest_unconfigure(config: pytest.Config) -> None:
    if ENGINE == "postgres":
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{_PG_DB}" WITH (FORCE)'))


def pytest_report_header(config: pytest.Config) -> str:
    return f"database engine: {ENGINE}"


@pytest.fixture(scope="session")
def engine_name() -> str:
    return ENGINE


@pytest.fixture(scope="session", autouse=True)
async def migrated() -> None:
    """Every test session starts from an empty database brought forward by the migrations."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    response = await run_forwards(app_name="server", migration_id="all", fake=False)
    assert response.success, response.message


@asynccontextmanager
async def running_lifespan(application):
    """Drive the ASGI lifespan protocol in one task of its own, as a server would."""
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    task = asyncio.create_task(
        application({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    message = await outbox.get()
    assert message["type"] == "lifespan.startup.complete", message
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        message = await outbox.get()
        await task
        assert message["type"] == "lifespan.shutdown.complete", message


@pytest.fixture(scope="session")
async def app(migrated):
    from server.app import create_app
    from tests.contract import ContractCheckingApp

    application = create_app()
    async with running_lifespan(application):  # the database pool, opened once, in the test loop
        yield ContractCheckingApp(application)


@pytest.fixture
async def anon(app):
    from tests.client import ApiClient

    async with ApiClient(app) as client:
        yield client


@pytest.fixture
async def user(app):
    """A freshly signed-up, signed-in user."""
    from tests.client import signed_in_client

    async with signed_in_client(app) as client:
        yield client


@pytest.fixture
async def other_user(app):
    """A second user, for isolation checks."""
    from tests.client import signed_in_client

    async with signed_in_client(app) as client:
        yield client


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With RECORD_WIRE_FIXTURES=1, write the response bodies the run recorded (one per response
    type) to frontend/src/api/fixtures.gen.ts, where `tsc` checks them against the types."""
    if os.environ.get("RECORD_WIRE_FIXTURES") == "1" and exitstatus == 0:
        from codegen.fixtures import write_fixtures
        from tests.contract import RECORDED

        path = write_fixtures(RECORDED, Path(__file__).resolve().parent.parent)
        print(f"\nwrote {path} ({len(RECORDED)} response types recorded)")


@pytest.fixture
def settings_env():
    """`settings_env(NAME="value", ...)`: environment variables for one test; the server reads
    its settings again, and both are restored afterwards."""
    from server.settings import get_settings

    saved: dict[str, str | None] = {}

    def apply(**values: str) -> None:
        for name, value in values.items():
            saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        get_settings.cache_clear()

    yield apply
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def dovecot():
    """A real IMAP server (Dovecot) with the fixture messages in INBOX and an empty `Archive`
    folder; loopback is allowed to outbound connections meanwhile."""
    from datetime import UTC, datetime

    from tests.tools.dovecot import Dovecot
    from tests.tools.local_http import loopback_allowed
    from tests.tools.mail_fixtures import fixture_messages

    with Dovecot() as server, loopback_allowed():
        server.create_folder("Archive")
        server.append(fixture_messages(datetime.now(UTC)))
        yield server

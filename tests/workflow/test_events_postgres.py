"""Events cross server processes on PostgreSQL: a second server process (uvicorn, same
database) and the test process each deliver what the other publishes (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.workflow.flow import mission_proposal, ok, proposed_mission
from tests.workflow.sse_client import EventStream

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_ENGINE", "sqlite") != "postgres", reason="LISTEN/NOTIFY needs PostgreSQL"
)

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
async def second_server():
    """Another server process on the test database; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url) as client:
            for _ in range(200):
                if process.poll() is not None:
                    raise RuntimeError(f"second server exited: {process.stderr.read().decode()}")
                try:
                    if (await client.get("/api/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError("second server did not start")
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def remote_client(base_url: str, signed_in) -> httpx.AsyncClient:
    """A client of the second process with the same session cookie and CSRF token."""
    return httpx.AsyncClient(
        base_url=base_url,
        cookies=dict(signed_in.cookies.items()),
        headers={"x-csrf-token": signed_in.csrf_token},
        timeout=10,
    )


async def read_remote_events(response: httpx.Response, found: asyncio.Queue, ready: asyncio.Event) -> None:
    event = None
    async for line in response.aiter_lines():
        ready.set()  # the stream subscribes before it sends its first line
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "workflow":
            found.put_nowait(json.loads(line.removeprefix("data: ")))


async def test_events_published_here_reach_a_stream_on_another_process(user, second_server):
    found: asyncio.Queue = asyncio.Queue()
    async with remote_client(second_server, user) as remote:
        async with remote.stream("GET", "/api/events") as response:
            assert response.status_code == 200
            ready = asyncio.Event()
            reader = asyncio.create_task(read_remote_events(response, found, ready))
            await asyncio.wait_for(ready.wait(), 10)
            _, mission = await proposed_mission(user)  # published by this process
            while True:
                event = await asyncio.wait_for(found.get(), 10)
                if event["entity"] == "mission":
                    break
            reader.cancel()
    assert event["id"] == mission["id"] and event["status"] == "awaiting_approval"


async def test_events_published_by_another_process_reach_a_stream_here(app, user, other_user, second_server):
    async with EventStream(app, user) as mine, EventStream(app, other_user) as theirs:
        async with remote_client(second_server, user) as remote:
            session = ok(await remote.post("/api/sessions", json={"name": "remote"}), 201)
            mission = ok(
                await remote.post(f"/api/sessions/{session['id']}/mission", json=mission_proposal("Remote")), 201
            )
        events = await mine.events_until(lambda e: e["entity"] == "mission", timeout=10)
        assert events[-1]["id"] == mission["id"]
        await asyncio.sleep(0.2)
        assert all(e["id"] != mission["id"] and e.get("mission_id") != mission["id"] for e in theirs.pending_events())


async def test_the_listener_reconnects_after_losing_its_connection(app, user):
    import asyncpg

    from server.workflow import events

    listener = events._listener
    assert listener is not None and listener.connected.is_set()
    old_pid = listener._connection.get_server_pid()
    admin = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", old_pid)
    finally:
        await admin.close()
    for _ in range(200):  # lost, then connected again
        await asyncio.sleep(0.05)
        if (
            listener.connected.is_set()
            and listener._connection is not None
            and listener._connection.get_server_pid() != old_pid
        ):
            break
    else:
        raise AssertionError("the listener did not reconnect")
    async with EventStream(app, user) as stream:
        _, mission = await proposed_mission(user)
        events_seen = await stream.events_until(lambda e: e["entity"] == "mission", timeout=10)
    assert events_seen[-1]["id"] == mission["id"]

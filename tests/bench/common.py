"""What the benchmark scripts share: a database of their own, data inserted through the
Piccolo tables, a real uvicorn process, sign-in, latency and throughput measurement, and a
counter of the SQL statements the engine runs.

The engine is chosen from the environment when `server` is first imported, so every
function that touches `server` imports it lazily, after `bench_database()` has set
`DATABASE_URL` and `DATA_DIR`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench password 123"
logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the figures
ENGINES = ("sqlite", "postgres")


# Command line ------------------------------------------------------------------------------


def engines_from_args(description: str) -> list[str]:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--engine", choices=[*ENGINES, "both"], default="both")
    args = parser.parse_args()
    return list(ENGINES) if args.engine == "both" else [args.engine]


def run_per_engine(script: str, engines: list[str], main) -> None:
    """Run `main(engine)` here for one engine; for both, run this script once per engine in
    its own process (the engine is fixed when `server` is imported)."""
    if len(engines) == 1:
        asyncio.run(main(engines[0]))
        return
    for name in engines:
        subprocess.run([PYTHON, script, "--engine", name], check=True, cwd=ROOT)


# Database ----------------------------------------------------------------------------------


@contextmanager
def bench_database(engine_name: str) -> Iterator[dict[str, str]]:
    """A fresh SQLite file or PostgreSQL database for this run, dropped at the end. Sets the
    environment the server reads and returns it (for the server process)."""
    data_dir = Path(tempfile.mkdtemp(prefix="missions-bench-"))
    env = {"DATA_DIR": str(data_dir), "SECRET_KEY": "bench-secret-key", "LOGIN_ATTEMPTS_PER_WINDOW": "1000"}
    db_name = f"missions_bench_{uuid.uuid4().hex[:10]}"
    if engine_name == "postgres":
        _admin(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + f"/{db_name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.update(env)
    try:
        yield env
    finally:
        if engine_name == "postgres":
            _admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


def _admin(sql: str) -> None:
    """Run one statement on the PostgreSQL server, from sync or async code alike (own thread
    and event loop)."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(ADMIN_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


async def migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    response = await run_forwards(app_name="server", migration_id="all", fake=False)
    assert response.success, response.message


async def create_user(email: str) -> uuid.UUID:
    from server.users.service import create_user as create

    return (await create(email=email, password=PASSWORD)).id


# Data --------------------------------------------------------------------------------------


@dataclass
class BuiltMission:
    id: uuid.UUID
    hop_ids: list[uuid.UUID] = field(default_factory=list)
    asset_ids: list[uuid.UUID] = field(default_factory=list)


def _step_json(asset_ids: list[uuid.UUID], hop_asset: uuid.UUID, index: int) -> dict[str, str]:
    from server.database import to_json

    parameters = {
        f"input_{n}": {"type": "asset_field", "state_asset": asset_ids[(index + n) % len(asset_ids)]} for n in range(2)
    }
    parameters["max_items"] = {"type": "literal", "value": 25}
    results = {"summary": {"type": "asset_field", "state_asset": hop_asset}, "log": {"type": "discard"}}
    resources = {
        "llm": {"values": {"model": "small", "temperature": 0.2}, "secrets": {"api_key": "sealed:abcdef"}},
    }
    execution = {
        "outputs": {"summary": "A short summary of what the step found.", "count": 12},
        "written_asset_ids": [hop_asset],
        "duration_ms": 412.5,
        "stubbed": True,
    }
    return {
        "parameter_mapping": to_json(parameters),
        "result_mapping": to_json(results),
        "resource_configs": to_json(resources),
        "validation_errors": to_json([]),
        "execution_result": to_json(execution),
    }


async def build_mission(
    user_id: uuid.UUID,
    *,
    hops: int = 10,
    steps_per_hop: int = 4,
    assets: int = 50,
    name: str = "Benchmark mission",
    created_at=None,
) -> BuiltMission:
    """A mission with `hops` hops of `steps_per_hop` tool steps and `assets` assets: one
    hop-scoped intermediate per hop, the rest mission-scoped inputs and outputs mapped to the
    mission. Each hop maps four mission assets and its own intermediate."""
    from server.assets.tables import Asset, HopAsset, MissionAsset
    from server.database import now, to_json, write_transaction
    from server.enums import AssetRole, AssetScopeType, AssetStatus, HopStatus, MissionStatus, ToolExecutionStatus
    from server.missions.tables import Hop, Mission, ToolStep

    created = created_at or now()
    mission = BuiltMission(id=uuid.uuid4())
    hop_ids = [uuid.uuid4() for _ in range(hops)]
    asset_rows, mission_maps, hop_rows, step_rows, hop_maps = [], [], [], [], []

    def new_asset(index: int, scope_type, scope_id, role) -> Any:
        return Asset(
            id=uuid.uuid4(), user_id=user_id, name=f"asset {index}", description=f"asset {index} described",
            schema_definition=to_json({"type": "string", "description": None, "is_array": False, "fields": None}),
            subtype=None, scope_type=scope_type, scope_id=scope_id, status=AssetStatus.READY, role=role,
            content=to_json({"text": "x" * 200}), content_summary="x" * 40, asset_metadata=to_json({}),
            created_at=created + timedelta(microseconds=index), updated_at=created,
        )  # fmt: skip

    mission_asset_count = max(assets - hops, 1)
    for index in range(mission_asset_count):
        role = AssetRole.INPUT if index % 2 == 0 else AssetRole.OUTPUT
        row = new_asset(index, AssetScopeType.MISSION, mission.id, role)
        asset_rows.append(row)
        mission_maps.append(
            MissionAsset(
                id=uuid.uuid4(),
                user_id=user_id,
                mission_id=mission.id,
                asset_id=row.id,
                role=role,
                created_at=row.created_at,
            )
        )
        mission.asset_ids.append(row.id)
    for h, hop_id in enumerate(hop_ids):
        intermediate = new_asset(mission_asset_count + h, AssetScopeType.HOP, hop_id, AssetRole.INTERMEDIATE)
        asset_rows.append(intermediate)
        for n in range(min(4, mission_asset_count)):
            source = mission.asset_ids[(h * 4 + n) % mission_asset_count]
            hop_maps.append(
                HopAsset(
                    id=uuid.uuid4(),
                    user_id=user_id,
                    hop_id=hop_id,
                    asset_id=source,
                    role=AssetRole.INPUT,
                    created_at=created + timedelta(microseconds=n),
                )
            )
        hop_maps.append(
            HopAsset(
                id=uuid.uuid4(),
                user_id=user_id,
                hop_id=hop_id,
                asset_id=intermediate.id,
                role=AssetRole.INTERMEDIATE,
                created_at=created + timedelta(microseconds=10),
            )
        )
        hop_rows.append(
            Hop(
                id=hop_id,
                user_id=user_id,
                mission_id=mission.id,
                sequence_order=h,
                name=f"Hop {h}",
                description="Collect and summarize the sources of this part.",
                goal="A summary of this part",
                success_criteria=to_json(["every source is read", "the summary is short"]),
                rationale="The next hop needs this summary.",
                status=HopStatus.COMPLETED if h < hops - 1 else HopStatus.EXECUTING,
                is_final=h == hops - 1,
                is_resolved=h < hops - 1,
                error_message=None,
                hop_metadata=to_json({"attempt": 1}),
                intended_input_asset_ids=to_json(mission.asset_ids[:2]),
                intended_output_asset_ids=to_json([intermediate.id]),
                intended_output_asset_specs=to_json([]),
                created_at=created,
                updated_at=created,
            )  # fmt: skip
        )
        for s in range(steps_per_hop):
            step_rows.append(
                ToolStep(
                    id=uuid.uuid4(),
                    user_id=user_id,
                    hop_id=hop_id,
                    tool_id="summarize_text",
                    sequence_order=s,
                    name=f"Step {s}",
                    description="Summarize one batch of sources.",
                    status=ToolExecutionStatus.COMPLETED,
                    error_message=None,
                    created_at=created,
                    updated_at=created,
                    started_at=created,
                    completed_at=created,
                    **_step_json(mission.asset_ids, intermediate.id, h * steps_per_hop + s),
                )  # fmt: skip
            )
    mission.hop_ids = hop_ids
    row = Mission(
        id=mission.id, user_id=user_id, name=name, description="Find, read and summarize the sources on a topic.",
        goal="A reviewed summary", success_criteria=to_json(["sources cited", "under two pages"]),
        status=MissionStatus.IN_PROGRESS, current_hop_id=hop_ids[-1] if hop_ids else None,
        mission_metadata=to_json({"origin": "benchmark"}), created_at=created, updated_at=created,
    )  # fmt: skip
    async with write_transaction():
        await Mission.insert(row).run()
        for table, rows in (
            (Asset, asset_rows),
            (MissionAsset, mission_maps),
            (Hop, hop_rows),
            (ToolStep, step_rows),
            (HopAsset, hop_maps),
        ):
            if rows:
                await table.insert(*rows).run()
    return mission


# Counting queries --------------------------------------------------------------------------


def _current_task() -> asyncio.Task | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running event loop
        return None


class QueryCounter:
    """Records every SQL statement run through the engine while active (Piccolo queries and
    raw ones alike, in a transaction or not), through the engine's query-logging hook.
    A transaction's BEGIN and COMMIT are not counted. Entered inside a task, it counts that
    task's statements only."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> QueryCounter:
        # On the class: PostgreSQL's engine has __slots__, so no per-instance override.
        engine_class = type(self.engine)
        self._saved = (self.engine.log_queries, engine_class.__dict__.get("print_query"))
        statements = self.statements
        # Only the statements of the task that counts (an in-process request runs in it),
        # not those of background work sharing the event loop.
        counting_task = _current_task()

        def record(engine: Any, query_id: int, query: str) -> None:
            if counting_task is None or _current_task() is counting_task:
                statements.append(query)

        engine_class.print_query = record
        self.engine.log_queries = True
        return self

    def __exit__(self, *exc: Any) -> None:
        log_queries, print_query = self._saved
        self.engine.log_queries = log_queries
        if print_query is None:
            del type(self.engine).print_query
        else:
            type(self.engine).print_query = print_query

    @property
    def count(self) -> int:
        return len(self.statements)


async def count_request_queries(path: str, email: str) -> tuple[int, int]:
    """(SQL statements, response bytes) of one signed-in GET through the app in this process,
    the auth middleware's look-up included."""
    import httpx

    from server.app import create_app
    from server.database import engine

    app = create_app()
    db = engine()
    await db.start_connection_pool()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            response = await client.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})
            response.raise_for_status()
            await client.get(path)  # warm caches that are filled once per process
            with QueryCounter(db) as counter:
                response = await client.get(path)
            response.raise_for_status()
            return counter.count, len(response.content)
    finally:
        await db.close_connection_pool()


# Server and HTTP ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_SERVER_PIDS: dict[str, int] = {}
_SERVER_LOGS: dict[str, Path] = {}


@contextmanager
def server_process(env: dict[str, str]) -> Iterator[str]:
    """One uvicorn process serving the app on a free local port; yields its base URL."""
    import httpx

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The server's output goes to a file (a pipe nobody reads would stall it once full).
    log = Path(tempfile.mkstemp(prefix="missions-bench-server-", suffix=".log")[1])
    with log.open("wb") as output:
        process = subprocess.Popen(
            [PYTHON, "-m", "server", "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    _SERVER_PIDS[base] = process.pid
    _SERVER_LOGS[base] = log
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited:\n{server_log(base)}")
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _SERVER_PIDS.pop(base, None)
        _SERVER_LOGS.pop(base, None)
        log.unlink(missing_ok=True)


def server_log(base: str, lines: int = 40) -> str:
    """The last lines the server started by `server_process` printed."""
    log = _SERVER_LOGS.get(base)
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def sign_in(base: str, email: str) -> str:
    """Sign in over HTTP; returns the Cookie header value."""
    import httpx

    response = httpx.post(f"{base}/api/auth/sign-in", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in response.cookies.items())


def median_ms(
    url: str, cookie: str, *, requests: int = 300, warmup: int = 30, accept_encoding: str = "identity"
) -> float:
    """Median latency of sequential GETs on one kept-alive connection, in milliseconds."""
    import httpx

    headers = {"cookie": cookie, "accept-encoding": accept_encoding}
    timings = []
    with httpx.Client(headers=headers, timeout=30) as client:
        for index in range(warmup + requests):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text[:200]}")
            if index >= warmup:
                timings.append(elapsed)
    return statistics.median(timings) * 1000


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed when missing."""
    path = shutil.which("wrk")
    if path:
        return path
    print("installing wrk (apt-get)", flush=True)
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
    subprocess.run([*apt, "update", "-qq"], check=True)
    subprocess.run([*apt, "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    path = shutil.which("wrk")
    if not path:
        raise RuntimeError("wrk is not installed")
    return path


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    server_cpu_ms: float
    """Server process CPU time (all its threads) per request, which machine load barely changes."""


def wrk(
    url: str,
    cookie: str,
    *,
    connections: int = 32,
    threads: int = 2,
    seconds: int = 10,
    accept_encoding: str | None = None,
) -> WrkResult:
    """Run wrk against a server started by `server_process`; fails if any answer was not a success."""
    command = [
        ensure_wrk(),
        f"-c{connections}",
        f"-t{threads}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-H",
        f"Cookie: {cookie}",
    ]
    if accept_encoding:
        command += ["-H", f"Accept-Encoding: {accept_encoding}"]
    pid = _SERVER_PIDS.get(url.split("/api/", 1)[0])
    cpu_before = process_cpu_seconds(pid) if pid else 0.0
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    cpu = process_cpu_seconds(pid) - cpu_before if pid else 0.0
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        base = url.split("/api/", 1)[0]
        raise RuntimeError(f"wrk saw failed requests:\n{output}\nserver output:\n{server_log(base)}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rate or not total:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    requests = int(total.group(1))
    return WrkResult(float(rate.group(1)), requests, cpu * 1000 / max(requests, 1))


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

"""A real server process for the tests that need one (several processes sharing one database,
a server killed mid-step, a database that goes away): `python -m server serve` on a free port
of 127.0.0.1, on the test run's database (its environment), with extra settings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """One `python -m server serve` (no migration: the test session migrated the database)."""

    def __init__(self, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(os.environ.get("DATA_DIR", "/tmp")) / f"server-{self.port}.log"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        env = {**os.environ, **self.settings, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "server", "serve", "--no-migrate", "--host", "127.0.0.1"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: nothing runs after it (no shutdown, no lease given back)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def signed_in(client: httpx.AsyncClient, email: str, password: str) -> str:
    """Sign up (if new) and in through `client`; returns the CSRF token (the cookie stays in it)."""
    await client.post("/api/auth/sign-up", json={"email": email, "password": password})
    response = await client.post("/api/auth/sign-in", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    client.headers["x-csrf-token"] = token
    return token

"""Malformed bodies, a database outage, and browser hardening (docs/security.md): invalid
UTF-8 is a 400 in the one error shape with no traceback logged; a database that is down gives
503 with Retry-After and fails readiness while liveness holds; every response carries the
security headers; the documentation page loads nothing from elsewhere; bodies are JSON only."""

from __future__ import annotations

import logging
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from server.database import engine
from tests.server_process import ServerProcess, signed_in

JSON = {"content-type": "application/json"}
HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "a\xff@example.com", "password": "x"}',
        b'{"email": "a@example.com", "password": "\xc3"}',
        b"\xff\xfe{}",
        b'{"email": "\xed\xa0\x80@example.com", "password": "x"}',  # an encoded surrogate
    ],
)
async def test_invalid_utf8_is_a_400_and_logs_no_traceback(anon, caplog, body):
    caplog.set_level(logging.INFO)
    response = await anon.post("/api/auth/sign-in", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["status"] == 400 and error["code"] == "validation_error" and error["errors"][0]["field"] == "body"
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_invalid_utf8_on_a_signed_in_route_is_a_400(user):
    response = await user.post("/api/sessions", content=b'{"name": "\xff"}', headers=JSON)
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"email": "a@example.com", "password": "x"}'),
        ("application/x-www-form-urlencoded", b"email=a%40example.com&password=x"),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--x--'),
        ("", b'{"email": "a@example.com", "password": "x"}'),
    ],
)
async def test_sign_in_refuses_bodies_a_foreign_page_can_send(anon, content_type, body):
    response = await anon.post("/api/auth/sign-in", content=body, headers={"content-type": content_type})
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "unsupported_media_type"
    assert "set-cookie" not in response.headers


async def test_routes_with_a_body_take_json_only(user):
    response = await user.post("/api/sessions", content=b"name=x", headers={"content-type": "text/plain"})
    assert response.status_code == 415


def _outage(engine_name: str) -> Exception:
    """What the engine raises when its database is gone."""
    if engine_name == "postgres":
        return ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")
    return sqlite3.OperationalError("unable to open database file")


async def test_a_database_outage_answers_503_with_retry_after_and_fails_readiness(
    user, anon, engine_name, monkeypatch, caplog
):
    db = engine()

    async def down(*args, **kwargs):
        raise _outage(engine_name)

    monkeypatch.setattr(db, "run_querystring", down)
    for client, method, path in (
        (user, "GET", "/api/sessions"),
        (user, "POST", "/api/sessions"),
        (user, "GET", "/api/auth/me"),
    ):
        response = await client.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == 503, (path, response.text)
        assert response.headers["retry-after"] == "5"
        assert response.json()["code"] == "service_unavailable"
    sign_in = await anon.post("/api/auth/sign-in", json={"email": "a@example.com", "password": "whatever it is"})
    assert sign_in.status_code == 503
    ready = await anon.get("/api/ready")
    assert ready.status_code == 503 and ready.headers["retry-after"] == "5"
    assert (await anon.get("/api/health")).status_code == 200  # liveness does not depend on the database
    assert "Traceback" not in caplog.text
    monkeypatch.undo()
    assert (await anon.get("/api/ready")).status_code == 200


class TcpProxy:
    """A TCP relay to PostgreSQL on a port of its own, that can be cut and restored (the
    database going away and coming back, as the server sees it)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for item in (source, sink):
                try:
                    item.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        for item in self._open:
            try:
                item.shutdown(socket.SHUT_RDWR)
                item.close()
            except OSError:
                pass
        self._open.clear()


@contextmanager
def proxied_database():
    import os

    url = urlsplit(os.environ["DATABASE_URL"])
    proxy = TcpProxy((url.hostname or "127.0.0.1", url.port or 5432))
    proxy.start()
    try:
        yield proxy, urlunsplit(url._replace(netloc=f"{url.username}@127.0.0.1:{proxy.port}"))
    finally:
        proxy.cut()


async def test_a_stopped_database_gives_503_and_readiness_fails_until_it_returns(engine_name):
    if engine_name != "postgres":
        pytest.skip("a server process on PostgreSQL through a relay that can be cut")
    with proxied_database() as (proxy, url), ServerProcess(DATABASE_URL=url) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            await signed_in(client, f"outage-{time.time_ns()}@example.com", "correct horse battery")
            assert (await client.get("/api/sessions")).status_code == 200
            proxy.cut()
            for path in ("/api/sessions", "/api/ready"):
                response = await client.get(path)
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"] == "5"
            assert (await client.get("/api/health")).status_code == 200
            proxy.start()
            deadline = time.monotonic() + 20
            while (await client.get("/api/ready")).status_code != 200:
                assert time.monotonic() < deadline, "readiness did not come back"
                time.sleep(0.2)
            assert (await client.get("/api/sessions")).status_code == 200
        assert "unhandled error" not in server.output()  # every request got its 503, none a 500


@pytest.mark.parametrize(
    "path", ["/api/health", "/api/sessions", "/api/no-such-route", "/", "/sessions/x", "/api/schema/openapi.json"]
)
async def test_every_response_carries_the_security_headers(user, path):
    response = await user.get(path)
    for header in HEADERS:
        assert header in response.headers, (path, header)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_errors_and_refusals_carry_the_headers_too(anon):
    for response in (
        await anon.get("/api/sessions"),
        await anon.post("/api/auth/sign-in", content=b"x", headers={"content-type": "text/plain"}),
        await anon.put("/api/health"),
    ):
        assert response.status_code >= 400
        assert all(header in response.headers for header in HEADERS)


async def test_the_documentation_page_is_served_from_the_installed_package(anon):
    page = await anon.get("/api/schema")
    assert page.status_code == 200 and "swagger-ui" in page.text
    sources = [part.split('"')[1] for part in page.text.split("src=")[1:]] + [
        part.split('"')[1] for part in page.text.split("href=")[1:]
    ]
    assert sources and all(source.startswith("/api/") for source in sources), sources
    assert "<script>" not in page.text  # no inline script: the policy forbids it
    for source in sources:
        asset = await anon.get(source)
        assert asset.status_code == 200, source
        assert "script-src 'self'" in asset.headers["content-security-policy"]
    assert (await anon.get("/api/docs-assets/index.j2")).status_code == 404  # only the page's own files

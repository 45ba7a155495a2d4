"""Outbound requests as a server-side request forgery would try them (docs/security.md,
"Outbound requests"): every spelling of loopback, a redirect to it, a provider's base URL; the
same error for a refused, a closed and a silent port; answers bounded while they stream, and
20 large pages within the memory cap."""

from __future__ import annotations

import ipaddress
import socket
import threading
import tracemalloc
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from server.net import outbound_client
from server.net.guard import allow_list, is_public, permitted
from server.tools.base import ToolError
from tests.tools.helpers import call
from tests.tools.local_http import local_http_server

PRIVATE = [
    "127.0.0.1",
    "127.255.0.9",
    "::1",
    "::ffff:127.0.0.1",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "fe80::1",
    "fc00::1",
    "100.64.0.1",
    "224.0.0.1",
    "2002:7f00:0001::",  # 6to4 around 127.0.0.1
    "::",
]


@pytest.fixture
def guarded(settings_env):
    """The default: no exception to the public-only rule."""
    settings_env(OUTBOUND_ALLOW_HOSTS="")


@pytest.fixture(scope="module")
def target():
    """A local page server that outbound requests are not allowed to reach."""
    with local_http_server(allow=False) as base_url:
        yield base_url


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


@pytest.mark.parametrize("address", PRIVATE)
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


def test_public_addresses_are_public_and_one_private_answer_refuses_a_name():
    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:4700::1111"))
    allowed = allow_list("")
    mixed = [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("127.0.0.1")]
    assert permitted("example.org", mixed, allowed) == []
    assert permitted("example.org", [], allowed) == []


@pytest.mark.parametrize(
    "spelling", ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "localhost", "[::ffff:127.0.0.1]"]
)
async def test_each_spelling_of_loopback_is_refused(guarded, target, spelling):
    url = f"http://{spelling}:{_port(target)}/article"
    with pytest.raises(ToolError) as refused:
        await call("web_retrieve", urls=[url], timeout_seconds=2)
    assert "cannot connect to" in str(refused.value) or "not a valid URL" in str(refused.value)
    assert "Tide" not in str(refused.value)


async def test_ipv6_loopback_is_refused(guarded):
    with pytest.raises(ToolError, match=r"cannot connect to ::1:9"):
        await call("web_retrieve", urls=["http://[::1]:9/"], timeout_seconds=2)


@contextmanager
def redirecting_server(location: str):
    """A server on 127.0.0.1 that answers every request with a redirect to `location`."""

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("location", location)
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_redirect_to_loopback_is_refused_and_nothing_is_read(settings_env, target):
    settings_env(OUTBOUND_ALLOW_HOSTS="localhost")
    with redirecting_server(f"{target}/article") as start:
        with pytest.raises(ToolError) as refused:
            await call("web_retrieve", urls=[f"{start}/"], timeout_seconds=3)
    assert f"cannot connect to 127.0.0.1:{_port(target)}" in str(refused.value)
    assert "Tide" not in str(refused.value)


def _silent_port() -> tuple[socket.socket, list[socket.socket], int]:
    """A port whose connections are never accepted (a full backlog: SYNs are dropped, as
    behind a filtering firewall)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    return listener, fillers, port


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _error_for(url: str) -> str:
    async with outbound_client(timeout=1.0) as client:
        with pytest.raises(httpx.HTTPError) as failed:
            await client.get(url)
    return str(failed.value)


async def test_refused_closed_and_silent_destinations_fail_with_the_same_text(settings_env, target):
    settings_env(OUTBOUND_ALLOW_HOSTS="")
    refused = await _error_for(f"http://127.0.0.1:{_port(target)}/")
    settings_env(OUTBOUND_ALLOW_HOSTS="127.0.0.1")
    port = _closed_port()
    closed = await _error_for(f"http://127.0.0.1:{port}/")
    listener, fillers, silent_port = _silent_port()
    try:
        silent = await _error_for(f"http://127.0.0.1:{silent_port}/")
    finally:
        for item in (listener, *fillers):
            item.close()
    assert refused == f"cannot connect to 127.0.0.1:{_port(target)}"
    assert closed == f"cannot connect to 127.0.0.1:{port}"
    assert silent == f"cannot connect to 127.0.0.1:{silent_port}"


async def test_a_search_provider_on_a_private_address_is_refused(guarded, target):
    with pytest.raises(ToolError, match="the search provider is unreachable: cannot connect to 127.0.0.1"):
        await call("web_search", resources={"search_provider": {"base_url": target}}, query="x")


async def test_a_language_model_base_url_on_a_private_address_is_refused(guarded, target):
    provider = {"llm_provider": {"base_url": f"{target}/v1", "model": "m"}}
    # The target listens: "cannot be reached" is the guard's refusal, in the provider's words.
    with pytest.raises(
        ToolError, match=rf"language model unreachable: The model server at {target} cannot be reached"
    ):
        await call("summarize", resources=provider, text="One sentence. Two sentences. Three.")


async def test_an_allowed_private_host_is_reached(settings_env, target):
    settings_env(OUTBOUND_ALLOW_HOSTS="127.0.0.0/8")
    (page,) = (await call("web_retrieve", urls=[f"{target}/article"]))["pages"]
    assert page["title"] == "Tide Report"


async def test_an_endless_answer_is_cut_at_the_response_limit(settings_env, target):
    settings_env(OUTBOUND_ALLOW_HOSTS="127.0.0.1", OUTBOUND_MAX_RESPONSE_BYTES="200000")
    async with outbound_client(timeout=5) as client:
        with pytest.raises(httpx.TransportError, match="larger than 200000 bytes"):
            async with client.stream("GET", f"{target}/big?chunks=100") as response:
                async for _ in response.aiter_bytes():
                    pass


async def test_twenty_large_pages_stay_within_the_memory_cap(settings_env, target):
    """20 pages of 9 MB each: the step reads at most WEB_RETRIEVE_TOTAL_BYTES over all of them,
    a few at a time, so its memory stays bounded (each page here is larger than that budget,
    so every page fails, saying so)."""
    settings_env(OUTBOUND_ALLOW_HOSTS="127.0.0.1", WEB_RETRIEVE_TOTAL_BYTES="8000000")
    urls = [f"{target}/big?chunks=140&page={i}" for i in range(20)]  # 140 x 64 KiB = 9 MB each
    tracemalloc.start()
    try:
        with pytest.raises(ToolError) as failed:
            await call("web_retrieve", urls=urls, max_bytes=10_000_000, timeout_seconds=30)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(failed.value).count("the step read its limit of 8000000 bytes over all pages") == 20
    assert peak < 60_000_000, f"peak {peak / 1e6:.0f} MB"


async def test_many_pages_within_the_budget_are_all_read(settings_env, target):
    settings_env(OUTBOUND_ALLOW_HOSTS="127.0.0.1", WEB_RETRIEVE_TOTAL_BYTES="8000000")
    urls = [f"{target}/big?chunks=4&page={i}" for i in range(20)]  # 256 KiB each, 5 MB in all
    tracemalloc.start()
    try:
        out = await call("web_retrieve", urls=urls, timeout_seconds=30)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [page["error"] for page in out["pages"]] == [None] * 20
    assert peak < 60_000_000, f"peak {peak / 1e6:.0f} MB"

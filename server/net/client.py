"""The one guarded outbound HTTP client (docs/security.md, "Outbound requests").

`outbound_client()` is an `httpx.AsyncClient` (and `outbound_transport()` its transport) for
any caller: tools, and providers (`openai.AsyncOpenAI(http_client=outbound_client())`). Its
connections go through a network backend that resolves the host once, checks every address
(`server.net.guard`), and connects to a checked address, so the answer checked is the
answer used (no second lookup can point elsewhere). TLS still verifies the host name. Every
redirect is a new request through the same transport, so it is checked the same way.

A destination that is refused, closed or silent (filtered) fails with the same text,
`cannot connect to HOST:PORT`, so errors do not map a network. Answers are bounded while
they stream: `OUTBOUND_MAX_RESPONSE_BYTES` and `OUTBOUND_TIMEOUT_SECONDS`, from the first
byte sent to the last received. Proxies from the environment are not used (they would
connect on the client's behalf, unchecked).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing
from collections.abc import AsyncIterator, Iterable, Mapping

import httpcore
import httpx

from server.net.guard import IPAddress, allow_list, permitted
from server.settings import get_settings

USER_AGENT = "Missions/1.0"
DEFAULT_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=5)


class ResponseTooLarge(httpx.TransportError):
    """An answer longer than the limit; reading stopped there."""


def connect_failure(host: str, port: int) -> str:
    """The one text of every failed connection (refused by the guard, closed, filtered)."""
    return f"cannot connect to {host}:{port}"


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (a literal address, in any spelling, resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in answers:
        try:
            found.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
        except ValueError:
            continue
    return found


async def permitted_addresses(host: str, port: int) -> list[IPAddress]:
    """The addresses a connection to `host:port` that is not HTTP (IMAP) may use, resolved
    once and checked like the HTTP client's (public, or allowed by `OUTBOUND_ALLOW_HOSTS`);
    empty when it may not connect. The caller connects to one of these addresses, never to
    the name again, and reports a failure with `connect_failure`."""
    allowed = allow_list(get_settings().outbound.allow_hosts)
    return permitted(host, await resolve(host, port), allowed)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to permitted addresses, resolved once per connection."""

    def __init__(self, allow_hosts: str) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allowed = allow_list(allow_hosts)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = permitted(host, await resolve(host, port), self._allowed)
        for address in addresses:
            try:
                return await self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError):
                continue
        raise httpcore.ConnectError(connect_failure(host, port))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("outbound requests use TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _BoundedStream(httpx.AsyncByteStream):
    """A response body that stops past `limit` bytes or after `deadline` (loop time)."""

    def __init__(self, inner: httpx.AsyncByteStream, limit: int, deadline: float, request: httpx.Request) -> None:
        self._inner = inner
        self._limit = limit
        self._deadline = deadline
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        chunks = self._inner.__aiter__()
        while True:
            try:
                async with asyncio.timeout_at(self._deadline):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise httpx.ReadTimeout("the answer did not complete in time", request=self._request) from None
            received += len(chunk)
            if received > self._limit:
                raise ResponseTooLarge(f"the answer is larger than {self._limit} bytes", request=self._request)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over the guarded backend, with every answer bounded."""

    def __init__(
        self,
        *,
        allow_hosts: str | None = None,
        max_response_bytes: int | None = None,
        timeout_seconds: float | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        settings = get_settings().outbound
        super().__init__(trust_env=False, limits=limits)
        self.max_response_bytes = settings.max_response_bytes if max_response_bytes is None else max_response_bytes
        self.timeout_seconds = settings.timeout_seconds if timeout_seconds is None else timeout_seconds
        # httpx builds its own pool; the same pool over the guarded backend replaces it.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(settings.allow_hosts if allow_hosts is None else allow_hosts),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol("only http:// and https:// can be requested", request=request)
        deadline = asyncio.get_running_loop().time() + self.timeout_seconds
        try:
            async with asyncio.timeout_at(deadline):
                response = await super().handle_async_request(request)
        except TimeoutError:
            raise httpx.ConnectTimeout("no answer in time", request=request) from None
        except httpx.ConnectTimeout:
            host, port = request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80)
            raise httpx.ConnectError(connect_failure(host, port), request=request) from None
        stream = typing.cast(httpx.AsyncByteStream, response.stream)
        response.stream = _BoundedStream(stream, self.max_response_bytes, deadline, request)
        return response


def outbound_transport(**options: typing.Any) -> GuardedTransport:
    """The guarded transport, for clients built elsewhere (a provider's SDK)."""
    return GuardedTransport(**options)


def outbound_client(
    *,
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = True,
    max_redirects: int = 5,
    **transport_options: typing.Any,
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` whose every request (and redirect) goes through the guard. A
    connection attempt gets at most half of `timeout`, so a silent destination fails as a
    connection failure, like a closed one."""
    total = timeout if timeout is not None else get_settings().outbound.timeout_seconds
    return httpx.AsyncClient(
        transport=GuardedTransport(timeout_seconds=total, **transport_options),
        timeout=httpx.Timeout(total, connect=max(total / 2, 0.05)),
        headers={"user-agent": USER_AGENT, **(headers or {})},
        follow_redirects=follow_redirects,
        max_redirects=max_redirects,
        trust_env=False,
    )


async def read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    """The body of a streamed response, refused past `max_bytes` (declared or received)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"the answer is larger than {max_bytes} bytes", request=response.request)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise ResponseTooLarge(f"the answer is larger than {max_bytes} bytes", request=response.request)
    return bytes(body)

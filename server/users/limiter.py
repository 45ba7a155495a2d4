"""The sign-in and sign-up limiter (docs/security.md, "Sign-in limiter").

Every attempt is counted, atomically and before the password is verified, in a store every
server process shares: the database (one upsert per key) or Redis when `RATE_LIMIT_REDIS_URL`
is set. An attempt over the limit is refused with 429 and `Retry-After` without verifying
anything, so concurrent guesses cannot get past the count. Counts are kept per account and per
client address separately, each in a fixed window; keys are hashes, one row each, and lapsed
windows are purged, so the store stays small whatever is tried.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.querystring import QueryString

from server.database import engine
from server.errors import TooManyRequests
from server.settings import get_settings

_HIT_SQL = (
    "INSERT INTO rate_limit_counts (key, hits, window_ends) VALUES ({}, 1, {}) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN rate_limit_counts.window_ends <= {} THEN 1 ELSE rate_limit_counts.hits + 1 END, "
    "window_ends = CASE WHEN rate_limit_counts.window_ends <= {} THEN excluded.window_ends "
    "ELSE rate_limit_counts.window_ends END "
    "RETURNING hits, window_ends"
)
_UNHIT_SQL = "UPDATE rate_limit_counts SET hits = hits - 1 WHERE key = {} AND hits > 0"
_RESET_SQL = "DELETE FROM rate_limit_counts WHERE key = {}"
_PURGE_SQL = "DELETE FROM rate_limit_counts WHERE window_ends <= {}"

# INCR and its expiry in one step: the first hit of a window sets when the window ends.
_REDIS_HIT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}
"""
_REDIS_UNHIT = (
    "if (tonumber(redis.call('GET', KEYS[1]) or '0') > 0) then return redis.call('DECR', KEYS[1]) end return 0"
)


@dataclass(frozen=True, slots=True)
class Limit:
    """One count: its kind (part of the key), how many hits a window allows, the window."""

    kind: str
    allowed: int
    window_seconds: int


def key_of(kind: str, value: str) -> str:
    """The stored key: a hash, so every key has one size and no e-mail is stored."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


class DatabaseCounts:
    """Counts in the `rate_limit_counts` table: one atomic upsert per hit."""

    async def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        """Count one hit; returns the count in the current window and the seconds it has left."""
        at = time.time()
        rows = await engine().run_querystring(_querystring(_HIT_SQL, key, at + window_seconds, at, at))
        row = rows[0]
        return int(row["hits"]), float(row["window_ends"]) - at

    async def unhit(self, key: str) -> None:
        await engine().run_querystring(_querystring(_UNHIT_SQL, key))

    async def reset(self, key: str) -> None:
        await engine().run_querystring(_querystring(_RESET_SQL, key))

    async def purge(self) -> None:
        await engine().run_querystring(_querystring(_PURGE_SQL, time.time()))


class RedisCounts:
    """Counts in Redis (`RATE_LIMIT_REDIS_URL`): INCR with an expiry set by the first hit."""

    def __init__(self, url: str) -> None:
        import redis.asyncio

        self._client: Any = redis.asyncio.Redis.from_url(url)
        self._hit = self._client.register_script(_REDIS_HIT)
        self._unhit = self._client.register_script(_REDIS_UNHIT)

    async def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        hits, ttl_ms = await self._hit(keys=[f"missions:limit:{key}"], args=[window_seconds * 1000])
        return int(hits), max(int(ttl_ms), 0) / 1000

    async def unhit(self, key: str) -> None:
        await self._unhit(keys=[f"missions:limit:{key}"])

    async def reset(self, key: str) -> None:
        await self._client.delete(f"missions:limit:{key}")

    async def purge(self) -> None:
        return None  # Redis expires its keys itself


def _querystring(sql: str, *values: Any) -> QueryString:
    return QueryString(sql, *values)


Counts = DatabaseCounts | RedisCounts


@functools.cache
def _counts_for(redis_url: str | None) -> Counts:
    return RedisCounts(redis_url) if redis_url else DatabaseCounts()


def counts() -> Counts:
    """The shared store of the settings in force."""
    return _counts_for(get_settings().security.rate_limit_redis_url)


async def take(limits: Iterable[tuple[Limit, str]], message: str) -> None:
    """Count one attempt against each (limit, value); refuse with 429 and the time to wait when
    any count is over its limit. The counts are taken whether or not the attempt is refused."""
    store = counts()
    wait = 0.0
    for limit, value in limits:
        hits, left = await store.hit(key_of(limit.kind, value), limit.window_seconds)
        if hits > limit.allowed:
            wait = max(wait, left)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(f"{message}; try again in {seconds} s", retry_after=seconds)


async def give_back(limit: Limit, value: str) -> None:
    """Take one attempt off a count (an attempt that turned out not to count against it)."""
    await counts().unhit(key_of(limit.kind, value))


async def reset(limit: Limit, value: str) -> None:
    await counts().reset(key_of(limit.kind, value))


async def purge() -> None:
    """Delete the counts whose window has ended."""
    await counts().purge()


def sign_in_limits() -> tuple[Limit, Limit]:
    """(per account, per address) of the settings in force."""
    settings = get_settings().security
    return (
        Limit("sign-in-account", settings.login_attempts_per_window, settings.login_window_seconds),
        Limit("sign-in-address", settings.login_address_attempts_per_window, settings.login_window_seconds),
    )


def sign_up_limit() -> Limit:
    settings = get_settings().security
    return Limit("sign-up-address", settings.signup_attempts_per_window, settings.signup_window_seconds)


# The client's address ----------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _trusted(spec: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: str | None, headers: Mapping[str, str]) -> str:
    """The address a request comes from: the peer, or, when the peer is a trusted proxy
    (`TRUSTED_PROXIES`), the last address of `X-Forwarded-For` that is not a trusted proxy
    (the entries before it are whatever the client chose to send)."""
    trusted = _trusted(get_settings().security.trusted_proxies)
    peer_address = _address(peer or "")
    if peer_address is None:
        return peer or "unknown"

    def is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in trusted)

    if not trusted or not is_trusted(peer_address):
        return str(peer_address)
    hops = [part for part in headers.get("x-forwarded-for", "").split(",") if part.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a malformed entry: trust nothing before it
        if not is_trusted(address):
            return str(address)
    return str(peer_address)

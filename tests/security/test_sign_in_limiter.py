"""The sign-in limiter as an attacker meets it (docs/security.md, "Sign-in limiter"): 500
concurrent guesses over two server processes get at most the limit verified; one attacker
behind an address does not lock others out; a forwarded address counts only from a trusted
proxy; 429 carries Retry-After; the counts stay small; sign-up is throttled too."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from server.users import limiter
from server.users.limiter import client_address
from server.users.tables import RateLimitCount
from tests.client import PASSWORD
from tests.server_process import ServerProcess

ATTEMPTS = 500
LIMIT = 10


def unique_address() -> str:
    """A client address of its own for one test (the counts are shared by the whole run)."""
    value = uuid.uuid4().int
    return f"2001:db8::{value % 65536:x}:{(value >> 16) % 65536:x}"


def new_email() -> str:
    return f"limit-{uuid.uuid4().hex[:12]}@example.com"


async def test_500_concurrent_wrong_passwords_over_two_processes_get_at_most_the_limit_verified():
    settings = {"LOGIN_ATTEMPTS_PER_WINDOW": str(LIMIT), "LOGIN_WINDOW_SECONDS": "600"}
    with ServerProcess(**settings) as first, ServerProcess(**settings) as second:
        email = new_email()
        limits = httpx.Limits(max_connections=250)
        async with (
            httpx.AsyncClient(base_url=first.url, timeout=120, limits=limits) as a,
            httpx.AsyncClient(base_url=second.url, timeout=120, limits=limits) as b,
        ):
            assert (await a.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})).status_code == 202
            guesses = [{"email": email, "password": f"guess number {i}"} for i in range(ATTEMPTS - 1)]
            guesses.append({"email": email, "password": PASSWORD})  # the right one comes last
            responses = await asyncio.gather(
                *((a if i % 2 else b).post("/api/auth/sign-in", json=body) for i, body in enumerate(guesses))
            )
    statuses = [r.status_code for r in responses]
    assert statuses.count(401) <= LIMIT  # only these had their password verified
    assert statuses.count(401) + statuses.count(429) == ATTEMPTS, sorted(set(statuses))
    assert statuses[-1] == 429  # the right password, past the limit, is not even tried
    refused = [r for r in responses if r.status_code == 429]
    assert all(1 <= int(r.headers["retry-after"]) <= 600 for r in refused)
    assert all(r.json()["code"] == "too_many_requests" for r in refused)


async def test_an_attacker_behind_a_shared_address_does_not_lock_out_other_accounts(anon, settings_env):
    settings_env(
        LOGIN_ATTEMPTS_PER_WINDOW="3",
        LOGIN_ADDRESS_ATTEMPTS_PER_WINDOW="50",
        LOGIN_WINDOW_SECONDS="60",
        TRUSTED_PROXIES="127.0.0.1",
    )
    shared = {"x-forwarded-for": unique_address()}
    victim, bystander = new_email(), new_email()
    for email in (victim, bystander):
        await anon.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})
    for _ in range(5):
        await anon.post("/api/auth/sign-in", json={"email": victim, "password": "not it"}, headers=shared)
    locked = await anon.post("/api/auth/sign-in", json={"email": victim, "password": PASSWORD}, headers=shared)
    assert locked.status_code == 429
    # Same address, another account: still signs in.
    other = await anon.post("/api/auth/sign-in", json={"email": bystander, "password": PASSWORD}, headers=shared)
    assert other.status_code == 200


async def test_the_address_count_stops_one_address_trying_many_accounts(anon, settings_env):
    settings_env(LOGIN_ATTEMPTS_PER_WINDOW="1000", LOGIN_ADDRESS_ATTEMPTS_PER_WINDOW="5", LOGIN_WINDOW_SECONDS="60")
    peer = {"x-forwarded-for": unique_address()}
    settings_env(TRUSTED_PROXIES="127.0.0.1")  # the test client's peer is a trusted proxy
    statuses = [
        (await anon.post("/api/auth/sign-in", json={"email": new_email(), "password": "x"}, headers=peer)).status_code
        for _ in range(7)
    ]
    assert statuses == [401] * 5 + [429] * 2
    # Another client behind the same proxy has its own count.
    other = {"x-forwarded-for": unique_address()}
    response = await anon.post("/api/auth/sign-in", json={"email": new_email(), "password": "x"}, headers=other)
    assert response.status_code == 401


def test_the_forwarded_address_counts_only_from_a_trusted_proxy(settings_env):
    spoofed = {"x-forwarded-for": "198.51.100.1"}
    settings_env(TRUSTED_PROXIES="")
    assert client_address("192.0.2.10", spoofed) == "192.0.2.10"  # a client cannot pick its own key
    settings_env(TRUSTED_PROXIES="10.0.0.0/8")
    assert client_address("192.0.2.10", spoofed) == "192.0.2.10"  # not a proxy of ours
    assert client_address("10.1.2.3", spoofed) == "198.51.100.1"
    # The client prepends what it likes; the entry the trusted proxy added is the last untrusted one.
    chained = {"x-forwarded-for": "1.1.1.1, 198.51.100.2, 10.0.0.5"}
    assert client_address("10.1.2.3", chained) == "198.51.100.2"
    assert client_address("10.1.2.3", {"x-forwarded-for": "garbage"}) == "10.1.2.3"


async def test_counts_are_one_small_row_per_key_and_lapsed_windows_are_purged(settings_env):
    settings_env(LOGIN_WINDOW_SECONDS="1")
    account, _ = limiter.sign_in_limits()
    emails = [new_email() for _ in range(300)]
    for email in emails:
        await limiter.take([(account, email)], "test")
    keys = [limiter.key_of(account.kind, email) for email in emails]
    rows = await RateLimitCount.select().where(RateLimitCount.key.is_in(keys)).run()
    assert len(rows) == 300 and all(len(row["key"]) == 64 for row in rows)  # hashed: no e-mail stored
    assert not any(email in str(rows) for email in emails)
    time.sleep(1.1)
    await limiter.purge()
    assert await RateLimitCount.count().where(RateLimitCount.key.is_in(keys)).run() == 0


async def test_sign_up_is_throttled_per_address(anon, settings_env):
    settings_env(SIGNUP_ATTEMPTS_PER_WINDOW="3", TRUSTED_PROXIES="127.0.0.1")
    headers = {"x-forwarded-for": unique_address()}
    statuses = [
        (
            await anon.post("/api/auth/sign-up", json={"email": new_email(), "password": PASSWORD}, headers=headers)
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [202, 202, 202, 429, 429]


def _redis_answers() -> bool:
    try:
        with __import__("socket").create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
async def test_with_redis_configured_the_counts_live_in_redis(anon, settings_env):
    settings_env(RATE_LIMIT_REDIS_URL="redis://127.0.0.1:6379/15", LOGIN_ATTEMPTS_PER_WINDOW="2")
    email = new_email()
    await anon.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})
    statuses = [
        (await anon.post("/api/auth/sign-in", json={"email": email, "password": "wrong"})).status_code for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    key = limiter.key_of("sign-in-account", email)
    assert await RateLimitCount.count().where(RateLimitCount.key == key).run() == 0
    store = limiter.counts()
    assert isinstance(store, limiter.RedisCounts)
    await store.reset(key)

"""Accounts, passwords and sign-in sessions."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.database import is_unique_violation, now, to_struct, write_transaction
from server.errors import Conflict, NotAuthenticated, TooManyRequests
from server.settings import get_settings
from server.users.schemas import User
from server.users.tables import AuthSession as AuthSessionTable
from server.users.tables import User as UserTable

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both cases cost the same time; hashed
    on first use rather than at import (it costs a fifth of a second of CPU)."""
    return _hasher.hash("not-a-real-password")


BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
"""Hashes of the earlier system (bcrypt, kept by the import); replaced on the first sign-in."""
BCRYPT_MAX_BYTES = 72
"""bcrypt reads no more of a password; the earlier system's hasher cut longer ones silently."""


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether the password matches a stored hash: this project's argon2 hashes, or a bcrypt
    hash brought in by the import."""
    if stored_hash.startswith(BCRYPT_PREFIXES):
        try:
            return bcrypt.checkpw(password.encode()[:BCRYPT_MAX_BYTES], stored_hash.encode())
        except ValueError:
            return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def _upgrade_password_hash(user_id: UUID, old_hash: str, password: str) -> None:
    """Replace an imported bcrypt hash with this project's own, once the password is proven;
    a concurrent sign-in that already replaced it changes nothing."""
    new_hash = await asyncio.to_thread(_hasher.hash, password)
    await (
        UserTable.update({UserTable.password_hash: new_hash})
        .where((UserTable.id == user_id) & (UserTable.password_hash == old_hash))
        .run()
    )


@dataclass(frozen=True, slots=True)
class Authenticated:
    """Who is making the request, as the auth middleware found it."""

    user_id: UUID
    auth_session_id: UUID
    csrf_token: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    token: str
    csrf_token: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(*, email: str, password: str) -> User:
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    row: dict[str, Any] = {
        "id": uuid4(),
        "email": normalize_email(email),
        "password_hash": password_hash,
        "is_active": True,
        "created_at": now(),
    }
    try:
        await UserTable.insert(UserTable(**row)).run()
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(f"An account with e-mail {row['email']} already exists") from exc
        raise
    return to_struct(User, row)


async def get_user(*, user_id: UUID) -> User:
    row = await UserTable.select().where(UserTable.id == user_id).first().run()
    if row is None:
        raise NotAuthenticated("Account not found")
    return to_struct(User, row)


class LoginRateLimiter:
    """Failed sign-ins per e-mail and per client address within a sliding window.

    Per server process; with several processes each keeps its own count.
    """

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, window: float, at: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= at - window:
            failures.popleft()
        return failures

    def check(self, keys: list[str]) -> None:
        settings = get_settings().security
        at = time.monotonic()
        for key in keys:
            failures = self._recent(key, settings.login_window_seconds, at)
            if len(failures) >= settings.login_attempts_per_window:
                retry = int(failures[0] + settings.login_window_seconds - at) + 1
                raise TooManyRequests(f"Too many failed sign-in attempts; try again in {retry} s")

    def fail(self, keys: list[str]) -> None:
        at = time.monotonic()
        for key in keys:
            self._failures[key].append(at)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


login_limiter = LoginRateLimiter()


async def sign_in(*, email: str, password: str, client: str) -> SignedIn:
    email = normalize_email(email)
    keys = [f"email:{email}", f"client:{client}"]
    login_limiter.check(keys)
    row = await UserTable.select().where(UserTable.email == email).first().run()
    # An unknown e-mail is verified against a dummy hash, so both cases cost the same time.
    stored = row["password_hash"] if row else _dummy_hash()
    matched = await asyncio.to_thread(verify_password, stored, password)
    if row is None or not matched or not row["is_active"]:
        login_limiter.fail(keys)
        raise NotAuthenticated("Wrong e-mail or password")
    login_limiter.clear(f"email:{email}")
    if stored.startswith(BCRYPT_PREFIXES):
        await _upgrade_password_hash(row["id"], stored, password)
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(24)
    created = now()
    await AuthSessionTable.insert(
        AuthSessionTable(
            id=uuid4(),
            user_id=row["id"],
            token_hash=hash_token(token),
            csrf_token=csrf_token,
            created_at=created,
            expires_at=created + timedelta(days=get_settings().security.session_days),
        )
    ).run()
    return SignedIn(user=to_struct(User, row), token=token, csrf_token=csrf_token)


async def authenticate(*, token: str) -> Authenticated | None:
    """The signed-in session for a cookie token, or None when unknown, expired or deactivated."""
    rows = await AuthSessionTable.raw(
        "SELECT s.id, s.user_id, s.csrf_token, s.expires_at FROM auth_sessions s "
        "JOIN users u ON u.id = s.user_id WHERE s.token_hash = {} AND u.is_active = {}",
        hash_token(token),
        True,
    ).run()
    if not rows:
        return None
    row = rows[0]
    if row["expires_at"] <= now():
        return None
    return Authenticated(user_id=row["user_id"], auth_session_id=row["id"], csrf_token=row["csrf_token"])


async def sign_out(*, auth_session_id: UUID) -> None:
    await AuthSessionTable.delete().where(AuthSessionTable.id == auth_session_id).run()


async def deactivate_user(*, user_id: UUID) -> None:
    """Close an account: it can no longer sign in; its data stays."""
    async with write_transaction():
        await UserTable.update({UserTable.is_active: False}).where(UserTable.id == user_id).run()
        await AuthSessionTable.delete().where(AuthSessionTable.user_id == user_id).run()

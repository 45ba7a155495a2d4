"""Accounts, passwords and sign-in sessions."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.database import is_unique_violation, now, to_struct, write_transaction
from server.errors import Conflict, NotAuthenticated
from server.settings import get_settings
from server.users import limiter
from server.users.passwords import check_password
from server.users.schemas import SignUpAccepted, User
from server.users.tables import AuthSession as AuthSessionTable
from server.users.tables import User as UserTable
from server.workflow import events

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
    """Create an account (the command line's `create-user`); 409 when the e-mail is taken."""
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    row = _user_row(email, password_hash)
    try:
        await UserTable.insert(UserTable(**row)).run()
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(f"An account with e-mail {row['email']} already exists") from exc
        raise
    return to_struct(User, row)


def _user_row(email: str, password_hash: str) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "email": normalize_email(email),
        "password_hash": password_hash,
        "is_active": True,
        "created_at": now(),
    }


SIGN_UP_ANSWER = (
    "If this e-mail address can be used, its account is ready: sign in with it. "
    "If it already had an account, sign in with that account's password."
)


async def sign_up(*, email: str, password: str, client: str) -> SignUpAccepted:
    """Create an account, answering the same whether or not the e-mail already has one (so
    sign-up tells no one which addresses are registered), after the same work in both cases.
    Throttled per client address; the password must pass the policy."""
    await limiter.take([(limiter.sign_up_limit(), client)], "Too many sign-ups from this address")
    check_password(password, email)
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    row = _user_row(email, password_hash)
    try:
        await UserTable.insert(UserTable(**row)).run()
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    return SignUpAccepted(message=SIGN_UP_ANSWER)


async def get_user(*, user_id: UUID) -> User:
    row = await UserTable.select().where(UserTable.id == user_id).first().run()
    if row is None:
        raise NotAuthenticated("Account not found")
    return to_struct(User, row)


async def sign_in(*, email: str, password: str, client: str) -> SignedIn:
    """Sign in. The attempt is counted (per account and per client address) before the
    password is verified, and refused with 429 over either limit, so no number of concurrent
    guesses gets more than the limit verified. A success starts the account's count again."""
    email = normalize_email(email)
    account, address = limiter.sign_in_limits()
    await limiter.take([(account, email), (address, client)], "Too many sign-in attempts")
    row = await UserTable.select().where(UserTable.email == email).first().run()
    # An unknown e-mail is verified against a dummy hash, so both cases cost the same time.
    stored = row["password_hash"] if row else _dummy_hash()
    matched = await asyncio.to_thread(verify_password, stored, password)
    if row is None or not matched or not row["is_active"]:
        raise NotAuthenticated("Wrong e-mail or password")
    await limiter.reset(account, email)
    await limiter.give_back(address, client)  # the address count is of failed attempts
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


async def sign_out(*, user_id: UUID, auth_session_id: UUID) -> None:
    """End a sign-in session; its open event streams end with it, in every server process."""
    await AuthSessionTable.delete().where(AuthSessionTable.id == auth_session_id).run()
    await events.close_streams(user_id=user_id, auth_session_ids=[auth_session_id])


async def deactivate_user(*, user_id: UUID) -> None:
    """Close an account: it can no longer sign in; its data stays; its streams end."""
    async with write_transaction():
        await UserTable.update({UserTable.is_active: False}).where(UserTable.id == user_id).run()
        await AuthSessionTable.delete().where(AuthSessionTable.user_id == user_id).run()
    await events.close_streams(user_id=user_id)


async def purge_expired() -> int:
    """Delete the sign-in sessions that expired and the rate-limit counts whose window ended;
    returns how many sessions were deleted."""
    rows = (
        await AuthSessionTable.delete().where(AuthSessionTable.expires_at <= now()).returning(AuthSessionTable.id).run()
    )
    await limiter.purge()
    return len(rows)

"""Accounts and sign-in."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from msgspec import Meta

from server.schemas import Input, Output, Timestamp

Email = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="An e-mail address; compared case-insensitively.",
    ),
]
Password = Annotated[str, Meta(min_length=8, max_length=256)]


class SignUp(Input, kw_only=True):
    """Create an account."""

    email: Email
    password: Password


class SignIn(Input, kw_only=True):
    """Sign in with e-mail and password."""

    email: Email
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class SignUpAccepted(Output, kw_only=True):
    """The answer to a sign-up: the same whether or not the e-mail already had an account."""

    message: str
    """What to do next: sign in."""


class User(Output, kw_only=True):
    """A signed-up person."""

    id: UUID
    email: str
    is_active: bool
    created_at: Timestamp


class CurrentUser(Output, kw_only=True):
    """The signed-in user and the token to send as `X-CSRF-Token` on unsafe requests."""

    user: User
    csrf_token: str

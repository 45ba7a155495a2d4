"""Accounts and their sign-in sessions."""

from piccolo.columns import UUID, Boolean, DoublePrecision, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from server.columns import created_column


class User(Table, tablename="users"):
    """A signed-up person. Never deleted by a cascade: closing an account deactivates it."""

    id = UUID(primary_key=True)
    email = Varchar(length=254, unique=True, null=False)
    password_hash = Varchar(length=255, null=False)
    is_active = Boolean(default=True, null=False)
    created_at = created_column()


class AuthSession(Table, tablename="auth_sessions"):
    """A signed-in browser or client: the hash of its cookie token and its CSRF token."""

    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    token_hash = Varchar(length=64, unique=True, null=False)
    csrf_token = Varchar(length=64, null=False)
    created_at = created_column()
    expires_at = Timestamptz(null=False, index=True)


class RateLimitCount(Table, tablename="rate_limit_counts"):
    """How many attempts one key (a hashed account or address) made in its current window,
    shared by every server process (docs/security.md, "Sign-in limiter")."""

    key = Varchar(length=64, primary_key=True)
    hits = Integer(null=False, default=0)
    window_ends = DoublePrecision(null=False, default=0.0, index=True)
    """Seconds since the epoch at which the window ends and the count starts again."""

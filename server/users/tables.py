"""Accounts and their sign-in sessions."""

from piccolo.columns import UUID, Boolean, ForeignKey, OnDelete, Timestamptz, Varchar
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
    expires_at = Timestamptz(null=False)

"""Cookie authentication with a per-session CSRF token, applied to every `/api` route
except sign-up and sign-in (deny by default)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware

from server.errors import Forbidden, NotAuthenticated
from server.users.service import Authenticated, authenticate

SESSION_COOKIE = "missions_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PATHS = [
    r"^/api/auth/sign-(in|up)$",
    r"^/api/schema",
    r"^/api/docs-assets/",
]  # plus handlers marked exclude_from_auth


def is_public(path: str, opt: Mapping[str, Any]) -> bool:
    """Whether a route answers without sign-in (a public path, or a handler marked so)."""
    return bool(opt.get("exclude_from_auth")) or any(re.match(pattern, path) for pattern in PUBLIC_PATHS)


class CookieAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        auth = await authenticate(token=token) if token else None
        if auth is None:
            raise NotAuthenticated("Sign in first")
        method = connection.scope.get("method", "GET")
        if method not in SAFE_METHODS:
            # Compared as bytes: a header may carry any latin-1 character, which
            # compare_digest refuses on str.
            sent = connection.headers.get(CSRF_HEADER, "").encode("utf-8", "surrogateescape")
            if not secrets.compare_digest(sent, auth.csrf_token.encode()):
                raise Forbidden("Missing or wrong X-CSRF-Token header")
        return AuthenticationResult(user=auth.user_id, auth=auth)


auth_middleware = DefineMiddleware(CookieAuthMiddleware, exclude=PUBLIC_PATHS)

__all__ = ["Authenticated", "CSRF_HEADER", "SESSION_COOKIE", "auth_middleware"]

"""Security headers on every response (docs/security.md, "Headers"): a strict
Content-Security-Policy (scripts, styles and connections from this origin only; no framing,
no plugins, no base or form target elsewhere), `X-Content-Type-Options: nosniff`,
`Referrer-Policy` and frame protection. A hook on every message the app sends: the headers
are added as each response starts, whatever produced it (a route, an error handler, an
unknown path, a static file)."""

from __future__ import annotations

from typing import Any

from server.docs_page import ASSETS_PATH

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
"""The documentation page's widgets set inline styles; its scripts are as strict as elsewhere."""

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_HEADERS = [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), *_COMMON]
_DOCS_HEADERS = [(b"content-security-policy", DOCS_CONTENT_SECURITY_POLICY.encode()), *_COMMON]
_DOCS_PAGES = frozenset({"/api/schema", "/api/schema/", "/api/schema/swagger"})


async def add_security_headers(message: Any, scope: Any) -> None:
    """The app's `before_send` hook: every HTTP response start gets the headers. A coroutine:
    Litestar runs a plain function hook in a worker thread, twice per response."""
    if message["type"] != "http.response.start":
        return
    path = scope.get("path", "")
    extra = _DOCS_HEADERS if path in _DOCS_PAGES or path.startswith(ASSETS_PATH) else _HEADERS
    message["headers"] = [*message.get("headers", []), *extra]

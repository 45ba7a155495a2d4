"""An HTTP client for the tests: real requests through the app, with the session cookie
and the CSRF header handled like the SPA does."""

from __future__ import annotations

import itertools
import uuid
from contextlib import asynccontextmanager
from typing import Any

import httpx

PASSWORD = "correct horse battery"
_counter = itertools.count()


class ApiClient(httpx.AsyncClient):
    def __init__(self, app: Any) -> None:
        super().__init__(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        self.csrf_token: str | None = None
        self.user: dict[str, Any] | None = None

    async def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        if self.csrf_token and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("x-csrf-token", self.csrf_token)
            kwargs["headers"] = headers
        return await super().request(method, url, **kwargs)

    async def sign_up_and_in(self, email: str | None = None) -> dict[str, Any]:
        email = email or f"user{next(_counter)}-{uuid.uuid4().hex[:8]}@example.com"
        response = await self.post("/api/auth/sign-up", json={"email": email, "password": PASSWORD})
        assert response.status_code == 202, response.text
        response = await self.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        body = response.json()
        self.csrf_token = body["csrf_token"]
        self.user = body["user"]
        return body["user"]


@asynccontextmanager
async def signed_in_client(app: Any):
    async with ApiClient(app) as client:
        await client.sign_up_and_in()
        yield client

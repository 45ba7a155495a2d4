"""Checks every API response against the Struct its route declares.

Wraps the ASGI app: after each `/api` request it decodes the body strictly with msgspec
against the handler's return type (or `ErrorResponse` for errors) and keeps the first body
of every response type, for the wire fixtures."""

from __future__ import annotations

import gzip
import typing
from typing import Any

import msgspec
from litestar import Litestar, Response

from server.schemas import ErrorResponse

RECORDED: dict[str, bytes] = {}
"""Response type name -> one real body of that type, seen during the test run."""


def declared_type(handler: Any) -> Any:
    annotation = handler.parsed_fn_signature.return_type.annotation
    origin = typing.get_origin(annotation)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Response):
        (annotation,) = typing.get_args(annotation)
    elif isinstance(annotation, type) and issubclass(annotation, Response):
        return Any
    return annotation


class ContractViolation(AssertionError):
    pass


class ContractCheckingApp:
    def __init__(self, app: Litestar) -> None:
        self.app = app
        self.violations: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["path"].startswith("/api/schema"):
            await self.app(scope, receive, send)
            return
        status = 0
        chunks: list[bytes] = []
        content_type = b""
        encoding = b""

        async def capture(message) -> None:
            nonlocal status, content_type, encoding
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = dict(message.get("headers", []))
                content_type = headers.get(b"content-type", b"")
                encoding = headers.get(b"content-encoding", b"")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if not content_type.startswith(b"application/json"):
            return
        body = b"".join(chunks)
        if encoding == b"gzip":  # large bodies are compressed by the app
            body = gzip.decompress(body)
        handler = scope.get("route_handler")
        expected: Any = ErrorResponse if status >= 400 or handler is None else declared_type(handler)
        if expected in (None, type(None)) and status == 204:
            return
        try:
            msgspec.json.decode(body, type=expected, strict=True)
        except msgspec.ValidationError as exc:
            self.violations.append(f"{scope['method']} {scope['path']} -> {status}: {exc}")
            message = f"{scope['method']} {scope['path']} response does not match {expected}: {exc}"
            raise ContractViolation(message) from exc
        name = getattr(expected, "__name__", None)
        if name and name not in RECORDED:
            RECORDED[name] = body

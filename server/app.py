"""The application factory: routes, error handlers, auth, OpenAPI, the SPA, and the
database pool opened and closed with the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from litestar import Litestar, Request, get
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from server.assistant.runner import assistant_lifespan
from server.auth import auth_middleware
from server.database import engine
from server.errors import EXCEPTION_HANDLERS, ApiRequest
from server.openapi import render_plugins
from server.routes import CONTROLLERS
from server.spa import spa_routes
from server.workflow.events import events_lifespan
from server.workflow.executor import executor_lifespan


@asynccontextmanager
async def database_pool(_: Litestar) -> AsyncIterator[None]:
    db = engine()
    await db.start_connection_pool()
    try:
        yield
    finally:
        await db.close_connection_pool()


def provide_user_id(request: Request[Any, Any, Any]) -> UUID:
    user: UUID = request.user
    return user


@get("/api/health", operation_id="health", tags=["meta"], exclude_from_auth=True)
async def health() -> dict[str, str]:
    """Liveness check."""
    return {"status": "ok"}


def create_app(*, debug: bool = False, lifespan_extra: list[Any] | None = None) -> Litestar:
    return Litestar(
        route_handlers=[health, *CONTROLLERS, *spa_routes()],
        dependencies={"user_id": Provide(provide_user_id, sync_to_thread=False)},
        middleware=[auth_middleware],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        request_class=ApiRequest,
        lifespan=[database_pool, events_lifespan, executor_lifespan, assistant_lifespan, *(lifespan_extra or [])],
        openapi_config=OpenAPIConfig(
            title="Missions API",
            version="1.0.0",
            path="/api/schema",
            render_plugins=render_plugins(),
        ),
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=4096, gzip_compress_level=5, exclude=["^/api/events"]
        ),  # a gzip stream would hold events back
        debug=debug,
    )

"""The application factory: routes, error handlers, auth, OpenAPI, the SPA, and the
database pool opened and closed with the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from litestar import Litestar, Request, get
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from piccolo.querystring import QueryString

from server.admission import Admission
from server.assistant.runner import assistant_lifespan
from server.auth import auth_middleware
from server.database import engine
from server.docs_page import PackagedSwaggerPlugin, docs_asset
from server.errors import EXCEPTION_HANDLERS, ApiRequest, ServiceUnavailable
from server.headers import add_security_headers
from server.openapi import render_plugins
from server.routes import CONTROLLERS
from server.settings import get_settings
from server.spa import spa_routes
from server.users import service as users
from server.workflow.events import events_lifespan
from server.workflow.executor import executor_lifespan

logger = logging.getLogger("server")


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
    """Liveness: the process answers (it does not look at the database)."""
    return {"status": "ok"}


READINESS_TIMEOUT_SECONDS = 2.0


@get("/api/ready", operation_id="ready", tags=["meta"], exclude_from_auth=True)
async def ready() -> dict[str, str]:
    """Readiness: the database answers a query within a moment; else 503 with `Retry-After`."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await engine().run_querystring(QueryString("SELECT 1"))
    except Exception as exc:
        raise ServiceUnavailable("The database is unavailable; try again shortly") from exc
    return {"status": "ok"}


async def _purge_forever(interval: float) -> None:
    while True:
        try:
            await users.purge_expired()
        except Exception:
            logger.warning("purge of expired sign-ins failed", exc_info=True)
        await asyncio.sleep(interval)


@asynccontextmanager
async def purge_lifespan(_: Litestar) -> AsyncIterator[None]:
    """Expired sign-in sessions and lapsed rate-limit counts are deleted now and then."""
    task = asyncio.get_running_loop().create_task(
        _purge_forever(get_settings().security.purge_interval_seconds), name="purge expired"
    )
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def create_app(*, debug: bool = False, lifespan_extra: list[Any] | None = None) -> Litestar:
    return Litestar(
        route_handlers=[health, ready, docs_asset, *CONTROLLERS, *spa_routes()],
        dependencies={"user_id": Provide(provide_user_id, sync_to_thread=False)},
        middleware=[Admission, auth_middleware],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        request_class=ApiRequest,
        lifespan=[
            database_pool,
            events_lifespan,
            executor_lifespan,
            assistant_lifespan,
            purge_lifespan,
            *(lifespan_extra or []),
        ],
        before_send=[add_security_headers],
        openapi_config=OpenAPIConfig(
            title="Missions API",
            version="1.0.0",
            path="/api/schema",
            render_plugins=[PackagedSwaggerPlugin(), *render_plugins()],
        ),
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=4096, gzip_compress_level=5, exclude=["^/api/events"]
        ),  # a gzip stream would hold events back
        debug=debug,
    )

"""Serves the built SPA (`frontend/dist`) from the same server, with index.html for
client-side routes."""

from __future__ import annotations

from pathlib import Path

from litestar import MediaType, Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import File

from server.settings import PROJECT_ROOT

DIST = PROJECT_ROOT / "frontend" / "dist"


def spa_routes() -> list[HTTPRouteHandler]:
    @get(["/", "/{path:path}"], include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
    def spa(path: FromPath[Path | None] = None) -> Response[str] | File:
        relative = str(path or "").lstrip("/")
        if relative.startswith("api/") or relative == "api":
            raise NotFoundException(f"No route {relative}")
        index = DIST / "index.html"
        if relative:
            candidate = (DIST / relative).resolve()
            if candidate.is_file() and DIST.resolve() in candidate.parents:
                # The name gives the media type (a module script must not be octet-stream).
                return File(candidate, filename=candidate.name, content_disposition_type="inline")
        if index.is_file():
            return File(index, filename="index.html", content_disposition_type="inline")
        return Response(
            "<!doctype html><title>Missions</title><p>The web app is not built yet: run <code>npm run build</code> "
            "in frontend/.</p>",
            media_type=MediaType.HTML,
        )

    return [spa]

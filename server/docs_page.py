"""The API documentation page (`/api/schema`): Swagger UI from the installed
`swagger_ui_bundle` package, served by this server (no CDN), started by a script file of our
own, so the page keeps the strict Content-Security-Policy (`server/headers.py`)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath
from litestar.response import File
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

ASSETS_PATH = "/api/docs-assets"
ASSETS = Path(swagger_ui_path)
SERVED = frozenset({"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "favicon-32x32.png"})
_INIT = """window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
});
"""


class PackagedSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI whose files come from this server."""

    def __init__(self) -> None:
        super().__init__(path="/swagger")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        url = html.escape(self.get_openapi_json_route(request))
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="{ASSETS_PATH}/favicon-32x32.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-url="{url}"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/swagger-ui-standalone-preset.js"></script>
<script src="{ASSETS_PATH}/init.js"></script></body></html>""".encode()


@get(f"{ASSETS_PATH}/{{name:str}}", include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
def docs_asset(name: FromPath[str]) -> Response[str] | File:
    """A file of the documentation page."""
    if name == "init.js":
        return Response(_INIT, media_type="text/javascript")
    if name not in SERVED:
        raise NotFoundException(f"No file {name}")
    return File(ASSETS / name, filename=name, content_disposition_type="inline")

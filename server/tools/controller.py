"""The tool catalog, for the SPA."""

from __future__ import annotations

from litestar import Controller, get

from server.tools.registry import get_registry
from server.tools.schemas import ToolCatalog


class ToolController(Controller):
    path = "/api/tools"
    tags = ["tools"]

    @get("/", operation_id="list_tools")
    async def list_tools(self) -> ToolCatalog:
        """Every registered tool: parameters, outputs, resources and sample responses."""
        return get_registry().catalog()

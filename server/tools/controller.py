"""The tool catalog, for the SPA, and the tool lab: run a tool on its own, keep an output."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.assets.schemas import Asset
from server.params import CurrentUserId
from server.tools.registry import get_registry
from server.tools.schemas import ToolCatalog
from server.workflow import lab
from server.workflow.schemas import ToolResultSave, ToolRun, ToolRunResult


class ToolController(Controller):
    path = "/api/tools"
    tags = ["tools"]

    @get("/", operation_id="list_tools")
    async def list_tools(self) -> ToolCatalog:
        """Every registered tool: parameters, outputs, resources and sample responses."""
        return get_registry().catalog()

    @post("/{tool_id:str}/run", status_code=HTTP_200_OK, operation_id="run_tool")
    async def run_tool(self, user_id: CurrentUserId, tool_id: FromPath[str], data: JSONBody[ToolRun]) -> ToolRunResult:
        """Run a tool on literal values or your assets, outside any mission; nothing is stored."""
        return await lab.run_tool(user_id=user_id, tool_id=tool_id, data=data)

    @post("/results", status_code=HTTP_201_CREATED, operation_id="save_tool_result")
    async def save_tool_result(self, user_id: CurrentUserId, data: JSONBody[ToolResultSave]) -> Asset:
        """Keep one output of a tool run as a new input asset of one of your missions."""
        return await lab.save_result(user_id=user_id, data=data)

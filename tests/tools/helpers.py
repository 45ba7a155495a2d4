from typing import Any

from server.tools.base import ToolContext
from server.tools.registry import get_registry, run_tool


async def call(
    tool_id: str, resources: dict[str, dict[str, Any]] | None = None, timeout: float = 30.0, **parameters: Any
) -> dict[str, Any]:
    """Run one registered tool as the executor does, with plain JSON in and out."""
    tool = get_registry().tool(tool_id)
    assert tool is not None
    return await run_tool(tool, parameters, ToolContext(resources=resources or {}, timeout_seconds=timeout))

"""Routes for missions, hops and tool steps: read, update descriptive fields, delete.
Creation and status changes are transitions (see `server.workflow`)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from server.enums import MissionStatus
from server.missions import service
from server.missions.schemas import (
    Hop,
    HopPage,
    HopUpdate,
    Mission,
    MissionPage,
    MissionUpdate,
    ToolStep,
    ToolStepPage,
    ToolStepUpdate,
)
from server.params import DEFAULT_LIMIT, CurrentUserId, Limit, Offset


class MissionController(Controller):
    path = "/api/missions"
    tags = ["missions"]

    @get("/", operation_id="list_missions")
    async def list_missions(
        self,
        user_id: CurrentUserId,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        status: FromQuery[MissionStatus | None] = None,
    ) -> MissionPage:
        """The user's missions, newest first."""
        return await service.list_missions(user_id=user_id, limit=limit, offset=offset, status=status)

    @get("/{mission_id:uuid}", operation_id="get_mission")
    async def get_mission(self, user_id: CurrentUserId, mission_id: FromPath[UUID]) -> Mission:
        """One mission with its hops, their tool steps and the asset maps."""
        return await service.get_mission(user_id=user_id, mission_id=mission_id)

    @patch("/{mission_id:uuid}", operation_id="update_mission")
    async def update_mission(
        self, user_id: CurrentUserId, mission_id: FromPath[UUID], data: JSONBody[MissionUpdate]
    ) -> Mission:
        """Change a mission's descriptive fields."""
        return await service.update_mission(user_id=user_id, mission_id=mission_id, data=data)

    @delete("/{mission_id:uuid}", status_code=HTTP_204_NO_CONTENT, operation_id="delete_mission")
    async def delete_mission(self, user_id: CurrentUserId, mission_id: FromPath[UUID]) -> None:
        """Delete a mission with its hops, tool steps, mapping rows and scoped assets."""
        await service.delete_mission(user_id=user_id, mission_id=mission_id)

    @get("/{mission_id:uuid}/hops", operation_id="list_hops")
    async def list_hops(
        self, user_id: CurrentUserId, mission_id: FromPath[UUID], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> HopPage:
        """The mission's hops in order, with their tool steps."""
        return await service.list_hops(user_id=user_id, mission_id=mission_id, limit=limit, offset=offset)


class HopController(Controller):
    path = "/api/hops"
    tags = ["hops"]

    @get("/{hop_id:uuid}", operation_id="get_hop")
    async def get_hop(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> Hop:
        """One hop with its tool steps and asset map."""
        return await service.get_hop(user_id=user_id, hop_id=hop_id)

    @patch("/{hop_id:uuid}", operation_id="update_hop")
    async def update_hop(self, user_id: CurrentUserId, hop_id: FromPath[UUID], data: JSONBody[HopUpdate]) -> Hop:
        """Change a hop's descriptive fields."""
        return await service.update_hop(user_id=user_id, hop_id=hop_id, data=data)

    @delete("/{hop_id:uuid}", status_code=HTTP_204_NO_CONTENT, operation_id="delete_hop")
    async def delete_hop(self, user_id: CurrentUserId, hop_id: FromPath[UUID]) -> None:
        """Delete a hop with its tool steps, mapping rows and hop-scoped assets."""
        await service.delete_hop(user_id=user_id, hop_id=hop_id)

    @get("/{hop_id:uuid}/tool-steps", operation_id="list_tool_steps")
    async def list_tool_steps(
        self, user_id: CurrentUserId, hop_id: FromPath[UUID], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> ToolStepPage:
        """The hop's tool steps in order."""
        return await service.list_tool_steps(user_id=user_id, hop_id=hop_id, limit=limit, offset=offset)


class ToolStepController(Controller):
    path = "/api/tool-steps"
    tags = ["tool steps"]

    @get("/{step_id:uuid}", operation_id="get_tool_step")
    async def get_tool_step(self, user_id: CurrentUserId, step_id: FromPath[UUID]) -> ToolStep:
        """One tool step."""
        return await service.get_tool_step(user_id=user_id, step_id=step_id)

    @patch("/{step_id:uuid}", operation_id="update_tool_step")
    async def update_tool_step(
        self, user_id: CurrentUserId, step_id: FromPath[UUID], data: JSONBody[ToolStepUpdate]
    ) -> ToolStep:
        """Change a tool step's descriptive fields."""
        return await service.update_tool_step(user_id=user_id, step_id=step_id, data=data)

    @delete("/{step_id:uuid}", status_code=HTTP_204_NO_CONTENT, operation_id="delete_tool_step")
    async def delete_tool_step(self, user_id: CurrentUserId, step_id: FromPath[UUID]) -> None:
        """Delete a tool step."""
        await service.delete_tool_step(user_id=user_id, step_id=step_id)

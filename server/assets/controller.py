"""Routes for assets."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.assets import service
from server.assets.schemas import Asset, AssetCreate, AssetPage, AssetUpdate
from server.enums import AssetRole, AssetStatus
from server.params import DEFAULT_LIMIT, CurrentUserId, Limit, Offset


class AssetController(Controller):
    path = "/api"
    tags = ["assets"]

    @get("/assets", operation_id="list_assets")
    async def list_assets(
        self,
        user_id: CurrentUserId,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        mission_id: FromQuery[UUID | None] = None,
        hop_id: FromQuery[UUID | None] = None,
        role: FromQuery[AssetRole | None] = None,
        status: FromQuery[AssetStatus | None] = None,
    ) -> AssetPage:
        """Assets without their content, oldest first, optionally those of one mission or hop."""
        return await service.list_assets(
            user_id=user_id, limit=limit, offset=offset, mission_id=mission_id, hop_id=hop_id, role=role, status=status
        )

    @get("/assets/{asset_id:uuid}", operation_id="get_asset")
    async def get_asset(self, user_id: CurrentUserId, asset_id: FromPath[UUID]) -> Asset:
        """One asset with its content."""
        return await service.get_asset(user_id=user_id, asset_id=asset_id)

    @post("/missions/{mission_id:uuid}/assets", status_code=HTTP_201_CREATED, operation_id="create_mission_asset")
    async def create_mission_asset(
        self, user_id: CurrentUserId, mission_id: FromPath[UUID], data: JSONBody[AssetCreate]
    ) -> Asset:
        """Add an input or output asset to a mission."""
        return await service.create_mission_asset(user_id=user_id, mission_id=mission_id, data=data)

    @patch("/assets/{asset_id:uuid}", operation_id="update_asset")
    async def update_asset(
        self, user_id: CurrentUserId, asset_id: FromPath[UUID], data: JSONBody[AssetUpdate]
    ) -> Asset:
        """Change an asset's descriptive fields or its content."""
        return await service.update_asset(user_id=user_id, asset_id=asset_id, data=data)

    @delete("/assets/{asset_id:uuid}", status_code=HTTP_204_NO_CONTENT, operation_id="delete_asset")
    async def delete_asset(self, user_id: CurrentUserId, asset_id: FromPath[UUID]) -> None:
        """Delete an asset and its mapping rows."""
        await service.delete_asset(user_id=user_id, asset_id=asset_id)

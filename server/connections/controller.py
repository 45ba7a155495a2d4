"""Routes of saved connections and of the resource types they configure."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.connections import service
from server.connections.schemas import Connection, ConnectionCreate, ConnectionPage, ConnectionUpdate, ConnectionUsage
from server.params import CurrentUserId
from server.tools.registry import get_registry
from server.tools.schemas import ResourceTypeCatalog


class ConnectionController(Controller):
    path = "/api"
    tags = ["connections"]

    @get("/resource-types", operation_id="list_resource_types")
    async def list_resource_types(self) -> ResourceTypeCatalog:
        """Every resource type the tools depend on: its fields, and whether it can be checked."""
        return get_registry().resource_type_catalog()

    @get("/connections", operation_id="list_connections")
    async def list_connections(
        self, user_id: CurrentUserId, resource_type: FromQuery[str | None] = None
    ) -> ConnectionPage:
        """The user's connections by name (secret values hidden), optionally of one resource type."""
        return await service.list_connections(user_id=user_id, resource_type=resource_type)

    @post("/connections", status_code=HTTP_201_CREATED, operation_id="create_connection")
    async def create_connection(self, user_id: CurrentUserId, data: JSONBody[ConnectionCreate]) -> Connection:
        """Save a connection (secret values stored encrypted, never returned)."""
        return await service.create_connection(user_id=user_id, data=data)

    @get("/connections/{connection_id:uuid}", operation_id="get_connection")
    async def get_connection(self, user_id: CurrentUserId, connection_id: FromPath[UUID]) -> Connection:
        """One connection (secret values hidden)."""
        return await service.get_connection(user_id=user_id, connection_id=connection_id)

    @patch("/connections/{connection_id:uuid}", operation_id="update_connection")
    async def update_connection(
        self, user_id: CurrentUserId, connection_id: FromPath[UUID], data: JSONBody[ConnectionUpdate]
    ) -> Connection:
        """Change a connection; the steps that use it take the change from their next run."""
        return await service.update_connection(user_id=user_id, connection_id=connection_id, data=data)

    @delete("/connections/{connection_id:uuid}", status_code=HTTP_204_NO_CONTENT, operation_id="delete_connection")
    async def delete_connection(self, user_id: CurrentUserId, connection_id: FromPath[UUID]) -> None:
        """Delete a connection that no step uses (409 naming the steps that do)."""
        await service.delete_connection(user_id=user_id, connection_id=connection_id)

    @get("/connections/{connection_id:uuid}/usage", operation_id="get_connection_usage")
    async def get_connection_usage(self, user_id: CurrentUserId, connection_id: FromPath[UUID]) -> ConnectionUsage:
        """The steps that use the connection."""
        return await service.connection_usage(user_id=user_id, connection_id=connection_id)

    @post("/connections/{connection_id:uuid}/check", status_code=HTTP_200_OK, operation_id="check_connection")
    async def check_connection(self, user_id: CurrentUserId, connection_id: FromPath[UUID]) -> Connection:
        """Try the connection against its service and record what was found."""
        return await service.check_connection(user_id=user_id, connection_id=connection_id)

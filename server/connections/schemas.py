"""Saved connections: a resource configuration a user saves once (a name, a resource type, its
values, secrets write-only) and picks in any step that needs a resource of that type
(docs/domain.md, "Connections")."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

from server.enums import DEFAULT_CONNECTION_CHECK_STATUS, ConnectionCheckStatus
from server.schemas import Input, Name, Output, Timestamp

ResourceTypeName = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
ConnectionValues = Annotated[dict[str, Any], Meta(max_length=50)]


class ConnectionCreate(Input, kw_only=True):
    """A new connection. `values` holds every field, secrets included: the resource type says
    which are secret, and those are stored encrypted and never returned."""

    name: Name
    resource_type: ResourceTypeName
    """One of `GET /api/resource-types`."""
    values: ConnectionValues = {}
    """Field name -> value; every required field of the resource type must be set."""


class ConnectionUpdate(Input, kw_only=True):
    """Change a connection: fields of `values` not named keep their stored value, a null value
    clears one. Steps that use the connection take the change from their next run."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    values: ConnectionValues | msgspec.UnsetType = msgspec.UNSET


class Connection(Output, kw_only=True):
    """A saved connection, its secret values hidden."""

    id: UUID
    name: str
    resource_type: str
    values: dict[str, Any]
    """Values of the resource type's non-secret fields."""
    secrets: dict[str, bool]
    """Secret fields: true when a value is stored. Secret values are never returned."""
    check_status: ConnectionCheckStatus = DEFAULT_CONNECTION_CHECK_STATUS
    """What its last check found (`unchecked` again after any change)."""
    check_message: str | None = None
    checked_at: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp


class ConnectionPage(Output, kw_only=True):
    """The user's connections, by name."""

    items: list[Connection]
    total: int


class ConnectionUse(Output, kw_only=True):
    """A tool step that uses a connection for one of its resources."""

    step_id: UUID
    step_name: str
    resource_id: str
    hop_id: UUID
    hop_name: str
    mission_id: UUID
    mission_name: str


class ConnectionUsage(Output, kw_only=True):
    """The steps that use a connection (a connection in use cannot be deleted)."""

    connection_id: UUID
    steps: list[ConnectionUse]

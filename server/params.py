"""Parameter markers shared by the controllers."""

from typing import Annotated
from uuid import UUID

from litestar.di import Dependency
from litestar.params import QueryParameter

CurrentUserId = Annotated[UUID, Dependency(kind="named")]
"""The signed-in user's id (provided by the auth middleware)."""

Limit = Annotated[int, QueryParameter(ge=1, le=200, description="Page size (1 to 200).")]
MAX_OFFSET = 2**31 - 1
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many items to skip.")]
"""Bounded so that a huge number is refused as input instead of overflowing the database."""
DEFAULT_LIMIT = 50

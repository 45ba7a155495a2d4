"""What a tool handler depends on: the context it runs in and the error it raises.

A handler is `async def run(parameters: <Tool>Parameters, context: ToolContext) -> <Tool>Outputs`
(the Structs generated into `server/tools/models.py`). It raises `ToolError` with a readable
message when it cannot do its work; the executor fails the step with that message.
Handlers import this module, never the registry (which imports them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


class ToolError(Exception):
    """A tool could not do its work; the message is shown to the user as the step's error."""


@dataclass(slots=True)
class ToolContext:
    """What a handler gets besides its parameters."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Resource id -> its configuration values, secrets decrypted; only configured resources."""
    timeout_seconds: float = 60.0
    """The step's time limit; handlers size their own network timeouts within it."""
    user_id: UUID | None = None
    step_id: UUID | None = None


Handler = Callable[[Any, ToolContext], Awaitable[Any]]

"""Admission: at most a number of requests are handled at once in one process; the others wait
their turn, in arrival order (docs/security.md, "Limits").

On SQLite one writer runs at a time and every statement hands the event loop back: with many
requests at once, a writer holding the database waits behind every other request's turn, and
the slowest requests wait for seconds. A bounded number in flight keeps each turn short, and
the order of arrival is kept, so the tail stays close to the median. Event streams, which last
minutes, are not counted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from server.settings import get_settings

STREAM_PATHS = ("/api/events",)


class Admission:
    """ASGI middleware around the app: `SERVER_CONCURRENT_REQUESTS` in flight, the rest queued."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.limit = get_settings().server.concurrent_requests
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope["path"].startswith(STREAM_PATHS):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)

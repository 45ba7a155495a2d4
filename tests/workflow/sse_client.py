"""Reading a server-sent events stream from the app in the test process.

httpx's ASGI transport waits for a whole response, so this drives the ASGI app directly:
the request goes in with the client's cookie, the body arrives chunk by chunk, and leaving
the context disconnects like a closed browser tab."""

from __future__ import annotations

import asyncio
import json
from typing import Any


class EventStream:
    def __init__(self, app: Any, client: Any, path: str = "/api/events") -> None:
        self.app = app
        self.client = client
        self.path = path
        self.status: int | None = None
        self.completed = False
        self.headers: dict[bytes, bytes] = {}
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._buffer = ""
        self._disconnect = asyncio.Event()
        self._started = asyncio.Event()
        self._first_body = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def _receive(self) -> dict[str, Any]:
        if not hasattr(self, "_sent_request"):
            self._sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = dict(message.get("headers", []))
            self._started.set()
        elif message["type"] == "http.response.body":
            self._first_body.set()
            if not message.get("more_body", False):
                self.completed = True
                self._disconnect.set()  # as a server does once the response is complete
            self._buffer += message.get("body", b"").decode()
            while "\r\n\r\n" in self._buffer or "\n\n" in self._buffer:
                separator = "\r\n\r\n" if "\r\n\r\n" in self._buffer else "\n\n"
                block, self._buffer = self._buffer.split(separator, 1)
                self.messages.put_nowait(parse_block(block))

    async def __aenter__(self) -> EventStream:
        cookie = "; ".join(f"{name}={value}" for name, value in self.client.cookies.items())
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"accept", b"text/event-stream"),
                (b"accept-encoding", b"gzip"),
                (b"cookie", cookie.encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "state": {},
        }
        self._task = asyncio.create_task(self.app(scope, self._receive, self._send))
        await asyncio.wait_for(self._started.wait(), 5)
        if self.status == 200:  # subscribed once the first bytes are out
            await asyncio.wait_for(self._first_body.wait(), 5)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._disconnect.set()
        assert self._task is not None
        await asyncio.wait_for(self._task, 5)

    async def next_message(self, timeout: float = 5.0) -> dict[str, Any]:
        return await asyncio.wait_for(self.messages.get(), timeout)

    async def next_event(self, timeout: float = 5.0) -> dict[str, Any]:
        """The data of the next `workflow` event, skipping comments."""
        while True:
            message = await self.next_message(timeout)
            if message.get("event") == "workflow":
                return json.loads(message["data"])

    async def events_until(self, predicate, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Every workflow event up to and including the first that meets `predicate`."""
        seen = []
        while True:
            event = await self.next_event(timeout)
            seen.append(event)
            if predicate(event):
                return seen

    def pending_events(self) -> list[dict[str, Any]]:
        events = []
        while not self.messages.empty():
            message = self.messages.get_nowait()
            if message.get("event") == "workflow":
                events.append(json.loads(message["data"]))
        return events


def parse_block(block: str) -> dict[str, Any]:
    """One SSE message: its fields (`event`, `data`, `retry`) and comments."""
    message: dict[str, Any] = {"comments": []}
    data: list[str] = []
    for line in block.splitlines():
        if line.startswith(":"):
            message["comments"].append(line[1:].strip())
        elif ":" in line:
            name, value = line.split(":", 1)
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            else:
                message[name] = value
    if data:
        message["data"] = "\n".join(data)
    return message

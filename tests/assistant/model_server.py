"""A local OpenAI-compatible Chat Completions server for the tests: real HTTP on 127.0.0.1
(stdlib `http.server` in a thread, HTTP/1.1 with chunked bodies), answers streamed as
server-sent events shaped like the real API's chunks, function-call arguments split into
fragments across chunks.

Each test scripts the answers (`ModelServer.script(...)`): a streamed reply (`Reply`), an
HTTP error (`Status`, e.g. 429 with `retry-after`), a slow answer (`Reply(delay_first=...)`),
a stream cut mid-way (`Reply(cut_after=...)`), a whole (non-streamed) answer for the tools'
model mode (`Whole`), or a function of the request that returns one of those. Without a
script entry, `responder` answers (the rule-based designer of `tests.assistant.designer`,
for instance). Every request is recorded with its headers and body.

`python -m tests.assistant.model_server --port 0` runs it on its own with the designer (the
browser tests do), printing its address on the first line.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    """A function call the model makes; its arguments go out in `fragments` pieces."""

    name: str
    arguments: Any
    """A JSON-able value, or a str sent as is (to send arguments that are not JSON)."""
    fragments: int = 4
    id: str = ""

    def text(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass
class Reply:
    """A streamed answer: text pieces, then function calls."""

    text: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    delay: float = 0.0
    """Pause between chunks, in seconds."""
    delay_first: float = 0.0
    """Pause before the first byte of the answer (a slow model)."""
    cut_after: int | None = None
    """Close the connection after this many chunks, before the end (a stream cut mid-way)."""
    finish_reason: str | None = None


@dataclass
class Status:
    """An HTTP error answer."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Whole:
    """A whole (not streamed) answer, as `stream: false` requests get."""

    text: str


Answer = Reply | Status | Whole
Scripted = Answer | Callable[[dict[str, Any]], Answer]


def chunk(delta: dict[str, Any], *, finish_reason: str | None = None, model: str = "test-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
    }


def reply_chunks(reply: Reply) -> list[dict[str, Any]]:
    """The chunks of a streamed reply, as the real API sends them."""
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in reply.text]
    for index, call in enumerate(reply.calls):
        text = call.text()
        size = max(1, -(-len(text) // max(1, call.fragments)))
        pieces = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        first = {
            "index": index,
            "id": call.id or f"call_{index}",
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        chunks.append(chunk({"tool_calls": [first]}))
        chunks += [chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}) for piece in pieces]
    finish = reply.finish_reason or ("tool_calls" if reply.calls else "stop")
    chunks.append(chunk({}, finish_reason=finish))
    return chunks


class ModelServer:
    """The server, its script and what it was asked."""

    def __init__(self, responder: Callable[[dict[str, Any]], Answer] | None = None) -> None:
        self.responder = responder
        self.queue: deque[Scripted] = deque()
        self.requests: list[dict[str, Any]] = []
        self.sent: list[tuple[str, float]] = []
        """(text piece, perf_counter when written), for the latency benchmark."""
        self.timings: list[tuple[float, float]] = []
        """(perf_counter when a request arrived, when its answer was all sent), per request."""
        self._lock = threading.Lock()
        owner = self

        class Handler(_Handler):
            server_owner = owner

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def start(self) -> ModelServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, *answers: Scripted) -> None:
        """Answer the next requests with these, in order."""
        with self._lock:
            self.queue.clear()
            self.queue.extend(answers)
            self.requests.clear()

    def next_answer(self, body: dict[str, Any]) -> Answer:
        with self._lock:
            self.requests.append(body)
            scripted = self.queue.popleft() if self.queue else None
        if scripted is None:
            if self.responder is None:
                return Status(500, {"error": {"message": "the test did not script this request"}})
            return self.responder(body)
        return scripted(body) if callable(scripted) else scripted

    @property
    def pending(self) -> int:
        return len(self.queue)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_owner: ModelServer

    def log_message(self, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # As the real servers do: each chunk leaves at once (no Nagle delay behind an ACK).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        received = time.perf_counter()
        try:
            self._answer()
        finally:
            self.server_owner.timings.append((received, time.perf_counter()))

    def _answer(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        body["_headers"] = {key.lower(): value for key, value in self.headers.items()}
        body["_path"] = self.path
        if not self.path.endswith("/chat/completions"):
            self._json(404, {"error": {"message": "unknown path"}})
            return
        answer = self.server_owner.next_answer(body)
        try:
            if isinstance(answer, Status):
                self._json(
                    answer.status, answer.body or {"error": {"message": f"HTTP {answer.status}"}}, answer.headers
                )
            elif isinstance(answer, Whole):
                self._whole(answer)
            elif body.get("stream"):
                self._stream(answer)
            else:
                self._whole(Whole("".join(answer.text)))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode() if not isinstance(payload, (bytes, str)) else str(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _whole(self, answer: Whole) -> None:
        self._json(
            200,
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": "test-model",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": answer.text}, "finish_reason": "stop"}
                ],
            },
        )

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, reply: Reply) -> None:
        if reply.delay_first:
            time.sleep(reply.delay_first)
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        for number, item in enumerate(reply_chunks(reply)):
            if reply.cut_after is not None and number >= reply.cut_after:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)  # no last chunk, no [DONE]: cut
                return
            if reply.delay and number:
                time.sleep(reply.delay)
            content = item["choices"][0]["delta"].get("content")
            self._write_chunk(f"data: {json.dumps(item)}\n\n".encode())
            if content:
                self.server_owner.sent.append((content, time.perf_counter()))
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")


def main() -> None:
    from tests.assistant.designer import Designer

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.03, help="pause between streamed chunks, in seconds")
    args = parser.parse_args()
    server = ModelServer(responder=Designer(delay=args.delay))
    server.httpd.server_close()
    server.httpd = ThreadingHTTPServer(("127.0.0.1", args.port), server.httpd.RequestHandlerClass)
    server.httpd.daemon_threads = True
    print(server.base_url, flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

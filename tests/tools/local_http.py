"""A local HTTP server for the tool tests (stdlib `http.server` in a thread, on 127.0.0.1):
web pages, slow and oversized answers, a SearxNG-compatible search endpoint and an
OpenAI-compatible chat-completions endpoint. Tests never reach the internet."""

from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ARTICLE = """<!doctype html>
<html lang="en"><head><title>  Tide   Report </title>
<meta name="description" content="Tides of the week">
<style>body { color: red }</style>
<script>var hidden = "do not show";</script></head>
<body><nav>Home</nav><h1>High tides</h1><p>The tide rises at <b>six</b> &amp; falls at noon.</p>
<noscript>enable scripts</noscript><p>Moon phases drive the tides.</p></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server_version = "LocalTest/1.0"
    requests_seen: list[dict] = []
    flaky_down = True
    """`/flaky` answers 503 while this is true."""

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _send(
        self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", headers: dict | None = None
    ) -> None:
        try:
            self._send_headers(status, body, content_type, headers)
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)

    def _send_headers(self, status: int, body: bytes, content_type: str, headers: dict | None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        type(self).requests_seen.append({"path": url.path, "query": query, "headers": dict(self.headers)})
        if url.path == "/article":
            self._send(200, ARTICLE.encode())
        elif url.path == "/plain":
            self._send(200, b"just text\n", "text/plain")
        elif url.path == "/redirect":
            self._send(302, b"", headers={"location": "/article"})
        elif url.path == "/flaky":
            if type(self).flaky_down:
                self._send(503, b"down for now", "text/plain")
            else:
                self._send(200, b"<title>Back up</title><p>Service restored.</p>")
        elif url.path == "/missing":
            self._send(404, b"<h1>nope</h1>")
        elif url.path == "/binary":
            self._send(200, bytes(range(256)), "application/octet-stream")
        elif url.path == "/broken-html":
            self._send(200, b"<html><title>Half<p>open <b>tags <div><script>x=1</p>text after &bogus; <![CDATA[")
        elif url.path == "/slow":
            time.sleep(float(query.get("s", ["3"])[0]))
            self._send(200, b"<title>late</title>")
        elif url.path == "/big":
            # No content-length: the size limit must be enforced while streaming.
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_536 + b"</p>"
            try:
                for _ in range(int(query.get("chunks", ["64"])[0])):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif url.path == "/search":
            results = [
                {
                    "title": f"Result {i} for {query['q'][0]}",
                    "url": f"https://example.org/{i}",
                    "content": f"  snippet\n {i} ",
                    "engine": "local",
                }
                for i in range(5)
            ]
            self._send(200, json.dumps({"query": query["q"][0], "results": results}).encode(), "application/json")
        elif url.path == "/bad-search/search":
            self._send(200, b"{not json", "application/json")
        elif url.path == "/down/search":
            self._send(503, b"maintenance", "text/plain")
        elif url.path == "/slow-search/search":
            time.sleep(3)
            self._send(200, b'{"results": []}', "application/json")
        else:
            self._send(404, b"unknown")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))) or b"{}")
        type(self).requests_seen.append({"path": url.path, "body": body, "headers": dict(self.headers)})
        if url.path == "/v1/chat/completions":
            answer = {"choices": [{"message": {"role": "assistant", "content": f" Summary by {body['model']}. "}}]}
            self._send(200, json.dumps(answer).encode(), "application/json")
        elif url.path == "/slow-llm/chat/completions":
            time.sleep(3)
            self._send(200, b'{"choices": []}', "application/json")
        elif url.path == "/broken/chat/completions":
            self._send(500, b"model crashed", "text/plain")
        else:
            self._send(404, b"unknown")


@contextmanager
def loopback_allowed():
    """Outbound requests may reach 127.0.0.1 meanwhile (`OUTBOUND_ALLOW_HOSTS`): the guarded
    client refuses loopback by default, and the test servers live there."""
    from server.settings import get_settings

    saved = os.environ.get("OUTBOUND_ALLOW_HOSTS")
    os.environ["OUTBOUND_ALLOW_HOSTS"] = "127.0.0.1"
    get_settings.cache_clear()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("OUTBOUND_ALLOW_HOSTS", None)
        else:
            os.environ["OUTBOUND_ALLOW_HOSTS"] = saved
        get_settings.cache_clear()


@contextmanager
def local_http_server(*, allow: bool = True):
    """Serve on a free port of 127.0.0.1 (which outbound requests may then reach, unless
    `allow=False`); yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        if allow:
            with loopback_allowed():
                yield f"http://127.0.0.1:{server.server_address[1]}"
        else:
            yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


requests_seen = _Handler.requests_seen


def set_flaky_down(down: bool) -> None:
    _Handler.flaky_down = down

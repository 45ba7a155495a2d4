"""Web tools: web_retrieve (fetch pages and make them readable) and web_search (a
SearxNG-compatible search provider)."""

from __future__ import annotations

import asyncio
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

from server.tools.base import ResponseTooLarge, ToolContext, ToolError, outbound_client, read_limited
from server.tools.models import (
    RetrievedPage,
    SearchResult,
    WebRetrieveOutputs,
    WebRetrieveParameters,
    WebSearchOutputs,
    WebSearchParameters,
)

USER_AGENT = "Missions/1.0 (tool web_retrieve)"
SEARCH_ANSWER_MAX_BYTES = 2_000_000
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "hr",
        "dd",
        "dt",
        "nav",
        "main",
        "aside",
        "title",
    }
)


class ReadableText(HTMLParser):
    """Collects a page's title, meta tags and visible text; scripts, styles and tags are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, str] = {}
        self.language: str | None = None
        self._parts: list[str] = []
        self._skipping: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "html" and attributes.get("lang"):
            self.language = attributes["lang"]
        elif tag == "meta":
            name = attributes.get("name") or attributes.get("property")
            if name and "content" in attributes:
                self.meta[name.lower()] = attributes["content"]
        elif tag == "title":
            self._in_title = True
        if tag in _SKIPPED and tag != "head":
            self._skipping.append(tag)
        if tag in _BLOCKS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
        if tag in _BLOCKS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self._parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self._parts).split("\n"))
        return "\n".join(line for line in lines if line)


class _Budget:
    """The bytes one step may still read over all its pages (`WEB_RETRIEVE_TOTAL_BYTES`)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.left = total

    def take(self, size: int) -> bool:
        self.left -= size
        return self.left >= 0


class _OverBudget(Exception):
    pass


def _failed(url: str, error: str, metadata: dict[str, Any] | None = None) -> RetrievedPage:
    return RetrievedPage(url=url, title="", text="", metadata=metadata or {}, error=error)


async def _read(response: httpx.Response, max_bytes: int, budget: _Budget) -> bytes:
    """The body, streamed: at most `max_bytes`, and only while the step's budget lasts."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"page larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise ResponseTooLarge(f"page larger than {max_bytes} bytes")
        if not budget.take(len(chunk)):
            raise _OverBudget
    return bytes(body)


async def _fetch(client: httpx.AsyncClient, url: str, max_bytes: int, timeout: float, budget: _Budget) -> RetrievedPage:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        return _failed(url, "only http:// and https:// URLs can be retrieved")
    try:
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url) as response:
                body = await _read(response, max_bytes, budget)
    except ResponseTooLarge:
        return _failed(url, f"page larger than {max_bytes} bytes")
    except _OverBudget:
        return _failed(url, f"the step read its limit of {budget.total} bytes over all pages before this one ended")
    except (TimeoutError, httpx.TimeoutException):
        return _failed(url, f"no complete answer within {timeout:g} s")
    except httpx.InvalidURL:
        return _failed(url, "not a valid URL")
    except httpx.ConnectError as exc:
        return _failed(url, f"request failed: {exc}")
    except httpx.HTTPError as exc:
        return _failed(url, f"request failed: {exc or type(exc).__name__}")
    return _readable(url, response, body)


def _readable(url: str, response: httpx.Response, body: bytes) -> RetrievedPage:
    """The page's readable text, title and metadata."""
    content_type = response.headers.get("content-type", "")
    metadata: dict[str, Any] = {
        "status_code": response.status_code,
        "content_type": content_type.split(";")[0].strip() or None,
        "final_url": str(response.url),
        "size_bytes": len(body),
        "description": None,
        "language": None,
    }
    if response.status_code >= 400:
        return _failed(url, f"HTTP {response.status_code}", metadata)
    encoding = response.charset_encoding or "utf-8"
    try:
        decoded = body.decode(encoding, errors="replace")
    except LookupError:
        decoded = body.decode("utf-8", errors="replace")
    del body
    if "html" in content_type or (not content_type and decoded.lstrip()[:1] == "<"):
        parser = ReadableText()
        try:
            parser.feed(decoded)
            parser.close()
        except Exception as exc:  # html.parser is lenient; anything it still refuses is reported per page
            return _failed(url, f"unreadable HTML: {exc}", metadata)
        metadata["description"] = parser.meta.get("description") or parser.meta.get("og:description")
        metadata["language"] = parser.language
        title = " ".join(parser.title.split()) or parser.meta.get("og:title", "")
        return RetrievedPage(url=url, title=title, text=parser.text(), metadata=metadata, error=None)
    if content_type.startswith("text/") or "json" in content_type or "xml" in content_type:
        return RetrievedPage(url=url, title="", text=decoded.strip(), metadata=metadata, error=None)
    return _failed(url, f"not a text document ({metadata['content_type']})", metadata)


async def web_retrieve(parameters: WebRetrieveParameters, context: ToolContext) -> WebRetrieveOutputs:
    """Fetch the pages through the guarded client (public addresses only, unless allowed), a
    few at a time, each bounded by `max_bytes` and all by the step's read budget."""
    timeout = 10.0 if parameters.timeout_seconds is msgspec.UNSET else float(parameters.timeout_seconds)
    timeout = min(timeout, context.timeout_seconds)
    max_bytes = 2_000_000 if parameters.max_bytes is msgspec.UNSET else parameters.max_bytes
    budget = _Budget(context.read_budget_bytes)
    slots = asyncio.Semaphore(max(1, context.fetch_concurrency))

    async def fetch(url: str) -> RetrievedPage:
        async with slots:
            return await _fetch(client, url, max_bytes, timeout, budget)

    async with outbound_client(timeout=timeout, headers={"user-agent": USER_AGENT}) as client:
        pages = await asyncio.gather(*(fetch(url) for url in parameters.urls))
    if all(page.error for page in pages):
        reasons = "; ".join(f"{page.url}: {page.error}" for page in pages)
        raise ToolError(f"no page could be retrieved ({reasons})")
    return WebRetrieveOutputs(pages=list(pages))


class _SearxResult(msgspec.Struct):
    url: str
    title: str = ""
    content: str | None = None
    engine: str | None = None


class _SearxAnswer(msgspec.Struct):
    results: list[_SearxResult]


async def web_search(parameters: WebSearchParameters, context: ToolContext) -> WebSearchOutputs:
    provider = context.resources.get("search_provider") or {}
    base_url = str(provider.get("base_url") or "").rstrip("/")
    if not base_url:
        raise ToolError("the search provider is not configured (resource `search_provider`, field `base_url`)")
    max_results = 10 if parameters.max_results is msgspec.UNSET else parameters.max_results
    timeout = min(float(provider.get("timeout_seconds") or 15.0), context.timeout_seconds)
    headers = {"user-agent": USER_AGENT, "accept": "application/json"}
    if provider.get("api_key"):
        headers["authorization"] = f"Bearer {provider['api_key']}"
    try:
        async with outbound_client(timeout=timeout, headers=headers) as client:
            async with asyncio.timeout(timeout):
                async with client.stream(
                    "GET", f"{base_url}/search", params={"q": parameters.query, "format": "json"}
                ) as response:
                    if response.status_code != 200:
                        # The provider's own text is not echoed: it may quote what it was sent.
                        raise ToolError(f"the search provider answered HTTP {response.status_code}")
                    content = await read_limited(response, SEARCH_ANSWER_MAX_BYTES)
    except (TimeoutError, httpx.TimeoutException):
        raise ToolError(f"the search provider did not answer within {timeout:g} s") from None
    except ResponseTooLarge:
        raise ToolError(f"the search provider's answer is larger than {SEARCH_ANSWER_MAX_BYTES} bytes") from None
    except httpx.HTTPError as exc:
        raise ToolError(f"the search provider is unreachable: {exc or type(exc).__name__}") from None
    try:
        answer = msgspec.json.decode(content, type=_SearxAnswer)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ToolError(f"the search provider sent an unexpected answer: {exc}") from None
    return WebSearchOutputs(
        results=[
            SearchResult(title=r.title, url=r.url, snippet=" ".join((r.content or "").split()), engine=r.engine)
            for r in answer.results[:max_results]
        ]
    )

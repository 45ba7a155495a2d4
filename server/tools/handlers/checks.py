"""Checks of saved connections, by resource type: each tries the service a connection points
at with one small request through the guarded client (`server.net`), and says what it found.
A resource type with no entry in `CHECKS` cannot be checked (the API says so)."""

from __future__ import annotations

import asyncio

import httpx
import msgspec

from server.tools.base import ResourceCheck, ResponseTooLarge, ToolError, outbound_client, read_limited
from server.tools.handlers.mail import check_mailbox
from server.tools.handlers.pubmed import check_pubmed

CHECK_ANSWER_MAX_BYTES = 1_000_000
USER_AGENT = "Missions/1.0 (connection check)"


async def _get_json(url: str, values: dict[str, object], timeout: float, what: str, **params: str) -> object:
    """GET `url` with the connection's bearer token (when it has an `api_key`) and decode the
    JSON answer; every failure is a ToolError for people."""
    headers = {"user-agent": USER_AGENT, "accept": "application/json"}
    if values.get("api_key"):
        headers["authorization"] = f"Bearer {values['api_key']}"
    try:
        async with outbound_client(timeout=timeout, headers=headers) as client:
            async with asyncio.timeout(timeout):
                async with client.stream("GET", url, params=params or None) as response:
                    if response.status_code in (401, 403):
                        raise ToolError(f"{what} refused the credentials (HTTP {response.status_code})")
                    if response.status_code != 200:
                        # The service's own text is not echoed: it may quote what it was sent.
                        raise ToolError(f"{what} answered HTTP {response.status_code}")
                    content = await read_limited(response, CHECK_ANSWER_MAX_BYTES)
    except (TimeoutError, httpx.TimeoutException):
        raise ToolError(f"{what} did not answer within {timeout:g} s") from None
    except ResponseTooLarge:
        raise ToolError(f"{what} sent an answer larger than {CHECK_ANSWER_MAX_BYTES} bytes") from None
    except httpx.HTTPError as exc:
        raise ToolError(f"{what} is unreachable: {exc or type(exc).__name__}") from None
    try:
        return msgspec.json.decode(content)
    except msgspec.DecodeError:
        raise ToolError(f"{what} did not answer with JSON") from None


def _base_url(values: dict[str, object]) -> str:
    base_url = str(values.get("base_url") or "").rstrip("/")
    if not base_url:
        raise ToolError("the connection has no `base_url` to check")
    return base_url


async def check_searxng(values: dict[str, object], timeout: float) -> str:
    """A test search (`GET <base_url>/search?q=test&format=json`) must answer a result list."""
    timeout = min(float(values.get("timeout_seconds") or timeout), timeout)  # type: ignore[arg-type]
    answer = await _get_json(
        f"{_base_url(values)}/search", values, timeout, "the search provider", q="test", format="json"
    )
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise ToolError("the search provider answered JSON without a `results` list")
    return f"the search provider answered a test search with {len(answer['results'])} results"


async def check_openai_compatible_chat(values: dict[str, object], timeout: float) -> str:
    """The model list (`GET <base_url>/models`) must answer, and name the model when it lists it."""
    answer = await _get_json(f"{_base_url(values)}/models", values, timeout, "the model service")
    listed = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(listed, list):
        raise ToolError("the model service answered JSON without a `data` list of models")
    names = {str(item.get("id")) for item in listed if isinstance(item, dict)}
    model = values.get("model")
    if model and names and str(model) not in names:
        raise ToolError(f'the model service does not list the model "{model}" ({len(names)} models listed)')
    return f"the model service answered with {len(names)} models" + (f', "{model}" among them' if model else "")


CHECKS: dict[str, ResourceCheck] = {
    "searxng": check_searxng,
    "openai_compatible_chat": check_openai_compatible_chat,
    "imap": check_mailbox,
    "ncbi_eutils": check_pubmed,
}
"""Resource type -> its check."""

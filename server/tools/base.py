"""What a tool handler depends on: the context it runs in, the error it raises, the one
guarded HTTP client it makes outbound requests with (`server.net`, docs/security.md), and the
language model a tool with a model mode asks (`summarize`, `extract`).

A handler is `async def run(parameters: <Tool>Parameters, context: ToolContext) -> <Tool>Outputs`
(the Structs generated into `server/tools/models.py`). It raises `ToolError` with a readable
message when it cannot do its work; the executor fails the step with that message.
Handlers import this module, never the registry (which imports them). The model comes from
the provider module the assistant uses too (`server.llm`), which imports nothing above it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from server.llm import Failure, LanguageModel, Message, ModelConfig, ModelError, language_model
from server.net import ResponseTooLarge, connect_failure, outbound_client, permitted_addresses, read_limited
from server.settings import get_settings

MODEL_RESOURCE = "llm_provider"
"""The resource through which a step names a model of its own (`base_url`, `model`, `api_key`)."""

__all__ = [
    "Handler",
    "LiteralCheck",
    "ResourceCheck",
    "ResponseTooLarge",
    "ToolContext",
    "ToolError",
    "connect_failure",
    "outbound_client",
    "permitted_addresses",
    "read_limited",
]


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
    read_budget_bytes: int = field(default_factory=lambda: get_settings().outbound.web_retrieve_total_bytes)
    """Bytes a tool that fetches several pages may read in all (`WEB_RETRIEVE_TOTAL_BYTES`)."""
    fetch_concurrency: int = field(default_factory=lambda: get_settings().outbound.web_retrieve_concurrency)
    """Pages it may fetch at once (`WEB_RETRIEVE_CONCURRENCY`)."""
    pubmed_base_url: str = field(default_factory=lambda: get_settings().outbound.pubmed_base_url)
    """Where `pubmed_search` reaches the NCBI E-utilities (`PUBMED_BASE_URL`)."""
    default_model: ModelConfig | None = None
    """The server's model (the `LLM_*` settings, when `LLM_FOR_TOOLS` is on), for a step that
    names no model of its own."""

    def model(self) -> LanguageModel | None:
        """The model of a tool's model mode: the step's own `llm_provider` when it names a
        `base_url` and a `model`, else the server's; None when there is neither."""
        provider = self.resources.get(MODEL_RESOURCE) or {}
        if provider.get("base_url") and provider.get("model"):
            retries = self.default_model.max_retries if self.default_model else 2
            config = ModelConfig(
                base_url=str(provider["base_url"]),
                model=str(provider["model"]),
                api_key=str(provider["api_key"]) if provider.get("api_key") else None,
                timeout_seconds=self.timeout_seconds,
                max_retries=retries,
                temperature=0,
            )
        elif self.default_model is not None:
            timeout = min(self.default_model.timeout_seconds, self.timeout_seconds)
            config = dataclasses.replace(self.default_model, timeout_seconds=timeout, temperature=0)
        else:
            return None
        return language_model(config)


async def ask_model(model: LanguageModel, context: ToolContext, messages: Sequence[Message]) -> str:
    """The model's whole answer to `messages`, within the step's time limit (retries
    included); every failure becomes a ToolError saying what happened."""
    try:
        async with asyncio.timeout(context.timeout_seconds):
            return await model.complete(messages)
    except TimeoutError:
        raise ToolError(f"language model did not answer within {context.timeout_seconds:g} s") from None
    except ModelError as exc:
        if exc.kind is Failure.TIMEOUT:
            raise ToolError(f"language model did not answer within {context.timeout_seconds:g} s") from None
        if exc.status is not None:
            raise ToolError(f"language model answered HTTP {exc.status}: {exc.detail}") from None
        raise ToolError(f"language model unreachable: {exc.message}") from None


Handler = Callable[[Any, ToolContext], Awaitable[Any]]

LiteralCheck = Callable[[Any], None]
"""The checks a handler makes of its parameters before it reads any input, run on a step's
literal values (a Struct with the parameters not given left unset) when a chain is validated;
raises ToolError with the handler's own reason."""

ResourceCheck = Callable[[dict[str, Any], float], Awaitable[str]]
"""The check of a resource type: `async def check(values, timeout_seconds) -> str` tries a
saved configuration (its values, secrets decrypted) against its service, and returns what it
found for people; it raises `ToolError` saying what is wrong. Declared per resource type in
`server/tools/handlers/checks.py` (`CHECKS`); a type without one cannot be checked."""

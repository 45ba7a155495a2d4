"""The one way the server talks to a language model: any OpenAI-compatible Chat Completions
endpoint (OpenAI, vLLM, Ollama, llama.cpp's server, LM Studio), through the official `openai`
package's async client (docs/assistant.md, "The provider").

`LanguageModel.stream` streams an answer: text as it comes, then the function calls the model
made, whole (their arguments arrive in fragments across chunks and are joined here).
`LanguageModel.complete` asks for one whole answer (the tools' model mode). Both turn every
failure into a `ModelError` with a reason for people: the model server unreachable, the key
refused, rate-limited after the client's own retries and back-off, a timeout, an answer cut
off mid-way, a context too long for the model. The API key goes only into the request's
`Authorization` header: no message, log line or event made here holds it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import openai

from server.net import outbound_client
from server.settings import AssistantSettings

if TYPE_CHECKING:
    import httpx2

logger = logging.getLogger("server.llm")

Message = dict[str, Any]
"""One Chat Completions message: `{"role": ..., "content": ...}` (with `tool_calls` or
`tool_call_id` where the protocol has them)."""


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Where a model is and how to ask it."""

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout_seconds: float = 60.0
    max_retries: int = 2
    temperature: float | None = None

    @classmethod
    def from_settings(cls, settings: AssistantSettings) -> ModelConfig | None:
        """The server's model (`LLM_*` settings), or None when none is configured."""
        if not settings.llm_base_url:
            return None
        return cls(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_seconds=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
            temperature=settings.llm_temperature,
        )

    @property
    def host(self) -> str:
        """The model server as messages name it: scheme, host and port, never credentials."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


class Failure(StrEnum):
    """Why a request to the model did not give an answer."""

    UNREACHABLE = "unreachable"
    UNAUTHORIZED = "unauthorized"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"
    CONTEXT_TOO_LONG = "context_too_long"
    REFUSED = "refused"
    SERVER_ERROR = "server_error"


class ModelError(Exception):
    """A request to the model failed; `str(error)` is the reason for people (no secret in it)."""

    def __init__(self, kind: Failure, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        """The HTTP status the model server answered, when it answered one."""
        self.detail = detail
        """What the model server said about it (trimmed), when it said something."""


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer's text, as the model server sent it."""

    text: str


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """A function the model called, with its arguments whole (JSON text, not checked)."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class Finished:
    """The end of a streamed answer: why it ended and the functions it called."""

    finish_reason: str
    calls: tuple[FunctionCall, ...] = ()


StreamPart = TextDelta | Finished

_CONTEXT_TOO_LONG = re.compile(
    r"context[ _-]?(length|size|window)|maximum context|too many tokens|prompt is too long|too long for the model"
    r"|exceeds? the (available )?context|reduce the length",
    re.IGNORECASE,
)
_DETAIL_LIMIT = 300


def _scrubbed(text: str, config: ModelConfig) -> str:
    """`text` without the API key (a server may echo it back), trimmed."""
    if config.api_key:
        text = text.replace(config.api_key, "***")
    text = " ".join(text.split())
    return text[:_DETAIL_LIMIT] + ("…" if len(text) > _DETAIL_LIMIT else "")


def _detail(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or body.get("detail")
        if isinstance(message, str):
            return message
    if isinstance(body, str):
        return body
    response = getattr(exc, "response", None)
    try:
        return str(response.text) if response is not None else exc.message
    except Exception:  # a streamed body that was not read
        return exc.message


def failure(exc: openai.OpenAIError, config: ModelConfig, *, streaming: bool = False) -> ModelError:
    """The ModelError for a failure of the `openai` client, with a reason for people."""
    where = config.host
    if isinstance(exc, openai.APITimeoutError):
        return ModelError(Failure.TIMEOUT, f"The model did not answer within {config.timeout_seconds:g} s ({where}).")
    if isinstance(exc, openai.APIConnectionError):
        if streaming:
            return ModelError(Failure.INTERRUPTED, f"The answer was cut off: the connection to {where} was lost.")
        return ModelError(Failure.UNREACHABLE, f"The model server at {where} cannot be reached.")
    if isinstance(exc, openai.APIStatusError):
        return _status_failure(exc, config)
    if isinstance(exc, openai.APIError):  # an error event in the middle of a stream
        detail = _scrubbed(_detail(exc), config)
        if _CONTEXT_TOO_LONG.search(detail):
            return ModelError(Failure.CONTEXT_TOO_LONG, "The conversation is too long for the model.", detail=detail)
        return ModelError(Failure.SERVER_ERROR, f"The model server failed mid-answer: {detail}", detail=detail)
    return ModelError(Failure.REFUSED, f"The request to the model failed: {type(exc).__name__}.")


def _status_failure(exc: openai.APIStatusError, config: ModelConfig) -> ModelError:
    status = exc.status_code
    detail = _scrubbed(_detail(exc), config)
    if status in (401, 403):
        return ModelError(
            Failure.UNAUTHORIZED,
            f"The model server refused the API key (HTTP {status}); check LLM_API_KEY.",
            status=status,
            detail=detail,
        )
    if status == 429:
        return ModelError(
            Failure.RATE_LIMITED,
            f"The model server is limiting requests (HTTP 429), still after {config.max_retries} "
            f"{'retry' if config.max_retries == 1 else 'retries'}; try again in a moment.",
            status=status,
            detail=detail,
        )
    if status in (400, 413, 422) and _CONTEXT_TOO_LONG.search(detail):
        return ModelError(
            Failure.CONTEXT_TOO_LONG, "The conversation is too long for the model.", status=status, detail=detail
        )
    if status >= 500:
        return ModelError(
            Failure.SERVER_ERROR, f"The model server failed (HTTP {status}): {detail}", status=status, detail=detail
        )
    return ModelError(
        Failure.REFUSED, f"The model server refused the request (HTTP {status}): {detail}", status=status, detail=detail
    )


@dataclass(slots=True)
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class LanguageModel:
    """A model behind an OpenAI-compatible endpoint, asked through one `AsyncOpenAI` client
    (its connection pool, timeouts and retries with back-off on 429 and 5xx)."""

    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self._client = openai.AsyncOpenAI(
            # A placeholder when there is no key: the client would otherwise look for one in
            # the environment, and a local server ignores it.
            api_key=config.api_key or "no-key",
            base_url=config.base_url,
            timeout=config.timeout_seconds,
            max_retries=config.max_retries,
            # Through the one guarded client: a provider's address follows the rule of every
            # outbound request (public addresses only, unless allowed; docs/security.md).
            # The SDK takes an `httpx.AsyncClient` as well as its own `httpx2` one.
            http_client=cast(
                "httpx2.AsyncClient", outbound_client(timeout=config.timeout_seconds, follow_redirects=False)
            ),
        )

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"model": self.config.model}
        if self.config.temperature is not None:
            options["temperature"] = self.config.temperature
        return options

    async def stream(
        self, messages: Sequence[Message], *, functions: Sequence[dict[str, Any]] = ()
    ) -> AsyncIterator[StreamPart]:
        """The answer to `messages` as it streams: TextDelta parts, then one Finished with the
        function calls. Raises ModelError (before or during the stream)."""
        options = self._options()
        if functions:
            options["tools"] = list(functions)
        try:
            stream = await self._client.chat.completions.create(
                messages=cast(Any, list(messages)), stream=True, **options
            )
        except openai.OpenAIError as exc:
            raise failure(exc, self.config) from None
        calls: dict[int, _PartialCall] = {}
        finish: str | None = None
        try:
            async for chunk in stream:
                for choice in chunk.choices[:1]:
                    delta = choice.delta
                    if delta is not None and delta.content:
                        yield TextDelta(delta.content)
                    for fragment in (delta.tool_calls if delta is not None else None) or []:
                        call = calls.setdefault(fragment.index, _PartialCall())
                        call.id = fragment.id or call.id
                        if fragment.function is not None:
                            call.name = fragment.function.name or call.name
                            if fragment.function.arguments:
                                call.arguments.append(fragment.function.arguments)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except openai.OpenAIError as exc:
            raise failure(exc, self.config, streaming=True) from None
        finally:
            await stream.close()
        if finish is None:
            raise ModelError(Failure.INTERRUPTED, f"The answer was cut off: {self.config.host} stopped before its end.")
        yield Finished(
            finish_reason=finish,
            calls=tuple(
                FunctionCall(id=call.id or f"call_{index}", name=call.name, arguments="".join(call.arguments))
                for index, call in sorted(calls.items())
                if call.name
            ),
        )

    async def complete(self, messages: Sequence[Message]) -> str:
        """The whole text of one answer to `messages` (not streamed). Raises ModelError."""
        try:
            completion = await self._client.chat.completions.create(
                messages=cast(Any, list(messages)), **self._options()
            )
        except openai.OpenAIError as exc:
            raise failure(exc, self.config) from None
        choices = completion.choices or []
        content = choices[0].message.content if choices and choices[0].message is not None else None
        return content or ""

    async def aclose(self) -> None:
        await self._client.close()


_MODELS: dict[ModelConfig, LanguageModel] = {}
_MODELS_KEPT = 32


def language_model(config: ModelConfig) -> LanguageModel:
    """The client for `config`, made once and kept, so its connections are reused."""
    model = _MODELS.get(config)
    if model is None:
        if len(_MODELS) >= _MODELS_KEPT:
            _MODELS.pop(next(iter(_MODELS)))
        model = _MODELS[config] = LanguageModel(config)
    return model


async def close_models() -> None:
    """Close every kept client (at shut-down)."""
    models = list(_MODELS.values())
    _MODELS.clear()
    for model in models:
        try:
            await model.aclose()
        except Exception:  # closing is best effort
            logger.debug("a model client did not close cleanly", exc_info=True)

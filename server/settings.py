"""Settings, read from the environment once (`get_settings()`), grouped by area.

Every environment variable the server reads is a field here, with its default and what it
means; nothing else in `server/` reads the environment. The README's settings table lists
every one (a test checks it against `documented()`).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import secrets
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """An environment variable whose value cannot be used; the message names it."""


def _env(name: str, default: Any, doc: str) -> Any:
    return field(default=default, metadata={"env": name, "doc": doc})


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Where the data lives."""

    url: str | None = _env(
        "DATABASE_URL",
        None,
        "`postgresql://user@host:port/db` selects PostgreSQL; unset (or `sqlite:///path`) selects the SQLite file",
    )
    data_dir: Path = _env("DATA_DIR", PROJECT_ROOT / "data", "folder for the SQLite file and the generated secret key")

    @property
    def is_postgres(self) -> bool:
        return bool(self.url) and str(self.url).startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        if self.url and self.url.startswith("sqlite:///"):
            return Path(self.url.removeprefix("sqlite:///"))
        return self.data_dir / "missions.sqlite"


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    """Secrets, cookies and sign-in."""

    secret_key: str | None = _env(
        "SECRET_KEY", None, "key that encrypts stored secrets; generated into `DATA_DIR/secret.key` when unset"
    )
    cookie_secure: bool = _env("COOKIE_SECURE", False, "`1` marks the session cookie Secure (behind HTTPS)")
    session_days: int = _env("SESSION_DAYS", 14, "days a sign-in lasts")
    login_attempts_per_window: int = _env(
        "LOGIN_ATTEMPTS_PER_WINDOW", 10, "failed sign-ins allowed per e-mail and per client address within the window"
    )
    login_window_seconds: int = _env(
        "LOGIN_WINDOW_SECONDS", 300, "the window of `LOGIN_ATTEMPTS_PER_WINDOW`, in seconds"
    )


@dataclass(frozen=True, slots=True)
class ExecutionSettings:
    """How tool steps run (docs/architecture.md, "Execution")."""

    step_timeout_seconds: float = _env("STEP_TIMEOUT_SECONDS", 60.0, "time limit of one tool step")
    stub_unconfigured_tools: bool = _env(
        "STUB_UNCONFIGURED_TOOLS",
        False,
        "`1`: a step whose tool lacks its resource runs from the tool's sample responses (marked `stubbed`)",
    )
    stale_step_grace_seconds: float = _env(
        "STALE_STEP_GRACE_SECONDS",
        30.0,
        "a step still `executing` this long after its time limit is failed (the server running it stopped)",
    )
    stale_step_sweep_seconds: float = _env(
        "STALE_STEP_SWEEP_SECONDS", 30.0, "interval of the sweep that looks for such steps"
    )
    step_output_max_bytes: int = _env(
        "STEP_OUTPUT_MAX_BYTES", 20_000_000, "largest JSON size of one step's outputs (a larger result fails the step)"
    )


@dataclass(frozen=True, slots=True)
class EventSettings:
    """The live event stream (`GET /api/events`)."""

    keep_alive_seconds: float = _env(
        "EVENTS_KEEP_ALIVE_SECONDS", 15.0, "interval of keep-alive comments, so proxies keep an idle stream open"
    )
    stream_seconds: float = _env(
        "EVENTS_STREAM_SECONDS",
        300.0,
        "lifetime of one stream; the browser then reconnects (the sign-in is checked again)",
    )


@dataclass(frozen=True, slots=True)
class AssistantSettings:
    """The chat assistant and the tools' model mode: an OpenAI-compatible Chat Completions
    endpoint (docs/assistant.md). Without `LLM_BASE_URL` there is no assistant."""

    llm_base_url: str | None = _env(
        "LLM_BASE_URL",
        None,
        "base URL of an OpenAI-compatible Chat Completions API, e.g. `http://127.0.0.1:11434/v1`; unset: no assistant",
    )
    llm_api_key: str | None = _env(
        "LLM_API_KEY", None, "API key sent to that endpoint as a bearer token (never logged nor sent to a page)"
    )
    llm_model: str = _env(
        "LLM_MODEL", "default", "model name sent with each request (a server that serves one model may ignore it)"
    )
    llm_timeout_seconds: float = _env(
        "LLM_TIMEOUT_SECONDS",
        60.0,
        "time limit of one request to the model: to connect, and between two parts of a streamed answer",
    )
    llm_max_retries: int = _env(
        "LLM_MAX_RETRIES",
        2,
        "retries of a request the model server refused for now (429, 5xx) or that could not connect, with back-off",
    )
    llm_temperature: float = _env("LLM_TEMPERATURE", 0.2, "sampling temperature of the assistant's requests")
    llm_for_tools: bool = _env(
        "LLM_FOR_TOOLS",
        True,
        "`1`: `summarize` and `extract` use this model when their step configures no `llm_provider` of its own",
    )
    proposal_attempts: int = _env(
        "ASSISTANT_PROPOSAL_ATTEMPTS",
        3,
        "tries the model gets in one turn to make a proposal that decodes and validates, its errors fed back",
    )
    max_model_requests: int = _env(
        "ASSISTANT_MAX_MODEL_REQUESTS", 8, "model requests one turn may make (look-ups and retries included)"
    )
    history_tokens: int = _env(
        "ASSISTANT_HISTORY_TOKENS",
        6000,
        "budget of the chat history sent with a turn, in estimated tokens (the oldest messages are left out first)",
    )
    turn_seconds: float = _env(
        "ASSISTANT_TURN_SECONDS", 300.0, "longest an assistant turn may run before it is stopped"
    )

    @property
    def configured(self) -> bool:
        """Whether an assistant is configured (`LLM_BASE_URL` set)."""
        return bool(self.llm_base_url)


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Where `python -m server serve` listens (its `--host` and `--port` win)."""

    host: str = _env("HOST", "127.0.0.1", "address to listen on")
    port: int = _env("PORT", 8000, "port to listen on")


@dataclass(frozen=True, slots=True)
class ImportSettings:
    """`python -m server import-legacy` (docs/importer.md)."""

    batch_size: int = _env(
        "IMPORT_BATCH_SIZE", 250, "missions (or chats) `import-legacy` reads and writes per batch (at least 1)"
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, by area."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    execution: ExecutionSettings = field(default_factory=ExecutionSettings)
    events: EventSettings = field(default_factory=EventSettings)
    assistant: AssistantSettings = field(default_factory=AssistantSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    importer: ImportSettings = field(default_factory=ImportSettings)

    def secret_key(self) -> bytes:
        """The server key for encrypting stored secrets: `SECRET_KEY`, else a key generated once
        into `DATA_DIR/secret.key` and kept."""
        if self.security.secret_key:
            return self.security.secret_key.encode()
        path = self.database.data_dir / "secret.key"
        if not path.exists():
            self.database.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()


AREAS: tuple[type[Any], ...] = (
    DatabaseSettings,
    SecuritySettings,
    ExecutionSettings,
    EventSettings,
    ServerSettings,
    ImportSettings,
    AssistantSettings,
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse(name: str, kind: Any, text: str) -> Any:
    base = next((arg for arg in typing.get_args(kind) if arg is not type(None)), kind)
    try:
        if base is bool:
            if text.strip().lower() not in _TRUE | _FALSE:
                raise ValueError("use 1 or 0")
            return text.strip().lower() in _TRUE
        if base is Path:
            return Path(text).resolve()
        if base in (int, float):
            return base(text)
        return text if kind is str else text or None
    except ValueError as exc:
        raise SettingsError(f"{name}={text!r} is not a valid {base.__name__}: {exc}") from None


def _load(area: Any, environ: Mapping[str, str]) -> Any:
    hints = typing.get_type_hints(area)
    values: dict[str, Any] = {}
    for item in dataclasses.fields(area):
        name = item.metadata["env"]
        if name in environ:
            values[item.name] = _parse(name, hints[item.name], environ[name])
    return area(**values)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (the process environment by default); unset variables take
    their defaults. A value that cannot be used raises SettingsError naming the variable."""
    environ = os.environ if environ is None else environ
    return Settings(
        database=_load(DatabaseSettings, environ),
        security=_load(SecuritySettings, environ),
        execution=_load(ExecutionSettings, environ),
        events=_load(EventSettings, environ),
        assistant=_load(AssistantSettings, environ),
        server=_load(ServerSettings, environ),
        importer=_load(ImportSettings, environ),
    )


@functools.cache
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()


@dataclass(frozen=True, slots=True)
class DocumentedSetting:
    env: str
    area: str
    default: Any
    doc: str


def documented() -> list[DocumentedSetting]:
    """Every environment variable, with its area, default and meaning."""
    return [
        DocumentedSetting(env=item.metadata["env"], area=area.__name__, default=item.default, doc=item.metadata["doc"])
        for area in AREAS
        for item in dataclasses.fields(area)
    ]

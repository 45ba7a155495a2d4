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
from urllib.parse import urlsplit

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
        "LOGIN_ATTEMPTS_PER_WINDOW",
        10,
        "sign-in attempts allowed per account within the window, counted before the password is checked "
        "(a successful sign-in starts the count again)",
    )
    login_address_attempts_per_window: int = _env(
        "LOGIN_ADDRESS_ATTEMPTS_PER_WINDOW",
        100,
        "failed sign-in attempts allowed per client address within the window (a separate count, so one "
        "attacker behind a shared address cannot lock out everyone's account)",
    )
    login_window_seconds: int = _env("LOGIN_WINDOW_SECONDS", 300, "the window of the sign-in counts, in seconds")
    signup_attempts_per_window: int = _env(
        "SIGNUP_ATTEMPTS_PER_WINDOW", 20, "sign-ups allowed per client address within `SIGNUP_WINDOW_SECONDS`"
    )
    signup_window_seconds: int = _env("SIGNUP_WINDOW_SECONDS", 3600, "the window of the sign-up count, in seconds")
    trusted_proxies: str = _env(
        "TRUSTED_PROXIES",
        "",
        "comma-separated addresses or networks of reverse proxies whose `X-Forwarded-For` names the client; "
        "empty: the peer address is the client",
    )
    rate_limit_redis_url: str | None = _env(
        "RATE_LIMIT_REDIS_URL",
        None,
        "`redis://host:port/db` keeps the sign-in and sign-up counts in Redis; unset: in the database",
    )
    password_min_length: int = _env("PASSWORD_MIN_LENGTH", 10, "shortest password accepted at sign-up (at least 8)")
    purge_interval_seconds: float = _env(
        "PURGE_INTERVAL_SECONDS", 600.0, "interval of the purge of expired sign-in sessions and rate-limit counts"
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
    step_lease_seconds: float = _env(
        "STEP_LEASE_SECONDS",
        10.0,
        "a running step's lease: its server renews it every third of this; a step whose lease lapsed is failed "
        "(the server running it stopped)",
    )
    stale_step_sweep_seconds: float = _env(
        "STALE_STEP_SWEEP_SECONDS", 2.0, "interval of the sweep, in every server process, that fails such steps"
    )
    running_hops_per_user: int = _env(
        "RUNNING_HOPS_PER_USER", 3, "hops one user may have executing at once (another execute answers 429)"
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
    streams_per_user: int = _env(
        "EVENTS_STREAMS_PER_USER", 8, "event streams one user may hold open in one server process (then 429)"
    )


@dataclass(frozen=True, slots=True)
class OutboundSettings:
    """Requests the server makes to other hosts (tools, providers): docs/security.md."""

    allow_hosts: str = _env(
        "OUTBOUND_ALLOW_HOSTS",
        "",
        "comma-separated host names, addresses or networks (`10.0.0.0/8`) that outbound requests may reach although "
        "they are not public (a self-hosted provider); empty: public addresses only",
    )
    max_response_bytes: int = _env(
        "OUTBOUND_MAX_RESPONSE_BYTES", 10_000_000, "largest answer read from another host (a provider's, a page)"
    )
    timeout_seconds: float = _env(
        "OUTBOUND_TIMEOUT_SECONDS", 30.0, "longest time one outbound request may take, connection to last byte"
    )
    web_retrieve_total_bytes: int = _env(
        "WEB_RETRIEVE_TOTAL_BYTES", 8_000_000, "bytes one `web_retrieve` step may read over all its pages"
    )
    web_retrieve_concurrency: int = _env("WEB_RETRIEVE_CONCURRENCY", 4, "pages one `web_retrieve` step fetches at once")
    pubmed_base_url: str = _env(
        "PUBMED_BASE_URL",
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
        "base URL of the NCBI E-utilities `pubmed_search` calls (`esearch.fcgi`, `efetch.fcgi`)",
    )


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """Sizes of what a user may store (docs/security.md, "Limits")."""

    field_max_bytes: int = _env(
        "FIELD_MAX_BYTES",
        65_536,
        "largest JSON size of one free-form field of a request (a `*_metadata` object, a literal parameter value)",
    )
    content_max_bytes: int = _env("CONTENT_MAX_BYTES", 5_000_000, "largest JSON size of one asset's content")
    user_content_max_bytes: int = _env(
        "USER_CONTENT_MAX_BYTES", 200_000_000, "JSON size of all the asset content one user may store"
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
    concurrent_requests: int = _env(
        "SERVER_CONCURRENT_REQUESTS",
        8,
        "requests one server process handles at once; the others wait in arrival order (0: no limit)",
    )


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
    outbound: OutboundSettings = field(default_factory=OutboundSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)

    def secret_key(self) -> bytes:
        """The server key for encrypting stored secrets: `SECRET_KEY`, else a key generated once
        into `DATA_DIR/secret.key` and kept."""
        if self.security.secret_key:
            return self.security.secret_key.encode()
        path = self.database.data_dir / "secret.key"
        if not path.exists():
            self.database.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created 0600 from the start: never readable by others, not even for a moment.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(32))
        return path.read_text().strip().encode()

    def secret_values(self) -> list[str]:
        """Secrets of the server's own configuration, which no error text may carry."""
        values = [self.security.secret_key or ""]
        for url in (self.database.url, self.security.rate_limit_redis_url):
            password = urlsplit(url).password if url else None
            values.append(password or "")
        return [value for value in values if value]


AREAS: tuple[type[Any], ...] = (
    DatabaseSettings,
    SecuritySettings,
    ExecutionSettings,
    EventSettings,
    ServerSettings,
    ImportSettings,
    AssistantSettings,
    OutboundSettings,
    LimitSettings,
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
        outbound=_load(OutboundSettings, environ),
        limits=_load(LimitSettings, environ),
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

"""The one redaction step (docs/security.md, "Redaction"): every configured secret value, in
every spelling an error text may carry it, is replaced before the text is stored, returned or
logged.

A secret appears in an error as it was sent: as typed (a trailing newline or spaces included),
trimmed, URL-encoded (in a query string), base64 (in a Basic authorization header), escaped as
Python or JSON escape a string (`b'Bearer sk-...\\n'` in a header error), or split at its
newline. Every such variant of every secret is removed, longest first. While a step runs, the
same is done to every log record (`secrets_in_use`).
"""

from __future__ import annotations

import base64
import json
import logging
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not looked for (they would blank out ordinary words)."""


def _spellings(value: str) -> set[str]:
    found = {value}
    raw = value.encode("utf-8", "surrogateescape")
    found.add(repr(value)[1:-1])
    found.add(repr(raw)[2:-1])
    found.add(json.dumps(value)[1:-1])
    found.add(quote(value, safe=""))
    found.add(quote_plus(value))
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(raw).decode()
        found.update({encoded, encoded.rstrip("=")})
    return found


def variants(secret: str) -> set[str]:
    """Every spelling of a secret that an error text may carry."""
    found: set[str] = set()
    for value in {secret, secret.strip(), secret.rstrip("\r\n"), *secret.splitlines()}:
        if len(value.strip()) >= MIN_SECRET_LENGTH:
            found |= _spellings(value)
    return {item for item in found if len(item) >= MIN_SECRET_LENGTH}


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every variant of every secret replaced by `[redacted]`."""
    spellings = set()
    for secret in secrets:
        if secret:
            spellings |= variants(secret)
    for spelling in sorted(spellings, key=len, reverse=True):
        if spelling in text:
            text = text.replace(spelling, REDACTED)
    return text


def secret_strings(value: object) -> list[str]:
    """The strings inside a configuration value (a secret may be a string or hold several)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [item for v in value.values() for item in secret_strings(v)]
    if isinstance(value, (list, tuple)):
        return [item for v in value for item in secret_strings(v)]
    return []


# Log records ---------------------------------------------------------------------------------

_in_use: ContextVar[tuple[str, ...]] = ContextVar("secrets_in_use", default=())
_installed = False


@contextmanager
def secrets_in_use(secrets: Iterable[str]) -> Iterator[None]:
    """While this runs (in this task and what it awaits), every log record is redacted of
    `secrets`, whoever logs it: a library's debug trace quotes the headers it refused."""
    token = _in_use.set(tuple(secret for secret in secrets if secret))
    try:
        yield
    finally:
        _in_use.reset(token)


def install_log_redaction() -> None:
    """Make every log record pass through `redact` while secrets are in use (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        secrets = _in_use.get()
        if not secrets:
            return record
        message = record.getMessage()
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), secrets)
        return record

    logging.setLogRecordFactory(factory)

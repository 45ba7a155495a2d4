"""Encryption of the secret values of resource configurations.

A step stores its resource configurations as
`{resource_id: {"values": {field: value}, "secrets": {field: ciphertext}}}`; secret values
are encrypted with a key derived from the server key (`Settings.secret_key()`), and only the
executor decrypts them, when it calls the tool.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

import msgspec
from cryptography.fernet import Fernet, InvalidToken

from server.redaction import secret_strings
from server.settings import get_settings


class SecretUnreadable(Exception):
    """A stored secret that the current server key cannot decrypt (the key changed)."""


@lru_cache(maxsize=4)
def _fernet(key: bytes) -> Fernet:
    # Fernet wants 32 bytes, url-safe base64; the server key may be any length.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key).digest()))


def _cipher() -> Fernet:
    return _fernet(get_settings().secret_key())


def encrypt_value(value: Any) -> str:
    """Encrypt one JSON value (its type survives the round trip)."""
    return _cipher().encrypt(msgspec.json.encode(value)).decode()


def decrypt_value(token: str) -> Any:
    """Decrypt a value made by `encrypt_value`."""
    try:
        return msgspec.json.decode(_cipher().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SecretUnreadable("a stored secret cannot be decrypted with the current server key") from exc


def resolved_resource_config(stored: dict[str, Any]) -> dict[str, Any]:
    """One stored resource configuration as the tool needs it: plain values and decrypted
    secrets in one mapping."""
    config = dict(stored.get("values", {}))
    for name, token in stored.get("secrets", {}).items():
        if token:
            config[name] = decrypt_value(token)
    return config


def resolved_resource_configs(stored: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every stored resource configuration of a step, resolved (resource id -> fields)."""
    return {resource_id: resolved_resource_config(config) for resource_id, config in (stored or {}).items()}


def secret_values(stored: dict[str, Any]) -> list[str]:
    """The decrypted secret strings of a step's stored configurations, for redaction
    (`server.redaction`); a secret the key cannot read is skipped (it cannot be echoed)."""
    values: list[str] = []
    for config in (stored or {}).values():
        for token in (config.get("secrets") or {}).values():
            if not token:
                continue
            try:
                values.extend(secret_strings(decrypt_value(token)))
            except SecretUnreadable:
                continue
    return values

"""Outbound requests: the one guarded HTTP client every caller uses (docs/security.md)."""

from server.net.client import (
    ResponseTooLarge,
    connect_failure,
    outbound_client,
    outbound_transport,
    read_limited,
)
from server.net.guard import is_public

__all__ = [
    "ResponseTooLarge",
    "connect_failure",
    "is_public",
    "outbound_client",
    "outbound_transport",
    "read_limited",
]

"""Outbound requests: the one guarded HTTP client every caller uses, and the checked addresses
of other connections (IMAP) (docs/security.md)."""

from server.net.client import (
    ResponseTooLarge,
    connect_failure,
    outbound_client,
    outbound_transport,
    permitted_addresses,
    read_limited,
)
from server.net.guard import is_public

__all__ = [
    "ResponseTooLarge",
    "connect_failure",
    "is_public",
    "outbound_client",
    "outbound_transport",
    "permitted_addresses",
    "read_limited",
]

"""Which addresses outbound requests may reach (docs/security.md, "Outbound requests").

Public addresses only, by default: loopback, private, link-local, shared, multicast,
reserved and unspecified addresses are refused, however they are spelled (`127.1`,
`2130706433`, `0x7f000001`, `[::1]`, `::ffff:127.0.0.1`): a host is resolved first, and every
address it resolves to is checked. `OUTBOUND_ALLOW_HOSTS` names the exceptions: host names
(matched exactly, case aside), addresses, or networks (`10.0.0.0/8`).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo), else the address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def is_public(address: IPAddress) -> bool:
    """A globally routed unicast address (what "the internet" means here)."""
    inner = embedded_ipv4(address)
    return all(a.is_global and not a.is_multicast for a in {address, inner})


@dataclass(frozen=True, slots=True)
class AllowList:
    """The exceptions of `OUTBOUND_ALLOW_HOSTS`."""

    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    def allows(self, host: str, address: IPAddress) -> bool:
        if host.strip("[]").lower().rstrip(".") in self.hosts:
            return True
        inner = embedded_ipv4(address)
        return any(a in network for network in self.networks for a in {address, inner})


@functools.cache
def allow_list(spec: str) -> AllowList:
    """Parse `OUTBOUND_ALLOW_HOSTS` (comma-separated names, addresses, networks)."""
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for part in (item.strip() for item in spec.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip("[]"), strict=False))
        except ValueError:
            hosts.add(part.lower().rstrip("."))
    return AllowList(hosts=frozenset(hosts), networks=tuple(networks))


def permitted(host: str, addresses: Iterable[IPAddress], allowed: AllowList) -> list[IPAddress]:
    """The addresses a connection to `host` may use: every resolved address must be public or
    allowed (one refused address refuses the host, so a name cannot mix a public and a private
    answer to slip through on a retry)."""
    found = list(dict.fromkeys(addresses))
    if not found or any(not is_public(a) and not allowed.allows(host, a) for a in found):
        return []
    return found

"""Source address checks: is a callback coming from the provider's published networks?"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ("MXTELECOM_NETWORKS", "is_trusted_source")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: MX Telecom / OpenMarket-legacy callback sources. The older pages list only 83.166.68.0/23 ("ie 68.0 ->
#: 69.255"); the newer "Receiving SMS via HTTP" page adds 83.166.72.0/24 and 208.93.48.0/22.
MXTELECOM_NETWORKS: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("83.166.68.0/23"),
    ipaddress.ip_network("83.166.72.0/24"),
    ipaddress.ip_network("208.93.48.0/22"),
)


def parse_networks(networks: Iterable[str | IPNetwork]) -> tuple[IPNetwork, ...]:
    return tuple(
        network
        if isinstance(network, (ipaddress.IPv4Network, ipaddress.IPv6Network))
        else ipaddress.ip_network(network.strip())
        for network in networks
    )


def is_trusted_source(
    address: str | ipaddress.IPv4Address | ipaddress.IPv6Address | None,
    /,
    networks: Iterable[str | IPNetwork] = MXTELECOM_NETWORKS,
) -> bool:
    """True when ``address`` lies in one of ``networks`` (MX Telecom's published ranges by default).

    Pass the address of the peer *you* trust to have seen the provider: the socket's peer address, or,
    behind your own reverse proxy, the address that proxy recorded (never a client-supplied
    ``X-Forwarded-For`` entry it did not add itself). An IPv4-mapped IPv6 address (``::ffff:83.166.68.1``)
    counts as its IPv4 address. A missing or unparsable address is not trusted.

    Raises ``ValueError`` for a malformed *network* (a configuration error, not an attack), and ``TypeError``
    for an ``address`` of another type: an ``int`` would be read as an address (``5`` as ``0.0.0.5``).
    """
    allowed = parse_networks(networks)
    if address is None:
        return False
    if not isinstance(address, (str, ipaddress.IPv4Address, ipaddress.IPv6Address)):
        msg = f"is_trusted_source() takes the address as str, IPv4Address or IPv6Address, not {type(address).__name__}"
        raise TypeError(msg)
    try:
        ip = ipaddress.ip_address(address.strip() if isinstance(address, str) else address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in allowed)

"""Which addresses Claude Code accepts a gateway on: its private-network rule, as the 2.1.331 client applies it.

Read out of the client (the `/login` host check, "gateway host resolves to a public address"): every address the
gateway's name resolves to must be private, or inside one network the managed settings declare with
`gatewayInternalNetworks`. Private is 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16 and 100.64/10 for IPv4, and
::1, fe80::/10 and fc00::/7 for IPv6 (an IPv4-mapped IPv6 address is judged as its IPv4 address); anything else is
"public (or unrecognized)". A declared network is a public IPv4 block the organization is numbered from, written as
first-address/prefix (/8 to /32), at most four of them, disjoint, overlapping no private, documentation or reserved
range; when an address falls in one, every address must be in that same one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

IPv4Network = ipaddress.IPv4Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address

PRIVATE_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10")
)
PRIVATE_V6 = tuple(ipaddress.IPv6Network(n) for n in ("::1/128", "fe80::/10", "fc00::/7"))
DOCUMENTATION = tuple(ipaddress.IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
VPN_AND_NAT64 = tuple(ipaddress.IPv4Network(n) for n in ("198.18.0.0/15", "192.0.0.0/24"))
RESERVED = tuple(ipaddress.IPv4Network(n) for n in ("0.0.0.0/8", "192.88.99.0/24", "224.0.0.0/4"))
MAX_DECLARED = 4
MIN_PREFIX = 8
SETTING = "gatewayInternalNetworks"


def _address(text: str) -> _Address | None:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def private_range(text: str) -> str | None:
    """The private range an address is in (`10.0.0.0/8`), or None when Claude Code counts it as public."""
    address = _address(text)
    ranges = PRIVATE_V4 if isinstance(address, ipaddress.IPv4Address) else PRIVATE_V6
    return next((str(n) for n in ranges if address is not None and address in n), None)


def declared_networks(entries: object) -> tuple[IPv4Network, ...]:
    """`gatewayInternalNetworks` as the client accepts it; ValueError (one line, as the client says it) if not."""
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise ValueError(f"{SETTING} is not a list of CIDR strings; Claude Code refuses the sign-in until it is fixed")
    networks: list[IPv4Network] = []
    for entry in (e.strip() for e in entries):
        try:
            network = ipaddress.IPv4Network(entry)  # strict: host bits must be zero
        except ValueError:
            network = None
        if network is None or "/" not in entry or network.prefixlen < MIN_PREFIX:
            raise ValueError(
                f'{SETTING} entry "{entry}" is not an IPv4 block written as first-address/prefix, '
                f"/{MIN_PREFIX} to /32 (like 203.0.113.0/24, but your own)"
            )
        for refused, why in (
            (PRIVATE_V4, "private address space, where /login accepts a gateway without this key"),
            (DOCUMENTATION, "a documentation example range that is no one's network"),
            (RESERVED, "reserved address space no network is numbered from"),
            (VPN_AND_NAT64, "a range VPN and NAT64 clients use locally"),
        ):
            clash = next((r for r in refused if network.overlaps(r)), None)
            if clash is not None:
                raise ValueError(f'{SETTING} entry "{entry}" overlaps {clash}, {why}')
        networks.append(network)
    if len(networks) > MAX_DECLARED:
        raise ValueError(f"{SETTING} lists {len(networks)} blocks; Claude Code accepts at most {MAX_DECLARED}")
    for i, first in enumerate(networks):
        other = next((n for n in networks[i + 1 :] if first.overlaps(n)), None)
        if other is not None:
            raise ValueError(f'{SETTING} entries "{first}" and "{other}" overlap; list disjoint blocks')
    return tuple(networks)


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    detail: str  # what the addresses are, or which one is refused and why


def judge(addresses: Sequence[str], declared: Sequence[IPv4Network] = ()) -> Verdict:
    """Whether Claude Code would accept a gateway whose name resolves to `addresses`."""
    parsed = [(text, _address(text)) for text in addresses]
    home = next((n for n in declared for _, a in parsed if a is not None and a in n), None)
    if home is not None:
        outside = next((text for text, a in parsed if a is None or a not in home), None)
        if outside is not None:
            return Verdict(False, f"{outside}, outside its declared network {home} (every address must be inside it)")
        return Verdict(True, f"{', '.join(addresses)} (inside the declared network {home})")
    public = [text for text, _ in parsed if private_range(text) is None]
    if public:
        mixed = " alongside private ones (every address must be private)" if len(public) < len(parsed) else ""
        return Verdict(False, f"the public (or unrecognized) address {public[0]}{mixed}")
    ranges = sorted({private_range(text) or "" for text, _ in parsed})
    return Verdict(True, f"{', '.join(addresses)} (private: {', '.join(ranges)})")

"""Who is asking: the client IP, believing X-Forwarded-For only from configured proxies."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    networks = []
    for entry in proxies:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue  # a typo in the setting must not trust the world
    return tuple(networks)


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The first address, walking X-Forwarded-For from the right, that is not a trusted proxy."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return "unknown"
    networks = _networks(tuple(getattr(settings, "KILN_TRUSTED_PROXIES", []) or []))
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")[:2048]
    for hop in reversed(forwarded.split(",")):
        address = _parse(hop)
        if address is None:
            break  # garbage in the chain: stop at the last hop we could verify
        if not _is_trusted(address, networks):
            return str(address)
        remote = address
    return str(remote)


def client_key(ip: str) -> str:
    """The rate-limit identity: the IPv4 address, or the /64 an IPv6 client usually owns."""
    address = _parse(ip)
    if address is None:
        return "unknown"
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))

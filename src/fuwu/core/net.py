"""The one answer to "which address is this client": audit rows and throttles both ask `client_ip()`."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only through FUWU_NUM_PROXIES proxies of ours.

    Each of our proxies appends the address it received from; with N proxies the client is the N-th entry
    from the right. Entries further left are whatever the client sent and are never trusted, and a value
    that is not an IP address (a forged or broken header) is ignored rather than stored.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    hops: int = settings.NINJA_NUM_PROXIES
    if hops <= 0:
        return remote
    forwarded = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if len(forwarded) < hops:
        return remote
    return _valid(forwarded[-hops]) or remote


class AnonThrottle(AnonRateThrottle):
    """Ninja's per-client rate limit, keyed on the same `client_ip()` the audit trail records."""

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_ip(request)

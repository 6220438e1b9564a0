"""The address a request came from, as throttles count it: behind a proxy, the address the proxy saw."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or under BEHIND_PROXY the last X-Forwarded-For entry (the one our own proxy appended).

    Earlier entries are whatever the client chose to send, so they are never trusted.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"

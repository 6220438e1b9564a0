"""The one wrapper for outgoing HTTP: timeouts, no redirects, a public-address check, clean logs."""

from __future__ import annotations

import ipaddress
import json as jsonlib
import logging
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from service.exceptions import TransportError

logger = logging.getLogger("sessionguard.http")


class _DropHttpxRequestLines(logging.Filter):
    """httpx logs every request with its full URL, query string (tokens) included."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("HTTP Request:")


# A filter rather than a level, so a later logging config that turns httpx up still hides them.
logging.getLogger("httpx").addFilter(_DropHttpxRequestLines())

MAX_BODY_BYTES = 64 * 1024
# Connecting should be quick; a slow connect usually means a dead host, so it gets less time
# than the read.
MAX_CONNECT_TIMEOUT = 5.0
ALLOWED_SCHEMES = ("http", "https")

__all__ = [
    "HttpError",
    "HttpResult",
    "check_public_url",
    "clean_url_for_log",
    "request",
    "url_is_public",
]


class HttpError(TransportError):
    """A request that got no usable answer; `permanent` says whether retrying can help."""

    def __init__(self, message: str, permanent: bool = False, status_code: int | None = None):
        super().__init__(message, permanent=permanent)
        self.status_code = status_code


@dataclass(frozen=True)
class HttpResult:
    status_code: int
    headers: dict[str, str]  # lower-case names
    body: bytes  # at most MAX_BODY_BYTES
    elapsed_ms: int
    body_truncated: bool = field(default=False)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self) -> Any:
        return jsonlib.loads(self.body)


def clean_url_for_log(url: str) -> str:
    """Scheme, host, port and path only: userinfo, query and fragment may carry tokens."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparseable url>"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}{parts.path}"


def _address_is_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        # Catches what the flags above miss, such as 100.64.0.0/10 (carrier-grade NAT).
        or not ip.is_global
    )


def check_public_url(url: str) -> None:
    """Raise HttpError(permanent=True) unless url is http(s) and every address of its host is public."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise HttpError("invalid URL", permanent=True) from exc
    if parts.scheme not in ALLOWED_SCHEMES:
        raise HttpError("only http and https URLs are allowed", permanent=True)
    if not host:
        raise HttpError("URL has no host", permanent=True)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        # A name that does not resolve now may resolve later.
        raise HttpError("host name does not resolve") from exc
    addresses = {info[4][0] for info in infos}
    # Any bad address refuses the URL: a host answering with a mix could be steered to the bad one.
    if not addresses or not all(_address_is_public(str(a)) for a in addresses):
        raise HttpError("URL resolves to a non-public address", permanent=True)


def url_is_public(url: str) -> bool:
    try:
        check_public_url(url)
    except HttpError:
        return False
    return True


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    json: Any = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 10.0,
) -> HttpResult:
    """Send one request; any HTTP status is a result, only no answer at all raises HttpError.

    Private, loopback and link-local addresses are refused unless ALLOW_PRIVATE_WEBHOOK_URLS is set
    (tests and local demos): the URL is a clinic's or a platform's, never trusted to point outward.
    """
    method = method.upper()
    log_url = clean_url_for_log(url)
    if content is not None and json is not None:
        raise ValueError("pass content or json, not both")
    if not settings.ALLOW_PRIVATE_WEBHOOK_URLS:
        # Checked here, right before sending, so a name re-pointed since the URL was saved is
        # caught; a rebinding inside this call's own window is still possible.
        try:
            check_public_url(url)
        except HttpError as exc:
            logger.warning("%s %s refused: %s", method, log_url, exc.message)
            raise
    elif urlsplit(url).scheme not in ALLOWED_SCHEMES:
        raise HttpError("only http and https URLs are allowed", permanent=True)

    # Ask for an uncompressed body so the 64 KiB cap bounds memory too (no gzip bombs).
    send_headers = {"Accept-Encoding": "identity", **(headers or {})}
    timeouts = httpx.Timeout(timeout, connect=min(timeout, MAX_CONNECT_TIMEOUT))
    started = time.monotonic()
    # The read timeout is per chunk; the deadline stops a server that drips bytes forever.
    deadline = started + timeout
    try:
        with (
            httpx.Client(timeout=timeouts, follow_redirects=False, trust_env=False) as client,
            client.stream(method, url, headers=send_headers, content=content, json=json, auth=auth) as response,
        ):
            body = bytearray()
            truncated = False
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_BODY_BYTES:
                    del body[MAX_BODY_BYTES:]
                    truncated = True
                    break
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("deadline passed while reading")
            elapsed_ms = int((time.monotonic() - started) * 1000)
            result = HttpResult(
                status_code=response.status_code,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=bytes(body),
                elapsed_ms=elapsed_ms,
                body_truncated=truncated,
            )
    except httpx.TimeoutException as exc:
        elapsed_ms = int((time.monotonic() - started) * 1000)
        logger.warning("%s %s timed out after %d ms", method, log_url, elapsed_ms)
        raise HttpError(f"timed out after {elapsed_ms} ms") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        logger.warning("%s %s refused: invalid URL", method, log_url)
        raise HttpError("invalid URL", permanent=True) from exc
    except httpx.HTTPError as exc:
        elapsed_ms = int((time.monotonic() - started) * 1000)
        # Only the class name: some httpx messages quote the URL, query string included.
        logger.warning("%s %s failed after %d ms: %s", method, log_url, elapsed_ms, type(exc).__name__)
        raise HttpError(f"connection failed: {type(exc).__name__}") from exc

    logger.info("%s %s -> %s in %d ms", method, log_url, result.status_code, result.elapsed_ms)
    return result

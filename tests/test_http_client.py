"""Tests for the outgoing HTTP wrapper against a local server."""

from __future__ import annotations

import logging
import socket

import pytest

from service import http_client
from service.http_client import HttpError, check_public_url, clean_url_for_log, request, url_is_public
from tests.booking_integration.fakeapi import FakeApi


@pytest.fixture
def api():
    with FakeApi() as fake:
        yield fake


def test_get_returns_status_headers_and_body(api):
    api.add("/thing", {"ok": True}, headers={"X-Custom": "1"})

    result = request("GET", api.url("/thing"))

    assert result.status_code == 200
    assert result.headers["x-custom"] == "1"
    assert result.json() == {"ok": True}
    assert result.elapsed_ms >= 0


def test_error_status_is_a_result_not_an_exception(api):
    api.add("/gone", {"error": "gone"}, status=410)

    assert request("GET", api.url("/gone")).status_code == 410


def test_sends_json_and_basic_auth(api):
    api.add("/hook", {}, method="POST")

    request("POST", api.url("/hook"), json={"a": 1}, auth=("user", "pw"))

    sent = api.requests[0]
    assert sent.body == b'{"a":1}'
    assert sent.headers["authorization"].startswith("Basic ")


def test_redirect_is_not_followed(api):
    api.add("/old", status=302, headers={"Location": api.url("/new")})
    api.add("/new", {"followed": True})

    result = request("GET", api.url("/old"))

    assert result.status_code == 302
    assert [r.path for r in api.requests] == ["/old"]


def test_slow_server_raises_a_retryable_http_error(api):
    api.add("/slow", {}, delay=2)

    with pytest.raises(HttpError) as caught:
        request("GET", api.url("/slow"), timeout=0.3)

    assert caught.value.permanent is False
    assert "timed out" in caught.value.message


def test_connection_refused_raises_a_retryable_http_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens once the socket is closed

    with pytest.raises(HttpError) as caught:
        request("GET", f"http://127.0.0.1:{port}/", timeout=1)

    assert caught.value.permanent is False


def test_body_is_capped_at_64_kib(api):
    api.add("/big", b"x" * (http_client.MAX_BODY_BYTES + 1000))

    result = request("GET", api.url("/big"))

    assert len(result.body) == http_client.MAX_BODY_BYTES
    assert result.body_truncated is True


def test_private_url_is_refused_when_private_addresses_are_not_allowed(api, settings):
    api.add("/internal", {})
    settings.ALLOW_PRIVATE_WEBHOOK_URLS = False

    with pytest.raises(HttpError) as caught:
        request("GET", api.url("/internal"))

    assert caught.value.permanent is True
    assert api.requests == []


def test_non_http_scheme_is_refused():
    with pytest.raises(HttpError) as caught:
        request("GET", "file:///etc/passwd")

    assert caught.value.permanent is True


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "ftp://93.184.215.14/",
        "http:///no-host",
    ],
)
def test_non_public_urls_are_refused(url):
    assert url_is_public(url) is False


def test_public_ip_literal_is_allowed():
    assert url_is_public("https://93.184.215.14/hooks") is True


def test_a_host_with_any_private_address_is_refused(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    with pytest.raises(HttpError) as caught:
        check_public_url("https://mixed.example/")

    assert caught.value.permanent is True


def test_unresolvable_host_is_not_public_but_retryable(monkeypatch):
    def resolve(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    assert url_is_public("https://nowhere.example/") is False
    with pytest.raises(HttpError) as caught:
        check_public_url("https://nowhere.example/")
    assert caught.value.permanent is False


def test_clean_url_for_log_drops_userinfo_query_and_fragment():
    cleaned = clean_url_for_log("https://user:pw@api.example.com:8443/v2/x?token=abc#frag")

    assert cleaned == "https://api.example.com:8443/v2/x"


def test_log_has_method_url_and_status_but_no_secret(api, caplog):
    api.add("/v2/customers/1", {"customer": {}})
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included

    request(
        "GET",
        api.url("/v2/customers/1") + "?access_token=query-secret",
        headers={"Authorization": "Bearer header-secret"},
        auth=None,
    )
    request("POST", api.url("/v2/customers/1"), json={"password": "body-secret"})

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET " + api.url("/v2/customers/1") + " -> 200" in logged
    for secret in ("query-secret", "header-secret", "body-secret", "access_token"):
        assert secret not in logged


def test_failure_log_has_no_secret(caplog):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(HttpError):
        request("GET", f"http://user:pw-secret@127.0.0.1:{port}/?token=query-secret", timeout=1)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "failed" in logged
    assert "pw-secret" not in logged
    assert "query-secret" not in logged

"""A local HTTP server for tests: canned answers per method and path, every request recorded.

    with FakeApi() as api:
        api.add("/api/v1/appointments/12", {"id": 12})
        http_client.request("GET", api.url("/api/v1/appointments/12"))
        assert api.requests[0].headers["authorization"].startswith("Basic ")

Listens on 127.0.0.1 only (allowed by the suite's socket blocking). Unknown paths answer 404.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(relative_path: str) -> bytes:
    """Raw bytes of tests/booking_integration/fixtures/<relative_path>, as a platform would send them."""
    return (FIXTURES / relative_path).read_bytes()


def fixture_json(relative_path: str) -> Any:
    return json.loads(fixture_bytes(relative_path))


@dataclass(frozen=True)
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering, to test timeouts


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes


class FakeApi:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # Do not wait for a handler still sleeping in a `delay` when the test ends.
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(
        self,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer `method path` with body: bytes as they are, anything else as JSON."""
        route_headers = dict(headers or {})
        if isinstance(body, bytes):
            raw = body
        elif body is None:
            raw = b""
        else:
            raw = json.dumps(body).encode()
            route_headers.setdefault("Content-Type", "application/json")
        self.routes[(method.upper(), path)] = Route(status, raw, route_headers, delay)

    def start(self) -> FakeApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with api._lock:
                    api.requests.append(
                        RecordedRequest(
                            method=self.command,
                            path=parts.path,
                            query=parts.query,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                        )
                    )
                route = api.routes.get((self.command, parts.path))
                if route is None:
                    route = Route(404, b'{"error": "not found"}', {"Content-Type": "application/json"})
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to do

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler

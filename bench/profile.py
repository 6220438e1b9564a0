"""Where a missed target's time goes: pyinstrument over requests made in-process, written beside the results."""

from __future__ import annotations

from pathlib import Path


def profile_requests(path: str, requests: list[tuple[dict[str, str], str]], out: Path, count: int = 150) -> str:
    """Profile `count` POSTs to `path` through Django's test client; return the top of the report."""
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")

    def post(headers: dict[str, str], body: str) -> None:
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k.lower() != "content-type"}
        client.post(path, body, content_type="application/json", **extra)

    for headers, body in requests[:20]:
        post(headers, body)  # warm-up: imports, connections, prepared statements
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for headers, body in requests[20 : 20 + count]:
        post(headers, body)
    profiler.stop()
    report = profiler.output_text(unicode=False, color=False)
    out.write_text(report)
    seconds = profiler.last_session.duration if profiler.last_session else 0.0
    return f"{seconds / count * 1000:.1f} ms a request in-process; profile in {out.relative_to(out.parent.parent)}"

"""Drive wrk (one thread, so the load generator leaves the server its cores) and read its figures."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def lua_post(path: str, headers: dict[str, str], bodies: list[str], interval_ms: float | None = None) -> str:
    """A wrk script that POSTs `bodies` in turn (each request its own body), optionally paced."""
    lines = ["local requests = {}"]
    header_table = "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()) + "}"
    lines.append(f"local headers = {header_table}")
    lines.append("local bodies = {")
    lines.extend(f"  {json.dumps(body)}," for body in bodies)
    lines.append("}")
    lines.append(
        f"""
local i = 0
function request()
  i = i % #bodies + 1
  return wrk.format("POST", {json.dumps(path)}, headers, bodies[i])
end
"""
    )
    if interval_ms is not None:
        lines.append(f"function delay() return {interval_ms:.3f} end")
    return "\n".join(lines)


def lua_post_signed(path: str, requests: list[tuple[dict[str, str], str]]) -> str:
    """A wrk script cycling through requests that each carry their own headers (signed webhooks)."""
    lines = ["local reqs = {"]
    for headers, body in requests:
        header_table = "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()) + "}"
        lines.append(f"  {{{header_table}, {json.dumps(body)}}},")
    lines.append("}")
    lines.append(
        f"""
local i = 0
local interval = tonumber(os.getenv("WRK_INTERVAL_MS") or "")
function request()
  i = i % #reqs + 1
  return wrk.format("POST", {json.dumps(path)}, reqs[i][1], reqs[i][2])
end
function delay()
  if interval then return interval end
  return 0
end
"""
    )
    return "\n".join(lines)


def run(base_url: str, script: str, *, seconds: int, connections: int, env: dict | None = None) -> dict[str, float]:
    """Run wrk once; return requests/second, latency percentiles (ms) and failures."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = handle.name
    try:
        result = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script_path, base_url],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            timeout=seconds + 60,
        )
    finally:
        Path(script_path).unlink(missing_ok=True)
    out = result.stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+(?:us|ms|s))", out, re.MULTILINE)
        figures[f"p{pct}_ms"] = round(_ms(match.group(1)), 2) if match else None
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    figures["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    figures["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    figures["socket_errors"] = errors.group(1).strip() if errors else ""
    return figures

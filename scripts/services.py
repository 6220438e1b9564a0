"""Say which database and broker the tests will use: the real ones when they answer, else the embedded defaults.

Prints shell `export` lines for the Makefile. With CI=true the real services are required.
"""

from __future__ import annotations

import os
import socket
import sys

POSTGRES = ("127.0.0.1", 5432, "postgres://postgres@127.0.0.1:5432/test")
REDIS = ("127.0.0.1", 6379, "redis://127.0.0.1:6379/15")


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    ci = os.environ.get("CI", "").lower() == "true"
    lines, said = [], []
    for label, var, (host, port, url) in (
        ("PostgreSQL", "DATABASE_URL", POSTGRES),
        ("Redis", "CELERY_BROKER_URL", REDIS),
    ):
        if os.environ.get(var):
            said.append(f"{label}: {var} from the environment")
            continue
        if answers(host, port):
            lines.append(f"export {var}={url}")
            said.append(f"{label}: {url}")
        elif ci:
            print(f"echo 'CI=true needs {label} on {host}:{port}, and it does not answer' >&2; exit 1")
            return 0
        else:
            said.append(f"{label}: not answering on {host}:{port}, using the embedded default")
    lines.append("echo 'Tests use -> " + "; ".join(said) + "'")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

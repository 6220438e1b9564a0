"""Before `make run` starts anything: stop with one clear line when PORT is already taken."""

from __future__ import annotations

import os
import socket
import sys


def main() -> int:
    raw = os.environ.get("PORT", "8000")
    try:
        port = int(raw)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        print(f"PORT={raw!r} is not a port number: set PORT to a number between 1 and 65535.", file=sys.stderr)
        return 1
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As gunicorn binds: a port left in TIME_WAIT is free, one that something listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            print(
                f"PORT {port} is already in use by another program: stop it, or choose another port, "
                f"for example PORT={port + 1} make run",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

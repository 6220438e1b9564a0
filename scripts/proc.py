"""Run one Procfile process so that Ctrl-C stops it cleanly.

honcho stops a process by signalling its whole process group, so gunicorn's workers and Celery's pool
children would be killed underneath their parents (which then log each child as an ERROR). Here the
real process runs in a session of its own and only its main process is told to stop; it stops its
children itself, as it would under a process manager in production.
"""

from __future__ import annotations

import signal
import subprocess
import sys


def main() -> int:
    child = subprocess.Popen(sys.argv[1:], start_new_session=True)  # noqa: S603 - our own Procfile's command

    def stop(signum: int, frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return max(child.wait(), 0)


if __name__ == "__main__":
    sys.exit(main())

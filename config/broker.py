"""kombu's Redis transport, publishing through one client per channel instead of a new one each time.

kombu makes a new `redis.Redis` client for every message it publishes (and every other command it
sends outside the consumer's poll); building one costs about as much Python as the LPUSH itself
(bench/README.md: a fifth of a publish, which the webhook endpoint pays on each delivery). A client
is only a handle on the channel's connection pool, and redis-py clients are safe to share, so the
channel keeps one. Consuming (BRPOP on the asynchronous pool) is kombu's, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis
from kombu.utils.objects import cached_property


class Channel(redis.Channel):
    @cached_property
    def _command_client(self) -> Any:
        return self._create_client()

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        yield client or self._command_client


class Transport(redis.Transport):
    Channel = Channel

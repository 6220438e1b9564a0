"""The Redis transport publishes through one client per channel, and what it publishes arrives."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings

from config.broker import Transport
from config.celery_app import app

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"), reason="the embedded broker is not Redis"
)


def test_a_channel_reuses_one_client_and_its_messages_reach_the_queue():
    queue = "sessionguard-test-broker"
    server = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    server.delete(queue)
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)
        with connection.channel() as channel:
            with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
                assert first is second
            producer = connection.Producer(channel)
            for number in range(3):
                producer.publish({"n": number}, routing_key=queue, exchange="", serializer="json")
    assert server.llen(queue) == 3
    server.delete(queue)

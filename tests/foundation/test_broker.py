"""The Redis transport publishes through one client per channel; publishes held until the answer is out."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings

from config.broker import Transport
from config.celery_app import app

redis_only = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"), reason="the embedded broker is not Redis"
)


@redis_only
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


@pytest.mark.django_db(transaction=True)
def test_held_publishes_go_out_when_the_answer_is_closed_or_at_once_on_an_error(monkeypatch):
    from django.http import HttpResponse

    from service import queueing

    sent: list[str] = []
    app.loader.import_default_modules()  # as a worker or the first enqueue does
    task = app.tasks["booking_integration.tasks.process_inbound_delivery"]
    monkeypatch.setattr(task, "apply_async", lambda args, **options: sent.append(args[0]))

    with queueing.held_until_answered() as held:
        queueing.enqueue(task.name, "first")  # no transaction open: "committed" at once
    assert sent == []
    assert len(held) == 1
    answer = queueing.send_after(HttpResponse("ok"), held)
    assert sent == []
    answer.close()  # what the WSGI server does after writing the answer
    assert sent == ["first"]
    queueing.enqueue(task.name, "unheld")
    assert sent == ["first", "unheld"]

    def failing_view() -> None:
        with queueing.held_until_answered():
            queueing.enqueue(task.name, "before the error")
            raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        failing_view()
    assert sent[-1] == "before the error"

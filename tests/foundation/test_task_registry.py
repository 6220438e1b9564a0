"""Every task a schedule or a service names is one a worker knows (autodiscovery finds its module)."""

from __future__ import annotations

from booking_integration import holds, inbound, outbound
from config.celery_app import app
from service.notifications import outbox
from service.schedules import PERIODIC_TASKS


def test_every_scheduled_and_enqueued_task_is_registered():
    app.loader.import_default_modules()  # what a worker does at start
    named = {task for task, _ in PERIODIC_TASKS.values()} | {
        outbox.SEND_TASK,
        inbound.PROCESS_TASK,
        outbound.SEND_TASK,
        holds.HOLD_TASK,
    }
    assert named - set(app.tasks) == set()
    assert len(PERIODIC_TASKS) >= 8


def test_celery_reads_every_celery_setting_from_django():
    from django.conf import settings

    for name in (n for n in dir(settings) if n.startswith("CELERY_")):
        key = name.removeprefix("CELERY_").lower()
        assert app.conf[key] == getattr(settings, name), key
    assert app.conf.task_acks_late is True
    assert app.conf.task_serializer == "json"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL

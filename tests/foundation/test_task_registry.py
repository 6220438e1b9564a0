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

"""The Celery app: settings under the CELERY_ namespace, tasks in each package's tasks module.

Every task is a `service.queueing.Task`: queued after the transaction commits when asked with
`enqueue`, and never raising a broker outage into the caller.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

TASK_PACKAGES = ["service", "service.notifications", "service.questionnaires", "booking_integration"]

app = Celery("sessionguard", task_cls="service.queueing:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(TASK_PACKAGES)

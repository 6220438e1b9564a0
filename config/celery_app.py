"""The Celery app: settings under the CELERY_ namespace, tasks in each package's tasks module.

Every task is a `service.queueing.Task`: queued after the transaction commits when asked with
`enqueue`, and never raising a broker outage into the caller.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Every installed app's tasks module, and those of the service's subpackages, which are not apps.
TASK_PACKAGES = ["service.notifications", "service.questionnaires"]

app = Celery("sessionguard", task_cls="service.queueing:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(TASK_PACKAGES)

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


@app.on_configure.connect
def _read_django_settings(sender: Celery, **kwargs: object) -> None:
    """Celery's settings are the CELERY_* Django settings, copied into a plain dict when Celery first
    reads its configuration (Django is set up by then).

    Celery looks settings up several times on every publish; through Django's lazy settings object
    (`config_from_object("django.conf:settings")`) those lookups cost about a fifth of a publish,
    which the webhook endpoint pays on each delivery (bench/README.md).
    """
    from django.conf import settings

    names = [name for name in dir(settings) if name.startswith("CELERY_")]
    sender.config_from_object({name: getattr(settings, name) for name in names}, namespace="CELERY")


app.autodiscover_tasks()
app.autodiscover_tasks(TASK_PACKAGES)

"""The no-op task the sweep is compared with: one Redis INCR, so the bench can tell when all have run."""

from celery import shared_task
from django.conf import settings


@shared_task(name="bench.floor.tasks.noop", ignore_result=True)
def noop(counter_key: str) -> None:
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).incr(counter_key)

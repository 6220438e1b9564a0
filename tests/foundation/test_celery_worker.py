"""A real Celery worker runs a task end to end on the test broker (Redis when it answers)."""

import pytest

from service.models import WorkerHeartbeat
from tests.conftest import wait_for


@pytest.mark.worker
def test_a_real_worker_runs_a_task_from_the_broker(celery_worker_process):
    from service.tasks import ping

    celery_worker_process()
    ping.delay("hello")
    wait_for(lambda: WorkerHeartbeat.objects.filter(hostname="ping:hello").exists(), timeout=30)


@pytest.mark.worker
def test_the_heartbeat_task_makes_health_ok(celery_worker_process, anon_api):
    from service.tasks import worker_heartbeat

    celery_worker_process()
    worker_heartbeat.delay()
    wait_for(lambda: WorkerHeartbeat.objects.exists(), timeout=30)
    assert anon_api.get("/health/").status_code == 200

"""The benchmark harness measures what it says: the rule engine's pin to one core ends with it."""

from __future__ import annotations

import os

import pytest

from bench import engine


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this system")
def test_the_rule_engine_bench_gives_the_process_its_cores_back():
    cores = os.sched_getaffinity(0)
    result = engine.run(rounds=1, count=50, repeat=1)
    assert os.sched_getaffinity(0) == cores
    assert result["decisions_per_second"] > 0

"""Hypothesis profiles of the fuzz suite, and the time-budgeted long run (``make fuzz``).

``make test`` runs every fuzz test once with the ``ci`` profile: a small
fixed number of examples, derandomized (the same inputs on every run).

``make fuzz`` sets ``FUZZ_MINUTES``: the ``fuzz`` profile then draws fresh
random inputs, and each fuzz test runs batch after batch until its share of
the budget is spent. ``--hypothesis-show-statistics`` reports the inputs
tried by each test over all its batches.
"""
import os
import time

import pytest
from hypothesis import HealthCheck, is_hypothesis_test, settings
from hypothesis.statistics import collector

BUDGET_SECONDS = float(os.environ.get("FUZZ_MINUTES") or 0) * 60

_COMMON = dict(database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much])
settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES") or 25), derandomize=True,
                          deadline=None, **_COMMON)
# a small input never takes more than a few seconds
settings.register_profile("fuzz", max_examples=300, derandomize=False, deadline=5000, **_COMMON)
settings.load_profile("fuzz" if BUDGET_SECONDS else "ci")


def pytest_collection_modifyitems(config, items):
    fuzz = [item for item in items if "tests/fuzz/" in item.nodeid.replace("\\", "/")]
    config.fuzz_share = BUDGET_SECONDS / max(1, len(fuzz))


def _merge(total, stats):
    for key, value in stats.items():
        if not key.endswith("-phase"):
            total[key] = value
            continue
        phase = total.setdefault(key, {"duration-seconds": 0.0, "test-cases": [], "distinct-failures": 0,
                                       "shrinks-successful": 0})
        phase["duration-seconds"] += value.get("duration-seconds", 0.0)
        phase["test-cases"].extend(value.get("test-cases", []))
        phase["distinct-failures"] += value.get("distinct-failures", 0)
        phase["shrinks-successful"] += value.get("shrinks-successful", 0)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """With a budget, run a hypothesis test batch after batch (fresh random inputs) until its share is spent."""
    if not BUDGET_SECONDS or not is_hypothesis_test(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    report = collector.value
    total, batches = {}, 0
    end = time.monotonic() + pyfuncitem.config.fuzz_share
    while True:
        with collector.with_value(lambda stats: _merge(total, stats)):
            pyfuncitem.obj(**args)
        batches += 1
        if time.monotonic() >= end:
            break
    total["stopped-because"] = f"time budget spent ({batches} batches)"
    if report is not None:
        report(total)
    return True

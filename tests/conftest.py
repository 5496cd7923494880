"""Shared test configuration: Hypothesis profiles.

``dev`` (the default) draws new examples on every run, to find what no run has
found yet; ``ci`` (selected when the CI variable is set) tries more examples but
the same ones on every run, so a red CI run means a change broke something, not
that the dice found an old fault. Deadlines are off: the suite runs on shared
two-core machines, and speed is measured in ``benchmarks/``.
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The awsmon fixtures come from the ``pytest11`` entry point when awsmon is installed;
# from a bare checkout (``PYTHONPATH=. python -m pytest``) this registers them instead.
if not any(entry.name == "awsmon" for entry in entry_points(group="pytest11")):
    pytest_plugins = ["awsmon.testing.pytest_plugin"]

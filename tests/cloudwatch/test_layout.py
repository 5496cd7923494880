"""The layers inside awsmon/cloudwatch, read from the imports of every module (ast).

From the bottom up: `metrics` (values, the store, statistics, GetMetricData)
and `math` (the metric-math language) know nothing of alarms; the pure alarm
modules (states, rules, the algorithm, reasons, checks, history records) know
nothing of the stateful ones; `alarms.store.Alarms` owns the alarms and its
collaborators reach it through public methods; `service.py` sits on top and
only the wire APIs and the package's ``__init__`` import it. Imports under
``TYPE_CHECKING`` and inside functions count. The rules of the whole package (no
loops, module sizes, services meeting through public packages) are in
``tests/test_layers.py``, whose import graph this reads.
"""

from __future__ import annotations

import pytest
from test_layers import GRAPH, MODULES

#: Alarm modules that hold no state and call nothing stateful.
PURE_ALARMS = {
    "actions",
    "checks",
    "config",
    "evaluation",
    "history",
    "listing",
    "math_plan",
    "model",
    "reason",
    "records",
    "rule",
    "window",
}
#: Modules that make the services stateful: nothing below the service reaches them.
STATEFUL = {"awsmon.cloud", "awsmon.dispatch", "awsmon.clock"}
IMPORTS = {name: GRAPH[name] for name in MODULES if name.startswith("awsmon.cloudwatch")}


def _inside(prefix: str) -> list[str]:
    return [name for name in IMPORTS if name == prefix or name.startswith(prefix + ".")]


@pytest.mark.parametrize(
    "name", _inside("awsmon.cloudwatch.metrics") + _inside("awsmon.cloudwatch.math")
)
def test_metrics_and_math_know_no_alarms(name: str) -> None:
    """Nothing in metrics/ or math/ imports the alarms, the service or a stateful core module."""
    bad = {
        i
        for i in IMPORTS[name]
        if i.startswith("awsmon.cloudwatch.alarms")
        or i in ("awsmon.cloudwatch", "awsmon.cloudwatch.service", "awsmon.cloudwatch.api")
        or i in STATEFUL
    }
    assert bad == set()


@pytest.mark.parametrize("name", sorted(f"awsmon.cloudwatch.alarms.{m}" for m in PURE_ALARMS))
def test_pure_alarm_modules_import_nothing_stateful(name: str) -> None:
    """A pure alarm module imports only pure alarm modules, metrics, math and errors."""
    allowed = {f"awsmon.cloudwatch.alarms.{m}" for m in PURE_ALARMS}
    bad = {
        i
        for i in IMPORTS[name]
        if i in STATEFUL
        or (i.startswith("awsmon.cloudwatch.alarms.") and i not in allowed)
        or i in ("awsmon.cloudwatch", "awsmon.cloudwatch.service", "awsmon.cloudwatch.api")
    }
    assert bad == set()


def test_only_the_wire_apis_and_the_package_import_the_service() -> None:
    """service.py is the top: only the wire APIs and the package's __init__ import it."""
    importers = {n for n, found in IMPORTS.items() if "awsmon.cloudwatch.service" in found}
    assert importers <= {
        "awsmon.cloudwatch",
        "awsmon.cloudwatch.api",
        "awsmon.cloudwatch.alarms.api",
    }


def test_no_module_imports_the_package_itself() -> None:
    """Inside cloudwatch, siblings are imported by module path, never via awsmon.cloudwatch."""
    assert [n for n, found in IMPORTS.items() if "awsmon.cloudwatch" in found] == []


@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_nothing_reaches_into_the_service(name: str) -> None:
    """No cast to the service and no `service._x` reach-ins: the owners' public methods only."""
    text = MODULES[name].read_text()
    assert 'cast("CloudWatch"' not in text
    assert "service._" not in text

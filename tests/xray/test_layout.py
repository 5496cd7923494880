"""The layers of awsmon/xray, read from the imports of every module (see tests/layout_rules.py).

- other services are imported by their package only, never their submodules;
- the pure modules (filter expressions, sampling rules, the trace tree and its
  root-cause analysis) import nothing stateful;
- no module imports itself back through any chain, counting imports under
  ``TYPE_CHECKING`` and inside functions;
- modules stay under 600 lines and functions under 80.
"""

from __future__ import annotations

import pytest
from layout_rules import cycles, foreign_internals, long_functions, modules, stateful_imports

MODULES = modules("awsmon.xray")
PURE = {
    "awsmon.xray.filter_expression",
    "awsmon.xray.filter_syntax",
    "awsmon.xray.filter_tree",
    "awsmon.xray.sampling",
    "awsmon.xray.trace_tree",
    "awsmon.xray.rootcause",
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_other_services_are_imported_by_their_package(module: str) -> None:
    """A module reaches into no other service's submodules."""
    assert foreign_internals(module, MODULES[module]) == []


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_import_nothing_stateful(module: str) -> None:
    """Languages import no clock, cloud, dispatcher, service or wire API."""
    assert stateful_imports(MODULES[module]) == []


def test_no_import_cycles() -> None:
    """No module imports itself back, through any chain of the package's modules."""
    assert cycles(MODULES) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_sizes(module: str) -> None:
    """No module over 600 lines; no function over 80."""
    path = MODULES[module]
    assert len(path.read_text().splitlines()) <= 600
    assert long_functions(path) == []

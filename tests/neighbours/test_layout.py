"""The layers of awsmon/neighbours, read from the imports of every module (ast).

Each neighbour is a package (``awsmon/neighbours/<service>/``) or, while small, a
single module (``kms.py``, ``sts.py``), and counts as a service of its own:

- it imports another service only by that service's package
  (``from awsmon.neighbours.ec2 import InstanceState``,
  ``from awsmon.cloudwatch import MetricKey``), never its submodules;
  the few X-Ray internals Lambda's tracing still needs are listed in
  `KNOWN_INTERNALS`, to be exported by ``awsmon.xray`` and dropped from here;
- its pure modules (languages and computations) import nothing stateful;
- no two modules import each other, even through others;
- no module is over 600 lines.

Imports under ``TYPE_CHECKING`` and inside functions count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "awsmon" / "neighbours"
SERVICES = ("awsmon.cloudwatch", "awsmon.events", "awsmon.logs", "awsmon.xray")
#: Pure modules: languages and computations, no state, no clock, no other service's state.
PURE = {
    "awsmon.neighbours.sns.filter_policy",
    "awsmon.neighbours.firehose.prefix",
    "awsmon.neighbours.lambda_.events",
    "awsmon.neighbours.kinesis.model",
    "awsmon.neighbours.ec2.agent.config",
    "awsmon.neighbours.ec2.agent.timestamp_format",
    "awsmon.neighbours.ec2.agent.file_glob",
    "awsmon.neighbours.ec2.agent.figures",
}
STATEFUL = {"awsmon.cloud", "awsmon.dispatch", "awsmon.clock"}
#: Internals of other services still imported, by (importer, imported module).
KNOWN_INTERNALS = {
    ("awsmon.neighbours.lambda_.model", "awsmon.xray.recorder"),
    ("awsmon.neighbours.lambda_.tracing", "awsmon.xray.recorder"),
    ("awsmon.neighbours.lambda_.tracing", "awsmon.xray.sampling"),
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("awsmon.")}


def _service(module: str) -> str:
    """The service a module belongs to: ``awsmon.neighbours.<svc>`` or ``awsmon.<svc>``."""
    parts = module.split(".")
    if parts[1] == "neighbours" and len(parts) > 2:
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def _is_module(name: str) -> bool:
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_other_services_are_imported_by_their_package(module: str) -> None:
    """A neighbour reaches into no other service's submodules."""
    own = _service(module)
    internals = sorted(
        name
        for name in _imports(MODULES[module])
        if _is_module(name)
        and (name.startswith("awsmon.neighbours.") or name.startswith(SERVICES))
        and _service(name) != own
        and name != _service(name)
        and (module, name) not in KNOWN_INTERNALS
    )
    assert internals == []


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_import_nothing_stateful(module: str) -> None:
    """Languages and computations import no clock, cloud, dispatcher, service or wire API."""
    stateful = sorted(
        name
        for name in _imports(MODULES[module])
        if name in STATEFUL or name.rsplit(".", 1)[-1] in ("service", "api")
    )
    assert stateful == []


def test_no_import_cycles() -> None:
    """No module of awsmon/neighbours imports itself back, through any chain of neighbours."""
    graph = {m: {n for n in _imports(p) if n in MODULES and n != m} for m, p in MODULES.items()}
    cycles: list[list[str]] = []

    def walk(module: str, trail: list[str], done: set[str]) -> None:
        for following in sorted(graph[module]):
            if following in trail:
                cycles.append([*trail[trail.index(following) :], following])
            elif following not in done:
                walk(following, [*trail, following], done)
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        if module not in done:
            walk(module, [module], done)
    assert cycles == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_under_600_lines(module: str) -> None:
    """Split by idea long before this: no module over 600 lines."""
    assert len(MODULES[module].read_text().splitlines()) <= 600

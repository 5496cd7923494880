"""The import rules of one service package, read from its modules' imports (ast).

Used by ``tests/<service>/test_layout.py``. Imports under ``TYPE_CHECKING``
and inside functions count: a loop closed that way is still a loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The core modules that hold or drive state: a pure module imports none of them.
STATEFUL = {"awsmon.cloud", "awsmon.dispatch", "awsmon.clock"}
#: The packages of the services (each neighbour is a service of its own).
SERVICES = ("awsmon.cloudwatch", "awsmon.events", "awsmon.logs", "awsmon.xray", "awsmon.schemas")


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: str) -> dict[str, Path]:
    """Every module of `package` (``awsmon.events``) by dotted name."""
    folder = ROOT / Path(*package.split("."))
    return {_name(p): p for p in sorted(folder.rglob("*.py"))}


def imports(path: Path) -> set[str]:
    """The awsmon names a module imports (``module`` and ``module.name`` for each from-import)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("awsmon.")}


def _is_module(name: str) -> bool:
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def service_of(module: str) -> str:
    """The service a module belongs to: ``awsmon.neighbours.<svc>`` or ``awsmon.<svc>``."""
    parts = module.split(".")
    if parts[1] == "neighbours" and len(parts) > 2:
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def foreign_internals(module: str, path: Path) -> list[str]:
    """The submodules of other services `module` imports (their packages are fine)."""
    own = service_of(module)
    return sorted(
        name
        for name in imports(path)
        if _is_module(name)
        and (name.startswith("awsmon.neighbours.") or name.startswith(SERVICES))
        and service_of(name) != own
        and name != service_of(name)
    )


def stateful_imports(path: Path) -> list[str]:
    """What a module imports of the clock, the cloud, the dispatcher, services and wire APIs."""
    return sorted(
        name
        for name in imports(path)
        if name in STATEFUL or name.rsplit(".", 1)[-1] in ("service", "api")
    )


def cycles(found: dict[str, Path]) -> list[list[str]]:
    """Chains of modules of `found` that import their way back to their start."""
    graph = {m: {n for n in imports(p) if n in found and n != m} for m, p in found.items()}
    loops: list[list[str]] = []
    done: set[str] = set()

    def walk(module: str, trail: list[str]) -> None:
        for following in sorted(graph[module]):
            if following in trail:
                loops.append([*trail[trail.index(following) :], following])
            elif following not in done:
                walk(following, [*trail, following])
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            walk(module, [module])
    return loops


def long_functions(path: Path, most: int = 80) -> list[str]:
    """The functions of a module longer than `most` lines, as ``name (lines)``."""
    return sorted(
        f"{node.name} ({node.end_lineno - node.lineno + 1})"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > most
    )

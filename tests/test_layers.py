"""The architecture, as rules on the imports of every module in awsmon/ (read with ast).

awsmon has three layers (DESIGN.md §1, §5):

- the **core** (clock, cloud, dispatch, wire, params, boto, errors, ids, arn, identity,
  policy, registry) knows no service: the registry names services by "module:Class" text;
- **services** (``awsmon/<service>/``; each ``awsmon/neighbours/<service>`` is one too)
  build on the core. A service uses another service's values through that service's
  public package (``from awsmon.cloudwatch import MetricKey``) and reaches its instances
  through its context (``ctx.sibling("sqs")``, ``ctx.service_at(arn)``), never through its
  internal modules;
- **applications** on top (``awsmon/__init__``, ``__main__``, ``demo``, ``testing/``) may
  import anything.

Inside a service, the languages (patterns, expressions, schedules, templates, queries)
are pure: they import nothing stateful, so they can be parsed, matched and
property-tested without a cloud. And no modules import each other in a loop, counting
imports made only for type checking and imports inside functions: a loop means two
modules share one concept, and one of them should own it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "awsmon"

CORE = {
    "awsmon.arn",
    "awsmon.body",
    "awsmon.boto",
    "awsmon.client",
    "awsmon.clock",
    "awsmon.cloud",
    "awsmon.dispatch",
    "awsmon.errors",
    "awsmon.fork",
    "awsmon.identity",
    "awsmon.ids",
    "awsmon.jsondoc",
    "awsmon.linear_regex",
    "awsmon.params",
    "awsmon.policy",
    "awsmon.registry",
    "awsmon.skew",
    "awsmon.timeline",
    "awsmon.times",
    "awsmon.wildcard",
    "awsmon.wire",
}
#: Core packages: their modules are core too (the policy evaluator, split by concern).
CORE_PACKAGES = ("awsmon.policy.",)
APPLICATIONS = {"awsmon", "awsmon.__main__", "awsmon.demo", "awsmon.shell"}
APPLICATION_PACKAGES = ("awsmon.testing",)

#: Modules that make up the simulation's state and time: what a pure module must not reach.
STATEFUL_CORE = {"awsmon.boto", "awsmon.clock", "awsmon.cloud", "awsmon.dispatch", "awsmon.wire"}
STATEFUL_NAMES = {"service", "api"}

#: The pure modules (languages and computations), by name below ``awsmon.``; a name
#: that is a package makes all its modules pure.
PURE = (
    "jsondoc",
    "policy.wildcard",
    "policy.conditions",
    "policy.document",
    "policy.guides",
    "events.pattern",
    "events._pattern_compiler",
    "events._pattern_json",
    "events._pattern_limits",
    "events._pattern_values",
    "events.pattern_explain",
    "events.ruler",
    "events._ruler_flat",
    "events._ruler_index",
    "events.schedule",
    "events._cron_fields",
    "events.transform",
    "events._input_template",
    "events._jsonpath",
    "events.detail",
    "logs.filter_pattern",
    "logs.filter_pattern_delimited",
    "logs.filter_pattern_json",
    "logs.filter_pattern_regex",
    "logs.filter_pattern_automaton",
    "wildcard",
    "linear_regex",
    "logs.filter_pattern_scan",
    "logs.filter_pattern_selector",
    "logs.filter_pattern_explain",
    "xray.filter_expression",
    "xray.filter_syntax",
    "xray.filter_tree",
    "xray.sampling",
    "xray.trace_tree",
    "xray.rootcause",
    "xray.sampling_explain",
    "cloudwatch.math",
    "cloudwatch.metrics.statistics",
    "cloudwatch.metrics.aggregate",
    "cloudwatch.alarms.actions",
    "cloudwatch.alarms.checks",
    "cloudwatch.alarms.config",
    "cloudwatch.alarms.evaluation",
    "cloudwatch.alarms.explain",
    "cloudwatch.alarms.history",
    "cloudwatch.alarms.listing",
    "cloudwatch.alarms.math_plan",
    "cloudwatch.alarms.model",
    "cloudwatch.alarms.reason",
    "cloudwatch.alarms.records",
    "cloudwatch.alarms.rule",
    "cloudwatch.alarms.window",
    "logs.insights.lexer",
    "logs.insights.parser",
    "logs.insights.nodes",
    "logs.insights.compiler",
    "logs.insights.functions",
    "logs.insights.aggregates",
    "logs.insights.values",
    "logs.insights.stages",
    "logs.insights.discovery",
    "logs.insights.regex",
    "logs.insights.query",
    "cloudwatch.metrics.insights",
    "cloudwatch.widgets.spec",
    "schemas.inference",
    "schemas.export",
    "schemas.content",
    "schemas.codegen",
    "cloudtrail.classify",
    "cloudtrail.selectors",
    "neighbours.sns.filter_policy",
    "neighbours.s3.listing",
    "neighbours.firehose.prefix",
    "neighbours.lambda_.events",
    "neighbours.lambda_.logformat",
    "neighbours.kinesis.model",
    "neighbours.ec2.agent.config",
    "neighbours.ec2.agent.timestamp_format",
    "neighbours.ec2.agent.file_glob",
    "neighbours.ec2.agent.figures",
)
MAX_LINES = 600
MAX_FUNCTION_LINES = 80


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str) -> Iterator[str]:
    """Every awsmon module `name` imports, at any depth of its code (TYPE_CHECKING included)."""
    tree = ast.parse(MODULES[name].read_text())
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("awsmon"):
                    yield _existing(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("awsmon"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield sub if sub in MODULES else _existing(base)


def _existing(name: str) -> str:
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name


GRAPH = {name: set(_imports(name)) - {name} for name in MODULES}


def _service_of(name: str) -> str | None:
    """The service a module belongs to (``awsmon.neighbours.sqs``), or None for core and apps."""
    parts = name.split(".")
    if name.startswith(CORE_PACKAGES):
        return None
    if name in CORE or name in APPLICATIONS or name.startswith(APPLICATION_PACKAGES):
        return None
    if parts[1] == "neighbours":
        if len(parts) == 2:
            return None
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def _is_stateful(name: str) -> bool:
    return name in STATEFUL_CORE or name.rpartition(".")[2] in STATEFUL_NAMES


def _is_pure(name: str) -> bool:
    return any(name == f"awsmon.{p}" or name.startswith(f"awsmon.{p}.") for p in PURE)


def test_the_core_knows_no_service() -> None:
    """Core modules import only the core: services join through the registry's text paths."""
    wrong = sorted(
        f"{name} imports {target}"
        for name in CORE & MODULES.keys()
        for target in GRAPH[name]
        if target not in CORE and not target.startswith(CORE_PACKAGES)
    )
    assert not wrong, "\n".join(wrong)


def test_services_meet_through_public_packages() -> None:
    """A service imports another service only as that service's package, never its internals."""
    wrong = []
    for name, targets in GRAPH.items():
        mine = _service_of(name)
        if mine is None:
            continue
        for target in targets:
            theirs = _service_of(target)
            if theirs is not None and theirs != mine and target != theirs:
                wrong.append(f"{name} imports {target} (use {theirs}'s public names)")
    assert not wrong, "\n".join(sorted(wrong))


def test_languages_are_pure() -> None:
    """A language module reaches nothing stateful, directly or through what it imports."""
    wrong = []
    for name in filter(_is_pure, MODULES):
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            for target in GRAPH[current] - seen:
                seen.add(target)
                if _is_stateful(target):
                    wrong.append(f"{name} reaches {target} (through {current})")
                elif _service_of(target) == _service_of(name) or target in CORE:
                    todo.append(target)
    assert not wrong, "\n".join(sorted(wrong))


def test_the_pure_list_names_modules_that_exist() -> None:
    """Each entry of PURE names a module or package, so the rule cannot silently go stale."""
    assert [p for p in PURE if f"awsmon.{p}" not in MODULES] == []


def test_modules_stay_small() -> None:
    """No module over 600 lines: a bigger one holds more than one idea."""
    big = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert big == {}


def test_functions_stay_short() -> None:
    """No function body over 80 lines (docstring aside): a longer one hides its steps."""
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            body = node.body
            if (
                len(body) > 1
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
            ):
                body = body[1:]
            size = (node.end_lineno or node.lineno) - body[0].lineno + 1
            if size > MAX_FUNCTION_LINES:
                long.append(f"{name}.{node.name}: {size} lines")
    assert long == [], "\n".join(long)


def _cycles() -> list[list[str]]:
    """The import loops (strongly connected components of two or more modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # Tarjan's algorithm, iteratively, so deep packages cannot exhaust the stack.
        work = [(start, iter(sorted(GRAPH[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return found


def test_no_import_loops() -> None:
    """No modules import each other, however indirectly (type-checking imports count)."""
    loops = _cycles()
    assert not loops, "\n".join(" <-> ".join(loop) for loop in loops)


@pytest.mark.parametrize("name", ["awsmon.sample.a", "awsmon.sample.b"])
def test_loops_are_found(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop finder sees a two-module loop (a check that cannot fail is no check)."""
    monkeypatch.setitem(GRAPH, "awsmon.sample.a", {"awsmon.sample.b"})
    monkeypatch.setitem(GRAPH, "awsmon.sample.b", {"awsmon.sample.a"})
    assert ["awsmon.sample.a", "awsmon.sample.b"] in _cycles()
    assert name in {m for loop in _cycles() for m in loop}

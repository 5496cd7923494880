"""The service graph: nodes, edges, summary statistics and histograms.

A processed trace (`awsmon.xray.trace.TraceView`) contributes, once per
version, a `Contribution`: every real or inferred segment adds its outcome
and response time to its node; every call adds the caller-side outcome and
response time to the edge from the caller's node to the callee's; the root
segment adds itself to the edge from a *client* node (named after the root
service, type ``client``) to the root node (reference C.7.2).
`GraphAggregate` sums contributions (and subtracts them, when a trace is
processed again) and renders the ``Services`` list of GetServiceGraph and
GetTraceGraph.

Outcomes: fault (5xx or ``fault``), then throttle (429 or ``throttle``),
then error (4xx or ``error``), else ok. Histogram values are response times
rounded to the millisecond. Node and edge start and end times are floored to
the second, as in AWS's examples.

Simulation notes: reference ids are dense integers in order of first
appearance (client nodes first); ``DurationHistogram`` equals
``ResponseTimeHistogram`` (segment durations); in-progress segments are not
counted; asynchronous ``link`` edges are not produced. All UNCONFIRMED.

>>> agg = GraphAggregate()
>>> agg.node_stats(Node("api", "AWS::EC2::Instance")).total
0
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from attrs import define, field

from awsmon.xray.model import epoch_to_datetime
from awsmon.xray.trace import ERROR, OK, THROTTLE, Node, TraceView

__all__ = [
    "Contribution",
    "EdgeEntry",
    "GraphAggregate",
    "NodeEntry",
    "Stats",
    "contribution",
    "render_statistics",
]

NodeKey = tuple[str, str | None, str | None]


@define
class Stats:
    """Summary statistics of a node or an edge (counts and total response time)."""

    ok: int = 0
    error_other: int = 0
    throttle: int = 0
    fault: int = 0
    total_response_time: float = 0.0
    histogram: dict[float, int] = field(factory=dict)
    start: float = math.inf
    end: float = -math.inf

    @property
    def total(self) -> int:
        """Every counted request."""
        return self.ok + self.error_other + self.throttle + self.fault

    def add(self, status: int, response_time: float, start: float, end: float, sign: int) -> None:
        """Count one outcome (`sign` -1 takes it back out)."""
        if status == OK:
            self.ok += sign
        elif status == ERROR:
            self.error_other += sign
        elif status == THROTTLE:
            self.throttle += sign
        else:
            self.fault += sign
        self.total_response_time += sign * response_time
        value = round3(response_time)
        histogram = self.histogram
        count = histogram.get(value, 0) + sign
        if count:
            histogram[value] = count
        else:
            histogram.pop(value, None)
        if sign > 0:
            if start < self.start:
                self.start = start
            if end > self.end:
                self.end = end

    def merge(self, other: Stats) -> None:
        """Add `other` into this."""
        self.ok += other.ok
        self.error_other += other.error_other
        self.throttle += other.throttle
        self.fault += other.fault
        self.total_response_time += other.total_response_time
        for value, count in other.histogram.items():
            self.histogram[value] = self.histogram.get(value, 0) + count
        self.start = min(self.start, other.start)
        self.end = max(self.end, other.end)


def round3(value: float) -> float:
    """``round(value, 3)``, exactly, without its decimal conversion (a histogram bucket).

    ``round(x, 3)`` is the double nearest to n / 1000, n the integer nearest
    to the exact x * 1000 (ties to even). Away from a tie, rounding the
    float product finds the same n; true division of two exact doubles is
    the nearest double to n / 1000. Near a tie, at zero, or for large
    values, `round` itself answers (tests/xray/test_graph_round.py).
    """
    scaled = value * 1000.0
    if -1073741824.0 < scaled < 1073741824.0:
        fraction = scaled - math.floor(scaled)
        if not 0.4999 < fraction < 0.5001:
            n = round(scaled)
            if n:
                return n / 1000
    return round(value, 3)


def render_statistics(stats: Stats) -> dict[str, Any]:
    """``EdgeStatistics`` / ``ServiceStatistics`` in wire form."""
    errors = stats.throttle + stats.error_other
    return {
        "OkCount": stats.ok,
        "ErrorStatistics": {
            "ThrottleCount": stats.throttle,
            "OtherCount": stats.error_other,
            "TotalCount": errors,
        },
        "FaultStatistics": {"OtherCount": stats.fault, "TotalCount": stats.fault},
        "TotalCount": stats.total,
        "TotalResponseTime": round(stats.total_response_time, 6),
    }


def _histogram(stats: Stats) -> list[dict[str, Any]]:
    return [{"Value": value, "Count": count} for value, count in sorted(stats.histogram.items())]


#: (node key, inferred, outcome, response time, start, end, is root) of one completed segment.
NodeEntry = tuple[NodeKey, bool, int, float, float, float, bool]
#: (source key, target key, target inferred, outcome, response time, start, end) of one call.
EdgeEntry = tuple[NodeKey, NodeKey, bool, int, float, float, float]


#: What one version of a trace adds to a graph: (nodes, edges), a `NodeEntry`
#: per completed segment (real or inferred) and an `EdgeEntry` per completed
#: call (the client edge has a ``client`` source node named after the root
#: service). Plain tuples of strings and numbers, so that the contributions a
#: store keeps for every trace cost the garbage collector nothing.
Contribution = tuple[tuple[NodeEntry, ...], tuple[EdgeEntry, ...]]


def contribution(view: TraceView) -> Contribution:
    """The graph contribution of `view`."""
    nodes: list[NodeEntry] = []
    root = view.root
    for entity in view.all_segments():
        end = entity.end
        node = entity.node
        if end is None or node is None:
            continue
        start = entity.start
        nodes.append(
            (node.key, node.inferred, entity.status, end - start, start, end, entity is root)
        )
    edges: list[EdgeEntry] = []
    if root is not None and root.node is not None and root.end is not None:
        start, end = root.start, root.end
        edges.append(
            (
                (root.node.name, "client", None),
                root.node.key,
                False,
                root.status,
                end - start,
                start,
                end,
            )
        )
    for call in view.calls:
        entity = call.entity
        end = entity.end
        if end is None:
            continue
        start = entity.start
        target = call.target
        edges.append(
            (call.source.key, target.key, target.inferred, entity.status, end - start, start, end)
        )
    return (tuple(nodes), tuple(edges))


@define
class _NodeAggregate:
    node: Node
    stats: Stats = field(factory=Stats)
    root: bool = False
    edges: dict[NodeKey, tuple[Node, Stats]] = field(factory=dict)


@define
class GraphAggregate:
    """Summed contributions: a service graph under construction."""

    nodes: dict[NodeKey, _NodeAggregate] = field(factory=dict)
    traces: int = 0

    def _node(self, node: Node) -> _NodeAggregate:
        found = self.nodes.get(node.key)
        if found is None:
            found = self.nodes[node.key] = _NodeAggregate(node)
        return found

    def _keyed(self, key: NodeKey, inferred: bool) -> _NodeAggregate:
        found = self.nodes.get(key)
        if found is None:
            found = self.nodes[key] = _NodeAggregate(Node(key[0], key[1], key[2], inferred))
        return found

    def node_stats(self, node: Node) -> Stats:
        """The statistics of `node` (empty when absent)."""
        found = self.nodes.get(node.key)
        return Stats() if found is None else found.stats

    def add(self, part: Contribution, sign: int = 1) -> None:
        """Add (or with `sign` -1, remove) one trace's contribution."""
        self.traces += sign
        nodes = self.nodes
        node_entries, edge_entries = part
        counted: list[tuple[Stats, int, float, float, float]] = []
        for key, inferred, status, response, start, end, is_root in node_entries:
            aggregate = nodes.get(key) or self._keyed(key, inferred)
            counted.append((aggregate.stats, status, response, start, end))
            if is_root:
                aggregate.root = True
        for source, target, inferred, status, response, start, end in edge_entries:
            aggregate = nodes.get(source) or self._keyed(source, False)
            edge = aggregate.edges.get(target)
            if edge is None:
                callee = nodes.get(target) or self._keyed(target, inferred)
                edge = aggregate.edges[target] = (callee.node, Stats())
            counted.append((edge[1], status, response, start, end))
        for stats, status, response, start, end in counted:
            stats.add(status, response, start, end, sign)

    def merge(self, other: GraphAggregate) -> None:
        """Add every node and edge of `other` into this."""
        self.traces += other.traces
        for key, theirs in other.nodes.items():
            mine = self._node(theirs.node)
            mine.stats.merge(theirs.stats)
            mine.root = mine.root or theirs.root
            for target_key, (target, stats) in theirs.edges.items():
                edge = mine.edges.get(target_key)
                if edge is None:
                    edge = mine.edges[target_key] = (target, Stats())
                edge[1].merge(stats)
            del key

    def edge_stats(self, sources: Iterable[Node], targets: Iterable[Node]) -> Stats:
        """The summed statistics of every edge from one of `sources` to one of `targets`."""
        wanted = {t.key for t in targets}
        total = Stats()
        for source in sources:
            aggregate = self.nodes.get(source.key)
            if aggregate is None:
                continue
            for key, (_, stats) in aggregate.edges.items():
                if key in wanted:
                    total.merge(stats)
        return total

    def render(self) -> list[dict[str, Any]]:
        """The ``Services`` list: nodes with reference ids, edges and statistics."""
        live = {
            key: agg
            for key, agg in self.nodes.items()
            if agg.stats.total
            or any(s.total for _, s in agg.edges.values())
            or self._is_target(key)
        }
        order = sorted(live, key=lambda k: (live[k].node.type != "client",))
        ids = {key: index for index, key in enumerate(order)}
        services = []
        for key in order:
            agg = live[key]
            node = agg.node
            client = node.type == "client"
            service: dict[str, Any] = {
                "ReferenceId": ids[key],
                "Name": node.name,
                "Names": [node.name],
                "Root": agg.root,
            }
            if node.account_id is not None:
                service["AccountId"] = node.account_id
            if node.type is not None:
                service["Type"] = node.type
            service["State"] = "unknown" if client or node.inferred else "active"
            edges = [
                (target, stats)
                for target, stats in agg.edges.values()
                if stats.total and target.key in ids
            ]
            times = [s for _, s in edges] + ([] if client else [agg.stats])
            starts = [s.start for s in times if s.total]
            ends = [s.end for s in times if s.total]
            if starts:
                service["StartTime"] = _second(min(starts))
                service["EndTime"] = _second(max(ends))
            service["Edges"] = [
                {
                    "ReferenceId": ids[target.key],
                    "StartTime": _second(stats.start),
                    "EndTime": _second(stats.end),
                    "SummaryStatistics": render_statistics(stats),
                    "ResponseTimeHistogram": _histogram(stats),
                    "Aliases": [],
                }
                for target, stats in edges
            ]
            if not client:
                service["SummaryStatistics"] = render_statistics(agg.stats)
                service["DurationHistogram"] = _histogram(agg.stats)
                service["ResponseTimeHistogram"] = _histogram(agg.stats)
            services.append(service)
        return services

    def _is_target(self, key: NodeKey) -> bool:
        return any(key in agg.edges and agg.edges[key][1].total for agg in self.nodes.values())


def _second(epoch: float) -> datetime:
    return epoch_to_datetime(math.floor(epoch))

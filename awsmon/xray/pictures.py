"""Pictures of X-Ray data: the service map as a graph, a trace as a waterfall.

- `service_map`: GetServiceGraph's ``Services`` list as a `Graph` (DOT): each
  node labelled with its name, type, request count and its error, fault and
  throttle shares, coloured as the console colours them (red for faults,
  orange for errors, purple for throttles); each edge with its request count
  and mean response time.
- `waterfall`: a processed trace's segments and subsegments as horizontal bars
  on the time axis, one row each, indented by depth and coloured by outcome.

The hooks are `ServiceGraph.picture` and `TraceView.waterfall`; this module
reads them by duck typing (it imports neither) and matplotlib only when drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from awsmon.pictures import Chart, Edge, Graph, Node

__all__ = ["node_shares", "service_map", "waterfall"]

#: Outcome classes of `awsmon.xray.trace` (ok, error, throttle, fault) → colour.
OUTCOME_COLORS = {0: "#2ca02c", 1: "#ff7f0e", 2: "#9467bd", 3: "#d62728"}
OUTCOME_NAMES = {0: "ok", 1: "error (4xx)", 2: "throttle (429)", 3: "fault (5xx)"}
MAX_ROWS = 60


class Span(Protocol):
    """A segment or subsegment of a processed trace (`awsmon.xray.trace.Entity`)."""

    name: str
    start: float
    end: float | None
    children: list[Any]
    inferred: bool

    @property
    def status(self) -> int:
        """Outcome class: 0 ok, 1 error, 2 throttle, 3 fault."""
        ...


def node_shares(statistics: Mapping[str, Any]) -> dict[str, float]:
    """The ok, error, fault and throttle shares (0–1) of a node's SummaryStatistics."""
    total = statistics.get("TotalCount", 0) or 0
    if not total:
        return {"ok": 0.0, "error": 0.0, "fault": 0.0, "throttle": 0.0}
    errors = statistics["ErrorStatistics"]
    return {
        "ok": statistics["OkCount"] / total,
        "error": errors["OtherCount"] / total,
        "fault": statistics["FaultStatistics"]["TotalCount"] / total,
        "throttle": errors["ThrottleCount"] / total,
    }


def _fill(shares: Mapping[str, float]) -> str:
    if shares["fault"] > 0:
        return "#f8d0cf"
    if shares["error"] > 0:
        return "#fde3c6"
    if shares["throttle"] > 0:
        return "#e6dcf1"
    return "#e3f4e1"


def _node(service: Mapping[str, Any]) -> Node:
    kind = service.get("Type", "")
    lines = [service["Name"]]
    if kind:
        lines.append(kind)
    attrs = {"fillcolor": "#f2f3f3", "color": "#687078"}
    stats = service.get("SummaryStatistics")
    if stats is not None:
        shares = node_shares(stats)
        total = stats["TotalCount"]
        mean = stats["TotalResponseTime"] / total * 1000 if total else 0.0
        lines.append(f"{total} req, {mean:.0f} ms avg")
        lines.append(
            f"error {shares['error']:.0%} · fault {shares['fault']:.0%} · "
            f"throttle {shares['throttle']:.0%}"
        )
        attrs = {"fillcolor": _fill(shares), "color": "#545b64"}
    else:
        attrs["shape"] = "ellipse"
    return Node(str(service["ReferenceId"]), "\n".join(lines), attrs)


def service_map(services: Sequence[Mapping[str, Any]], title: str = "service map") -> Graph:
    """The ``Services`` list of GetServiceGraph or GetTraceGraph as a `Graph`."""
    nodes = [_node(service) for service in services]
    edges = []
    for service in services:
        for edge in service.get("Edges", []):
            stats = edge.get("SummaryStatistics", {})
            total = stats.get("TotalCount", 0)
            mean = stats.get("TotalResponseTime", 0.0) / total * 1000 if total else 0.0
            faults = stats.get("FaultStatistics", {}).get("TotalCount", 0)
            attrs = {"color": "#d62728"} if faults else {}
            edges.append(
                Edge(
                    str(service["ReferenceId"]),
                    str(edge["ReferenceId"]),
                    f"{total} req, {mean:.0f} ms",
                    attrs,
                )
            )
    return Graph(nodes, edges, title=title)


def _rows(spans: Sequence[Span]) -> list[tuple[int, Span]]:
    """Depth-first rows; a segment called from a subsegment (its ``parent_id``) nests under it."""
    by_id: dict[str, Any] = {}
    for span in spans:
        todo = [span]
        while todo:
            current = todo.pop()
            by_id[getattr(current, "id", "")] = current
            todo.extend(current.children)
    called: dict[str, list[Span]] = {}
    tops = []
    for span in spans:
        parent = getattr(span, "doc", {}).get("parent_id")
        if parent in by_id and parent != getattr(span, "id", None):
            called.setdefault(parent, []).append(span)
        else:
            tops.append(span)
    rows: list[tuple[int, Span]] = []
    stack = [(0, s) for s in sorted(tops, key=lambda s: s.start, reverse=True)]
    while stack and len(rows) < MAX_ROWS:
        depth, span = stack.pop()
        rows.append((depth, span))
        below = [*span.children, *called.get(getattr(span, "id", ""), [])]
        stack.extend((depth + 1, c) for c in sorted(below, key=lambda s: s.start, reverse=True))
    return rows


def waterfall(
    trace_id: str, segments: Sequence[Span], inferred: Sequence[Span], width: int = 900
) -> Chart:
    """A trace's segments (and inferred segments) as a waterfall `Chart`."""
    rows = _rows([*segments, *inferred])
    start = min((s.start for _, s in rows), default=0.0)
    height = 100 + 20 * max(1, len(rows))

    def draw(figure: Any) -> None:
        from matplotlib.patches import Patch

        axes = figure.add_axes((0.3, 62 / height, 0.64, 1 - 97 / height))
        figure.text(0.01, 1 - 8 / height, f"trace {trace_id}", fontsize=10, fontweight="bold",
                    va="top")  # fmt: skip
        for row, (depth, span) in enumerate(rows):
            left = (span.start - start) * 1000
            length = ((span.end if span.end is not None else span.start) - span.start) * 1000
            color = OUTCOME_COLORS.get(span.status, "#7f7f7f")
            axes.barh(row, max(length, 0.5), left=left, color=color, height=0.6,
                      alpha=0.5 if span.inferred else 0.9)  # fmt: skip
            axes.text(left + max(length, 0.5), row, f" {length:.1f} ms", va="center", fontsize=7)
            name = ("  " * depth) + span.name + (" (inferred)" if span.inferred else "")
            figure.text(0.01, row, name, fontsize=8, va="center",
                        transform=_row_transform(axes, figure))  # fmt: skip
        axes.set_ylim(len(rows) - 0.5, -0.5)
        axes.set_yticks([])
        axes.set_xlabel("milliseconds since the trace started", fontsize=8)
        axes.tick_params(labelsize=8)
        axes.grid(True, axis="x", color="#e9ebed")
        handles = [Patch(color=c) for c in OUTCOME_COLORS.values()]
        figure.legend(handles, list(OUTCOME_NAMES.values()), loc="lower center",
                      ncol=4, fontsize=7, frameon=False)  # fmt: skip

    return Chart(draw, width, height, f"trace {trace_id}")


def _row_transform(axes: Any, figure: Any) -> Any:
    """x in figure fraction, y at the data row of `axes`."""
    from matplotlib.transforms import blended_transform_factory

    return blended_transform_factory(figure.transFigure, axes.transData)

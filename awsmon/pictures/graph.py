"""`Graph`: nodes and edges as Graphviz DOT text, drawn by Graphviz or matplotlib.

The DOT text (`Graph.dot`) is the graph's layout description and is always
available. Pictures come from the ``graphviz`` package (and its ``dot``
program) when both are installed; otherwise from a small layered layout drawn
with matplotlib, so a notebook shows the graph either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import field, frozen

from awsmon.pictures.chart import Chart, png_data_uri

__all__ = ["Edge", "Graph", "Node", "dot_quote"]


def dot_quote(text: str) -> str:
    """`text` as a DOT double-quoted string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _attributes(attrs: Mapping[str, str]) -> str:
    if not attrs:
        return ""
    return " [" + ", ".join(f"{k}={dot_quote(v)}" for k, v in sorted(attrs.items())) + "]"


def _frozen_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


def _nodes(value: Iterable[Node]) -> tuple[Node, ...]:
    return tuple(value)


def _edges(value: Iterable[Edge]) -> tuple[Edge, ...]:
    return tuple(value)


@frozen
class Node:
    """A node: its id (unique in the graph), its label and DOT attributes (``color``...)."""

    id: str
    label: str = ""
    attrs: Mapping[str, str] = field(factory=dict, converter=_frozen_map)


@frozen
class Edge:
    """An edge from `source` to `target` (node ids), with a label and DOT attributes."""

    source: str
    target: str
    label: str = ""
    attrs: Mapping[str, str] = field(factory=dict, converter=_frozen_map)


@frozen
class Graph:
    """A directed graph with a title, as DOT text and as a picture."""

    nodes: Sequence[Node] = field(converter=_nodes)
    edges: Sequence[Edge] = field(converter=_edges)
    title: str = ""
    width: int = 800
    height: int = 500

    @property
    def dot(self) -> str:
        """The graph in Graphviz's DOT language."""
        lines = ["digraph {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled"];']
        if self.title:
            lines.append(f"  label={dot_quote(self.title)}; labelloc=t;")
        for node in self.nodes:
            attrs = {"label": node.label or node.id, "fillcolor": "white", **node.attrs}
            lines.append(f"  {dot_quote(node.id)}{_attributes(attrs)};")
        for edge in self.edges:
            attrs = {**({"label": edge.label} if edge.label else {}), **edge.attrs}
            lines.append(
                f"  {dot_quote(edge.source)} -> {dot_quote(edge.target)}{_attributes(attrs)};"
            )
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _graphviz(self, fmt: str) -> bytes | None:
        """The graph drawn by Graphviz, or None when the package or program is missing."""
        try:
            import graphviz  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            return None
        try:
            return bytes(graphviz.Source(self.dot).pipe(format=fmt))
        except Exception:  # the dot program is missing or failed: draw it ourselves
            return None

    def chart(self) -> Chart:
        """The graph drawn with matplotlib (a layered layout, sources on the left).

        The picture widens with the number of columns, at most 2000 pixels.
        """
        column = layers(self)
        columns = max(column.values(), default=0) + 1
        tallest = max((list(column.values()).count(c) for c in range(columns)), default=1)
        width = min(2000, max(self.width, 300 * columns))
        height = min(2000, max(220, 110 * tallest + 60))
        return Chart(lambda figure: draw_graph(figure, self), width, height, self.title)

    def png(self) -> bytes:
        """The graph as PNG bytes."""
        return self._graphviz("png") or self.chart().png()

    def svg(self) -> str:
        """The graph as SVG text."""
        drawn = self._graphviz("svg")
        return drawn.decode("utf-8") if drawn is not None else self.chart().svg()

    def to_png(self, path: str | Path) -> Path:
        """Write the PNG to `path`; returns the path."""
        target = Path(path)
        target.write_bytes(self.png())
        return target

    def to_svg(self, path: str | Path) -> Path:
        """Write the SVG to `path`; returns the path."""
        target = Path(path)
        target.write_text(self.svg(), encoding="utf-8")
        return target

    def to_dot(self, path: str | Path) -> Path:
        """Write the DOT text to `path`; returns the path."""
        target = Path(path)
        target.write_text(self.dot, encoding="utf-8")
        return target

    def _repr_png_(self) -> bytes:
        return self.png()

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_html_(self) -> str:
        from html import escape

        return f'<img src="{png_data_uri(self.png())}" alt="{escape(self.title)}"/>'

    def __repr__(self) -> str:
        return f"<Graph {self.title!r}: {len(self.nodes)} nodes, {len(self.edges)} edges>"


def layers(graph: Graph) -> dict[str, int]:
    """Each node's column: the longest path to it from a node nothing points at.

    Nodes on a cycle that no source reaches start in column 0; each edge is
    followed at most once per node, so cycles cannot loop forever.
    """
    ids = [n.id for n in graph.nodes]
    incoming = dict.fromkeys(ids, 0)
    out: dict[str, list[str]] = {i: [] for i in ids}
    for edge in graph.edges:
        if edge.source in out and edge.target in incoming and edge.source != edge.target:
            out[edge.source].append(edge.target)
            incoming[edge.target] += 1
    column = dict.fromkeys(ids, 0)
    order = [i for i in ids if incoming[i] == 0] or ids[:1]
    remaining = dict(incoming)
    seen: set[str] = set()
    while order:
        current = order.pop(0)
        if current in seen:
            continue
        seen.add(current)
        for target in out[current]:
            if target in seen:  # an edge back into a drawn column: a cycle
                continue
            column[target] = max(column[target], column[current] + 1)
            remaining[target] -= 1
            if remaining[target] <= 0:
                order.append(target)
        if not order:
            order = [i for i in ids if i not in seen][:1]
    return column


def draw_graph(figure: Any, graph: Graph) -> None:
    """Draw `graph` on `figure`: boxes in columns, arrows between them."""
    axes = figure.add_axes((0.0, 0.0, 1.0, 0.92 if graph.title else 1.0))
    axes.set_axis_off()
    if graph.title:
        figure.suptitle(graph.title, fontsize=12)
    column = layers(graph)
    columns = max(column.values(), default=0) + 1
    place: dict[str, tuple[float, float]] = {}
    for c in range(columns):
        members = [n.id for n in graph.nodes if column[n.id] == c]
        for row, node_id in enumerate(members):
            place[node_id] = ((c + 0.5) / columns, 1 - (row + 0.5) / len(members))
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    for edge in graph.edges:
        if edge.source not in place or edge.target not in place:
            continue
        (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
        gap = 0.4 / columns  # a little over half a box: arrows run from box side to box side
        forward = x2 >= x1
        start = (x1 + gap, y1) if forward else (x1 - gap, y1)
        end = (x2 - gap, y2) if forward else (x2 + gap, y2)
        if column[edge.source] == column[edge.target]:
            start, end = (x1, y1 - 0.05), (x2, y2 + 0.05)
        axes.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": edge.attrs.get("color", "#555555"),
                "connectionstyle": "arc3,rad=0.0" if forward else "arc3,rad=0.3",
            },
        )
        if edge.label:
            axes.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.04, edge.label,
                      fontsize=7, ha="center", color="#545b64")  # fmt: skip
    for node in graph.nodes:
        x, y = place[node.id]
        axes.text(
            x,
            y,
            node.label or node.id,
            ha="center",
            va="center",
            fontsize=7,
            bbox={
                "boxstyle": "round,pad=0.5",
                "facecolor": node.attrs.get("fillcolor", "white"),
                "edgecolor": node.attrs.get("color", "#333333"),
            },
        )

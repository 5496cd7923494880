"""The shared pictures: charts of an exact pixel size, DOT graphs, tables."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from picture_checks import count_near, table_rows

from awsmon.pictures import Chart, Edge, Graph, Node, Table, png_size
from awsmon.pictures.graph import dot_quote, layers


def _line(figure: Any) -> None:
    figure.add_subplot().plot([1, 3, 2], color="#d62728")


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 2000), st.integers(1, 2000))
def test_a_chart_has_exactly_the_asked_pixel_size(width: int, height: int) -> None:
    data = Chart(_line, width, height).png()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(data) == (width, height)


def test_a_chart_draws_what_it_is_given(tmp_path: Path) -> None:
    chart = Chart(_line, 300, 200, "a red line")
    path = chart.to_png(tmp_path / "line.png")
    assert png_size(path.read_bytes()) == (300, 200)
    assert count_near(path.read_bytes(), (0xD6, 0x27, 0x28)) > 100  # the line itself
    svg = chart.to_svg(tmp_path / "line.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert chart.svg() == svg  # no date, no random ids: the same drawing, the same SVG
    assert chart._repr_png_()[:4] == b"\x89PNG"
    assert chart._repr_html_().startswith('<img src="data:image/png;base64,')
    assert repr(chart) == "<Chart 'a red line' 300x200>"


def test_png_size_refuses_what_is_not_a_png() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a" + bytes(30))


def _graph() -> Graph:
    return Graph(
        [Node("a", "client"), Node("b", 'api "v2"', {"fillcolor": "#f8d0cf"}), Node("c", "db")],
        [Edge("a", "b", "10 req"), Edge("b", "c"), Edge("c", "b")],
        title="map",
    )


def test_the_dot_text_names_every_node_and_edge() -> None:
    dot = _graph().dot
    assert dot.startswith("digraph {") and dot.rstrip().endswith("}")
    nodes = re.findall(r'^  "(\w+)" \[', dot, re.M)
    edges = re.findall(r'^  "(\w+)" -> "(\w+)"', dot, re.M)
    assert nodes == ["a", "b", "c"]
    assert edges == [("a", "b"), ("b", "c"), ("c", "b")]
    assert 'label="api \\"v2\\""' in dot
    assert 'fillcolor="#f8d0cf"' in dot


@given(st.text(max_size=30))
def test_dot_quote_escapes_everything_that_ends_a_string(text: str) -> None:
    quoted = dot_quote(text)
    assert quoted[0] == quoted[-1] == '"'
    inner = quoted[1:-1]
    assert "\n" not in inner
    assert re.search(r'(?<!\\)(\\\\)*"', inner) is None  # no unescaped quote


@st.composite
def _dags(draw: st.DrawFn) -> Graph:
    count = draw(st.integers(1, 8))
    edges = draw(
        st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=12)
    )
    return Graph(
        [Node(str(i)) for i in range(count)],
        [Edge(str(min(a, b)), str(max(a, b))) for a, b in edges if a != b],
    )


@given(_dags())
def test_layers_put_every_edge_of_a_dag_left_to_right(graph: Graph) -> None:
    column = layers(graph)
    assert set(column) == {n.id for n in graph.nodes}
    for edge in graph.edges:
        assert column[edge.source] < column[edge.target]


def test_layers_end_on_a_cycle() -> None:
    assert layers(_graph()) == {"a": 0, "b": 1, "c": 2}


def test_a_graph_without_graphviz_is_drawn_by_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _graph()
    monkeypatch.setattr(Graph, "_graphviz", lambda self, fmt: None)
    data = graph.png()
    width, height = png_size(data)
    assert width >= 800 and height >= 220
    assert count_near(data, (0xF8, 0xD0, 0xCF), tolerance=2) > 50  # node b's fill colour
    assert repr(graph) == "<Graph 'map': 3 nodes, 3 edges>"


def test_a_table_is_html_with_every_row_escaped() -> None:
    table = Table(["time", "message"], [["1", "<b>hi</b> & bye"], ["2", "ok"]], title="events")
    assert table_rows(table._repr_html_()) == [
        ["time", "message"],
        ["1", "<b>hi</b> & bye"],
        ["2", "ok"],
    ]
    assert repr(table) == "<Table 'events': 2 rows x 2 columns>"


def test_a_long_table_is_drawn_to_its_first_rows(tmp_path: Path) -> None:
    table = Table(["n"], [[str(i)] for i in range(100)], width=400)
    width, height = png_size(table.to_png(tmp_path / "t.png").read_bytes())
    assert width == 400
    assert height == 40 + 18 * 41 + 18  # 40 rows, the heading, the "more rows" line
    assert "<svg" in table.svg()


def test_graphviz_draws_the_graph_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    class Source:
        def __init__(self, dot: str) -> None:
            self.dot = dot

        def pipe(self, format: str) -> bytes:
            seen.append((self.dot, format))
            return b"<svg>graphviz</svg>" if format == "svg" else b"png bytes"

    monkeypatch.setitem(sys.modules, "graphviz", types.SimpleNamespace(Source=Source))
    graph = _graph()
    assert graph.svg() == "<svg>graphviz</svg>"
    assert graph.png() == b"png bytes"
    assert seen == [(graph.dot, "svg"), (graph.dot, "png")]

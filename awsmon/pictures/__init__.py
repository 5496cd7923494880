"""Pictures of the simulation: charts, graphs and tables for notebooks and files.

Every picture is an object with Jupyter's rich-display hooks (``_repr_png_``,
``_repr_svg_``, ``_repr_html_``) and file writers (``to_png(path)``,
``to_svg(path)``):

- `Chart`: a matplotlib drawing of a fixed pixel size (metric series, alarm
  timelines, trace waterfalls, GetMetricWidgetImage);
- `Graph`: nodes and edges as Graphviz DOT text (``.dot``), drawn by the
  ``graphviz`` package when it is installed, else by matplotlib;
- `Table`: rows as an HTML table, drawn by matplotlib for PNG and SVG.

matplotlib is the optional extra ``awsmon[plot]``: it is imported only when a
picture is drawn (with the Agg canvas, never pyplot, so a notebook's own
backend is left alone), so the simulation itself needs none of it.
"""

from __future__ import annotations

from awsmon.pictures.chart import Chart, PlotUnavailable, png_data_uri, png_size, time_axis
from awsmon.pictures.graph import Edge, Graph, Node
from awsmon.pictures.table import Table

__all__ = [
    "Chart",
    "Edge",
    "Graph",
    "Node",
    "PlotUnavailable",
    "Table",
    "png_data_uri",
    "png_size",
    "time_axis",
]

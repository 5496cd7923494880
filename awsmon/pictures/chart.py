"""`Chart`: a matplotlib drawing of a fixed pixel size, shown in notebooks and saved to files.

A chart holds a function that draws on a matplotlib ``Figure``; nothing is drawn
until a PNG or SVG is asked for. matplotlib is imported then, with the Agg
canvas (no pyplot, no global backend switch), so importing awsmon never needs it.
"""

from __future__ import annotations

import base64
import io
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

from attrs import field, frozen

__all__ = ["DPI", "Chart", "PlotUnavailable", "new_figure", "png_data_uri", "png_size", "time_axis"]

#: Dots per inch of every figure: a chart of W×H pixels is W/DPI × H/DPI inches.
DPI = 100

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PlotUnavailable(ImportError):
    """matplotlib is not installed: pictures need the extra ``awsmon[plot]``."""


def new_figure(width: int, height: int) -> Any:
    """A matplotlib ``Figure`` of `width` × `height` pixels on an Agg canvas.

    Raises:
        PlotUnavailable: matplotlib is not installed.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - the test extra installs matplotlib
        raise PlotUnavailable(
            "awsmon pictures need matplotlib: pip install 'awsmon[plot]'"
        ) from exc
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def figure_png(figure: Any) -> bytes:
    """The figure as PNG bytes, at its exact pixel size."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def figure_svg(figure: Any) -> str:
    """The figure as SVG text (text kept as text, no date: the same drawing, the same SVG)."""
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "awsmon"}):
        figure.savefig(buffer, format="svg", dpi=DPI, metadata={"Date": None})
    return buffer.getvalue()


def time_axis(axes: Any) -> None:
    """Date ticks on `axes`' x axis, concise (``15:30``, ``Mar 14``), in small type."""
    from matplotlib import dates

    locator = dates.AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(
        dates.ConciseDateFormatter(locator, show_offset=False)  # type: ignore[no-untyped-call]
    )
    axes.tick_params(labelsize=8)


def png_size(data: bytes) -> tuple[int, int]:
    """The (width, height) in pixels of PNG `data`, read from its IHDR chunk.

    Raises:
        ValueError: `data` is not a PNG image.
    """
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def png_data_uri(data: bytes) -> str:
    """A ``data:image/png;base64,...`` URI of PNG `data` (for self-contained HTML)."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


@frozen
class Chart:
    """A drawing of `width` × `height` pixels, made by `draw` on a matplotlib Figure.

    Attributes:
        draw: draws the picture on the Figure it is given.
        width: pixels across.
        height: pixels down.
        title: what the chart shows (its repr and HTML alt text).
    """

    draw: Callable[[Any], None] = field(repr=False)
    width: int = 600
    height: int = 400
    title: str = ""

    def figure(self) -> Any:
        """A new matplotlib Figure with the chart drawn on it."""
        figure = new_figure(self.width, self.height)
        self.draw(figure)
        return figure

    def png(self) -> bytes:
        """The chart as PNG bytes of exactly `width` × `height` pixels."""
        return figure_png(self.figure())

    def svg(self) -> str:
        """The chart as SVG text."""
        return figure_svg(self.figure())

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

    def html(self) -> str:
        """An ``<img>`` element with the PNG inlined as a data URI."""
        from html import escape

        return (
            f'<img src="{png_data_uri(self.png())}" width="{self.width}" '
            f'height="{self.height}" alt="{escape(self.title)}"/>'
        )

    def _repr_png_(self) -> bytes:
        return self.png()

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return f"<Chart {self.title!r} {self.width}x{self.height}>"

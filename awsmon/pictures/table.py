"""`Table`: rows of text as an HTML table (notebooks) and as a drawn image (files)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from attrs import field, frozen

from awsmon.pictures.chart import Chart

__all__ = ["Table"]

#: Rows drawn in a PNG or SVG (the HTML table has them all).
MAX_DRAWN_ROWS = 40
#: The longest cell text drawn in a PNG or SVG, in characters.
MAX_DRAWN_CELL = 90


def _columns(columns: Iterable[str]) -> tuple[str, ...]:
    return tuple(columns)


def _rows(rows: Iterable[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(cell) for cell in row) for row in rows)


def _clip(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_DRAWN_CELL else text[: MAX_DRAWN_CELL - 1] + "…"


@frozen
class Table:
    """Rows under column headings, with a title."""

    columns: Sequence[str] = field(converter=_columns)
    rows: Sequence[Sequence[str]] = field(converter=_rows)
    title: str = ""
    width: int = 900

    def html(self) -> str:
        """The table as an HTML ``<table>`` (every row, text escaped)."""
        head = "".join(f"<th>{escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
            for row in self.rows
        )
        caption = f"<caption>{escape(self.title)}</caption>" if self.title else ""
        return (
            f'<table class="awsmon">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def chart(self) -> Chart:
        """The first rows drawn with matplotlib."""
        shown = min(len(self.rows), MAX_DRAWN_ROWS)
        height = 40 + 18 * (shown + 1) + (18 if len(self.rows) > MAX_DRAWN_ROWS else 0)
        return Chart(lambda figure: self._draw(figure, height), self.width, height, self.title)

    def _draw(self, figure: Any, height: int) -> None:
        axes = figure.add_axes((0.01, 0.01, 0.98, 1 - 34 / height))
        axes.set_axis_off()
        if self.title:
            figure.text(0.01, 1 - 6 / height, self.title, fontsize=10, fontweight="bold", va="top")
        rows = [[_clip(cell) for cell in row] for row in self.rows[:MAX_DRAWN_ROWS]]
        if len(self.rows) > MAX_DRAWN_ROWS:
            axes.text(0, 0, f"… {len(self.rows) - MAX_DRAWN_ROWS} more rows", fontsize=8)
        if not rows:
            rows = [["(no rows)"] + [""] * (len(self.columns) - 1)]
        table = axes.table(
            cellText=rows,
            colLabels=list(self.columns),
            loc="upper left",
            cellLoc="left",
            colLoc="left",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        table.auto_set_column_width(list(range(len(self.columns))))
        for (row, _), cell in table.get_celld().items():
            if row == 0:
                cell.set_facecolor("#e8eef7")

    def png(self) -> bytes:
        """The table drawn as PNG bytes."""
        return self.chart().png()

    def svg(self) -> str:
        """The table drawn as SVG text."""
        return self.chart().svg()

    def to_png(self, path: str | Path) -> Path:
        """Write the PNG to `path`; returns the path."""
        return self.chart().to_png(path)

    def to_svg(self, path: str | Path) -> Path:
        """Write the SVG to `path`; returns the path."""
        return self.chart().to_svg(path)

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return f"<Table {self.title!r}: {len(self.rows)} rows x {len(self.columns)} columns>"

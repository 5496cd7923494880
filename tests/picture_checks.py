"""Checks on rendered pictures shared by the picture tests: pixels, colours, HTML cells."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import numpy as np
from PIL import Image


def pixels(png: bytes) -> np.ndarray:
    """The picture's RGB pixels, rows × columns × 3."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def count_near(png: bytes, rgb: tuple[int, int, int], tolerance: int = 40) -> int:
    """How many pixels are within `tolerance` of `rgb` on every channel."""
    distance = np.abs(pixels(png).astype(int) - np.array(rgb)).max(axis=2)
    return int((distance <= tolerance).sum())


def columns_with(png: bytes, rgb: tuple[int, int, int], tolerance: int = 40) -> set[int]:
    """The x positions holding at least one pixel near `rgb`."""
    distance = np.abs(pixels(png).astype(int) - np.array(rgb)).max(axis=2)
    return {int(x) for x in np.nonzero((distance <= tolerance).any(axis=0))[0]}


class Cells(HTMLParser):
    """Table rows (``tr``) of an HTML text, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    """The rows of the tables in `html`."""
    parser = Cells()
    parser.feed(html)
    return parser.rows

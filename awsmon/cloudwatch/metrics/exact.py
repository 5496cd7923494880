"""The raw values of one exact slot of the metric store (data under 15 days old).

`ExactSlot` holds a slot that is not one distinct value: its raw values with
their counts, and the statistic sets published into it. The store
(`awsmon.cloudwatch.metrics.store`) keeps one per such slot until the slot is
rolled up to 5 minutes, when it becomes a histogram.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Mapping

__all__ = ["ExactSlot"]


class ExactSlot:
    """A slot that is not one distinct value: raw values with counts, and statistic sets.

    `values` is a dict while the slot takes writes, and a pair of sorted arrays
    once it has been rolled up (`compact`), which is about a fifth of the memory.
    """

    __slots__ = ("sets", "values")

    def __init__(self) -> None:
        self.values: dict[float, float] | tuple[array[float], array[float]] = {}
        self.sets: list[tuple[float, float, float, float]] = []

    def counts(self) -> dict[float, float]:
        """The raw values as a mutable dict (expanding a compact slot)."""
        if isinstance(self.values, dict):
            return self.values
        expanded = dict(zip(self.values[0], self.values[1], strict=True))
        self.values = expanded
        return expanded

    def add(
        self, values: Mapping[float, float], sets: list[tuple[float, float, float, float]]
    ) -> None:
        mine = self.counts()
        for value, count in values.items():
            mine[value] = mine.get(value, 0.0) + count
        self.sets.extend(sets)

    def items(self) -> Iterator[tuple[float, float]]:
        if isinstance(self.values, dict):
            return iter(self.values.items())
        return zip(self.values[0], self.values[1], strict=True)

    def columns(self) -> tuple[float, float, float, float]:
        """(sample count, sum, minimum, maximum), computed exactly from the parts."""
        pairs = list(self.items())
        count = math.fsum([c for _, c in pairs] + [s[0] for s in self.sets])
        total = math.fsum([v * c for v, c in pairs] + [s[1] for s in self.sets])
        low = min([v for v, _ in pairs] + [s[2] for s in self.sets])
        high = max([v for v, _ in pairs] + [s[3] for s in self.sets])
        return count, total, low, high

    def single_value(self) -> tuple[float, float] | None:
        """(value, count) when the slot is one distinct value and no statistic set."""
        if self.sets:
            return None
        pairs = list(self.items())
        return pairs[0] if len(pairs) == 1 else None

    def compact(self) -> None:
        if isinstance(self.values, dict):
            ordered = sorted(self.values)
            self.values = (array("d", ordered), array("d", [self.values[v] for v in ordered]))

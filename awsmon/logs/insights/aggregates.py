"""The aggregation functions of ``stats``, as accumulators fed one row at a time.

`make_accumulator` builds a fresh accumulator for one group; each has
``feed(row)`` and ``value()``. ``count(*)`` counts rows, ``count(f)`` the
rows where `f` is present; ``avg``, ``sum``, ``stddev`` and ``pct`` read
numbers (values that are not numbers are skipped); ``min``/``max`` keep
timestamps as timestamps; ``earliest``/``latest`` take the value from the
row with the smallest/largest ``@timestamp``; ``sortsFirst``/``sortsLast``
the value that sorts first/last.

Simulation notes: ``count_distinct`` is exact (AWS approximates above a high
cardinality, so exact counts are within its answers); ``stddev`` is the
sample standard deviation and ``pct`` the nearest-rank percentile — AWS's
estimators are not documented (UNCONFIRMED).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from awsmon.logs.insights.values import Instant, number, sort_key, text_of

__all__ = ["Accumulator", "CountAll", "make_accumulator"]

Getter = Callable[[dict[str, Any]], Any]


class Accumulator:
    """Base: one group's running state of one aggregation."""

    __slots__ = ("get",)

    def __init__(self, get: Getter | None) -> None:
        self.get = get

    def feed(self, row: dict[str, Any]) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def value(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


class CountAll(Accumulator):
    """``count(*)``: the number of rows."""

    __slots__ = ("count",)

    def __init__(self, get: Getter | None) -> None:
        super().__init__(get)
        self.count = 0

    def feed(self, row: dict[str, Any]) -> None:
        self.count += 1

    def value(self) -> Any:
        return self.count


class _Count(CountAll):
    __slots__ = ()

    def feed(self, row: dict[str, Any]) -> None:
        if self.get(row) is not None:  # type: ignore[misc]
            self.count += 1


class _Numbers(Accumulator):
    """Keeps count, sum and sum of squares, or every value when `keep` (pct)."""

    __slots__ = ("count", "keep", "squares", "total", "values")

    def __init__(self, get: Getter | None, keep: bool = False) -> None:
        super().__init__(get)
        self.count = 0
        self.total = 0.0
        self.squares = 0.0
        self.keep = keep
        self.values: list[float] = []

    def feed(self, row: dict[str, Any]) -> None:
        raw = self.get(row)  # type: ignore[misc]
        if raw.__class__ is float or raw.__class__ is int:
            value = raw
        else:
            try:
                value = float(raw)
            except (TypeError, ValueError):
                return
            if value - value != 0:  # nan or infinite text
                return
        self.count += 1
        self.total += value
        self.squares += value * value
        if self.keep:
            self.values.append(value)


class _Sum(_Numbers):
    __slots__ = ()

    def value(self) -> Any:
        return self.total if self.count else None


class _Avg(_Numbers):
    __slots__ = ()

    def feed(self, row: dict[str, Any]) -> None:
        raw = self.get(row)  # type: ignore[misc]
        if raw.__class__ is float or raw.__class__ is int:
            value = raw
        else:
            try:
                value = float(raw)
            except (TypeError, ValueError):
                return
            if value - value != 0:  # nan or infinite text
                return
        self.count += 1
        self.total += value

    def value(self) -> Any:
        return self.total / self.count if self.count else None


class _Stddev(_Numbers):
    __slots__ = ()

    def value(self) -> Any:
        if self.count < 2:
            return 0.0 if self.count else None
        mean = self.total / self.count
        variance = max(self.squares - self.count * mean * mean, 0.0) / (self.count - 1)
        return math.sqrt(variance)


class _Pct(_Numbers):
    __slots__ = ("percentile",)

    def __init__(self, get: Getter | None, percentile: float) -> None:
        super().__init__(get, keep=True)
        self.percentile = percentile

    def value(self) -> Any:
        if not self.values:
            return None
        ordered = sorted(self.values)
        rank = max(math.ceil(self.percentile / 100 * len(ordered)), 1)
        return ordered[min(rank, len(ordered)) - 1]


class _Extreme(Accumulator):
    """min / max over numbers (timestamps stay timestamps), or sortsFirst / sortsLast."""

    __slots__ = ("best", "best_key", "largest", "numeric")

    def __init__(self, get: Getter | None, largest: bool, numeric: bool) -> None:
        super().__init__(get)
        self.largest = largest
        self.numeric = numeric
        self.best: Any = None
        self.best_key: Any = None

    def feed(self, row: dict[str, Any]) -> None:
        raw = self.get(row)  # type: ignore[misc]
        if raw is None:
            return
        key: Any = number(raw) if self.numeric else sort_key(raw)
        if key is None:
            return
        if self.best_key is None or (key > self.best_key if self.largest else key < self.best_key):
            self.best_key = key
            self.best = raw

    def value(self) -> Any:
        if self.best is None or not self.numeric or isinstance(self.best, Instant):
            return self.best
        return self.best_key


class _ByTime(Accumulator):
    """earliest / latest: the value at the smallest / largest ``@timestamp``."""

    __slots__ = ("at", "best", "latest")

    def __init__(self, get: Getter | None, latest: bool) -> None:
        super().__init__(get)
        self.latest = latest
        self.at: int | None = None
        self.best: Any = None

    def feed(self, row: dict[str, Any]) -> None:
        raw = self.get(row)  # type: ignore[misc]
        if raw is None:
            return
        at = row.get("@timestamp")
        stamp = at if isinstance(at, int) else 0
        if self.at is None or (stamp >= self.at if self.latest else stamp < self.at):
            self.at = stamp
            self.best = raw

    def value(self) -> Any:
        return self.best


class _Distinct(Accumulator):
    __slots__ = ("seen",)

    def __init__(self, get: Getter | None) -> None:
        super().__init__(get)
        self.seen: set[Any] = set()

    def feed(self, row: dict[str, Any]) -> None:
        raw = self.get(row)  # type: ignore[misc]
        if raw is not None:
            self.seen.add(text_of(raw))

    def value(self) -> Any:
        return len(self.seen)


def make_accumulator(name: str, get: Getter | None, percentile: float = 0.0) -> Accumulator:
    """A fresh accumulator of aggregation `name` reading its argument with `get`."""
    if name == "count":
        return CountAll(None) if get is None else _Count(get)
    if name == "pct":
        return _Pct(get, percentile)
    if name in ("min", "max"):
        return _Extreme(get, name == "max", numeric=True)
    if name in ("sortsfirst", "sortslast"):
        return _Extreme(get, name == "sortslast", numeric=False)
    if name in ("earliest", "latest"):
        return _ByTime(get, name == "latest")
    kinds: dict[str, type[Accumulator]] = {
        "sum": _Sum, "avg": _Avg, "stddev": _Stddev, "count_distinct": _Distinct,
    }  # fmt: skip
    return kinds[name](get)

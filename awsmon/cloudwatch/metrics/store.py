"""The metric store: a columnar, time-indexed store per metric and unit, with AWS's retention.

Main pieces:

- `SeriesStore`: the datapoints of one metric in one unit. One *slot* per
  storage bucket (a second for high-resolution data, a minute for standard),
  kept as five parallel arrays (time, sample count, sum, minimum, maximum) in
  time order, so writes in time order are appends and range queries are two
  binary searches. The raw values that percentiles need are implied when a
  slot holds one distinct value (the common case: one value a minute); only
  slots with several distinct values, or with statistic sets, keep more.
- `Retention`: AWS's schedule (sub-minute data 3 hours, 1-minute data 15 days,
  5-minute data 63 days, 1-hour data 455 days) as `SeriesStore.roll_up` steps.
- `align_start` and `period_allowed`: the query-side rules that depend on the
  age of the requested range.

Every aggregation is order-free: a slot's sums are recomputed exactly from its
parts (`math.fsum`), so the same data put in any order gives the same answers.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

from attrs import frozen

from awsmon.cloudwatch.metrics.aggregate import Aggregate

__all__ = [
    "RETENTION",
    "Retention",
    "SeriesStore",
    "align_start",
    "epoch_seconds",
    "period_allowed",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_seconds(when: datetime) -> int:
    """Whole epoch seconds of `when` (the store's time unit; AWS keeps 1 s granularity)."""
    return math.floor((when - _EPOCH).total_seconds())


def from_epoch(seconds: int) -> datetime:
    """The aware datetime of epoch `seconds`."""
    return _EPOCH + timedelta(seconds=seconds)


@frozen
class Retention:
    """One step of AWS's retention schedule: data older than `age` keeps `width`-second slots.

    A `width` of 0 means the data is dropped.
    """

    age: timedelta
    width: int


#: AWS's schedule [S-CON]: 1 s slots for 3 hours, then 60 s up to 15 days, 300 s up
#: to 63 days, 3600 s up to 455 days, then gone.
RETENTION: tuple[Retention, ...] = (
    Retention(timedelta(hours=3), 60),
    Retention(timedelta(days=15), 300),
    Retention(timedelta(days=63), 3600),
    Retention(timedelta(days=455), 0),
)


class _Mixed:
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


class SeriesStore:
    """The stored datapoints of one metric in one unit, one slot per storage bucket.

    Methods, by purpose:

    - writing: `add_value`, `add_values`, `add_statistic_set`
    - reading: `window`, `aggregate`, `buckets`, `__len__`
    - retention: `roll_up`
    - checking: `_check` (the invariants, for tests)
    """

    __slots__ = ("counts", "dirty", "maxs", "mins", "mixed", "rolled", "sums", "times")

    def __init__(self) -> None:
        self.times: array[int] = array("q")
        self.counts: array[float] = array("d")
        self.sums: array[float] = array("d")
        self.mins: array[float] = array("d")
        self.maxs: array[float] = array("d")
        self.mixed: dict[int, _Mixed] = {}
        # Mixed slots whose count and sum are recomputed at the next read, so a
        # busy slot takes each write in constant time.
        self.dirty: set[int] = set()
        # For each retention step, the slot time below which the step is done.
        self.rolled: list[int] = [0] * len(RETENTION)

    def __len__(self) -> int:
        return len(self.times)

    # -- writing ---------------------------------------------------------------

    def add_value(self, slot: int, value: float) -> None:
        """Add one sample `value` to the slot starting at epoch second `slot`."""
        times = self.times
        if not times or times[-1] < slot:
            times.append(slot)
            self.counts.append(1.0)
            self.sums.append(value)
            self.mins.append(value)
            self.maxs.append(value)
            return
        index = bisect_left(times, slot)
        if index < len(times) and times[index] == slot:
            if slot not in self.mixed and self.mins[index] == value:
                self.counts[index] += 1.0
                self.sums[index] = value * self.counts[index]
                return
            self._merge(index, {value: 1.0}, [])
        else:
            self._insert(index, slot, (1.0, value, value, value), None)

    def add_values(self, slot: int, values: Mapping[float, float]) -> None:
        """Add raw values, each seen `values[v]` times (zero counts are ignored)."""
        kept = {float(v): float(c) for v, c in values.items() if c > 0}
        if not kept:
            return
        if len(kept) == 1:
            ((value, count),) = kept.items()
            if count == 1.0:
                self.add_value(slot, value)
                return
        index = bisect_left(self.times, slot)
        if index < len(self.times) and self.times[index] == slot:
            self._merge(index, kept, [])
        else:
            mixed = _Mixed()
            mixed.add(kept, [])
            self._insert(index, slot, mixed.columns(), mixed)

    def add_statistic_set(
        self, slot: int, sample_count: float, total: float, minimum: float, maximum: float
    ) -> None:
        """Add a statistic set; one that stands for raw values is stored as those values.

        CloudWatch can serve percentiles from a statistic set only when it
        stands for raw values: Min = Max and Sum = Min × SampleCount [S-STA].
        """
        if minimum == maximum and math.isclose(total, minimum * sample_count, rel_tol=1e-9):
            self.add_values(slot, {minimum: sample_count})
            return
        entry = (sample_count, total, minimum, maximum)
        index = bisect_left(self.times, slot)
        if index < len(self.times) and self.times[index] == slot:
            self._merge(index, {}, [entry])
        else:
            mixed = _Mixed()
            mixed.add({}, [entry])
            self._insert(index, slot, mixed.columns(), mixed)

    def _insert(
        self,
        index: int,
        slot: int,
        columns: tuple[float, float, float, float],
        mixed: _Mixed | None,
    ) -> None:
        self.times.insert(index, slot)
        self.counts.insert(index, columns[0])
        self.sums.insert(index, columns[1])
        self.mins.insert(index, columns[2])
        self.maxs.insert(index, columns[3])
        if mixed is not None and mixed.single_value() is None:
            self.mixed[slot] = mixed

    def _merge(
        self,
        index: int,
        values: Mapping[float, float],
        sets: list[tuple[float, float, float, float]],
    ) -> None:
        slot = self.times[index]
        mixed = self.mixed.get(slot)
        if mixed is None:
            mixed = self.mixed[slot] = _Mixed()
            mixed.add({self.mins[index]: self.counts[index]}, [])
        mixed.add(values, sets)
        lows = [*values, *(s[2] for s in sets)]
        highs = [*values, *(s[3] for s in sets)]
        self.mins[index] = min(self.mins[index], *lows)
        self.maxs[index] = max(self.maxs[index], *highs)
        self.dirty.add(slot)

    def _settle(self) -> None:
        """Recompute the count and sum of the slots written since the last read."""
        for slot in self.dirty:
            index = bisect_left(self.times, slot)
            self._set_columns(index, self.mixed[slot])
        self.dirty.clear()

    def _set_columns(self, index: int, mixed: _Mixed) -> None:
        slot = self.times[index]
        single = mixed.single_value()
        if single is not None:
            value, count = single
            self.counts[index], self.sums[index] = count, value * count
            self.mins[index] = self.maxs[index] = value
            self.mixed.pop(slot, None)
            return
        count, total, low, high = mixed.columns()
        self.counts[index], self.sums[index] = count, total
        self.mins[index], self.maxs[index] = low, high
        self.mixed[slot] = mixed

    # -- reading ----------------------------------------------------------------

    def window(self, start: int, end: int) -> tuple[int, int]:
        """The index range of the slots with `start` <= time < `end`."""
        if self.dirty:
            self._settle()
        return bisect_left(self.times, start), bisect_left(self.times, end)

    def summary(self, first: int, last: int) -> tuple[float, float, float, float]:
        """(sample count, sum, minimum, maximum) of slots `first` to `last` - 1 (non-empty)."""
        if self.dirty:
            self._settle()
        if last - first == 1:
            return self.counts[first], self.sums[first], self.mins[first], self.maxs[first]
        # Slots are always summed in time order, so plain float sums are as
        # order-free as the slots themselves (each exact from its parts).
        return (
            sum(self.counts[first:last]),
            sum(self.sums[first:last]),
            min(self.mins[first:last]),
            max(self.maxs[first:last]),
        )

    def aggregate(self, first: int, last: int, *, raw: bool) -> Aggregate:
        """The merged data of slots `first` to `last` - 1 (a non-empty range).

        Args:
            raw: also gather the raw values (for extended statistics); without
                it the aggregate has only the statistic set.
        """
        count, total, low, high = self.summary(first, last)
        if not raw:
            return Aggregate(count, total, low, high)
        merged: dict[float, float] = {}
        mixed = self.mixed
        for index in range(first, last):
            entry = mixed.get(self.times[index]) if mixed else None
            if entry is None:
                value = self.mins[index]
                merged[value] = merged.get(value, 0.0) + self.counts[index]
                continue
            if entry.sets:
                return Aggregate(count, total, low, high)
            for value, times_seen in entry.items():
                merged[value] = merged.get(value, 0.0) + times_seen
        ordered = sorted(merged)
        return Aggregate(count, total, low, high, ordered, [merged[v] for v in ordered])

    def buckets(self, start: int, end: int, period: int) -> Iterator[tuple[int, int, int]]:
        """The non-empty period buckets of [`start`, `end`): (bucket start, first, last index)."""
        times = self.times
        index, stop = self.window(start, end)
        while index < stop:
            bucket = start + (times[index] - start) // period * period
            following = bisect_left(times, bucket + period, index, stop)
            yield bucket, index, following
            index = following

    # -- retention ---------------------------------------------------------------

    def roll_up(self, now: int) -> None:
        """Apply AWS's retention schedule as of epoch second `now`.

        Slots older than each step's age are merged into slots of the step's
        width (aligned on the epoch, so on whole minutes, 5 minutes and hours);
        slots older than 455 days are dropped. Each slot is visited once per
        step, so rolling up costs nothing for data already rolled.
        """
        if self.dirty:
            self._settle()
        for step_index, step in enumerate(RETENTION):
            boundary = now - int(step.age.total_seconds())
            if step.width == 0:
                self._drop_before(boundary)
                continue
            boundary -= boundary % step.width
            since = self.rolled[step_index]
            if boundary <= since:
                continue
            self._rebucket(since, boundary, step.width)
            self.rolled[step_index] = boundary

    def _drop_before(self, boundary: int) -> None:
        cut = bisect_left(self.times, boundary)
        if not cut:
            return
        for slot in self.times[:cut]:
            self.mixed.pop(slot, None)
        for column in (self.times, self.counts, self.sums, self.mins, self.maxs):
            del column[:cut]

    def _rebucket(self, since: int, boundary: int, width: int) -> None:
        first, last = self.window(since - since % width, boundary)
        times = self.times
        if all(times[i] % width == 0 for i in range(first, last)):
            for slot in times[first:last]:
                entry = self.mixed.get(slot)
                if entry is not None:
                    entry.compact()
            return
        new_times: array[int] = array("q")
        columns: list[array[float]] = [array("d") for _ in range(4)]
        index = first
        while index < last:
            bucket = times[index] - times[index] % width
            following = bisect_left(times, bucket + width, index, last)
            merged = self._merged_slots(index, following)
            new_times.append(bucket)
            single = merged.single_value()
            if single is not None:
                value, count = single
                values = (count, value * count, value, value)
            else:
                values = merged.columns()
                merged.compact()
                self.mixed[bucket] = merged
            for column, number in zip(columns, values, strict=True):
                column.append(number)
            index = following
        self.times[first:last] = new_times
        self.counts[first:last] = columns[0]
        self.sums[first:last] = columns[1]
        self.mins[first:last] = columns[2]
        self.maxs[first:last] = columns[3]

    def _merged_slots(self, first: int, last: int) -> _Mixed:
        merged = _Mixed()
        for index in range(first, last):
            slot = self.times[index]
            entry = self.mixed.pop(slot, None)
            if entry is None:
                merged.add({self.mins[index]: self.counts[index]}, [])
            else:
                merged.add(dict(entry.items()), entry.sets)
        return merged

    # -- invariants ---------------------------------------------------------------

    def _check(self) -> None:
        """Assert the store's invariants (used by the tests)."""
        self._settle()
        n = len(self.times)
        assert all(len(c) == n for c in (self.counts, self.sums, self.mins, self.maxs))
        assert all(self.times[i] < self.times[i + 1] for i in range(n - 1)), "times not sorted"
        slots = set(self.times)
        assert set(self.mixed) <= slots, "mixed entry without a slot"
        for index, slot in enumerate(self.times):
            assert self.counts[index] > 0 and self.mins[index] <= self.maxs[index]
            entry = self.mixed.get(slot)
            if entry is None:
                assert self.sums[index] == self.mins[index] * self.counts[index]
                assert self.mins[index] == self.maxs[index]
            else:
                assert entry.single_value() is None
                assert entry.columns() == (
                    self.counts[index],
                    self.sums[index],
                    self.mins[index],
                    self.maxs[index],
                )


def align_start(now: datetime, start: datetime, period: int) -> datetime:
    """StartTime as CloudWatch rounds it before a query [S-CWM].

    Under 15 days old it is rounded down to the minute, up to 63 days to 5
    minutes, beyond that to the hour; a high-resolution period (1, 5, 10, 20,
    30 s) rounds down to a multiple of the period within the minute instead.
    """
    seconds = epoch_seconds(start)
    if period < 60:
        return from_epoch(seconds - seconds % period)
    age = now - start
    if age < timedelta(days=15):
        unit = 60
    elif age <= timedelta(days=63):
        unit = 300
    else:
        unit = 3600
    return from_epoch(seconds - seconds % unit)


def period_allowed(now: datetime, start: datetime, period: int) -> bool:
    """Whether CloudWatch returns any datapoint for `period` over data starting at `start`.

    Data older than 3 hours needs a period that is a multiple of 60, older
    than 15 days a multiple of 300, older than 63 days a multiple of 3600;
    otherwise the answer is empty, not an error [S-CWM].
    """
    age = now - start
    if age <= timedelta(hours=3):
        return True
    if age <= timedelta(days=15):
        return period % 60 == 0
    if age <= timedelta(days=63):
        return period % 300 == 0
    return period % 3600 == 0

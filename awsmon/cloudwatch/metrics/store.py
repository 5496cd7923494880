"""The metric store: a columnar, time-indexed store per metric and unit, with AWS's retention.

Main pieces:

- `SeriesStore`: the datapoints of one metric in one unit. One *slot* per
  storage bucket (a second for high-resolution data, a minute for standard),
  kept as five parallel arrays (time, sample count, sum, minimum, maximum) in
  time order, so writes in time order are appends and range queries are two
  binary searches. The raw values that percentiles need are implied when a
  slot holds one distinct value (the common case: one value a minute); only
  slots with several distinct values, or with statistic sets, keep more:
  exactly while the data is under 15 days old, and as a bounded exponential
  histogram (`awsmon.cloudwatch.metrics.histogram`, stored columnarly per
  series and slot width) once it is rolled up to 5-minute and 1-hour slots.
  SampleCount, Sum, Minimum and Maximum stay exact at every step; percentiles
  of rolled-up slots are within the relative error the histogram module
  documents (at most 0.55 % for values within a factor 2**2.4 of each other).
- `Retention`: AWS's schedule (sub-minute data 3 hours, 1-minute data 15 days,
  5-minute data 63 days, 1-hour data 455 days) as `SeriesStore.roll_up` steps;
  it and the query-side rules that depend on the age of the requested range
  (`align_start`, `period_allowed`) live in `awsmon.cloudwatch.metrics.retention`
  and are re-exported here.

Every aggregation is order-free: a slot's sums are recomputed exactly from its
parts (`math.fsum`), so the same data put in any order gives the same answers.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping

from awsmon.cloudwatch.metrics.aggregate import Aggregate
from awsmon.cloudwatch.metrics.exact import ExactSlot
from awsmon.cloudwatch.metrics.histogram import (
    MAX_BUCKETS,
    Histogram,
    HistogramColumns,
    merge_histograms,
)
from awsmon.cloudwatch.metrics.periods import PeriodSummaries, summarize
from awsmon.cloudwatch.metrics.retention import (
    RETENTION,
    Retention,
    align_start,
    epoch_seconds,
    from_epoch,
    from_epochs,
    period_allowed,
)

__all__ = [
    "RETENTION",
    "Retention",
    "SeriesStore",
    "align_start",
    "epoch_seconds",
    "from_epoch",
    "from_epochs",
    "period_allowed",
]

#: Slots at least this wide (the 5-minute and 1-hour steps) keep histograms, not raw values.
COARSE_WIDTH = 300
#: How many `SeriesStore.summaries` answers a series keeps between writes.
_MEMO_SIZE = 2


class SeriesStore:
    """The stored datapoints of one metric in one unit, one slot per storage bucket.

    Methods, by purpose:

    - writing: `add_value`, `add_values`, `add_statistic_set`
    - reading: `window`, `aggregate`, `buckets`, `__len__`
    - retention: `roll_up`
    - checking: `_check` (the invariants, for tests)
    """

    __slots__ = (
        "coarse",
        "counts",
        "dirty",
        "maxs",
        "memo",
        "mins",
        "mixed",
        "rolled",
        "sums",
        "times",
    )

    def __init__(self) -> None:
        self.times: array[int] = array("q")
        self.counts: array[float] = array("d")
        self.sums: array[float] = array("d")
        self.mins: array[float] = array("d")
        self.maxs: array[float] = array("d")
        self.mixed: dict[int, ExactSlot] = {}
        # The histograms of rolled-up slots (5-minute and 1-hour), by slot width.
        self.coarse: dict[int, HistogramColumns] = {}
        # Mixed slots whose count and sum are recomputed at the next read, so a
        # busy slot takes each write in constant time.
        self.dirty: set[int] = set()
        # For each retention step, the slot time below which the step is done.
        self.rolled: list[int] = [0] * len(RETENTION)
        # `summaries` answers by (start, end, period), until the next write or roll-up.
        self.memo: dict[tuple[int, int, int], PeriodSummaries] = {}

    def __len__(self) -> int:
        return len(self.times)

    # -- writing ---------------------------------------------------------------

    def add_value(self, slot: int, value: float) -> None:
        """Add one sample `value` to the slot starting at epoch second `slot`."""
        if self.memo:
            self.memo.clear()
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
        self.memo.clear()
        if len(kept) == 1:
            ((value, count),) = kept.items()
            if count == 1.0:
                self.add_value(slot, value)
                return
        index = bisect_left(self.times, slot)
        if index < len(self.times) and self.times[index] == slot:
            self._merge(index, kept, [])
        else:
            mixed = ExactSlot()
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
        self.memo.clear()
        entry = (sample_count, total, minimum, maximum)
        index = bisect_left(self.times, slot)
        if index < len(self.times) and self.times[index] == slot:
            self._merge(index, {}, [entry])
        else:
            mixed = ExactSlot()
            mixed.add({}, [entry])
            self._insert(index, slot, mixed.columns(), mixed)

    def _insert(
        self,
        index: int,
        slot: int,
        columns: tuple[float, float, float, float],
        mixed: ExactSlot | None,
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
        if mixed is None and self.coarse:
            holder = self._holder(slot)
            if holder is not None:
                self._merge_coarse(index, holder, values, sets)
                return
        if mixed is None:
            mixed = self.mixed[slot] = ExactSlot()
            mixed.add({self.mins[index]: self.counts[index]}, [])
        mixed.add(values, sets)
        lows = [*values, *(s[2] for s in sets)]
        highs = [*values, *(s[3] for s in sets)]
        self.mins[index] = min(self.mins[index], *lows)
        self.maxs[index] = max(self.maxs[index], *highs)
        self.dirty.add(slot)

    def _holder(self, slot: int) -> HistogramColumns | None:
        for columns in self.coarse.values():
            if columns.find(slot) is not None:
                return columns
        return None

    def _merge_coarse(
        self,
        index: int,
        holder: HistogramColumns,
        values: Mapping[float, float],
        sets: list[tuple[float, float, float, float]],
    ) -> None:
        """A late write into a rolled-up slot: exact columns, merged histogram."""
        slot = self.times[index]
        _, histogram = holder.get(slot)
        self.counts[index] = math.fsum(
            [self.counts[index], *values.values()] + [s[0] for s in sets]
        )
        self.sums[index] = math.fsum(
            [self.sums[index], *(v * c for v, c in values.items())] + [s[1] for s in sets]
        )
        self.mins[index] = min([self.mins[index], *values] + [s[2] for s in sets])
        self.maxs[index] = max([self.maxs[index], *values] + [s[3] for s in sets])
        if histogram is not None and not sets and self.mins[index] >= 0:
            histogram = merge_histograms([histogram, Histogram.of(values.items())])
        else:
            histogram = None
        holder.put(slot, histogram)

    def _coarse_get(self, slot: int) -> tuple[bool, Histogram | None]:
        for columns in self.coarse.values():
            found, histogram = columns.get(slot)
            if found:
                return True, histogram
        return False, None

    def _settle(self) -> None:
        """Recompute the count and sum of the slots written since the last read."""
        for slot in self.dirty:
            index = bisect_left(self.times, slot)
            self._set_columns(index, self.mixed[slot])
        self.dirty.clear()

    def _set_columns(self, index: int, mixed: ExactSlot) -> None:
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
        coarse_end = max((c.times[-1] + 1 for c in self.coarse.values() if c), default=0)
        for index in range(first, last):
            slot = self.times[index]
            entry = mixed.get(slot) if mixed else None
            if entry is None and slot < coarse_end:
                found, histogram = self._coarse_get(slot)
                if found:
                    if histogram is None:
                        return Aggregate(count, total, low, high)
                    stand_ins = histogram.representatives(self.mins[index], self.maxs[index])
                    for value, times_seen in zip(*stand_ins, strict=True):
                        merged[value] = merged.get(value, 0.0) + times_seen
                    continue
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

    def summaries(self, start: int, end: int, period: int) -> PeriodSummaries:
        """Each non-empty period of [`start`, `end`) with its statistic set, in one pass.

        What `buckets` and `summary` give a period at a time, bit for bit,
        without a call per period (GetMetricStatistics' read path; the engines
        are in `awsmon.cloudwatch.metrics.periods`). The answer is kept until
        the next write or roll-up (two ranges at most), so reading unchanged
        data again, as dashboards and polling tests do, is free.
        """
        key = (start, end, period)
        known = self.memo.get(key)
        if known is not None:
            return known
        first, stop = self.window(start, end)
        columns = (self.times, self.counts, self.sums, self.mins, self.maxs)
        answer = summarize(columns, first, stop, start, period)
        if len(self.memo) >= _MEMO_SIZE:
            self.memo.clear()
        self.memo[key] = answer
        return answer

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
        self.memo.clear()
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
        for columns in self.coarse.values():
            columns.take(self.times[0], boundary)
        for column in (self.times, self.counts, self.sums, self.mins, self.maxs):
            del column[:cut]

    def _rebucket(self, since: int, boundary: int, width: int) -> None:
        first, last = self.window(since - since % width, boundary)
        if width >= COARSE_WIDTH:
            self._rebucket_coarse(first, last, width)
            return
        times = self.times
        if all(times[i] % width == 0 for i in range(first, last)):
            for slot in times[first:last]:
                entry = self.mixed.get(slot)
                if entry is not None:
                    entry.compact()
            return

        def merge(bucket: int, index: int, following: int) -> tuple[float, float, float, float]:
            merged = self._merged_slots(index, following)
            single = merged.single_value()
            if single is not None:
                value, count = single
                return (count, value * count, value, value)
            values = merged.columns()
            merged.compact()
            self.mixed[bucket] = merged
            return values

        self._merge_into_buckets(first, last, width, merge)

    def _merge_into_buckets(
        self,
        first: int,
        last: int,
        width: int,
        merge: Callable[[int, int, int], tuple[float, float, float, float]],
    ) -> None:
        """Replace slots `first` to `last` - 1 by one slot per `width`-second bucket.

        `merge(bucket, index, following)` gives the bucket's count, sum, min and
        max from slots `index` to `following` - 1 (the slots it falls on).
        """
        times = self.times
        new_times: array[int] = array("q")
        columns: list[array[float]] = [array("d") for _ in range(4)]
        index = first
        while index < last:
            bucket = times[index] - times[index] % width
            following = bisect_left(times, bucket + width, index, last)
            new_times.append(bucket)
            for column, number in zip(columns, merge(bucket, index, following), strict=True):
                column.append(number)
            index = following
        self.times[first:last] = new_times
        self.counts[first:last] = columns[0]
        self.sums[first:last] = columns[1]
        self.mins[first:last] = columns[2]
        self.maxs[first:last] = columns[3]

    def _rebucket_coarse(self, first: int, last: int, width: int) -> None:
        """Merge slots `first` to `last` - 1 into `width`-second slots with histograms."""
        if first == last:
            return
        times = self.times
        held: dict[int, Histogram | None] = {}
        for holder in self.coarse.values():
            held.update(holder.take(times[first], times[last - 1] + 1))
        target = self.coarse.setdefault(width, HistogramColumns())

        def merge(bucket: int, index: int, following: int) -> tuple[float, float, float, float]:
            count = math.fsum(self.counts[index:following])
            total = math.fsum(self.sums[index:following])
            low, high = min(self.mins[index:following]), max(self.maxs[index:following])
            raw, histogram = self._gathered(index, following, held)
            if raw and low == high:
                total = low * count
            else:
                target.put(bucket, histogram if raw and low >= 0 else None)
            return (count, total, low, high)

        self._merge_into_buckets(first, last, width, merge)

    def _gathered(
        self, first: int, last: int, held: dict[int, Histogram | None]
    ) -> tuple[bool, Histogram | None]:
        """(has raw values, their histogram) of slots `first` to `last` - 1 (taking entries)."""
        pairs: list[tuple[float, float]] = []
        parts: list[Histogram] = []
        raw = True
        for index in range(first, last):
            slot = self.times[index]
            entry = self.mixed.pop(slot, None)
            if slot in held:
                histogram = held.pop(slot)
                raw = raw and histogram is not None
                if histogram is not None:
                    parts.append(histogram)
            elif entry is not None:
                raw = raw and not entry.sets
                pairs.extend(entry.items())
            else:
                pairs.append((self.mins[index], self.counts[index]))
        if not raw or min(self.mins[first:last]) < 0:
            return False, None
        if pairs:
            parts.append(Histogram.of(pairs))
        return True, merge_histograms(parts)

    def _merged_slots(self, first: int, last: int) -> ExactSlot:
        merged = ExactSlot()
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
            found, histogram = self._coarse_get(slot)
            if found:
                assert entry is None, "a slot both exact and rolled up"
                if histogram is not None:
                    assert len(histogram.counts) <= MAX_BUCKETS
                    assert math.isclose(histogram.total, self.counts[index])
                continue
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

"""Every period's statistic set of a series, computed in one pass over its columns.

GetMetricStatistics' read path (`awsmon.cloudwatch.metrics.store.SeriesStore.summaries`):
the sample count, sum, minimum and maximum of each non-empty period of a time
window, over the store's time-ordered columns (slot time, count, sum, minimum,
maximum). The answer is, bit for bit, what `SeriesStore.buckets` and
`SeriesStore.summary` give a period at a time (`summarize_plain`, kept as the
oracle): a period's Sum and SampleCount are the plain left-to-right float sums
of its slots in time order (``sum``, as the alarms add them), except that a
period of one slot gives that slot's own numbers; Minimum and Maximum are the
first least and greatest slot values in time order (``min``, ``max``).

Two engines give that answer:

- the plain engine (`summarize_columns`): periods found by binary search,
  then ``sum``/``min``/``max`` of column slices driven by ``map``, so no
  Python code runs per period or per slot; counts that are all 1 (one value
  a slot) are not added up, as k ones sum to k;
- with numpy installed (the ``fast`` extra) and a window of at least
  `NUMPY_FROM` slots, `summarize_numpy`: periods by ``searchsorted``,
  minimum and maximum by ``reduceat``; sums by adding, row after row, a
  (depth × periods) matrix holding each period's slots in a column, padded
  with zeros (`_Layout`): every column is then added left to right exactly
  as ``sum`` adds, so the result is the same doubles. It is used only where
  that holds and pays: where ``sum`` adds plainly (CPython before 3.12;
  3.12's ``sum`` compensates), where no ``-0.0`` can make ``reduceat``'s
  choice among equal zeros differ from ``min``'s, where the padded matrix
  stays within a few times the window and a period holds at most
  `_DEPTH_BOUND` slots; otherwise the plain engine answers.

The lists of an answer are shared (the store keeps its last answers): read them,
do not change them.
"""

from __future__ import annotations

import functools
from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import ne, sub, truediv
from typing import TYPE_CHECKING, Any

from attrs import frozen

__all__ = [
    "NUMPY_FROM",
    "PeriodSummaries",
    "summarize",
    "summarize_columns",
    "summarize_numpy",
    "summarize_plain",
]

#: Windows of at least this many slots use numpy when it is installed.
NUMPY_FROM = 256
#: The padded matrix of the numpy sums may hold this many times the window's slots.
_PADDING_BOUND = 4

#: One period of `PeriodSummaries.rows`: (bucket start, first index, last index,
#: sample count, sum, minimum, maximum).
Summary = tuple[int, int, int, float, float, float, float]


@frozen
class PeriodSummaries:
    """The non-empty periods of a window, as parallel lists in time order.

    Attributes:
        buckets: each period's start (epoch seconds).
        firsts: the store index of each period's first slot.
        lasts: one past the store index of each period's last slot.
        counts: sample counts.
        sums: sums.
        mins: minima.
        maxs: maxima.
    """

    buckets: list[int]
    firsts: list[int]
    lasts: list[int]
    counts: list[float]
    sums: list[float]
    mins: list[float]
    maxs: list[float]

    def __len__(self) -> int:
        return len(self.buckets)

    def column(self, statistic: str) -> list[float]:
        """The values of a basic statistic (``SampleCount``, ``Sum``, ``Minimum``,
        ``Maximum``, ``Average`` = Sum / SampleCount), one per period."""
        if statistic == "Average":
            return list(map(truediv, self.sums, self.counts))
        return {
            "SampleCount": self.counts,
            "Sum": self.sums,
            "Minimum": self.mins,
            "Maximum": self.maxs,
        }[statistic]

    def rows(self) -> tuple[Summary, ...]:
        """One (bucket, first, last, count, sum, minimum, maximum) tuple per period."""
        return tuple(
            zip(
                self.buckets,
                self.firsts,
                self.lasts,
                self.counts,
                self.sums,
                self.mins,
                self.maxs,
                strict=True,
            )
        )


EMPTY = PeriodSummaries([], [], [], [], [], [], [])

if TYPE_CHECKING:
    #: (times, counts, sums, minimums, maximums): a series' columns.
    Columns = tuple[array[int], array[float], array[float], array[float], array[float]]


def summarize(
    columns: Columns, first: int, stop: int, start: int, period: int
) -> PeriodSummaries:
    """The periods (aligned on `start`, `period` seconds long) of slots `first` to `stop` - 1.

    Uses numpy when it is installed and pays (see the module notes); the answer
    is the same either way.
    """
    if stop - first >= NUMPY_FROM and _numpy() is not None:
        found = summarize_numpy(columns, first, stop, start, period)
        if found is not None:
            return found
    return summarize_columns(columns, first, stop, start, period)


# --------------------------------------------------------------------------------------------
# The plain engine


def _bounds(
    times: array[int], first: int, stop: int, start: int, period: int
) -> tuple[list[int], list[int], list[int]]:
    """(bucket starts, first indices, stop indices) of the non-empty periods, in time order."""
    low = (times[first] - start) // period
    high = (times[stop - 1] - start) // period
    if high - low + 1 <= 2 * (stop - first):
        # Dense: one binary search per period boundary, then drop the empty periods.
        edges = list(
            map(
                bisect_left,
                repeat(times),
                range(start + (low + 1) * period, start + (high + 1) * period, period),
                repeat(first),
                repeat(stop),
            )
        )
        firsts, lasts = [first, *edges], [*edges, stop]
        buckets = list(range(start + low * period, start + (high + 1) * period, period))
        if not all(map(ne, firsts, lasts)):
            kept = list(map(ne, firsts, lasts))
            return (
                list(compress(buckets, kept)),
                list(compress(firsts, kept)),
                list(compress(lasts, kept)),
            )
        return buckets, firsts, lasts
    # Sparse: walk the slots, one binary search per non-empty period.
    buckets, firsts, lasts = [], [], []
    index = first
    while index < stop:
        bucket = start + (times[index] - start) // period * period
        following = bisect_left(times, bucket + period, index, stop)
        buckets.append(bucket)
        firsts.append(index)
        lasts.append(following)
        index = following
    return buckets, firsts, lasts


def summarize_columns(
    columns: Columns, first: int, stop: int, start: int, period: int
) -> PeriodSummaries:
    """`summarize` by the plain engine: column slices reduced by ``map``, no per-period code.

    Array slices are reduced where they are (their floats come and go from
    the interpreter's free list, which is faster than a list of the window's
    floats spread over fresh memory).
    """
    if first >= stop:
        return EMPTY
    times, counts, sums, mins, maxs = columns
    buckets, firsts, lasts = _bounds(times, first, stop, start, period)
    cuts = list(map(slice, firsts, lasts))
    if counts[first:stop].tobytes() == (_ONE * (stop - first)).tobytes():
        # k slots of count 1.0 sum to float(k) exactly.
        period_counts = list(map(float, map(sub, lasts, firsts)))
    else:
        period_counts = _reduce(sum, counts, cuts)
    # Columns holding the same numbers (one value a slot: sum = minimum = maximum) are
    # sliced once.
    sum_bytes = sums[first:stop].tobytes()
    sum_slices = list(map(sums.__getitem__, cuts))
    min_bytes = mins[first:stop].tobytes()
    min_slices = sum_slices if min_bytes == sum_bytes else list(map(mins.__getitem__, cuts))
    max_slices = (
        min_slices if maxs[first:stop].tobytes() == min_bytes else list(map(maxs.__getitem__, cuts))
    )
    period_sums = list(map(sum, sum_slices))
    if 1 in map(sub, lasts, firsts):
        # A period of one slot gives the slot's own sum (``sum`` would turn -0.0 into 0.0).
        for index, (low, high) in enumerate(zip(firsts, lasts, strict=True)):
            if high - low == 1:
                period_sums[index] = sums[low]
    return PeriodSummaries(
        buckets,
        firsts,
        lasts,
        period_counts,
        period_sums,
        list(map(min, min_slices)),
        list(map(max, max_slices)),
    )


_ONE = array("d", [1.0])


def _reduce(
    reduce: Callable[[array[float]], float], values: array[float], cuts: Sequence[slice]
) -> list[float]:
    return list(map(reduce, map(values.__getitem__, cuts)))


def summarize_plain(
    columns: Columns, first: int, stop: int, start: int, period: int
) -> PeriodSummaries:
    """The naive oracle: a loop over the periods, each reduced from its own column slices."""
    times, counts, sums, mins, maxs = columns
    found: list[Summary] = []
    index = first
    while index < stop:
        bucket = start + (times[index] - start) // period * period
        following = bisect_left(times, bucket + period, index, stop)
        if following - index == 1:
            numbers = (counts[index], sums[index], mins[index], maxs[index])
        else:
            numbers = (
                sum(counts[index:following]),
                sum(sums[index:following]),
                min(mins[index:following]),
                max(maxs[index:following]),
            )
        found.append((bucket, index, following, *numbers))
        index = following
    if not found:
        return EMPTY
    return PeriodSummaries(*(list(column) for column in zip(*found, strict=True)))


# --------------------------------------------------------------------------------------------
# The numpy engine


def _sum_adds_plainly() -> bool:
    """Whether ``sum`` of floats adds left to right (CPython < 3.12), as numpy's accumulate."""
    return sum([1.0, 1e100, 1.0, -1e100]) == 0.0


@functools.cache
def _numpy() -> Any:
    """The numpy module when installed and usable here, else None (imported once, lazily)."""
    if not _sum_adds_plainly():
        return None
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is the optional `fast` extra
        return None
    return numpy


def summarize_numpy(
    columns: Columns, first: int, stop: int, start: int, period: int
) -> PeriodSummaries | None:
    """`summarize` by numpy, or None where it could differ or would not pay (module notes)."""
    np = _numpy()
    if np is None or first >= stop:
        return None
    times, counts, sums, mins, maxs = columns
    size = stop - first
    low = (times[first] - start) // period
    high = (times[stop - 1] - start) // period
    if high - low + 1 > _PADDING_BOUND * size:
        return None
    slot_times = np.frombuffer(times, dtype=np.int64, count=size, offset=8 * first)
    edges = np.searchsorted(slot_times, start + np.arange(low + 1, high + 1) * period)
    bounds = np.concatenate(([0], edges, [size]))
    lengths = np.diff(bounds)
    kept = np.flatnonzero(lengths)
    starts, lengths = bounds[kept], lengths[kept]
    depth = int(lengths.max())
    if depth * len(starts) > _PADDING_BOUND * size + 1024 or depth > _DEPTH_BOUND:
        return None
    layout = _Layout(np, starts, lengths, size, depth)
    period_mins = np.minimum.reduceat(_column(np, mins, first, size), starts)
    period_maxs = np.maximum.reduceat(_column(np, maxs, first, size), starts)
    if _zero_may_differ(np, period_mins, mins, first, size) or _zero_may_differ(
        np, period_maxs, maxs, first, size
    ):
        return None
    slot_sums = _column(np, sums, first, size)
    period_sums = layout.sums(slot_sums)
    singles = lengths == 1
    if singles.any():
        # A period of one slot gives the slot's own sum, -0.0 included.
        period_sums = np.where(singles, slot_sums[starts], period_sums)
    slot_counts = _column(np, counts, first, size)
    if bool((slot_counts == 1.0).all()):
        period_counts = lengths.astype(np.float64)
    else:
        period_counts = layout.sums(slot_counts)
    firsts = starts + first
    return PeriodSummaries(
        (start + (low + kept) * period).tolist(),
        firsts.tolist(),
        (firsts + lengths).tolist(),
        period_counts.tolist(),
        period_sums.tolist(),
        period_mins.tolist(),
        period_maxs.tolist(),
    )


#: The numpy sums add row by row: at most this many slots in one period.
_DEPTH_BOUND = 512


def _column(np: Any, column: array[float], first: int, size: int) -> Any:
    return np.frombuffer(column, dtype=np.float64, count=size, offset=8 * first)


def _zero_may_differ(np: Any, found: Any, column: array[float], first: int, size: int) -> bool:
    """Whether a zero minimum or maximum might be +0.0 where ``min``/``max`` give -0.0 or
    the reverse: only when the window holds a -0.0 at all."""
    if not bool((found == 0.0).any()):
        return False
    values = _column(np, column, first, size)
    return bool((np.signbit(values) & (values == 0.0)).any())


class _Layout:
    """The window's slots as a (depth × periods) matrix, one column per period, zero-padded.

    Adding its rows in order adds each period's slots left to right, as ``sum``
    does: zeros before a period's slots stand for ``sum``'s start (0.0) and
    zeros after change nothing; starting from the first slot rather than 0.0
    changes only an all-zero period's sign, mended by adding 0.0 at the end.
    When every period but the first and last is full (the usual case: data
    every slot), the matrix is the window itself with zeros before and after;
    otherwise each slot is placed.
    """

    def __init__(self, np: Any, starts: Any, lengths: Any, size: int, depth: int) -> None:
        self.np, self.periods, self.depth = np, len(starts), depth
        self.lead = self.trail = 0
        self.places: Any = None
        if bool((lengths[1:-1] == depth).all()):
            self.lead = depth - int(lengths[0])
            self.trail = depth - int(lengths[-1]) if self.periods > 1 else 0
        else:
            period = np.arange(self.periods)
            self.places = np.arange(size) * self.periods + np.repeat(
                period - starts * self.periods, lengths
            )

    def sums(self, values: Any) -> Any:
        """Each period's left-to-right sum of `values` (one per slot of the window)."""
        np = self.np
        if self.places is None:
            padded = np.concatenate((np.zeros(self.lead), values, np.zeros(self.trail)))
            rows = padded.reshape(self.periods, self.depth).T
        else:
            padded = np.zeros(self.depth * self.periods, dtype=np.float64)
            padded[self.places] = values
            rows = padded.reshape(self.depth, self.periods)
        total = rows[0].copy()
        for row in rows[1:]:
            total += row
        total += 0.0
        return total

"""Bounded exponential histograms: what a rolled-up (5-minute or 1-hour) slot keeps of its values.

CloudWatch stores distributions as exponential histograms and "might reduce
the scale of a histogram, which merges adjacent buckets and lowers resolution
while preserving the total count and sum" (AWS, *How CloudWatch stores
histogram metrics*). awsmon does the same for data older than 15 days: the
store keeps SampleCount, Sum, Minimum and Maximum of a rolled-up slot exactly,
in its columns, and the distribution of its values as a `Histogram` of at most
`MAX_BUCKETS` buckets, whose representative values feed the percentile code.

Main pieces:

- `Histogram`: scale, zero count and a dense run of bucket counts. Bucket
  ``i`` at scale ``s`` holds the positive values in ``(b**i, b**(i+1)]`` with
  ``b = 2 ** (2 ** -s)`` (OpenTelemetry's layout). `Histogram.of` builds one
  from (value, count) pairs; `merge_histograms` merges any number, in any
  order, to the same result.
- `HistogramColumns`: the histograms of one series and one slot width, stored
  columnarly (one time array, one offset array, one byte buffer) rather than one
  Python object per slot.
- `relative_error_bound`: the documented bound below.

Error bound:
    A histogram uses the highest scale ``s <= MAX_SCALE`` at which its positive
    values fit in `MAX_BUCKETS` buckets. The representative value of a bucket
    is the harmonic mean of its bounds, clamped to the slot's [Minimum,
    Maximum], so any value of the bucket is within a relative error of
    ``(b - 1) / (b + 1)`` of it. Bucketing keeps the order of values, so the
    nearest-rank percentile of the histogram is the representative of the
    bucket holding the exact percentile: every ``pNN`` of a rolled slot is
    within that relative error of the exact answer. With ``MAX_SCALE = 6`` and
    ``MAX_BUCKETS = 160`` that is at most 0.55 % (values within a factor of
    2**2.4 of each other keep scale 6), and at most
    ``ln(max / min_positive) / 158`` for a slot whose positive values span a
    wider ratio (2.9 % for a ratio of 100, 4.4 % for 1,000, 8.7 % for 10**6).
    Zero is kept exactly (a zero count); percentiles are unavailable when any
    value is negative, so a slot with a negative value keeps no histogram.
"""

from __future__ import annotations

import math
import struct
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from attrs import frozen

__all__ = [
    "MAX_BUCKETS",
    "MAX_SCALE",
    "Histogram",
    "HistogramColumns",
    "merge_histograms",
    "relative_error_bound",
]

#: The finest scale kept: 64 buckets per power of two (base 2 ** (1/64), error ≤ 0.55 %).
MAX_SCALE = 6
#: The most positive buckets a histogram keeps (OpenTelemetry's default size).
MAX_BUCKETS = 160
#: The coarsest scale: base 2 ** 1024 holds every positive double in three buckets.
MIN_SCALE = -10

_DOUBLE = struct.Struct("<d")


def bucket_index(value: float) -> int:
    """The bucket of a positive `value` at `MAX_SCALE` (exact at powers of two)."""
    mantissa, exponent = math.frexp(value)
    if mantissa == 0.5:
        return ((exponent - 1) << MAX_SCALE) - 1
    return math.ceil(math.log2(value) * (1 << MAX_SCALE)) - 1


def _fitting_scale(low: int, high: int, scale: int) -> int:
    """The highest scale <= `scale` at which indexes `low`..`high` (at `scale`) fit."""
    while scale > MIN_SCALE and high - low + 1 > MAX_BUCKETS:
        low >>= 1
        high >>= 1
        scale -= 1
    return scale


def relative_error_bound(scale: int) -> float:
    """The largest relative error of a representative value at `scale`: (b - 1) / (b + 1)."""
    base = 2.0 ** (2.0**-scale)
    return (base - 1) / (base + 1) if math.isfinite(base) else 1.0


@frozen
class Histogram:
    """The distribution of one slot's non-negative values, in at most `MAX_BUCKETS` buckets.

    Attributes:
        scale: the resolution; bucket ``i`` is ``(b**i, b**(i+1)]``, ``b = 2 ** (2 ** -scale)``.
        zero: how many values were exactly 0.
        offset: the index of the first bucket of `counts`.
        counts: the count of each bucket from `offset` on (dense; may hold zeros inside).
    """

    scale: int
    zero: float
    offset: int
    counts: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[float, float]]) -> Histogram:
        """The histogram of (value, count) pairs (values >= 0, counts > 0)."""
        zero: list[float] = []
        buckets: dict[int, list[float]] = {}
        for value, count in pairs:
            if value == 0:
                zero.append(count)
            else:
                buckets.setdefault(bucket_index(value), []).append(count)
        return _build(MAX_SCALE, zero, buckets)

    @property
    def total(self) -> float:
        """The number of values it holds."""
        return math.fsum([self.zero, *self.counts])

    def representatives(self, minimum: float, maximum: float) -> tuple[list[float], list[float]]:
        """(values, counts) standing for the histogram, ascending, clamped to [minimum, maximum]."""
        values: list[float] = []
        counts: list[float] = []
        if self.zero:
            values.append(0.0)
            counts.append(self.zero)
        step = 2.0**-self.scale
        for position, count in enumerate(self.counts):
            if not count:
                continue
            index = self.offset + position
            try:
                low = 2.0 ** (index * step)
                high = 2.0 ** ((index + 1) * step)
                middle = 2 * low / (1 + low / high) if low else high / 2
            except OverflowError:
                middle = maximum
            values.append(min(max(middle, minimum), maximum))
            counts.append(count)
        return values, counts

    def encode(self, out: bytearray) -> None:
        """Append the histogram's bytes to `out` (see `decode`)."""
        out.append(self.scale - MIN_SCALE)
        _put_count(out, self.zero)
        _put_varint(out, (self.offset << 1) ^ (self.offset >> 63))
        _put_varint(out, len(self.counts))
        empty = 0
        for count in self.counts:
            if not count:
                empty += 1
                continue
            if empty:
                _put_varint(out, (empty << 1) | 1)
                empty = 0
            _put_count(out, count)


#: The byte that marks a slot with no histogram (statistic sets or negative values).
NO_VALUES = 255


def _build(scale: int, zero: list[float], buckets: dict[int, list[float]]) -> Histogram:
    if not buckets:
        return Histogram(scale, math.fsum(zero), 0, ())
    low, high = min(buckets), max(buckets)
    fitted = _fitting_scale(low, high, scale)
    shift = scale - fitted
    if shift:
        coarse: dict[int, list[float]] = {}
        for index, counts in buckets.items():
            coarse.setdefault(index >> shift, []).extend(counts)
        buckets, low, high = coarse, low >> shift, high >> shift
    dense = [0.0] * (high - low + 1)
    for index, counts in buckets.items():
        dense[index - low] = math.fsum(counts)
    return Histogram(fitted, math.fsum(zero), low, tuple(dense))


def merge_histograms(parts: Sequence[Histogram]) -> Histogram:
    """One histogram of all `parts`; the result does not depend on their order."""
    scale = min(part.scale for part in parts)
    zero = [part.zero for part in parts if part.zero]
    buckets: dict[int, list[float]] = {}
    for part in parts:
        shift = part.scale - scale
        for position, count in enumerate(part.counts):
            if count:
                buckets.setdefault((part.offset + position) >> shift, []).append(count)
    return _build(scale, zero, buckets)


def _put_varint(out: bytearray, number: int) -> None:
    while number > 0x7F:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)


def _get_varint(data: bytes | bytearray, at: int) -> tuple[int, int]:
    number = shift = 0
    while True:
        byte = data[at]
        at += 1
        number |= (byte & 0x7F) << shift
        if byte < 0x80:
            return number, at
        shift += 7


def _put_count(out: bytearray, count: float) -> None:
    """A whole count below 2**53 as a varint of 2·count; any other as 1 and its 8 bytes.

    (An odd varint above 1, 2·n + 1, stands for a run of n empty buckets.)
    """
    if count.is_integer() and 0 <= count < 2**53:
        _put_varint(out, int(count) << 1)
    else:
        out.append(1)
        out += _DOUBLE.pack(count)


def _get_count(data: bytes | bytearray, at: int) -> tuple[float, int]:
    number, at = _get_varint(data, at)
    if number == 1:
        return _DOUBLE.unpack_from(data, at)[0], at + 8
    return float(number >> 1), at


def decode(data: bytes | bytearray, at: int) -> Histogram | None:
    """The histogram encoded at `at` in `data`, or None for a `NO_VALUES` slot."""
    if data[at] == NO_VALUES:
        return None
    scale = data[at] + MIN_SCALE
    zero, at = _get_count(data, at + 1)
    zigzag, at = _get_varint(data, at)
    offset = (zigzag >> 1) ^ -(zigzag & 1)
    size, at = _get_varint(data, at)
    counts: list[float] = []
    while len(counts) < size:
        number, after = _get_varint(data, at)
        if number & 1 and number > 1:
            counts.extend([0.0] * (number >> 1))
            at = after
            continue
        count, at = _get_count(data, at)
        counts.append(count)
    return Histogram(scale, zero, offset, tuple(counts))


class HistogramColumns:
    """The histograms of one series' slots of one width, in time order, as three columns.

    `times` holds the slot times, `starts` where each slot's bytes begin in
    `data` (counted from `base`, so dropping the oldest slots moves no offset).
    Rolled slots arrive at the end and leave at the front, so both are cheap;
    a write into an older slot rewrites the buffer after it.
    """

    __slots__ = ("base", "data", "starts", "times")

    def __init__(self) -> None:
        self.times: array[int] = array("q")
        self.starts: array[int] = array("I")
        self.data = bytearray()
        self.base = 0

    def __len__(self) -> int:
        return len(self.times)

    def find(self, slot: int) -> int | None:
        """The position of `slot`, or None."""
        index = bisect_left(self.times, slot)
        return index if index < len(self.times) and self.times[index] == slot else None

    def get(self, slot: int) -> tuple[bool, Histogram | None]:
        """(found, histogram): the slot's histogram, None when it keeps no values."""
        index = self.find(slot)
        if index is None:
            return False, None
        return True, decode(self.data, self.starts[index] - self.base)

    def put(self, slot: int, histogram: Histogram | None) -> None:
        """Store `slot`'s histogram (None: the slot keeps no values), replacing any."""
        encoded = bytearray()
        if histogram is None:
            encoded.append(NO_VALUES)
        else:
            histogram.encode(encoded)
        if self.base + len(self.data) + len(encoded) >= 1 << 32:
            self._shift(0, -self.base)
            self.base = 0
        times = self.times
        if not times or times[-1] < slot:
            times.append(slot)
            self.starts.append(self.base + len(self.data))
            self.data += encoded
            return
        index = bisect_left(times, slot)
        begin = self.starts[index] - self.base
        if times[index] == slot:
            end = self._end(index)
            self.data[begin:end] = encoded
            self._shift(index + 1, len(encoded) - (end - begin))
        else:
            times.insert(index, slot)
            self.starts.insert(index, self.base + begin)
            self.data[begin:begin] = encoded
            self._shift(index + 1, len(encoded))

    def take(self, start: int, end: int) -> list[tuple[int, Histogram | None]]:
        """Remove and return the slots with `start` <= time < `end`."""
        first, last = bisect_left(self.times, start), bisect_left(self.times, end)
        if first == last:
            return []
        taken = [
            (self.times[i], decode(self.data, self.starts[i] - self.base))
            for i in range(first, last)
        ]
        begin, stop = self.starts[first] - self.base, self._end(last - 1)
        del self.data[begin:stop]
        del self.times[first:last]
        del self.starts[first:last]
        if first == 0:
            self.base += stop - begin
        else:
            self._shift(first, begin - stop)
        return taken

    def _end(self, index: int) -> int:
        if index + 1 < len(self.starts):
            return self.starts[index + 1] - self.base
        return len(self.data)

    def _shift(self, first: int, delta: int) -> None:
        starts = self.starts
        for i in range(first, len(starts)):
            starts[i] += delta

    def nbytes(self) -> int:
        """The bytes its columns hold (for benchmarks)."""
        return (
            len(self.data)
            + self.times.itemsize * len(self.times)
            + self.starts.itemsize * len(self.starts)
        )

"""What CloudWatch keeps for one period of one metric: the `Aggregate`.

`Aggregate` holds SampleCount, Sum, Minimum and Maximum, plus the raw values
with their counts when they exist. Aggregates merge losslessly
(`Aggregate.merge`, `merge_aggregates`), which is how periods roll up (1 min →
5 min → 1 h) and how a query period spans several stored periods.

The store is columnar: an aggregate holds its raw values as one sorted tuple of
distinct values and one parallel tuple of counts (PutMetricData's ``Values``
and ``Counts``), or ``None`` for both when only statistic sets were published.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from attrs import field, frozen

from awsmon.cloudwatch.errors import InvalidParameterValue

__all__ = ["Aggregate", "merge_aggregates"]


def _float_tuple(values: Iterable[float] | None) -> tuple[float, ...] | None:
    return None if values is None else tuple(float(v) for v in values)


@frozen
class Aggregate:
    """The statistic set of one period, with the raw values when CloudWatch has them.

    Build one with `Aggregate.of` (raw values, optionally with counts) or
    `Aggregate.from_statistic_set` (PutMetricData ``StatisticValues``); the
    constructor itself takes the columns as they are stored.

    Attributes:
        sample_count: number of samples (SampleCount); a float, as in the AWS API.
        sum: sum of all samples.
        minimum: lowest sample.
        maximum: highest sample.
        values: the distinct raw values in ascending order, or ``None`` when only
            statistic sets that cannot stand for raw values were published.
        counts: how many times each of `values` was seen (parallel to it), or
            ``None`` with `values`.

    >>> agg = Aggregate.of([2, 4, 5])
    >>> agg.sample_count, agg.sum, agg.minimum, agg.maximum, agg.average
    (3.0, 11.0, 2.0, 5.0, 3.6666666666666665)
    """

    sample_count: float = field(converter=float)
    sum: float = field(converter=float)
    minimum: float = field(converter=float)
    maximum: float = field(converter=float)
    values: tuple[float, ...] | None = field(default=None, converter=_float_tuple)
    counts: tuple[float, ...] | None = field(default=None, converter=_float_tuple)

    def __attrs_post_init__(self) -> None:
        if not self.sample_count > 0:
            raise InvalidParameterValue(
                f"SampleCount must be positive, got {self.sample_count}",
                param="SampleCount",
                value=self.sample_count,
            )
        if not self.minimum <= self.maximum:
            raise InvalidParameterValue(
                f"Minimum {self.minimum} is greater than Maximum {self.maximum}",
                param="Minimum",
                value=self.minimum,
            )
        if (self.values is None) != (self.counts is None) or (
            self.values is not None
            and self.counts is not None
            and (len(self.values) != len(self.counts) or not self.values)
        ):
            raise InvalidParameterValue(
                "values and counts must both be given, non-empty and of the same length",
                param="Counts",
            )

    @classmethod
    def of(cls, values: Iterable[float], counts: Iterable[float] | None = None) -> Aggregate:
        """The aggregate of raw values (PutMetricData ``Value`` or ``Values`` + ``Counts``).

        Args:
            values: the samples; repeated values are allowed.
            counts: how many times each value was seen (default 1 each), same
                length as `values`. Zero counts are skipped.

        Raises:
            InvalidParameterValue: no samples, a negative count, or lengths differ.
        """
        value_list = [float(v) for v in values]
        count_list = [1.0] * len(value_list) if counts is None else [float(c) for c in counts]
        if len(count_list) != len(value_list):
            raise InvalidParameterValue(
                "The parameters Values and Counts must be of the same size.", param="Counts"
            )
        merged: dict[float, float] = {}
        for value, count in zip(value_list, count_list, strict=True):
            if count < 0 or not math.isfinite(count):
                raise InvalidParameterValue(
                    f"The value {count} for parameter Counts is invalid.",
                    param="Counts",
                    value=count,
                )
            if count > 0:
                merged[value] = merged.get(value, 0.0) + count
        return cls._from_counts(merged)

    @classmethod
    def from_statistic_set(
        cls, *, sample_count: float, sum: float, minimum: float, maximum: float
    ) -> Aggregate:
        """The aggregate of a published statistic set (PutMetricData ``StatisticValues``).

        CloudWatch can serve percentiles and the other raw-value statistics from
        a statistic set only when it stands for raw values [S-STA]: SampleCount
        is 1 and Min = Max = Sum, or Min = Max and Sum = Min × SampleCount. Such a
        set is stored as the value Min seen SampleCount times; any other set has
        no raw values and those statistics are unavailable for its period.

        Simulation notes:
            "Sum = Min × SampleCount" is checked with a relative tolerance of
            1e-9, so float rounding in the caller's multiplication does not
            matter.
        """
        stands_for_values = minimum == maximum and math.isclose(
            sum, minimum * sample_count, rel_tol=1e-9, abs_tol=0.0
        )
        if stands_for_values:
            return cls(sample_count, sum, minimum, maximum, (minimum,), (sample_count,))
        return cls(sample_count, sum, minimum, maximum)

    @classmethod
    def _from_counts(cls, merged: dict[float, float]) -> Aggregate:
        if not merged:
            raise InvalidParameterValue("An aggregate needs at least one sample", param="Values")
        values = sorted(merged)
        counts = [merged[v] for v in values]
        return cls(
            math.fsum(counts),
            math.fsum(v * c for v, c in zip(values, counts, strict=True)),
            values[0],
            values[-1],
            values,
            counts,
        )

    @property
    def average(self) -> float:
        """Sum / SampleCount."""
        return self.sum / self.sample_count

    @property
    def has_raw_values(self) -> bool:
        """True when percentiles and the other raw-value statistics can be computed."""
        return self.values is not None

    def merge(self, other: Aggregate) -> Aggregate:
        """This period's data together with `other`'s (lossless for every statistic)."""
        return merge_aggregates((self, other))


def merge_aggregates(aggregates: Iterable[Aggregate]) -> Aggregate:
    """Merge any number of aggregates; the result does not depend on their order.

    Raw values survive only if every part has them; sums use `math.fsum`, so the
    merged Sum is the correctly rounded total whatever the order.

    Raises:
        InvalidParameterValue: `aggregates` is empty.
    """
    parts = list(aggregates)
    if not parts:
        raise InvalidParameterValue("Nothing to merge: no aggregates given", param="Values")
    if len(parts) == 1:
        return parts[0]
    total = math.fsum(p.sample_count for p in parts)
    total_sum = math.fsum(p.sum for p in parts)
    low = min(p.minimum for p in parts)
    high = max(p.maximum for p in parts)
    if any(p.values is None or p.counts is None for p in parts):
        return Aggregate(total, total_sum, low, high)
    merged: dict[float, list[float]] = {}
    for part in parts:
        assert part.values is not None and part.counts is not None
        for value, count in zip(part.values, part.counts, strict=True):
            merged.setdefault(value, []).append(count)
    values = sorted(merged)
    counts = [math.fsum(merged[v]) for v in values]
    return Aggregate(total, total_sum, low, high, values, counts)

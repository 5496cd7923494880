"""CloudWatch statistics: what one period of a metric keeps, and how statistics read it.

Main classes and functions:

- `Aggregate` (`awsmon.cloudwatch.metrics.aggregate`, re-exported): the data
  CloudWatch keeps for one period of one metric (and one unit).
- `Statistic`: a parsed, validated statistic name (``Average``, ``p99``,
  ``tm90``, ``TM(10%:90%)``, ``TC(0.005:0.030)``, ``PR(:300)``, ``IQM`` ...)
  whose `Statistic.compute` reads an `Aggregate`.
- `parse_statistic`: name → `Statistic`, or `InvalidParameterValue`.

Simulation notes:
    AWS does not document how percentiles are computed. awsmon uses the
    *nearest rank* on the raw multiset, as the reference recommends: ``pNN`` is
    the smallest value v such that at least NN % of the samples are ≤ v (so
    ``p99`` is "the maximum of the remaining 99 %", AWS's own wording), with no
    interpolation; ``p0`` is the minimum.

    Percentage bounds of TM/TC/TS are applied on ranks with the same rule:
    ``TM(a%:b%)`` drops the ceil(a·N/100) lowest samples and keeps samples up to
    rank ceil(b·N/100) (lower bound exclusive, upper inclusive, as for absolute
    bounds). Ties at a boundary are split by rank. ``WM(a%:b%)`` clamps every
    value into [pa, pb]; ``WM(a:b)`` clamps into [a, b].

    An empty selection gives ``None`` for TM and WM, and 0 for TC and TS. A
    range whose lower bound is above its upper bound is rejected.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
from bisect import bisect_left
from collections.abc import Sequence
from fractions import Fraction
from itertools import accumulate

from attrs import frozen

from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.cloudwatch.metrics.aggregate import Aggregate, merge_aggregates

__all__ = [
    "Aggregate",
    "Statistic",
    "StatisticKind",
    "merge_aggregates",
    "parse_statistic",
]


# --------------------------------------------------------------------------------------------
# Statistic


class StatisticKind(enum.Enum):
    """The family of a statistic; the value is its AWS name or prefix."""

    SAMPLE_COUNT = "SampleCount"
    AVERAGE = "Average"
    SUM = "Sum"
    MINIMUM = "Minimum"
    MAXIMUM = "Maximum"
    PERCENTILE = "p"
    TRIMMED_MEAN = "TM"
    TRIMMED_COUNT = "TC"
    TRIMMED_SUM = "TS"
    WINSORIZED_MEAN = "WM"
    PERCENTILE_RANK = "PR"


_BASIC_KINDS: dict[str, StatisticKind] = {
    k.value: k
    for k in (
        StatisticKind.SAMPLE_COUNT,
        StatisticKind.AVERAGE,
        StatisticKind.SUM,
        StatisticKind.MINIMUM,
        StatisticKind.MAXIMUM,
    )
}
_PREFIX_KINDS: dict[str, StatisticKind] = {
    k.value.lower() if k is not StatisticKind.PERCENTILE else "p": k
    for k in StatisticKind
    if k.value not in _BASIC_KINDS
}


@frozen
class Statistic:
    """A valid CloudWatch statistic, parsed once, that computes itself from an `Aggregate`.

    Attributes:
        name: the statistic as written (``"p99"``, ``"TM(10%:90%)"``, ``"IQM"``).
        kind: its family.
        lower: lower bound (exclusive), or ``None`` when open. A percentage for
            percent bounds, else an absolute value. Unused by the basic statistics.
        upper: upper bound (inclusive), or ``None`` when open; for ``pNN`` the
            percentile NN.
        percent: True when the bounds are percentiles (``%`` forms, the short
            lower-case forms, IQM, pNN); False for absolute bounds.
    """

    name: str
    kind: StatisticKind
    lower: Fraction | None = None
    upper: Fraction | None = None
    percent: bool = False

    @property
    def is_extended(self) -> bool:
        """True for the statistics that need raw values (AWS's ExtendedStatistics)."""
        return self.kind.value not in _BASIC_KINDS

    @property
    def percentile(self) -> float | None:
        """NN for a ``pNN`` statistic, else ``None`` (used by low-sample alarm rules)."""
        if self.kind is StatisticKind.PERCENTILE and self.upper is not None:
            return float(self.upper)
        return None

    def compute(self, aggregate: Aggregate) -> float | None:
        """The statistic's value for one period, or ``None`` when CloudWatch has none.

        Extended statistics give ``None`` when the period has no raw values (a
        statistic set that does not stand for values was published) or when any
        value is negative [S-STA].
        """
        basic = _compute_basic(self.kind, aggregate)
        if basic is not None or not self.is_extended:
            return basic
        values, counts = aggregate.values, aggregate.counts
        if values is None or counts is None or aggregate.minimum < 0:
            return None
        cumulative = list(accumulate(counts))
        total = cumulative[-1]
        if self.kind is StatisticKind.PERCENTILE:
            assert self.upper is not None
            return _nearest_rank(values, cumulative, self.upper)
        if self.kind is StatisticKind.PERCENTILE_RANK:
            kept = self._kept_by_value(values, counts)
            return 100.0 * math.fsum(kept) / total
        if self.kind is StatisticKind.WINSORIZED_MEAN:
            return self._winsorized_mean(values, counts, cumulative)
        kept = (
            self._kept_by_rank(cumulative) if self.percent else self._kept_by_value(values, counts)
        )
        kept_count = math.fsum(kept)
        kept_sum = math.fsum(v * k for v, k in zip(values, kept, strict=True))
        if self.kind is StatisticKind.TRIMMED_COUNT:
            return kept_count
        if self.kind is StatisticKind.TRIMMED_SUM:
            return kept_sum
        return kept_sum / kept_count if kept_count > 0 else None

    def _kept_by_value(self, values: Sequence[float], counts: Sequence[float]) -> list[float]:
        low = -math.inf if self.lower is None else _to_float(self.lower)
        high = math.inf if self.upper is None else _to_float(self.upper)
        return [c if low < v <= high else 0.0 for v, c in zip(values, counts, strict=True)]

    def _kept_by_rank(self, cumulative: Sequence[float]) -> list[float]:
        total = Fraction(cumulative[-1])
        first = 0 if self.lower is None else math.ceil(self.lower * total / 100)
        last = total
        if self.upper is not None:
            last = min(Fraction(math.ceil(self.upper * total / 100)), total)
        low, high = float(first), float(last)
        kept: list[float] = []
        previous = 0.0
        for running in cumulative:
            kept.append(max(0.0, min(running, high) - max(previous, low)))
            previous = running
        return kept

    def _winsorized_mean(
        self, values: Sequence[float], counts: Sequence[float], cumulative: Sequence[float]
    ) -> float:
        if self.percent:
            low, high = values[0], values[-1]
            if self.lower is not None:
                low = _nearest_rank(values, cumulative, self.lower)
            if self.upper is not None:
                high = _nearest_rank(values, cumulative, self.upper)
        else:
            low = -math.inf if self.lower is None else _to_float(self.lower)
            high = math.inf if self.upper is None else _to_float(self.upper)
        clamped = math.fsum(min(max(v, low), high) * c for v, c in zip(values, counts, strict=True))
        return clamped / cumulative[-1]


def _compute_basic(kind: StatisticKind, aggregate: Aggregate) -> float | None:
    if kind is StatisticKind.SAMPLE_COUNT:
        return aggregate.sample_count
    if kind is StatisticKind.AVERAGE:
        return aggregate.average
    if kind is StatisticKind.SUM:
        return aggregate.sum
    if kind is StatisticKind.MINIMUM:
        return aggregate.minimum
    if kind is StatisticKind.MAXIMUM:
        return aggregate.maximum
    return None


def _nearest_rank(values: Sequence[float], cumulative: Sequence[float], percent: Fraction) -> float:
    """The smallest value with at least `percent` % of the samples at or below it."""
    target = percent * Fraction(cumulative[-1]) / 100
    index = bisect_left(cumulative, target)
    return values[min(index, len(values) - 1)]


def _to_float(bound: Fraction) -> float:
    try:
        return float(bound)
    except OverflowError:
        return math.inf


# --------------------------------------------------------------------------------------------
# Parsing

_SHORT_NUMBER = r"[0-9]{1,2}(?:\.[0-9]{0,10})?|100"
_PERCENT = r"(?:[0-9]{1,2}(?:\.[0-9]{0,10})?|100(?:\.0{0,10})?)%"
_ABSOLUTE = r"[0-9]+(?:\.[0-9]{0,10})?(?:[Ee][+-]?[0-9]+)?"
_SHORT_RE = re.compile(rf"(p|tc|tm|ts|wm)({_SHORT_NUMBER})")
_PERCENT_RANGE_RE = re.compile(rf"(TM|TC|TS|WM)\(({_PERCENT})?:({_PERCENT})?\)")
_ABSOLUTE_RANGE_RE = re.compile(rf"(TM|TC|TS|WM|PR)\(({_ABSOLUTE})?:({_ABSOLUTE})?\)")
_IQM_BOUNDS = (Fraction(25), Fraction(75))


def parse_statistic(name: str, *, param: str = "Statistic") -> Statistic:
    """Parse and validate a statistic or extended-statistic name.

    Accepts the basic statistics (``SampleCount``, ``Average``, ``Sum``,
    ``Minimum``, ``Maximum``), ``IQM``, the short forms ``pNN``, ``tmNN``,
    ``tcNN``, ``tsNN``, ``wmNN`` (NN from 0 to 100, up to 10 decimals; lower case
    only), and the range forms ``TM|TC|TS|WM(a%:b%)`` and
    ``TM|TC|TS|WM|PR(a:b)`` (upper case only; either bound may be omitted, not
    both; absolute bounds may use scientific notation). This is the grammar of
    the API model's statistic pattern [S-CWM].

    Args:
        name: the statistic as the caller wrote it.
        param: the request parameter to name in the error message.

    Raises:
        InvalidParameterValue: the name is not a valid statistic. The message
            is AWS's ("The value X for parameter Y is not a valid statistic.",
            as GetMetricData words it under the code ValidationError) and, when
            a valid name is close, suggests it.

    >>> parse_statistic("p99").percentile
    99.0
    >>> parse_statistic("average")
    Traceback (most recent call last):
    ...
    awsmon.cloudwatch.errors.InvalidParameterValue: InvalidParameterValue: The value average \
for parameter Statistic is not a valid statistic. Did you mean 'Average'?
    """
    statistic = _match_statistic(name)
    if statistic is None:
        hint = _suggest(name)
        suffix = f" Did you mean '{hint}'?" if hint else ""
        raise InvalidParameterValue(
            f"The value {name} for parameter {param} is not a valid statistic.{suffix}",
            param=param,
            value=name,
        )
    if (
        statistic.lower is not None
        and statistic.upper is not None
        and statistic.lower > statistic.upper
    ):
        raise InvalidParameterValue(
            f"The value {name} for parameter {param} is not a valid statistic: "
            "the lower bound is greater than the upper bound.",
            param=param,
            value=name,
        )
    return statistic


def _match_statistic(name: str) -> Statistic | None:
    basic = _BASIC_STATISTICS.get(name)
    if basic is not None:
        return basic
    if name == "IQM":
        return Statistic(name, StatisticKind.TRIMMED_MEAN, *_IQM_BOUNDS, percent=True)
    if match := _SHORT_RE.fullmatch(name):
        kind = _PREFIX_KINDS[match[1]]
        return Statistic(name, kind, None, Fraction(match[2]), percent=True)
    if match := _PERCENT_RANGE_RE.fullmatch(name):
        if match[2] is None and match[3] is None:
            return None
        return Statistic(
            name,
            _PREFIX_KINDS[match[1].lower()],
            _percent_bound(match[2]),
            _percent_bound(match[3]),
            percent=True,
        )
    if match := _ABSOLUTE_RANGE_RE.fullmatch(name):
        if match[2] is None and match[3] is None:
            return None
        return Statistic(
            name,
            _PREFIX_KINDS[match[1].lower()],
            None if match[2] is None else Fraction(match[2]),
            None if match[3] is None else Fraction(match[3]),
        )
    return None


#: The five basic statistics, parsed once (a `Statistic` is immutable).
_BASIC_STATISTICS: dict[str, Statistic] = {
    name: Statistic(name, kind) for name, kind in _BASIC_KINDS.items()
}


def _percent_bound(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text.rstrip("%"))


def _suggest(name: str) -> str | None:
    """A valid statistic close to `name` (case slips first, then near spellings)."""
    known = [*_BASIC_KINDS, "IQM"]
    for candidate in known:
        if candidate.lower() == name.lower():
            return candidate
    head, tail = name[:2], name[2:]
    for variant in (name.lower(), name.upper(), head.lower() + tail, head.upper() + tail):
        if variant != name and _match_statistic(variant) is not None:
            return variant
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else None

"""Anomaly detection: detectors (Put/Describe/DeleteAnomalyDetector) and the band model.

Main names:

- `AnomalyDetector`: one model, on a single metric and statistic or on a
  metric-math query list; `AnomalyDetectorType`, `AnomalyDetectorState`.
- `expected_band`: the pure model: the band of one period from the values
  that trained it.
- `AnomalyDetectors`: the detectors of one account and region (what the
  CloudWatch service's PutAnomalyDetector, DescribeAnomalyDetectors and
  DeleteAnomalyDetector change and read) and `AnomalyDetectors.anomaly_band`,
  which alarms and GetMetricData with ``ANOMALY_DETECTION_BAND`` call.

AWS does not publish its model. awsmon's is deterministic and simple, so a
test can predict it: the band of a period starting at t is

    mean ± k × standard deviation

of the metric's values (same statistic and period) over the two weeks before
t, taken from the same hour of the week as t when those weeks hold at least
`SEASONAL_MINIMUM` such values (weekly seasonality), else from all of the two
weeks. A period with no training value has no band, and the alarm treats it as
missing. Excluded time ranges are left out of the training data. The standard
deviation is the population one; a constant history gives a band of width 0.

Simulation notes:
    MetricTimezone and PeriodicSpikes are stored and returned but do not change
    the model (hours of the week are UTC). StateValue is PENDING_TRAINING while
    the metric has no data in the last two weeks, TRAINED_INSUFFICIENT_DATA
    while all of it is less than a day old, then TRAINED. Metric-math detectors
    are stored; the band of alarms is computed on the metric the
    ANOMALY_DETECTION_BAND names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import TypedDict, Unpack

from attrs import frozen

from awsmon.cloudwatch.errors import (
    InvalidNextToken,
    InvalidParameterCombination,
    InvalidParameterValue,
    LimitExceededException,
    MissingParameter,
    ResourceNotFoundException,
)
from awsmon.cloudwatch.metrics.catalog import MetricCatalog
from awsmon.cloudwatch.metrics.model import Dimension, MetricKey
from awsmon.cloudwatch.metrics.queries import MetricDataQuery
from awsmon.cloudwatch.metrics.statistics import Statistic, parse_statistic
from awsmon.cloudwatch.metrics.store import epoch_seconds

__all__ = [
    "MAX_DETECTORS",
    "SEASONAL_MINIMUM",
    "AnomalyDetector",
    "AnomalyDetectorState",
    "AnomalyDetectorType",
    "AnomalyDetectors",
    "DetectorMetric",
    "DetectorQuery",
    "DetectorSettings",
    "expected_band",
]

#: Detectors per account and region [S-QUO].
MAX_DETECTORS = 500
#: Same-hour-of-week training values needed before the model is seasonal.
SEASONAL_MINIMUM = 5
TRAINING = timedelta(weeks=2)
_HOUR = 3600
_WEEK_HOURS = 168
# 1970-01-01 was a Thursday: shift so hour 0 of the week is Monday 00:00 UTC.
_MONDAY_SHIFT = 72


class AnomalyDetectorType(Enum):
    """What a detector models."""

    SINGLE_METRIC = "SINGLE_METRIC"
    METRIC_MATH = "METRIC_MATH"


class AnomalyDetectorState(Enum):
    """A detector's training state (StateValue)."""

    PENDING_TRAINING = "PENDING_TRAINING"
    TRAINED_INSUFFICIENT_DATA = "TRAINED_INSUFFICIENT_DATA"
    TRAINED = "TRAINED"


@frozen(kw_only=True)
class AnomalyDetector:
    """One anomaly detection model.

    Attributes:
        metric: the metric of a single-metric detector.
        stat: its statistic.
        metric_math_queries: the queries of a metric-math detector.
        excluded_time_ranges: (start, end) ranges left out of training.
        metric_timezone: the timezone for daylight saving (stored only).
        periodic_spikes: MetricCharacteristics.PeriodicSpikes (stored only).
    """

    metric: MetricKey | None = None
    stat: str | None = None
    metric_math_queries: tuple[MetricDataQuery, ...] = ()
    excluded_time_ranges: tuple[tuple[datetime, datetime], ...] = ()
    metric_timezone: str | None = None
    periodic_spikes: bool | None = None

    @property
    def type(self) -> AnomalyDetectorType:
        """Single metric or metric math."""
        if self.metric is not None:
            return AnomalyDetectorType.SINGLE_METRIC
        return AnomalyDetectorType.METRIC_MATH

    @property
    def identity(self) -> tuple[object, ...]:
        """What makes two detectors the same one (the model's key)."""
        if self.metric is not None:
            return ("single", self.metric, self.stat)
        return ("math", repr(self.metric_math_queries))


def _hour_of_week(seconds: int) -> int:
    return (seconds // _HOUR + _MONDAY_SHIFT) % _WEEK_HOURS


def expected_band(
    training: Sequence[tuple[int, float]], start: int, width: float
) -> tuple[float, float] | None:
    """The (lower, upper) band of the period starting at epoch second `start`.

    Args:
        training: (period start, value) pairs of the metric, any order; only
            those in the two weeks before `start` are used.
        start: the period's start.
        width: k, the number of standard deviations.

    Returns:
        The band, or None when no value trains it.

    >>> week = 7 * 24 * 3600
    >>> expected_band([(0, 10.0), (3600, 20.0)], 7200, 2.0)
    (5.0, 25.0)
    >>> expected_band([(3600 + t, 1.0) for t in range(0, 3 * 60, 60)] +
    ...               [(week + t, 3.0) for t in range(0, 5 * 60, 60)], 2 * week, 1.0)
    (3.0, 3.0)
    """
    horizon = start - int(TRAINING.total_seconds())
    recent = [value for when, value in training if horizon <= when < start]
    if not recent:
        return None
    hour = _hour_of_week(start)
    seasonal = [
        value for when, value in training if horizon <= when < start and _hour_of_week(when) == hour
    ]
    values = seasonal if len(seasonal) >= SEASONAL_MINIMUM else recent
    mean = math.fsum(values) / len(values)
    spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
    return mean - width * spread, mean + width * spread


def _check_stat(stat: str | None, param: str) -> Statistic:
    if stat is None:
        raise MissingParameter(f"The parameter {param} is required.", param=param)
    try:
        return parse_statistic(stat, param=param)
    except InvalidParameterValue:
        raise InvalidParameterValue(
            f"The value {stat} for parameter {param} is not a valid statistic.",
            param=param,
            value=stat,
        ) from None


class DetectorMetric(TypedDict, total=False):
    """What a detector watches, snake_cased AWS names: one metric or a metric-math query list.

    The one list of the parameters PutAnomalyDetector and DeleteAnomalyDetector
    share: either `namespace`, `metric_name`, `dimensions` (none by default)
    and `stat`, or `metric_math_queries`.
    """

    namespace: str | None
    metric_name: str | None
    dimensions: Mapping[str, str] | Iterable[Dimension] | None
    stat: str | None
    metric_math_queries: Sequence[MetricDataQuery] | None


class DetectorSettings(DetectorMetric, total=False):
    """PutAnomalyDetector's parameters: the metric (`DetectorMetric`) and the model's settings."""

    excluded_time_ranges: Sequence[tuple[datetime, datetime]] | None
    metric_timezone: str | None
    periodic_spikes: bool | None


class DetectorQuery(TypedDict, total=False):
    """DescribeAnomalyDetectors' filters, snake_cased AWS names (all optional)."""

    namespace: str | None
    metric_name: str | None
    dimensions: Mapping[str, str] | Iterable[Dimension] | None
    anomaly_detector_types: Sequence[str] | None
    max_results: int | None
    next_token: str | None


class AnomalyDetectors:
    """The anomaly detectors of one account and region, trained on `metrics` (see the module).

    The CloudWatch service's detector operations delegate here.
    """

    def __init__(self, metrics: MetricCatalog) -> None:
        self._metrics = metrics
        self._detectors: dict[tuple[object, ...], AnomalyDetector] = {}

    def put(self, **settings: Unpack[DetectorSettings]) -> AnomalyDetector:
        """Create or update an anomaly detection model (PutAnomalyDetector).

        The parameters are `DetectorSettings`'. Give either a metric
        (`namespace`, `metric_name`, `dimensions`, `stat`) or
        `metric_math_queries`, not both.

        Raises:
            InvalidParameterCombination: both forms, or neither.
            MissingParameter / InvalidParameterValue: a bad metric or statistic.
            LimitExceededException: 500 detectors exist already.
        """
        namespace = settings.get("namespace")
        metric_name = settings.get("metric_name")
        stat = settings.get("stat")
        metric_math_queries = settings.get("metric_math_queries") or ()
        excluded_time_ranges = settings.get("excluded_time_ranges") or ()
        metric_timezone = settings.get("metric_timezone")
        periodic_spikes = settings.get("periodic_spikes")
        single = namespace is not None or metric_name is not None or stat is not None
        if single == bool(metric_math_queries):
            raise InvalidParameterCombination(
                "Exactly one of SingleMetricAnomalyDetector and MetricMathAnomalyDetector "
                "must be specified.",
                param="SingleMetricAnomalyDetector",
            )
        for start, end in excluded_time_ranges:
            if start >= end:
                raise InvalidParameterValue(
                    "The start time of an excluded time range must be before its end time.",
                    param="Configuration.ExcludedTimeRanges",
                    value=(start, end),
                )
        if len(excluded_time_ranges) > 100:
            raise InvalidParameterValue(
                "The collection ExcludedTimeRanges must not have more than 100 ranges.",
                param="Configuration.ExcludedTimeRanges",
            )
        if single:
            if namespace is None or metric_name is None:
                missing = "Namespace" if namespace is None else "MetricName"
                raise MissingParameter(f"The parameter {missing} is required.", param=missing)
            dimensions = settings.get("dimensions") or ()
            key = MetricKey.of(namespace, metric_name, dimensions).check(custom=False)
            _check_stat(stat, "Stat")
            detector = AnomalyDetector(
                metric=key,
                stat=stat,
                excluded_time_ranges=tuple(excluded_time_ranges),
                metric_timezone=metric_timezone,
                periodic_spikes=periodic_spikes,
            )
        else:
            detector = AnomalyDetector(
                metric_math_queries=tuple(metric_math_queries),
                excluded_time_ranges=tuple(excluded_time_ranges),
                metric_timezone=metric_timezone,
                periodic_spikes=periodic_spikes,
            )
        if detector.identity not in self._detectors and len(self._detectors) >= MAX_DETECTORS:
            raise LimitExceededException(
                f"The maximum number of anomaly detectors ({MAX_DETECTORS}) has been reached.",
                param="SingleMetricAnomalyDetector",
            )
        self._detectors[detector.identity] = detector
        return detector

    def describe(
        self, **query: Unpack[DetectorQuery]
    ) -> tuple[list[AnomalyDetector], str | None]:
        """Detectors matching the filters, in creation order (DescribeAnomalyDetectors).

        The filters are `DetectorQuery`'s. Dimensions filter: a detector
        matches when its metric has all of them.

        Raises:
            InvalidNextToken: a token this listing did not hand out.
        """
        namespace = query.get("namespace")
        metric_name = query.get("metric_name")
        dimensions = query.get("dimensions") or ()
        anomaly_detector_types = query.get("anomaly_detector_types") or ()
        max_results = query.get("max_results")
        next_token = query.get("next_token")
        wanted = MetricKey.of("x", "x", dimensions).dimensions
        kinds = {AnomalyDetectorType(t) for t in anomaly_detector_types} or set(AnomalyDetectorType)
        found = [
            d
            for d in self._detectors.values()
            if d.type in kinds
            and (namespace is None or (d.metric is not None and d.metric.namespace == namespace))
            and (metric_name is None or (d.metric is not None and d.metric.name == metric_name))
            and (not wanted or (d.metric is not None and set(wanted) <= set(d.metric.dimensions)))
        ]
        start = 0
        if next_token is not None:
            if not next_token.isdecimal() or int(next_token) > len(found):
                raise InvalidNextToken(
                    f"Invalid NextToken: {next_token}", param="NextToken", value=next_token
                )
            start = int(next_token)
        size = max_results or 100
        page = found[start : start + size]
        following = start + size
        return page, (str(following) if following < len(found) else None)

    def delete(self, **metric: Unpack[DetectorMetric]) -> None:
        """Delete a detector (DeleteAnomalyDetector); the parameters are `DetectorMetric`'s.

        Raises:
            ResourceNotFoundException: no such detector.
        """
        namespace = metric.get("namespace")
        metric_name = metric.get("metric_name")
        dimensions = metric.get("dimensions") or ()
        stat = metric.get("stat")
        metric_math_queries = metric.get("metric_math_queries") or ()
        if metric_math_queries:
            identity: tuple[object, ...] = ("math", repr(tuple(metric_math_queries)))
        else:
            if namespace is None or metric_name is None:
                missing = "Namespace" if namespace is None else "MetricName"
                raise MissingParameter(f"The parameter {missing} is required.", param=missing)
            identity = ("single", MetricKey.of(namespace, metric_name, dimensions), stat)
        if identity not in self._detectors:
            raise ResourceNotFoundException(
                "An anomaly detector with the specified parameters does not exist.",
                param="SingleMetricAnomalyDetector",
            )
        del self._detectors[identity]

    # -- the model ---------------------------------------------------------------------

    def anomaly_detector(self, key: MetricKey, stat: str) -> AnomalyDetector:
        """The detector of `key` and `stat`, created (as alarms do) when missing."""
        identity = ("single", key, stat)
        found = self._detectors.get(identity)
        if found is None:
            found = self._detectors[identity] = AnomalyDetector(metric=key, stat=stat)
        return found

    def anomaly_state(self, detector: AnomalyDetector, at: datetime) -> AnomalyDetectorState:
        """The detector's training state, from the data it has at `at`."""
        if detector.metric is None:
            return AnomalyDetectorState.TRAINED
        now = epoch_seconds(at)
        training = self._training(detector, 300, now - int(TRAINING.total_seconds()), now)
        if not training:
            return AnomalyDetectorState.PENDING_TRAINING
        if min(when for when, _ in training) > now - 86_400:
            return AnomalyDetectorState.TRAINED_INSUFFICIENT_DATA
        return AnomalyDetectorState.TRAINED

    def anomaly_band(
        self, key: MetricKey, stat: str, period: int, starts: Sequence[int], width: float
    ) -> list[tuple[float, float] | None]:
        """The band of each period starting at `starts` (epoch seconds), from `expected_band`."""
        detector = self.anomaly_detector(key, stat)
        if not starts:
            return []
        first = min(starts) - int(TRAINING.total_seconds())
        training = self._training(detector, period, first, max(starts))
        return [expected_band(training, start, width) for start in starts]

    def _training(
        self, detector: AnomalyDetector, period: int, start: int, end: int
    ) -> list[tuple[int, float]]:
        assert detector.metric is not None and detector.stat is not None
        metric = self._metrics.get(detector.metric)
        series = None if metric is None else metric.series_of(None)
        if series is None:
            return []
        statistic = parse_statistic(detector.stat)
        excluded = [(epoch_seconds(a), epoch_seconds(b)) for a, b in detector.excluded_time_ranges]
        found: list[tuple[int, float]] = []
        aligned = start - start % period
        for bucket, low, high in series.buckets(aligned, end, period):
            if any(a <= bucket < b for a, b in excluded):
                continue
            value = statistic.compute(series.aggregate(low, high, raw=statistic.is_extended))
            if value is not None:
                found.append((bucket, value))
        return found

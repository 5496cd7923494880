"""Value objects of CloudWatch metric alarms, shared by the pure evaluation code and the service.

Everything here is immutable and free of clocks, so the alarm evaluation
(`awsmon.cloudwatch.alarms.evaluation`) can be tested without time, and the stateful
alarm service can reuse the same enums and configuration.

Main classes:

- `AlarmState` (alias `StateValue`): ``OK``, ``ALARM``, ``INSUFFICIENT_DATA``.
- `ComparisonOperator`: the seven AWS operators, with `ComparisonOperator.breaches`.
- `TreatMissingData`, `EvaluateLowSampleCountPercentile`, `EvaluationState`.
- `EvaluationConfig`: the part of a metric alarm's configuration that decides its state.
- `PeriodValue`: the statistic of one period as the alarm sees it (value, sample
  count, anomaly band).

Helpers that write values the way AWS writes them in reasons: `java_double`,
`reason_timestamp` and `reason_data_timestamp`.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from attrs import field, frozen

from awsmon.cloudwatch.errors import ValidationError

__all__ = [
    "DYNAMODB_NAMESPACE",
    "AlarmState",
    "ComparisonOperator",
    "EvaluateLowSampleCountPercentile",
    "EvaluationConfig",
    "EvaluationState",
    "PeriodValue",
    "StateValue",
    "TreatMissingData",
    "java_double",
    "reason_data_timestamp",
    "reason_timestamp",
]

#: Alarms on metrics of this namespace always treat missing data as ``ignore``.
DYNAMODB_NAMESPACE = "AWS/DynamoDB"


class AlarmState(Enum):
    """The state of an alarm (the AWS ``StateValue`` enumeration)."""

    OK = "OK"
    ALARM = "ALARM"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


#: AWS names the alarm-state enumeration ``StateValue`` in its API.
StateValue = AlarmState


class ComparisonOperator(Enum):
    """How a period's statistic is compared with the threshold (or anomaly band).

    The statistic is always the first operand. The last three operators are for
    anomaly-detection alarms and compare with a band (lower, upper) per period.
    """

    GREATER_THAN_OR_EQUAL_TO_THRESHOLD = "GreaterThanOrEqualToThreshold"
    GREATER_THAN_THRESHOLD = "GreaterThanThreshold"
    LESS_THAN_THRESHOLD = "LessThanThreshold"
    LESS_THAN_OR_EQUAL_TO_THRESHOLD = "LessThanOrEqualToThreshold"
    LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD = "LessThanLowerOrGreaterThanUpperThreshold"
    LESS_THAN_LOWER_THRESHOLD = "LessThanLowerThreshold"
    GREATER_THAN_UPPER_THRESHOLD = "GreaterThanUpperThreshold"

    @property
    def is_band(self) -> bool:
        """True for the anomaly-band operators, which need a band instead of a threshold."""
        return self in _BAND_OPERATORS

    @property
    def phrase(self) -> str:
        """The words AWS uses for a static operator in a StateReason (``greater than``)."""
        try:
            return _PHRASES[self]
        except KeyError:
            raise ValueError(f"{self.value} compares with a band, not a threshold") from None

    def breaches(
        self,
        value: float,
        *,
        threshold: float | None = None,
        lower: float | None = None,
        upper: float | None = None,
    ) -> bool:
        """Whether `value` is on the alarming side of the threshold or band.

        Args:
            value: the period's statistic.
            threshold: the static threshold (static operators only).
            lower: the band's lower bound (band operators that look below the band).
            upper: the band's upper bound (band operators that look above the band).

        Raises:
            ValueError: the bound this operator needs is missing.
        """
        if self is ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD:
            return value < _need(lower, "lower", self) or value > _need(upper, "upper", self)
        if self is ComparisonOperator.LESS_THAN_LOWER_THRESHOLD:
            return value < _need(lower, "lower", self)
        if self is ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD:
            return value > _need(upper, "upper", self)
        limit = _need(threshold, "threshold", self)
        if self is ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD:
            return value >= limit
        if self is ComparisonOperator.GREATER_THAN_THRESHOLD:
            return value > limit
        if self is ComparisonOperator.LESS_THAN_THRESHOLD:
            return value < limit
        return value <= limit


_BAND_OPERATORS = frozenset(
    {
        ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
        ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
        ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
    }
)

_PHRASES = {
    ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD: "greater than or equal to",
    ComparisonOperator.GREATER_THAN_THRESHOLD: "greater than",
    ComparisonOperator.LESS_THAN_THRESHOLD: "less than",
    ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD: "less than or equal to",
}


def _need(bound: float | None, name: str, operator: ComparisonOperator) -> float:
    if bound is None:
        raise ValueError(f"{operator.value} needs the {name} bound of each datapoint")
    return bound


class TreatMissingData(Enum):
    """How an alarm fills the periods that have no datapoint (default ``missing``)."""

    BREACHING = "breaching"
    NOT_BREACHING = "notBreaching"
    IGNORE = "ignore"
    MISSING = "missing"


class EvaluateLowSampleCountPercentile(Enum):
    """What a percentile alarm does with periods that have too few samples."""

    EVALUATE = "evaluate"
    IGNORE = "ignore"


class EvaluationState(Enum):
    """Why an alarm could not be evaluated normally (DescribeAlarms ``EvaluationState``)."""

    PARTIAL_DATA = "PARTIAL_DATA"
    EVALUATION_ERROR = "EVALUATION_ERROR"
    EVALUATION_FAILURE = "EVALUATION_FAILURE"


@frozen
class PeriodValue:
    """The statistic of one period as an alarm sees it.

    A window given to `awsmon.cloudwatch.alarms.evaluation.evaluate` may hold plain
    floats; use `PeriodValue` when the period also carries its sample count
    (low-sample percentiles, ``evaluatedDatapoints``) or its anomaly band.

    Attributes:
        value: the statistic (or metric-math result) of the period.
        sample_count: how many raw values the period aggregated, when known.
        lower: lower bound of the anomaly band for this period (band alarms).
        upper: upper bound of the anomaly band for this period (band alarms).
    """

    value: float = field(converter=float)
    sample_count: float | None = field(default=None, kw_only=True)
    lower: float | None = field(default=None, kw_only=True)
    upper: float | None = field(default=None, kw_only=True)


_PERCENTILE = re.compile(r"p(\d{1,2}(?:\.\d{0,10})?|100(?:\.0{0,10})?)")


def _positive(name: str) -> Any:
    def check(_instance: object, _attribute: object, value: int | None) -> None:
        if value is not None and value < 1:
            raise ValidationError(
                f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
                "constraint: Member must have value greater than or equal to 1",
                param=name[0].upper() + name[1:],
                value=value,
            )

    return check


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _as_period(value: timedelta | float) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


@frozen(kw_only=True)
class EvaluationConfig:
    """The part of a metric alarm's configuration that decides its state.

    Strings are accepted for the enums (``"GreaterThanThreshold"``) and numbers
    of seconds for `period`.

    Attributes:
        comparison_operator: how each period is compared.
        evaluation_periods: N, the number of datapoints evaluated.
        threshold: the static threshold; required unless the operator is a band one.
        datapoints_to_alarm: M, how many of the N must breach; None means M = N
            and also selects the short StateReason form (as AWS does when the
            alarm was created without DatapointsToAlarm).
        treat_missing_data: how missing periods are filled.
        evaluate_low_sample_count_percentile: for ``pNN`` alarms, whether periods
            with too few samples are evaluated or leave the state unchanged.
        statistic: the alarm's Statistic (written into StateReasonData).
        extended_statistic: the alarm's ExtendedStatistic (``p99``, ``tm90``...).
        period: the length of one period.
        unit: the alarm's Unit (written into StateReasonData when set).
        namespace: the metric's namespace (``AWS/DynamoDB`` forces ``ignore``).
        evaluation_range: R, how many recent periods are fetched; None means N + 2.

    Simulation notes:
        AWS publishes R only for N = 3 (R = 5); awsmon's default R = N + 2 follows
        that example and can be overridden here.

    Raises:
        ValidationError: N, M or R below 1, M greater than N, R smaller than N,
            or a static operator without a finite threshold.
    """

    comparison_operator: ComparisonOperator = field(converter=ComparisonOperator)
    evaluation_periods: int = field(validator=_positive("evaluationPeriods"))
    threshold: float | None = field(default=None, converter=_optional_float)
    datapoints_to_alarm: int | None = field(default=None, validator=_positive("datapointsToAlarm"))
    treat_missing_data: TreatMissingData = field(
        default=TreatMissingData.MISSING, converter=TreatMissingData
    )
    evaluate_low_sample_count_percentile: EvaluateLowSampleCountPercentile = field(
        default=EvaluateLowSampleCountPercentile.EVALUATE,
        converter=EvaluateLowSampleCountPercentile,
    )
    statistic: str | None = None
    extended_statistic: str | None = None
    period: timedelta = field(default=timedelta(seconds=60), converter=_as_period)
    unit: str | None = None
    namespace: str | None = None
    evaluation_range: int | None = field(default=None, validator=_positive("evaluationRange"))

    def __attrs_post_init__(self) -> None:
        n, m = self.evaluation_periods, self.datapoints_to_alarm
        if m is not None and m > n:
            raise ValidationError(
                f"DatapointsToAlarm ({m}) must be less than or equal to EvaluationPeriods ({n}).",
                param="DatapointsToAlarm",
                value=m,
            )
        if self.evaluation_range is not None and self.evaluation_range < n:
            raise ValueError(f"evaluation_range ({self.evaluation_range}) is smaller than N ({n})")
        if not self.comparison_operator.is_band and (
            self.threshold is None or not math.isfinite(self.threshold)
        ):
            raise ValidationError(
                f"Threshold is required and must be finite for {self.comparison_operator.value}.",
                param="Threshold",
                value=self.threshold,
            )
        if self.period <= timedelta(0):
            raise ValueError(f"period must be positive, got {self.period}")

    @property
    def required_breaching(self) -> int:
        """M: the number of breaching datapoints that puts the alarm in ALARM."""
        return (
            self.evaluation_periods
            if self.datapoints_to_alarm is None
            else self.datapoints_to_alarm
        )

    @property
    def range_size(self) -> int:
        """R: how many of the most recent periods an evaluation looks at."""
        if self.evaluation_range is None:
            return self.evaluation_periods + 2
        return self.evaluation_range

    @property
    def effective_treat_missing_data(self) -> TreatMissingData:
        """TreatMissingData as applied: ``ignore`` for AWS/DynamoDB metrics, whatever was set."""
        if self.namespace == DYNAMODB_NAMESPACE:
            return TreatMissingData.IGNORE
        return self.treat_missing_data

    @property
    def percentile(self) -> float | None:
        """The percentile as a fraction (``p99`` → 0.99) when the statistic is ``pNN``."""
        if self.extended_statistic is None:
            return None
        match = _PERCENTILE.fullmatch(self.extended_statistic)
        return float(match.group(1)) / 100 if match else None

    @property
    def minimum_sample_count(self) -> float | None:
        """Below this many samples a percentile period counts as a low-sample period.

        From the AWS user guide: fewer than 10 / (1 − p) samples for p in
        [0.5, 1.0), fewer than 10 / p for p in (0, 0.5); None when the alarm is
        not on a percentile, or for p0 and p100.
        """
        p = self.percentile
        if p is None or p <= 0 or p >= 1:
            return None
        return 10 / (1 - p) if p >= 0.5 else 10 / p


def java_double(value: float) -> str:
    """Write a float as Java's ``Double.toString`` does, as AWS does in reasons.

    ``50`` → ``"50.0"``, ``1e-05`` → ``"1.0E-5"``, ``12345678.0`` → ``"1.2345678E7"``.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(float(value))
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(float(value))).as_tuple()
    assert isinstance(exponent, int)
    mantissa = "".join(map(str, digits)).rstrip("0") or "0"
    scientific_exponent = exponent + len(digits) - 1
    fraction = mantissa[1:] or "0"
    return f"{'-' if sign else ''}{mantissa[0]}.{fraction}E{scientific_exponent}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def reason_timestamp(moment: datetime) -> str:
    """A datapoint stamp as StateReason writes it: ``dd/MM/yy HH:mm:ss`` in UTC.

    A naive datetime is taken as UTC.
    """
    return _utc(moment).strftime("%d/%m/%y %H:%M:%S")


def reason_data_timestamp(moment: datetime) -> str:
    """A timestamp as StateReasonData writes it: ``2019-10-02T17:04:40.985+0000``.

    A naive datetime is taken as UTC.
    """
    moment = _utc(moment)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"

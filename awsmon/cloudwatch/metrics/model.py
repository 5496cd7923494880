"""CloudWatch Metrics values: metric identity, units and datapoints, validated as AWS does.

Main classes:

- `Dimension`, `MetricKey`: a metric's identity (namespace, name and the *set*
  of dimensions: order does not matter).
- `StandardUnit`: the 27 units; CloudWatch never converts between them.
- `MetricDatum`: one entry of PutMetricData (a value, a statistic set, or
  values with counts) with its timestamp, unit and storage resolution.

Validation (`check_namespace`, `check_metric_name`, `MetricDatum.check` ...)
raises `InvalidParameterValue` / `InvalidParameterCombination` with AWS's
wording and the parameter path (``MetricData.member.1.Value``).

>>> MetricKey.of("App", "Latency", {"Stage": "prod", "Api": "orders"}) == \\
...     MetricKey.of("App", "Latency", [Dimension("Api", "orders"), Dimension("Stage", "prod")])
True
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from attrs import field, frozen

from awsmon.cloudwatch.errors import InvalidParameterCombination, InvalidParameterValue

__all__ = [
    "MAX_DIMENSIONS",
    "Dimension",
    "MetricDatum",
    "MetricKey",
    "StandardUnit",
    "StatisticSet",
    "check_dimension",
    "check_metric_name",
    "check_namespace",
    "check_period",
]

#: Dimensions a metric may have (the quota is 30 and cannot be raised).
MAX_DIMENSIONS = 30
#: The largest magnitude CloudWatch accepts for a value (2^360).
MAX_VALUE = 2.0**360
#: Values one MetricDatum may carry in ``Values``.
MAX_VALUES = 150


class StandardUnit(enum.Enum):
    """The units of a datapoint; values are AWS's strings."""

    SECONDS = "Seconds"
    MICROSECONDS = "Microseconds"
    MILLISECONDS = "Milliseconds"
    BYTES = "Bytes"
    KILOBYTES = "Kilobytes"
    MEGABYTES = "Megabytes"
    GIGABYTES = "Gigabytes"
    TERABYTES = "Terabytes"
    BITS = "Bits"
    KILOBITS = "Kilobits"
    MEGABITS = "Megabits"
    GIGABITS = "Gigabits"
    TERABITS = "Terabits"
    PERCENT = "Percent"
    COUNT = "Count"
    BYTES_SECOND = "Bytes/Second"
    KILOBYTES_SECOND = "Kilobytes/Second"
    MEGABYTES_SECOND = "Megabytes/Second"
    GIGABYTES_SECOND = "Gigabytes/Second"
    TERABYTES_SECOND = "Terabytes/Second"
    BITS_SECOND = "Bits/Second"
    KILOBITS_SECOND = "Kilobits/Second"
    MEGABITS_SECOND = "Megabits/Second"
    GIGABITS_SECOND = "Gigabits/Second"
    TERABITS_SECOND = "Terabits/Second"
    COUNT_SECOND = "Count/Second"
    NONE = "None"

    @classmethod
    def parse(cls, text: str | StandardUnit | None, param: str = "Unit") -> StandardUnit:
        """The unit named `text` (``None`` means the unit ``None``).

        Raises:
            InvalidParameterValue: not one of the 27 units.
        """
        if text is None:
            return cls.NONE
        if isinstance(text, StandardUnit):
            return text
        try:
            return cls(text)
        except ValueError:
            raise InvalidParameterValue(
                f"The value {text} for parameter {param} is invalid.", param=param, value=text
            ) from None


_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable_ascii(text: str) -> bool:
    return _PRINTABLE_ASCII.fullmatch(text) is not None


def check_namespace(namespace: str, *, custom: bool = True, param: str = "Namespace") -> str:
    """Check a namespace: 1–255 printable ASCII, not starting with ``:``, not blank.

    Args:
        custom: True for data a customer publishes, which may not use the
            ``AWS/`` namespaces reserved for AWS services.

    Raises:
        InvalidParameterValue: the namespace breaks a rule.
    """
    if (
        not 1 <= len(namespace) <= 255
        or namespace.startswith(":")
        or not namespace.strip()
        or not _printable_ascii(namespace)
    ):
        raise InvalidParameterValue(
            f"The value {namespace} for parameter {param} is invalid.", param=param, value=namespace
        )
    if custom and namespace.startswith("AWS/"):
        raise InvalidParameterValue(
            f"The value AWS/ for parameter {param} is invalid.", param=param, value=namespace
        )
    return namespace


def check_metric_name(name: str, *, param: str = "MetricName") -> str:
    """Check a metric name: 1–255 characters, no control characters.

    Raises:
        InvalidParameterValue: the name breaks a rule.
    """
    if not 1 <= len(name) <= 255 or _CONTROL.search(name):
        raise InvalidParameterValue(
            f"The value {name} for parameter {param} is invalid.", param=param, value=name
        )
    return name


def check_dimension(name: str, value: str, *, param: str = "Dimensions.member.1") -> None:
    """Check one dimension: name 1–255 and value 1–1024 printable ASCII, not blank.

    Raises:
        InvalidParameterValue: the name or value breaks a rule.
    """
    if (
        not 1 <= len(name) <= 255
        or name.startswith(":")
        or not name.strip()
        or not (_printable_ascii(name))
    ):
        raise InvalidParameterValue(
            f"The value {name} for parameter {param}.Name is invalid.",
            param=f"{param}.Name",
            value=name,
        )
    if not 1 <= len(value) <= 1024 or not value.strip() or not _printable_ascii(value):
        raise InvalidParameterValue(
            f"The value {value} for parameter {param}.Value is invalid.",
            param=f"{param}.Value",
            value=value,
        )


def check_period(period: int, param: str = "Period") -> int:
    """A query period: 1, 5, 10, 20, 30 or a multiple of 60 seconds.

    Raises:
        InvalidParameterValue: any other value.
    """
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        raise InvalidParameterValue(
            f"The parameter {param} must be greater than 0.", param=param, value=period
        )
    if period < 60 and period not in (1, 5, 10, 20, 30):
        raise InvalidParameterValue(
            f"The parameter {param} must be 1, 5, 10, 20, 30, or a multiple of 60.",
            param=param,
            value=period,
        )
    if period >= 60 and period % 60:
        raise InvalidParameterValue(
            f"The parameter {param} must be a multiple of 60.", param=param, value=period
        )
    return period


@frozen(order=True)
class Dimension:
    """A name/value pair that is part of a metric's identity."""

    name: str
    value: str


def _dimensions(
    value: Mapping[str, str] | Iterable[Dimension] | Iterable[tuple[str, str]],
) -> tuple[Dimension, ...]:
    if isinstance(value, Mapping):
        pairs = [Dimension(str(k), str(v)) for k, v in value.items()]
    else:
        pairs = [d if isinstance(d, Dimension) else Dimension(*d) for d in value]
    return tuple(sorted(pairs))


@frozen
class MetricKey:
    """A metric's identity: namespace, metric name and the set of its dimensions.

    Dimensions are kept sorted by name, so two keys given the same dimensions
    in another order are equal and hash alike.
    """

    namespace: str
    name: str
    dimensions: tuple[Dimension, ...] = field(default=(), converter=_dimensions)

    @classmethod
    def of(
        cls,
        namespace: str,
        name: str,
        dimensions: Mapping[str, str] | Iterable[Dimension] | Iterable[tuple[str, str]] = (),
    ) -> MetricKey:
        """A key from a namespace, a name and dimensions (a mapping or pairs)."""
        return cls(namespace, name, _dimensions(dimensions))

    def dimension(self, name: str) -> str | None:
        """The value of dimension `name`, or None when the metric lacks it."""
        for dim in self.dimensions:
            if dim.name == name:
                return dim.value
        return None

    def check(self, *, custom: bool = True, prefix: str = "") -> MetricKey:
        """Validate every part as PutMetricData does; return self.

        Raises:
            InvalidParameterValue: a part breaks its rule, duplicated dimension
                names, or more than 30 dimensions.
        """
        check_namespace(self.namespace, custom=custom)
        check_metric_name(self.name, param=f"{prefix}MetricName")
        if len(self.dimensions) > MAX_DIMENSIONS:
            raise InvalidParameterValue(
                f"The collection {prefix}Dimensions must not have a size greater than "
                f"{MAX_DIMENSIONS}.",
                param=f"{prefix}Dimensions",
                value=len(self.dimensions),
            )
        seen: set[str] = set()
        for index, dim in enumerate(self.dimensions, 1):
            check_dimension(dim.name, dim.value, param=f"{prefix}Dimensions.member.{index}")
            if dim.name in seen:
                raise InvalidParameterValue(
                    f"No metric may have duplicate dimension names: {dim.name}",
                    param=f"{prefix}Dimensions",
                    value=dim.name,
                )
            seen.add(dim.name)
        return self


@frozen(kw_only=True)
class StatisticSet:
    """A published statistic set (PutMetricData ``StatisticValues``)."""

    sample_count: float
    sum: float
    minimum: float
    maximum: float


def _check_value(value: float, param: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterValue(
            f"The value {value} for parameter {param} is invalid.", param=param, value=value
        )
    try:
        number = float(value)
    except OverflowError:  # an int beyond any double
        number = math.inf
    if not math.isfinite(number) or abs(number) > MAX_VALUE:
        raise InvalidParameterValue(
            f"The value {value} for parameter {param} is invalid.", param=param, value=value
        )
    return number


@frozen(kw_only=True)
class MetricDatum:
    """One entry of PutMetricData: exactly one of `value`, `statistic_values`, `values`.

    Attributes:
        key: the metric.
        timestamp: when the data was measured (None: when received).
        value: a single value.
        statistic_values: a statistic set.
        values: raw values, each seen `counts` times (default once).
        counts: parallel to `values`.
        unit: the unit (default ``None``).
        storage_resolution: 1 (high resolution) or 60 (standard) seconds.
    """

    key: MetricKey
    timestamp: datetime | None = None
    value: float | None = None
    statistic_values: StatisticSet | None = None
    values: Sequence[float] = ()
    counts: Sequence[float] = ()
    unit: StandardUnit = StandardUnit.NONE
    storage_resolution: int = 60

    def check(self, now: datetime, *, index: int = 1, custom: bool = True) -> MetricDatum:
        """Validate the datum as PutMetricData does, at virtual time `now`; return self.

        Raises:
            InvalidParameterValue: a value, timestamp, resolution or name is invalid.
            InvalidParameterCombination: not exactly one of Value, StatisticValues
                and Values; Counts without Values or of another length.
        """
        prefix = f"MetricData.member.{index}."
        self.key.check(custom=custom, prefix=prefix)
        given = [
            name
            for name, present in (
                ("Value", self.value is not None),
                ("StatisticValues", self.statistic_values is not None),
                ("Values", bool(self.values)),
            )
            if present
        ]
        if len(given) > 1:
            raise InvalidParameterCombination(
                f"The parameters {prefix}{given[0]} and {prefix}{given[1]} are mutually "
                "exclusive and you have specified both.",
                param=f"{prefix}{given[1]}",
            )
        if not given:
            raise InvalidParameterCombination(
                f"At least one of the parameters {prefix}Value, {prefix}StatisticValues and "
                f"{prefix}Values must be specified.",
                param=f"{prefix}Value",
            )
        if self.value is not None:
            _check_value(self.value, f"{prefix}Value")
        if self.statistic_values is not None:
            self._check_statistic_set(self.statistic_values, prefix)
        self._check_values(prefix)
        if self.storage_resolution not in (1, 60):
            raise InvalidParameterValue(
                f"The value {self.storage_resolution} for parameter {prefix}StorageResolution "
                "is invalid. Valid values are 1 and 60.",
                param=f"{prefix}StorageResolution",
                value=self.storage_resolution,
            )
        if self.timestamp is not None:
            self._check_timestamp(self.timestamp, now, prefix)
        return self

    @staticmethod
    def _check_statistic_set(stats: StatisticSet, prefix: str) -> None:
        for name, number in (
            ("SampleCount", stats.sample_count),
            ("Sum", stats.sum),
            ("Minimum", stats.minimum),
            ("Maximum", stats.maximum),
        ):
            _check_value(number, f"{prefix}StatisticValues.{name}")
        if stats.sample_count <= 0 or stats.minimum > stats.maximum:
            raise InvalidParameterValue(
                f"The parameter {prefix}StatisticValues is invalid: SampleCount must be "
                "positive and Minimum must not be greater than Maximum.",
                param=f"{prefix}StatisticValues",
            )

    def _check_values(self, prefix: str) -> None:
        if self.counts and not self.values:
            raise InvalidParameterCombination(
                f"The parameter {prefix}Counts requires the parameter {prefix}Values.",
                param=f"{prefix}Counts",
            )
        if not self.values:
            return
        if len(self.values) > MAX_VALUES:
            raise InvalidParameterValue(
                f"The collection {prefix}Values must not have a size greater than {MAX_VALUES}.",
                param=f"{prefix}Values",
                value=len(self.values),
            )
        if self.counts and len(self.counts) != len(self.values):
            raise InvalidParameterValue(
                f"The parameters {prefix}Values and {prefix}Counts must be of the same size.",
                param=f"{prefix}Counts",
            )
        for position, number in enumerate(self.values, 1):
            _check_value(number, f"{prefix}Values.member.{position}")
        for position, count in enumerate(self.counts, 1):
            if _check_value(count, f"{prefix}Counts.member.{position}") < 0:
                raise InvalidParameterValue(
                    f"The value {count} for parameter {prefix}Counts.member.{position} "
                    "is invalid.",
                    param=f"{prefix}Counts.member.{position}",
                    value=count,
                )

    @staticmethod
    def _check_timestamp(timestamp: datetime, now: datetime, prefix: str) -> None:
        if timestamp < now - timedelta(weeks=2):
            raise InvalidParameterValue(
                f"The parameter {prefix}Timestamp must specify a time no more than two "
                f"weeks in the past.",
                param=f"{prefix}Timestamp",
                value=timestamp,
            )
        if timestamp > now + timedelta(hours=2):
            raise InvalidParameterValue(
                f"The parameter {prefix}Timestamp must specify a time no more than two "
                f"hours in the future.",
                param=f"{prefix}Timestamp",
                value=timestamp,
            )

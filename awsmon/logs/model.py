"""CloudWatch Logs values and entities: log groups, streams, filters, export tasks.

Main names:

- enums whose values are AWS's strings: `LogGroupClass`, `Distribution`,
  `OrderBy`, `ExportTaskStatusCode`, `PolicyScope`;
- values: `InputLogEvent`, `OutputLogEvent`, `FilteredLogEvent`,
  `RejectedLogEventsInfo`, `PutLogEventsResult`, `LogEventsPage`,
  `FilteredEventsPage`, `MetricTransformation`, `MetricFilterMatch`;
- entities: `LogGroup`, `LogStream`, `MetricFilter`, `SubscriptionFilter`,
  `ExportTask`, `ResourcePolicy`;
- the naming and retention rules (`check_log_group_name`,
  `check_log_stream_name`, `check_filter_name`, `RETENTION_DAYS`).

Time: every instant is kept as epoch milliseconds (``*_ms`` fields), the unit
of the Logs API, so a million events cost no datetime objects; each record
offers the aware UTC `datetime` as a property (``timestamp``,
``ingestion_time``, ``created_at``). Inputs accept either: an aware or naive
(UTC) datetime, or epoch milliseconds (`to_millis`).

>>> to_millis(datetime(2024, 1, 1, tzinfo=UTC))
1704067200000
>>> from_millis(1704067200000).isoformat()
'2024-01-01T00:00:00+00:00'
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from attrs import define, field, frozen

from awsmon.cloudwatch import StandardUnit
from awsmon.errors import ServiceError
from awsmon.logs.errors import REQUEST, validation_message
from awsmon.logs.filter_pattern import FilterPattern

if TYPE_CHECKING:
    from awsmon.logs.store import EventStore
    from awsmon.pictures import Table

__all__ = [
    "RETENTION_DAYS",
    "Distribution",
    "EventColumns",
    "ExportTask",
    "ExportTaskStatusCode",
    "FilteredEventsPage",
    "FilteredLogEvent",
    "InputLogEvent",
    "LogEventsPage",
    "LogGroup",
    "LogGroupClass",
    "LogStream",
    "MetricFilter",
    "MetricFilterMatch",
    "MetricTransformation",
    "OrderBy",
    "OutputLogEvent",
    "PolicyScope",
    "PutLogEventsResult",
    "RejectedLogEventsInfo",
    "ResourcePolicy",
    "SubscriptionFilter",
    "check_filter_name",
    "check_log_group_name",
    "check_log_stream_name",
    "from_millis",
    "to_millis",
    "validation_message",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: The ``retentionInDays`` values AWS accepts (the ``Days`` enum of PutRetentionPolicy).
RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
)  # fmt: skip

LOG_GROUP_NAME_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
LOG_STREAM_NAME_PATTERN = r"[^:*]*"
_LOG_GROUP_NAME = re.compile(LOG_GROUP_NAME_PATTERN)
_NO_COLON_STAR = re.compile(LOG_STREAM_NAME_PATTERN)


def to_millis(value: datetime | int | float) -> int:
    """Epoch milliseconds of a datetime (naive is UTC) or of a number of milliseconds."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        delta = value - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a datetime or epoch milliseconds, got {value!r}")
    return int(value)


def from_millis(ms: int) -> datetime:
    """The aware UTC datetime of epoch milliseconds `ms`."""
    return _EPOCH + timedelta(milliseconds=ms)


def _invalid(param: str, value: object, constraint: str) -> ServiceError:
    return REQUEST.invalid(param, value, constraint)


def _check_name(name: str, param: str, pattern: re.Pattern[str], text: str) -> str:
    if not isinstance(name, str):
        raise _invalid(param, name, "Member must be a string")
    if len(name) < 1:
        raise _invalid(param, name, "Member must have length greater than or equal to 1")
    if len(name) > 512:
        raise _invalid(param, name, "Member must have length less than or equal to 512")
    if pattern.fullmatch(name) is None:
        raise _invalid(param, name, f"Member must satisfy regular expression pattern: {text}")
    return name


def check_log_group_name(name: str, param: str = "logGroupName") -> str:
    """Return `name` if it is a valid log group name (1-512 of ``[.-_/#A-Za-z0-9]``).

    Raises:
        InvalidParameterException: the name breaks the rule.

    >>> check_log_group_name("/aws/lambda/f")
    '/aws/lambda/f'
    >>> check_log_group_name("a b")
    Traceback (most recent call last):
    ...
    awsmon.logs.errors.InvalidParameterException: ... Member must satisfy regular expression ...
    """
    return _check_name(name, param, _LOG_GROUP_NAME, LOG_GROUP_NAME_PATTERN)


def check_log_stream_name(name: str, param: str = "logStreamName") -> str:
    """Return `name` if it is a valid log stream name (1-512 characters, no ``:`` or ``*``).

    Raises:
        InvalidParameterException: the name breaks the rule.
    """
    return _check_name(name, param, _NO_COLON_STAR, LOG_STREAM_NAME_PATTERN)


def check_filter_name(name: str, param: str = "filterName") -> str:
    """Return `name` if it is a valid metric or subscription filter name (as a stream name).

    Raises:
        InvalidParameterException: the name breaks the rule.
    """
    return _check_name(name, param, _NO_COLON_STAR, LOG_STREAM_NAME_PATTERN)


class LogGroupClass(enum.Enum):
    """A log group's class (immutable once created)."""

    STANDARD = "STANDARD"
    INFREQUENT_ACCESS = "INFREQUENT_ACCESS"
    DELIVERY = "DELIVERY"


class Distribution(enum.Enum):
    """How a subscription spreads events over a Kinesis stream's shards."""

    RANDOM = "Random"
    BY_LOG_STREAM = "ByLogStream"


class OrderBy(enum.Enum):
    """DescribeLogStreams ordering."""

    LOG_STREAM_NAME = "LogStreamName"
    LAST_EVENT_TIME = "LastEventTime"


class ExportTaskStatusCode(enum.Enum):
    """The states of an export task."""

    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    PENDING = "PENDING"
    PENDING_CANCEL = "PENDING_CANCEL"
    RUNNING = "RUNNING"


class PolicyScope(enum.Enum):
    """Whether a resource policy is the account's or one log group's."""

    ACCOUNT = "ACCOUNT"
    RESOURCE = "RESOURCE"


# -- events -------------------------------------------------------------------------


@frozen
class InputLogEvent:
    """One event given to PutLogEvents.

    Attributes:
        timestamp_ms: when the event happened, epoch milliseconds (a datetime
            is converted).
        message: the raw message (at least one character).
    """

    timestamp_ms: int = field(converter=to_millis)
    message: str

    @property
    def timestamp(self) -> datetime:
        """The event time as an aware UTC datetime."""
        return from_millis(self.timestamp_ms)


@frozen
class EventColumns:
    """PutLogEvents input as two columns, the form the wire layer builds (no object per event).

    Attributes:
        times: the events' timestamps, epoch milliseconds.
        messages: their messages, in the same order (as many as `times`).
    """

    times: list[int]
    messages: list[str]


@frozen
class OutputLogEvent:
    """An event as GetLogEvents returns it."""

    timestamp_ms: int
    message: str
    ingestion_time_ms: int

    @property
    def timestamp(self) -> datetime:
        """The event time as an aware UTC datetime."""
        return from_millis(self.timestamp_ms)

    @property
    def ingestion_time(self) -> datetime:
        """When CloudWatch Logs received the event."""
        return from_millis(self.ingestion_time_ms)


@frozen
class FilteredLogEvent:
    """An event as FilterLogEvents returns it (with its stream and event id)."""

    log_stream_name: str
    timestamp_ms: int
    message: str
    ingestion_time_ms: int
    event_id: str

    @property
    def timestamp(self) -> datetime:
        """The event time as an aware UTC datetime."""
        return from_millis(self.timestamp_ms)

    @property
    def ingestion_time(self) -> datetime:
        """When CloudWatch Logs received the event."""
        return from_millis(self.ingestion_time_ms)


@frozen(kw_only=True)
class RejectedLogEventsInfo:
    """Which events of a PutLogEvents batch were rejected (indexes into the batch).

    Attributes:
        too_new_start_index: first index of the events more than 2 hours ahead
            (inclusive; they run to the end of the batch).
        too_old_end_index: end (exclusive) of the events older than 14 days.
        expired_end_index: end (exclusive) of the events older than the
            group's retention.
    """

    too_new_start_index: int | None = None
    too_old_end_index: int | None = None
    expired_end_index: int | None = None


@frozen
class PutLogEventsResult:
    """What PutLogEvents answers: the (ignored) next token and any rejections."""

    next_sequence_token: str
    rejected: RejectedLogEventsInfo | None = None


@frozen
class LogEventsPage:
    """One GetLogEvents page and its tokens (never None; see `CloudWatchLogs.get_log_events`)."""

    events: tuple[OutputLogEvent, ...]
    next_forward_token: str
    next_backward_token: str


@frozen
class FilteredEventsPage:
    """One FilterLogEvents page; `next_token` is None when the search is complete."""

    events: tuple[FilteredLogEvent, ...]
    next_token: str | None
    searched_log_streams: tuple[str, ...] = ()

    def table(self, title: str = "") -> Table:
        """The page's events as a `awsmon.pictures.Table` (HTML, PNG, SVG)."""
        from awsmon.logs.pictures import events_table

        return events_table(self.events, title)

    def _repr_html_(self) -> str:
        return self.table().html()


# -- metric filters -------------------------------------------------------------------


def _unit(value: StandardUnit | str | None) -> StandardUnit | None:
    return None if value is None else StandardUnit(value)


@frozen(kw_only=True)
class MetricTransformation:
    """How a metric filter turns matching events into a metric.

    Attributes:
        metric_name: the metric's name.
        metric_namespace: the metric's namespace.
        metric_value: a number (``"1"``) or a selector: ``$.field`` (JSON
            patterns), ``$name`` or ``$7`` (space-delimited patterns).
        default_value: published for each ingested event that does not match.
        dimensions: dimension name → selector (``$.eventType``, ``$server``).
        unit: the unit of the published values (None: no unit).
    """

    metric_name: str
    metric_namespace: str
    metric_value: str
    default_value: float | None = None
    dimensions: Mapping[str, str] = field(factory=dict, converter=dict)
    unit: StandardUnit | None = field(default=None, converter=_unit)


@frozen
class MetricFilterMatch:
    """One TestMetricFilter match: the 1-based event number and what it extracted."""

    event_number: int
    event_message: str
    extracted_values: Mapping[str, str]


@define(eq=False, kw_only=True)
class MetricFilter:
    """A metric filter on a log group."""

    name: str
    log_group_name: str
    pattern: FilterPattern
    transformations: tuple[MetricTransformation, ...]
    created_at_ms: int
    apply_on_transformed_logs: bool = False

    @property
    def created_at(self) -> datetime:
        """When the filter was created."""
        return from_millis(self.created_at_ms)


@define(eq=False, kw_only=True)
class SubscriptionFilter:
    """A subscription filter: matching events go to `destination_arn`."""

    name: str
    log_group_name: str
    pattern: FilterPattern
    destination_arn: str
    role_arn: str | None
    distribution: Distribution
    created_at_ms: int
    apply_on_transformed_logs: bool = False

    @property
    def created_at(self) -> datetime:
        """When the filter was created."""
        return from_millis(self.created_at_ms)


# -- groups and streams -----------------------------------------------------------------


@define(eq=False, kw_only=True)
class LogStream:
    """A log stream and its events.

    Attributes:
        name: the stream name.
        arn: ``arn:aws:logs:<region>:<account>:log-group:<group>:log-stream:<name>``.
        created_at_ms: creation time.
        store: the stream's events, ordered by (timestamp, arrival).
        first_event_ms / last_event_ms: the smallest and largest event
            timestamps ever stored (None before the first event).
        last_ingestion_ms: when the last batch was received.
    """

    name: str
    arn: str
    created_at_ms: int
    store: EventStore
    first_event_ms: int | None = None
    last_event_ms: int | None = None
    last_ingestion_ms: int | None = None

    @property
    def created_at(self) -> datetime:
        """When the stream was created."""
        return from_millis(self.created_at_ms)


@define(eq=False, kw_only=True)
class LogGroup:
    """A log group: its settings, streams and filters.

    Attributes:
        name: the group name.
        arn: the group ARN ending in ``:*`` (DescribeLogGroups ``arn``).
        created_at_ms: creation time.
        retention_in_days: one of `RETENTION_DAYS`, None to keep events forever.
        kms_key_id: the associated KMS key ARN, or None.
        tags: the group's tags.
        log_group_class: STANDARD, INFREQUENT_ACCESS or DELIVERY.
        deletion_protection_enabled: when True, DeleteLogGroup fails.
        streams: stream name → `LogStream`, in name order.
        metric_filters: filter name → `MetricFilter`.
        subscription_filters: filter name → `SubscriptionFilter`.
    """

    name: str
    arn: str
    created_at_ms: int
    retention_in_days: int | None = None
    kms_key_id: str | None = None
    tags: dict[str, str] = field(factory=dict)
    log_group_class: LogGroupClass = LogGroupClass.STANDARD
    deletion_protection_enabled: bool = False
    streams: dict[str, LogStream] = field(factory=dict, repr=False)
    metric_filters: dict[str, MetricFilter] = field(factory=dict, repr=False)
    subscription_filters: dict[str, SubscriptionFilter] = field(factory=dict, repr=False)
    next_seq: int = field(default=0, repr=False)

    def __repr__(self) -> str:
        kept = "forever" if self.retention_in_days is None else f"{self.retention_in_days} days"
        return (
            f"<LogGroup {self.name!r}: {len(self.streams)} streams, "
            f"{len(self.metric_filters)} metric filters, kept {kept}>"
        )

    @property
    def log_group_arn(self) -> str:
        """The ARN without the trailing ``:*`` (``logGroupArn``)."""
        return self.arn[:-2]

    @property
    def created_at(self) -> datetime:
        """When the group was created."""
        return from_millis(self.created_at_ms)

    @property
    def stored_bytes(self) -> int:
        """UTF-8 bytes of the messages currently kept (expired events no longer count)."""
        return sum(stream.store.stored_bytes for stream in self.streams.values())


@define(eq=False, kw_only=True)
class ExportTask:
    """An export of a log group's events to an S3 bucket."""

    task_id: str
    task_name: str | None
    log_group_name: str
    log_stream_name_prefix: str | None
    from_ms: int
    to_ms: int
    destination: str
    destination_prefix: str
    status_code: ExportTaskStatusCode = ExportTaskStatusCode.PENDING
    status_message: str | None = None
    created_at_ms: int = 0
    completed_at_ms: int | None = None


@define(eq=False, kw_only=True)
class ResourcePolicy:
    """A resource policy: account-wide (named) or attached to one log group."""

    name: str | None
    document: str
    last_updated_ms: int
    scope: PolicyScope
    resource_arn: str | None
    revision_id: str

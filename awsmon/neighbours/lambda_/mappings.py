"""Lambda's event source mappings: SQS queues and Kinesis streams that trigger a function.

`MappingOperations` is mixed into `awsmon.neighbours.lambda_.Lambda`: the
Create/Update/Delete/Get/ListEventSourceMappings operations and the life
cycle AWS shows: a new mapping is ``Creating``, then ``Enabled`` (or
``Disabled``); an update is ``Updating`` (``Enabling``, ``Disabling``); a
deletion ``Deleting``, each settling `SETTLE` later on the clock. An enabled
mapping polls its source every `POLL_INTERVAL` as a clock job
(`awsmon.neighbours.lambda_.pollers`).

Simulation notes: one poller per mapping (no scaling); a poll takes every
batch available at that instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import define, field

from awsmon.arn import Arn, InvalidArn
from awsmon.clock import Job
from awsmon.dispatch import operation
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_.destinations import check_destination
from awsmon.neighbours.lambda_.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from awsmon.neighbours.lambda_.functions import FunctionOperations

if TYPE_CHECKING:
    from awsmon.dispatch import ServiceContext

__all__ = ["POLL_INTERVAL", "SETTLE", "EventSourceMapping", "MappingOperations"]

#: How long a state change (Creating, Updating, Deleting ...) takes.
SETTLE = timedelta(seconds=1)
#: How often an enabled mapping polls its source.
POLL_INTERVAL = timedelta(seconds=1)
_TRANSIENT = {"Creating", "Updating", "Enabling", "Disabling", "Deleting"}


@define(eq=False, kw_only=True)
class EventSourceMapping:
    """One event source mapping and its polling state.

    Attributes:
        uuid / source_arn / function_arn: identity.
        kind: ``sqs`` or ``kinesis`` (the source ARN's service).
        batch_size / window: ``BatchSize``, ``MaximumBatchingWindowInSeconds``.
        enabled: the state asked for; `state` the one AWS shows.
        report_failures: ``FunctionResponseTypes`` holds ReportBatchItemFailures.
        starting_position / starting_timestamp: where a stream is first read.
        bisect / max_retries / max_record_age / on_failure: stream error handling.
        last_result: ``LastProcessingResult`` (streams).
        window_started: when a partial batch began waiting for the window.
        shards: per Kinesis shard id, its polling state (`pollers`).
    """

    uuid: str
    arn: str
    source_arn: str
    function_arn: str
    kind: str
    batch_size: int
    window: int
    enabled: bool
    state: str
    last_modified: datetime
    report_failures: bool = False
    starting_position: str | None = None
    starting_timestamp: datetime | None = None
    bisect: bool = False
    max_retries: int = -1
    max_record_age: int = -1
    on_failure: str | None = None
    last_result: str = "No records processed"
    window_started: datetime | None = None
    shards: dict[str, Any] = field(factory=dict, repr=False)
    job: Job | None = field(default=None, repr=False)

    def shape(self) -> dict[str, Any]:
        """The EventSourceMappingConfiguration shape."""
        shape: dict[str, Any] = {
            "UUID": self.uuid,
            "EventSourceMappingArn": self.arn,
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.window,
            "EventSourceArn": self.source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": self.last_modified,
            "State": self.state,
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if self.report_failures else [],
        }
        if self.kind == "kinesis":
            shape.update(
                {
                    "StartingPosition": self.starting_position,
                    "LastProcessingResult": self.last_result,
                    "ParallelizationFactor": 1,
                    "MaximumRecordAgeInSeconds": self.max_record_age,
                    "BisectBatchOnFunctionError": self.bisect,
                    "MaximumRetryAttempts": self.max_retries,
                    "TumblingWindowInSeconds": 0,
                    "DestinationConfig": (
                        {"OnFailure": {"Destination": self.on_failure}}
                        if self.on_failure
                        else {"OnFailure": {}}
                    ),
                }
            )
            if self.starting_timestamp is not None:
                shape["StartingPositionTimestamp"] = self.starting_timestamp
        return shape


class MappingOperations(FunctionOperations):
    """Event source mappings (mixed into `Lambda`).

    Attributes:
        mappings: uuid → `EventSourceMapping`.
    """

    ctx: ServiceContext
    mappings: dict[str, EventSourceMapping]

    def _poll(self, mapping: EventSourceMapping) -> None:  # defined by Lambda
        raise NotImplementedError

    @operation("CreateEventSourceMapping")
    def create_event_source_mapping(
        self,
        function_name: str,
        event_source_arn: str,
        *,
        enabled: bool = True,
        batch_size: int | None = None,
        maximum_batching_window_in_seconds: int | None = None,
        starting_position: str | None = None,
        starting_position_timestamp: datetime | None = None,
        function_response_types: Sequence[str] = (),
        bisect_batch_on_function_error: bool | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_record_age_in_seconds: int | None = None,
        on_failure: str | None = None,
    ) -> EventSourceMapping:
        """Make a queue or stream trigger a function (CreateEventSourceMapping).

        Raises:
            ResourceNotFoundException: no such function.
            InvalidParameterValueException: an unknown source, or a setting
                that does not fit the source (batch size, window, position ...).
            ResourceConflictException: the function has a mapping of that source.
        """
        function = self.function(function_name)
        kind = self._source_kind(event_source_arn)
        for existing in self.mappings.values():
            if existing.source_arn == event_source_arn and existing.function_arn == function.arn:
                raise ResourceConflictException(
                    f'The event source arn (" {event_source_arn} ") and function '
                    f'(" {function.name} ") provided mapping already exists. Please update or '
                    f"delete the existing mapping with UUID {existing.uuid}",
                    param="EventSourceArn",
                    value=event_source_arn,
                )
        uuid = self.ctx.ids.uuid()
        mapping = EventSourceMapping(
            uuid=uuid,
            arn=self.ctx.arn(f"event-source-mapping:{uuid}"),
            source_arn=event_source_arn,
            function_arn=function.arn,
            kind=kind,
            batch_size=10 if kind == "sqs" else 100,
            window=0,
            enabled=enabled,
            state="Creating",
            last_modified=self.ctx.now(),
        )
        _configure(
            mapping,
            batch_size=batch_size,
            window=maximum_batching_window_in_seconds,
            function_response_types=function_response_types,
            bisect=bisect_batch_on_function_error,
            max_retries=maximum_retry_attempts,
            max_record_age=maximum_record_age_in_seconds,
            on_failure=on_failure,
            fifo=event_source_arn.endswith(".fifo"),
        )
        _position(mapping, starting_position, starting_position_timestamp, self.ctx.now())
        self.mappings[uuid] = mapping
        self.ctx.clock.call_later(SETTLE, self._settle, uuid, name=f"lambda esm {uuid} settle")
        return mapping

    @operation("UpdateEventSourceMapping")
    def update_event_source_mapping(
        self,
        uuid: str,
        *,
        function_name: str | None = None,
        enabled: bool | None = None,
        batch_size: int | None = None,
        maximum_batching_window_in_seconds: int | None = None,
        function_response_types: Sequence[str] | None = None,
        bisect_batch_on_function_error: bool | None = None,
        maximum_retry_attempts: int | None = None,
        maximum_record_age_in_seconds: int | None = None,
        on_failure: str | None = None,
    ) -> EventSourceMapping:
        """Change a mapping (UpdateEventSourceMapping): ``Updating``, ``Enabling`` or ``Disabling``.

        Raises:
            ResourceNotFoundException: no such mapping or function.
            ResourceInUseException: the mapping is changing state.
            InvalidParameterValueException: a setting that does not fit the source.
        """
        mapping = self._mapping(uuid)
        if mapping.state in _TRANSIENT:
            raise ResourceInUseException(
                f"Cannot update the event source mapping because it is in use. Current state: "
                f"{mapping.state}",
                param="UUID",
                value=uuid,
            )
        function_arn = self.function(function_name).arn if function_name else None
        trial = EventSourceMapping(**{**_fields(mapping), "shards": {}, "job": None})
        _configure(
            trial,
            batch_size=batch_size,
            window=maximum_batching_window_in_seconds,
            function_response_types=function_response_types,
            bisect=bisect_batch_on_function_error,
            max_retries=maximum_retry_attempts,
            max_record_age=maximum_record_age_in_seconds,
            on_failure=on_failure,
            fifo=mapping.source_arn.endswith(".fifo"),
        )
        for name, value in _fields(trial).items():
            if name not in ("shards", "job"):
                setattr(mapping, name, value)
        if function_arn is not None:
            mapping.function_arn = function_arn
        if enabled is not None and enabled != mapping.enabled:
            mapping.state = "Enabling" if enabled else "Disabling"
            mapping.enabled = enabled
        else:
            mapping.state = "Updating"
        mapping.last_modified = self.ctx.now()
        self.ctx.clock.call_later(SETTLE, self._settle, uuid, name=f"lambda esm {uuid} settle")
        return mapping

    @operation("DeleteEventSourceMapping")
    def delete_event_source_mapping(self, uuid: str) -> EventSourceMapping:
        """Delete a mapping (DeleteEventSourceMapping): ``Deleting``, then gone."""
        mapping = self._mapping(uuid)
        if mapping.state == "Deleting":
            raise ResourceInUseException(
                "Cannot delete the event source mapping because it is in use.",
                param="UUID",
                value=uuid,
            )
        mapping.state = "Deleting"
        mapping.last_modified = self.ctx.now()
        if mapping.job is not None:
            mapping.job.cancel()
            mapping.job = None
        self.ctx.clock.call_later(SETTLE, self._settle, uuid, name=f"lambda esm {uuid} delete")
        return mapping

    @operation("GetEventSourceMapping")
    def get_event_source_mapping(self, uuid: str) -> EventSourceMapping:
        """A mapping (GetEventSourceMapping)."""
        return self._mapping(uuid)

    @operation("ListEventSourceMappings")
    def list_event_source_mappings(
        self, *, event_source_arn: str | None = None, function_name: str | None = None
    ) -> list[EventSourceMapping]:
        """The mappings, of a source or a function if given (ListEventSourceMappings)."""
        function_arn = self.function(function_name).arn if function_name else None
        return [
            m
            for m in self.mappings.values()
            if (event_source_arn is None or m.source_arn == event_source_arn)
            and (function_arn is None or m.function_arn == function_arn)
        ]

    # -- life cycle ---------------------------------------------------------------------

    def _mapping(self, uuid: str) -> EventSourceMapping:
        mapping = self.mappings.get(uuid)
        if mapping is None:
            raise ResourceNotFoundException(
                "The resource you requested does not exist.", param="UUID", value=uuid
            )
        return mapping

    def _settle(self, uuid: str) -> None:
        """End a state change: Enabled/Disabled (polling on or off), or gone."""
        mapping = self.mappings.get(uuid)
        if mapping is None:
            return
        if mapping.state == "Deleting":
            del self.mappings[uuid]
            return
        mapping.state = "Enabled" if mapping.enabled else "Disabled"
        if mapping.enabled and mapping.job is None:
            mapping.job = self.ctx.clock.call_every(
                POLL_INTERVAL, self._poll, mapping, name=f"lambda esm {uuid} poll"
            )
        elif not mapping.enabled and mapping.job is not None:
            mapping.job.cancel()
            mapping.job = None

    def _source_kind(self, source_arn: str) -> str:
        """``sqs`` or ``kinesis`` for a source that exists.

        Raises:
            InvalidParameterValueException: another service, or no such queue/stream.
        """
        try:
            arn = Arn.parse(source_arn)
        except InvalidArn:
            arn = None
        if arn is None or arn.service not in ("sqs", "kinesis"):
            raise InvalidParameterValueException(
                "Unrecognized event source.", param="EventSourceArn", value=source_arn
            )
        try:
            if arn.service == "sqs":
                self.ctx.service_at(arn, "sqs").queue(source_arn)
            else:
                self.ctx.service_at(arn, "kinesis").describe_stream_summary(source_arn)
        except (ServiceError, KeyError):
            if arn.service == "sqs":
                message = (
                    "Error occurred while ReceiveMessage. SQS Error Code: "
                    "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified "
                    "queue does not exist or you do not have access to it."
                )
            else:
                message = f"Stream not found: {source_arn}"
            raise InvalidParameterValueException(
                message, param="EventSourceArn", value=source_arn
            ) from None
        return arn.service


def _fields(mapping: EventSourceMapping) -> dict[str, Any]:
    from attrs import asdict

    return asdict(mapping, recurse=False)


def _invalid(message: str, param: str, value: Any) -> InvalidParameterValueException:
    return InvalidParameterValueException(message, param=param, value=value)


def _configure(
    mapping: EventSourceMapping,
    *,
    batch_size: int | None,
    window: int | None,
    function_response_types: Sequence[str] | None,
    bisect: bool | None,
    max_retries: int | None,
    max_record_age: int | None,
    on_failure: str | None,
    fifo: bool,
) -> None:
    """Apply the settings given to `mapping`, checked against its kind of source."""
    stream = mapping.kind == "kinesis"
    if batch_size is not None:
        limit = 10 if fifo else 10_000
        if not 1 <= batch_size <= limit:
            raise _invalid(
                f"BatchSize must be between 1 and {limit} for this event source"
                + (" (FIFO queues allow at most 10)" if fifo else "")
                + f", got {batch_size}.",
                "BatchSize",
                batch_size,
            )
        mapping.batch_size = batch_size
    if window is not None:
        if not 0 <= window <= 300:
            raise _invalid(
                f"MaximumBatchingWindowInSeconds must be between 0 and 300, got {window}.",
                "MaximumBatchingWindowInSeconds",
                window,
            )
        mapping.window = window
    if not stream and mapping.batch_size > 10 and mapping.window < 1:
        raise _invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10",
            "MaximumBatchingWindowInSeconds",
            mapping.window,
        )
    if function_response_types is not None:
        unknown = [t for t in function_response_types if t != "ReportBatchItemFailures"]
        if unknown:
            raise _invalid(
                f"Unsupported FunctionResponseType: {unknown[0]}",
                "FunctionResponseTypes",
                unknown[0],
            )
        mapping.report_failures = bool(function_response_types)
    stream_only = {
        "BisectBatchOnFunctionError": bisect,
        "MaximumRetryAttempts": max_retries,
        "MaximumRecordAgeInSeconds": max_record_age,
        "DestinationConfig": on_failure,
    }
    if not stream:
        for name, value in stream_only.items():
            if value is not None:
                raise _invalid(
                    f"Unsupported {name} parameter for given event source mapping type.",
                    name,
                    value,
                )
        return
    if bisect is not None:
        mapping.bisect = bisect
    if max_retries is not None:
        if not -1 <= max_retries <= 10_000:
            raise _invalid(
                f"MaximumRetryAttempts must be between -1 and 10000, got {max_retries}.",
                "MaximumRetryAttempts",
                max_retries,
            )
        mapping.max_retries = max_retries
    if max_record_age is not None:
        if not (max_record_age == -1 or 60 <= max_record_age <= 604_800):
            raise _invalid(
                "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800, got "
                f"{max_record_age}.",
                "MaximumRecordAgeInSeconds",
                max_record_age,
            )
        mapping.max_record_age = max_record_age
    if on_failure is not None:
        mapping.on_failure = (
            check_destination(on_failure, member="OnFailure", allowed=("sqs", "sns")) or None
        )


def _position(
    mapping: EventSourceMapping, position: str | None, timestamp: datetime | None, now: datetime
) -> None:
    """Check and set a stream's StartingPosition (refused for a queue)."""
    if mapping.kind == "sqs":
        if position is not None:
            raise _invalid(
                "StartingPosition is not valid for SQS event sources.",
                "StartingPosition",
                position,
            )
        return
    if position not in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
        raise _invalid(
            "1 validation error detected: Value '"
            + str(position)
            + "' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum "
            "value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"
            if position is not None
            else "StartingPosition is required for Kinesis event sources.",
            "StartingPosition",
            position,
        )
    if position == "AT_TIMESTAMP":
        if timestamp is None or timestamp > now:
            raise _invalid(
                "StartingPositionTimestamp must be given, and not in the future, with "
                "StartingPosition AT_TIMESTAMP.",
                "StartingPositionTimestamp",
                timestamp,
            )
        mapping.starting_timestamp = timestamp
    mapping.starting_position = position

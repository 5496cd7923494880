"""Shared pieces of the EventBridge wire layer: checks with AWS's wording, shapes, pages.

Internal to `awsmon.events.api`. AWS's validation messages name the member by
its location in the request, in camel case (``'name'``,
``'targets.1.member.id'``), which `Check` writes; responses are built by the
``*_shape`` functions exactly as boto3 returns them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from awsmon.events.errors import ValidationException
from awsmon.events.model import (
    Archive,
    EventBus,
    EventSource,
    PutEventsEntry,
    PutEventsResult,
    Replay,
    Rule,
    Target,
)
from awsmon.events.service import EventBridge
from awsmon.wire import Params, WireApi

__all__ = [
    "ARCHIVE_ARN",
    "BUS_NAME",
    "BUS_NAME_OR_ARN",
    "NAME",
    "Check",
    "EventsWireApi",
    "archive_shape",
    "bus_shape",
    "entries_from_wire",
    "events_result",
    "listed",
    "page",
    "replay_shape",
    "rule_shape",
    "source_shape",
    "target_shape",
]

T = TypeVar("T")
Response = dict[str, Any]

NAME = r"[\.\-_A-Za-z0-9]+"
BUS_NAME = r"[/\.\-_A-Za-z0-9]+"
BUS_NAME_OR_ARN = (
    r"(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+"
)
NON_PARTNER_BUS_OR_ARN = (
    r"(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[\.\-_A-Za-z0-9]+"
)
ARCHIVE_ARN = r"^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:.+\/.+$"
SOURCE_NAME = r"aws\.partner(/[\.\-_A-Za-z0-9]+){2,}"


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value) if value is None else str(value)


class Check:
    """Reads request members and raises ValidationException in AWS's words."""

    def __init__(self, params: Params) -> None:
        self.params = params

    @staticmethod
    def fail(location: str, value: Any, constraint: str) -> ValidationException:
        """AWS's message for one member breaking one constraint."""
        return ValidationException(
            f"1 validation error detected: Value '{_shown(value)}' at '{location}' failed to "
            f"satisfy constraint: {constraint}",
            param=location,
            value=value,
        )

    def string(
        self,
        data: Any,
        key: str,
        location: str,
        *,
        required: bool = False,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        choices: Sequence[str] | None = None,
    ) -> str | None:
        """The string member `key` of `data` (a mapping), checked."""
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            if required:
                raise self.fail(location, None, "Member must not be null")
            return None
        if not isinstance(value, str):
            raise self.fail(location, value, "Member must be a string")
        if min_length is not None and len(value) < min_length:
            raise self.fail(
                location, value, f"Member must have length greater than or equal to {min_length}"
            )
        if max_length is not None and len(value) > max_length:
            raise self.fail(
                location, value, f"Member must have length less than or equal to {max_length}"
            )
        if pattern is not None and re.fullmatch(pattern, value) is None:
            raise self.fail(
                location, value, f"Member must satisfy regular expression pattern: {pattern}"
            )
        if choices is not None and value not in choices:
            raise self.fail(
                location, value, f"Member must satisfy enum value set: [{', '.join(choices)}]"
            )
        return value

    def integer(
        self,
        data: Any,
        key: str,
        location: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        """The integer member `key` of `data`, checked."""
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(location, value, "Member must be an integer")
        if minimum is not None and value < minimum:
            raise self.fail(
                location, value, f"Member must have value greater than or equal to {minimum}"
            )
        if maximum is not None and value > maximum:
            raise self.fail(
                location, value, f"Member must have value less than or equal to {maximum}"
            )
        return value

    def name(self, key: str = "Name", location: str = "name", *, required: bool = True) -> str:
        """A rule name (1..64, ``[\\.\\-_A-Za-z0-9]+``)."""
        found = self.string(
            self.params.data,
            key,
            location,
            required=required,
            min_length=1,
            max_length=64,
            pattern=NAME,
        )
        return found or ""

    def bus(self, key: str = "EventBusName", location: str = "eventBusName") -> str | None:
        """An event bus name or ARN."""
        return self.string(
            self.params.data, key, location, min_length=1, max_length=1600, pattern=BUS_NAME_OR_ARN
        )

    def top(self, key: str, location: str, **checks: Any) -> str | None:
        """A top-level string member, checked."""
        return self.string(self.params.data, key, location, **checks)

    def limit(self) -> int | None:
        """``Limit`` (1..100)."""
        return self.integer(self.params.data, "Limit", "limit", minimum=1, maximum=100)


class EventsWireApi(WireApi):
    """The base of the EventBridge wire API and of its per-resource parts.

    Holds the service's error classes. Its subclasses are mixed into
    `awsmon.events.api.EventsApi`; the handlers of every base in the MRO are
    collected, so a part is added by listing it among `EventsApi`'s bases.
    """

    domain: EventBridge
    invalid_parameter = ValidationException
    missing_parameter = ValidationException

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            found.update(vars(klass).get("operations", {}))
        cls.operations = found


def listed(response: Response, token: str | None) -> Response:
    """`response` with ``NextToken`` set when there is a next page."""
    if token is not None:
        response["NextToken"] = token
    return response


def page(items: list[T], params: Params, check: Check) -> tuple[list[T], str | None]:
    """One page of `items` by ``Limit`` and ``NextToken``; the token of the next page."""
    limit = check.limit()
    token = check.top("NextToken", "nextToken", min_length=1, max_length=2048)
    start = 0
    if token is not None:
        if not token.isdigit() or int(token) > len(items):
            raise ValidationException(
                "The NextToken provided is invalid.", param="NextToken", value=token
            )
        start = int(token)
    end = len(items) if limit is None else min(len(items), start + limit)
    return items[start:end], (str(end) if end < len(items) else None)


def entries_from_wire(params: Params, *, partner: bool = False) -> list[PutEventsEntry]:
    """The Entries of PutEvents / PutPartnerEvents as `PutEventsEntry` values."""
    check = Check(params)
    raw = params.raw("Entries")
    if not isinstance(raw, list):
        raise Check.fail("entries", raw, "Member must not be null")
    limit = 20 if partner else 10
    if not 1 <= len(raw) <= limit:
        bound = f"less than or equal to {limit}" if raw else "greater than or equal to 1"
        raise Check.fail("entries", raw, f"Member must have length {bound}")
    entries = []
    for index, item in enumerate(raw, 1):
        where = f"entries.{index}.member"
        if not isinstance(item, Mapping):
            raise Check.fail(where, item, "Member must be a structure")
        data = dict(item)
        if partner:
            check.string(
                data, "Source", f"{where}.source", min_length=1, max_length=256, pattern=SOURCE_NAME
            )
        else:
            check.string(
                data,
                "EventBusName",
                f"{where}.eventBusName",
                min_length=1,
                max_length=1600,
                pattern=NON_PARTNER_BUS_OR_ARN,
            )
            check.string(data, "TraceHeader", f"{where}.traceHeader", min_length=1, max_length=500)
        nested = params.nested(data)
        resources = nested.items("Resources")
        entries.append(
            PutEventsEntry(
                source=data.get("Source"),
                detail_type=data.get("DetailType"),
                detail=data.get("Detail"),
                resources=tuple(resources),
                time=nested.timestamp("Time"),
                event_bus_name=data.get("EventBusName"),
                trace_header=data.get("TraceHeader"),
            )
        )
    return entries


def events_result(result: PutEventsResult) -> Response:
    """PutEvents' answer: FailedEntryCount and one result per entry."""
    entries: list[dict[str, str]] = []
    for entry in result.entries:
        if entry.event_id is not None:
            entries.append({"EventId": entry.event_id})
        else:
            entries.append(
                {"ErrorCode": entry.error_code or "", "ErrorMessage": entry.error_message or ""}
            )
    return {"FailedEntryCount": result.failed_entry_count, "Entries": entries}


def _put(shape: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        shape[key] = value


def rule_shape(rule: Rule, *, describe: bool = False) -> dict[str, Any]:
    """A rule as DescribeRule (`describe`) or ListRules answers it."""
    shape: dict[str, Any] = {"Name": rule.name, "Arn": rule.arn}
    _put(shape, "EventPattern", rule.event_pattern)
    _put(shape, "ScheduleExpression", rule.schedule_expression)
    shape["State"] = rule.state.value
    _put(shape, "Description", rule.description)
    _put(shape, "RoleArn", rule.role_arn)
    _put(shape, "ManagedBy", rule.managed_by)
    shape["EventBusName"] = rule.bus_name
    if describe:
        shape["CreatedBy"] = rule.created_by
    return shape


def target_shape(target: Target) -> dict[str, Any]:
    """A target as ListTargetsByRule answers it."""
    shape: dict[str, Any] = {"Id": target.id, "Arn": target.arn}
    _put(shape, "RoleArn", target.role_arn)
    _put(shape, "Input", target.input)
    _put(shape, "InputPath", target.input_path)
    if target.input_template is not None:
        transformer: dict[str, Any] = {}
        if target.input_paths_map is not None:
            transformer["InputPathsMap"] = dict(target.input_paths_map)
        transformer["InputTemplate"] = target.input_template
        shape["InputTransformer"] = transformer
    if target.partition_key_path is not None:
        shape["KinesisParameters"] = {"PartitionKeyPath": target.partition_key_path}
    if target.message_group_id is not None:
        shape["SqsParameters"] = {"MessageGroupId": target.message_group_id}
    shape.update(target.parameters)
    if target.dead_letter_arn is not None:
        shape["DeadLetterConfig"] = {"Arn": target.dead_letter_arn}
    if target.retry_policy_given:
        shape["RetryPolicy"] = {
            "MaximumRetryAttempts": target.retry_policy.maximum_retry_attempts,
            "MaximumEventAgeInSeconds": int(target.retry_policy.maximum_event_age.total_seconds()),
        }
    return shape


def bus_shape(bus: EventBus, *, describe: bool = False) -> dict[str, Any]:
    """A bus as DescribeEventBus (`describe`) or ListEventBuses answers it."""
    shape: dict[str, Any] = {"Name": bus.name, "Arn": bus.arn}
    _put(shape, "Description", bus.description)
    if describe:
        _put(shape, "KmsKeyIdentifier", bus.kms_key_identifier)
        if bus.dead_letter_arn is not None:
            shape["DeadLetterConfig"] = {"Arn": bus.dead_letter_arn}
    if bus.policy:
        shape["Policy"] = json.dumps(bus.policy, separators=(",", ":"))
    if describe and bus.log_config:
        shape["LogConfig"] = dict(bus.log_config)
    shape["CreationTime"] = bus.created_at
    shape["LastModifiedTime"] = bus.last_modified_at
    return shape


def archive_shape(archive: Archive, *, describe: bool = False) -> dict[str, Any]:
    """An archive as DescribeArchive (`describe`) or ListArchives answers it."""
    shape: dict[str, Any] = {}
    if describe:
        shape["ArchiveArn"] = archive.arn
    shape["ArchiveName"] = archive.name
    shape["EventSourceArn"] = archive.event_source_arn
    if describe:
        _put(shape, "Description", archive.description)
        _put(shape, "EventPattern", archive.event_pattern)
    shape["State"] = archive.state.value
    _put(shape, "StateReason", archive.state_reason)
    if describe:
        _put(shape, "KmsKeyIdentifier", archive.kms_key_identifier)
    shape["RetentionDays"] = archive.retention_days
    shape["SizeBytes"] = archive.size_bytes
    shape["EventCount"] = archive.event_count
    shape["CreationTime"] = archive.created_at
    return shape


def replay_shape(replay: Replay, *, describe: bool = False) -> dict[str, Any]:
    """A replay as DescribeReplay (`describe`) or ListReplays answers it."""
    shape: dict[str, Any] = {"ReplayName": replay.name}
    if describe:
        shape["ReplayArn"] = replay.arn
        _put(shape, "Description", replay.description)
    shape["State"] = replay.state.value
    _put(shape, "StateReason", replay.state_reason)
    shape["EventSourceArn"] = replay.event_source_arn
    if describe:
        destination: dict[str, Any] = {"Arn": replay.destination_arn}
        if replay.filter_arns:
            destination["FilterArns"] = list(replay.filter_arns)
        shape["Destination"] = destination
    shape["EventStartTime"] = replay.event_start_time
    shape["EventEndTime"] = replay.event_end_time
    _put(shape, "EventLastReplayedTime", replay.event_last_replayed_time)
    shape["ReplayStartTime"] = replay.replay_start_time
    _put(shape, "ReplayEndTime", replay.replay_end_time)
    return shape


def source_shape(source: EventSource, *, partner_account: bool = False) -> dict[str, Any]:
    """An event source as DescribeEventSource / ListEventSources (or, with
    `partner_account`, ListPartnerEventSourceAccounts) answers it."""
    shape: dict[str, Any] = {}
    if partner_account:
        shape["Account"] = source.account
    else:
        shape["Arn"] = source.arn
        shape["CreatedBy"] = source.created_by
    shape["CreationTime"] = source.created_at
    if source.expires_at is not None:
        shape["ExpirationTime"] = source.expires_at
    if not partner_account:
        shape["Name"] = source.name
    shape["State"] = source.state.value
    return shape


def timestamp(params: Params, key: str) -> datetime | None:
    """A timestamp member (datetime, epoch seconds or ISO text)."""
    return params.timestamp(key)

"""Shared pieces of the EventBridge wire layer: the API base, common members, shapes, pages.

Internal to `awsmon.events.api`. `EventsWireApi` sets EventBridge's errors and
wording (`awsmon.events.errors.WORDING`: members in camel case, located by
path as in ``'targets.1.member.id'``), so every check goes through
`awsmon.wire.Params`; responses are built by the ``*_shape`` functions exactly
as boto3 returns them.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from awsmon.events.errors import WORDING, ValidationException
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
    "EventsWireApi",
    "archive_shape",
    "bus_name",
    "bus_shape",
    "entries_from_wire",
    "events_result",
    "listed",
    "page",
    "replay_shape",
    "rule_name",
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


class EventsWireApi(WireApi):
    """The base of the EventBridge wire API and of its per-resource parts.

    Holds the service's error classes. Its subclasses are mixed into
    `awsmon.events.api.EventsApi`; the handlers of every base in the MRO are
    collected, so a part is added by listing it among `EventsApi`'s bases.
    """

    domain: EventBridge
    invalid_parameter = ValidationException
    missing_parameter = ValidationException
    wording = WORDING


def listed(response: Response, token: str | None) -> Response:
    """`response` with ``NextToken`` set when there is a next page."""
    if token is not None:
        response["NextToken"] = token
    return response


def rule_name(params: Params, key: str = "Name") -> str:
    """A required rule name (1..64 of ``[\\.\\-_A-Za-z0-9]``)."""
    return params.string(key, required=True, min_length=1, max_length=64, pattern=NAME)


def bus_name(params: Params, key: str = "EventBusName") -> str | None:
    """An optional event bus name or ARN."""
    return params.string(key, min_length=1, max_length=1600, pattern=BUS_NAME_OR_ARN)


def page(items: list[T], params: Params) -> tuple[list[T], str | None]:
    """One page of `items` by ``Limit`` and ``NextToken``; the token of the next page."""
    limit = params.integer("Limit", minimum=1, maximum=100)
    token = params.string("NextToken", min_length=1, max_length=2048)
    start = 0
    if token is not None:
        if not token.isdecimal() or int(token) > len(items):
            raise ValidationException(
                "The NextToken provided is invalid.", param="NextToken", value=token
            )
        start = int(token)
    end = len(items) if limit is None else min(len(items), start + limit)
    return items[start:end], (str(end) if end < len(items) else None)


def entries_from_wire(params: Params, *, partner: bool = False) -> list[PutEventsEntry]:
    """The Entries of PutEvents / PutPartnerEvents as `PutEventsEntry` values."""
    most = 20 if partner else 10
    entries = []
    for entry in params.structs("Entries", required=True, min_items=1, max_items=most):
        if partner:
            entry.string("Source", min_length=1, max_length=256, pattern=SOURCE_NAME)
        else:
            entry.string(
                "EventBusName", min_length=1, max_length=1600, pattern=NON_PARTNER_BUS_OR_ARN
            )
            entry.string("TraceHeader", min_length=1, max_length=500)
        data = entry.data
        # Each entry's own faults (a missing Detail, malformed JSON) are per-entry results,
        # decided by the domain; a value of the wrong type fails the whole request.
        entries.append(
            PutEventsEntry(
                source=entry.string("Source"),
                detail_type=entry.string("DetailType"),
                detail=entry.string("Detail"),
                resources=entry.strings("Resources"),
                time=entry.timestamp("Time"),
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

"""Subscription deliveries: AWS's payload and the destinations that receive it.

A subscription filter sends the events of each PutLogEvents batch that match
its pattern to its destination, as one gzip-compressed JSON document
(SubscriptionFilters.html)::

    {"messageType": "DATA_MESSAGE", "owner": "123456789012",
     "logGroup": "app", "logStream": "web-1", "subscriptionFilters": ["errors"],
     "logEvents": [{"id": "<56 digits>", "timestamp": 1700000000000, "message": "..."}]}

- Lambda receives ``{"awslogs": {"data": "<base64 of the gzip>"}}``, invoked
  asynchronously (InvocationType Event) as ``logs.amazonaws.com``;
- Kinesis Data Streams receives the gzip bytes as one record
  (``put_record(stream_name, data, partition_key)`` on the kinesis service);
- Firehose receives the gzip bytes as one record
  (``put_record(delivery_stream_name, data)`` on the firehose service);
- a logical destination (``arn:aws:logs:...:destination:name``, cross-account,
  `awsmon.logs.destinations`) passes the gzip bytes on to its Kinesis or
  Firehose target; subscribing needs the destination's access policy to
  allow the log group's account.

When a Kinesis or Firehose filter is created, a ``CONTROL_MESSAGE`` is sent
to test the destination; a failure makes PutSubscriptionFilter fail as AWS
does. Every delivery, whatever the destination, is also kept in
`CloudWatchLogs.deliveries` for tests.

Simulation notes: deliveries happen synchronously inside PutLogEvents (AWS
delivers within seconds); one payload per filter and batch (AWS may split or
merge batches); Kinesis and Firehose deliveries reach those services only
once they are registered in awsmon. The partition key is the MD5 of the
group and stream names for ``ByLogStream`` and a seeded random hex for
``Random`` (AWS does not document its keys).

>>> data = payload("123456789012", "app", "web", ["f"], [("1" * 56, 1000, "hi")])
>>> decode(data)["logEvents"][0]["message"], decode(data)["logGroup"]
('hi', 'app')
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from awsmon import jsondoc, registry
from awsmon.arn import Arn, InvalidArn
from awsmon.cloudwatch import StandardUnit
from awsmon.errors import ServiceError
from awsmon.identity import Principal
from awsmon.logs.errors import AccessDeniedException, InvalidParameterException
from awsmon.logs.model import Distribution, SubscriptionFilter
from awsmon.policy import PolicyDocument

if TYPE_CHECKING:
    from awsmon.logs._core import LogsCore

__all__ = [
    "Delivery",
    "check_destination",
    "control_payload",
    "decode",
    "deliver",
    "event_id",
    "payload",
]


@frozen
class Delivery:
    """One payload sent to a subscription destination (kept for tests).

    Attributes:
        destination_arn: where it went.
        filter_name: the subscription filter ("" for a control message).
        data: the gzip-compressed JSON, as the destination receives it.
        delivered: False when the destination refused it or is not simulated.
    """

    destination_arn: str
    filter_name: str
    data: bytes
    delivered: bool

    @property
    def document(self) -> dict[str, Any]:
        """The decompressed JSON payload."""
        return decode(self.data)


def event_id(timestamp_ms: int, seq: int) -> str:
    """The 56-digit event id AWS gives each event (unique within a log group here).

    >>> len(event_id(1700000000000, 7))
    56
    """
    return f"{timestamp_ms:020d}{seq:036d}"


def payload(
    owner: str,
    log_group: str,
    log_stream: str,
    filter_names: Sequence[str],
    events: Sequence[tuple[str, int, str]],
    *,
    message_type: str = "DATA_MESSAGE",
) -> bytes:
    """The gzip-compressed JSON document of one delivery; `events` are (id, timestamp, message)."""
    document = {
        "messageType": message_type,
        "owner": owner,
        "logGroup": log_group,
        "logStream": log_stream,
        "subscriptionFilters": list(filter_names),
        "logEvents": [
            {"id": ident, "timestamp": timestamp, "message": message}
            for ident, timestamp, message in events
        ],
    }
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode(), compresslevel=6, mtime=0)


def control_payload(timestamp_ms: int, what: str) -> bytes:
    """The CONTROL_MESSAGE CloudWatch Logs sends to test a new destination."""
    return payload(
        "CloudwatchLogs",
        "",
        "",
        [],
        [("", timestamp_ms, f"CWL CONTROL MESSAGE: Checking health of destination {what}.")],
        message_type="CONTROL_MESSAGE",
    )


def decode(data: bytes) -> dict[str, Any]:
    """The JSON document inside a delivery (gzip bytes, or their base64 text)."""
    raw = data if data[:2] == b"\x1f\x8b" else base64.b64decode(data)
    result: dict[str, Any] = jsondoc.loads(gzip.decompress(raw))
    return result


#: The destinations a subscription can have: (ARN service, resource type) → kind.
_KINDS = {
    ("lambda", "function"): "lambda",
    ("kinesis", "stream"): "kinesis",
    ("firehose", "deliverystream"): "firehose",
    ("logs", "destination"): "logs",
}


def _kind(destination_arn: str) -> tuple[str, Arn, str]:
    """(kind, ARN, resource name) of a destination ARN (kind: lambda, kinesis ...)."""
    try:
        arn = Arn.parse(destination_arn)
    except InvalidArn:
        arn = None
    kind = None if arn is None else _KINDS.get((arn.service, arn.resource_type))
    if arn is not None and kind is not None:
        name = arn.resource_id.split(":")[0] if kind == "lambda" else arn.resource_id
        return kind, arn, name
    raise InvalidParameterException(
        f"Invalid destinationArn: {destination_arn}", param="destinationArn", value=destination_arn
    )


def _service_at(logs: LogsCore, name: str, arn: Arn) -> Any:
    """The service `name` holding `arn`, or None while awsmon does not simulate it."""
    try:
        registry.spec(name)
    except KeyError:
        return None
    return logs.ctx.service_at(arn, name)


def _destination(logs: LogsCore, arn: Arn, name: str) -> Any:
    """The logical destination `name` of the ARN's account and region, or None."""
    owner = logs.ctx.service_at(arn, logs.ctx.spec.name)
    return getattr(owner, "destinations", {}).get(name)


def _as_logs(logs: LogsCore) -> Principal:
    return Principal.service("logs.amazonaws.com", logs.account_id)


def _function_policy(function: Any) -> dict[str, Any] | None:
    if not function.policy:
        return None
    return {"Version": "2012-10-17", "Statement": list(function.policy)}


def _logs_principal(logs: LogsCore, function: Any) -> str:
    """The principal the function policy names: ``logs.amazonaws.com`` or the regional one."""
    regional = f"logs.{logs.region}.amazonaws.com"
    return regional if regional in json.dumps(function.policy) else "logs.amazonaws.com"


def _lambda_allows(logs: LogsCore, function: Any, group_arn: str) -> bool:
    policy = _function_policy(function)
    if policy is None:
        return False
    context = {"aws:SourceArn": group_arn, "aws:SourceAccount": logs.account_id}
    document = PolicyDocument.from_data(policy)
    return any(
        document.evaluate(who, "lambda:InvokeFunction", function.arn, context).allowed
        for who in ("logs.amazonaws.com", f"logs.{logs.region}.amazonaws.com")
    )


def _lambda_permitted(logs: LogsCore, subscription: SubscriptionFilter, function: Any) -> bool:
    """Ask the function policy at delivery time (it may have changed since the filter was put).

    The ``aws:SourceArn`` is the group's ARN in its ``...:log-group:NAME:*`` form, which
    Lambda's guide for Logs permissions matches with ``ArnLike``.
    """
    group_arn = logs.ctx.arn(f"log-group:{subscription.log_group_name}:*")
    check = logs.ctx.check_delivery(
        source=group_arn,
        target=function.arn,
        principal=_logs_principal(logs, function),
        action="lambda:InvokeFunction",
        policy=_function_policy(function),
        context={"aws:SourceArn": group_arn, "aws:SourceAccount": logs.account_id},
        what="function policy",
    )
    if not check.allowed:
        _count_error(logs, subscription, "Lambda")
    return check.delivered


def _count_error(logs: LogsCore, subscription: SubscriptionFilter, destination: str) -> None:
    """Count one refused delivery in AWS/Logs DeliveryErrors."""
    from awsmon.cloudwatch import MetricKey, StandardUnit

    try:
        cloudwatch = logs.ctx.sibling("cloudwatch")
    except KeyError:
        return
    dimensions = {
        "LogGroupName": subscription.log_group_name,
        "DestinationType": destination,
        "FilterName": subscription.name,
    }
    cloudwatch.publish(
        MetricKey.of("AWS/Logs", "DeliveryErrors", dimensions),
        [(logs.ctx.now(), 1.0)],
        unit=StandardUnit.COUNT,
    )


def check_destination(logs: LogsCore, subscription: SubscriptionFilter, group_arn: str) -> None:
    """Check a new subscription's destination as PutSubscriptionFilter does.

    Raises:
        InvalidParameterException: a bad ARN, a missing role for Kinesis or
            Firehose, a Lambda function that does not exist or does not let
            CloudWatch Logs invoke it, or a stream that refuses the control
            message.
    """
    arn = subscription.destination_arn
    kind, parsed, name = _kind(arn)
    if kind in ("kinesis", "firehose") and subscription.role_arn is None:
        raise InvalidParameterException(
            f"destinationArn for vendor {kind} cannot be used without roleArn",
            param="roleArn",
            value=None,
        )
    if subscription.distribution is Distribution.RANDOM and kind != "kinesis":
        raise InvalidParameterException(
            "Only Kinesis Data Streams support the Random distribution.",
            param="distribution",
            value=subscription.distribution.value,
        )
    if kind == "lambda":
        functions = _service_at(logs, "lambda_", parsed)
        if functions is None:
            return
        try:
            function = functions.function(arn)
        except ServiceError:
            function = None
        if function is None or not _lambda_allows(logs, function, group_arn):
            raise InvalidParameterException(
                "Could not execute the lambda function. Make sure you have given CloudWatch "
                "Logs permission to execute your function.",
                param="destinationArn",
                value=arn,
            )
        return
    if kind == "logs":
        destination = _destination(logs, parsed, name)
        if destination is None:
            raise InvalidParameterException(
                "The specified destination does not exist.", param="destinationArn", value=arn
            )
        if parsed.account_id != logs.account_id and not destination.allows(logs.account_id):
            raise AccessDeniedException(
                f"User with accountId: {logs.account_id} is not authorized to perform: "
                f"logs:PutSubscriptionFilter on resource: {arn}",
                param="destinationArn",
                value=arn,
            )
        kind, parsed, name = _kind(destination.target_arn)
    what = "Kinesis stream" if kind == "kinesis" else "Firehose"
    data = control_payload(logs.now_ms(), what)
    if not _put(logs, kind, parsed, name, data, "control"):
        label = "Kinesis stream" if kind == "kinesis" else "Firehose stream"
        raise InvalidParameterException(
            f"Could not deliver test message to specified {label}. Check if the given "
            f"{'kinesis' if kind == 'kinesis' else 'Firehose'} stream is in ACTIVE state.",
            param="destinationArn",
            value=arn,
        )
    _record(logs, Delivery(arn, "", data, True))


def _put(logs: LogsCore, kind: str, arn: Arn, name: str, data: bytes, key: str) -> bool:
    """Hand `data` to a Kinesis stream or Firehose stream; False if refused or not simulated."""
    return _put_error(logs, kind, arn, name, data, key) is None


def _put_error(
    logs: LogsCore, kind: str, arn: Arn, name: str, data: bytes, key: str
) -> str | None:
    """Like `_put`, giving the error code of a refusal (None when handed over)."""
    target = _service_at(logs, kind, arn)
    if target is None:  # not simulated yet: nothing to refuse the message
        return None
    try:
        with logs.ctx.as_principal(_as_logs(logs)):
            if kind == "kinesis":
                target.put_record(name, data, key)
            else:
                target.put_record(name, data)
    except ServiceError as exc:
        return exc.code
    except KeyError:
        return "ResourceNotFoundException"
    return None


def _record(logs: LogsCore, delivery: Delivery) -> None:
    deliveries = getattr(logs, "deliveries", None)
    if deliveries is not None:
        deliveries.append(delivery)


def deliver(
    logs: LogsCore,
    subscription: SubscriptionFilter,
    log_stream: str,
    events: Sequence[tuple[str, int, str]],
) -> bool:
    """Send matching `events` (id, timestamp, message) of one batch to the destination.

    Never raises: a refused delivery is recorded with ``delivered=False``
    (AWS counts it in the ``DeliveryErrors`` metric and retries).
    """
    arn = subscription.destination_arn
    data = payload(
        logs.account_id, subscription.log_group_name, log_stream, [subscription.name], events
    )
    kind, parsed, name = _kind(arn)
    delivered = False
    error: str | None = None
    if kind == "lambda":
        functions = _service_at(logs, "lambda_", parsed)
        if functions is not None:
            event = {"awslogs": {"data": base64.b64encode(data).decode()}}
            try:
                if _lambda_permitted(logs, subscription, functions.function(arn)):
                    with logs.ctx.as_principal(_as_logs(logs)):
                        functions.invoke(arn, event, invocation_type="Event")
                    delivered = True
            except ServiceError as exc:
                delivered, error = False, exc.code
    if kind == "logs":
        destination = _destination(logs, parsed, name)
        if destination is None:
            kind = "missing"
        else:
            kind, parsed, name = _kind(destination.target_arn)
    if kind in ("kinesis", "firehose"):
        if subscription.distribution is Distribution.RANDOM:
            key = logs.ctx.ids.hex(32)
        else:
            key = hashlib.md5(f"{subscription.log_group_name}/{log_stream}".encode()).hexdigest()
        if _service_at(logs, kind, parsed) is not None:
            error = _put_error(logs, kind, parsed, name, data, key)
            delivered = error is None
    _record(logs, Delivery(arn, subscription.name, data, delivered))
    _count(logs, subscription, kind, events, delivered, error in _THROTTLING)
    return delivered


_DESTINATION_TYPES = {"lambda": "Lambda", "kinesis": "Kinesis", "firehose": "Firehose"}
_THROTTLING = (
    "ProvisionedThroughputExceededException",
    "ServiceUnavailableException",
    "TooManyRequestsException",
)


def _count(
    logs: LogsCore,
    subscription: SubscriptionFilter,
    kind: str,
    events: Sequence[tuple[str, int, str]],
    delivered: bool,
    throttled: bool,
) -> None:
    """Count a delivery in AWS/Logs: Forwarded*, DeliveryErrors or DeliveryThrottling."""
    vended = getattr(logs, "vended", None)
    if vended is None or not vended.enabled:
        return
    where = (
        ("DestinationType", _DESTINATION_TYPES.get(kind, "Logs")),
        ("FilterName", subscription.name),
        ("LogGroupName", subscription.log_group_name),
    )
    if delivered:
        vended.add("ForwardedLogEvents", where, float(len(events)))
        size = float(sum(len(message.encode()) for _, _, message in events))
        vended.add("ForwardedBytes", where, size, StandardUnit.BYTES)
    else:
        metric = "DeliveryThrottling" if throttled else "DeliveryErrors"
        vended.add(metric, where, float(len(events)))

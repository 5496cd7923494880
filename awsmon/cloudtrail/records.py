"""CloudTrail records: what is kept of each call, and the JSON AWS writes for it.

Main pieces:

- `CallRecord`: one logged call, kept compactly (references to the call's
  principal and parameters, the response only for write management events,
  the error as code and message); `record_of` builds it from an `ApiCall`.
- `render`: the record as AWS writes it (``eventVersion`` ... ``eventCategory``,
  in the key order of AWS's samples), built only when someone reads it.
- `username`, `lookup_resources`, `data_resources`: the derived fields that
  LookupEvents and the selectors compare.

Simulation notes: ``sourceIPAddress`` is `SOURCE_IP` (a documentation address)
for callers outside AWS and the service's host name for AWS services;
``userAgent`` is boto3's own header for boto3 calls, ``awsmon/<version> (wire)``
or ``(domain)`` otherwise; an assumed role's ``sessionContext.attributes.creationDate``
is the event time (awsmon does not keep session start times there);
``eventID`` is derived from the request id (same run, same ids).
"""

from __future__ import annotations

import enum
import hashlib
import marshal
from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import attrs

from awsmon import registry
from awsmon.arn import Arn, partition_for
from awsmon.cloudtrail.classify import Category, Classification
from awsmon.dispatch import ApiCall
from awsmon.identity import Principal

__all__ = [
    "EVENT_VERSION",
    "SOURCE_IP",
    "CallRecord",
    "data_resources",
    "event_id_of",
    "event_time",
    "lookup_resources",
    "record_of",
    "render",
    "username",
]

#: The ``eventVersion`` awsmon writes: the field set of version 1.08 (tlsDetails,
#: sessionCredentialFromConsole), as AWS writes most records today.
EVENT_VERSION = "1.08"

#: The ``sourceIPAddress`` of callers outside AWS (an RFC 5737 documentation address).
SOURCE_IP = "203.0.113.10"

_AGENT = "awsmon/0.1.0"


class CallRecord:
    """One logged call, as CloudTrail keeps it until someone reads it.

    A plain slotted class (no ``__dict__``, no weak-reference slot): a cloud
    keeps one for every logged call, up to millions. What it holds is shared
    where it can be: the service, operation, place, source and principal are
    the call's own objects (one each for every call alike), and the request
    parameters and response of a management event are kept packed
    (`marshal` bytes, a third of the size of the dicts, and a copy: a caller
    changing its dict afterwards does not change the record), unpacked when
    read. Data events (the frequent ones: PutMetricData, SendMessage) keep
    their parameters by reference, as packing costs more time than they save.
    The JSON record is built only when someone reads it (`render`).

    Attributes:
        request_id: the call's request id (``requestID``).
        at: when it happened (``eventTime``).
        service: the botocore service name.
        operation: the operation (``eventName``).
        account_id / region: where it acted (``recipientAccountId``, ``awsRegion``).
        principal: who called.
        parameters: the request parameters as the caller gave them.
        response: the response of a successful management write, else None
            (also for an empty response, which AWS writes as ``null``).
        error_code / error_message: the AWS error of a failed call.
        kind: how CloudTrail classifies the operation.
        source: ``boto3``, ``wire`` or ``domain``.
        user_agent / access_key_id: from the request, when known.
    """

    __slots__ = (
        "_extra",
        "_parameters",
        "_response",
        "account_id",
        "at",
        "kind",
        "operation",
        "principal",
        "region",
        "request_id",
        "service",
        "source",
    )

    def __init__(self, call: ApiCall, kind: Classification) -> None:
        """The compact record of `call`, classified as `kind`."""
        self.request_id = call.request_id
        self.at = call.at
        self.service = call.service
        self.operation = call.operation
        self.account_id = call.account_id
        self.region = call.region
        self.principal = call.principal
        self.kind = kind
        self.source = call.source
        error = call.error
        parameters = call.parameters
        if kind.category is _MANAGEMENT:
            self._parameters: Any = _packed(parameters) if parameters else _NOTHING
            response = None
            if error is None and not kind.read_only:
                response = _snapshot(call.response) if call.source == "domain" else call.response
            self._response: Any = _packed(response) if response else None
        else:
            self._parameters = parameters
            self._response = None
        if error is None and call.user_agent is None and call.access_key_id is None:
            self._extra: tuple[str | None, ...] | None = None
        else:
            self._extra = (
                None if error is None else error.code,
                None if error is None else error.message,
                call.user_agent,
                call.access_key_id,
            )

    def __deepcopy__(self, memo: dict[int, Any]) -> CallRecord:
        # A record never changes once made: forks of a cloud share it (Cloud.fork).
        return self

    def __repr__(self) -> str:
        return f"CallRecord({self.request_id!r}, {self.service}.{self.operation})"

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The request parameters (unpacked anew on each read)."""
        kept: Mapping[str, Any] | bytes = self._parameters
        return marshal.loads(kept) if isinstance(kept, bytes) else kept

    @property
    def response(self) -> Any:
        """The response of a successful write, else None."""
        kept = self._response
        return marshal.loads(kept) if type(kept) is bytes else kept

    @property
    def error_code(self) -> str | None:
        """The AWS error code of a failed call, else None."""
        return None if self._extra is None else self._extra[0]

    @property
    def error_message(self) -> str | None:
        """The AWS error message of a failed call, else None."""
        return None if self._extra is None else self._extra[1]

    @property
    def user_agent(self) -> str | None:
        """The request's ``User-Agent``, when known."""
        return None if self._extra is None else self._extra[2]

    @property
    def access_key_id(self) -> str | None:
        """The access key that signed the request, when known."""
        return None if self._extra is None else self._extra[3]

    @property
    def read_only(self) -> bool:
        """The record's ``readOnly``."""
        return self.kind.read_only

    @property
    def management(self) -> bool:
        """True for a management event."""
        return self.kind.category is _MANAGEMENT

    @property
    def event_id(self) -> str:
        """The record's ``eventID``."""
        return event_id_of(self.request_id)

    @property
    def event_source(self) -> str:
        """The ``eventSource`` (``logs.amazonaws.com``)."""
        return _event_source(self.service)


_MANAGEMENT = Category.MANAGEMENT
_NOTHING: Mapping[str, Any] = MappingProxyType({})


def _packed(value: Any) -> Any:
    """`value` as `marshal` bytes, or `value` itself when it holds other than plain data.

    `marshal` takes only exact builtin types (a str subclass, a datetime or a
    custom mapping refuses), so what it packs unpacks equal and of the same types.
    """
    try:
        return marshal.dumps(value)
    except ValueError:
        return value


def record_of(call: ApiCall, kind: Classification) -> CallRecord:
    """The compact record of `call`, classified as `kind` (what `CallRecord(call, kind)` makes)."""
    return CallRecord(call, kind)


def event_id_of(request_id: str) -> str:
    """The ``eventID`` of the call `request_id`: a GUID of its own, the same every run."""
    digest = hashlib.sha1(request_id.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


def event_time(at: datetime) -> str:
    """``eventTime`` text: UTC to the second (``2014-03-06T21:22:54Z``)."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


_SOURCES: dict[str, str] = {}


def _event_source(service: str) -> str:
    found = _SOURCES.get(service)
    if found is None:
        spec = registry.spec_for_botocore(service)
        found = spec.event_source if spec is not None else f"{service}.amazonaws.com"
        _SOURCES[service] = found
    return found


_USERNAMES: dict[str, str] = {}


def username(principal: Principal) -> str:
    """LookupEvents' ``Username`` of a principal.

    Root → ``root``; an IAM user → its name; an assumed role → the role
    session name; an AWS service → its host name.
    """
    found = _USERNAMES.get(principal.arn)
    if found is None:
        kind = principal.type
        if kind == "Root":
            found = "root"
        elif kind == "AWSService":
            found = principal.arn
        else:
            found = principal.arn.rsplit("/", 1)[-1]
        if len(_USERNAMES) < 4096:
            _USERNAMES[principal.arn] = found
    return found


def _user_identity(record: CallRecord) -> dict[str, Any]:
    who = record.principal
    kind = who.type
    if kind == "AWSService":
        return {"type": "AWSService", "invokedBy": who.arn}
    if who.account_id != record.account_id:
        # A caller from another account: the recipient sees the account only.
        return {"type": "AWSAccount", "principalId": who.user_id, "accountId": who.account_id}
    identity: dict[str, Any] = {
        "type": kind,
        "principalId": who.user_id,
        "arn": who.arn,
        "accountId": who.account_id,
    }
    if record.access_key_id is not None:
        identity["accessKeyId"] = record.access_key_id
    if kind == "IAMUser":
        identity["userName"] = username(who)
    elif kind in ("AssumedRole", "Role"):
        parsed = Arn.parse(who.arn)
        role = parsed.resource_id.split("/", 1)[0]
        role_id = who.user_id.split(":", 1)[0]
        identity["sessionContext"] = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:{parsed.partition}:iam::{who.account_id}:role/{role}",
                "accountId": who.account_id,
                "userName": role,
            },
            "attributes": {"creationDate": event_time(record.at), "mfaAuthenticated": "false"},
        }
    return identity


def _camel(value: Any) -> Any:
    """Request/response members as CloudTrail writes them: first letter lower case."""
    if isinstance(value, Mapping):
        return {
            (key[:1].lower() + key[1:]) if isinstance(key, str) else str(key): _camel(item)
            for key, item in value.items()
            if key != "ResponseMetadata" and not isinstance(item, bytes | bytearray)
        }
    if isinstance(value, list | tuple):
        return [_camel(item) for item in value]
    if isinstance(value, datetime):
        return event_time(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _snapshot(value: Any) -> Any:
    """A shallow, JSON-like view of a domain method's result, taken when it returns."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _scalar(v) for k, v in value.items() if _scalar(v) is not None}
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        shown = {f.name: _scalar(getattr(value, f.name)) for f in fields}
        return {_pascal(k): v for k, v in shown.items() if v is not None}
    return None


def _scalar(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return event_time(value)
    if isinstance(value, str | int | float | bool):
        return value
    return None


def _pascal(name: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in name.split("_"))


def render(record: CallRecord, *, event_version: str = EVENT_VERSION) -> dict[str, Any]:
    """The record as AWS writes it in S3 files, Logs, LookupEvents and EventBridge."""
    service_caller = record.principal.type == "AWSService"
    body: dict[str, Any] = {
        "eventVersion": event_version,
        "userIdentity": _user_identity(record),
        "eventTime": event_time(record.at),
        "eventSource": record.event_source,
        "eventName": record.operation,
        "awsRegion": record.region,
        "sourceIPAddress": record.principal.arn if service_caller else SOURCE_IP,
        "userAgent": _user_agent(record),
    }
    if record.error_code is not None:
        body["errorCode"] = record.error_code
        body["errorMessage"] = (record.error_message or "")[:1024]
    body["requestParameters"] = _camel(record.parameters) if record.parameters else None
    response = _camel(record.response) if record.response is not None else None
    body["responseElements"] = response if response not in ({}, "", []) else None
    body["requestID"] = record.request_id
    body["eventID"] = record.event_id
    body["readOnly"] = record.read_only
    resources = [
        {"accountId": record.account_id, "type": kind, "ARN": arn}
        for kind, arn in data_resources(record)
    ]
    if resources:
        body["resources"] = resources
    body["eventType"] = "AwsApiCall"
    body["managementEvent"] = record.management
    body["recipientAccountId"] = record.account_id
    body["eventCategory"] = record.kind.category.value
    if record.source == "boto3":
        body["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": (
                f"{record.event_source.split('.')[0]}.{record.region}.amazonaws.com"
            ),
        }
    return body


def _user_agent(record: CallRecord) -> str:
    if record.user_agent:
        return record.user_agent[:1024]
    if record.principal.type == "AWSService":
        return record.principal.arn
    return f"{_AGENT} ({record.source})"


# -- resources ----------------------------------------------------------------------------

#: Request members that name a resource, for LookupEvents' ``Resources``
#: (ResourceType / ResourceName).
_NAMED: dict[str, str] = {
    "logGroupName": "AWS::Logs::LogGroup",
    "LogGroupName": "AWS::Logs::LogGroup",
    "logStreamName": "AWS::Logs::LogStream",
    "AlarmName": "AWS::CloudWatch::Alarm",
    "DashboardName": "AWS::CloudWatch::Dashboard",
    "Bucket": "AWS::S3::Bucket",
    "FunctionName": "AWS::Lambda::Function",
    "TopicArn": "AWS::SNS::Topic",
    "QueueUrl": "AWS::SQS::Queue",
    "QueueName": "AWS::SQS::Queue",
    "StreamName": "AWS::Kinesis::Stream",
    "DeliveryStreamName": "AWS::KinesisFirehose::DeliveryStream",
    "AutoScalingGroupName": "AWS::AutoScaling::AutoScalingGroup",
    "KeyId": "AWS::KMS::Key",
    "RoleArn": "AWS::IAM::Role",
    "GroupName": "AWS::XRay::Group",
    "EventBusName": "AWS::Events::EventBus",
}
_NAMED_BY_SERVICE: dict[tuple[str, str], str] = {
    ("cloudtrail", "Name"): "AWS::CloudTrail::Trail",
    ("cloudtrail", "TrailName"): "AWS::CloudTrail::Trail",
    ("events", "Name"): "AWS::Events::Rule",
    ("events", "Rule"): "AWS::Events::Rule",
}
_LISTED: dict[str, str] = {
    "AlarmNames": "AWS::CloudWatch::Alarm",
    "InstanceIds": "AWS::EC2::Instance",
    "instanceIds": "AWS::EC2::Instance",
}


def lookup_resources(record: CallRecord) -> list[tuple[str, str]]:
    """LookupEvents' ``Resources`` of a record: (ResourceType, ResourceName) pairs."""
    found: list[tuple[str, str]] = []
    params = record.parameters
    if not params:
        return found
    for name, value in params.items():
        kind = _NAMED_BY_SERVICE.get((record.service, name)) or _NAMED.get(name)
        if kind is not None and isinstance(value, str):
            found.append((kind, value))
            continue
        kind = _LISTED.get(name)
        if kind is not None and isinstance(value, list | tuple):
            found.extend((kind, item) for item in value if isinstance(item, str))
    return found


def data_resources(record: CallRecord) -> list[tuple[str, str]]:
    """The (type, ARN) resources a data event touched, as selectors and ``resources`` see them."""
    kind = record.kind
    if kind.category is not Category.DATA or kind.resource_type is None:
        return []
    params = record.parameters
    account, region = record.account_id, record.region
    rtype = kind.resource_type
    arn = _data_arn(record.service, params, account, region)
    return [] if arn is None else [(rtype, arn)]


def _data_arn(service: str, params: Mapping[str, Any], account: str, region: str) -> str | None:
    def text(*names: str) -> str | None:
        for name in names:
            value = params.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    aws = partition_for(region)
    if service == "s3":
        bucket = text("Bucket")
        key = text("Key") or ""
        return None if bucket is None else f"arn:{aws}:s3:::{bucket}/{key}"
    if service == "lambda":
        name = text("FunctionName")
        if name is None:
            return None
        return (
            name
            if name.startswith("arn:")
            else (f"arn:{aws}:lambda:{region}:{account}:function:{name}")
        )
    if service == "sns":
        return text("TopicArn", "TargetArn")
    if service == "sqs":
        url = text("QueueUrl")
        return None if url is None else f"arn:{aws}:sqs:{region}:{account}:{url.rsplit('/', 1)[-1]}"
    if service == "kinesis":
        arn = text("StreamARN")
        name = text("StreamName")
        return arn or (
            None if name is None else f"arn:{aws}:kinesis:{region}:{account}:stream/{name}"
        )
    if service == "logs":
        group = text("logGroupName", "LogGroupName")
        return None if group is None else f"arn:{aws}:logs:{region}:{account}:log-group:{group}"
    if service == "events":
        bus = text("EventBusName") or "default"
        if bus.startswith("arn:"):
            return bus
        return f"arn:{aws}:events:{region}:{account}:event-bus/{bus}"
    if service == "cloudwatch":
        namespace = text("Namespace")
        return f"arn:{aws}:cloudwatch:{region}:{account}:metric/{namespace or '*'}"
    if service == "xray":
        return f"arn:{aws}:xray:{region}:{account}:trace/*"
    return None

"""SQS's values, queues, errors and the checks SQS applies to them.

Main pieces: `Queue`, `Message`, `MessageAttribute`, `ReceivedMessage`,
`SendResult`, `validate_attributes`, `check_message`,
`md5_of_message_attributes`, and the SQS error classes. The stateful service
is `awsmon.neighbours.sqs.SQS`.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import Factory, define, field, frozen

from awsmon import jsondoc
from awsmon.arn import Arn, InvalidArn
from awsmon.neighbours.sqs.errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidMessageContents,
    InvalidParameterValue,
    MissingParameter,
)

if TYPE_CHECKING:
    from awsmon.cloudwatch import VendedMetrics

__all__ = [
    "ALL_ATTRIBUTES",
    "SETTABLE",
    "Message",
    "MessageAttribute",
    "Queue",
    "ReceivedMessage",
    "SendResult",
    "check_message",
    "md5_of_message_attributes",
    "validate_attributes",
]

# -- values -------------------------------------------------------------------


@frozen
class MessageAttribute:
    """A message attribute: `data_type` ``String``/``Number``/``Binary`` (+ ``.label``)."""

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None


def md5_of_message_attributes(attributes: Mapping[str, MessageAttribute]) -> str:
    """SQS's MD5OfMessageAttributes: names sorted, each length-prefixed with its type and value.

    >>> md5_of_message_attributes({"a": MessageAttribute("String", "b")})
    'bef8bf215374a0a228d67533b1a488be'
    """
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        for text in (name, value.data_type):
            encoded = text.encode()
            digest.update(struct.pack(">I", len(encoded)) + encoded)
        if value.binary_value is not None:
            digest.update(b"\x02" + struct.pack(">I", len(value.binary_value)) + value.binary_value)
        else:
            encoded = (value.string_value or "").encode()
            digest.update(b"\x01" + struct.pack(">I", len(encoded)) + encoded)
    return digest.hexdigest()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _ms(when: datetime) -> str:
    return str(int(when.timestamp() * 1000))


@frozen(kw_only=True)
class SendResult:
    """What SendMessage answers: the id, the MD5s, the FIFO sequence number."""

    message_id: str
    md5_of_message_body: str
    md5_of_message_attributes: str | None = None
    md5_of_message_system_attributes: str | None = None
    sequence_number: str | None = None


@define(eq=False, kw_only=True)
class Message:
    """A message in a queue, with its delivery state on the virtual clock.

    Attributes:
        message_id: the message id.
        body: the body text.
        message_attributes: the user's message attributes.
        system_attributes: message system attributes sent (``AWSTraceHeader``).
        sent_at: when it was first enqueued (kept when redriven to a DLQ).
        sender_id: the sender's id (``SenderId``).
        visible_at: when it is (next) visible; later than now while delayed or in flight.
        receive_count: how many times it was received.
        first_received_at: when it was first received, None until then.
        receipt_handle: the latest receipt handle, None until received.
        group_id / deduplication_id / sequence_number: FIFO fields.
        dead_letter_source_arn: the queue it was moved from, on a DLQ.
    """

    message_id: str
    body: str
    message_attributes: Mapping[str, MessageAttribute] = field(factory=dict)
    system_attributes: Mapping[str, MessageAttribute] = field(factory=dict)
    sent_at: datetime
    sender_id: str
    visible_at: datetime
    receive_count: int = 0
    first_received_at: datetime | None = None
    receipt_handle: str | None = None
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    dead_letter_source_arn: str | None = None

    def in_flight(self, now: datetime) -> bool:
        """True when received and not yet visible again."""
        return self.receive_count > 0 and self.visible_at > now

    def system_attribute_values(self) -> dict[str, str]:
        """The message's system attributes as ReceiveMessage spells them."""
        values = {
            "SenderId": self.sender_id,
            "SentTimestamp": _ms(self.sent_at),
            "ApproximateReceiveCount": str(self.receive_count),
        }
        if self.first_received_at is not None:
            values["ApproximateFirstReceiveTimestamp"] = _ms(self.first_received_at)
        for name, value in (
            ("SequenceNumber", self.sequence_number),
            ("MessageDeduplicationId", self.deduplication_id),
            ("MessageGroupId", self.group_id),
            ("DeadLetterQueueSourceArn", self.dead_letter_source_arn),
        ):
            if value is not None:
                values[name] = value
        trace = self.system_attributes.get("AWSTraceHeader")
        if trace is not None and trace.string_value is not None:
            values["AWSTraceHeader"] = trace.string_value
        return values


@frozen(kw_only=True)
class ReceivedMessage:
    """One message as a ReceiveMessage call handed it out.

    Attributes:
        message_id / receipt_handle / body / md5_of_body: as AWS names them.
        attributes: every system attribute (``SentTimestamp``, ``ApproximateReceiveCount`` ...).
        message_attributes: the user's message attributes.
    """

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    attributes: Mapping[str, str]
    message_attributes: Mapping[str, MessageAttribute]


# -- queues ---------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_BODY_OK = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")

# Attribute: (default, minimum, maximum) for the integer attributes.
_INTEGERS: dict[str, tuple[int, int, int]] = {
    "DelaySeconds": (0, 0, 900),
    "MaximumMessageSize": (1_048_576, 1024, 1_048_576),
    "MessageRetentionPeriod": (345_600, 60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 0, 20),
    "VisibilityTimeout": (30, 0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (300, 60, 86_400),
}
_BOOLEANS = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
_STRINGS = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")
_FIFO_ONLY = {"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}
_READ_ONLY = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
)
#: The attributes CreateQueue and SetQueueAttributes accept.
SETTABLE = (*_INTEGERS, *_BOOLEANS, *_STRINGS, "DeduplicationScope", "FifoThroughputLimit")
#: Every attribute name GetQueueAttributes knows.
ALL_ATTRIBUTES = (*_READ_ONLY, *SETTABLE)


@define(eq=False)
class Queue:
    """An SQS queue: its settings (as AWS's attribute strings) and its messages.

    Attributes:
        name / url / arn: the queue's identity.
        created_at / last_modified_at: aware UTC datetimes.
        settings: the settable attributes, as strings (``VisibilityTimeout``: ``"30"``).
        tags: the queue's tags.
        messages: the messages not yet deleted or expired, in enqueue order.
        oldest_sent_at: the earliest ``sent_at`` among `messages` when last
            looked at (None: unknown), so `expire` looks at every message only
            when one may have expired.
        deleted_since_rebuild: messages deleted by `SQS.settle` since
            `messages` was last rebuilt (see there).
        active_at: the last send, receive or delete (AWS publishes the
            metrics of a queue active in the last six hours).
        metrics: the owner's AWS/SQS counters.
        dims: the dimensions of its AWS/SQS metrics.
    """

    name: str
    url: str
    arn: str
    created_at: datetime
    last_modified_at: datetime
    settings: dict[str, str]
    tags: dict[str, str] = field(factory=dict)
    messages: dict[str, Message] = field(factory=dict, repr=False)
    handles: dict[str, str] = field(factory=dict, repr=False)
    dedup: dict[str, tuple[datetime, str, str | None]] = field(factory=dict, repr=False)
    purged_at: datetime | None = None
    sequence: int = 0
    oldest_sent_at: datetime | None = None
    deleted_since_rebuild: int = 0
    active_at: datetime | None = field(default=None, repr=False)
    metrics: VendedMetrics | None = field(default=None, repr=False)
    dims: tuple[tuple[str, str], ...] = field(
        init=False, repr=False, default=Factory(lambda self: (("QueueName", self.name),), True)
    )

    @property
    def fifo(self) -> bool:
        """True for a FIFO queue."""
        return self.settings.get("FifoQueue") == "true"

    def setting(self, name: str) -> int:
        """An integer setting (``VisibilityTimeout``) with its AWS default."""
        return int(self.settings.get(name, _INTEGERS[name][0]))

    @property
    def redrive(self) -> tuple[str, int] | None:
        """(dead-letter target ARN, maxReceiveCount), or None without a redrive policy."""
        text = self.settings.get("RedrivePolicy")
        if not text:
            return None
        data = jsondoc.loads(text)
        return str(data["deadLetterTargetArn"]), int(data["maxReceiveCount"])

    def expire(self, now: datetime) -> None:
        """Drop the messages older than the retention period."""
        retention = timedelta(seconds=self.setting("MessageRetentionPeriod"))
        if self.oldest_sent_at is not None and self.oldest_sent_at + retention > now:
            return  # nothing is old enough yet: no need to look at every message
        for message_id in [
            m.message_id for m in self.messages.values() if m.sent_at + retention <= now
        ]:
            del self.messages[message_id]
        self.oldest_sent_at = min((m.sent_at for m in self.messages.values()), default=None)

    def counts(self, now: datetime) -> tuple[int, int, int]:
        """(visible, in flight, delayed) message counts."""
        self.expire(now)
        visible = in_flight = delayed = 0
        for message in self.messages.values():
            if message.visible_at <= now:
                visible += 1
            elif message.receive_count:
                in_flight += 1
            else:
                delayed += 1
        return visible, in_flight, delayed

    def attributes(self, now: datetime) -> dict[str, str]:
        """Every attribute GetQueueAttributes can answer, as strings."""
        visible, in_flight, delayed = self.counts(now)
        values = {
            "QueueArn": self.arn,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(in_flight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(int(self.created_at.timestamp())),
            "LastModifiedTimestamp": str(int(self.last_modified_at.timestamp())),
        }
        for name, (default, _, _) in _INTEGERS.items():
            if name != "KmsDataKeyReusePeriodSeconds" or "KmsMasterKeyId" in self.settings:
                values[name] = self.settings.get(name, str(default))
        values["SqsManagedSseEnabled"] = self.settings.get("SqsManagedSseEnabled", "true")
        for name, value in self.settings.items():
            values.setdefault(name, value)
        if self.fifo:
            values.setdefault("ContentBasedDeduplication", "false")
            values.setdefault("DeduplicationScope", "queue")
            values.setdefault("FifoThroughputLimit", "perQueue")
        return values


def _is_sqs_arn(text: str) -> bool:
    """Whether `text` is an SQS ARN (in any partition)."""
    try:
        return Arn.parse(text).service == "sqs"
    except InvalidArn:
        return False


def _check_json_policy(name: str, text: str) -> dict[str, Any]:
    try:
        data = jsondoc.loads(text)
    except ValueError:
        raise InvalidAttributeValue(
            f"Invalid value for the parameter {name}. Reason: the value is not valid JSON.",
            param=name,
            value=text,
        ) from None
    if not isinstance(data, dict):
        raise InvalidAttributeValue(
            f"Invalid value for the parameter {name}.", param=name, value=text
        )
    return data


def validate_attributes(
    attributes: Mapping[str, str], *, fifo: bool, creating: bool
) -> dict[str, str]:
    """Check queue attributes as SQS does; returns them normalised as strings.

    Raises:
        InvalidAttributeName: an unknown or read-only attribute.
        InvalidAttributeValue: a value out of range or malformed.
    """
    checked: dict[str, str] = {}
    for name, raw in attributes.items():
        value = str(raw)
        bad = InvalidAttributeValue(
            f"Invalid value for the parameter {name}.", param=name, value=value
        )
        if name not in SETTABLE:
            raise InvalidAttributeName(f"Unknown Attribute {name}.", param=name, value=name)
        if name in _FIFO_ONLY and not fifo:
            raise InvalidAttributeName(f"Unknown Attribute {name}.", param=name, value=name)
        if name in _INTEGERS:
            _, low, high = _INTEGERS[name]
            if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
                raise bad
            value = str(int(value))
        elif name in _BOOLEANS:
            if value.lower() not in ("true", "false"):
                raise bad
            value = value.lower()
            if name == "FifoQueue" and not creating:
                raise InvalidAttributeName(
                    "Invalid attribute name. FifoQueue can only be set when creating a queue.",
                    param=name,
                    value=name,
                )
        elif name == "RedrivePolicy" and value:
            data = _check_json_policy(name, value)
            target = data.get("deadLetterTargetArn")
            count = data.get("maxReceiveCount")
            if not isinstance(target, str) or not _is_sqs_arn(target):
                raise InvalidParameterValue(
                    f"Value {value} for parameter RedrivePolicy is invalid. Reason: Invalid value "
                    "for deadLetterTargetArn.",
                    param=name,
                    value=value,
                )
            try:
                number = int(count)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= 1000:
                raise InvalidParameterValue(
                    f"Value {value} for parameter RedrivePolicy is invalid. Reason: Invalid value "
                    "for maxReceiveCount: "
                    f"{count}, valid values are from 1 to 1000 both inclusive.",
                    param=name,
                    value=value,
                )
        elif name in ("Policy", "RedriveAllowPolicy") and value:
            _check_json_policy(name, value)
        elif (name == "DeduplicationScope" and value not in ("messageGroup", "queue")) or (
            name == "FifoThroughputLimit" and value not in ("perQueue", "perMessageGroupId")
        ):
            raise bad
        checked[name] = value
    return checked


def check_message(
    queue: Queue,
    body: str,
    *,
    delay_seconds: int | None,
    attributes: Mapping[str, MessageAttribute],
    deduplication_id: str | None,
    group_id: str | None,
) -> None:
    """Validate one message for `queue` without sending it (batches check all first).

    Raises:
        MissingParameter / InvalidParameterValue / InvalidMessageContents: as SQS does.
    """
    if not body:
        raise MissingParameter(
            "The request must contain the parameter MessageBody.", param="MessageBody"
        )
    if not _BODY_OK.fullmatch(body):
        raise InvalidMessageContents(
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
            "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
            param="MessageBody",
            value=body,
        )
    size = len(body.encode()) + sum(
        len(name.encode())
        + len(v.data_type)
        + len(v.binary_value or (v.string_value or "").encode())
        for name, v in attributes.items()
    )
    limit = queue.setting("MaximumMessageSize")
    if size > limit:
        raise InvalidParameterValue(
            f"One or more parameters are invalid. Reason: Message must be shorter than "
            f"{limit} bytes.",
            param="MessageBody",
            value=size,
        )
    if len(attributes) > 10:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [10].",
            param="MessageAttributes",
            value=len(attributes),
        )
    if delay_seconds is not None and not 0 <= delay_seconds <= 900:
        raise InvalidParameterValue(
            f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: "
            "DelaySeconds must be >= 0 and <= 900.",
            param="DelaySeconds",
            value=delay_seconds,
        )
    if queue.fifo:
        if delay_seconds:
            raise InvalidParameterValue(
                f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: The "
                "request include parameter that is not valid for this queue type.",
                param="DelaySeconds",
                value=delay_seconds,
            )
        if not group_id:
            raise MissingParameter(
                "The request must contain the parameter MessageGroupId.",
                param="MessageGroupId",
            )
        if not deduplication_id and queue.settings.get("ContentBasedDeduplication") != "true":
            raise InvalidParameterValue(
                "The queue should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly",
                param="MessageDeduplicationId",
            )
    elif deduplication_id is not None:
        raise InvalidParameterValue(
            f"Value {deduplication_id} for parameter MessageDeduplicationId is invalid. "
            "Reason: The request includes a parameter that is not valid for this queue type.",
            param="MessageDeduplicationId",
            value=deduplication_id,
        )

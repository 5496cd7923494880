"""SNS's values and naming rules.

Main pieces: `Topic`, `Subscription`, `Delivery`, `MessageAttributeValue`,
`PublishResult`. The stateful service is
`awsmon.neighbours.sns.SNS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import Factory, define, field, frozen

from awsmon import jsondoc
from awsmon.neighbours.sns.errors import InvalidParameterException
from awsmon.neighbours.sns.filter_policy import FilterPolicy

if TYPE_CHECKING:
    from awsmon.cloudwatch import VendedMetrics

__all__ = [
    "SNS_PRINCIPAL",
    "SNS_SENDER_ID",
    "Delivery",
    "MessageAttributeValue",
    "PublishResult",
    "Subscription",
    "Topic",
]

#: The id SNS sends to SQS as ``SenderId`` of the messages it delivers.
SNS_SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU"

#: The service principal SNS delivers as (what queue and function policies name).
SNS_PRINCIPAL = "sns.amazonaws.com"


def invalid(what: str, value: Any = None, param: str | None = None) -> InvalidParameterException:
    return InvalidParameterException(f"Invalid parameter: {what}", param=param, value=value)


@frozen
class MessageAttributeValue:
    """A message attribute: `data_type` ``String``, ``String.Array``, ``Number`` or ``Binary``."""

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None

    def filter_value(self) -> Any:
        """The value as filter policies see it (numbers as floats, arrays as lists)."""
        if self.data_type.startswith("Number"):
            try:
                return float(self.string_value or "")
            except ValueError:
                return self.string_value
        if self.data_type == "String.Array":
            try:
                return jsondoc.loads(self.string_value or "[]")
            except ValueError:
                return self.string_value
        return self.string_value


@frozen(kw_only=True)
class PublishResult:
    """What Publish answers: the message id, and the sequence number on FIFO topics."""

    message_id: str
    sequence_number: str | None = None


@frozen(kw_only=True)
class Delivery:
    """One message SNS handed to an endpoint, kept for tests to read.

    Attributes:
        at: when it was delivered (the publish instant).
        topic_arn / subscription_arn: where it came from (subscription None for SMS publish).
        protocol / endpoint: where it went.
        message_id: the published message's id.
        kind: ``Notification`` or ``SubscriptionConfirmation``.
        subject / message: the subject (or None) and the message text for this protocol.
        body: exactly what the endpoint received (the JSON envelope, or the raw message).
        message_attributes: the published message attributes.
        raw: True when raw message delivery was on.
        succeeded: False when the endpoint could not take it (a queue that is gone).
    """

    at: datetime
    topic_arn: str | None
    subscription_arn: str | None
    protocol: str
    endpoint: str
    message_id: str
    kind: str = "Notification"
    subject: str | None = None
    message: str = ""
    body: str = ""
    message_attributes: Mapping[str, MessageAttributeValue] = field(factory=dict)
    raw: bool = False
    succeeded: bool = True

    def envelope(self) -> dict[str, Any]:
        """The delivered JSON envelope, parsed (raises ValueError for raw deliveries)."""
        data: dict[str, Any] = jsondoc.loads(self.body)
        return data


@define(eq=False)
class Topic:
    """A topic: its ARN, attributes (as SNS's strings), tags and dedup window.

    `metrics` are its owner's AWS/SNS counters, `dims` their dimensions.
    """

    name: str
    arn: str
    owner: str
    attributes: dict[str, str]
    tags: dict[str, str] = field(factory=dict)
    dedup: dict[str, tuple[datetime, str, str]] = field(factory=dict, repr=False)
    sequence: int = 0
    deleted_subscriptions: int = 0
    metrics: VendedMetrics | None = field(default=None, repr=False)
    dims: tuple[tuple[str, str], ...] = field(
        init=False, repr=False, default=Factory(lambda self: (("TopicName", self.name),), True)
    )

    @property
    def fifo(self) -> bool:
        """True for a FIFO topic."""
        return self.attributes.get("FifoTopic") == "true"


@define(eq=False)
class Subscription:
    """A subscription of an endpoint to a topic."""

    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    attributes: dict[str, str] = field(factory=dict)
    pending: bool = False
    token: str = ""

    @property
    def raw(self) -> bool:
        """True when raw message delivery is on."""
        return self.attributes.get("RawMessageDelivery") == "true"

    @property
    def filter_policy(self) -> FilterPolicy | None:
        """The compiled filter policy, or None."""
        text = self.attributes.get("FilterPolicy")
        if not text:
            return None
        return FilterPolicy.parse(
            text, self.attributes.get("FilterPolicyScope", "MessageAttributes")
        )


_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_FIFO_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,251}\.fifo")
_SUBJECT = re.compile(r"[\x20-\x7e]{1,100}")
_PROTOCOLS = (
    "http",
    "https",
    "email",
    "email-json",
    "sms",
    "sqs",
    "application",
    "lambda",
    "firehose",
)
_TOPIC_ATTRIBUTES = (
    "DeliveryPolicy",
    "DisplayName",
    "Policy",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
    "ContentBasedDeduplication",
    "FifoTopic",
    "ArchivePolicy",
    "FifoThroughputScope",
    "DataProtectionPolicy",
    *(
        f"{kind}{what}"
        for kind in ("HTTP", "Firehose", "Lambda", "SQS", "Application")
        for what in (
            "SuccessFeedbackRoleArn",
            "SuccessFeedbackSampleRate",
            "FailureFeedbackRoleArn",
        )
    ),
)
_SUBSCRIPTION_ATTRIBUTES = (
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
)
_DEDUP_WINDOW = timedelta(minutes=5)
_MAX_MESSAGE = 262_144


def timestamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


DEFAULT_DELIVERY_POLICY = {
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20,
            "maxDelayTarget": 20,
            "numRetries": 3,
            "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0,
            "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}

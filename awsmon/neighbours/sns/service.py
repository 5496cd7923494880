"""Amazon SNS: topics, subscriptions and the deliveries a test can read.

Main pieces: `SNS` (the service of one account and region), `Topic`,
`Subscription`, `Delivery`, `PublishResult`, the error classes; the wire
translation lives in `awsmon.neighbours.sns.api`.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> topic = cloud.sns.create_topic("alerts")
>>> sub = cloud.sns.subscribe(topic.arn, "email", "ops@example.com")
>>> _ = cloud.sns.publish(topic.arn, "disk full", subject="ALARM")
>>> [(d.endpoint, d.subject, d.message) for d in cloud.sns.deliveries]
[('ops@example.com', 'ALARM', 'disk full')]
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from awsmon import jsondoc
from awsmon.arn import Arn, InvalidArn
from awsmon.cloudwatch import StandardUnit, VendedMetrics
from awsmon.dispatch import operation
from awsmon.identity import Principal
from awsmon.neighbours.sns.delivery import deliver_all
from awsmon.neighbours.sns.errors import (
    AuthorizationErrorException,
    NotFoundException,
    TopicLimitExceededException,
)
from awsmon.neighbours.sns.model import (
    _DEDUP_WINDOW,
    _FIFO_TOPIC_NAME,
    _MAX_MESSAGE,
    _SUBJECT,
    _TOPIC_ATTRIBUTES,
    _TOPIC_NAME,
    DEFAULT_DELIVERY_POLICY,
    Delivery,
    MessageAttributeValue,
    PublishResult,
    Subscription,
    Topic,
    invalid,
)
from awsmon.neighbours.sns.subscriptions import SubscriptionOperations

__all__ = ["SNS"]

_BYTES = StandardUnit.BYTES


def _size(message: str, attributes: Mapping[str, MessageAttributeValue]) -> int:
    """A published message's size as AWS counts it (PublishSize): body and attributes."""
    size = len(message.encode())
    for name, value in attributes.items():
        size += len(name.encode()) + len(value.data_type.encode())
        size += len(value.binary_value or b"") + len((value.string_value or "").encode())
    return size


class SNS(SubscriptionOperations):
    """Amazon SNS in one account and region.

    Operations, by purpose:

    - topics: `create_topic`, `delete_topic`, `list_topics`,
      `get_topic_attributes`, `set_topic_attributes`, tags
    - subscriptions: `subscribe`, `confirm_subscription`, `unsubscribe`,
      `list_subscriptions`, `list_subscriptions_by_topic`,
      `get_subscription_attributes`, `set_subscription_attributes`
    - messages: `publish`
    - for tests: `deliveries` (every delivery made, in order), `topic`,
      `auto_confirm`

    Publish delivers at once, at the publish instant: to SQS queues (the JSON
    envelope, or the raw message with RawMessageDelivery), to Lambda functions
    (the SNS event, invoked asynchronously), to Firehose streams, and records
    email, email-json, http(s), sms and application deliveries in
    `deliveries`.

    Simulation notes: subscriptions that need confirmation in AWS (email,
    email-json, http, https) are confirmed at once while `auto_confirm` is
    True (the default); set it to False for AWS's flow, where Subscribe
    answers ``pending confirmation``, a SubscriptionConfirmation delivery
    carries the token and `confirm_subscription` completes it. Topic and
    queue policies are stored, not enforced. Signatures are deterministic
    digests, not RSA signatures; the SigningCertURL points nowhere real.
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.topics: dict[str, Topic] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.deliveries: list[Delivery] = []
        self.auto_confirm = True
        #: The AWS/SNS metrics of this account's topics (one-minute counts).
        self.vended = VendedMetrics(ctx, "AWS/SNS")

    # -- lookups --------------------------------------------------------------

    def topic(self, topic_arn: str) -> Topic:
        """The topic `topic_arn` (in this account and region, or another one).

        Raises:
            NotFoundException: no such topic.
        """
        try:
            arn = Arn.parse(topic_arn)
        except InvalidArn:
            arn = None
        if arn is None or arn.service != "sns" or ":" in arn.resource:
            raise invalid("TopicArn", topic_arn, "TopicArn")
        owner = self._owner(arn)
        found = owner.topics.get(topic_arn)
        if found is None:
            raise NotFoundException("Topic does not exist", param="TopicArn", value=topic_arn)
        if owner.account_id != self.ctx.principal.account_id:
            refused = self.ctx.check_other_account(
                topic_arn, owner.account_id, found.attributes.get("Policy")
            )
            if refused is not None:
                raise AuthorizationErrorException(
                    refused.not_authorized, param="TopicArn", value=topic_arn
                )
        return found

    # -- topics -----------------------------------------------------------------

    def default_policy(self, topic_arn: str) -> str:
        """The policy SNS gives a new topic: the owner may do everything."""
        actions = [
            "SNS:GetTopicAttributes",
            "SNS:SetTopicAttributes",
            "SNS:AddPermission",
            "SNS:RemovePermission",
            "SNS:DeleteTopic",
            "SNS:Subscribe",
            "SNS:ListSubscriptionsByTopic",
            "SNS:Publish",
        ]
        return json.dumps(
            {
                "Version": "2008-10-17",
                "Id": "__default_policy_ID",
                "Statement": [
                    {
                        "Sid": "__default_statement_ID",
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": actions,
                        "Resource": topic_arn,
                        "Condition": {"StringEquals": {"AWS:SourceOwner": self.account_id}},
                    }
                ],
            },
            separators=(",", ":"),
        )

    def _check_topic_attribute(self, name: str, value: str, *, fifo: bool) -> str:
        if name not in _TOPIC_ATTRIBUTES:
            raise invalid("AttributeName", name, "AttributeName")
        if name in ("FifoTopic", "ContentBasedDeduplication"):
            if value.lower() not in ("true", "false"):
                raise invalid(f"Attributes Reason: {name} must be true or false", value, name)
            value = value.lower()
            if name == "ContentBasedDeduplication" and value == "true" and not fifo:
                raise invalid(
                    "Attributes Reason: Content based deduplication can only be set for FIFO "
                    "topics",
                    value,
                    name,
                )
        if name in ("Policy", "DeliveryPolicy", "DataProtectionPolicy", "ArchivePolicy") and value:
            try:
                jsondoc.loads(value)
            except ValueError:
                raise invalid(f"{name}: failed to parse JSON.", value, name) from None
        if name == "SignatureVersion" and value not in ("1", "2"):
            raise invalid("Attributes Reason: SignatureVersion must be 1 or 2", value, name)
        if name == "TracingConfig" and value not in ("Active", "PassThrough"):
            raise invalid(
                "Attributes Reason: TracingConfig must be Active or PassThrough", value, name
            )
        return value

    @operation("CreateTopic")
    def create_topic(
        self,
        name: str,
        attributes: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Topic:
        """Create a topic (CreateTopic); idempotent for the same name and attributes.

        A FIFO topic needs ``FifoTopic=true`` and a name ending in ``.fifo``.

        Raises:
            InvalidParameterException: a bad name or attribute.
        """
        given = {k: str(v) for k, v in (attributes or {}).items()}
        fifo = given.get("FifoTopic", "false").lower() == "true"
        pattern = _FIFO_TOPIC_NAME if fifo else _TOPIC_NAME
        if not pattern.fullmatch(name):
            if not fifo and name.endswith(".fifo") and _FIFO_TOPIC_NAME.fullmatch(name):
                raise invalid(
                    "Topic Name Reason: Fifo Topic names must end with .fifo and must be made "
                    "up of only uppercase and lowercase ASCII letters, numbers, underscores, "
                    "and hyphens, and must be between 1 and 256 characters long.",
                    name,
                    "Name",
                )
            raise invalid("Topic Name", name, "Name")
        checked = {k: self._check_topic_attribute(k, v, fifo=fifo) for k, v in given.items()}
        arn = self.ctx.arn(name)
        existing = self.topics.get(arn)
        if existing is not None:
            for key, value in checked.items():
                if existing.attributes.get(key, value) != value:
                    raise invalid(
                        "Attributes Reason: Topic already exists with different attributes",
                        name,
                        "Attributes",
                    )
            return existing
        if len(self.topics) >= 100_000:
            raise TopicLimitExceededException("Topic limit exceeded")
        attrs = {"Policy": self.default_policy(arn), "DisplayName": "", **checked}
        if fifo:
            attrs.setdefault("ContentBasedDeduplication", "false")
        else:
            attrs.pop("FifoTopic", None)
        topic = Topic(name, arn, self.account_id, attrs, dict(tags or {}), metrics=self.vended)
        self.topics[arn] = topic
        return topic

    @operation("DeleteTopic")
    def delete_topic(self, topic_arn: str) -> None:
        """Delete a topic and its subscriptions (DeleteTopic); a missing topic is no error."""
        try:
            topic = self.topic(topic_arn)
        except NotFoundException:
            return
        owner = self._owner(topic.arn)
        del owner.topics[topic.arn]
        for arn in [a for a, s in owner.subscriptions.items() if s.topic_arn == topic.arn]:
            del owner.subscriptions[arn]

    @operation("ListTopics")
    def list_topics(self) -> list[Topic]:
        """This account's topics in the region, by ARN (ListTopics)."""
        return [self.topics[arn] for arn in sorted(self.topics)]

    @operation("GetTopicAttributes")
    def get_topic_attributes(self, topic_arn: str) -> dict[str, str]:
        """The topic's attributes, with the counts SNS computes (GetTopicAttributes).

        Raises:
            NotFoundException: no such topic.
        """
        topic = self.topic(topic_arn)
        subs = [
            s for s in self._owner(topic.arn).subscriptions.values() if s.topic_arn == topic.arn
        ]
        values = {
            "TopicArn": topic.arn,
            "Owner": topic.owner,
            "SubscriptionsPending": str(sum(1 for s in subs if s.pending)),
            "SubscriptionsConfirmed": str(sum(1 for s in subs if not s.pending)),
            "SubscriptionsDeleted": str(topic.deleted_subscriptions),
            "EffectiveDeliveryPolicy": json.dumps(DEFAULT_DELIVERY_POLICY, separators=(",", ":")),
        }
        values.update(topic.attributes)
        return values

    @operation("SetTopicAttributes")
    def set_topic_attributes(
        self, topic_arn: str, attribute_name: str, attribute_value: str | None = None
    ) -> None:
        """Set one topic attribute (SetTopicAttributes).

        Raises:
            NotFoundException: no such topic.
            InvalidParameterException: an unknown attribute or bad value.
        """
        topic = self.topic(topic_arn)
        if attribute_name == "FifoTopic":
            raise invalid("AttributeName", attribute_name, "AttributeName")
        value = self._check_topic_attribute(attribute_name, attribute_value or "", fifo=topic.fifo)
        if attribute_name == "Policy" and not value:
            value = self.default_policy(topic.arn)
        topic.attributes[attribute_name] = value

    @operation("TagResource")
    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or replace a topic's tags (TagResource)."""
        self.topic(resource_arn).tags.update(tags)

    @operation("UntagResource")
    def untag_resource(self, resource_arn: str, tag_keys: Iterable[str]) -> None:
        """Remove a topic's tags (UntagResource)."""
        topic = self.topic(resource_arn)
        for key in tag_keys:
            topic.tags.pop(key, None)

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """A topic's tags (ListTagsForResource)."""
        return dict(self.topic(resource_arn).tags)

    # -- publishing -------------------------------------------------------------

    def _signature(self, message_id: str, message: str) -> str:
        digest = hashlib.sha256(f"{message_id}\n{message}".encode()).digest() * 8
        return base64.b64encode(digest).decode()

    def _cert_url(self) -> str:
        return (
            f"https://sns.{self.region}.amazonaws.com/"
            "SimpleNotificationService-6209c161c6221fdf56ec1eb5c821d112.pem"
        )

    @operation("Publish")
    def publish(
        self,
        topic_arn: str | None = None,
        message: str = "",
        *,
        subject: str | None = None,
        message_structure: str | None = None,
        message_attributes: Mapping[str, MessageAttributeValue] | None = None,
        message_group_id: str | None = None,
        message_deduplication_id: str | None = None,
        phone_number: str | None = None,
        target_arn: str | None = None,
    ) -> PublishResult:
        """Publish a message to a topic, or an SMS to a phone number (Publish).

        Delivery happens before this returns, to every confirmed subscription
        whose filter policy lets the message through (see the class notes).

        Args:
            topic_arn: the topic (or `target_arn`, its synonym here).
            message: the text; with ``message_structure="json"`` a JSON object
                of per-protocol texts with a ``default`` entry.
            subject: the subject for email endpoints and the envelope (≤100
                printable ASCII characters).
            message_attributes: attributes for filter policies and raw delivery.
            message_group_id / message_deduplication_id: FIFO topics.
            phone_number: send one SMS instead of publishing to a topic.

        Raises:
            NotFoundException: no such topic.
            InvalidParameterException: a bad message, subject, structure or FIFO field.
        """
        arn = topic_arn or target_arn
        if not message:
            raise invalid("Empty message", message, "Message")
        if len(message.encode()) > _MAX_MESSAGE:
            raise invalid("Message too long", len(message.encode()), "Message")
        if subject is not None and (not _SUBJECT.fullmatch(subject)):
            raise invalid("Subject", subject, "Subject")
        texts = self._texts(message, message_structure)
        attributes = dict(message_attributes or {})
        if arn is None:
            if phone_number is None:
                raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
            return self._send_sms(phone_number, texts.get("sms", texts["default"]), attributes)
        topic = self.topic(arn)
        sequence = None
        if topic.fifo:
            numbered = self._fifo_numbers(
                topic, message, message_group_id, message_deduplication_id
            )
            if isinstance(numbered, PublishResult):
                return numbered  # a duplicate within the deduplication window
            message_id, sequence, message_deduplication_id = numbered
        else:
            if message_deduplication_id is not None:
                raise invalid(
                    "MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
                    "parameter that is not valid for this topic type",
                    message_deduplication_id,
                    "MessageDeduplicationId",
                )
            message_id = self.ctx.ids.uuid()
        vended = topic.metrics
        if vended is not None and vended.enabled:
            vended.add("NumberOfMessagesPublished", topic.dims)
            vended.add("PublishSize", topic.dims, float(_size(message, attributes)), _BYTES)
        deliver_all(
            self,
            topic,
            message_id=message_id,
            texts=texts,
            subject=subject,
            attributes=attributes,
            group_id=message_group_id,
            deduplication_id=message_deduplication_id,
            sequence=sequence,
        )
        return PublishResult(message_id=message_id, sequence_number=sequence)

    def _send_sms(
        self, phone_number: str, text: str, attributes: dict[str, MessageAttributeValue]
    ) -> PublishResult:
        """Publish's direct SMS: recorded as a delivery, no topic involved."""
        message_id = self.ctx.ids.uuid()
        self.deliveries.append(
            Delivery(
                at=self.ctx.now(),
                topic_arn=None,
                subscription_arn=None,
                protocol="sms",
                endpoint=phone_number,
                message_id=message_id,
                message=text,
                body=text,
                message_attributes=attributes,
            )
        )
        return PublishResult(message_id=message_id)

    def _fifo_numbers(
        self, topic: Topic, message: str, group_id: str | None, deduplication_id: str | None
    ) -> tuple[str, str, str] | PublishResult:
        """A FIFO publish's (message id, sequence number, deduplication id).

        A message whose deduplication id was seen in the last 5 minutes is not
        published again: the first one's `PublishResult` comes back instead.
        """
        now = self.ctx.now()
        if not group_id:
            raise invalid(
                "The MessageGroupId parameter is required for FIFO topics",
                None,
                "MessageGroupId",
            )
        dedup = deduplication_id
        if not dedup:
            if topic.attributes.get("ContentBasedDeduplication") != "true":
                raise invalid(
                    "The topic should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly",
                    None,
                    "MessageDeduplicationId",
                )
            dedup = hashlib.sha256(message.encode()).hexdigest()
        for stale in [k for k, (until, _, _) in topic.dedup.items() if until <= now]:
            del topic.dedup[stale]
        seen = topic.dedup.get(dedup)
        if seen is not None:
            return PublishResult(message_id=seen[1], sequence_number=seen[2])
        topic.sequence += 1
        sequence = f"{10_000_000_000_000_000_000 + topic.sequence:020d}"
        message_id = self.ctx.ids.uuid()
        topic.dedup[dedup] = (now + _DEDUP_WINDOW, message_id, sequence)
        return message_id, sequence, dedup

    def _texts(self, message: str, structure: str | None) -> dict[str, str]:
        if structure is None:
            return {"default": message}
        if structure != "json":
            raise invalid("Invalid value for MessageStructure", structure, "MessageStructure")
        try:
            data = jsondoc.loads(message)
        except ValueError:
            raise invalid(
                "Message Structure - JSON message body failed to parse", message, "Message"
            ) from None
        if not isinstance(data, dict) or "default" not in data:
            raise invalid(
                "Message Structure - No default entry in JSON message body", message, "Message"
            )
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}

    def as_sns(self, account_id: str) -> Principal:
        """The principal SNS acts as when it delivers for `account_id`."""
        return Principal.service("sns.amazonaws.com", account_id)

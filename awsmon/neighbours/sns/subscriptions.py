"""SNS subscriptions: subscribe, confirm, list, attributes and unsubscribe.

`SubscriptionOperations` is a part of `awsmon.neighbours.sns.SNS`, kept in
its own module for size; its methods are SNS operations like the others.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import Self

from awsmon import jsondoc
from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import Service, operation
from awsmon.identity import Principal
from awsmon.neighbours.sns.errors import NotFoundException
from awsmon.neighbours.sns.filter_policy import FilterPolicy, InvalidFilterPolicy
from awsmon.neighbours.sns.model import (
    _PROTOCOLS,
    _SUBSCRIPTION_ATTRIBUTES,
    DEFAULT_DELIVERY_POLICY,
    Delivery,
    Subscription,
    Topic,
    invalid,
    timestamp,
)

__all__ = ["SubscriptionOperations"]


def _is_arn(text: str, service: str) -> bool:
    """Whether `text` is an ARN of `service` (in any partition)."""
    try:
        return Arn.parse(text).service == service
    except InvalidArn:
        return False


class SubscriptionOperations(Service):
    """The subscription operations of `SNS` (see there)."""

    auto_confirm: bool
    subscriptions: dict[str, Subscription]
    deliveries: list[Delivery]

    def topic(self, topic_arn: str) -> Topic:  # pragma: no cover - defined by SNS
        raise NotImplementedError

    def _signature(self, message_id: str, message: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def _cert_url(self) -> str:  # pragma: no cover - defined by SNS
        raise NotImplementedError

    def as_sns(self, account_id: str) -> Principal:  # pragma: no cover - defined by SNS
        raise NotImplementedError

    def _owner(self, arn: str | Arn) -> Self:
        """The SNS of the ARN's account and region (which holds the topic or subscription)."""
        owner: Self = self.ctx.service_at(arn, self.ctx.spec.name)
        return owner

    def subscription(self, subscription_arn: str) -> Subscription:
        """The subscription `subscription_arn`.

        Raises:
            NotFoundException: no such subscription.
        """
        try:
            arn = Arn.parse(subscription_arn)
        except InvalidArn:
            arn = None
        if arn is None or arn.service != "sns" or arn.resource.count(":") != 1:
            raise invalid("SubscriptionArn", subscription_arn, "SubscriptionArn")
        found = self._owner(arn).subscriptions.get(subscription_arn)
        if found is None:
            raise NotFoundException(
                "Subscription does not exist", param="SubscriptionArn", value=subscription_arn
            )
        return found

    def _check_endpoint(self, topic: Topic, protocol: str, endpoint: str | None) -> str:
        if protocol not in _PROTOCOLS:
            raise invalid(f"Invalid protocol type: {protocol}", protocol, "Protocol")
        if topic.fifo and protocol not in ("sqs", "firehose"):
            raise invalid(f"Invalid protocol type: {protocol}", protocol, "Protocol")
        text = endpoint or ""
        rules: dict[str, tuple[bool, str]] = {
            "sqs": (_is_arn(text, "sqs"), "SQS endpoint ARN"),
            "lambda": (_is_arn(text, "lambda"), "Lambda endpoint ARN"),
            "firehose": (_is_arn(text, "firehose"), "Firehose endpoint ARN"),
            "email": (re.fullmatch(r"[^@\s]+@[^@\s]+", text) is not None, "Email address"),
            "email-json": (re.fullmatch(r"[^@\s]+@[^@\s]+", text) is not None, "Email address"),
            "http": (text.startswith("http://"), "Endpoint must match the specified protocol"),
            "https": (text.startswith("https://"), "Endpoint must match the specified protocol"),
            "sms": (re.fullmatch(r"\+?[0-9 ()-]{7,20}", text) is not None, "Invalid SMS endpoint"),
            "application": (_is_arn(text, "sns"), "Invalid endpoint ARN"),
        }
        ok, reason = rules[protocol]
        if not ok:
            raise invalid(reason, endpoint, "Endpoint")
        return text

    def _check_subscription_attribute(self, protocol: str, name: str, value: str) -> str:
        if name not in _SUBSCRIPTION_ATTRIBUTES:
            raise invalid("AttributeName", name, "AttributeName")
        if name == "RawMessageDelivery":
            if value.lower() not in ("true", "false"):
                raise invalid(
                    "Attributes Reason: RawMessageDelivery must be true or false", value, name
                )
            value = value.lower()
            if value == "true" and protocol not in ("sqs", "http", "https", "firehose"):
                raise invalid(
                    f"Delivery protocol [{protocol}] does not support raw message delivery.",
                    value,
                    name,
                )
        if name == "FilterPolicyScope" and value not in ("MessageAttributes", "MessageBody"):
            raise invalid(
                "Attributes Reason: FilterPolicyScope: Invalid value [" + value + "]. Please use "
                "either MessageBody or MessageAttributes",
                value,
                name,
            )
        if name in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy") and value:
            try:
                jsondoc.loads(value)
            except ValueError:
                raise invalid(f"{name}: failed to parse JSON.", value, name) from None
        return value

    def _check_filter(self, attributes: Mapping[str, str]) -> None:
        text = attributes.get("FilterPolicy")
        if text:
            try:
                FilterPolicy.parse(text, attributes.get("FilterPolicyScope", "MessageAttributes"))
            except InvalidFilterPolicy as exc:
                raise invalid(f"FilterPolicy: {exc}", text, "FilterPolicy") from None

    @operation("Subscribe")
    def subscribe(
        self,
        topic_arn: str,
        protocol: str,
        endpoint: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Subscription:
        """Subscribe an endpoint (Subscribe); the same protocol and endpoint give the same one.

        Raises:
            NotFoundException: no such topic.
            InvalidParameterException: a bad protocol, endpoint or attribute.
        """
        topic = self.topic(topic_arn)
        target = self._check_endpoint(topic, protocol, endpoint)
        checked = {
            k: self._check_subscription_attribute(protocol, k, str(v))
            for k, v in (attributes or {}).items()
        }
        self._check_filter(checked)
        owner = self._owner(topic.arn)
        for existing in owner.subscriptions.values():
            if (existing.topic_arn, existing.protocol, existing.endpoint) == (
                topic.arn,
                protocol,
                target,
            ):
                return existing
        needs_confirmation = protocol in ("email", "email-json", "http", "https")
        pending = needs_confirmation and not self.auto_confirm
        subscription = Subscription(
            arn=f"{topic.arn}:{self.ctx.ids.uuid()}",
            topic_arn=topic.arn,
            protocol=protocol,
            endpoint=target,
            owner=self.ctx.principal.account_id,
            attributes=checked,
            pending=pending,
            token=self.ctx.ids.hex(64) if pending else "",
        )
        owner.subscriptions[subscription.arn] = subscription
        if pending:
            self._confirmation(topic, subscription)
        return subscription

    def _confirmation(self, topic: Topic, subscription: Subscription) -> None:
        message_id = self.ctx.ids.uuid()
        now = self.ctx.now()
        url = (
            f"https://sns.{self.region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
            f"{topic.arn}&Token={subscription.token}"
        )
        message = (
            f"You have chosen to subscribe to the topic {topic.arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        )
        body = json.dumps(
            {
                "Type": "SubscriptionConfirmation",
                "MessageId": message_id,
                "Token": subscription.token,
                "TopicArn": topic.arn,
                "Message": message,
                "SubscribeURL": url,
                "Timestamp": timestamp(now),
                "SignatureVersion": topic.attributes.get("SignatureVersion", "1"),
                "Signature": self._signature(message_id, message),
                "SigningCertURL": self._cert_url(),
            }
        )
        self.deliveries.append(
            Delivery(
                at=now,
                topic_arn=topic.arn,
                subscription_arn=subscription.arn,
                protocol=subscription.protocol,
                endpoint=subscription.endpoint,
                message_id=message_id,
                kind="SubscriptionConfirmation",
                message=message,
                body=body,
            )
        )

    @operation("ConfirmSubscription")
    def confirm_subscription(self, topic_arn: str, token: str) -> Subscription:
        """Confirm a pending subscription with the token SNS sent (ConfirmSubscription).

        Raises:
            NotFoundException: no such topic.
            InvalidParameterException: the token matches no pending subscription.
        """
        topic = self.topic(topic_arn)
        owner = self._owner(topic.arn)
        for subscription in owner.subscriptions.values():
            if subscription.topic_arn == topic.arn and subscription.token == token and token:
                subscription.pending = False
                return subscription
        raise invalid("Token", token, "Token")

    @operation("Unsubscribe")
    def unsubscribe(self, subscription_arn: str) -> None:
        """Delete a subscription (Unsubscribe).

        Raises:
            NotFoundException: no such subscription.
        """
        subscription = self.subscription(subscription_arn)
        del self._owner(subscription_arn).subscriptions[subscription.arn]
        with contextlib.suppress(NotFoundException):
            self.topic(subscription.topic_arn).deleted_subscriptions += 1

    @operation("ListSubscriptions")
    def list_subscriptions(self) -> list[Subscription]:
        """This account's subscriptions in the region (ListSubscriptions)."""
        return list(self.subscriptions.values())

    @operation("ListSubscriptionsByTopic")
    def list_subscriptions_by_topic(self, topic_arn: str) -> list[Subscription]:
        """A topic's subscriptions (ListSubscriptionsByTopic).

        Raises:
            NotFoundException: no such topic.
        """
        topic = self.topic(topic_arn)
        owner = self._owner(topic.arn)
        return [s for s in owner.subscriptions.values() if s.topic_arn == topic.arn]

    @operation("GetSubscriptionAttributes")
    def get_subscription_attributes(self, subscription_arn: str) -> dict[str, str]:
        """A subscription's attributes (GetSubscriptionAttributes).

        Raises:
            NotFoundException: no such subscription.
        """
        sub = self.subscription(subscription_arn)
        values = {
            "SubscriptionArn": sub.arn,
            "TopicArn": sub.topic_arn,
            "Owner": sub.owner,
            "Protocol": sub.protocol,
            "Endpoint": sub.endpoint,
            "ConfirmationWasAuthenticated": "true" if not sub.pending else "false",
            "PendingConfirmation": "true" if sub.pending else "false",
            "RawMessageDelivery": "false",
            "EffectiveDeliveryPolicy": json.dumps(DEFAULT_DELIVERY_POLICY, separators=(",", ":")),
        }
        values.update(sub.attributes)
        if "FilterPolicy" in sub.attributes:
            values.setdefault("FilterPolicyScope", "MessageAttributes")
        return values

    @operation("SetSubscriptionAttributes")
    def set_subscription_attributes(
        self, subscription_arn: str, attribute_name: str, attribute_value: str | None = None
    ) -> None:
        """Set one subscription attribute (SetSubscriptionAttributes).

        Raises:
            NotFoundException: no such subscription.
            InvalidParameterException: an unknown attribute or bad value.
        """
        sub = self.subscription(subscription_arn)
        value = self._check_subscription_attribute(
            sub.protocol, attribute_name, attribute_value or ""
        )
        updated = {**sub.attributes, attribute_name: value}
        if not value and attribute_name in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
            del updated[attribute_name]
        self._check_filter(updated)
        sub.attributes = updated

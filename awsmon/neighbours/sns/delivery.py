"""How SNS hands a published message to each subscription's endpoint.

`deliver_all` is called by `awsmon.neighbours.sns.SNS.publish`: for each
confirmed subscription whose filter policy passes, it builds what the
endpoint receives (the JSON envelope, or the raw message) and delivers it to
the SQS queue, Lambda function or Firehose stream, or records it for email,
http(s), sms and application endpoints. Every delivery is appended to
``SNS.deliveries``.

The SQS and http envelope, in AWS's member order::

    {"Type": "Notification", "MessageId": ..., ["SequenceNumber": ...,] "TopicArn": ...,
     ["Subject": ...,] "Message": ..., "Timestamp": "2025-03-14T15:09:26.000Z",
     "SignatureVersion": "1", "Signature": ..., "SigningCertURL": ...,
     "UnsubscribeURL": ..., ["MessageAttributes": {name: {"Type": ..., "Value": ...}}]}
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from awsmon import jsondoc
from awsmon.arn import Arn
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_ import sns_event
from awsmon.neighbours.sns.model import (
    SNS_PRINCIPAL,
    SNS_SENDER_ID,
    Delivery,
    MessageAttributeValue,
    Subscription,
    Topic,
    timestamp,
)
from awsmon.neighbours.sns.subscriptions import SubscriptionOperations

__all__ = ["deliver_all", "envelope_attributes", "filtered_out"]


def envelope_attributes(attributes: Mapping[str, MessageAttributeValue]) -> dict[str, Any]:
    """Message attributes as the envelope writes them: ``{name: {"Type", "Value"}}``."""
    found: dict[str, Any] = {}
    for name, value in attributes.items():
        if value.binary_value is not None:
            text = base64.b64encode(value.binary_value).decode()
        else:
            text = value.string_value or ""
        found[name] = {"Type": value.data_type, "Value": text}
    return found


def filtered_out(
    subscription: Subscription, text: str, attributes: Mapping[str, Any]
) -> str | None:
    """Why the subscription's filter policy rejects the message, or None when it passes.

    The reason is the suffix of AWS's metric: ``MessageAttributes``,
    ``NoMessageAttributes``, ``MessageBody`` or ``InvalidMessageBody``
    (``NumberOfNotificationsFilteredOut-<reason>``).
    """
    policy = subscription.filter_policy
    if policy is None:
        return None
    if policy.scope == "MessageBody":
        try:
            body = jsondoc.loads(text)
        except ValueError:
            return "InvalidMessageBody"
        if not isinstance(body, dict):
            return "InvalidMessageBody"
        return None if policy.matches(body) else "MessageBody"
    if policy.matches({name: value.filter_value() for name, value in attributes.items()}):
        return None
    return "MessageAttributes" if attributes else "NoMessageAttributes"


def deliver_all(
    sns: SubscriptionOperations,
    topic: Topic,
    *,
    message_id: str,
    texts: Mapping[str, str],
    subject: str | None,
    attributes: Mapping[str, MessageAttributeValue],
    group_id: str | None,
    deduplication_id: str | None,
    sequence: str | None,
) -> None:
    """Deliver one published message to every matching, confirmed subscription of `topic`."""
    now = sns.ctx.now()
    owner = sns._owner(topic.arn)
    vended = topic.metrics if topic.metrics is not None and topic.metrics.enabled else None
    for sub in list(owner.subscriptions.values()):
        if sub.topic_arn != topic.arn or sub.pending:
            continue
        text = texts.get(sub.protocol, texts["default"])
        reason = filtered_out(sub, text, attributes)
        if reason is not None:
            if vended is not None:
                vended.add("NumberOfNotificationsFilteredOut", topic.dims)
                vended.add(f"NumberOfNotificationsFilteredOut-{reason}", topic.dims)
            continue
        envelope = _envelope(sns, topic, sub, message_id, text, subject, attributes, sequence)
        raw = sub.raw
        body = text if raw else json.dumps(envelope)
        if sub.protocol == "email" or sub.protocol in ("sms", "application"):
            body = text
        succeeded = True
        refused = sub.protocol in _CHECKED and not _permitted(sns, topic, sub)
        if refused:  # counted in NumberOfNotificationsFailed by `_permitted`
            succeeded = False
        elif sub.protocol == "sqs":
            succeeded = _to_sqs(sns, sub, body, raw, attributes, group_id, deduplication_id)
        elif sub.protocol == "lambda":
            event = sns_event(
                subscription_arn=sub.arn,
                topic_arn=topic.arn,
                message_id=message_id,
                message=text,
                timestamp=now,
                subject=subject,
                message_attributes={
                    name: (v["Type"], v["Value"])
                    for name, v in envelope_attributes(attributes).items()
                },
                signature=envelope["Signature"],
                signing_cert_url=envelope["SigningCertURL"],
                unsubscribe_url=envelope["UnsubscribeURL"],
                signature_version=envelope["SignatureVersion"],
            )
            succeeded = _to_lambda(sns, sub, event)
        elif sub.protocol == "firehose":
            succeeded = _to_firehose(sns, sub, body)
        if vended is not None and not refused:
            outcome = "Delivered" if succeeded else "Failed"
            vended.add(f"NumberOfNotifications{outcome}", topic.dims)
        sns.deliveries.append(
            Delivery(
                at=now,
                topic_arn=topic.arn,
                subscription_arn=sub.arn,
                protocol=sub.protocol,
                endpoint=sub.endpoint,
                message_id=message_id,
                subject=subject,
                message=text,
                body=body,
                message_attributes=dict(attributes),
                raw=raw,
                succeeded=succeeded,
            )
        )


_CHECKED = frozenset({"sqs", "lambda", "firehose"})
"""Protocols whose endpoint's policy (or the subscription's role) decides delivery."""


def _permitted(sns: SubscriptionOperations, topic: Topic, sub: Subscription) -> bool:
    """Whether the endpoint lets SNS deliver (asked through ``ctx.check_delivery``).

    SQS: the queue policy must allow ``sns.amazonaws.com`` ``sqs:SendMessage``;
    Lambda: the function policy (AddPermission) ``lambda:InvokeFunction``;
    both with ``aws:SourceArn`` (the topic) and ``aws:SourceAccount``; an
    encrypted queue's KMS key policy must let SNS use the key. Firehose:
    the subscription needs its ``SubscriptionRoleArn``. A refusal counts in
    AWS/SNS ``NumberOfNotificationsFailed`` and lands in ``cloud.deliveries()``.
    """
    ctx = sns.ctx
    source_account = topic.arn.split(":", 5)[4]
    if sub.protocol == "firehose":
        if sub.attributes.get("SubscriptionRoleArn"):
            return True
        check = ctx.refuse_delivery(
            source=topic.arn,
            target=sub.endpoint,
            principal=SNS_PRINCIPAL,
            action="firehose:PutRecord",
            reason=f"the subscription {sub.arn} has no SubscriptionRoleArn for SNS to assume",
        )
    else:
        try:
            action, policy, what, key = _endpoint_policy(sns, sub)
        except (ServiceError, KeyError, ValueError):
            return True  # a missing endpoint fails in the delivery itself
        check = ctx.check_delivery(
            source=topic.arn,
            target=sub.endpoint,
            principal=SNS_PRINCIPAL,
            action=action,
            policy=policy,
            context={"aws:SourceArn": topic.arn, "aws:SourceAccount": source_account},
            what=what,
        )
        if check.delivered and key:
            where = Arn.parse(sub.endpoint)
            check = (
                ctx.check_key(
                    key,
                    source=topic.arn,
                    target=sub.endpoint,
                    principal=SNS_PRINCIPAL,
                    account_id=where.account_id,
                    region=where.region,
                )
                or check
            )
    if not check.allowed:
        _count_failed(sns, topic)
    return check.delivered


def _endpoint_policy(
    sns: SubscriptionOperations, sub: Subscription
) -> tuple[str, Any, str, str | None]:
    """The action SNS needs on the endpoint, its policy, what to call it, and its KMS key."""
    if sub.protocol == "sqs":
        queue = sns.ctx.service_at(sub.endpoint, "sqs").queue(sub.endpoint)
        settings = queue.settings
        return (
            "sqs:SendMessage",
            settings.get("Policy"),
            "queue policy",
            settings.get("KmsMasterKeyId"),
        )
    function = sns.ctx.service_at(sub.endpoint, "lambda_").function(sub.endpoint)
    policy = {"Version": "2012-10-17", "Statement": function.policy} if function.policy else None
    return "lambda:InvokeFunction", policy, "function policy", None


def _count_failed(sns: SubscriptionOperations, topic: Topic) -> None:
    """Count one refused notification in AWS/SNS NumberOfNotificationsFailed (TopicName).

    Through the topic's vended metrics, so it is published with the minute's
    other AWS/SNS counts.
    """
    del sns
    vended = topic.metrics
    if vended is not None and vended.enabled:
        vended.add("NumberOfNotificationsFailed", topic.dims)


def _envelope(
    sns: SubscriptionOperations,
    topic: Topic,
    sub: Subscription,
    message_id: str,
    text: str,
    subject: str | None,
    attributes: Mapping[str, MessageAttributeValue],
    sequence: str | None,
) -> dict[str, Any]:
    """The JSON notification SNS wraps `text` in for `sub` (unless raw delivery is on)."""
    envelope: dict[str, Any] = {"Type": "Notification", "MessageId": message_id}
    if sequence is not None:
        envelope["SequenceNumber"] = sequence
    envelope["TopicArn"] = topic.arn
    if subject is not None:
        envelope["Subject"] = subject
    envelope["Message"] = text
    envelope["Timestamp"] = timestamp(sns.ctx.now())
    envelope["SignatureVersion"] = topic.attributes.get("SignatureVersion", "1")
    envelope["Signature"] = sns._signature(message_id, text)
    envelope["SigningCertURL"] = sns._cert_url()
    region = Arn.parse(topic.arn).region
    envelope["UnsubscribeURL"] = (
        f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub.arn}"
    )
    if attributes:
        envelope["MessageAttributes"] = envelope_attributes(attributes)
    return envelope


def _to_sqs(
    sns: SubscriptionOperations,
    sub: Subscription,
    body: str,
    raw: bool,
    attributes: Mapping[str, MessageAttributeValue],
    group_id: str | None,
    deduplication_id: str | None,
) -> bool:
    from awsmon.neighbours.sqs import MessageAttribute

    try:
        sqs = sns.ctx.service_at(sub.endpoint, "sqs")
        queue = sqs.queue(sub.endpoint)
        sqs_attributes = {}
        if raw:
            sqs_attributes = {
                name: MessageAttribute(v.data_type, v.string_value, v.binary_value)
                for name, v in list(attributes.items())[:10]
            }
        sqs.deliver(
            sub.endpoint,
            body,
            sender_id=SNS_SENDER_ID,
            message_attributes=sqs_attributes,
            group_id=group_id if queue.fifo else None,
            deduplication_id=deduplication_id if queue.fifo else None,
        )
    except (ServiceError, KeyError, ValueError):
        return False
    return True


def _to_lambda(sns: SubscriptionOperations, sub: Subscription, event: dict[str, Any]) -> bool:
    try:
        functions = sns.ctx.service_at(sub.endpoint, "lambda_")
        with sns.ctx.as_principal(sns.as_sns(sns.account_id)):
            functions.invoke(sub.endpoint, event, invocation_type="Event")
    except (ServiceError, KeyError, ValueError):
        return False
    return True


def _to_firehose(sns: SubscriptionOperations, sub: Subscription, body: str) -> bool:
    try:
        firehose = sns.ctx.service_at(sub.endpoint, "firehose")
        name = Arn.parse(sub.endpoint).resource_id
        firehose.put_record(name, (body + "\n").encode())
    except (ServiceError, KeyError, ValueError):
        return False
    return True

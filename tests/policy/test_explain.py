"""`Delivery.explain`: why a delivery went ahead or not; refusals on the timeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from awsmon import Cloud
from awsmon.policy import Delivery, guides

T0 = datetime(2025, 6, 1, tzinfo=UTC)


def _sns_to_sqs(policy: str | None, mode: str = "enforce") -> tuple[Cloud, str, str]:
    cloud = Cloud(policies=mode)
    topic = cloud.sns.create_topic("alerts").arn
    queue = cloud.sqs.create_queue("inbox")
    if policy is not None:
        cloud.sqs.set_queue_attributes(queue.url, {"Policy": policy.replace("QUEUE", queue.arn)})
    cloud.sns.subscribe(topic, "sqs", queue.arn)
    cloud.sns.publish(topic, "hello")
    return cloud, topic, queue.arn


def test_no_policy_is_an_implicit_deny_with_the_remedy() -> None:
    cloud, topic, queue = _sns_to_sqs(None)
    (refused,) = cloud.deliveries(failed=True)
    text = refused.explain()
    assert text.splitlines()[0] == (
        f"refused: sns.amazonaws.com sqs:SendMessage from {topic} to {queue}"
    )
    assert "decided by: no statement (nothing allows it: an implicit deny)" in text
    assert f"why: {queue} has no queue policy, so nothing allows sns.amazonaws.com" in text
    assert 'not delivered (Cloud(policies="enforce"), as in AWS)' in text
    assert "to allow it: add a statement to the target's policy allowing" in text


def test_the_guides_policy_names_its_allowing_statement() -> None:
    topic_arn = "arn:aws:sns:us-east-1:123456789012:alerts"
    cloud, _, queue = _sns_to_sqs(guides.sns_to_sqs(topic_arn, "QUEUE"))
    (allowed,) = cloud.deliveries(target=queue)
    text = allowed.explain()
    assert text.startswith("allowed: ")
    assert "(an Allow)" in text
    assert text.endswith("outcome: delivered")
    assert "to allow it" not in text
    assert not [m for m in cloud.timeline(kinds=["delivery"]) if "refused" in m.summary]


def test_an_explicit_deny_is_named_and_beats_the_allow() -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Everyone", "Effect": "Allow", "Principal": "*",
                 "Action": "sqs:SendMessage", "Resource": "QUEUE"},
                {"Sid": "NoSns", "Effect": "Deny", "Principal": {"Service": "sns.amazonaws.com"},
                 "Action": "sqs:*", "Resource": "QUEUE"},
            ],
        }
    )  # fmt: skip
    cloud, _, _ = _sns_to_sqs(policy)
    (refused,) = cloud.deliveries(failed=True)
    assert refused.statement == "NoSns"
    text = refused.explain()
    assert "decided by: statement 'NoSns' (an explicit Deny, which beats any Allow)" in text
    assert "explicitly denies sns.amazonaws.com" in text
    assert "narrow or remove the Deny statement" in text


def test_warn_mode_says_it_delivered_anyway() -> None:
    cloud, _, _ = _sns_to_sqs(None, mode="warn")
    (refused,) = cloud.deliveries(failed=True)
    assert refused.delivered
    assert refused.summary.startswith("refused (delivered anyway): ")
    assert 'delivered anyway (Cloud(policies="warn") only records it)' in refused.explain()


def test_refusals_are_delivery_moments_of_the_timeline() -> None:
    cloud, topic, queue = _sns_to_sqs(None)
    moments = [m for m in cloud.timeline(kinds=["delivery"]) if m.service == "sns"]
    (moment,) = [m for m in moments if m.summary.startswith("refused")]
    assert moment.summary == f"refused: sns.amazonaws.com sqs:SendMessage from {topic} to {queue}"
    assert moment.detail["target"] == queue
    assert moment.detail["action"] == "sqs:SendMessage"
    assert moment.detail["delivered"] is False
    assert moment.detail["reason"].startswith(f"{queue} has no queue policy")


def test_off_mode_records_no_refusal_on_the_timeline() -> None:
    cloud, _, _ = _sns_to_sqs(None, mode="off")
    assert not [m for m in cloud.timeline(kinds=["delivery"]) if "refused" in m.summary]


def test_a_key_refusal_reads_as_a_key_policy_matter() -> None:
    found = Delivery(T0, "arn:aws:sns:us-east-1:1:t", "arn:aws:sqs:us-east-1:1:q",
                     "sns.amazonaws.com", "kms:GenerateDataKey", False, False,
                     "the KMS key k of q is Disabled")  # fmt: skip
    assert "let sns.amazonaws.com use the key in its key policy" in found.explain()
    assert "at: 2025-06-01 00:00:00 UTC" in found.explain()

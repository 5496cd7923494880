"""Encrypted targets: the KMS key policy decides whether the sender may encrypt for them.

AWS's guides: SNS delivering to an SQS queue encrypted with a customer managed key
needs ``kms:GenerateDataKey`` (and Decrypt) for ``sns.amazonaws.com`` in the key
policy; the AWS managed key ``alias/aws/sqs`` cannot be used by SNS at all; alarms
publishing to an encrypted topic need the same for ``cloudwatch.amazonaws.com``.
"""

from __future__ import annotations

import json

import pytest

from awsmon import Cloud
from awsmon.cloudwatch import MetricKey
from awsmon.policy import guides

ACCOUNT = "123456789012"


def key_policy(*services: str) -> str:
    statements = [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if services:
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"Service": list(services)},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@pytest.mark.parametrize(
    ("key", "arrives"),
    [
        ("alias/aws/sqs", False),
        ("default", False),
        ("for-sns", True),
    ],
)
def test_sns_to_an_encrypted_queue(key: str, arrives: bool) -> None:
    """The AWS managed key and a key whose policy ignores SNS refuse; the guide's key works."""
    cloud = Cloud()
    if key != "alias/aws/sqs":
        policy = key_policy("sns.amazonaws.com") if key == "for-sns" else None
        key = cloud.kms.create_key(policy=policy).key_id
    topic = cloud.sns.create_topic("t").arn
    queue = cloud.sqs.create_queue("q", {"KmsMasterKeyId": key})
    cloud.sqs.set_queue_attributes(queue.url, {"Policy": guides.sns_to_sqs(topic, queue.arn)})
    cloud.sns.subscribe(topic, "sqs", queue.arn)
    cloud.sns.publish(topic, "secret")
    assert bool(cloud.sqs.receive_message(queue.url)) is arrives
    refusals = cloud.deliveries(failed=True, target=queue.arn)
    assert len(refusals) == (0 if arrives else 1)
    if refusals:
        assert refusals[0].action == "kms:GenerateDataKey"
        assert "managed key" in refusals[0].reason or "key policy" in refusals[0].reason


@pytest.mark.parametrize("allowed", [False, True])
def test_alarm_to_an_encrypted_topic(allowed: bool) -> None:
    """An alarm's action on a topic whose key ignores CloudWatch fails, as AWS reports it."""
    cloud = Cloud()
    services = ("cloudwatch.amazonaws.com",) if allowed else ()
    key = cloud.kms.create_key(policy=key_policy(*services)).key_id
    topic = cloud.sns.create_topic("t").arn
    cloud.sns.set_topic_attributes(topic, "KmsMasterKeyId", key)
    cloud.sns.subscribe(topic, "email", "ops@example.com")
    cw = cloud.client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="high",
        MetricName="Latency",
        Namespace="App",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=100.0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    cloud.cloudwatch.publish(MetricKey.of("App", "Latency", {}), [(cloud.clock.now(), 250.0)])
    cloud.clock.advance(120)
    assert bool(cloud.sns.deliveries) is allowed
    history = cw.describe_alarm_history(AlarmName="high", HistoryItemType="Action")
    text = json.dumps(history["AlarmHistoryItems"], default=str)
    assert ("SNS topic encryption key" in text) is not allowed

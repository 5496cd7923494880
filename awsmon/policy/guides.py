"""The resource policies AWS's guides give for each monitoring flow, as JSON text.

A pure module: each function returns the policy (or statement list) AWS
documents for letting one service deliver to another, so a test or scenario
can install exactly what a user following the guide would.

>>> import json
>>> text = sns_to_sqs("arn:aws:sns:us-east-1:123456789012:t",
...                   "arn:aws:sqs:us-east-1:123456789012:q")
>>> json.loads(text)["Statement"][0]["Principal"]
{'Service': 'sns.amazonaws.com'}
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "events_to_logs",
    "events_to_sns",
    "events_to_sqs",
    "logs_export_to_s3",
    "policy",
    "sns_to_sqs",
    "to_topic_from_cloudwatch",
]


def policy(*statements: dict[str, Any]) -> str:
    """A policy document (Version 2012-10-17) of `statements`, as JSON text."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _account(arn: str) -> str:
    return arn.split(":")[4]


def sns_to_sqs(topic_arn: str, queue_arn: str) -> str:
    """The queue policy of SNS's guide "Subscribe a queue to a topic" (ArnEquals aws:SourceArn)."""
    return policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
        }
    )


def events_to_sqs(rule_arn: str, queue_arn: str) -> str:
    """The queue policy EventBridge's guide gives for an SQS target of `rule_arn`."""
    return policy(
        {
            "Sid": "AWSEvents_rule_target",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
        }
    )


def events_to_sns(topic_arn: str) -> str:
    """The topic policy EventBridge's guide gives for an SNS target."""
    return policy(
        {
            "Sid": "PublishEventsToMyTopic",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic_arn,
        }
    )


def events_to_logs(region: str, account_id: str, groups: str = "/aws/events/*") -> str:
    """The Logs resource policy EventBridge's guide gives for log-group targets."""
    return policy(
        {
            "Sid": "TrustEventsToStoreLogEvent",
            "Effect": "Allow",
            "Principal": {"Service": ["delivery.logs.amazonaws.com", "events.amazonaws.com"]},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:{region}:{account_id}:log-group:{groups}:*",
        }
    )


def to_topic_from_cloudwatch(topic_arn: str) -> str:
    """A topic policy letting CloudWatch alarms of the topic's account publish to it."""
    account = _account(topic_arn)
    region = topic_arn.split(":")[3]
    return policy(
        {
            "Sid": "AllowCloudWatchAlarms",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:*"},
                "StringEquals": {"aws:SourceAccount": account},
            },
        }
    )


def logs_export_to_s3(bucket: str, region: str, account_id: str) -> str:
    """The bucket policy of the Logs guide "Export log data to Amazon S3" (SourceArn/Account)."""
    principal = {"Service": f"logs.{region}.amazonaws.com"}
    source = {
        "StringEquals": {"aws:SourceAccount": [account_id]},
        "ArnLike": {"aws:SourceArn": [f"arn:aws:logs:{region}:{account_id}:log-group:*"]},
    }
    return policy(
        {
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:GetBucketAcl",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": source,
        },
        {
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": [account_id],
                },
                "ArnLike": source["ArnLike"],
            },
        },
    )

"""Story: an error-rate alarm from application logs, written as a user's unit test would.

Application logs -> a metric filter counts ERROR lines -> a CloudWatch alarm ->
an SNS topic -> an SQS queue the on-call tooling reads. Only boto3 code talks to
AWS; awsmon answers it (``cloud.patch_boto3()``) and moves the clock.

Run: ``python examples/error_rate_alarm.py`` (output kept in ``error_rate_alarm.out``).
"""

from __future__ import annotations

import json
from datetime import timedelta

import boto3

from awsmon import Cloud

GROUP, STREAM = "/shop/checkout", "web-1"


def main() -> None:
    """Log a quiet minute, then a bad stretch, and read the page from the queue."""
    cloud = Cloud(seed=11)
    with cloud.patch_boto3():
        logs = boto3.client("logs", region_name="us-east-1")
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        sns = boto3.client("sns", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")

        logs.create_log_group(logGroupName=GROUP)
        logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
        logs.put_metric_filter(
            logGroupName=GROUP,
            filterName="errors",
            filterPattern="[time, level = ERROR, ...]",
            metricTransformations=[
                {
                    "metricName": "CheckoutErrors",
                    "metricNamespace": "Shop",
                    "metricValue": "1",
                    "defaultValue": 0,
                }
            ],
        )
        print("metric filter: space-delimited lines whose level is ERROR count 1, others 0")

        topic = sns.create_topic(Name="oncall")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="oncall-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        cw.put_metric_alarm(
            AlarmName="checkout-errors",
            Namespace="Shop",
            MetricName="CheckoutErrors",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=3,
            DatapointsToAlarm=2,
            Threshold=5,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
            AlarmActions=[topic],
            OKActions=[topic],
        )
        print("alarm: more than 5 errors a minute in 2 of the last 3 minutes pages on-call")

        for minute, errors in enumerate([0, 1, 8, 9, 2, 0, 0]):
            now = int(cloud.clock.now().timestamp() * 1000)
            lines = [f"{now} ERROR payment declined" for _ in range(errors)]
            lines += [f"{now} INFO order placed" for _ in range(10 - errors)]
            logs.put_log_events(
                logGroupName=GROUP,
                logStreamName=STREAM,
                logEvents=[{"timestamp": now, "message": line} for line in lines],
            )
            cloud.clock.advance(timedelta(minutes=1))
            state = cw.describe_alarms(AlarmNames=["checkout-errors"])["MetricAlarms"][0]
            print(f"minute {minute}: {errors} errors of 10 -> alarm {state['StateValue']}")
        cloud.clock.advance(timedelta(minutes=3))

        pages = []
        while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in batch:
                envelope = json.loads(message["Body"])
                alarm = json.loads(envelope["Message"])
                pages.append(f"{alarm['OldStateValue']} -> {alarm['NewStateValue']}")
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        print("on-call inbox:", ", ".join(pages))
        reason = cw.describe_alarm_history(
            AlarmName="checkout-errors", HistoryItemType="StateUpdate"
        )["AlarmHistoryItems"]
        print("history:", *[item["HistorySummary"] for item in reversed(reason)], sep="\n  ")
        assert "OK -> ALARM" in pages and "ALARM -> OK" in pages, pages


if __name__ == "__main__":
    main()

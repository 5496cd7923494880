"""Tests of awsmon/logs/api.py through boto3: shapes, error tables and cross-service flows."""

from __future__ import annotations

import base64
import gzip
import json
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from awsmon import Cloud
from awsmon.logs.subscriptions import decode
from awsmon.testing.shapes import assert_shape


def ms(cloud: Cloud, delta_s: float = 0) -> int:
    return int((cloud.clock.time() + delta_s) * 1000)


@pytest.fixture
def logs(awsmon_boto3: Cloud) -> Any:
    client = boto3.client("logs", region_name="us-east-1")
    client.create_log_group(logGroupName="app")
    client.create_log_stream(logGroupName="app", logStreamName="web")
    return client


def checked(operation: str, response: dict[str, Any]) -> dict[str, Any]:
    assert_shape("logs", operation, response)
    return response


class TestShapes:
    def test_every_read_fits_its_shape(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """Describe/Get/Filter/Test answers fit botocore's output shapes."""
        cloud = awsmon_boto3
        checked(
            "PutLogEvents",
            logs.put_log_events(
                logGroupName="app",
                logStreamName="web",
                logEvents=[{"timestamp": ms(cloud), "message": '{"latency": 5}'}],
            ),
        )
        logs.put_metric_filter(
            logGroupName="app",
            filterName="lat",
            filterPattern="{ $.latency = * }",
            metricTransformations=[
                {
                    "metricName": "Latency",
                    "metricNamespace": "App",
                    "metricValue": "$.latency",
                    "unit": "Milliseconds",
                }
            ],
        )
        logs.put_retention_policy(logGroupName="app", retentionInDays=30)
        groups = checked("DescribeLogGroups", logs.describe_log_groups())["logGroups"]
        assert groups[0]["retentionInDays"] == 30 and groups[0]["metricFilterCount"] == 1
        assert groups[0]["arn"].endswith(":log-group:app:*")
        checked("DescribeLogStreams", logs.describe_log_streams(logGroupName="app"))
        checked("GetLogEvents", logs.get_log_events(logGroupName="app", logStreamName="web"))
        checked("FilterLogEvents", logs.filter_log_events(logGroupName="app"))
        checked("DescribeMetricFilters", logs.describe_metric_filters(logGroupName="app"))
        checked(
            "TestMetricFilter",
            logs.test_metric_filter(filterPattern="[a, b]", logEventMessages=["x y"]),
        )
        checked("ListTagsLogGroup", logs.list_tags_log_group(logGroupName="app"))
        policy = checked(
            "PutResourcePolicy",
            logs.put_resource_policy(policyName="p", policyDocument='{"Version": "2012-10-17"}'),
        )
        assert policy["resourcePolicy"]["policyScope"] == "ACCOUNT"
        checked("DescribeResourcePolicies", logs.describe_resource_policies())

    def test_describe_pagination(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """boto3's paginator walks DescribeLogGroups pages in name order."""
        for index in range(7):
            logs.create_log_group(logGroupName=f"g/{index}")
        pages = logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix="g/", PaginationConfig={"PageSize": 3}
        )
        names = [g["logGroupName"] for page in pages for g in page["logGroups"]]
        assert names == [f"g/{index}" for index in range(7)]

    def test_tags_both_apis(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """TagResource and TagLogGroup reach the same tags."""
        arn = "arn:aws:logs:us-east-1:123456789012:log-group:app"
        logs.tag_resource(resourceArn=arn, tags={"team": "web"})
        logs.tag_log_group(logGroupName="app", tags={"env": "prod"})
        assert checked("ListTagsForResource", logs.list_tags_for_resource(resourceArn=arn))[
            "tags"
        ] == {"team": "web", "env": "prod"}
        logs.untag_resource(resourceArn=arn, tagKeys=["team"])
        logs.untag_log_group(logGroupName="app", tags=["env"])
        assert logs.list_tags_log_group(logGroupName="app")["tags"] == {}


ERRORS = [
    (
        "create_log_group",
        {"logGroupName": "app"},
        "ResourceAlreadyExistsException",
        r"^The specified log group already exists$",
    ),
    (
        "create_log_group",
        {"logGroupName": "bad name"},
        "InvalidParameterException",
        r"^1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: .*$",
    ),
    (
        "delete_log_group",
        {"logGroupName": "nope"},
        "ResourceNotFoundException",
        r"^The specified log group does not exist\.$",
    ),
    (
        "create_log_stream",
        {"logGroupName": "app", "logStreamName": "web"},
        "ResourceAlreadyExistsException",
        r"^The specified log stream already exists$",
    ),
    (
        "create_log_stream",
        {"logGroupName": "app", "logStreamName": "a:b"},
        "InvalidParameterException",
        r"^1 validation error detected: Value 'a:b' at 'logStreamName' .*$",
    ),
    (
        "put_retention_policy",
        {"logGroupName": "app", "retentionInDays": 2},
        "InvalidParameterException",
        r"^1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy "
        r"constraint: Member must satisfy enum value set: \[1, 3, 5, 7, 14, .*3653\]$",
    ),
    (
        "get_log_events",
        {"logGroupName": "app", "logStreamName": "web", "nextToken": "zzz"},
        "InvalidParameterException",
        r"^The specified nextToken is invalid\.$",
    ),
    (
        "get_log_events",
        {"logGroupName": "app", "logGroupIdentifier": "app", "logStreamName": "web"},
        "InvalidParameterException",
        r"^LogGroup name and LogGroup ARN are mutually exclusive parameters\.$",
    ),
    (
        "describe_log_streams",
        {"logGroupName": "app", "orderBy": "LastEventTime", "logStreamNamePrefix": "w"},
        "InvalidParameterException",
        r"^Cannot order by LastEventTime with a logStreamNamePrefix\.$",
    ),
    (
        "filter_log_events",
        {"logGroupName": "app", "filterPattern": "{ $.a = "},
        "InvalidParameterException",
        r"^Invalid filter pattern.*$",
    ),
    (
        "delete_metric_filter",
        {"logGroupName": "app", "filterName": "nope"},
        "ResourceNotFoundException",
        r"^The specified metric filter does not exist\.$",
    ),
    (
        "put_metric_filter",
        {
            "logGroupName": "app",
            "filterName": "f",
            "filterPattern": "ERROR",
            "metricTransformations": [
                {"metricName": "m", "metricNamespace": "n", "metricValue": "$.x"}
            ],
        },
        "InvalidParameterException",
        r"^Invalid metricValue '\$\.x'.*$",
    ),
    (
        "put_metric_filter",
        {
            "logGroupName": "app",
            "filterName": "f",
            "filterPattern": "{ $.a = 1 }",
            "metricTransformations": [
                {
                    "metricName": "m",
                    "metricNamespace": "n",
                    "metricValue": "1",
                    "defaultValue": 0,
                    "dimensions": {"d": "$.a"},
                }
            ],
        },
        "InvalidParameterException",
        r"^You cannot have both default value and dimensions.*$",
    ),
    (
        "put_subscription_filter",
        {
            "logGroupName": "app",
            "filterName": "f",
            "filterPattern": "",
            "destinationArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
        },
        "InvalidParameterException",
        r"^destinationArn for vendor kinesis cannot be used without roleArn$",
    ),
    (
        "put_subscription_filter",
        {
            "logGroupName": "app",
            "filterName": "f",
            "filterPattern": "",
            "destinationArn": "arn:aws:lambda:us-east-1:123456789012:function:nope",
        },
        "InvalidParameterException",
        r"^Could not execute the lambda function\. Make sure you have given CloudWatch Logs "
        r"permission to execute your function\.$",
    ),
    (
        "cancel_export_task",
        {"taskId": "nope"},
        "ResourceNotFoundException",
        r"^The specified export task does not exist\.$",
    ),
    (
        "create_export_task",
        {"logGroupName": "app", "fromTime": 0, "to": 1, "destination": "no-bucket"},
        "InvalidParameterException",
        r"^.*$",
    ),
    (
        "delete_resource_policy",
        {"policyName": "nope"},
        "ResourceNotFoundException",
        r"^Policy with name \[nope\] does not exist$",
    ),
]


@pytest.mark.parametrize(
    ("method", "kwargs", "code", "message"),
    ERRORS,
    ids=[f"{m}-{c}-{i}" for i, (m, _k, c, _x) in enumerate(ERRORS)],
)
def test_error_table(
    logs: Any, method: str, kwargs: dict[str, Any], code: str, message: str
) -> None:
    """Each invalid call fails with AWS's code and message, through boto3."""
    with pytest.raises(ClientError) as caught:
        getattr(logs, method)(**kwargs)
    error = caught.value.response["Error"]
    assert error["Code"] == code
    assert re.match(message, error["Message"]), error["Message"]


class TestFlows:
    def test_metric_filter_to_statistics(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """Metric filter → metric → GetMetricStatistics, at the events' minute."""
        cloud = awsmon_boto3
        logs.put_metric_filter(
            logGroupName="app",
            filterName="errors",
            filterPattern="ERROR",
            metricTransformations=[
                {
                    "metricName": "Errors",
                    "metricNamespace": "App",
                    "metricValue": "1",
                    "unit": "Count",
                }
            ],
        )
        stamp = ms(cloud, -90)
        logs.put_log_events(
            logGroupName="app",
            logStreamName="web",
            logEvents=[{"timestamp": stamp, "message": m} for m in ("ERROR a", "ok", "ERROR b")],
        )
        cw = boto3.client("cloudwatch", region_name="us-east-1")
        stats = cw.get_metric_statistics(
            Namespace="App",
            MetricName="Errors",
            StartTime=cloud.clock.now() - timedelta(minutes=5),
            EndTime=cloud.clock.now(),
            Period=60,
            Statistics=["Sum"],
        )
        (point,) = stats["Datapoints"]
        assert point["Sum"] == 2.0 and point["Unit"] == "Count"
        assert int(point["Timestamp"].timestamp() * 1000) == stamp - stamp % 60_000

    def test_subscription_to_kinesis(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """Subscription → Kinesis: a CONTROL_MESSAGE, then the gzip DATA_MESSAGE of matches."""
        cloud = awsmon_boto3
        kinesis = boto3.client("kinesis", region_name="us-east-1")
        kinesis.create_stream(StreamName="logs", ShardCount=1)
        cloud.clock.advance(5)
        arn = kinesis.describe_stream(StreamName="logs")["StreamDescription"]["StreamARN"]
        logs.put_subscription_filter(
            logGroupName="app",
            filterName="errors",
            filterPattern="ERROR",
            destinationArn=arn,
            roleArn="arn:aws:iam::123456789012:role/CWLtoKinesis",
        )
        checked(
            "DescribeSubscriptionFilters", logs.describe_subscription_filters(logGroupName="app")
        )
        stamp = ms(cloud)
        logs.put_log_events(
            logGroupName="app",
            logStreamName="web",
            logEvents=[{"timestamp": stamp, "message": m} for m in ("ERROR a", "fine")],
        )
        shard = kinesis.list_shards(StreamName="logs")["Shards"][0]["ShardId"]
        iterator = kinesis.get_shard_iterator(
            StreamName="logs", ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator)["Records"]
        documents = [json.loads(gzip.decompress(r["Data"])) for r in records]
        assert documents[0]["messageType"] == "CONTROL_MESSAGE"
        data = documents[1]
        assert list(data) == [
            "messageType",
            "owner",
            "logGroup",
            "logStream",
            "subscriptionFilters",
            "logEvents",
        ]
        assert (data["owner"], data["logGroup"], data["logStream"]) == (
            "123456789012",
            "app",
            "web",
        )
        assert data["subscriptionFilters"] == ["errors"]
        (event,) = data["logEvents"]
        assert (event["timestamp"], event["message"], len(event["id"])) == (stamp, "ERROR a", 56)

    def test_subscription_to_lambda(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """A Lambda destination gets {"awslogs": {"data": base64 gzip}} once permitted."""
        cloud = awsmon_boto3
        received: list[dict[str, Any]] = []
        function = cloud.lambda_.register("sink", lambda event, context: received.append(event))
        arn = function.arn
        with pytest.raises(ClientError, match="Could not execute the lambda function"):
            logs.put_subscription_filter(
                logGroupName="app", filterName="f", filterPattern="", destinationArn=arn
            )
        boto3.client("lambda", region_name="us-east-1").add_permission(
            FunctionName="sink",
            StatementId="logs",
            Action="lambda:InvokeFunction",
            Principal="logs.amazonaws.com",
        )
        logs.put_subscription_filter(
            logGroupName="app", filterName="f", filterPattern="", destinationArn=arn
        )
        logs.put_log_events(
            logGroupName="app",
            logStreamName="web",
            logEvents=[{"timestamp": ms(cloud), "message": "hi"}],
        )
        (event,) = received
        document = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
        assert document["logEvents"][0]["message"] == "hi"
        assert decode(cloud.logs.deliveries[-1].data) == document

    def test_export_to_s3(self, awsmon_boto3: Cloud, logs: Any) -> None:
        """An export task writes gzip objects per stream when the clock finishes it."""
        cloud = awsmon_boto3
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="exports")
        stamp = ms(cloud)
        logs.put_log_events(
            logGroupName="app",
            logStreamName="web",
            logEvents=[{"timestamp": stamp, "message": "hello"}],
        )
        with pytest.raises(ClientError, match="GetBucketAcl call on the given bucket failed"):
            logs.create_export_task(logGroupName="app", fromTime=0, to=stamp, destination="exports")
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                    "Action": ["s3:GetBucketAcl", "s3:PutObject"],
                    "Resource": ["arn:aws:s3:::exports", "arn:aws:s3:::exports/*"],
                }
            ],
        }
        s3.put_bucket_policy(Bucket="exports", Policy=json.dumps(policy))
        task = logs.create_export_task(
            logGroupName="app", fromTime=0, to=stamp, destination="exports", destinationPrefix="x"
        )["taskId"]
        with pytest.raises(ClientError) as caught:
            logs.create_export_task(logGroupName="app", fromTime=0, to=stamp, destination="exports")
        assert caught.value.response["Error"]["Code"] == "LimitExceededException"
        status = checked("DescribeExportTasks", logs.describe_export_tasks(taskId=task))
        assert status["exportTasks"][0]["status"]["code"] == "PENDING"
        cloud.clock.advance(60)
        status = logs.describe_export_tasks(taskId=task)["exportTasks"][0]
        assert status["status"]["code"] == "COMPLETED"
        assert status["executionInfo"]["completionTime"] >= status["executionInfo"]["creationTime"]
        body = s3.get_object(Bucket="exports", Key=f"x/{task}/web/000000.gz")["Body"].read()
        line = gzip.decompress(body).decode()
        assert line.endswith(" hello\n") and line[:24].endswith("Z")
        with pytest.raises(ClientError) as caught:
            logs.cancel_export_task(taskId=task)
        assert caught.value.response["Error"]["Code"] == "InvalidOperationException"

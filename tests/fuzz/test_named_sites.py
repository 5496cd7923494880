"""The raw-exception and poisoning sites issue 19 names, each pinned by one example."""

# ruff: noqa: E501 (one case a line reads best)

from __future__ import annotations

from typing import Any

import pytest

from awsmon import Cloud
from awsmon.errors import ServiceError

NESTED = "[" * 1500 + "]" * 1500
TOPIC = "arn:aws:sns:us-east-1:123456789012:t"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/q"

#: (service, operation, parameters, the AWS error code expected)
REFUSED = [
    ("ec2", "CreateTags", {"Resources": ["i-12345678"], "Tags": [{"Value": "v"}]}, "MissingParameter"),
    ("sqs", "GetQueueUrl", {"QueueName": "q", "QueueOwnerAWSAccountId": "abc"}, "InvalidParameterValue"),
    ("sns", "Publish", {"TopicArn": TOPIC, "Message": "\ud800"}, "InvalidParameter"),
    ("sns", "Publish", {"TopicArn": TOPIC, "Message": NESTED, "MessageStructure": "json"}, "InvalidParameter"),
    ("s3", "GetBucketLocation", {"Bucket": "missing"}, "NoSuchBucket"),
    ("cloudwatch", "PutDashboard", {"DashboardName": "d", "DashboardBody": NESTED}, "InvalidParameterInput"),
    ("sqs", "SetQueueAttributes", {"QueueUrl": QUEUE, "Attributes": {"Policy": NESTED}}, "InvalidAttributeValue"),
    ("sns", "SetTopicAttributes", {"TopicArn": TOPIC, "AttributeName": "Policy", "AttributeValue": NESTED}, "InvalidParameter"),
    ("s3", "PutBucketPolicy", {"Bucket": "bkt", "Policy": NESTED}, "MalformedPolicy"),
    ("logs", "PutResourcePolicy", {"policyName": "p", "policyDocument": NESTED}, "InvalidParameterException"),
    ("events", "PutPermission", {"Policy": NESTED}, "ValidationException"),
    ("events", "CreateArchive", {"ArchiveName": "a", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/default", "RetentionDays": 10**12}, "ValidationException"),
    # Found by later fuzz campaigns (AWSMON_FUZZ_RANDOM=1):
    ("events", "PutEvents", {"Entries": [{"Source": "a", "DetailType": "b", "Detail": ["x"]}]}, "ValidationException"),
    ("events", "PutPartnerEvents", {"Entries": [{"Resources": [[], {"a": 1}]}]}, "ValidationException"),
    ("events", "ListRuleNamesByTarget", {"TargetArn": "t", "NextToken": "\u00b2"}, "ValidationException"),
    ("ec2", "RunInstances", {"MinCount": 1, "MaxCount": 1, "LaunchTemplate": {"LaunchTemplateId": {"a": 1}}}, "InvalidParameterValue"),
    ("ec2", "RunInstances", {"ImageId": "ami-12345678", "MinCount": 1, "MaxCount": 1, "TagSpecifications": [{"ResourceType": "instance", "Tags": 1}]}, "InvalidParameterValue"),
    ("s3", "PutObject", {"Bucket": "bkt", "Key": "k", "Body": "\ud800"}, "InvalidArgument"),
]  # fmt: skip


def _cloud() -> Cloud:
    cloud = Cloud()
    cloud.client("sqs").create_queue(QueueName="q")
    cloud.client("sns").create_topic(Name="t")
    cloud.client("s3").create_bucket(Bucket="bkt")
    return cloud


@pytest.mark.parametrize(("service", "operation", "params", "code"), REFUSED)
def test_refused_with_the_aws_error(
    service: str, operation: str, params: dict[str, Any], code: str
) -> None:
    cloud = _cloud()
    with pytest.raises(ServiceError) as caught:
        cloud.invoke(service, operation, params, region="us-east-1", source="wire")
    assert caught.value.code == code


def test_delete_dashboards_with_a_repeated_name() -> None:
    cloud = Cloud()
    cw = cloud.client("cloudwatch")
    for name in ("d1", "d2"):
        cw.put_dashboard(DashboardName=name, DashboardBody='{"widgets": []}')
    cw.delete_dashboards(DashboardNames=["d1", "d2", "d1"])
    assert cw.list_dashboards()["DashboardEntries"] == []


def test_put_trace_segments_reports_a_nested_document_and_refuses_a_lone_surrogate() -> None:
    """Too deep: that document is unprocessed. Not Unicode: the whole request is refused."""
    cloud = Cloud()
    xray = cloud.client("xray")
    answer = xray.put_trace_segments(TraceSegmentDocuments=[NESTED])
    assert [u["ErrorCode"] for u in answer["UnprocessedTraceSegments"]] == ["InvalidSegment"]
    with pytest.raises(ServiceError) as caught:
        xray.put_trace_segments(TraceSegmentDocuments=['{"name": "\ud800"}'])
    assert caught.value.code == "InvalidRequestException"
    assert len(cloud.xray.store) == 0


def test_the_longest_archive_retention_keeps_archives_usable() -> None:
    cloud = Cloud()
    events = cloud.client("events")
    events.create_archive(
        ArchiveName="a",
        EventSourceArn="arn:aws:events:us-east-1:123456789012:event-bus/default",
        RetentionDays=2**31 - 1,
    )
    assert events.describe_archive(ArchiveName="a")["RetentionDays"] == 2**31 - 1
    assert [a["ArchiveName"] for a in events.list_archives()["Archives"]] == ["a"]
    events.delete_archive(ArchiveName="a")


def test_lambda_zip_file_as_text_and_nul_in_handler_or_environment() -> None:
    cloud = Cloud()
    client = cloud.client("lambda")
    base = {"Role": "arn:aws:iam::123456789012:role/r", "Runtime": "python3.12"}
    client.create_function(FunctionName="f", Handler="h.h", Code={"ZipFile": "text"}, **base)
    with pytest.raises(ServiceError):
        client.create_function(FunctionName="g", Handler="h\x00.h", Code={}, **base)
    with pytest.raises(ServiceError):
        client.create_function(
            FunctionName="g",
            Handler="h.h",
            Code={},
            Environment={"Variables": {"A1": "x\x00y"}},
            **base,
        )
    assert [f["FunctionName"] for f in client.list_functions()["Functions"]] == ["f"]

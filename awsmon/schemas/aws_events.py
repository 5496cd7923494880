"""The AWS-managed ``aws.events`` registry: schemas of the events AWS services emit in awsmon.

Pure data and code. `SAMPLES` holds sample events (from the AWS guides, as
awsmon's services emit them: reference A.11) by schema name, and
`builtin_schemas` infers each schema from its samples, with the
``x-amazon-schemas-generated-code-hierarchy`` AWS sets on its own schemas.

Covered: CloudWatch Alarm State Change and Alarm Configuration Change, EC2
Instance State-change Notification, Scheduled Event, Auto Scaling's instance
launch and terminate events, the Schema Registry's Schema Created and Schema
Version Created, and "AWS API Call via CloudTrail" for every service awsmon
simulates.

>>> names = sorted(builtin_schemas())
>>> "aws.ec2@EC2InstanceStateChangeNotification" in names
True
>>> "aws.logs@AWSAPICallViaCloudTrail" in names
True
"""

from __future__ import annotations

import copy
from typing import Any

from awsmon.schemas.codegen.naming import package_parts
from awsmon.schemas.inference import Inference, schema_name

__all__ = ["SAMPLES", "builtin_schemas"]

_ENVELOPE = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "account": "123456789012",
    "time": "2019-10-02T17:04:40Z",
    "region": "us-east-1",
}


def _event(
    source: str, detail_type: str, detail: dict[str, Any], resources: list[str]
) -> dict[str, Any]:
    event: dict[str, Any] = dict(_ENVELOPE)
    event.update({"detail-type": detail_type, "source": source, "resources": resources})
    event["detail"] = detail
    return event


def _alarm_state(value: str, *, data: bool = True, suppressed: bool = False) -> dict[str, Any]:
    state: dict[str, Any] = {
        "value": value,
        "reason": "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (02/10/19 17:02:00)]",
        "timestamp": "2019-10-02T17:04:40.985+0000",
    }
    if data:
        state["reasonData"] = '{"version":"1.0","queryDate":"2019-10-02T17:04:40.985+0000"}'
    if suppressed:
        state["actionsSuppressedBy"] = "WaitPeriod"
        state["actionsSuppressedReason"] = "Actions suppressed by WaitPeriod"
    return state


_METRIC_STAT = {
    "id": "m1",
    "metricStat": {
        "metric": {
            "namespace": "AWS/EC2",
            "name": "CPUUtilization",
            "dimensions": {"InstanceId": "i-12345678901234567"},
        },
        "period": 300,
        "stat": "Average",
    },
    "returnData": True,
}
_EXPRESSION = {"id": "e1", "expression": "SUM(METRICS())", "label": "Total", "returnData": True}
_ALARM_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"

_CLOUDTRAIL_DETAIL = {
    "eventVersion": "1.08",
    "userIdentity": {
        "type": "Root",
        "principalId": "123456789012",
        "arn": "arn:aws:iam::123456789012:root",
        "accountId": "123456789012",
        "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
    },
    "eventTime": "2019-10-02T17:04:40Z",
    "eventSource": "ec2.amazonaws.com",
    "eventName": "RunInstances",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "100.100.100.100",
    "userAgent": "aws-cli/2.13.0",
    "requestParameters": {"name": "example"},
    "responseElements": None,
    "requestID": "9cc9ae3a-8f0d-4a5f-b7b6-6f7a3c4b8f7e",
    "eventID": "b1c2d3e4-5f60-4a7b-8c9d-0e1f2a3b4c5d",
    "readOnly": False,
    "eventType": "AwsApiCall",
    "managementEvent": True,
    "recipientAccountId": "123456789012",
    "eventCategory": "Management",
}

#: The services whose API calls CloudTrail delivers in awsmon: source → event source.
_CLOUDTRAIL_SOURCES = {
    "aws.autoscaling": "autoscaling.amazonaws.com",
    "aws.cloudwatch": "monitoring.amazonaws.com",
    "aws.ec2": "ec2.amazonaws.com",
    "aws.events": "events.amazonaws.com",
    "aws.firehose": "firehose.amazonaws.com",
    "aws.kinesis": "kinesis.amazonaws.com",
    "aws.kms": "kms.amazonaws.com",
    "aws.lambda": "lambda.amazonaws.com",
    "aws.logs": "logs.amazonaws.com",
    "aws.s3": "s3.amazonaws.com",
    "aws.schemas": "schemas.amazonaws.com",
    "aws.sns": "sns.amazonaws.com",
    "aws.sqs": "sqs.amazonaws.com",
    "aws.sts": "sts.amazonaws.com",
    "aws.xray": "xray.amazonaws.com",
}


def _autoscaling(kind: str, status: str) -> dict[str, Any]:
    return {
        "StatusCode": status,
        "AutoScalingGroupName": "my-asg",
        "ActivityId": "74ea7e3c-8a36-4b1d-8d0f-9a9f0a1b2c3d",
        "Details": {"Availability Zone": "us-east-1a", "Subnet ID": "subnet-12345678"},
        "RequestId": "74ea7e3c-8a36-4b1d-8d0f-9a9f0a1b2c3d",
        "EndTime": "2019-10-02T17:04:40.985Z",
        "EC2InstanceId": "i-12345678901234567",
        "StartTime": "2019-10-02T17:03:40.985Z",
        "Cause": f"At 2019-10-02T17:03:40Z an instance was {kind} in response to a difference "
        "between desired and actual capacity.",
    }


def _samples() -> dict[str, list[dict[str, Any]]]:
    samples: dict[str, list[dict[str, Any]]] = {}

    def add(source: str, detail_type: str, *details: dict[str, Any], resources: Any = ()) -> None:
        events = [_event(source, detail_type, d, list(resources)) for d in details]
        samples[schema_name(source, detail_type)] = events

    alarm_config = {"description": "CPU above 50%", "metrics": [_METRIC_STAT, _EXPRESSION]}
    add(
        "aws.cloudwatch",
        "CloudWatch Alarm State Change",
        {
            "alarmName": "ServerCpuTooHigh",
            "state": _alarm_state("ALARM", suppressed=True),
            "previousState": _alarm_state("OK"),
            "configuration": alarm_config,
        },
        {
            "alarmName": "ServerCpuTooHigh",
            "state": _alarm_state("OK"),
            "previousState": _alarm_state("INSUFFICIENT_DATA", data=False),
            "configuration": alarm_config,
        },
        resources=[_ALARM_ARN],
    )
    add(
        "aws.cloudwatch",
        "CloudWatch Alarm Configuration Change",
        {"alarmName": "ServerCpuTooHigh", "operation": "create", "state": _alarm_state("OK")},
        resources=[_ALARM_ARN],
    )
    add(
        "aws.ec2",
        "EC2 Instance State-change Notification",
        {"instance-id": "i-abcd1111", "state": "pending"},
        resources=["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    )
    add("aws.events", "Scheduled Event", {}, resources=["arn:aws:events:us-east-1:1:rule/r"])
    group_arn = (
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/my-asg"
    )
    for kind, detail_type in (
        ("launched", "EC2 Instance Launch Successful"),
        ("terminated", "EC2 Instance Terminate Successful"),
    ):
        add("aws.autoscaling", detail_type, _autoscaling(kind, "InProgress"), resources=[group_arn])
    schema_detail = {
        "SchemaName": "users@UserCreated",
        "SchemaType": "OpenApi3",
        "RegistryName": "discovered-schemas",
        "CreationDate": "2019-10-02T17:04:40Z",
        "Version": "1",
    }
    schema_arn = (
        "arn:aws:schemas:us-east-1:123456789012:schema/discovered-schemas/users@UserCreated"
    )
    add("aws.schemas", "Schema Created", schema_detail, resources=[schema_arn])
    add("aws.schemas", "Schema Version Created", schema_detail, resources=[schema_arn])
    for source, event_source in _CLOUDTRAIL_SOURCES.items():
        detail = copy.deepcopy(_CLOUDTRAIL_DETAIL)
        detail["eventSource"] = event_source
        read_only = dict(detail, readOnly=True, responseElements={"requestId": "x"})
        add(source, "AWS API Call via CloudTrail", detail, read_only)
    return samples


#: Sample events by schema name (deep copies are handed out by `builtin_schemas`).
SAMPLES: dict[str, list[dict[str, Any]]] = _samples()


def builtin_schemas() -> dict[str, dict[str, Any]]:
    """The ``aws.events`` registry's schemas: name → OpenAPI document."""
    documents: dict[str, dict[str, Any]] = {}
    for name, events in SAMPLES.items():
        inference = Inference()
        inference.add_all(events)
        hierarchy = "/".join(package_parts(name))
        documents[name] = inference.document(code_hierarchy=hierarchy)
    return documents

"""Tests of awsmon/cloudwatch/alarms/api.py and actions.py / effects.py: alarm
operations through boto3 with shape checks, actions reaching SNS, SQS and Lambda."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.api import CloudWatchApi
from awsmon.cloudwatch.metrics.model import MetricKey
from awsmon.policy import guides
from awsmon.testing.shapes import assert_shape

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DIMS = [{"Name": "Api", "Value": "orders"}]
KEY = MetricKey.of("App", "Latency", {"Api": "orders"})


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    cloud = Cloud(clock=VirtualClock(T0))
    with cloud.patch_boto3():
        yield cloud


@pytest.fixture
def cw(cloud: Cloud) -> Any:
    return boto3.client("cloudwatch", region_name="us-east-1")


def alarm_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "AlarmName": "latency",
        "MetricName": "Latency",
        "Namespace": "App",
        "Dimensions": DIMS,
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 100.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    args.update(overrides)
    return args


def describe(cw: Any, **params: Any) -> dict[str, Any]:
    answer = cw.describe_alarms(**params)
    assert_shape("cloudwatch", "DescribeAlarms", answer)
    return dict(answer)


def put(cloud: Cloud, minute: float, value: float) -> None:
    cloud.cloudwatch.publish(KEY, [(T0 + timedelta(minutes=minute, seconds=5), value)])


def test_mixin_operations_are_collected() -> None:
    """CloudWatchApi has both its own operations and the alarm mixin's."""
    assert {"PutMetricData", "PutMetricAlarm", "DescribeAlarms", "PutAnomalyDetector"} <= set(
        CloudWatchApi.operations
    )


class TestDescribeAlarms:
    def test_fresh_alarm_shape(self, cloud: Cloud, cw: Any) -> None:
        """A new alarm: INSUFFICIENT_DATA, AWS's initial reason, optional fields absent."""
        cw.put_metric_alarm(**alarm_args())
        alarm = describe(cw)["MetricAlarms"][0]
        assert alarm["StateValue"] == "INSUFFICIENT_DATA"
        assert alarm["StateReason"] == "Unchecked: Initial alarm creation"
        assert alarm["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:latency"
        assert alarm["Dimensions"] == DIMS and alarm["OKActions"] == []
        for absent in ("DatapointsToAlarm", "TreatMissingData", "StateReasonData", "Unit"):
            assert absent not in alarm
        assert alarm["StateUpdatedTimestamp"] == T0

    def test_filters(self, cloud: Cloud, cw: Any) -> None:
        """Names, prefix, state, action prefix and types, alone and together."""
        topic = "arn:aws:sns:us-east-1:123456789012:ops"
        cw.put_metric_alarm(**alarm_args(AlarmName="api-a", AlarmActions=[topic]))
        cw.put_metric_alarm(**alarm_args(AlarmName="api-b", TreatMissingData="notBreaching"))
        cw.put_metric_alarm(**alarm_args(AlarmName="db"))
        cw.put_composite_alarm(AlarmName="api-all", AlarmRule="ALARM(api-a) OR ALARM(api-b)")
        cloud.clock.advance(60)

        def names(**params: Any) -> list[str]:
            answer = describe(cw, **params)
            return [a["AlarmName"] for a in answer["MetricAlarms"] + answer["CompositeAlarms"]]

        assert names() == ["api-a", "api-b", "db"]
        assert names(AlarmNames=["db", "api-a", "zzz"]) == ["api-a", "db"]
        assert names(AlarmNamePrefix="api-") == ["api-a", "api-b"]
        assert names(AlarmNamePrefix="api-", AlarmTypes=["CompositeAlarm", "MetricAlarm"]) == [
            "api-a",
            "api-b",
            "api-all",
        ]
        assert names(StateValue="OK") == ["api-b"]
        assert names(ActionPrefix="arn:aws:sns:") == ["api-a"]
        assert names(AlarmTypes=["CompositeAlarm"]) == ["api-all"]

    def test_parents_and_children(self, cloud: Cloud, cw: Any) -> None:
        """ChildrenOfAlarmName and ParentsOfAlarmName, with AWS's reduced fields."""
        cw.put_metric_alarm(**alarm_args(AlarmName="a"))
        cw.put_metric_alarm(**alarm_args(AlarmName="b"))
        cw.put_composite_alarm(AlarmName="both", AlarmRule='ALARM("a") AND ALARM(b)')
        children = describe(cw, ChildrenOfAlarmName="both")
        assert [(a["AlarmName"], sorted(a)) for a in children["MetricAlarms"]] == [
            ("a", ["AlarmArn", "AlarmName", "StateUpdatedTimestamp", "StateValue"]),
            ("b", ["AlarmArn", "AlarmName", "StateUpdatedTimestamp", "StateValue"]),
        ]
        parents = describe(cw, ParentsOfAlarmName="a")
        assert parents["CompositeAlarms"] == [
            {
                "AlarmName": "both",
                "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:both",
            }
        ]
        with pytest.raises(ClientError) as caught:
            cw.describe_alarms(ParentsOfAlarmName="a", StateValue="OK")
        assert caught.value.response["Error"]["Code"] == "ValidationError"

    def test_pagination_with_the_paginator(self, cloud: Cloud, cw: Any) -> None:
        """MaxRecords pages; botocore's paginator walks them all; a bad token is refused."""
        for index in range(7):
            cw.put_metric_alarm(**alarm_args(AlarmName=f"alarm-{index}"))
        first = describe(cw, MaxRecords=3)
        assert [a["AlarmName"] for a in first["MetricAlarms"]] == ["alarm-0", "alarm-1", "alarm-2"]
        pages = cw.get_paginator("describe_alarms").paginate(PaginationConfig={"PageSize": 3})
        assert sum(len(p["MetricAlarms"]) for p in pages) == 7
        with pytest.raises(ClientError) as caught:
            cw.describe_alarms(NextToken="garbage")
        assert caught.value.response["Error"]["Code"] == "InvalidNextToken"

    def test_for_metric(self, cloud: Cloud, cw: Any) -> None:
        """DescribeAlarmsForMetric returns single-metric alarms on exactly that metric."""
        cw.put_metric_alarm(**alarm_args(AlarmName="a"))
        cw.put_metric_alarm(**alarm_args(AlarmName="b", Statistic="Maximum"))
        cw.put_metric_alarm(**alarm_args(AlarmName="other", Dimensions=[]))
        answer = cw.describe_alarms_for_metric(
            MetricName="Latency", Namespace="App", Dimensions=DIMS
        )
        assert_shape("cloudwatch", "DescribeAlarmsForMetric", answer)
        assert [a["AlarmName"] for a in answer["MetricAlarms"]] == ["a", "b"]
        answer = cw.describe_alarms_for_metric(
            MetricName="Latency", Namespace="App", Dimensions=DIMS, Statistic="Maximum"
        )
        assert [a["AlarmName"] for a in answer["MetricAlarms"]] == ["b"]


ERRORS = [
    pytest.param(
        {"Period": 45},
        "ValidationError",
        r"^Period must be 10, 20, 30 or a multiple of 60",
        id="period-45",
    ),
    pytest.param(
        {"Period": 60, "EvaluationPeriods": 1441},
        "ValidationError",
        r"^Metrics cannot be checked across more than a day",
        id="over-a-day",
    ),
    pytest.param(
        {"Period": 86400, "EvaluationPeriods": 8},
        "ValidationError",
        r"^Metrics cannot be checked across more than a week",
        id="over-a-week",
    ),
    pytest.param(
        {"EvaluationPeriods": 2, "DatapointsToAlarm": 3},
        "ValidationError",
        r"^DatapointsToAlarm must be less than or equal to EvaluationPeriods$",
        id="m-over-n",
    ),
    pytest.param(
        {"ExtendedStatistic": "p99"},
        "InvalidParameterCombination",
        r"^Exactly one of the parameters Statistic and ExtendedStatistic",
        id="both",
    ),
    pytest.param(
        {"Statistic": None},
        "InvalidParameterCombination",
        r"^Exactly one of the parameters Statistic and ExtendedStatistic",
        id="neither",
    ),
    pytest.param(
        {"Statistic": None, "ExtendedStatistic": "p1000"},
        "InvalidParameterValue",
        r"^The value p1000 for parameter ExtendedStatistic is not a valid statistic",
        id="bad-extended",
    ),
    pytest.param(
        {"TreatMissingData": "sometimes"},
        "ValidationError",
        r"^1 validation error detected: Value 'sometimes' at 'treatMissingData' failed "
        r"to satisfy constraint: Member must satisfy enum value set",
        id="treat",
    ),
    pytest.param(
        {"AlarmActions": [f"arn:aws:sns:us-east-1:123456789012:t{i}" for i in range(6)]},
        "ValidationError",
        r"^1 validation error detected: .* at 'alarmActions' "
        r"failed to satisfy constraint: Member must have length less than or equal "
        r"to 5$",
        id="six-actions",
    ),
    pytest.param(
        {
            "AlarmActions": ["arn:aws:automate:eu-west-1:ec2:stop"],
            "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}],
        },
        "ValidationError",
        r"^Invalid region eu-west-1 specified\. Only us-east-1 is supported\.$",
        id="ec2-region",
    ),
    pytest.param(
        {"Threshold": None}, "ValidationError", r"^Threshold must be specified", id="no-threshold"
    ),
    pytest.param(
        {"ComparisonOperator": "GreaterThanUpperThreshold"},
        "ValidationError",
        r"^ComparisonOperator GreaterThanUpperThreshold requires ThresholdMetricId",
        id="band-without-metric",
    ),
    pytest.param(
        {
            "Metrics": [
                {
                    "Id": "m1",
                    "MetricStat": {
                        "Metric": {"Namespace": "App", "MetricName": "Latency"},
                        "Period": 60,
                        "Stat": "Sum",
                    },
                }
            ]
        },
        "InvalidParameterCombination",
        r"^The parameters MetricName, Namespace",
        id="metrics-and-metric",
    ),
    pytest.param(
        {"Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
        "ValidationError",
        r"^1 validation error detected: .* at 'tags'",
        id="tags",
    ),
]


class TestPutMetricAlarmErrors:
    @pytest.mark.parametrize(("overrides", "code", "message"), ERRORS)
    def test_error_table(
        self, cloud: Cloud, cw: Any, overrides: dict[str, Any], code: str, message: str
    ) -> None:
        """Each invalid request gets AWS's code, the message, and stores nothing."""
        args = {k: v for k, v in alarm_args(**overrides).items() if v is not None}
        with pytest.raises(ClientError) as caught:
            cw.put_metric_alarm(**args)
        error = caught.value.response["Error"]
        assert error["Code"] == code
        assert re.match(message, error["Message"]), error["Message"]
        assert describe(cw)["MetricAlarms"] == []

    def test_math_alarm_needs_one_returned_value(self, cloud: Cloud, cw: Any) -> None:
        """Two ReturnData queries: AWS's message."""
        metric = {
            "Metric": {"Namespace": "App", "MetricName": "Latency"},
            "Period": 60,
            "Stat": "Sum",
        }
        with pytest.raises(ClientError) as caught:
            cw.put_metric_alarm(
                AlarmName="x",
                EvaluationPeriods=1,
                Threshold=1.0,
                ComparisonOperator="GreaterThanThreshold",
                Metrics=[{"Id": "m1", "MetricStat": metric}, {"Id": "e1", "Expression": "m1 * 2"}],
            )
        assert caught.value.response["Error"] == {
            "Code": "ValidationError",
            "Message": "Metrics list must contain exactly one metric matching the ReturnData "
            "parameter",
            "Type": "Sender",
        }

    def test_math_alarm_described(self, cloud: Cloud, cw: Any) -> None:
        """A math alarm is described with its Metrics and without the single-metric fields."""
        metric = {
            "Metric": {"Namespace": "App", "MetricName": "Latency", "Dimensions": DIMS},
            "Period": 60,
            "Stat": "Sum",
        }
        cw.put_metric_alarm(
            AlarmName="x",
            EvaluationPeriods=1,
            Threshold=1.0,
            ComparisonOperator="GreaterThanThreshold",
            Metrics=[
                {"Id": "m1", "MetricStat": metric, "ReturnData": False},
                {"Id": "e1", "Expression": "m1 * 2", "Label": "Double"},
            ],
        )
        alarm = describe(cw)["MetricAlarms"][0]
        assert "MetricName" not in alarm and "Period" not in alarm
        assert alarm["Metrics"][1] == {
            "Id": "e1",
            "Expression": "m1 * 2",
            "Label": "Double",
            "ReturnData": True,
        }


class TestActions:
    def test_sns_notification_reaches_an_sqs_queue(self, cloud: Cloud, cw: Any) -> None:
        """ALARM → SNS topic → subscribed SQS queue: the notification JSON as AWS writes it."""
        sns = boto3.client("sns", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="ops")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        policy = guides.sns_to_sqs(topic, queue_arn)
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": policy})
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        cw.put_metric_alarm(**alarm_args(AlarmActions=[topic], AlarmDescription="slow"))
        put(cloud, 0, 250.0)
        cloud.clock.advance(60)
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        assert len(messages) == 1
        envelope = json.loads(messages[0]["Body"])
        assert envelope["Subject"] == 'ALARM: "latency" in US East (N. Virginia)'
        assert envelope["TopicArn"] == topic
        body = json.loads(envelope["Message"])
        assert list(body) == [
            "AlarmName",
            "AlarmDescription",
            "AWSAccountId",
            "AlarmConfigurationUpdatedTimestamp",
            "NewStateValue",
            "NewStateReason",
            "StateChangeTime",
            "Region",
            "AlarmArn",
            "OldStateValue",
            "OKActions",
            "AlarmActions",
            "InsufficientDataActions",
            "Trigger",
        ]
        assert body["NewStateValue"] == "ALARM" and body["OldStateValue"] == "INSUFFICIENT_DATA"
        assert body["StateChangeTime"] == "2025-06-01T12:01:00.000+0000"
        assert body["Region"] == "US East (N. Virginia)"
        assert body["Trigger"] == {
            "MetricName": "Latency",
            "Namespace": "App",
            "StatisticType": "Statistic",
            "Statistic": "AVERAGE",
            "Unit": None,
            "Dimensions": [{"value": "orders", "name": "Api"}],
            "Period": 60,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 100.0,
            "TreatMissingData": "",
            "EvaluateLowSampleCountPercentile": "",
        }
        history = cw.describe_alarm_history(AlarmName="latency", HistoryItemType="Action")
        assert_shape("cloudwatch", "DescribeAlarmHistory", history)
        item = history["AlarmHistoryItems"][0]
        assert item["HistorySummary"] == f"Successfully executed action {topic}"

    def test_actions_only_on_transitions_and_when_enabled(self, cloud: Cloud, cw: Any) -> None:
        """No action while the state stays; none while disabled; again once enabled."""
        topic = cloud.sns.create_topic("ops").arn
        cw.put_metric_alarm(
            **alarm_args(AlarmActions=[topic], OKActions=[topic], TreatMissingData="notBreaching")
        )
        alarm = cloud.cloudwatch.alarm("latency")
        for minute in range(3):
            put(cloud, minute, 250.0)
        cloud.clock.advance(180)
        assert [i.state.value for i in alarm.action_invocations] == ["ALARM"]
        cw.disable_alarm_actions(AlarmNames=["latency"])
        cloud.clock.advance(240)
        assert alarm.state.value == "OK"
        assert len(alarm.action_invocations) == 1
        cw.enable_alarm_actions(AlarmNames=["latency"])
        put(cloud, 7, 250.0)
        cloud.clock.advance(60)
        assert [i.state.value for i in alarm.action_invocations] == ["ALARM", "ALARM"]

    def test_failed_sns_action_is_history(self, cloud: Cloud, cw: Any) -> None:
        """A topic that does not exist: the action fails, and history says so."""
        topic = "arn:aws:sns:us-east-1:123456789012:missing"
        cw.put_metric_alarm(**alarm_args(AlarmActions=[topic]))
        put(cloud, 0, 250.0)
        cloud.clock.advance(60)
        invocation = cloud.cloudwatch.alarm("latency").action_invocations[0]
        assert invocation.outcome == "Failed"
        summary = cw.describe_alarm_history(HistoryItemType="Action")["AlarmHistoryItems"][0][
            "HistorySummary"
        ]
        assert summary.startswith(f"Failed to execute action {topic}.")

    def test_lambda_action(self, cloud: Cloud, cw: Any) -> None:
        """A Lambda action invokes the function with CloudWatch's alarm event."""
        seen: list[dict[str, Any]] = []
        function = cloud.lambda_.register("on-alarm", lambda event, context: seen.append(event))
        cloud.lambda_.add_permission(
            "on-alarm",
            "alarms",
            "lambda:InvokeFunction",
            "lambda.alarms.cloudwatch.amazonaws.com",
            source_arn="arn:aws:cloudwatch:us-east-1:123456789012:alarm:*",
        )
        cw.put_metric_alarm(**alarm_args(AlarmActions=[function.arn]))
        put(cloud, 0, 250.0)
        cloud.clock.advance(60)
        assert len(seen) == 1
        event = seen[0]
        assert event["source"] == "aws.cloudwatch"
        assert event["alarmData"]["state"]["value"] == "ALARM"
        assert event["alarmData"]["previousState"]["reason"] == "Unchecked: Initial alarm creation"
        assert event["alarmData"]["configuration"]["metrics"][0]["metricStat"]["stat"] == "Average"

    def test_ec2_and_autoscaling_actions_are_recorded(self, cloud: Cloud, cw: Any) -> None:
        """Actions on a missing instance and policy are recorded as failed, as in AWS; Auto
        Scaling actions repeat every minute while the alarm stays in ALARM."""
        policy = (
            "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:abc:"
            "autoScalingGroupName/web:policyName/up"
        )
        cw.put_metric_alarm(
            **alarm_args(
                Dimensions=[{"Name": "InstanceId", "Value": "i-123"}],
                AlarmActions=["arn:aws:automate:us-east-1:ec2:reboot", policy],
            )
        )
        key = MetricKey.of("App", "Latency", {"InstanceId": "i-123"})
        for minute in range(3):
            cloud.cloudwatch.publish(key, [(T0 + timedelta(minutes=minute), 250.0)])
        cloud.clock.advance(180)
        kinds = [(i.kind, i.outcome) for i in cloud.cloudwatch.action_invocations]
        assert kinds == [
            ("ec2", "Failed"),
            ("autoscaling", "Failed"),
            ("autoscaling", "Failed"),
            ("autoscaling", "Failed"),
        ]


class TestTagsAndDelete:
    def test_tags(self, cloud: Cloud, cw: Any) -> None:
        """Tag, list and untag an alarm by ARN; an unknown ARN is ResourceNotFoundException."""
        cw.put_metric_alarm(**alarm_args(Tags=[{"Key": "team", "Value": "api"}]))
        arn = describe(cw)["MetricAlarms"][0]["AlarmArn"]
        cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "tier", "Value": "1"}])
        tags = cw.list_tags_for_resource(ResourceARN=arn)
        assert_shape("cloudwatch", "ListTagsForResource", tags)
        assert tags["Tags"] == [{"Key": "team", "Value": "api"}, {"Key": "tier", "Value": "1"}]
        cw.untag_resource(ResourceARN=arn, TagKeys=["team"])
        assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "tier", "Value": "1"}]
        with pytest.raises(ClientError) as caught:
            cw.list_tags_for_resource(ResourceARN=arn + "x")
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"

    def test_delete(self, cloud: Cloud, cw: Any) -> None:
        """Children of a composite cannot go first; unknown names are ignored."""
        cw.put_metric_alarm(**alarm_args(AlarmName="a"))
        cw.put_metric_alarm(**alarm_args(AlarmName="b"))
        cw.put_composite_alarm(AlarmName="c1", AlarmRule="ALARM(a)")
        cw.put_composite_alarm(AlarmName="c2", AlarmRule="ALARM(b)")
        with pytest.raises(ClientError) as caught:
            cw.delete_alarms(AlarmNames=["a", "b"])
        assert caught.value.response["Error"] == {
            "Code": "ValidationError",
            "Message": "Cannot delete a,b as there are composite alarm(s) depending on them.",
            "Type": "Sender",
        }
        with pytest.raises(ClientError) as caught:
            cw.delete_alarms(AlarmNames=["c1", "c2"])
        assert caught.value.response["Error"]["Code"] == "ValidationError"
        cw.delete_alarms(AlarmNames=["c1", "a", "nope"])
        everything = describe(cw, AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        assert [a["AlarmName"] for a in everything["MetricAlarms"]] == ["b"]
        assert [a["AlarmName"] for a in everything["CompositeAlarms"]] == ["c2"]


class TestAnomalyDetectors:
    def test_put_describe_delete(self, cloud: Cloud, cw: Any) -> None:
        """A detector is listed with its state and configuration, then deleted."""
        detector = {
            "Namespace": "App",
            "MetricName": "Latency",
            "Dimensions": DIMS,
            "Stat": "Average",
        }
        cw.put_anomaly_detector(
            SingleMetricAnomalyDetector=detector,
            Configuration={
                "ExcludedTimeRanges": [
                    {"StartTime": T0 - timedelta(hours=2), "EndTime": T0 - timedelta(hours=1)}
                ]
            },
        )
        answer = cw.describe_anomaly_detectors(Namespace="App")
        assert_shape("cloudwatch", "DescribeAnomalyDetectors", answer)
        found = answer["AnomalyDetectors"][0]
        assert found["SingleMetricAnomalyDetector"] == detector
        assert found["StateValue"] == "PENDING_TRAINING"
        assert found["Configuration"]["ExcludedTimeRanges"][0]["EndTime"] == T0 - timedelta(hours=1)
        cw.delete_anomaly_detector(SingleMetricAnomalyDetector=detector)
        assert cw.describe_anomaly_detectors()["AnomalyDetectors"] == []
        with pytest.raises(ClientError) as caught:
            cw.delete_anomaly_detector(SingleMetricAnomalyDetector=detector)
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


class TestEventBridge:
    def test_state_change_event_reaches_a_rule_target(self, cloud: Cloud, cw: Any) -> None:
        """The "CloudWatch Alarm State Change" event lands on the default bus and its rules."""
        events = boto3.client("events", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue = sqs.create_queue(QueueName="alarm-events")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps(policy)})
        events.put_rule(
            Name="alarms",
            EventPattern=json.dumps(
                {"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}}
            ),
        )
        events.put_targets(Rule="alarms", Targets=[{"Id": "q", "Arn": queue_arn}])
        cw.put_metric_alarm(**alarm_args())
        put(cloud, 0, 250.0)
        cloud.clock.advance(60)
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        assert len(messages) == 1
        event = json.loads(messages[0]["Body"])
        assert event["detail-type"] == "CloudWatch Alarm State Change"
        assert event["detail"]["alarmName"] == "latency"
        assert event["detail"]["previousState"]["value"] == "INSUFFICIENT_DATA"
        assert event["id"] == cloud.cloudwatch.alarm_events[-1]["id"]

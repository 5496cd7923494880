"""Tests of awsmon/neighbours/ec2/: instance states on the clock, AWS/EC2 metrics, errors."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.ec2 import InstanceState, Workload, filter_matches, instance_type
from awsmon.testing.shapes import assert_shape

AMI = "ami-0123456789abcdef0"
MISSING = "i-0123456789abcdef0"


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def launch(cloud: Cloud, **kwargs: Any) -> str:
    answer = cloud.client("ec2").run_instances(ImageId=AMI, MinCount=1, MaxCount=1, **kwargs)
    return str(answer["Instances"][0]["InstanceId"])


def points(cloud: Cloud, instance_id: str, metric: str = "CPUUtilization", **extra: Any) -> Any:
    now = cloud.clock.now()
    return cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/EC2",
        MetricName=metric,
        Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
        StartTime=now - timedelta(hours=1),
        EndTime=now,
        Period=60,
        Statistics=["Average", "SampleCount", "Sum"],
        **extra,
    )["Datapoints"]


class TestLifecycle:
    def test_states_move_on_the_clock_and_emit_events(self, cloud: Cloud) -> None:
        """Launch, stop, start and terminate pass through AWS's states, one event each."""
        ec2 = cloud.client("ec2")
        iid = launch(cloud, InstanceType="t3.micro")
        instance = cloud.ec2.instance(iid)
        assert instance.state is InstanceState.PENDING
        cloud.clock.advance(cloud.ec2.pending_time)
        assert instance.state is InstanceState.RUNNING
        stop = ec2.stop_instances(InstanceIds=[iid])
        assert_shape("ec2", "StopInstances", stop)
        assert stop["StoppingInstances"][0]["PreviousState"] == {"Code": 16, "Name": "running"}
        assert stop["StoppingInstances"][0]["CurrentState"] == {"Code": 64, "Name": "stopping"}
        cloud.clock.advance(30)
        assert instance.state is InstanceState.STOPPED
        assert (
            ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]["CurrentState"]["Name"]
            == "stopped"
        )
        start = ec2.start_instances(InstanceIds=[iid])
        assert_shape("ec2", "StartInstances", start)
        cloud.clock.advance(15)
        terminate = ec2.terminate_instances(InstanceIds=[iid])
        assert_shape("ec2", "TerminateInstances", terminate)
        cloud.clock.advance(30)
        states = [e["detail"]["state"] for e in cloud.ec2.state_events]
        assert states == [
            "pending", "running", "stopping", "stopped", "pending", "running",
            "shutting-down", "terminated",
        ]  # fmt: skip
        event = cloud.ec2.state_events[0]
        assert event["detail-type"] == "EC2 Instance State-change Notification"
        assert event["resources"] == [f"arn:aws:ec2:us-east-1:123456789012:instance/{iid}"]
        cloud.clock.advance(timedelta(hours=1))
        with pytest.raises(ServiceError, match="does not exist"):
            cloud.ec2.instance(iid)

    def test_state_change_reaches_an_eventbridge_rule(self, cloud: Cloud) -> None:
        """The state-change event goes on the default bus, where a rule sends it to SQS."""
        sqs = cloud.client("sqs")
        url = sqs.create_queue(QueueName="ec2-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        allow = {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": arn,
        }
        sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": json.dumps({"Statement": [allow]})}
        )
        events = cloud.client("events")
        events.put_rule(
            Name="running",
            EventPattern='{"source":["aws.ec2"],"detail":{"state":["running"]}}',
        )
        events.put_targets(Rule="running", Targets=[{"Id": "q", "Arn": arn}])
        iid = launch(cloud)
        cloud.clock.advance(60)
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert len(messages) == 1 and iid in messages[0]["Body"]

    def test_describe_filters_and_shapes(self, cloud: Cloud) -> None:
        """DescribeInstances filters by id, state and tag, with wildcards."""
        ec2 = cloud.client("ec2")
        web = launch(
            cloud,
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}]}
            ],
        )
        db = launch(cloud, InstanceType="r5.large")
        cloud.clock.advance(60)
        ec2.stop_instances(InstanceIds=[db])

        def ids(**kwargs: Any) -> list[str]:
            answer = ec2.describe_instances(**kwargs)
            assert_shape("ec2", "DescribeInstances", answer)
            return [i["InstanceId"] for r in answer["Reservations"] for i in r["Instances"]]

        assert ids(Filters=[{"Name": "tag:Name", "Values": ["web-*"]}]) == [web]
        assert ids(Filters=[{"Name": "instance-state-name", "Values": ["stopping"]}]) == [db]
        assert ids(Filters=[{"Name": "instance-type", "Values": ["r5.*"]}]) == [db]
        assert ids(InstanceIds=[web, db]) == [web, db]
        assert ids(Filters=[{"Name": "instance-id", "Values": [web]}]) == [web]

    def test_pagination(self, cloud: Cloud) -> None:
        """MaxResults pages through instances with NextToken."""
        ec2 = cloud.client("ec2")
        ec2.run_instances(ImageId=AMI, MinCount=7, MaxCount=7)
        first = ec2.describe_instances(MaxResults=5)
        second = ec2.describe_instances(MaxResults=5, NextToken=first["NextToken"])
        count = sum(len(r["Instances"]) for r in first["Reservations"] + second["Reservations"])
        assert count == 7 and "NextToken" not in second

    def test_instance_status(self, cloud: Cloud) -> None:
        """Status checks initialise for 2 minutes, then pass, and fail with the workload."""
        ec2 = cloud.client("ec2")
        iid = launch(cloud)
        assert ec2.describe_instance_status()["InstanceStatuses"] == []
        assert ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"][0][
            "InstanceStatus"
        ] == {"Status": "not-applicable"}
        cloud.clock.advance(60)
        status = ec2.describe_instance_status(InstanceIds=[iid])
        assert_shape("ec2", "DescribeInstanceStatus", status)
        assert status["InstanceStatuses"][0]["SystemStatus"]["Status"] == "initializing"
        cloud.clock.advance(120)
        cloud.ec2.instance(iid).set_workload(system_check_failed=1)
        summary = ec2.describe_instance_status(InstanceIds=[iid])["InstanceStatuses"][0]
        assert summary["SystemStatus"]["Status"] == "impaired"
        assert summary["InstanceStatus"]["Details"] == [
            {"Name": "reachability", "Status": "passed"}
        ]


class TestErrors:
    @pytest.mark.parametrize(
        ("operation", "kwargs", "code", "message"),
        [
            ("stop_instances", {"InstanceIds": [MISSING]}, "InvalidInstanceID.NotFound",
             f"^The instance ID '{MISSING}' does not exist$"),
            ("start_instances", {"InstanceIds": ["i-123"]}, "InvalidInstanceID.Malformed",
             '^Invalid id: "i-123"$'),
            ("run_instances", {"ImageId": "ami-x", "MinCount": 1, "MaxCount": 1},
             "InvalidAMIID.Malformed", '^Invalid id: "ami-x"'),
            ("run_instances", {"ImageId": AMI, "MinCount": 2, "MaxCount": 1},
             "InvalidParameterValue", "^Invalid value '2' for minCount"),
            ("run_instances", {"ImageId": AMI, "MinCount": 1, "MaxCount": 1,
                               "InstanceType": "t3.giant"},
             "InvalidParameterValue", "^Invalid value 't3.giant' for InstanceType.$"),
            ("describe_instances", {"Filters": [{"Name": "colour", "Values": ["x"]}]},
             "InvalidParameterValue", "^The filter 'colour' is invalid$"),
            ("run_instances", {"ImageId": AMI, "MinCount": 1, "MaxCount": 1, "DryRun": True},
             "DryRunOperation", "^Request would have succeeded"),
        ],
        ids=["missing", "malformed", "bad-ami", "counts", "type", "filter", "dry-run"],
    )  # fmt: skip
    def test_error_table(
        self, awsmon_boto3: Cloud, operation: str, kwargs: dict[str, Any], code: str, message: str
    ) -> None:
        """Bad requests fail with EC2's code and message, through boto3."""
        with pytest.raises(ClientError) as caught:
            getattr(boto3.client("ec2"), operation)(**kwargs)
        assert caught.value.response["Error"]["Code"] == code
        assert re.search(message, caught.value.response["Error"]["Message"])

    def test_stop_before_running_is_incorrect_state(self, cloud: Cloud) -> None:
        """StopInstances on an instance that never reached running fails (reference errata)."""
        iid = launch(cloud)
        with pytest.raises(ServiceError) as caught:
            cloud.client("ec2").stop_instances(InstanceIds=[iid])
        assert caught.value.code == "IncorrectInstanceState"
        assert cloud.ec2.instance(iid).state is InstanceState.PENDING

    def test_no_partial_state(self, cloud: Cloud) -> None:
        """One bad id in a request leaves every instance as it was."""
        iid = launch(cloud)
        cloud.clock.advance(60)
        with pytest.raises(ServiceError, match="does not exist"):
            cloud.client("ec2").terminate_instances(InstanceIds=[iid, MISSING])
        assert cloud.ec2.instance(iid).state is InstanceState.RUNNING

    def test_start_terminated_and_protection(self, cloud: Cloud) -> None:
        """A terminated instance cannot start; a protected one cannot terminate."""
        ec2 = cloud.client("ec2")
        iid = launch(cloud, DisableApiTermination=True)
        with pytest.raises(ServiceError) as caught:
            ec2.terminate_instances(InstanceIds=[iid])
        assert caught.value.code == "OperationNotPermitted"
        other = launch(cloud)
        ec2.terminate_instances(InstanceIds=[other])
        with pytest.raises(ServiceError) as caught:
            ec2.start_instances(InstanceIds=[other])
        assert caught.value.code == "IncorrectInstanceState"


class TestMetrics:
    def test_basic_vs_detailed_point_counts_over_30_minutes(self, awsmon_boto3: Cloud) -> None:
        """Basic monitoring gives 6 five-minute points in 30 minutes, detailed gives 30."""
        ec2 = boto3.client("ec2")
        basic = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]
        detailed = ec2.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1, Monitoring={"Enabled": True}
        )["Instances"][0]
        assert detailed["Monitoring"]["State"] == "pending"
        awsmon_boto3.clock.advance(timedelta(minutes=30))
        basic_points = points(awsmon_boto3, basic["InstanceId"])
        detailed_points = points(awsmon_boto3, detailed["InstanceId"])
        assert len(basic_points) == 6 and len(detailed_points) == 30
        assert {p["Timestamp"].minute % 5 for p in basic_points} == {0}
        assert all(p["Unit"] == "Percent" for p in basic_points)
        full = sorted(basic_points, key=lambda p: p["Timestamp"])[1]
        assert full["SampleCount"] == 5.0 and full["Average"] == 2.0
        assert {p["SampleCount"] for p in detailed_points} == {1.0}

    def test_workload_functions_and_dimensions(self, cloud: Cloud) -> None:
        """A workload function of time drives CPU; detailed adds ImageId/InstanceType aggregates."""
        iid = launch(cloud, InstanceType="t3.micro", Monitoring={"Enabled": True})
        start = cloud.clock.now()
        cloud.ec2.instance(iid).set_workload(
            cpu=lambda t: 80.0 if t - start < timedelta(minutes=10) else 10.0
        )
        cloud.clock.advance(timedelta(minutes=20))
        series = sorted(points(cloud, iid), key=lambda p: p["Timestamp"])
        assert series[2]["Average"] == 80.0 and series[-1]["Average"] == 10.0
        names = {
            (m["MetricName"], tuple(d["Name"] for d in m["Dimensions"]))
            for m in cloud.client("cloudwatch").list_metrics(Namespace="AWS/EC2")["Metrics"]
        }
        assert ("CPUUtilization", ("InstanceType",)) in names
        assert ("CPUUtilization", ("ImageId",)) in names
        assert ("CPUUtilization", ()) in names
        assert ("CPUCreditBalance", ("InstanceId",)) in names
        assert ("StatusCheckFailed_System", ("InstanceId",)) in names
        assert ("NetworkPacketsIn", ("InstanceId",)) in names
        packets = points(cloud, iid, "NetworkPacketsIn")
        assert {p["Timestamp"].minute % 5 for p in packets} == {0}

    def test_cpu_credits_spend_and_earn(self, cloud: Cloud) -> None:
        """A t3.micro above its 10% baseline spends credits into surplus; below it repays."""
        iid = launch(cloud, InstanceType="t3.micro")
        cloud.ec2.instance(iid).set_workload(cpu=60.0)
        cloud.clock.advance(timedelta(minutes=30))
        usage = points(cloud, iid, "CPUCreditUsage")
        assert max(p["Sum"] for p in usage) == pytest.approx(6.0)  # 0.6 vCPU × 2 × 5 min
        surplus = points(cloud, iid, "CPUSurplusCreditBalance")
        assert max(p["Average"] for p in surplus) > 0
        assert points(cloud, launch(cloud, InstanceType="m5.large"), "CPUCreditUsage") == []

    def test_monitor_and_unmonitor(self, cloud: Cloud) -> None:
        """MonitorInstances switches to 1-minute points; Unmonitor back to 5-minute ones."""
        ec2 = cloud.client("ec2")
        iid = launch(cloud)
        answer = ec2.monitor_instances(InstanceIds=[iid])
        assert_shape("ec2", "MonitorInstances", answer)
        assert answer["InstanceMonitorings"][0]["Monitoring"]["State"] == "pending"
        cloud.clock.advance(timedelta(minutes=10))
        assert len(points(cloud, iid)) == 10
        assert ec2.unmonitor_instances(InstanceIds=[iid])["InstanceMonitorings"][0][
            "Monitoring"
        ] == {"State": "disabling"}
        cloud.clock.advance(timedelta(minutes=10))
        # 15:19 is stamped into the 15:15 five-minute slot; 15:20-15:24 make one more point.
        assert len(points(cloud, iid)) == 11

    def test_stopped_instances_publish_nothing(self, cloud: Cloud) -> None:
        """No datapoints while an instance is stopped; the minute job ends with the last one."""
        iid = launch(cloud, Monitoring={"Enabled": True})
        cloud.clock.advance(timedelta(minutes=5))
        cloud.client("ec2").terminate_instances(InstanceIds=[iid])
        cloud.clock.advance(timedelta(minutes=10))
        count = len(points(cloud, iid))
        assert count in (5, 6)
        assert not any(j.name and j.name.startswith("ec2 metrics") for j in cloud.clock.pending())


class TestAlarmActions:
    def test_alarm_stops_the_instance(self, awsmon_boto3: Cloud) -> None:
        """An alarm with the ec2:stop action stops the instance its metric names."""
        ec2, cw = boto3.client("ec2"), boto3.client("cloudwatch")
        iid = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, Monitoring={"Enabled": True})[
            "Instances"
        ][0]["InstanceId"]
        awsmon_boto3.ec2.instance(iid).set_workload(cpu=97.0)
        cw.put_metric_alarm(
            AlarmName="runaway",
            Namespace="AWS/EC2",
            MetricName="CPUUtilization",
            Dimensions=[{"Name": "InstanceId", "Value": iid}],
            Statistic="Average",
            Period=60,
            EvaluationPeriods=2,
            Threshold=90,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=["arn:aws:automate:us-east-1:ec2:stop"],
        )
        awsmon_boto3.clock.advance(timedelta(minutes=5))
        state = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        assert state["State"]["Name"] == "stopped"
        assert state["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
        history = cw.describe_alarm_history(AlarmName="runaway", HistoryItemType="Action")
        assert history["AlarmHistoryItems"][0]["HistorySummary"] == (
            "Successfully executed action arn:aws:automate:us-east-1:ec2:stop"
        )

    @pytest.mark.parametrize("action", ["reboot", "recover", "terminate"])
    def test_other_actions(self, cloud: Cloud, action: str) -> None:
        """Reboot and recover keep the instance running; terminate ends it."""
        iid = launch(cloud, Monitoring={"Enabled": True})
        cloud.ec2.instance(iid).set_workload(cpu=99.0)
        cloud.cloudwatch.put_metric_alarm(
            "a", metric_name="CPUUtilization", namespace="AWS/EC2", statistic="Average",
            dimensions={"InstanceId": iid}, period=60, evaluation_periods=1, threshold=90,
            comparison_operator="GreaterThanThreshold",
            alarm_actions=[f"arn:aws:automate:us-east-1:ec2:{action}"],
        )  # fmt: skip
        cloud.clock.advance(timedelta(minutes=3))
        instance = cloud.ec2.instance(iid)
        if action == "terminate":
            assert instance.state is InstanceState.TERMINATED
        else:
            assert instance.state is InstanceState.RUNNING
            assert len(instance.reboots if action == "reboot" else instance.recoveries) == 1


class TestLaunchTemplates:
    def test_create_describe_launch_delete(self, cloud: Cloud) -> None:
        """RunInstances takes its AMI, type and monitoring from a template version."""
        ec2 = cloud.client("ec2")
        created = ec2.create_launch_template(
            LaunchTemplateName="web",
            LaunchTemplateData={"ImageId": AMI, "InstanceType": "c5.large"},
        )
        assert_shape("ec2", "CreateLaunchTemplate", created)
        version = ec2.create_launch_template_version(
            LaunchTemplateName="web",
            LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.small"},
        )
        assert_shape("ec2", "CreateLaunchTemplateVersion", version)
        run = ec2.run_instances(
            MinCount=1,
            MaxCount=1,
            LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Latest"},
        )
        assert run["Instances"][0]["InstanceType"] == "t3.small"
        described = ec2.describe_launch_templates(LaunchTemplateNames=["web"])
        assert_shape("ec2", "DescribeLaunchTemplates", described)
        assert described["LaunchTemplates"][0]["LatestVersionNumber"] == 2
        with pytest.raises(ServiceError) as caught:
            ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={})
        assert caught.value.code == "InvalidLaunchTemplateName.AlreadyExistsException"
        ec2.delete_launch_template(LaunchTemplateName="web")
        with pytest.raises(ServiceError) as caught:
            ec2.describe_launch_templates(LaunchTemplateNames=["web"])
        assert caught.value.code == "InvalidLaunchTemplateName.NotFoundException"


class TestModel:
    @given(st.lists(st.text(alphabet="ab*?\\", max_size=6), min_size=1, max_size=3), st.text("ab"))
    def test_wildcards_agree_with_fnmatch(self, patterns: list[str], value: str) -> None:
        """Filter wildcards match as shell globs do (without escapes)."""
        import fnmatch

        plain = [p for p in patterns if "\\" not in p]
        expected = any(fnmatch.fnmatchcase(value, p) for p in plain)
        assert filter_matches([value], plain) == expected

    def test_instance_types(self) -> None:
        """Burstable types earn credits; others are sized by shape."""
        assert instance_type("t2.micro").launch_credits == 30.0
        assert instance_type("m5.4xlarge").vcpus == 16
        assert not instance_type("c6g.large").burstable

    def test_workload_figures(self) -> None:
        """Workloads reject unknown figures and clamp CPU to 0-100."""
        with pytest.raises(TypeError, match="unknown workload figures"):
            Workload().changed(gpu=1)
        assert Workload(cpu=250).cpu_at(None) == 100.0  # type: ignore[arg-type]

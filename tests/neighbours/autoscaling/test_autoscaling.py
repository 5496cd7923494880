"""Tests of awsmon/neighbours/autoscaling/: groups, capacity, policies, alarms, activities."""

from __future__ import annotations

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
from awsmon.neighbours.autoscaling import AdjustmentType, StepAdjustment
from awsmon.testing.shapes import assert_shape

AMI = "ami-0123456789abcdef0"


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def make_group(cloud: Cloud, name: str = "web", *, detailed: bool = True, **kwargs: Any) -> Any:
    ec2 = cloud.client("ec2")
    ec2.create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData={
            "ImageId": AMI,
            "InstanceType": "t3.micro",
            "Monitoring": {"Enabled": detailed},
        },
    )
    client = cloud.client("autoscaling")
    settings: dict[str, Any] = {"MinSize": 1, "MaxSize": 5, "AvailabilityZones": ["us-east-1a"]}
    settings.update(kwargs)
    client.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": name, "Version": "$Latest"},
        **settings,
    )
    return client


def describe(client: Any, name: str = "web") -> dict[str, Any]:
    answer = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    assert_shape("autoscaling", "DescribeAutoScalingGroups", answer)
    return dict(answer["AutoScalingGroups"][0])


class TestGroups:
    def test_desired_capacity_launches_and_terminates(self, cloud: Cloud) -> None:
        """Instances follow the desired capacity; each change is an activity."""
        client = make_group(cloud, DesiredCapacity=2)
        group = describe(client)
        assert [i["LifecycleState"] for i in group["Instances"]] == ["Pending", "Pending"]
        cloud.clock.advance(30)
        assert [i["LifecycleState"] for i in describe(client)["Instances"]] == ["InService"] * 2
        ids = [i["InstanceId"] for i in describe(client)["Instances"]]
        tags = cloud.ec2.instance(ids[0]).tags
        assert tags["aws:autoscaling:groupName"] == "web"
        client.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=1)
        cloud.clock.advance(60)
        assert [i["InstanceId"] for i in describe(client)["Instances"]] == ids[1:]
        activities = client.describe_scaling_activities(AutoScalingGroupName="web")
        assert_shape("autoscaling", "DescribeScalingActivities", activities)
        newest = activities["Activities"][0]
        assert newest["Description"] == f"Terminating EC2 instance: {ids[0]}"
        assert newest["StatusCode"] == "Successful" and newest["Progress"] == 100
        assert re.match(
            r"At \S+Z a user request explicitly set group desired capacity changing the desired "
            r"capacity from 2 to 1\.  At \S+Z an instance was taken out of service",
            newest["Cause"],
        )
        assert [a["Description"][:9] for a in activities["Activities"]] == [
            "Terminati", "Launching", "Launching",
        ]  # fmt: skip

    def test_update_bounds_and_delete(self, cloud: Cloud) -> None:
        """A new minimum raises the capacity; a group with instances needs ForceDelete."""
        client = make_group(cloud)
        client.update_auto_scaling_group(AutoScalingGroupName="web", MinSize=3)
        assert describe(client)["DesiredCapacity"] == 3
        with pytest.raises(ServiceError) as caught:
            client.delete_auto_scaling_group(AutoScalingGroupName="web")
        assert caught.value.code == "ResourceInUse"
        client.delete_auto_scaling_group(AutoScalingGroupName="web", ForceDelete=True)
        assert describe(client)["Status"] == "Delete in progress"
        cloud.clock.advance(60)
        assert client.describe_auto_scaling_groups()["AutoScalingGroups"] == []

    def test_unhealthy_instances_are_replaced(self, cloud: Cloud) -> None:
        """An instance stopped behind the group's back is replaced."""
        client = make_group(cloud, DesiredCapacity=1)
        cloud.clock.advance(30)
        [first] = [i["InstanceId"] for i in describe(client)["Instances"]]
        cloud.client("ec2").stop_instances(InstanceIds=[first])
        cloud.clock.advance(60)
        [second] = describe(client)["Instances"]
        assert second["InstanceId"] != first and second["LifecycleState"] == "InService"
        causes = [a["Cause"] for a in client.describe_scaling_activities()["Activities"]]
        assert any("EC2 health check" in cause for cause in causes)

    def test_instances_and_terminate_in_group(self, cloud: Cloud) -> None:
        """TerminateInstanceInAutoScalingGroup replaces or shrinks."""
        client = make_group(cloud, DesiredCapacity=2)
        cloud.clock.advance(30)
        answer = client.describe_auto_scaling_instances()
        assert_shape("autoscaling", "DescribeAutoScalingInstances", answer)
        victim = answer["AutoScalingInstances"][0]["InstanceId"]
        result = client.terminate_instance_in_auto_scaling_group(
            InstanceId=victim, ShouldDecrementDesiredCapacity=True
        )
        assert_shape("autoscaling", "TerminateInstanceInAutoScalingGroup", result)
        assert describe(client)["DesiredCapacity"] == 1


class TestErrors:
    @pytest.mark.parametrize(
        ("operation", "kwargs", "code", "message"),
        [
            ("create_auto_scaling_group",
             {"AutoScalingGroupName": "g", "MinSize": 3, "MaxSize": 1,
              "LaunchTemplate": {"LaunchTemplateName": "web"}, "AvailabilityZones": ["us-east-1a"]},
             "ValidationError", "^Max bound, 1, must be greater than or equal to min bound, 3$"),
            ("create_auto_scaling_group",
             {"AutoScalingGroupName": "g", "MinSize": 1, "MaxSize": 1,
              "LaunchTemplate": {"LaunchTemplateName": "web"}},
             "ValidationError", "^At least one Availability Zone or VPC Subnet is required.$"),
            ("create_auto_scaling_group",
             {"AutoScalingGroupName": "g", "MinSize": 1, "MaxSize": 1,
              "AvailabilityZones": ["us-east-1a"]},
             "ValidationError", "^Valid requests must contain either LaunchTemplate"),
            ("create_auto_scaling_group",
             {"AutoScalingGroupName": "web", "MinSize": 1, "MaxSize": 1,
              "LaunchTemplate": {"LaunchTemplateName": "web"}, "AvailabilityZones": ["us-east-1a"]},
             "AlreadyExists", "^AutoScalingGroup by this name already exists"),
            ("create_launch_configuration",
             {"LaunchConfigurationName": "lc", "ImageId": AMI, "InstanceType": "t3.micro"},
             "UnsupportedOperation", "^The Launch Configuration creation operation"),
            ("set_desired_capacity", {"AutoScalingGroupName": "web", "DesiredCapacity": 9},
             "ValidationError", "^New SetDesiredCapacity value 9 is above max value 5"),
            ("set_desired_capacity", {"AutoScalingGroupName": "nope", "DesiredCapacity": 1},
             "ValidationError", "^AutoScalingGroup name not found"),
            ("put_scaling_policy", {"AutoScalingGroupName": "web", "PolicyName": "p",
                                    "AdjustmentType": "ChangeInCapacity"},
             "ValidationError", "^ScalingAdjustment is required"),
            ("put_scaling_policy", {
                "AutoScalingGroupName": "web", "PolicyName": "p", "PolicyType": "StepScaling",
                "AdjustmentType": "ChangeInCapacity", "StepAdjustments": [
                    {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10,
                     "ScalingAdjustment": 1},
                    {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 2}]},
             "ValidationError", "must not overlap or leave gaps"),
        ],
        ids=["bounds", "no-zone", "no-template", "exists", "launch-configuration",
             "above-max", "no-group", "no-adjustment", "step-gap"],
    )  # fmt: skip
    def test_error_table(
        self, awsmon_boto3: Cloud, operation: str, kwargs: dict[str, Any], code: str, message: str
    ) -> None:
        """Bad requests fail with Auto Scaling's code and message, through boto3."""
        make_group(awsmon_boto3)
        client = boto3.client("autoscaling")
        with pytest.raises(ClientError) as caught:
            getattr(client, operation)(**kwargs)
        assert caught.value.response["Error"]["Code"] == code
        assert re.search(message, caught.value.response["Error"]["Message"])

    def test_modelled_exception_classes(self, awsmon_boto3: Cloud) -> None:
        """AlreadyExists is botocore's modelled AlreadyExistsFault."""
        make_group(awsmon_boto3)
        client = boto3.client("autoscaling")
        with pytest.raises(client.exceptions.AlreadyExistsFault):
            client.create_auto_scaling_group(
                AutoScalingGroupName="web",
                MinSize=1,
                MaxSize=1,
                LaunchTemplate={"LaunchTemplateName": "web"},
                AvailabilityZones=["us-east-1a"],
            )


class TestPolicies:
    def test_simple_scaling_with_cooldown(self, cloud: Cloud) -> None:
        """ExecutePolicy adds capacity; HonorCooldown refuses during the cooldown."""
        client = make_group(cloud)
        answer = client.put_scaling_policy(
            AutoScalingGroupName="web",
            PolicyName="add-two",
            AdjustmentType="ChangeInCapacity",
            ScalingAdjustment=2,
            Cooldown=120,
        )
        assert_shape("autoscaling", "PutScalingPolicy", answer)
        client.execute_policy(AutoScalingGroupName="web", PolicyName="add-two")
        assert describe(client)["DesiredCapacity"] == 3
        with pytest.raises(ServiceError) as caught:
            client.execute_policy(
                AutoScalingGroupName="web", PolicyName="add-two", HonorCooldown=True
            )
        assert caught.value.code == "ScalingActivityInProgress"
        cloud.clock.advance(121)
        client.execute_policy(AutoScalingGroupName="web", PolicyName="add-two", HonorCooldown=True)
        assert describe(client)["DesiredCapacity"] == 5
        policies = client.describe_policies(AutoScalingGroupName="web")
        assert_shape("autoscaling", "DescribePolicies", policies)
        assert policies["ScalingPolicies"][0]["Cooldown"] == 120

    def test_step_scaling_picks_the_step(self, cloud: Cloud) -> None:
        """The breach (value − threshold) selects the step adjustment."""
        client = make_group(cloud, MaxSize=10)
        client.put_scaling_policy(
            AutoScalingGroupName="web",
            PolicyName="steps",
            PolicyType="StepScaling",
            AdjustmentType="ChangeInCapacity",
            StepAdjustments=[
                {
                    "MetricIntervalLowerBound": 0,
                    "MetricIntervalUpperBound": 20,
                    "ScalingAdjustment": 1,
                },
                {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 3},
            ],
        )
        client.execute_policy(
            AutoScalingGroupName="web", PolicyName="steps", MetricValue=95, BreachThreshold=70
        )
        assert describe(client)["DesiredCapacity"] == 4

    def test_alarm_invokes_a_simple_policy(self, cloud: Cloud) -> None:
        """An alarm naming the policy ARN scales the group, then respects the cooldown."""
        client = make_group(cloud, MaxSize=10)
        arn = client.put_scaling_policy(
            AutoScalingGroupName="web",
            PolicyName="up",
            AdjustmentType="ChangeInCapacity",
            ScalingAdjustment=1,
            Cooldown=300,
        )["PolicyARN"]
        cloud.clock.advance(30)
        cloud.autoscaling.group("web").set_workload(cpu=90.0)
        cloud.cloudwatch.put_metric_alarm(
            "hot", metric_name="CPUUtilization", namespace="AWS/EC2", statistic="Average",
            dimensions={"AutoScalingGroupName": "web"}, period=60, evaluation_periods=1,
            threshold=80, comparison_operator="GreaterThanThreshold", alarm_actions=[arn],
        )  # fmt: skip
        cloud.clock.advance(timedelta(minutes=3))
        assert describe(client)["DesiredCapacity"] == 2
        cloud.clock.advance(timedelta(minutes=5))
        assert describe(client)["DesiredCapacity"] == 3

    def test_target_tracking_scales_out_and_back_in(self, awsmon_boto3: Cloud) -> None:
        """Target tracking creates its alarms, scales out under load and back in after it."""
        make_group(awsmon_boto3, MaxSize=6)
        client = boto3.client("autoscaling")
        answer = client.put_scaling_policy(
            AutoScalingGroupName="web",
            PolicyName="cpu50",
            PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration={
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ASGAverageCPUUtilization"
                },
                "TargetValue": 50.0,
            },
        )
        names = [a["AlarmName"] for a in answer["Alarms"]]
        assert [re.sub(r"[0-9a-f-]{36}$", "<uuid>", n) for n in names] == [
            "TargetTracking-web-AlarmHigh-<uuid>",
            "TargetTracking-web-AlarmLow-<uuid>",
        ]
        alarms = boto3.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
        high, low = alarms
        assert (high["Threshold"], high["EvaluationPeriods"], high["Period"]) == (50.0, 3, 60)
        assert (low["Threshold"], low["EvaluationPeriods"]) == (45.0, 15)
        assert high["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": "web"}]
        busy_until = awsmon_boto3.clock.now() + timedelta(minutes=30)
        awsmon_boto3.autoscaling.group("web").set_workload(
            shared=True, cpu=lambda t: 180.0 if t < busy_until else 20.0
        )
        awsmon_boto3.clock.advance(timedelta(minutes=20))
        assert describe(client)["DesiredCapacity"] == 4
        awsmon_boto3.clock.advance(timedelta(minutes=40))
        assert describe(client)["DesiredCapacity"] == 1
        causes = [a["Cause"] for a in client.describe_scaling_activities()["Activities"]]
        assert any(
            f"a monitor alarm {names[1]} in state ALARM triggered policy cpu50" in c for c in causes
        )
        client.delete_policy(AutoScalingGroupName="web", PolicyName="cpu50")
        assert boto3.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"] == []


class TestModel:
    @given(st.integers(0, 50), st.integers(-100, 100))
    def test_percent_changes_move_by_at_least_one(self, current: int, percent: int) -> None:
        """A non-zero percent change always moves the capacity (rounded toward zero beyond 1)."""
        new = AdjustmentType.PERCENT_CHANGE_IN_CAPACITY.apply(current, percent)
        if percent:
            assert new != current
            assert abs(new - current) <= max(1, abs(current * percent / 100))

    @given(st.floats(-1000, 1000))
    def test_steps_partition_the_line(self, breach: float) -> None:
        """Contiguous steps hold every breach value exactly once."""
        steps = [
            StepAdjustment(None, -10.0, -2),
            StepAdjustment(-10.0, 0.0, -1),
            StepAdjustment(0.0, 10.0, 1),
            StepAdjustment(10.0, None, 2),
        ]
        assert sum(step.holds(breach) for step in steps) == 1

"""Auto Scaling's quotas and size validation bound the work of a call (issue 19, item 5)."""

from __future__ import annotations

from typing import Any

import pytest

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.autoscaling import StepAdjustment

AMI = "ami-0123456789abcdef0"


def make_group(cloud: Cloud, name: str = "web", **sizes: Any) -> Any:
    ec2 = cloud.client("ec2")
    if not cloud.ec2.launch_templates:
        ec2.create_launch_template(
            LaunchTemplateName="tpl",
            LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"},
        )
    client = cloud.client("autoscaling")
    settings: dict[str, Any] = {"MinSize": 1, "MaxSize": 5, "AvailabilityZones": ["us-east-1a"]}
    settings.update(sizes)
    client.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": "tpl", "Version": "$Latest"},
        **settings,
    )
    return client


def state(cloud: Cloud) -> tuple[Any, ...]:
    """What a refused call must leave as it was."""
    groups = tuple(
        (g.name, g.min_size, g.max_size, g.desired_capacity, tuple(g.instances))
        for g in cloud.autoscaling.groups.values()
    )
    return groups, len(cloud.autoscaling.activities), len(cloud.ec2.instances())


def test_a_million_desired_launches_what_the_vcpu_quota_leaves_and_one_failure() -> None:
    """AWS accepts the group; its launches stop at the quota with VcpuLimitExceeded's message."""
    cloud = Cloud()
    cloud.ec2.vcpu_limit = 8  # four t3.micro (2 vCPUs each)
    client = make_group(cloud, MinSize=0, MaxSize=10**6, DesiredCapacity=10**6)
    assert len(cloud.ec2.instances()) == 4
    activities = client.describe_scaling_activities(AutoScalingGroupName="web")["Activities"]
    failed = [a for a in activities if a["StatusCode"] == "Failed"]
    assert len(activities) == 5
    assert len(failed) == 1
    assert "current vCPU limit of 8 allows" in failed[0]["StatusMessage"]


def test_the_default_quota_bounds_a_huge_group() -> None:
    cloud = Cloud()
    make_group(cloud, MinSize=0, MaxSize=10**6, DesiredCapacity=10**6)
    assert len(cloud.ec2.instances()) == 1152 // 2
    assert len(cloud.autoscaling.activities) == 1152 // 2 + 1


def test_group_retries_when_capacity_is_set_again() -> None:
    cloud = Cloud()
    cloud.ec2.vcpu_limit = 4
    client = make_group(cloud, MinSize=0, MaxSize=10, DesiredCapacity=4)
    assert len(cloud.ec2.instances()) == 2
    cloud.ec2.vcpu_limit = 8
    client.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=5)
    assert len(cloud.ec2.instances()) == 4


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=10**6),
            "New SetDesiredCapacity value 1000000 is above max value 5 for the AutoScalingGroup.",
        ),
        (
            lambda c: c.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=0),
            "New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.",
        ),
        (
            lambda c: c.update_auto_scaling_group(
                AutoScalingGroupName="web", DesiredCapacity=10**6
            ),
            "Desired capacity:1000000 must be between the specified min size:1 and max size:5",
        ),
        (
            lambda c: c.update_auto_scaling_group(AutoScalingGroupName="web", MinSize=7),
            "Max bound, 5, must be greater than or equal to min bound, 7",
        ),
    ],
)
def test_refused_sizes_change_nothing(call: Any, message: str) -> None:
    cloud = Cloud()
    client = make_group(cloud, DesiredCapacity=2)
    before = state(cloud)
    with pytest.raises(ServiceError) as caught:
        call(client)
    assert caught.value.code == "ValidationError"
    assert caught.value.message == message
    assert state(cloud) == before


def test_refused_create_builds_nothing() -> None:
    cloud = Cloud()
    with pytest.raises(ServiceError, match="Desired capacity:1000000 must be between"):
        make_group(cloud, MaxSize=5, DesiredCapacity=10**6)
    assert state(cloud) == ((), 0, 0)


def test_groups_per_region_quota_and_account_limits() -> None:
    """DescribeAccountLimits shows the quotas; the group beyond the quota is LimitExceeded."""
    cloud = Cloud()
    client = make_group(cloud, "a", MinSize=0)
    assert client.describe_account_limits() | {"ResponseMetadata": None} == {
        "MaxNumberOfAutoScalingGroups": 500,
        "MaxNumberOfLaunchConfigurations": 200,
        "NumberOfAutoScalingGroups": 1,
        "NumberOfLaunchConfigurations": 0,
        "ResponseMetadata": None,
    }
    cloud.autoscaling.max_groups = 2
    make_group(cloud, "b", MinSize=0)
    before = state(cloud)
    with pytest.raises(ServiceError, match="limit of 2 Auto Scaling groups") as caught:
        make_group(cloud, "c", MinSize=0)
    assert caught.value.code == "LimitExceeded"
    assert state(cloud) == before


def test_scaling_policies_per_group_and_step_adjustments_quotas() -> None:
    cloud = Cloud()
    make_group(cloud, MinSize=0)
    service = cloud.autoscaling
    for index in range(50):
        service.put_scaling_policy(
            "web", f"p{index}", adjustment_type="ChangeInCapacity", scaling_adjustment=1
        )
    service.put_scaling_policy(  # replacing one is not a new one
        "web", "p0", adjustment_type="ChangeInCapacity", scaling_adjustment=2
    )
    with pytest.raises(ServiceError, match="limit of 50 scaling policies") as caught:
        service.put_scaling_policy(
            "web", "p50", adjustment_type="ChangeInCapacity", scaling_adjustment=1
        )
    assert caught.value.code == "LimitExceeded"
    steps = [StepAdjustment(float(i), float(i + 1), 1) for i in range(21)]
    with pytest.raises(ServiceError, match=r"step adjustments \(21\) exceeds the limit of 20"):
        service.put_scaling_policy(
            "web",
            "p0",
            policy_type="StepScaling",
            adjustment_type="ChangeInCapacity",
            step_adjustments=steps,
        )
    assert len(service.groups["web"].policies) == 50

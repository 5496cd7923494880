"""EC2's On-Demand vCPU quota bounds what RunInstances launches (issue 19, item 5)."""

from __future__ import annotations

import pytest

from awsmon import Cloud
from awsmon.neighbours.ec2 import VcpuLimitExceeded


def test_max_count_is_cut_to_what_the_vcpu_quota_leaves() -> None:
    """A huge MaxCount launches as many as fit (1,152 one-vCPU instances), not 2**31."""
    cloud = Cloud()
    ec2 = cloud.client("ec2")
    answer = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=2**31 - 1)
    assert len(answer["Instances"]) == 1152
    assert cloud.ec2.vcpus_in_use() == 1152


def test_min_count_beyond_the_quota_is_vcpu_limit_exceeded_and_launches_nothing() -> None:
    cloud = Cloud()
    cloud.ec2.vcpu_limit = 8
    ec2 = cloud.client("ec2")
    ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="m5.xlarge")
    with pytest.raises(VcpuLimitExceeded, match="current vCPU limit of 8 allows") as caught:
        ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2, InstanceType="m5.xlarge")
    assert caught.value.code == "VcpuLimitExceeded"
    assert len(ec2.describe_instances()["Reservations"]) == 1


def test_stopped_instances_free_their_vcpus() -> None:
    cloud = Cloud()
    cloud.ec2.vcpu_limit = 4
    ec2 = cloud.client("ec2")
    [first] = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="m5.xlarge"
    )["Instances"]
    cloud.clock.advance(60)
    ec2.stop_instances(InstanceIds=[first["InstanceId"]])
    cloud.clock.advance(120)
    again = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=5, InstanceType="m5.xlarge"
    )
    assert len(again["Instances"]) == 1

"""EC2's On-Demand vCPU quota bounds what RunInstances launches (issue 19, item 5)."""

from __future__ import annotations

import pytest

from awsmon import Cloud
from awsmon.neighbours.ec2 import (
    InstanceLimitExceeded,
    InvalidParameterValue,
    VcpuLimitExceeded,
    bucket_of,
)


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


# -- buckets, instance-count limits, the quotas as AWS shows them ----------------------------


def test_each_bucket_has_its_own_vcpu_quota() -> None:
    """A G instance counts against "Running On-Demand G and VT instances", not Standard."""
    cloud = Cloud()
    cloud.ec2.vcpu_limits["L-DB2E81BA"] = 8
    ec2 = cloud.client("ec2")
    answer = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=10, InstanceType="g4dn.xlarge"
    )
    assert len(answer["Instances"]) == 2  # 4 vCPUs each, 8 allowed
    with pytest.raises(VcpuLimitExceeded, match="current vCPU limit of 8 allows"):
        ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="g5.xlarge")
    ec2.run_instances(ImageId="ami-12345678", MinCount=4, MaxCount=4, InstanceType="m5.xlarge")
    quotas = {q.code: q for q in cloud.ec2.service_quotas()}
    assert (quotas["L-DB2E81BA"].value, quotas["L-DB2E81BA"].usage) == (8, 8)
    assert (quotas["L-1216C47A"].value, quotas["L-1216C47A"].usage) == (1152, 16)


@pytest.mark.parametrize(
    ("type_name", "code"),
    [
        ("t3.micro", "L-1216C47A"),
        ("d3.xlarge", "L-1216C47A"),
        ("dl1.24xlarge", "L-6E869C2A"),
        ("inf2.xlarge", "L-1945791B"),
        ("i4i.large", "L-1216C47A"),
        ("trn1.2xlarge", "L-2C3B7624"),
        ("p4d.24xlarge", "L-417A185B"),
        ("x2idn.metal", "L-7295265B"),
        ("vt1.3xlarge", "L-DB2E81BA"),
        ("f1.2xlarge", "L-74FC7D96"),
    ],
)
def test_bucket_of_family(type_name: str, code: str) -> None:
    assert bucket_of(type_name).code == code


def test_quota_shape_is_service_quotas_get_service_quota() -> None:
    cloud = Cloud()
    [standard] = [q for q in cloud.ec2.service_quotas() if q.code == "L-1216C47A"]
    shape = standard.shape("us-east-1", "123456789012")
    assert shape["QuotaArn"] == "arn:aws:servicequotas:us-east-1:123456789012:ec2/L-1216C47A"
    assert shape["QuotaName"] == "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"
    assert shape["Value"] == 1152.0
    assert shape["UsageMetric"]["MetricDimensions"]["Class"] == "Standard/OnDemand"


def test_instance_count_limit_is_instance_limit_exceeded_and_launches_nothing() -> None:
    cloud = Cloud()
    cloud.ec2.instance_limits["c5.large"] = 3
    ec2 = cloud.client("ec2")
    first = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=5, InstanceType="c5.large"
    )
    assert len(first["Instances"]) == 3
    with pytest.raises(InstanceLimitExceeded, match=r"more instances \(1\) than your current"):
        ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="c5.large")
    assert len(cloud.ec2.instances()) == 3
    # other types are not limited by count
    ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="c5.xlarge")


@pytest.mark.parametrize(
    ("minimum", "maximum", "message"),
    [
        (1, 0, "Invalid value '0' for maxCount. Must be greater than 0"),
        (0, 1, "Invalid value '0' for minCount. Must be greater than 0"),
        (3, 2, "Invalid value '3' for minCount."),
    ],
)
def test_min_and_max_count_bounds(minimum: int, maximum: int, message: str) -> None:
    cloud = Cloud()
    with pytest.raises(InvalidParameterValue, match=message):
        cloud.client("ec2").run_instances(
            ImageId="ami-12345678", MinCount=minimum, MaxCount=maximum
        )
    assert cloud.ec2.instances() == []


def test_describe_account_attributes() -> None:
    """AWS's example attributes; max-instances no longer reflects the vCPU limit."""
    ec2 = Cloud().client("ec2")
    answer = ec2.describe_account_attributes(AttributeNames=["supported-platforms"])
    assert answer["AccountAttributes"] == [
        {"AttributeName": "supported-platforms", "AttributeValues": [{"AttributeValue": "VPC"}]}
    ]
    names = {a["AttributeName"] for a in ec2.describe_account_attributes()["AccountAttributes"]}
    assert {"default-vpc", "max-instances", "max-elastic-ips"} <= names
    with pytest.raises(InvalidParameterValue, match=r"Value \(nope\)"):
        ec2.describe_account_attributes(AttributeNames=["nope"])

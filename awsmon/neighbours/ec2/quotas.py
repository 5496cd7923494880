"""EC2's On-Demand instance quotas: the vCPU buckets, instance-count limits, account attributes.

AWS bounds the running On-Demand instances of an account and Region by vCPUs,
per bucket of instance families, each a quota of Service Quotas (service code
``ec2``): "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"
``L-1216C47A``, F ``L-74FC7D96``, G and VT ``L-DB2E81BA``, Inf ``L-1945791B``,
P ``L-417A185B``, X ``L-7295265B``, DL ``L-6E869C2A``, Trn ``L-2C3B7624``,
High Memory ``L-43DA4232``. Pending, running, stopping and shutting-down
instances count; stopped and terminated ones do not. RunInstances launches
as many as the bucket leaves, up to MaxCount, and refuses with
``VcpuLimitExceeded`` when not even MinCount fits ("Constraints: between 1
and the quota for the specified instance type"); so the work of one call is
bounded by the quota whatever MaxCount says.

``InstanceLimitExceeded`` is the older, instance-count form of the same limit
("the limit on the number of instances you can run concurrently"), which AWS
still returns where a count limit applies to an instance type; awsmon applies
one when `EC2.instance_limits` names the type (none by default).

Main names: `VcpuBucket`, `bucket_of`, `ServiceQuota`, `ACCOUNT_ATTRIBUTES`.

Simulation notes: AWS sets each account's quota values itself (new accounts
get less, and the values grow with use); awsmon's default is 1,152 vCPUs in
every bucket (`EC2.vcpu_limit` for Standard, `EC2.vcpu_limits` by quota
code for the others). The wording of ``InstanceLimitExceeded`` is the one AWS
answered before vCPU limits (UNCONFIRMED for today's API).

>>> bucket_of("m5.large").code, bucket_of("g4dn.xlarge").code, bucket_of("inf1.xlarge").code
('L-1216C47A', 'L-DB2E81BA', 'L-1945791B')
"""

from __future__ import annotations

from attrs import frozen

from awsmon.arn import partition_for

__all__ = [
    "ACCOUNT_ATTRIBUTES",
    "BUCKETS",
    "STANDARD",
    "ServiceQuota",
    "VcpuBucket",
    "bucket_of",
]


@frozen
class VcpuBucket:
    """One vCPU quota of Service Quotas: its code, its name, its instance families.

    Attributes:
        code: the quota code (``L-1216C47A``).
        name: the quota name as Service Quotas shows it.
        prefixes: the family prefixes in the bucket (longest match wins).
        usage_class: the ``Class`` dimension of its AWS/Usage metric (``Standard/OnDemand``).
    """

    code: str
    name: str
    prefixes: tuple[str, ...]
    usage_class: str


STANDARD = VcpuBucket(
    "L-1216C47A",
    "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
    ("a", "c", "d", "h", "i", "m", "r", "t", "z"),
    "Standard/OnDemand",
)
BUCKETS: tuple[VcpuBucket, ...] = (
    STANDARD,
    VcpuBucket("L-74FC7D96", "Running On-Demand F instances", ("f",), "F/OnDemand"),
    VcpuBucket("L-DB2E81BA", "Running On-Demand G and VT instances", ("g", "vt"), "G/OnDemand"),
    VcpuBucket("L-1945791B", "Running On-Demand Inf instances", ("inf",), "Inf/OnDemand"),
    VcpuBucket("L-417A185B", "Running On-Demand P instances", ("p",), "P/OnDemand"),
    VcpuBucket("L-7295265B", "Running On-Demand X instances", ("x",), "X/OnDemand"),
    VcpuBucket("L-6E869C2A", "Running On-Demand DL instances", ("dl",), "DL/OnDemand"),
    VcpuBucket("L-2C3B7624", "Running On-Demand Trn instances", ("trn",), "Trn/OnDemand"),
    VcpuBucket(
        "L-43DA4232", "Running On-Demand High Memory instances", ("u-",), "HighMem/OnDemand"
    ),
)
_BY_PREFIX = sorted(
    ((prefix, bucket) for bucket in BUCKETS for prefix in bucket.prefixes),
    key=lambda pair: -len(pair[0]),
)


def bucket_of(type_name: str) -> VcpuBucket:
    """The vCPU bucket of an instance type (Standard for a family no bucket names)."""
    for prefix, bucket in _BY_PREFIX:
        if type_name.startswith(prefix):
            return bucket
    return STANDARD


@frozen(kw_only=True)
class ServiceQuota:
    """A quota as Service Quotas' GetServiceQuota shows it, with the usage EC2 counts.

    Attributes:
        code: the quota code; name: its name; value: the quota, in vCPUs.
        usage_class: the ``Class`` dimension of its usage metric.
        usage: the vCPUs the account's live instances of the bucket hold.
    """

    code: str
    name: str
    usage_class: str
    value: int
    usage: int

    def shape(self, region: str, account_id: str) -> dict[str, object]:
        """The ``Quota`` structure of GetServiceQuota (service code ``ec2``)."""
        partition = partition_for(region)
        return {
            "ServiceCode": "ec2",
            "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
            "QuotaArn": f"arn:{partition}:servicequotas:{region}:{account_id}:ec2/{self.code}",
            "QuotaCode": self.code,
            "QuotaName": self.name,
            "Value": float(self.value),
            "Unit": "None",
            "Adjustable": True,
            "GlobalQuota": False,
            "UsageMetric": {
                "MetricNamespace": "AWS/Usage",
                "MetricName": "ResourceCount",
                "MetricDimensions": {
                    "Class": self.usage_class,
                    "Resource": "vCPU",
                    "Service": "EC2",
                    "Type": "Resource",
                },
                "MetricStatisticRecommendation": "Maximum",
            },
        }


#: DescribeAccountAttributes' answers: ``max-instances`` is "no longer supported;
#: the returned value does not reflect your actual vCPU limit" (AWS's words), so
#: it is the old default of 20, and the vCPU quotas are in `EC2.service_quotas`.
ACCOUNT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "supported-platforms": ("VPC",),
    "default-vpc": ("vpc-0awsmon",),
    "max-instances": ("20",),
    "max-elastic-ips": ("5",),
    "vpc-max-elastic-ips": ("5",),
    "vpc-max-security-groups-per-interface": ("5",),
}

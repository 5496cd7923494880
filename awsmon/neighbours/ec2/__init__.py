"""Amazon EC2: simulated instances, their AWS/EC2 metrics, and the CloudWatch agent.

`EC2` (service.py) is the service of one account and region, built from
`EC2Core` (core.py: the instances, metrics and state events), `LifecycleMixin`
(lifecycle.py: run, start, stop, reboot, terminate, status) and `TemplatesMixin`
(templates.py: launch templates); `instance.py` holds the simulated `Instance` and
its metric sampler, `agent/` the CloudWatch agent, `model.py` the values,
`errors.py` the error classes, `api.py` the wire translation.
"""

from __future__ import annotations

from awsmon.neighbours.ec2.agent import (
    MEASUREMENTS,
    RETENTION_DAYS,
    AgentConfig,
    CloudWatchAgent,
    FileConfig,
    Host,
    LogsConfig,
    Measurement,
    MetricsConfig,
    PluginConfig,
    ShippedBatch,
    TimestampFormat,
    compile_timestamp_format,
    parse_config,
)
from awsmon.neighbours.ec2.api import Ec2Api, instance_shape
from awsmon.neighbours.ec2.errors import (
    AgentConfigError,
    DryRunOperation,
    IncorrectInstanceState,
    InstanceLimitExceeded,
    InvalidAMIIDMalformed,
    InvalidInstanceIDMalformed,
    InvalidInstanceIDNotFound,
    InvalidLaunchTemplateIdNotFound,
    InvalidLaunchTemplateIdVersionNotFound,
    InvalidLaunchTemplateNameAlreadyExists,
    InvalidLaunchTemplateNameNotFound,
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
    OperationNotPermitted,
    VcpuLimitExceeded,
)
from awsmon.neighbours.ec2.instance import Instance, MetricSampler, Reservation
from awsmon.neighbours.ec2.model import (
    InstanceState,
    InstanceType,
    LaunchTemplate,
    LaunchTemplateData,
    MonitoringState,
    Workload,
    filter_matches,
    instance_type,
)
from awsmon.neighbours.ec2.quotas import BUCKETS, ServiceQuota, VcpuBucket, bucket_of
from awsmon.neighbours.ec2.service import EC2

__all__ = [
    "BUCKETS",
    "EC2",
    "MEASUREMENTS",
    "RETENTION_DAYS",
    "AgentConfig",
    "AgentConfigError",
    "CloudWatchAgent",
    "DryRunOperation",
    "Ec2Api",
    "FileConfig",
    "Host",
    "IncorrectInstanceState",
    "Instance",
    "InstanceLimitExceeded",
    "InstanceState",
    "InstanceType",
    "InvalidAMIIDMalformed",
    "InvalidInstanceIDMalformed",
    "InvalidInstanceIDNotFound",
    "InvalidLaunchTemplateIdNotFound",
    "InvalidLaunchTemplateIdVersionNotFound",
    "InvalidLaunchTemplateNameAlreadyExists",
    "InvalidLaunchTemplateNameNotFound",
    "InvalidParameterCombination",
    "InvalidParameterValue",
    "LaunchTemplate",
    "LaunchTemplateData",
    "LogsConfig",
    "Measurement",
    "MetricSampler",
    "MetricsConfig",
    "MissingParameter",
    "MonitoringState",
    "OperationNotPermitted",
    "PluginConfig",
    "Reservation",
    "ServiceQuota",
    "ShippedBatch",
    "TimestampFormat",
    "VcpuBucket",
    "VcpuLimitExceeded",
    "Workload",
    "bucket_of",
    "compile_timestamp_format",
    "filter_matches",
    "instance_shape",
    "instance_type",
    "parse_config",
]

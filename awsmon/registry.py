"""The registry of simulated services: where each one's code lives.

A service joins awsmon by adding its modules and one `ServiceSpec` line to
`SERVICES`. The cloud imports a service's code only when it is first used, so
``import awsmon`` stays cheap however many services exist.

>>> spec("sts").botocore_name
'sts'
>>> spec_for_botocore("sts").name
'sts'
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from attrs import frozen

__all__ = [
    "SERVICES",
    "ServiceSpec",
    "register",
    "spec",
    "spec_for_arn_service",
    "spec_for_botocore",
    "specs",
]


@frozen(kw_only=True)
class ServiceSpec:
    """One simulated service.

    Attributes:
        name: the attribute on `Cloud` and on each region (``cloud.logs``).
        botocore_name: the service's name in botocore (``client("logs")``,
            ``service_model.service_name``).
        domain: the domain service class (a `Service` subclass), or its
            ``"module:Class"`` path, imported on first use.
        api: the wire API class (a `WireApi` subclass), or its ``"module:Class"`` path.
        event_source: the service's endpoint host, CloudTrail's ``eventSource``.
        arn_service: the service part of the service's ARNs.
        parameter_case: ``"camel"`` or ``"pascal"``: how the service spells
            its request parameters (``logGroupName`` vs ``MetricName``).
        cloud_hook: a ``"module:function"`` the `Cloud` calls with itself as
            it is built, for a service that must watch the whole cloud from
            its start (CloudTrail installs its dispatch listener there).
    """

    name: str
    botocore_name: str
    domain: str | type
    api: str | type
    event_source: str
    arn_service: str
    parameter_case: str = "pascal"
    cloud_hook: str | None = None

    def load_domain(self) -> Any:
        """The domain service class."""
        return _load(self.domain)

    def load_api(self) -> Any:
        """The wire API class."""
        return _load(self.api)

    def load_cloud_hook(self) -> Any:
        """The function the cloud calls with itself when built, or None."""
        return None if self.cloud_hook is None else _load(self.cloud_hook)


def _load(target: str | type) -> Any:
    if isinstance(target, type):
        return target
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


SERVICES: list[ServiceSpec] = [
    ServiceSpec(
        name="sts",
        botocore_name="sts",
        domain="awsmon.neighbours.sts:STS",
        api="awsmon.neighbours.sts:StsApi",
        event_source="sts.amazonaws.com",
        arn_service="sts",
    ),
    ServiceSpec(
        name="cloudwatch",
        botocore_name="cloudwatch",
        domain="awsmon.cloudwatch.service:CloudWatch",
        api="awsmon.cloudwatch.api:CloudWatchApi",
        event_source="monitoring.amazonaws.com",
        arn_service="cloudwatch",
        cloud_hook="awsmon.cloudwatch.usage:install",
    ),
    ServiceSpec(
        name="sqs",
        botocore_name="sqs",
        domain="awsmon.neighbours.sqs.service:SQS",
        api="awsmon.neighbours.sqs.api:SqsApi",
        event_source="sqs.amazonaws.com",
        arn_service="sqs",
    ),
    ServiceSpec(
        name="xray",
        botocore_name="xray",
        domain="awsmon.xray.service:XRay",
        api="awsmon.xray.api:XRayApi",
        event_source="xray.amazonaws.com",
        arn_service="xray",
        parameter_case="pascal",
    ),
    ServiceSpec(
        name="sns",
        botocore_name="sns",
        domain="awsmon.neighbours.sns.service:SNS",
        api="awsmon.neighbours.sns.api:SnsApi",
        event_source="sns.amazonaws.com",
        arn_service="sns",
    ),
    ServiceSpec(
        name="s3",
        botocore_name="s3",
        domain="awsmon.neighbours.s3.service:S3",
        api="awsmon.neighbours.s3.api:S3Api",
        event_source="s3.amazonaws.com",
        arn_service="s3",
    ),
    ServiceSpec(
        name="lambda_",
        botocore_name="lambda",
        domain="awsmon.neighbours.lambda_.service:Lambda",
        api="awsmon.neighbours.lambda_.api:LambdaApi",
        event_source="lambda.amazonaws.com",
        arn_service="lambda",
    ),
    ServiceSpec(
        name="logs",
        botocore_name="logs",
        domain="awsmon.logs.service:CloudWatchLogs",
        api="awsmon.logs.api:LogsApi",
        event_source="logs.amazonaws.com",
        arn_service="logs",
        parameter_case="camel",
    ),
    ServiceSpec(
        name="kms",
        botocore_name="kms",
        domain="awsmon.neighbours.kms:KMS",
        api="awsmon.neighbours.kms:KmsApi",
        event_source="kms.amazonaws.com",
        arn_service="kms",
    ),
    ServiceSpec(
        name="events",
        botocore_name="events",
        domain="awsmon.events.service:EventBridge",
        api="awsmon.events.api:EventsApi",
        event_source="events.amazonaws.com",
        arn_service="events",
        parameter_case="pascal",
    ),
    ServiceSpec(
        name="kinesis",
        botocore_name="kinesis",
        domain="awsmon.neighbours.kinesis.service:Kinesis",
        api="awsmon.neighbours.kinesis.api:KinesisApi",
        event_source="kinesis.amazonaws.com",
        arn_service="kinesis",
        parameter_case="pascal",
    ),
    ServiceSpec(
        name="firehose",
        botocore_name="firehose",
        domain="awsmon.neighbours.firehose.service:Firehose",
        api="awsmon.neighbours.firehose.api:FirehoseApi",
        event_source="firehose.amazonaws.com",
        arn_service="firehose",
        parameter_case="pascal",
    ),
    ServiceSpec(
        name="ec2",
        botocore_name="ec2",
        domain="awsmon.neighbours.ec2.service:EC2",
        api="awsmon.neighbours.ec2.api:Ec2Api",
        event_source="ec2.amazonaws.com",
        arn_service="ec2",
        parameter_case="camel",
    ),
    ServiceSpec(
        name="schemas",
        botocore_name="schemas",
        domain="awsmon.schemas.service:Schemas",
        api="awsmon.schemas.api:SchemasApi",
        event_source="schemas.amazonaws.com",
        arn_service="schemas",
    ),
    ServiceSpec(
        name="autoscaling",
        botocore_name="autoscaling",
        domain="awsmon.neighbours.autoscaling.service:AutoScaling",
        api="awsmon.neighbours.autoscaling.api:AutoScalingApi",
        event_source="autoscaling.amazonaws.com",
        arn_service="autoscaling",
        parameter_case="pascal",
    ),
    ServiceSpec(
        name="cloudtrail",
        botocore_name="cloudtrail",
        domain="awsmon.cloudtrail.service:CloudTrail",
        api="awsmon.cloudtrail.api:CloudTrailApi",
        event_source="cloudtrail.amazonaws.com",
        arn_service="cloudtrail",
        cloud_hook="awsmon.cloudtrail.recording:install",
    ),
]


def specs() -> list[ServiceSpec]:
    """Every registered service."""
    return list(SERVICES)


def spec(name: str) -> ServiceSpec:
    """The service registered under `name`.

    Raises:
        KeyError: no such service.
    """
    for entry in SERVICES:
        if entry.name == name:
            return entry
    known = ", ".join(sorted(entry.name for entry in SERVICES))
    raise KeyError(f"awsmon simulates no service named {name!r}; it has: {known}")


def spec_for_botocore(botocore_name: str) -> ServiceSpec | None:
    """The service botocore calls `botocore_name`, or None when awsmon lacks it."""
    for entry in SERVICES:
        if entry.botocore_name == botocore_name:
            return entry
    return None


def spec_for_arn_service(arn_service: str) -> ServiceSpec | None:
    """The service whose ARNs carry `arn_service` (``"lambda"``), or None."""
    for entry in SERVICES:
        if entry.arn_service == arn_service:
            return entry
    return None


@contextmanager
def register(entry: ServiceSpec) -> Iterator[ServiceSpec]:
    """Register `entry` for the duration of the block (extensions and tests).

    Raises:
        ValueError: a service of that name or botocore name exists already.
    """
    if any(e.name == entry.name or e.botocore_name == entry.botocore_name for e in SERVICES):
        raise ValueError(f"a service named {entry.name!r} is registered already")
    SERVICES.append(entry)
    try:
        yield entry
    finally:
        SERVICES.remove(entry)

"""AWS/Usage: the per-minute API call counts AWS publishes for some services.

`install` is the CloudWatch registry entry's cloud hook: it adds a dispatch
listener that counts each call of a service in `USAGE_SERVICES` as
``CallCount`` (no unit, statistic Sum) with the dimensions ``Service``
(AWS's name for it: ``CloudWatch``, ``Logs``), ``Type=API``,
``Resource=<operation>`` and ``Class=None``, in the CloudWatch of the
account and region called, published each minute as AWS collects them
(CloudWatch-Usage-Metrics.html). Failed calls count too, as AWS counts
calls made; ``vended.enabled = False`` on a place's `usage` turns it off.
"""

from __future__ import annotations

from typing import Any

from awsmon.cloudwatch.metrics.model import StandardUnit
from awsmon.dispatch import ApiCall, CloudHandle

__all__ = ["USAGE_SERVICES", "UsageCounter", "install"]

#: botocore service name -> the ``Service`` dimension AWS gives its calls.
USAGE_SERVICES = {"cloudwatch": "CloudWatch", "logs": "Logs"}


class UsageCounter:
    """The dispatch listener counting calls into each place's ``AWS/Usage`` metrics."""

    def __init__(self, cloud: CloudHandle) -> None:
        self.cloud = cloud

    def __call__(self, call: ApiCall) -> None:
        service = USAGE_SERVICES.get(call.service)
        if service is None:
            return
        cloudwatch: Any = self.cloud.service_in(call.account_id, call.region, "cloudwatch")
        vended = cloudwatch.usage
        if vended.enabled:
            where = (
                ("Class", "None"),
                ("Resource", call.operation),
                ("Service", service),
                ("Type", "API"),
            )
            vended.add("CallCount", where, 1.0, StandardUnit.NONE)


def install(cloud: CloudHandle) -> UsageCounter:
    """Add the usage counter to `cloud`'s dispatch listeners (the registry's cloud hook)."""
    counter = UsageCounter(cloud)
    cloud.dispatcher.listeners.append(counter)
    return counter


"""AWS X-Ray, simulated: segments, traces, sampling, service graphs, filter expressions.

``cloud.xray`` is the `XRay` service of the cloud's default account and
region. Documents come in through PutTraceSegments (domain or wire), the UDP
daemon (`XRay.start_daemon`), the in-process emitter for the official
``aws-xray-sdk`` (`XRay.sdk_emitter`), or the recorder for simulated
applications (`XRay.recorder`).

Main names: `XRay`, `FilterExpression`, `SamplingRule`, `SamplingRequest`,
`Sampler`, `DEFAULT_RULE`, `TraceHeader`, `Segment`, `Group`, `TimeRangeType`,
and the recorder's `Recorder`, `ActiveSegment`, `ActiveSubsegment` (what
other services, such as Lambda's active tracing, use of X-Ray).
"""

from __future__ import annotations

from awsmon.xray.filter_expression import FilterExpression
from awsmon.xray.model import Group, Segment, TimeRangeType, TraceHeader
from awsmon.xray.recorder import ActiveSegment, ActiveSubsegment, Recorder
from awsmon.xray.sampling import DEFAULT_RULE, Sampler, SamplingRequest, SamplingRule
from awsmon.xray.service import XRay

__all__ = [
    "DEFAULT_RULE",
    "ActiveSegment",
    "ActiveSubsegment",
    "FilterExpression",
    "Group",
    "Recorder",
    "Sampler",
    "SamplingRequest",
    "SamplingRule",
    "Segment",
    "TimeRangeType",
    "TraceHeader",
    "XRay",
]

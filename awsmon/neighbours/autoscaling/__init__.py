"""Amazon EC2 Auto Scaling: groups of EC2 instances, scaling policies and activities.

`AutoScaling` (service.py) is the service of one account and region, built from
`PoliciesMixin` (policies.py: simple, step and target-tracking policies and their
alarms) and `CapacityMixin` (capacity.py: launching and terminating instances
through EC2); `model.py` holds the records, `errors.py` the error classes, `api.py`
the wire translation.
"""

from __future__ import annotations

from awsmon.neighbours.autoscaling.api import AutoScalingApi
from awsmon.neighbours.autoscaling.errors import (
    AlreadyExistsFault,
    InvalidNextToken,
    LimitExceededFault,
    ResourceInUseFault,
    ScalingActivityInProgressFault,
    UnsupportedOperation,
    ValidationError,
)
from awsmon.neighbours.autoscaling.model import (
    Activity,
    ActivityStatus,
    AdjustmentType,
    AutoScalingGroup,
    GroupInstance,
    LifecycleState,
    PolicyType,
    ScalingPolicy,
    StepAdjustment,
    TargetTracking,
)
from awsmon.neighbours.autoscaling.service import AutoScaling

__all__ = [
    "Activity",
    "ActivityStatus",
    "AdjustmentType",
    "AlreadyExistsFault",
    "AutoScaling",
    "AutoScalingApi",
    "AutoScalingGroup",
    "GroupInstance",
    "InvalidNextToken",
    "LifecycleState",
    "LimitExceededFault",
    "PolicyType",
    "ResourceInUseFault",
    "ScalingActivityInProgressFault",
    "ScalingPolicy",
    "StepAdjustment",
    "TargetTracking",
    "UnsupportedOperation",
    "ValidationError",
]

"""Amazon EC2 Auto Scaling's records: groups, their instances, policies, activities.

Main pieces: `AutoScalingGroup`, `GroupInstance`, `ScalingPolicy`,
`StepAdjustment`, `TargetTracking`, `Activity`, the enums `PolicyType`,
`AdjustmentType`, `LifecycleState` (the error classes are in
`awsmon.neighbours.autoscaling.errors`). The stateful service is
`awsmon.neighbours.autoscaling.AutoScaling`.

>>> step = StepAdjustment(lower=0.0, upper=10.0, adjustment=1)
>>> step.holds(5.0), step.holds(10.0)
(True, False)
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import define, field, frozen

__all__ = [
    "Activity",
    "ActivityStatus",
    "AdjustmentType",
    "AutoScalingGroup",
    "GroupInstance",
    "LifecycleState",
    "PolicyType",
    "ScalingPolicy",
    "StepAdjustment",
    "TargetTracking",
]


class PolicyType(enum.Enum):
    """The kinds of scaling policy awsmon simulates."""

    SIMPLE = "SimpleScaling"
    STEP = "StepScaling"
    TARGET_TRACKING = "TargetTrackingScaling"


class AdjustmentType(enum.Enum):
    """How a simple or step adjustment changes the desired capacity."""

    CHANGE_IN_CAPACITY = "ChangeInCapacity"
    EXACT_CAPACITY = "ExactCapacity"
    PERCENT_CHANGE_IN_CAPACITY = "PercentChangeInCapacity"

    def apply(self, current: int, adjustment: int, min_magnitude: int | None = None) -> int:
        """The new capacity (before clamping to the group's bounds).

        A percent change is rounded toward zero when its magnitude exceeds 1,
        else away from zero (at least 1), and raised to `min_magnitude`.

        >>> AdjustmentType.PERCENT_CHANGE_IN_CAPACITY.apply(10, 25)
        12
        >>> AdjustmentType.PERCENT_CHANGE_IN_CAPACITY.apply(2, 10)
        3
        """
        if self is AdjustmentType.EXACT_CAPACITY:
            return adjustment
        if self is AdjustmentType.CHANGE_IN_CAPACITY:
            return current + adjustment
        change = current * adjustment / 100
        step = math.trunc(change) if abs(change) > 1 else int(math.copysign(1, change or 1))
        if min_magnitude is not None and abs(step) < min_magnitude:
            step = int(math.copysign(min_magnitude, step))
        return current + step


class LifecycleState(enum.Enum):
    """An instance's state within its group (the subset awsmon reaches)."""

    PENDING = "Pending"
    IN_SERVICE = "InService"
    TERMINATING = "Terminating"
    TERMINATED = "Terminated"


class ActivityStatus(enum.Enum):
    """A scaling activity's StatusCode (the subset awsmon reaches)."""

    IN_PROGRESS = "InProgress"
    SUCCESSFUL = "Successful"
    FAILED = "Failed"
    CANCELLED = "Cancelled"


@frozen
class StepAdjustment:
    """One step of a step scaling policy: bounds relative to the alarm threshold.

    The lower bound is inclusive and the upper exclusive; None is infinity.
    """

    lower: float | None
    upper: float | None
    adjustment: int

    def holds(self, breach: float) -> bool:
        """True when `breach` (metric value − threshold) falls in this step."""
        above = self.lower is None or breach >= self.lower
        below = self.upper is None or breach < self.upper
        return above and below


@frozen(kw_only=True)
class TargetTracking:
    """A target tracking configuration: which metric, and the value to keep it at.

    Attributes:
        target_value: the target.
        namespace, metric_name, statistic, unit: the metric tracked.
        dimensions: its dimensions (the group's name for predefined metrics).
        predefined_metric_type: ``ASGAverageCPUUtilization`` ..., or None.
        resource_label: the ALB target-group label, for ``ALBRequestCountPerTarget``.
        disable_scale_in: only the high alarm scales.
    """

    target_value: float
    namespace: str
    metric_name: str
    statistic: str
    dimensions: Mapping[str, str]
    unit: str | None = None
    predefined_metric_type: str | None = None
    resource_label: str | None = None
    disable_scale_in: bool = False


@define(eq=False, kw_only=True)
class ScalingPolicy:
    """A scaling policy of a group.

    Attributes:
        alarms: (name, ARN) of the alarms invoking it (created by target tracking).
        last_scaled_at: when it last changed the desired capacity.
        warm_capacity: the capacity its last scale-out asked for (step and
            target tracking: not exceeded again while instances warm up).
    """

    name: str
    arn: str
    group_name: str
    policy_type: PolicyType
    adjustment_type: AdjustmentType | None = None
    scaling_adjustment: int | None = None
    cooldown: int | None = None
    min_adjustment_magnitude: int | None = None
    step_adjustments: tuple[StepAdjustment, ...] = ()
    metric_aggregation_type: str | None = None
    estimated_instance_warmup: int | None = None
    target_tracking: TargetTracking | None = None
    enabled: bool = True
    alarms: list[tuple[str, str]] = field(factory=list)
    last_scaled_at: datetime | None = None
    warm_capacity: tuple[datetime, int] | None = None
    warm_basis: int = 0


@define(eq=False, kw_only=True)
class GroupInstance:
    """An instance as its group sees it."""

    instance_id: str
    instance_type: str
    availability_zone: str
    launched_at: datetime
    lifecycle_state: LifecycleState = LifecycleState.PENDING
    health_status: str = "Healthy"
    protected_from_scale_in: bool = False
    launch_template: Mapping[str, str] | None = None
    activity_id: str | None = None


@define(eq=False, kw_only=True)
class Activity:
    """One scaling activity (DescribeScalingActivities)."""

    id: str
    group_name: str
    group_arn: str
    description: str
    cause: str
    start_time: datetime
    status: ActivityStatus = ActivityStatus.IN_PROGRESS
    end_time: datetime | None = None
    progress: int = 0
    status_message: str | None = None
    details: str = "{}"


@define(eq=False, kw_only=True)
class AutoScalingGroup:
    """An Auto Scaling group.

    Attributes:
        launch_template: ``{"LaunchTemplateId", "LaunchTemplateName", "Version"}``.
        instances: its instances by id (terminated ones leave).
        policies: its scaling policies by name.
        last_scaling_at: when a user or a policy last changed the desired capacity
            (cooldowns; launches to reach the minimum or replace unhealthy
            instances do not start one).
        workload: figures for instances it launches (`set_workload`).
        status: ``Delete in progress`` while a forced delete terminates instances.
    """

    name: str
    arn: str
    min_size: int
    max_size: int
    desired_capacity: int
    default_cooldown: int
    availability_zones: tuple[str, ...]
    created_at: datetime
    launch_template: Mapping[str, str]
    vpc_zone_identifier: str = ""
    health_check_type: str = "EC2"
    health_check_grace_period: int = 0
    termination_policies: tuple[str, ...] = ("Default",)
    new_instances_protected_from_scale_in: bool = False
    default_instance_warmup: int | None = None
    tags: list[dict[str, Any]] = field(factory=list)
    instances: dict[str, GroupInstance] = field(factory=dict)
    policies: dict[str, ScalingPolicy] = field(factory=dict)
    last_scaling_at: datetime | None = None
    workload: dict[str, Any] = field(factory=dict, repr=False)
    shared_load: bool = False
    status: str | None = None
    service: Any = field(default=None, repr=False)

    @property
    def in_service(self) -> list[GroupInstance]:
        """The instances counted as capacity (Pending or InService)."""
        return [
            i
            for i in self.instances.values()
            if i.lifecycle_state in (LifecycleState.PENDING, LifecycleState.IN_SERVICE)
        ]

    def warmup(self, policy: ScalingPolicy | None = None) -> timedelta:
        """The instance warm-up: the policy's, else the group's, else 300 seconds."""
        seconds = (policy.estimated_instance_warmup if policy else None) or (
            self.default_instance_warmup
        )
        return timedelta(seconds=300 if seconds is None else seconds)

    def set_workload(self, *, shared: bool = False, **figures: Any) -> None:
        """Set the workload of the group's instances, now and for those it launches later.

        Not an AWS operation: the simulation's load generator.

        Args:
            shared: the figures are the group's total load, in units of one
                instance, split evenly over its running instances (so scaling
                out lowers each instance's CPU, as behind a load balancer).
            **figures: `awsmon.neighbours.ec2.Workload` figures.
        """
        self.workload = dict(figures)
        self.shared_load = shared
        if self.service is not None:
            self.service.apply_workload(self)

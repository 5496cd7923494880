"""Auto Scaling policies: simple, step and target tracking scaling, invoked by alarms.

`PoliciesMixin` adds PutScalingPolicy, ExecutePolicy, DescribePolicies and
DeletePolicy to `awsmon.neighbours.autoscaling.AutoScaling`, and its
``handle_alarm_action``, which CloudWatch calls for an alarm action naming a
policy ARN (while the alarm stays in ALARM, once a minute).

- **Simple scaling** adjusts the desired capacity by ``ScalingAdjustment``,
  then ignores its alarm until the cooldown (the policy's, else the group's
  DefaultCooldown) has passed since the group's last scaling activity.
- **Step scaling** picks the step whose bounds hold the breach (metric value
  minus the alarm threshold; lower bound inclusive, upper exclusive); while
  the instances it launched warm up, it only acts when a larger capacity is
  asked for.
- **Target tracking** creates two alarms on the tracked metric, named as AWS
  names them: ``TargetTracking-<group>-AlarmHigh-<uuid>`` (value above the
  target for 3 of 3 periods) and ``TargetTracking-<group>-AlarmLow-<uuid>``
  (below 90% of the target for 15 of 15 periods; none with DisableScaleIn),
  with period 60 s when the group's launch template enables detailed
  monitoring and 300 s otherwise. An alarm sets the capacity to
  ceil(capacity × value / target), scaling out at most once per warm-up
  unless more is needed, and scaling in no sooner than 300 seconds after
  the last scaling.

Simulation notes: the metric value a policy acts on is the alarm metric's
latest datapoint (AWS uses the aggregated breach data); the alarms'
thresholds, periods and 90% scale-in ratio follow what AWS shows for EC2
groups but are not documented as a contract.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from awsmon import jsondoc, registry
from awsmon.cloudwatch import epoch_seconds, read_fast
from awsmon.dispatch import Service, operation
from awsmon.identity import Principal
from awsmon.neighbours.autoscaling.errors import (
    LimitExceededFault,
    ScalingActivityInProgressFault,
    ValidationError,
)
from awsmon.neighbours.autoscaling.model import (
    AdjustmentType,
    AutoScalingGroup,
    PolicyType,
    ScalingPolicy,
    StepAdjustment,
    TargetTracking,
)

__all__ = ["PREDEFINED_METRICS", "PoliciesMixin"]

#: Predefined target tracking metrics → (namespace, metric name, statistic).
PREDEFINED_METRICS = {
    "ASGAverageCPUUtilization": ("AWS/EC2", "CPUUtilization", "Average"),
    "ASGAverageNetworkIn": ("AWS/EC2", "NetworkIn", "Average"),
    "ASGAverageNetworkOut": ("AWS/EC2", "NetworkOut", "Average"),
    "ALBRequestCountPerTarget": ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
}


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class PoliciesMixin(Service):
    """Scaling policies of `AutoScaling` (see the module)."""

    groups: dict[str, AutoScalingGroup]

    if TYPE_CHECKING:

        def group(self, name: str) -> AutoScalingGroup: ...
        def _reconcile(self, group: AutoScalingGroup, cause: str) -> None: ...
        @property
        def ec2(self) -> Any: ...

    @operation("PutScalingPolicy")
    def put_scaling_policy(
        self,
        auto_scaling_group_name: str,
        policy_name: str,
        *,
        policy_type: PolicyType | str = PolicyType.SIMPLE,
        adjustment_type: AdjustmentType | str | None = None,
        scaling_adjustment: int | None = None,
        cooldown: int | None = None,
        min_adjustment_magnitude: int | None = None,
        step_adjustments: Sequence[StepAdjustment] = (),
        metric_aggregation_type: str | None = None,
        estimated_instance_warmup: int | None = None,
        target_tracking: TargetTracking | None = None,
        enabled: bool = True,
    ) -> ScalingPolicy:
        """Create or replace a scaling policy (PutScalingPolicy).

        Raises:
            ValidationError: no such group, or parameters the policy type
                does not allow or needs.
        """
        group = self.group(auto_scaling_group_name)
        kind = PolicyType(policy_type)
        adjustment = None if adjustment_type is None else AdjustmentType(adjustment_type)
        _check_policy(
            kind, adjustment, scaling_adjustment, cooldown, step_adjustments, target_tracking
        )
        old = group.policies.get(policy_name)
        _check_policy_limits(group, old is None, len(step_adjustments))
        arn = (
            old.arn
            if old is not None
            else self.ctx.arn(
                f"scalingPolicy:{self.ctx.ids.uuid()}:autoScalingGroupName/{group.name}:"
                f"policyName/{policy_name}"
            )
        )
        if old is not None:
            self._drop_policy(group, policy_name)
        policy = ScalingPolicy(
            name=policy_name,
            arn=arn,
            group_name=group.name,
            policy_type=kind,
            adjustment_type=adjustment,
            scaling_adjustment=scaling_adjustment,
            cooldown=cooldown,
            min_adjustment_magnitude=min_adjustment_magnitude,
            step_adjustments=tuple(step_adjustments),
            metric_aggregation_type=metric_aggregation_type
            or ("Average" if kind is PolicyType.STEP else None),
            estimated_instance_warmup=estimated_instance_warmup,
            target_tracking=target_tracking,
            enabled=enabled,
        )
        group.policies[policy_name] = policy
        if target_tracking is not None:
            self._create_alarms(group, policy, target_tracking)
        return policy

    def _create_alarms(
        self, group: AutoScalingGroup, policy: ScalingPolicy, tracking: TargetTracking
    ) -> None:
        try:
            registry.spec("cloudwatch")
        except KeyError:
            return
        cloudwatch = self.ctx.sibling("cloudwatch")
        template = self.ec2.launch_template(group.launch_template["LaunchTemplateId"], None)
        detailed = template.version(group.launch_template.get("Version")).monitoring
        period = 60 if detailed else 300
        description = f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy.arn}."
        sides = [("AlarmHigh", "GreaterThanThreshold", tracking.target_value, 3)]
        if not tracking.disable_scale_in:
            sides.append(("AlarmLow", "LessThanThreshold", tracking.target_value * 0.9, 15))
        with self.ctx.as_principal(Principal.service("autoscaling.amazonaws.com", self.account_id)):
            for side, operator, threshold, periods in sides:
                name = f"TargetTracking-{group.name}-{side}-{self.ctx.ids.uuid()}"
                alarm = cloudwatch.put_metric_alarm(
                    name,
                    evaluation_periods=periods,
                    datapoints_to_alarm=periods,
                    comparison_operator=operator,
                    metric_name=tracking.metric_name,
                    namespace=tracking.namespace,
                    statistic=tracking.statistic,
                    dimensions=dict(tracking.dimensions),
                    unit=tracking.unit,
                    period=period,
                    threshold=threshold,
                    alarm_description=description,
                    alarm_actions=[policy.arn],
                )
                policy.alarms.append((name, alarm.arn))

    def _drop_policy(self, group: AutoScalingGroup, name: str) -> ScalingPolicy:
        policy = group.policies.pop(name)
        if policy.alarms and policy.target_tracking is not None:
            with self.ctx.as_principal(
                Principal.service("autoscaling.amazonaws.com", self.account_id)
            ):
                self.ctx.sibling("cloudwatch").delete_alarms([n for n, _ in policy.alarms])
        return policy

    def _policy(
        self, group_name: str | None, policy_name: str
    ) -> tuple[AutoScalingGroup, ScalingPolicy]:
        groups = [self.group(group_name)] if group_name else list(self.groups.values())
        for group in groups:
            for policy in group.policies.values():
                if policy_name in (policy.name, policy.arn):
                    return group, policy
        raise ValidationError(
            f"No such policy: {policy_name}", param="PolicyName", value=policy_name
        )

    @operation("DeletePolicy")
    def delete_policy(self, policy_name: str, auto_scaling_group_name: str | None = None) -> None:
        """Delete a policy (DeletePolicy) and the alarms target tracking created for it."""
        group, policy = self._policy(auto_scaling_group_name, policy_name)
        self._drop_policy(group, policy.name)

    @operation("DescribePolicies")
    def describe_policies(
        self,
        auto_scaling_group_name: str | None = None,
        *,
        policy_names: Sequence[str] = (),
        policy_types: Sequence[str] = (),
    ) -> list[ScalingPolicy]:
        """The policies of a group (or all), filtered by names and types (DescribePolicies)."""
        groups = (
            [self.group(auto_scaling_group_name)]
            if auto_scaling_group_name
            else [self.groups[n] for n in sorted(self.groups)]
        )
        return [
            p
            for g in groups
            for p in sorted(g.policies.values(), key=lambda p: p.name)
            if (not policy_names or p.name in policy_names or p.arn in policy_names)
            and (not policy_types or p.policy_type.value in policy_types)
        ]

    @operation("ExecutePolicy")
    def execute_policy(
        self,
        policy_name: str,
        auto_scaling_group_name: str | None = None,
        *,
        honor_cooldown: bool = False,
        metric_value: float | None = None,
        breach_threshold: float | None = None,
    ) -> None:
        """Run a policy now (ExecutePolicy), as if its alarm fired.

        Raises:
            ValidationError: no such policy; a step policy without MetricValue
                and BreachThreshold; a target tracking policy.
            ScalingActivityInProgressFault: `honor_cooldown` during the cooldown.
        """
        group, policy = self._policy(auto_scaling_group_name, policy_name)
        if policy.policy_type is PolicyType.TARGET_TRACKING:
            raise ValidationError(
                "ExecutePolicy is not supported for target tracking scaling policies.",
                param="PolicyName",
                value=policy_name,
            )
        if policy.policy_type is PolicyType.STEP:
            if metric_value is None or breach_threshold is None:
                raise ValidationError(
                    "MetricValue and BreachThreshold are required for step scaling policies.",
                    param="MetricValue",
                )
            self._step(group, policy, metric_value - breach_threshold, "a user request")
            return
        if honor_cooldown and self._in_cooldown(group, policy.cooldown or group.default_cooldown):
            raise ScalingActivityInProgressFault(
                "Scaling activity in progress or in cooldown",
                param="AutoScalingGroupName",
                value=group.name,
            )
        self._simple(group, policy, "a user request", check_cooldown=False)

    # -- running policies ------------------------------------------------------------------

    def _in_cooldown(self, group: AutoScalingGroup, seconds: int) -> bool:
        last = group.last_scaling_at
        return last is not None and self.ctx.now() < last + timedelta(seconds=seconds)

    def _set_capacity(
        self, group: AutoScalingGroup, policy: ScalingPolicy, wanted: int, who: str
    ) -> bool:
        new = min(max(wanted, group.min_size), group.max_size)
        before = group.desired_capacity
        if new == before:
            return False
        group.desired_capacity = new
        policy.last_scaled_at = group.last_scaling_at = self.ctx.now()
        self._reconcile(
            group,
            f"At {_stamp(self.ctx.now())} {who} triggered policy {policy.name} changing the "
            f"desired capacity from {before} to {new}.",
        )
        return True

    def _simple(
        self, group: AutoScalingGroup, policy: ScalingPolicy, who: str, *, check_cooldown: bool
    ) -> None:
        if check_cooldown and self._in_cooldown(group, policy.cooldown or group.default_cooldown):
            return
        assert policy.adjustment_type is not None and policy.scaling_adjustment is not None
        wanted = policy.adjustment_type.apply(
            group.desired_capacity, policy.scaling_adjustment, policy.min_adjustment_magnitude
        )
        self._set_capacity(group, policy, wanted, who)

    def _step(
        self, group: AutoScalingGroup, policy: ScalingPolicy, breach: float, who: str
    ) -> None:
        step = next((s for s in policy.step_adjustments if s.holds(breach)), None)
        if step is None:
            return
        assert policy.adjustment_type is not None
        wanted = policy.adjustment_type.apply(
            group.desired_capacity, step.adjustment, policy.min_adjustment_magnitude
        )
        self._scale_with_warmup(group, policy, wanted, who)

    def _scale_with_warmup(
        self, group: AutoScalingGroup, policy: ScalingPolicy, wanted: int, who: str
    ) -> None:
        """Scale to `wanted`; while a scale-out warms up, only a larger one goes ahead."""
        now = self.ctx.now()
        before = group.desired_capacity
        if wanted <= before:
            self._set_capacity(group, policy, wanted, who)
            return
        warm = policy.warm_capacity
        if warm is not None and now < warm[0] and wanted <= warm[1]:
            return
        if self._set_capacity(group, policy, wanted, who):
            policy.warm_capacity = (now + group.warmup(policy), group.desired_capacity)

    def handle_alarm_action(self, invocation: Any) -> None:
        """Run the policy an alarm action names (CloudWatch calls this each time it acts).

        Raises:
            ValidationError: the policy does not exist (recorded as a failed action).
        """
        group, policy = self._policy(None, invocation.action_arn)
        if not policy.enabled:
            return
        alarm = self.ctx.sibling("cloudwatch").alarm(invocation.alarm_name)
        who = f"a monitor alarm {alarm.name} in state {alarm.state.value}"
        if policy.policy_type is PolicyType.SIMPLE:
            self._simple(group, policy, who, check_cooldown=True)
            return
        value = _latest_value(self.ctx.sibling("cloudwatch"), alarm)
        if value is None:
            return
        if policy.policy_type is PolicyType.STEP:
            self._step(group, policy, value - (alarm.config.threshold or 0.0), who)
            return
        tracking = policy.target_tracking
        assert tracking is not None
        capacity = group.desired_capacity
        warm = policy.warm_capacity
        if warm is not None and self.ctx.now() < warm[0]:
            # Warming instances do not count yet: size from the capacity before them.
            capacity = policy.warm_basis
        wanted = math.ceil(max(capacity, 1) * value / tracking.target_value)
        if "AlarmLow" in alarm.name:
            if tracking.disable_scale_in or wanted >= group.desired_capacity:
                return
            if self._in_cooldown(group, 300):
                return
            wanted = max(wanted, group.desired_capacity - max(1, group.desired_capacity // 2))
            self._set_capacity(group, policy, wanted, who)
            return
        basis = group.desired_capacity
        if wanted > basis:
            self._scale_with_warmup(group, policy, wanted, who)
            if policy.warm_capacity is not None and policy.warm_capacity[1] == wanted:
                policy.warm_basis = basis


def _latest_value(cloudwatch: Any, alarm: Any) -> float | None:
    """The alarm metric's most recent period value (None without data)."""
    if alarm.metric is None or alarm.parsed_statistic is None:
        data = jsondoc.loads(alarm.state_reason_data or "{}")
        recent = data.get("recentDatapoints") or []
        return float(recent[-1]) if recent else None
    metric = cloudwatch.metric(alarm.metric)
    if metric is None or not metric.series:
        return None
    series = metric.series.get(alarm.unit) if alarm.unit else next(iter(metric.series.values()))
    period = alarm.period
    now = epoch_seconds(cloudwatch.ctx.now())
    end = now - now % 60
    size = alarm.config.evaluation_periods + 2
    values = read_fast(series, alarm.parsed_statistic, end - size * period, period, size)
    known = [v for v in values if v is not None]
    return known[-1] if known else None


def _check_policy(
    kind: PolicyType,
    adjustment: AdjustmentType | None,
    scaling_adjustment: int | None,
    cooldown: int | None,
    steps: Sequence[StepAdjustment],
    tracking: TargetTracking | None,
) -> None:
    if kind is PolicyType.SIMPLE:
        if scaling_adjustment is None:
            raise ValidationError(
                "ScalingAdjustment is required for policy type SimpleScaling",
                param="ScalingAdjustment",
            )
        if adjustment is None:
            raise ValidationError(
                "AdjustmentType is required for policy type SimpleScaling", param="AdjustmentType"
            )
    elif kind is PolicyType.STEP:
        if not steps:
            raise ValidationError(
                "StepAdjustments is required for policy type StepScaling",
                param="StepAdjustments",
            )
        if adjustment is None:
            raise ValidationError(
                "AdjustmentType is required for policy type StepScaling", param="AdjustmentType"
            )
        if cooldown is not None:
            raise ValidationError(
                "Cooldown is not supported for policy type StepScaling", param="Cooldown"
            )
        _check_steps(steps)
    else:
        if tracking is None:
            raise ValidationError(
                "TargetTrackingConfiguration is required for policy type TargetTrackingScaling",
                param="TargetTrackingConfiguration",
            )
        if (
            scaling_adjustment is not None
            or adjustment is not None
            or steps
            or cooldown is not None
        ):
            raise ValidationError(
                "Only EstimatedInstanceWarmup, TargetTrackingConfiguration and Enabled may be "
                "given for policy type TargetTrackingScaling",
                param="PolicyType",
            )


def _check_steps(steps: Sequence[StepAdjustment]) -> None:
    ordered = sorted(steps, key=lambda s: -math.inf if s.lower is None else s.lower)
    if sum(s.lower is None for s in steps) > 1 or sum(s.upper is None for s in steps) > 1:
        raise ValidationError(
            "There can be at most one step with a null lower bound and one with a null upper "
            "bound.",
            param="StepAdjustments",
        )
    for step in steps:
        if step.lower is not None and step.upper is not None and step.lower >= step.upper:
            raise ValidationError(
                "The lower bound of a step adjustment must be less than its upper bound.",
                param="StepAdjustments",
            )
    for before, after in itertools.pairwise(ordered):
        if before.upper is None or after.lower is None or before.upper != after.lower:
            raise ValidationError(
                "Step adjustments must not overlap or leave gaps between their bounds.",
                param="StepAdjustments",
            )


#: Quotas of an Auto Scaling group's configuration ("They cannot be changed").
MAX_POLICIES_PER_GROUP = 50
MAX_STEP_ADJUSTMENTS = 20


def _check_policy_limits(group: AutoScalingGroup, new: bool, steps: int) -> None:
    """The quotas of 50 scaling policies per group and 20 step adjustments per policy.

    Raises:
        LimitExceededFault: a 51st policy (the wording is UNCONFIRMED).
        ValidationError: more than 20 step adjustments (the wording is UNCONFIRMED).
    """
    if new and len(group.policies) >= MAX_POLICIES_PER_GROUP:
        raise LimitExceededFault(
            f"Exceeded the limit of {MAX_POLICIES_PER_GROUP} scaling policies for "
            f"AutoScalingGroup {group.name}.",
            param="PolicyName",
        )
    if steps > MAX_STEP_ADJUSTMENTS:
        raise ValidationError(
            f"The number of step adjustments ({steps}) exceeds the limit of "
            f"{MAX_STEP_ADJUSTMENTS} per step scaling policy.",
            param="StepAdjustments",
            value=steps,
        )

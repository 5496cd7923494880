"""Auto Scaling wire operations: AWS parameter names in, boto3 response shapes out.

Errors use Auto Scaling's query-protocol codes (``ValidationError``,
``AlreadyExists``, ``ResourceInUse``, ``ScalingActivityInProgress``), which
botocore maps to ``client.exceptions.AlreadyExistsFault`` and friends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsmon.arn import Arn
from awsmon.neighbours.autoscaling.errors import ValidationError
from awsmon.neighbours.autoscaling.model import (
    Activity,
    AutoScalingGroup,
    GroupInstance,
    ScalingPolicy,
    StepAdjustment,
    TargetTracking,
)
from awsmon.neighbours.autoscaling.policies import PREDEFINED_METRICS
from awsmon.neighbours.autoscaling.service import AutoScaling
from awsmon.wire import Params, WireApi, handles

__all__ = ["AutoScalingApi"]

Response = dict[str, Any]


def _instance(member: GroupInstance, group: str | None = None) -> Response:
    shape: Response = {"InstanceId": member.instance_id, "InstanceType": member.instance_type}
    if group is not None:
        shape["AutoScalingGroupName"] = group
    shape.update(
        {
            "AvailabilityZone": member.availability_zone,
            "LifecycleState": member.lifecycle_state.value,
            "HealthStatus": member.health_status,
            "ProtectedFromScaleIn": member.protected_from_scale_in,
        }
    )
    if member.launch_template is not None:
        shape["LaunchTemplate"] = dict(member.launch_template)
    return shape


def _group(group: AutoScalingGroup) -> Response:
    arn = Arn.parse(group.arn)
    shape: Response = {
        "AutoScalingGroupName": group.name,
        "AutoScalingGroupARN": group.arn,
        "LaunchTemplate": dict(group.launch_template),
        "MinSize": group.min_size,
        "MaxSize": group.max_size,
        "DesiredCapacity": group.desired_capacity,
        "DefaultCooldown": group.default_cooldown,
        "AvailabilityZones": list(group.availability_zones),
        "LoadBalancerNames": [],
        "TargetGroupARNs": [],
        "HealthCheckType": group.health_check_type,
        "HealthCheckGracePeriod": group.health_check_grace_period,
        "Instances": [_instance(i) for i in group.instances.values()],
        "CreatedTime": group.created_at,
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": group.vpc_zone_identifier,
        "EnabledMetrics": [],
        "Tags": [
            {
                "ResourceId": group.name,
                "ResourceType": "auto-scaling-group",
                "Key": t["Key"],
                "Value": t.get("Value", ""),
                "PropagateAtLaunch": bool(t.get("PropagateAtLaunch", False)),
            }
            for t in group.tags
        ],
        "TerminationPolicies": list(group.termination_policies),
        "NewInstancesProtectedFromScaleIn": group.new_instances_protected_from_scale_in,
        "ServiceLinkedRoleARN": (
            f"arn:{arn.partition}:iam::{arn.account_id}:role/aws-service-role/"
            "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
        ),
        "TrafficSources": [],
    }
    if group.status is not None:
        shape["Status"] = group.status
    if group.default_instance_warmup is not None:
        shape["DefaultInstanceWarmup"] = group.default_instance_warmup
    return shape


def _tracking(tracking: TargetTracking) -> Response:
    shape: Response = {"TargetValue": tracking.target_value}
    if tracking.predefined_metric_type is not None:
        spec: Response = {"PredefinedMetricType": tracking.predefined_metric_type}
        if tracking.resource_label is not None:
            spec["ResourceLabel"] = tracking.resource_label
        shape["PredefinedMetricSpecification"] = spec
    else:
        custom: Response = {
            "MetricName": tracking.metric_name,
            "Namespace": tracking.namespace,
            "Dimensions": [{"Name": k, "Value": v} for k, v in tracking.dimensions.items()],
            "Statistic": tracking.statistic,
        }
        if tracking.unit is not None:
            custom["Unit"] = tracking.unit
        shape["CustomizedMetricSpecification"] = custom
    shape["DisableScaleIn"] = tracking.disable_scale_in
    return shape


def _policy(policy: ScalingPolicy) -> Response:
    shape: Response = {
        "AutoScalingGroupName": policy.group_name,
        "PolicyName": policy.name,
        "PolicyARN": policy.arn,
        "PolicyType": policy.policy_type.value,
    }
    if policy.adjustment_type is not None:
        shape["AdjustmentType"] = policy.adjustment_type.value
    if policy.min_adjustment_magnitude is not None:
        shape["MinAdjustmentMagnitude"] = policy.min_adjustment_magnitude
    if policy.scaling_adjustment is not None:
        shape["ScalingAdjustment"] = policy.scaling_adjustment
    if policy.cooldown is not None:
        shape["Cooldown"] = policy.cooldown
    steps = []
    for step in policy.step_adjustments:
        entry: Response = {"ScalingAdjustment": step.adjustment}
        if step.lower is not None:
            entry["MetricIntervalLowerBound"] = step.lower
        if step.upper is not None:
            entry["MetricIntervalUpperBound"] = step.upper
        steps.append(entry)
    shape["StepAdjustments"] = steps
    if policy.metric_aggregation_type is not None:
        shape["MetricAggregationType"] = policy.metric_aggregation_type
    if policy.estimated_instance_warmup is not None:
        shape["EstimatedInstanceWarmup"] = policy.estimated_instance_warmup
    shape["Alarms"] = [{"AlarmName": n, "AlarmARN": a} for n, a in policy.alarms]
    if policy.target_tracking is not None:
        shape["TargetTrackingConfiguration"] = _tracking(policy.target_tracking)
    shape["Enabled"] = policy.enabled
    return shape


def _activity(activity: Activity) -> Response:
    shape: Response = {
        "ActivityId": activity.id,
        "AutoScalingGroupName": activity.group_name,
        "Description": activity.description,
        "Cause": activity.cause,
        "StartTime": activity.start_time,
        "StatusCode": activity.status.value,
        "Progress": activity.progress,
        "Details": activity.details,
        "AutoScalingGroupARN": activity.group_arn,
    }
    if activity.end_time is not None:
        shape["EndTime"] = activity.end_time
    if activity.status_message is not None:
        shape["StatusMessage"] = activity.status_message
    return shape


def _tracking_from(params: Params, group: str, data: Mapping[str, Any]) -> TargetTracking:
    nested = params.nested(data)
    target = nested.number("TargetValue", required=True)
    predefined = data.get("PredefinedMetricSpecification")
    custom = data.get("CustomizedMetricSpecification")
    if (predefined is None) == (custom is None):
        raise ValidationError(
            "Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification "
            "must be given.",
            param="TargetTrackingConfiguration",
        )
    if predefined is not None:
        kind = predefined.get("PredefinedMetricType")
        if kind not in PREDEFINED_METRICS:
            raise params.invalid(
                "TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
                kind,
                f"Member must satisfy enum value set: [{', '.join(PREDEFINED_METRICS)}]",
            )
        namespace, name, statistic = PREDEFINED_METRICS[kind]
        label = predefined.get("ResourceLabel")
        dimensions = {"AutoScalingGroupName": group}
        if kind == "ALBRequestCountPerTarget":
            if not label:
                raise ValidationError(
                    "ResourceLabel is required for ALBRequestCountPerTarget.",
                    param="ResourceLabel",
                )
            dimensions = {
                "TargetGroup": label.split("/", 3)[-1] if "/targetgroup/" in label else label
            }
        return TargetTracking(
            target_value=target,
            namespace=namespace,
            metric_name=name,
            statistic=statistic,
            dimensions=dimensions,
            predefined_metric_type=kind,
            resource_label=label,
            disable_scale_in=bool(data.get("DisableScaleIn", False)),
        )
    assert custom is not None
    if not custom.get("MetricName") or not custom.get("Namespace") or not custom.get("Statistic"):
        raise ValidationError(
            "CustomizedMetricSpecification needs MetricName, Namespace and Statistic "
            "(metric math is not simulated).",
            param="CustomizedMetricSpecification",
        )
    return TargetTracking(
        target_value=target,
        namespace=custom["Namespace"],
        metric_name=custom["MetricName"],
        statistic=custom["Statistic"],
        dimensions={d["Name"]: d["Value"] for d in custom.get("Dimensions") or []},
        unit=custom.get("Unit"),
        disable_scale_in=bool(data.get("DisableScaleIn", False)),
    )


class AutoScalingApi(WireApi):
    """Auto Scaling wire operations."""

    domain: AutoScaling
    invalid_parameter = ValidationError
    missing_parameter = ValidationError

    @handles("CreateLaunchConfiguration")
    def create_launch_configuration(self, params: Params) -> Response:
        """CreateLaunchConfiguration: refused for accounts made after 2024-10-01."""
        name = params.string("LaunchConfigurationName", required=True, min_length=1, max_length=255)
        self.domain.create_launch_configuration(name)
        return {}

    @handles("CreateAutoScalingGroup")
    def create_auto_scaling_group(self, params: Params) -> Response:
        """CreateAutoScalingGroup → nothing."""
        name = params.string("AutoScalingGroupName", required=True, min_length=1, max_length=255)
        low = params.integer("MinSize", required=True, minimum=0)
        high = params.integer("MaxSize", required=True, minimum=0)
        self.domain.create_auto_scaling_group(
            name,
            min_size=low,
            max_size=high,
            desired_capacity=params.integer("DesiredCapacity", minimum=0),
            launch_template=params.mapping("LaunchTemplate") or None,
            launch_configuration_name=params.string("LaunchConfigurationName"),
            availability_zones=params.strings("AvailabilityZones"),
            vpc_zone_identifier=params.string("VPCZoneIdentifier"),
            default_cooldown=params.integer("DefaultCooldown", default=300) or 0,
            health_check_type=params.string("HealthCheckType", default="EC2") or "EC2",
            health_check_grace_period=params.integer("HealthCheckGracePeriod", default=0) or 0,
            termination_policies=params.strings("TerminationPolicies"),
            new_instances_protected_from_scale_in=bool(
                params.boolean("NewInstancesProtectedFromScaleIn")
            ),
            default_instance_warmup=params.integer("DefaultInstanceWarmup"),
            tags=params.items("Tags"),
        )
        return {}

    @handles("UpdateAutoScalingGroup")
    def update_auto_scaling_group(self, params: Params) -> Response:
        """UpdateAutoScalingGroup → nothing."""
        name = params.string("AutoScalingGroupName", required=True, min_length=1, max_length=255)
        self.domain.update_auto_scaling_group(
            name,
            min_size=params.integer("MinSize", minimum=0),
            max_size=params.integer("MaxSize", minimum=0),
            desired_capacity=params.integer("DesiredCapacity", minimum=0),
            launch_template=params.mapping("LaunchTemplate") or None,
            default_cooldown=params.integer("DefaultCooldown"),
            default_instance_warmup=params.integer("DefaultInstanceWarmup"),
        )
        return {}

    @handles("DeleteAutoScalingGroup")
    def delete_auto_scaling_group(self, params: Params) -> Response:
        """DeleteAutoScalingGroup → nothing."""
        name = params.string("AutoScalingGroupName", required=True)
        self.domain.delete_auto_scaling_group(
            name, force_delete=bool(params.boolean("ForceDelete"))
        )
        return {}

    @handles("SetDesiredCapacity")
    def set_desired_capacity(self, params: Params) -> Response:
        """SetDesiredCapacity → nothing."""
        name = params.string("AutoScalingGroupName", required=True)
        desired = params.integer("DesiredCapacity", required=True)
        self.domain.set_desired_capacity(
            name, desired, honor_cooldown=bool(params.boolean("HonorCooldown"))
        )
        return {}

    @handles("DescribeAccountLimits")
    def describe_account_limits(self, params: Params) -> Response:
        """DescribeAccountLimits → the group and launch configuration quotas and counts."""
        return dict(self.domain.describe_account_limits())

    @handles("DescribeAutoScalingGroups")
    def describe_auto_scaling_groups(self, params: Params) -> Response:
        """DescribeAutoScalingGroups → AutoScalingGroups (and NextToken)."""
        groups, token = self.domain.describe_auto_scaling_groups(
            params.strings("AutoScalingGroupNames"),
            max_records=params.integer("MaxRecords", minimum=1, maximum=100, default=50) or 50,
            next_token=params.string("NextToken"),
        )
        response: Response = {"AutoScalingGroups": [_group(g) for g in groups]}
        if token is not None:
            response["NextToken"] = token
        return response

    @handles("DescribeAutoScalingInstances")
    def describe_auto_scaling_instances(self, params: Params) -> Response:
        """DescribeAutoScalingInstances → AutoScalingInstances."""
        pairs = self.domain.describe_auto_scaling_instances(params.strings("InstanceIds"))
        return {"AutoScalingInstances": [_instance(i, g.name) for g, i in pairs]}

    @handles("TerminateInstanceInAutoScalingGroup")
    def terminate_instance_in_auto_scaling_group(self, params: Params) -> Response:
        """TerminateInstanceInAutoScalingGroup → Activity."""
        instance = params.string("InstanceId", required=True, min_length=1, max_length=19)
        decrement = params.boolean("ShouldDecrementDesiredCapacity", required=True)
        activity = self.domain.terminate_instance_in_auto_scaling_group(instance, decrement)
        return {"Activity": _activity(activity)}

    @handles("PutScalingPolicy")
    def put_scaling_policy(self, params: Params) -> Response:
        """PutScalingPolicy → PolicyARN and Alarms."""
        group = params.string("AutoScalingGroupName", required=True, min_length=1, max_length=255)
        name = params.string("PolicyName", required=True, min_length=1, max_length=255)
        kind = params.string(
            "PolicyType",
            default="SimpleScaling",
            choices=["SimpleScaling", "StepScaling", "TargetTrackingScaling"],
        )
        adjustment = params.string(
            "AdjustmentType",
            choices=["ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity"],
        )
        steps = [
            StepAdjustment(
                lower=step.number("MetricIntervalLowerBound"),
                upper=step.number("MetricIntervalUpperBound"),
                adjustment=step.integer("ScalingAdjustment", required=True),
            )
            for step in params.structs("StepAdjustments")
        ]
        tracking_data = params.mapping("TargetTrackingConfiguration")
        tracking = _tracking_from(params, group, tracking_data) if tracking_data else None
        policy = self.domain.put_scaling_policy(
            group,
            name,
            policy_type=kind or "SimpleScaling",
            adjustment_type=adjustment,
            scaling_adjustment=params.integer("ScalingAdjustment"),
            cooldown=params.integer("Cooldown"),
            min_adjustment_magnitude=params.integer("MinAdjustmentMagnitude"),
            step_adjustments=steps,
            metric_aggregation_type=params.string(
                "MetricAggregationType", choices=["Minimum", "Maximum", "Average"]
            ),
            estimated_instance_warmup=params.integer("EstimatedInstanceWarmup"),
            target_tracking=tracking,
            enabled=params.boolean("Enabled", default=True) is not False,
        )
        return {
            "PolicyARN": policy.arn,
            "Alarms": [{"AlarmName": n, "AlarmARN": a} for n, a in policy.alarms],
        }

    @handles("ExecutePolicy")
    def execute_policy(self, params: Params) -> Response:
        """ExecutePolicy → nothing."""
        name = params.string("PolicyName", required=True)
        self.domain.execute_policy(
            name,
            params.string("AutoScalingGroupName"),
            honor_cooldown=bool(params.boolean("HonorCooldown")),
            metric_value=params.number("MetricValue"),
            breach_threshold=params.number("BreachThreshold"),
        )
        return {}

    @handles("DescribePolicies")
    def describe_policies(self, params: Params) -> Response:
        """DescribePolicies → ScalingPolicies."""
        found = self.domain.describe_policies(
            params.string("AutoScalingGroupName"),
            policy_names=params.strings("PolicyNames"),
            policy_types=params.strings("PolicyTypes"),
        )
        return {"ScalingPolicies": [_policy(p) for p in found]}

    @handles("DeletePolicy")
    def delete_policy(self, params: Params) -> Response:
        """DeletePolicy → nothing."""
        name = params.string("PolicyName", required=True)
        self.domain.delete_policy(name, params.string("AutoScalingGroupName"))
        return {}

    @handles("DescribeScalingActivities")
    def describe_scaling_activities(self, params: Params) -> Response:
        """DescribeScalingActivities → Activities, newest first (and NextToken)."""
        activities, token = self.domain.describe_scaling_activities(
            params.string("AutoScalingGroupName"),
            activity_ids=params.strings("ActivityIds"),
            max_records=params.integer("MaxRecords", minimum=1, maximum=100, default=100) or 100,
            next_token=params.string("NextToken"),
        )
        response: Response = {"Activities": [_activity(a) for a in activities]}
        if token is not None:
            response["NextToken"] = token
        return response

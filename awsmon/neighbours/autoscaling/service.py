"""Amazon EC2 Auto Scaling: groups that keep a desired number of EC2 instances.

`AutoScaling` is the service of one account and region. A group launches
instances from an EC2 launch template through `awsmon.neighbours.ec2.EC2`
until it has its desired capacity, and terminates the surplus; every launch
and termination is a scaling activity (DescribeScalingActivities). Scaling
policies (simple, step and target tracking, `awsmon.neighbours.autoscaling.policies`)
change the desired capacity when CloudWatch alarms invoke them. Records and
errors live in `awsmon.neighbours.autoscaling.model`, the wire translation in
`awsmon.neighbours.autoscaling.api`.

Time: an instance is ``Pending`` in its group until EC2 reports it
``running``, then ``InService``; its launch activity succeeds then. A
terminated instance leaves the group when EC2 reports it ``terminated``. An
instance stopped or terminated behind the group's back is marked
``Unhealthy`` and replaced at once (EC2 health checks).

Simulation notes: launch configurations cannot be created (accounts made
after 2024-10-01 cannot, and awsmon's accounts are new); the default
termination policy picks the oldest instance; there are no lifecycle hooks,
warm pools, load balancers or instance refreshes.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from awsmon.dispatch import operation
from awsmon.errors import ServiceError
from awsmon.neighbours.autoscaling.capacity import CapacityMixin
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
    AutoScalingGroup,
    GroupInstance,
    LifecycleState,
)

__all__ = ["AutoScaling"]


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class AutoScaling(CapacityMixin):
    """EC2 Auto Scaling in one account and region.

    Operations, by purpose:

    - groups: `create_auto_scaling_group`, `update_auto_scaling_group`,
      `delete_auto_scaling_group`, `describe_auto_scaling_groups`,
      `set_desired_capacity`, `describe_auto_scaling_instances`,
      `terminate_instance_in_auto_scaling_group`, `create_launch_configuration`
      (refused, as for accounts created after 2024-10-01)
    - policies: `put_scaling_policy`, `execute_policy`, `describe_policies`,
      `delete_policy`
    - history: `describe_scaling_activities`
    - Python-side: `group` (by name), ``activities``, `handle_alarm_action`
      (CloudWatch alarm actions), ``AutoScalingGroup.set_workload``
    """

    #: "Auto Scaling groups per region" (a quota one may raise; AWS's default is 500).
    max_groups = 500
    #: "Launch configurations per region" (AWS's default is 200; awsmon's accounts can
    #: create none, as accounts created after 2024-10-01).
    max_launch_configurations = 200

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.groups: dict[str, AutoScalingGroup] = {}
        self.activities: list[Activity] = []

    # -- lookup --------------------------------------------------------------------------

    def group(self, name: str) -> AutoScalingGroup:
        """The group `name` (not an AWS operation).

        Raises:
            ValidationError: no such group (AWS's wording).
        """
        found = self.groups.get(name)
        if found is None:
            raise ValidationError(
                f"AutoScalingGroup name not found - AutoScalingGroup {name} not found",
                param="AutoScalingGroupName",
                value=name,
            )
        return found

    # -- groups --------------------------------------------------------------------------

    @operation("CreateLaunchConfiguration")
    def create_launch_configuration(self, launch_configuration_name: str) -> None:
        """Refused: accounts created on or after 2024-10-01 cannot create launch configurations.

        Raises:
            UnsupportedOperation: always.
        """
        raise UnsupportedOperation(
            "The Launch Configuration creation operation is not available in your account. "
            "Use launch templates to create configuration templates for your Auto Scaling "
            "groups.",
            param="LaunchConfigurationName",
            value=launch_configuration_name,
        )

    @operation("CreateAutoScalingGroup")
    def create_auto_scaling_group(
        self,
        auto_scaling_group_name: str,
        *,
        min_size: int,
        max_size: int,
        desired_capacity: int | None = None,
        launch_template: Mapping[str, str] | None = None,
        launch_configuration_name: str | None = None,
        availability_zones: Sequence[str] = (),
        vpc_zone_identifier: str | None = None,
        default_cooldown: int = 300,
        health_check_type: str = "EC2",
        health_check_grace_period: int = 0,
        termination_policies: Sequence[str] = (),
        new_instances_protected_from_scale_in: bool = False,
        default_instance_warmup: int | None = None,
        tags: Sequence[Mapping[str, Any]] = (),
    ) -> AutoScalingGroup:
        """Create a group and launch its desired capacity (CreateAutoScalingGroup).

        Raises:
            AlreadyExistsFault: the name is taken.
            ValidationError: bad sizes, no launch template, no zone or subnet,
                or a launch configuration (none can exist).
        """
        if auto_scaling_group_name in self.groups:
            raise AlreadyExistsFault(
                f"AutoScalingGroup by this name already exists - A group with the name "
                f"{auto_scaling_group_name} already exists",
                param="AutoScalingGroupName",
                value=auto_scaling_group_name,
            )
        if launch_configuration_name is not None:
            raise ValidationError(
                f"Launch configuration name not found - Launch configuration "
                f"{launch_configuration_name} not found",
                param="LaunchConfigurationName",
                value=launch_configuration_name,
            )
        if launch_template is None:
            raise ValidationError(
                "Valid requests must contain either LaunchTemplate, LaunchConfigurationName, "
                "InstanceId or MixedInstancesPolicy parameter.",
                param="LaunchTemplate",
            )
        desired = min_size if desired_capacity is None else desired_capacity
        _check_sizes(min_size, max_size, desired)
        if len(self.groups) >= self.max_groups:
            raise LimitExceededFault(
                f"You have reached your limit of {self.max_groups} Auto Scaling groups in this "
                "Region.",
                param="AutoScalingGroupName",
                value=auto_scaling_group_name,
            )
        zones = self._zones(availability_zones, vpc_zone_identifier)
        spec = self._resolve_template(launch_template)
        group = AutoScalingGroup(
            name=auto_scaling_group_name,
            arn=self.ctx.arn(
                f"autoScalingGroup:{self.ctx.ids.uuid()}:autoScalingGroupName/"
                f"{auto_scaling_group_name}"
            ),
            min_size=min_size,
            max_size=max_size,
            desired_capacity=desired,
            default_cooldown=default_cooldown,
            availability_zones=zones,
            created_at=self.ctx.now(),
            launch_template=spec,
            vpc_zone_identifier=vpc_zone_identifier or "",
            health_check_type=health_check_type,
            health_check_grace_period=health_check_grace_period,
            termination_policies=tuple(termination_policies) or ("Default",),
            new_instances_protected_from_scale_in=new_instances_protected_from_scale_in,
            default_instance_warmup=default_instance_warmup,
            tags=[{**t, "ResourceId": auto_scaling_group_name} for t in tags],
            service=self,
        )
        self.groups[group.name] = group
        if desired:
            cause = (
                f"At {_stamp(self.ctx.now())} a user request created an AutoScalingGroup "
                f"changing the desired capacity from 0 to {desired}."
            )
            self._reconcile(group, cause)
        return group

    def _zones(self, zones: Sequence[str], subnets: str | None) -> tuple[str, ...]:
        if subnets:
            return (f"{self.region}a",)
        if not zones:
            raise ValidationError(
                "At least one Availability Zone or VPC Subnet is required.",
                param="AvailabilityZones",
            )
        for zone in zones:
            if not zone.startswith(self.region) or len(zone) != len(self.region) + 1:
                raise ValidationError(
                    f"The availability zone {zone} is not legally formatted",
                    param="AvailabilityZones",
                    value=zone,
                )
        return tuple(dict.fromkeys(zones))

    def _resolve_template(self, spec: Mapping[str, str]) -> dict[str, str]:
        template_id, name = spec.get("LaunchTemplateId"), spec.get("LaunchTemplateName")
        try:
            template = self.ec2.launch_template(template_id, name)
            template.version(spec.get("Version"))
        except ServiceError as exc:
            raise ValidationError(
                f"You must use a valid fully-formed launch template. {exc.message}",
                param="LaunchTemplate",
            ) from None
        return {
            "LaunchTemplateId": template.id,
            "LaunchTemplateName": template.name,
            "Version": str(spec.get("Version") or "$Default"),
        }

    @operation("UpdateAutoScalingGroup")
    def update_auto_scaling_group(
        self,
        auto_scaling_group_name: str,
        *,
        min_size: int | None = None,
        max_size: int | None = None,
        desired_capacity: int | None = None,
        launch_template: Mapping[str, str] | None = None,
        default_cooldown: int | None = None,
        default_instance_warmup: int | None = None,
    ) -> AutoScalingGroup:
        """Change a group's bounds, capacity or template (UpdateAutoScalingGroup).

        A new minimum above the desired capacity raises it, a new maximum
        below lowers it; the group then launches or terminates to match.

        Raises:
            ValidationError: no such group, or inconsistent sizes.
        """
        group = self.group(auto_scaling_group_name)
        low = group.min_size if min_size is None else min_size
        high = group.max_size if max_size is None else max_size
        desired = group.desired_capacity if desired_capacity is None else desired_capacity
        if desired_capacity is None:
            desired = min(max(desired, low), high)
        _check_sizes(low, high, desired)
        spec = self._resolve_template(launch_template) if launch_template else None
        before = group.desired_capacity
        group.min_size, group.max_size, group.desired_capacity = low, high, desired
        if spec is not None:
            group.launch_template = spec
        if default_cooldown is not None:
            group.default_cooldown = default_cooldown
        if default_instance_warmup is not None:
            group.default_instance_warmup = default_instance_warmup
        if desired != before:
            self._reconcile(
                group,
                f"At {_stamp(self.ctx.now())} a user request update of AutoScalingGroup "
                f"constraints to min: {low}, max: {high}, desired: {desired} changing the "
                f"desired capacity from {before} to {desired}.",
            )
        return group

    @operation("SetDesiredCapacity")
    def set_desired_capacity(
        self, auto_scaling_group_name: str, desired_capacity: int, *, honor_cooldown: bool = False
    ) -> None:
        """Set the desired capacity (SetDesiredCapacity); instances follow at once.

        Raises:
            ValidationError: no such group, or a capacity outside [min, max].
            ScalingActivityInProgressFault: `honor_cooldown` during the cooldown.
        """
        group = self.group(auto_scaling_group_name)
        if desired_capacity > group.max_size:
            raise ValidationError(
                f"New SetDesiredCapacity value {desired_capacity} is above max value "
                f"{group.max_size} for the AutoScalingGroup.",
                param="DesiredCapacity",
                value=desired_capacity,
            )
        if desired_capacity < group.min_size:
            raise ValidationError(
                f"New SetDesiredCapacity value {desired_capacity} is below min value "
                f"{group.min_size} for the AutoScalingGroup.",
                param="DesiredCapacity",
                value=desired_capacity,
            )
        if honor_cooldown and self._in_cooldown(group, group.default_cooldown):
            raise ScalingActivityInProgressFault(
                "Scaling activity in progress or in cooldown",
                param="AutoScalingGroupName",
                value=group.name,
            )
        before = group.desired_capacity
        group.desired_capacity = desired_capacity
        group.last_scaling_at = self.ctx.now()
        if before != desired_capacity:
            self._reconcile(
                group,
                f"At {_stamp(self.ctx.now())} a user request explicitly set group desired "
                f"capacity changing the desired capacity from {before} to {desired_capacity}.",
            )

    @operation("DeleteAutoScalingGroup")
    def delete_auto_scaling_group(
        self, auto_scaling_group_name: str, *, force_delete: bool = False
    ) -> None:
        """Delete a group (DeleteAutoScalingGroup), with its policies and their alarms.

        With `force_delete` its instances are terminated and the group goes
        once they are; without it, a group with instances cannot be deleted.

        Raises:
            ValidationError: no such group.
            ResourceInUseFault: the group has instances and `force_delete` is false.
        """
        group = self.group(auto_scaling_group_name)
        live = [
            i
            for i in group.instances.values()
            if i.lifecycle_state is not LifecycleState.TERMINATED
        ]
        if live and not force_delete:
            raise ResourceInUseFault(
                "You cannot delete an AutoScalingGroup while there are instances or pending "
                "Spot instance request(s) still in the group.",
                param="AutoScalingGroupName",
                value=group.name,
            )
        for name in list(group.policies):
            self._drop_policy(group, name)
        group.min_size = group.max_size = group.desired_capacity = 0
        if not live:
            del self.groups[group.name]
            return
        group.status = "Delete in progress"
        self._reconcile(group, f"At {_stamp(self.ctx.now())} a user request deleted the group.")

    # -- reading -------------------------------------------------------------------------

    @operation("DescribeAccountLimits")
    def describe_account_limits(self) -> dict[str, int]:
        """The account's group and launch configuration quotas and counts (DescribeAccountLimits).

        >>> from awsmon import Cloud
        >>> Cloud().autoscaling.describe_account_limits()["MaxNumberOfAutoScalingGroups"]
        500
        """
        return {
            "MaxNumberOfAutoScalingGroups": self.max_groups,
            "MaxNumberOfLaunchConfigurations": self.max_launch_configurations,
            "NumberOfAutoScalingGroups": len(self.groups),
            "NumberOfLaunchConfigurations": 0,
        }

    @operation("DescribeAutoScalingGroups")
    def describe_auto_scaling_groups(
        self,
        auto_scaling_group_names: Sequence[str] = (),
        *,
        max_records: int = 50,
        next_token: str | None = None,
    ) -> tuple[list[AutoScalingGroup], str | None]:
        """The groups named (or all), by name, a page at a time (DescribeAutoScalingGroups)."""
        names = auto_scaling_group_names or sorted(self.groups)
        found = [self.groups[n] for n in names if n in self.groups]
        return _page(found, max_records, next_token)

    @operation("DescribeAutoScalingInstances")
    def describe_auto_scaling_instances(
        self, instance_ids: Sequence[str] = ()
    ) -> list[tuple[AutoScalingGroup, GroupInstance]]:
        """(group, instance) pairs of the instances named, or of every group instance."""
        pairs = [(g, i) for g in self.groups.values() for i in g.instances.values()]
        if instance_ids:
            pairs = [(g, i) for g, i in pairs if i.instance_id in instance_ids]
        return pairs

    @operation("DescribeScalingActivities")
    def describe_scaling_activities(
        self,
        auto_scaling_group_name: str | None = None,
        *,
        activity_ids: Sequence[str] = (),
        max_records: int = 100,
        next_token: str | None = None,
    ) -> tuple[list[Activity], str | None]:
        """The scaling activities, newest first (DescribeScalingActivities)."""
        found = [
            a
            for a in reversed(self.activities)
            if (auto_scaling_group_name is None or a.group_name == auto_scaling_group_name)
            and (not activity_ids or a.id in activity_ids)
        ]
        return _page(found, max_records, next_token)

    @operation("TerminateInstanceInAutoScalingGroup")
    def terminate_instance_in_auto_scaling_group(
        self, instance_id: str, should_decrement_desired_capacity: bool
    ) -> Activity:
        """Terminate one instance of a group (TerminateInstanceInAutoScalingGroup).

        Without decrementing, the group launches a replacement.

        Raises:
            ValidationError: the instance is in no group.
        """
        for group in self.groups.values():
            member = group.instances.get(instance_id)
            if member is None:
                continue
            if should_decrement_desired_capacity:
                if group.desired_capacity - 1 < group.min_size:
                    raise ValidationError(
                        "Currently, desiredSize equals minSize "
                        f"({group.min_size}). Terminating instance without replacement will "
                        "violate group's min size constraint. Either set "
                        "shouldDecrementDesiredCapacity flag to false or lower group's min size.",
                        param="ShouldDecrementDesiredCapacity",
                    )
                group.desired_capacity -= 1
            cause = (
                f"At {_stamp(self.ctx.now())} instance {instance_id} was taken out of service in "
                "response to a user request"
                + (", shrinking the capacity." if should_decrement_desired_capacity else ".")
            )
            activity = self._terminate(group, member, cause)
            self._reconcile(group, cause)
            return activity
        raise ValidationError(
            f"Instance Id not found - No managed instance found for instance ID: {instance_id}",
            param="InstanceId",
            value=instance_id,
        )


def _check_sizes(low: int, high: int, desired: int) -> None:
    if low > high:
        raise ValidationError(
            f"Max bound, {high}, must be greater than or equal to min bound, {low}",
            param="MaxSize",
            value=high,
        )
    if not low <= desired <= high:
        raise ValidationError(
            f"Desired capacity:{desired} must be between the specified min size:{low} and max "
            f"size:{high}",
            param="DesiredCapacity",
            value=desired,
        )


def _page(items: list[Any], size: int, token: str | None) -> tuple[list[Any], str | None]:
    start = 0
    if token is not None:
        try:
            text = base64.b64decode(token.encode()).decode()
        except ValueError:
            text = ""
        if not text.startswith("awsmon:") or not text[7:].isdecimal():
            raise InvalidNextToken(f"The token '{token}' is invalid.", param="NextToken")
        start = int(text[7:])
    end = start + size
    following = base64.b64encode(f"awsmon:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], following

"""Auto Scaling keeping its groups at their desired capacity, through EC2.

`CapacityMixin` (a base of `awsmon.neighbours.autoscaling.AutoScaling`)
launches and terminates instances to match each group's desired capacity,
records each as a scaling activity with AWS's wording of its cause, follows
EC2's state changes (``Pending`` → ``InService`` when the instance runs; an
instance stopped or terminated behind the group's back is ``Unhealthy`` and
replaced), and hands the group's workload to its instances.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from awsmon.errors import ServiceError
from awsmon.identity import Principal
from awsmon.neighbours.autoscaling.model import (
    Activity,
    ActivityStatus,
    AutoScalingGroup,
    GroupInstance,
    LifecycleState,
)
from awsmon.neighbours.autoscaling.policies import PoliciesMixin
from awsmon.neighbours.ec2 import InstanceState, Workload

__all__ = ["CapacityMixin"]


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class CapacityMixin(PoliciesMixin):
    """Capacity keeping of `AutoScaling` (see the module)."""

    activities: list[Activity]
    _watching: bool = False

    @property
    def ec2(self) -> Any:
        """The EC2 service of this account and region."""
        ec2 = self.ctx.sibling("ec2")
        if not self._watching:
            ec2.on_state_change.append(self._instance_changed)
            self._watching = True
        return ec2

    # -- keeping the capacity ---------------------------------------------------------------

    def _reconcile(self, group: AutoScalingGroup, cause: str) -> None:
        """Launch or terminate instances until the group has its desired capacity."""
        live = group.in_service
        count = len(live)
        target = group.desired_capacity
        now = _stamp(self.ctx.now())
        if count < target:
            # Launch until EC2 refuses (the vCPU quota, usually): one failed activity, as
            # AWS records, and no more tries in this pass, so a desired capacity of 10**6
            # costs what the quota lets through. The group tries again when one of its
            # instances changes state or its capacity is set again.
            for _ in range(target - count):
                launched = self._launch(
                    group,
                    f"{cause}  At {now} an instance was started in response to a difference "
                    f"between desired and actual capacity, increasing the capacity from "
                    f"{count} to {target}.",
                )
                if not launched:
                    break
        elif count > target:
            order = sorted(
                (i for i in live if not i.protected_from_scale_in),
                key=lambda i: i.launched_at,
                reverse="NewestInstance" in group.termination_policies,
            )
            for member in order[: count - target]:
                self._terminate(
                    group,
                    member,
                    f"{cause}  At {now} an instance was taken out of service in response to a "
                    f"difference between desired and actual capacity, shrinking the capacity "
                    f"from {count} to {target}.  At {now} instance {member.instance_id} was "
                    "selected for termination.",
                )

    def _launch(self, group: AutoScalingGroup, cause: str) -> bool:
        """Launch one instance for `group`; False (and a failed activity) when EC2 refuses."""
        tags = {t["Key"]: t.get("Value", "") for t in group.tags if t.get("PropagateAtLaunch")}
        zone = group.availability_zones[len(group.instances) % len(group.availability_zones)]
        activity = self._activity(group, "Launching a new EC2 instance", cause)
        service = Principal.service("autoscaling.amazonaws.com", self.account_id)
        try:
            with self.ctx.as_principal(service):
                reservation = self.ec2.run_instances(
                    None,
                    1,
                    1,
                    launch_template={
                        "LaunchTemplateId": group.launch_template["LaunchTemplateId"],
                        "Version": group.launch_template["Version"],
                    },
                    tags=tags,
                    availability_zone=zone,
                    group_name=group.name,
                )
        except ServiceError as exc:
            activity.status = ActivityStatus.FAILED
            activity.status_message = exc.message
            activity.description += ".  Status Reason: " + exc.message
            activity.end_time = self.ctx.now()
            activity.progress = 100
            return False
        instance = reservation.instances[0]
        activity.description = f"Launching a new EC2 instance: {instance.id}"
        activity.progress = 30
        group.instances[instance.id] = GroupInstance(
            instance_id=instance.id,
            instance_type=instance.type.name,
            availability_zone=instance.availability_zone,
            launched_at=self.ctx.now(),
            protected_from_scale_in=group.new_instances_protected_from_scale_in,
            launch_template=dict(group.launch_template),
            activity_id=activity.id,
        )
        self.apply_workload(group)
        return True

    def _terminate(self, group: AutoScalingGroup, member: GroupInstance, cause: str) -> Activity:
        activity = self._activity(group, f"Terminating EC2 instance: {member.instance_id}", cause)
        member.lifecycle_state = LifecycleState.TERMINATING
        member.activity_id = activity.id
        service = Principal.service("autoscaling.amazonaws.com", self.account_id)
        with self.ctx.as_principal(service):
            self.ec2.terminate_instances([member.instance_id])
        return activity

    def _activity(self, group: AutoScalingGroup, description: str, cause: str) -> Activity:
        activity = Activity(
            id=self.ctx.ids.uuid(),
            group_name=group.name,
            group_arn=group.arn,
            description=description,
            cause=cause,
            start_time=self.ctx.now(),
            details='{"Subnet ID":"subnet-0awsmon","Availability Zone":"'
            + group.availability_zones[0]
            + '"}',
        )
        self.activities.append(activity)
        return activity

    def _finish(self, member: GroupInstance) -> None:
        for activity in reversed(self.activities):
            if activity.id == member.activity_id:
                activity.status = ActivityStatus.SUCCESSFUL
                activity.progress = 100
                activity.end_time = self.ctx.now()
                return

    def _instance_changed(
        self, instance: Any, previous: InstanceState, state: InstanceState
    ) -> None:
        group = self.groups.get(instance.group_name or "")
        member = group.instances.get(instance.id) if group is not None else None
        if group is None or member is None:
            return
        if state is InstanceState.RUNNING and member.lifecycle_state is LifecycleState.PENDING:
            member.lifecycle_state = LifecycleState.IN_SERVICE
            self._finish(member)
        elif state is InstanceState.TERMINATED:
            if member.lifecycle_state is LifecycleState.TERMINATING:
                self._finish(member)
            del group.instances[instance.id]
            if group.status == "Delete in progress" and not group.instances:
                del self.groups[group.name]
        if state in (InstanceState.STOPPING, InstanceState.SHUTTING_DOWN) and (
            member.lifecycle_state in (LifecycleState.PENDING, LifecycleState.IN_SERVICE)
        ):
            member.health_status = "Unhealthy"
            now = _stamp(self.ctx.now())
            cause = (
                f"At {now} an instance was taken out of service in response to an EC2 health "
                "check indicating it has been terminated or stopped."
            )
            if state is InstanceState.STOPPING:
                self._terminate(group, member, cause)
            else:
                member.lifecycle_state = LifecycleState.TERMINATING
                self._activity(group, f"Terminating EC2 instance: {instance.id}", cause)
            self._reconcile(group, cause)

    def apply_workload(self, group: AutoScalingGroup) -> None:
        """Give the group's instances its workload (see `AutoScalingGroup.set_workload`)."""
        if not group.workload:
            return
        ec2 = self.ec2
        figures = dict(group.workload)
        if group.shared_load:
            figures = {name: _shared(group, value) for name, value in figures.items()}
        for member in group.instances.values():
            instance = ec2._instances.get(member.instance_id)
            if instance is not None:
                instance.workload = Workload().changed(**figures)


def _shared(group: AutoScalingGroup, total: Any) -> Any:
    def per_instance(at: datetime) -> float:
        value = float(total(at)) if callable(total) else float(total)
        running = sum(
            i.lifecycle_state is LifecycleState.IN_SERVICE for i in group.instances.values()
        )
        return value / max(running, 1)

    return per_instance

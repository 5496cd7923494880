"""Amazon EC2 (the part monitoring touches): instances on the virtual clock.

`EC2` is the service of one account and region. Instances move through
their states on the clock, publish their AWS/EC2 metrics to CloudWatch
(`awsmon.neighbours.ec2.instance`), put "EC2 Instance State-change
Notification" events on the default event bus, obey alarm actions
(stop/terminate/reboot/recover) and may run the CloudWatch agent
(`awsmon.neighbours.ec2.agent.agent`). Values and errors live in
`awsmon.neighbours.ec2.model`, the wire translation in `awsmon.neighbours.ec2.api`.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> [instance] = cloud.ec2.run_instances("ami-0abcdef1234567890", 1, 1).instances
>>> instance.state.value
'pending'
>>> cloud.clock.advance(60)
>>> instance.state.value
'running'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from awsmon.arn import partition_for
from awsmon.dispatch import operation
from awsmon.identity import Principal
from awsmon.neighbours.ec2.errors import (
    InstanceLimitExceeded,
    InvalidAMIIDMalformed,
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
    VcpuLimitExceeded,
)
from awsmon.neighbours.ec2.instance import Instance, Reservation
from awsmon.neighbours.ec2.lifecycle import LifecycleMixin
from awsmon.neighbours.ec2.model import (
    AMI_ID,
    InstanceState,
    InstanceType,
    LaunchTemplateData,
    MonitoringState,
    Workload,
)
from awsmon.neighbours.ec2.model import instance_type as lookup_type
from awsmon.neighbours.ec2.quotas import ACCOUNT_ATTRIBUTES, bucket_of
from awsmon.neighbours.ec2.templates import TemplatesMixin

__all__ = ["EC2"]

StateListener = Callable[[Instance, InstanceState, InstanceState], None]


class EC2(LifecycleMixin, TemplatesMixin):
    """EC2 instances of one account and region.

    Operations, by purpose:

    - instances: `run_instances`, `describe_instances`, `start_instances`,
      `stop_instances`, `reboot_instances`, `terminate_instances`,
      `describe_instance_status`, `create_tags`, `delete_tags`
    - monitoring: `monitor_instances`, `unmonitor_instances`
    - launch templates: `create_launch_template`, `describe_launch_templates`,
      `delete_launch_template`
    - Python-side: `instance` (by id), `instances`, `state_events` (every
      state-change event), `on_state_change` listeners (Auto Scaling),
      `handle_alarm_action` (CloudWatch alarm actions)

    Time: a launched instance is ``pending`` for `pending_time` before it is
    ``running``; stopping takes `stopping_time`, shutting down
    `shutting_down_time`; terminated instances stay visible for
    `terminated_visible` (DescribeInstances: "usually less than one hour").
    A minute job samples each instance's `Workload` and publishes its
    metrics while any instance has something to publish.

    Simulation notes: AWS does not document how long the transitions take;
    awsmon's defaults (15 s pending, 30 s stopping and shutting down) are
    class attributes to change. There is no VPC, AMI or key-pair catalogue:
    any well-formed AMI id launches, every instance is in subnet
    ``subnet-0awsmon`` of ``vpc-0awsmon`` with a private address in 10.0.0.0/16.
    """

    # -- launching ---------------------------------------------------------------------

    @operation("RunInstances")
    def run_instances(
        self,
        image_id: str | None,
        min_count: int,
        max_count: int,
        *,
        instance_type: str | None = None,
        key_name: str | None = None,
        monitoring: bool | None = None,
        tags: Mapping[str, str] | None = None,
        launch_template: Mapping[str, Any] | None = None,
        security_group_ids: Sequence[str] = (),
        subnet_id: str | None = None,
        availability_zone: str | None = None,
        iam_instance_profile: str | None = None,
        user_data: str | None = None,
        disable_api_termination: bool = False,
        client_token: str | None = None,
        workload: Workload | None = None,
        group_name: str | None = None,
    ) -> Reservation:
        """Launch `max_count` instances (RunInstances); each is ``pending``, then ``running``.

        Args:
            image_id: the AMI (``ami-`` and 8 or 17 hex digits); may come from
                the launch template instead.
            min_count, max_count: how many (awsmon always has capacity for max_count).
            instance_type: the type (default: the template's, else ``m1.small``).
            monitoring: detailed monitoring (default: the template's, else off).
            tags: tags of the instances (TagSpecifications for ``instance``).
            launch_template: ``{"LaunchTemplateId" | "LaunchTemplateName", "Version"}``.
            workload: the instances' initial workload (default `Workload()`).
            group_name: the Auto Scaling group launching them (not an AWS parameter).

        Raises:
            InvalidParameterValue: counts, type or AZ are not valid.
            InvalidAMIIDMalformed: a malformed AMI id.
            MissingParameter: no AMI, here or in the template.
        """
        template = self._template_data(launch_template) if launch_template else None
        data = template or LaunchTemplateData()
        image = self._check_launch(
            image_id or data.image_id,
            min_count,
            max_count,
            disable_api_termination=disable_api_termination,
            group_name=group_name,
        )
        kind = lookup_type(instance_type or data.instance_type or "m1.small")
        zone = self._check_zone(availability_zone or f"{self.region}a")
        max_count = self._within_instance_limit(kind.name, min_count, max_count)
        max_count = self._within_vcpu_limit(kind, min_count, max_count)
        detailed = data.monitoring if monitoring is None else monitoring
        now = self.ctx.now()
        ids = self.ctx.ids
        reservation = Reservation("r-" + ids.hex(17), self.account_id, [])
        merged_tags = {**data.tags, **(tags or {})}
        if group_name is not None:
            merged_tags.setdefault("aws:autoscaling:groupName", group_name)
        for index in range(max_count):
            instance = Instance(
                id="i-" + ids.hex(17),
                image_id=image,
                type=kind,
                reservation_id=reservation.id,
                owner_id=self.account_id,
                region=self.region,
                launch_index=index,
                launched_at=now,
                availability_zone=zone,
                private_ip=self._private_ip(),
                subnet_id=subnet_id or "subnet-0awsmon",
                vpc_id="vpc-0awsmon",
                key_name=key_name or data.key_name,
                security_group_ids=tuple(security_group_ids or data.security_group_ids),
                monitoring=MonitoringState.ENABLED if detailed else MonitoringState.DISABLED,
                tags=dict(merged_tags),
                workload=workload or Workload(),
                group_name=group_name,
                iam_instance_profile=iam_instance_profile or data.iam_instance_profile,
                disable_api_termination=disable_api_termination,
                user_data=user_data or data.user_data,
                client_token=client_token,
                service=self,
            )
            instance.sampler.credit_balance = kind.launch_credits
            instance.sampler.started = True
            self._instances[instance.id] = instance
            reservation.instances.append(instance)
            self._later(instance, self.pending_time, InstanceState.RUNNING)
            self._enter(instance, InstanceState.PENDING)
        self.reservations.append(reservation)
        self._ensure_metrics_job()
        return reservation

    def _check_launch(
        self,
        image: str | None,
        min_count: int,
        max_count: int,
        *,
        disable_api_termination: bool,
        group_name: str | None,
    ) -> str:
        """RunInstances' checks of the AMI, the counts and termination protection."""
        if image is None:
            raise MissingParameter(
                "The request must contain the parameter ImageId", param="ImageId"
            )
        if not AMI_ID.fullmatch(image):
            raise InvalidAMIIDMalformed(
                f'Invalid id: "{image}" (expecting "ami-...")', param="ImageId", value=image
            )
        if max_count < 1:
            raise InvalidParameterValue(
                f"Invalid value '{max_count}' for maxCount. Must be greater than 0",
                param="MaxCount",
                value=max_count,
            )
        if min_count < 1 or min_count > max_count:
            raise InvalidParameterValue(
                f"Invalid value '{min_count}' for minCount. Must be greater than 0 and "
                "less than or equal to maxCount",
                param="MinCount",
                value=min_count,
            )
        if disable_api_termination and group_name is not None:
            raise InvalidParameterCombination(
                "Termination protection cannot be used with Auto Scaling.",
                param="DisableApiTermination",
            )
        return image

    def _within_vcpu_limit(self, kind: InstanceType, min_count: int, max_count: int) -> int:
        """How many instances to launch: as many as the type's vCPU bucket leaves, up to max.

        Raises:
            VcpuLimitExceeded: not even `min_count` instances fit (AWS's wording).
        """
        bucket = bucket_of(kind.name)
        limit = self.vcpu_quota(bucket)
        room = (limit - self.vcpus_in_use(bucket)) // max(kind.vcpus, 1)
        if room < min_count:
            raise VcpuLimitExceeded(
                "You have requested more vCPU capacity than your current vCPU limit of "
                f"{limit} allows for the instance bucket that the specified instance "
                "type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to "
                "request an adjustment to this limit.",
                param="MinCount",
                value=min_count,
            )
        return min(max_count, room)

    def _within_instance_limit(self, type_name: str, min_count: int, max_count: int) -> int:
        """`max_count` cut to the type's running-instance limit, if `instance_limits` has one.

        Raises:
            InstanceLimitExceeded: not even `min_count` instances fit.
        """
        limit = self.instance_limits.get(type_name)
        if limit is None:
            return max_count
        room = limit - sum(1 for i in self._live() if i.type.name == type_name)
        if room < min_count:
            raise InstanceLimitExceeded(
                f"You have requested more instances ({min_count}) than your current instance "
                f"limit of {limit} allows for the specified instance type. Please visit "
                "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to "
                "this limit.",
                param="MinCount",
                value=min_count,
            )
        return min(max_count, room)

    @operation("DescribeAccountAttributes")
    def describe_account_attributes(
        self, attribute_names: Sequence[str] = ()
    ) -> dict[str, tuple[str, ...]]:
        """The account's attributes (DescribeAccountAttributes), by name.

        ``max-instances`` is, in AWS's words, no longer supported and does not
        reflect the vCPU limit: the vCPU quotas are `service_quotas`.

        Raises:
            InvalidParameterValue: an attribute name AWS does not know.
        """
        for name in attribute_names:
            if name not in ACCOUNT_ATTRIBUTES:
                raise InvalidParameterValue(
                    f"Value ({name}) for parameter attributeName is invalid. "
                    "Unknown attribute name.",
                    param="AttributeNames",
                    value=name,
                )
        wanted = attribute_names or tuple(ACCOUNT_ATTRIBUTES)
        return {name: ACCOUNT_ATTRIBUTES[name] for name in dict.fromkeys(wanted)}

    def _check_zone(self, zone: str) -> str:
        """`zone` if it is an availability zone of this region (``<region><letter>``)."""
        if not zone.startswith(self.region) or len(zone) != len(self.region) + 1:
            raise InvalidParameterValue(
                f"Invalid availability zone: [{zone}]", param="Placement", value=zone
            )
        return zone

    def _private_ip(self) -> str:
        self._next_ip += 1
        return f"10.0.{self._next_ip // 250}.{self._next_ip % 250 + 4}"

    # -- tags ----------------------------------------------------------------------

    @operation("CreateTags")
    def create_tags(self, resources: Sequence[str], tags: Mapping[str, str]) -> None:
        """Add or overwrite tags on instances (CreateTags; instances are the only resources).

        Raises:
            InvalidInstanceIDNotFound: an instance that does not exist.
        """
        for instance in self._many(resources):
            instance.tags.update(tags)

    @operation("DeleteTags")
    def delete_tags(self, resources: Sequence[str], tags: Mapping[str, str | None]) -> None:
        """Remove tags (DeleteTags): a key with a None value goes whatever its value."""
        for instance in self._many(resources):
            for key, value in tags.items():
                if key in instance.tags and (value is None or instance.tags[key] == value):
                    del instance.tags[key]

    # -- monitoring --------------------------------------------------------------------

    @operation("MonitorInstances")
    def monitor_instances(self, instance_ids: Sequence[str]) -> list[tuple[str, MonitoringState]]:
        """Turn detailed monitoring on (MonitorInstances): 1-minute metrics from the next minute.

        Returns:
            (instance id, ``pending``) pairs, as AWS answers.

        Simulation notes: the switch takes effect at once (AWS answers
        ``pending`` and enables it within minutes).
        """
        found = self._many(instance_ids)
        for instance in found:
            self._check_not_terminated(instance, "monitored")
            instance.monitoring = MonitoringState.ENABLED
        return [(i.id, MonitoringState.PENDING) for i in found]

    @operation("UnmonitorInstances")
    def unmonitor_instances(self, instance_ids: Sequence[str]) -> list[tuple[str, MonitoringState]]:
        """Turn detailed monitoring off (UnmonitorInstances): back to 5-minute metrics.

        Returns:
            (instance id, ``disabling``) pairs, as AWS answers.
        """
        found = self._many(instance_ids)
        for instance in found:
            self._check_not_terminated(instance, "unmonitored")
            instance.monitoring = MonitoringState.DISABLED
        return [(i.id, MonitoringState.DISABLING) for i in found]

    def handle_alarm_action(self, invocation: Any) -> None:
        """Carry out a CloudWatch alarm's EC2 action (stop, terminate, reboot, recover).

        Called by the alarms service (``awsmon.cloudwatch.alarms.actions.ACTION_ROUTES``)
        with the `ActionInvocation`; the instance is the ``InstanceId``
        dimension of the alarm's metric. The action runs as the service-linked
        role ``AWSServiceRoleForCloudWatchEvents``, as in AWS.

        Raises:
            ServiceError: the EC2 error of the action (recorded on the alarm as a failure).
        """
        alarm = self.ctx.sibling("cloudwatch").alarm(invocation.alarm_name)
        metric = getattr(alarm, "metric", None)
        instance_id = metric.dimension("InstanceId") if metric is not None else None
        if instance_id is None:
            raise InvalidParameterValue(
                "The alarm's metric has no InstanceId dimension", param="AlarmActions"
            )
        action = invocation.action_arn.rsplit(":", 1)[-1].lower()
        if "aws_ec2.instanceid." in action:
            action = action.split("aws_ec2.instanceid.")[1].split("/")[0]
        role = Principal.from_arn(
            f"arn:{partition_for(self.region)}:sts::{self.account_id}:assumed-role/"
            "AWSServiceRoleForCloudWatchEvents/"
            f"{instance_id}"
        )
        with self.ctx.as_principal(role):
            if action == "stop":
                self.stop_instances([instance_id])
            elif action == "terminate":
                self.terminate_instances([instance_id])
            elif action == "reboot":
                self.reboot_instances([instance_id])
            elif action == "recover":
                self.recover_instance(instance_id)

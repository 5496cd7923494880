"""The shared core of the EC2 service: instance lookup, state transitions, metric publishing.

`EC2Core` is the base of `awsmon.neighbours.ec2.EC2` and of its operation
mixins (`awsmon.neighbours.ec2.lifecycle`, `awsmon.neighbours.ec2.templates`).
It owns the instances, moves them between states on the clock (each state
entered is an "EC2 Instance State-change Notification" event on the default
bus), and runs the minute job that publishes their AWS/EC2 metrics
(`awsmon.neighbours.ec2.instance.MetricSampler`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from awsmon import registry
from awsmon.clock import Job
from awsmon.cloudwatch import MetricKey, StandardUnit, from_epoch
from awsmon.dispatch import Service, ServiceContext
from awsmon.neighbours.ec2.errors import IncorrectInstanceState, InvalidInstanceIDNotFound
from awsmon.neighbours.ec2.instance import Instance, Reservation, minute_of
from awsmon.neighbours.ec2.model import InstanceState, LaunchTemplate, check_instance_id
from awsmon.neighbours.ec2.quotas import (
    BUCKETS,
    STANDARD,
    ServiceQuota,
    VcpuBucket,
    bucket_of,
)

__all__ = ["EC2Core", "StateListener"]

StateListener = Callable[[Instance, InstanceState, InstanceState], None]
_S = InstanceState


class EC2Core(Service):
    """Instances, their transitions and their metrics (the base of `EC2`)."""

    pending_time = timedelta(seconds=15)
    stopping_time = timedelta(seconds=30)
    shutting_down_time = timedelta(seconds=30)
    terminated_visible = timedelta(hours=1)
    status_initializing = timedelta(minutes=2)
    #: The account's "Running On-Demand Standard instances" quota (``L-1216C47A``), in
    #: vCPUs (pending, running, stopping and shutting-down instances count; stopped ones
    #: do not). The other buckets' quotas are in `vcpu_limits`, by quota code.
    vcpu_limit = 1152
    #: The quota of a bucket `vcpu_limits` does not name.
    default_vcpu_limit = 1152

    def vcpus_in_use(self, bucket: VcpuBucket | None = None) -> int:
        """The vCPUs the account's live instances hold (of one bucket, or of all)."""
        return sum(
            i.type.vcpus
            for i in self._live()
            if bucket is None or bucket_of(i.type.name) is bucket
        )

    def vcpu_quota(self, bucket: VcpuBucket) -> int:
        """The account's quota of `bucket`, in vCPUs."""
        if bucket is STANDARD:
            return self.vcpu_limit
        return self.vcpu_limits.get(bucket.code, self.default_vcpu_limit)

    def service_quotas(self) -> list[ServiceQuota]:
        """The On-Demand vCPU quotas as Service Quotas shows them, with their usage.

        >>> from awsmon import Cloud
        >>> [standard, *_] = Cloud().ec2.service_quotas()
        >>> standard.code, standard.value, standard.usage
        ('L-1216C47A', 1152, 0)
        """
        return [
            ServiceQuota(
                code=bucket.code,
                name=bucket.name,
                usage_class=bucket.usage_class,
                value=self.vcpu_quota(bucket),
                usage=self.vcpus_in_use(bucket),
            )
            for bucket in BUCKETS
        ]

    def _live(self) -> list[Instance]:
        idle = (InstanceState.STOPPED, InstanceState.TERMINATED)
        return [i for i in self._instances.values() if i.state not in idle]

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self._instances: dict[str, Instance] = {}
        self.reservations: list[Reservation] = []
        self.launch_templates: dict[str, LaunchTemplate] = {}
        self.state_events: list[dict[str, Any]] = []
        self.on_state_change: list[StateListener] = []
        self._metrics_job: Job | None = None
        self._next_ip = 10
        #: vCPU quotas of the buckets other than Standard, by quota code (``L-DB2E81BA``).
        self.vcpu_limits: dict[str, int] = {}
        #: Running-instance count limits by instance type (``InstanceLimitExceeded``).
        self.instance_limits: dict[str, int] = {}

    # -- lookup ----------------------------------------------------------------------

    def instance(self, instance_id: str) -> Instance:
        """The instance `instance_id` (for tests and notebooks; not an AWS operation).

        Raises:
            InvalidInstanceIDMalformed: not shaped like an instance id.
            InvalidInstanceIDNotFound: no such instance (or terminated over an hour ago).
        """
        check_instance_id(instance_id)
        found = self._instances.get(instance_id)
        if found is None:
            raise InvalidInstanceIDNotFound(
                f"The instance ID '{instance_id}' does not exist",
                param="InstanceId",
                value=instance_id,
            )
        return found

    def instances(self) -> list[Instance]:
        """Every visible instance, in launch order."""
        return list(self._instances.values())

    def _many(self, instance_ids: Sequence[str]) -> list[Instance]:
        """The instances named, all checked first (AWS names every missing id at once)."""
        for instance_id in instance_ids:
            check_instance_id(instance_id)
        missing = [i for i in dict.fromkeys(instance_ids) if i not in self._instances]
        if len(missing) == 1:
            raise InvalidInstanceIDNotFound(
                f"The instance ID '{missing[0]}' does not exist",
                param="InstanceIds",
                value=missing[0],
            )
        if missing:
            raise InvalidInstanceIDNotFound(
                f"The instance IDs '{', '.join(missing)}' do not exist",
                param="InstanceIds",
                value=missing,
            )
        return [self._instances[i] for i in dict.fromkeys(instance_ids)]

    # -- transitions ---------------------------------------------------------------------

    def _enter(self, instance: Instance, state: InstanceState, reason: str | None = None) -> None:
        previous = instance.state
        now = self.ctx.now()
        instance.state = state
        instance.state_history.append((now, state))
        if reason is not None:
            instance.state_transition_reason = reason
        if state is _S.RUNNING:
            instance.running_since = now
            instance.left_running_at = None
            instance.status_since = now
            instance.state_transition_reason = ""
            instance.state_reason = None
        elif previous is _S.RUNNING:
            instance.left_running_at = now
        if state is _S.TERMINATED:
            self.ctx.clock.call_later(
                self.terminated_visible, self._forget, instance.id, name=f"ec2 forget {instance.id}"
            )
        if instance.agent is not None:
            instance.agent.instance_state_changed()
        self._emit_state_event(instance, state)
        for listener in list(self.on_state_change):
            listener(instance, previous, state)
        if state is not _S.TERMINATED:
            self._ensure_metrics_job()

    def _later(self, instance: Instance, delay: timedelta, state: InstanceState) -> None:
        if instance.transition is not None:
            instance.transition.cancel()
        instance.transition = self.ctx.clock.call_later(
            delay, self._arrive, instance.id, state, name=f"ec2 {instance.id} {state.value}"
        )

    def _arrive(self, instance_id: str, state: InstanceState) -> None:
        instance = self._instances.get(instance_id)
        if instance is not None:
            instance.transition = None
            self._enter(instance, state)

    def _forget(self, instance_id: str) -> None:
        instance = self._instances.get(instance_id)
        if instance is not None and instance.state is _S.TERMINATED:
            del self._instances[instance_id]

    def _check_not_terminated(self, instance: Instance, verb: str) -> None:
        if instance.state in (_S.TERMINATED, _S.SHUTTING_DOWN):
            raise IncorrectInstanceState(
                f"The instance '{instance.id}' is not in a state from which it can be {verb}.",
                param="InstanceId",
                value=instance.id,
            )

    # -- metrics ----------------------------------------------------------------------

    def _ensure_metrics_job(self) -> None:
        if self._metrics_job is None or self._metrics_job.cancelled:
            first = from_epoch(minute_of(self.ctx.now()) + 60)
            self._metrics_job = self.ctx.clock.call_every(
                timedelta(minutes=1),
                self._publish_metrics,
                first=first,
                name=f"ec2 metrics {self.account_id}/{self.region}",
            )

    def _publish_metrics(self) -> None:
        """Each whole minute: sample the minute that ended and publish what is due."""
        minute = minute_of(self.ctx.now()) - 60
        cloudwatch = self._sibling("cloudwatch")
        busy = False

        def publish(
            key: MetricKey, points: list[tuple[datetime, float]], unit: StandardUnit
        ) -> None:
            if cloudwatch is not None:
                cloudwatch.publish(key, points, unit=unit, storage_resolution=60)

        for instance in list(self._instances.values()):
            sampler = instance.sampler
            if instance.state is InstanceState.TERMINATED and sampler.idle:
                continue
            sampler.tick(minute, publish)
            busy = busy or instance.state is not InstanceState.TERMINATED or not sampler.idle
        if not busy and self._metrics_job is not None:
            self._metrics_job.cancel()
            self._metrics_job = None

    # -- neighbours --------------------------------------------------------------------

    def _sibling(self, name: str) -> Any:
        """The service `name` of this place, or None while awsmon has no such service."""
        try:
            registry.spec(name)
        except KeyError:
            return None
        return self.ctx.sibling(name)

    def _emit_state_event(self, instance: Instance, state: InstanceState) -> None:
        event = {
            "source": "aws.ec2",
            "detail-type": "EC2 Instance State-change Notification",
            "resources": [instance.arn],
            "detail": {"instance-id": instance.id, "state": state.value},
            "time": self.ctx.now(),
        }
        self.state_events.append(event)
        events = self._sibling("events")
        if events is not None:
            events.put_aws_event(
                source="aws.ec2",
                detail_type="EC2 Instance State-change Notification",
                detail=event["detail"],
                resources=[instance.arn],
                time=self.ctx.now(),
            )

"""A simulated EC2 instance and the AWS/EC2 metrics it publishes.

Main pieces:

- `Instance`: one instance, with its state, monitoring mode, workload, the
  CloudWatch agent installed on it and its simulated files. User-facing
  helpers: `Instance.set_workload`, `Instance.install_agent`,
  `Instance.write_log`.
- `Reservation`: the instances of one RunInstances call.
- `MetricSampler`: turns an instance's workload into AWS/EC2 datapoints, one
  minute at a time, and decides when each is published (`publish_due`).

Which metrics, how often (CloudWatch user guide, "basic and detailed
monitoring" and "List the available CloudWatch metrics for your instances"):

=============================================  ========================  =========
metrics                                        basic monitoring          detailed
=============================================  ========================  =========
CPUUtilization, NetworkIn/Out, Disk*,          every 5 minutes           every minute
MetadataNoToken
NetworkPacketsIn/Out                           every 5 minutes           5 minutes
CPUCreditUsage/Balance, CPUSurplusCredit*      every 5 minutes           5 minutes
(burstable types only)
StatusCheckFailed, _Instance, _System          every minute              every minute
=============================================  ========================  =========

Each datapoint is stamped with the start of the period it covers and
published when the period ends. Dimensions: ``InstanceId``; also
``AutoScalingGroupName`` for instances of a group; and, with detailed
monitoring, the ``ImageId``, ``InstanceType`` and dimensionless aggregates.

Simulation notes: a 5-minute datapoint of a per-minute metric carries the
five 1-minute samples (SampleCount 5; Sum is the 5-minute total, Average the
per-minute mean), which is how AWS describes the 1-minute granularity of
Minimum/Maximum/Average; CPU credit metrics carry one value per 5 minutes
(CPUCreditUsage the credits spent in them, the balances at their end), in
the unit ``Count``. Metrics are published as soon as their period ends (AWS
shows them a few minutes later).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import define, field

from awsmon.arn import Arn
from awsmon.cloudwatch import MetricKey, StandardUnit, epoch_seconds, from_epoch
from awsmon.neighbours.ec2.agent.agent import CloudWatchAgent
from awsmon.neighbours.ec2.errors import AgentConfigError
from awsmon.neighbours.ec2.model import InstanceState, InstanceType, MonitoringState, Workload

if TYPE_CHECKING:
    from awsmon.clock import Job

__all__ = ["Instance", "MetricSampler", "Reservation"]

NAMESPACE = "AWS/EC2"

#: Per-minute metrics that follow the monitoring mode: name → (workload figure, unit).
MODE_METRICS: dict[str, tuple[str, StandardUnit]] = {
    "CPUUtilization": ("cpu", StandardUnit.PERCENT),
    "NetworkIn": ("network_in", StandardUnit.BYTES),
    "NetworkOut": ("network_out", StandardUnit.BYTES),
    "DiskReadOps": ("disk_read_ops", StandardUnit.COUNT),
    "DiskWriteOps": ("disk_write_ops", StandardUnit.COUNT),
    "DiskReadBytes": ("disk_read_bytes", StandardUnit.BYTES),
    "DiskWriteBytes": ("disk_write_bytes", StandardUnit.BYTES),
    "MetadataNoToken": ("metadata_no_token", StandardUnit.COUNT),
}
#: Per-minute samples published every 5 minutes whatever the mode.
FIVE_MINUTE_METRICS: dict[str, tuple[str, StandardUnit]] = {
    "NetworkPacketsIn": ("packets_in", StandardUnit.COUNT),
    "NetworkPacketsOut": ("packets_out", StandardUnit.COUNT),
}
CREDIT_METRICS = (
    "CPUCreditUsage",
    "CPUCreditBalance",
    "CPUSurplusCreditBalance",
    "CPUSurplusCreditsCharged",
)
STATUS_METRICS = ("StatusCheckFailed", "StatusCheckFailed_Instance", "StatusCheckFailed_System")


@define(eq=False, kw_only=True)
class Instance:
    """One simulated EC2 instance.

    Attributes:
        id: ``i-`` and 17 hex digits.
        image_id: the AMI it was launched from.
        type: its `InstanceType`.
        reservation_id: the RunInstances call that launched it.
        owner_id: the account.
        region: the region.
        launch_index: its AmiLaunchIndex within the reservation.
        launched_at: the LaunchTime (the last start).
        availability_zone: ``<region>a`` unless placed elsewhere.
        private_ip: its private IPv4 address.
        subnet_id, vpc_id: where it lives.
        key_name: the key pair, or None.
        security_group_ids: its security groups.
        state: the lifecycle state.
        state_transition_reason: why it last changed state (AWS's text).
        state_reason: (code, message) of the last stop or termination.
        monitoring: detailed monitoring state.
        tags: its tags.
        workload: what it is doing, the source of its metrics.
        group_name: the Auto Scaling group it belongs to, or None.
        iam_instance_profile: the profile ARN, or None.
        disable_api_termination: termination protection.
        user_data: base64 text, or None.
        running_since: when it last reached ``running`` (None before).
        left_running_at: when it last left ``running`` (None while running).
        status_since: when its status checks started (they initialise for 2 minutes).
        reboots, recoveries: when it was rebooted / recovered.
        state_history: (instant, state) of every state it entered.
        agent: the CloudWatch agent installed on it, or None.
        files: simulated files: path → lines written (`write_log`).
    """

    id: str
    image_id: str
    type: InstanceType
    reservation_id: str
    owner_id: str
    region: str
    launch_index: int
    launched_at: datetime
    availability_zone: str
    private_ip: str
    subnet_id: str
    vpc_id: str
    key_name: str | None = None
    security_group_ids: tuple[str, ...] = ()
    state: InstanceState = InstanceState.PENDING
    state_transition_reason: str = ""
    state_reason: tuple[str, str] | None = None
    monitoring: MonitoringState = MonitoringState.DISABLED
    tags: dict[str, str] = field(factory=dict)
    workload: Workload = field(factory=Workload)
    group_name: str | None = None
    iam_instance_profile: str | None = None
    disable_api_termination: bool = False
    user_data: str | None = None
    client_token: str | None = None
    running_since: datetime | None = None
    left_running_at: datetime | None = None
    status_since: datetime | None = None
    reboots: list[datetime] = field(factory=list)
    recoveries: list[datetime] = field(factory=list)
    state_history: list[tuple[datetime, InstanceState]] = field(factory=list)
    agent: CloudWatchAgent | None = field(default=None, repr=False)
    files: dict[str, list[str]] = field(factory=dict, repr=False)
    sampler: MetricSampler = field(init=False, repr=False)
    transition: Job | None = field(default=None, repr=False)
    service: Any = field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        self.sampler = MetricSampler(self)

    @property
    def arn(self) -> str:
        """``arn:aws:ec2:<region>:<account>:instance/<id>``."""
        return str(Arn.build("ec2", self.region, self.owner_id, f"instance/{self.id}"))

    @property
    def instance_type(self) -> str:
        """The type's name (``t3.micro``)."""
        return self.type.name

    @property
    def private_dns_name(self) -> str:
        """``ip-10-0-0-12.ec2.internal`` (us-east-1) or ``ip-...<region>.compute.internal``."""
        host = "ip-" + self.private_ip.replace(".", "-")
        if self.region == "us-east-1":
            return f"{host}.ec2.internal"
        return f"{host}.{self.region}.compute.internal"

    def was_running(self, start: datetime, end: datetime) -> bool:
        """True when the instance was ``running`` at some instant of [start, end)."""
        if self.running_since is None or self.running_since >= end:
            return False
        return self.left_running_at is None or self.left_running_at > start

    # -- user-facing helpers (not AWS operations) ------------------------------------

    def set_workload(self, workload: Workload | None = None, **figures: Any) -> Workload:
        """Set what the instance is doing (its metrics follow from the next minute).

        Args:
            workload: a whole `Workload` to use.
            **figures: figures to change in the current one, each a number or a
                function of the virtual time (``cpu=35.0``,
                ``cpu=lambda t: 90.0 if t.minute < 30 else 10.0``).

        Returns:
            The workload now in force.

        Raises:
            TypeError: an unknown figure.
        """
        base = workload if workload is not None else self.workload
        self.workload = base.changed(**figures) if figures else base
        return self.workload

    def install_agent(self, config: str | Mapping[str, Any]) -> CloudWatchAgent:
        """Install and start the CloudWatch agent with `config` (JSON text or a dict).

        See `awsmon.neighbours.ec2.agent.CloudWatchAgent`.

        Raises:
            AgentConfigError: the configuration is not valid (the agent's own checks).
        """
        if self.agent is not None:
            self.agent.stop()
        self.agent = CloudWatchAgent(self, config)
        return self.agent

    def write_log(self, path: str, line: str) -> None:
        """Append `line` to the simulated file `path`; a running agent tailing it ships it."""
        self.files.setdefault(path, []).append(line)
        if self.agent is not None:
            self.agent.file_written(path)

    def emit_emf(self, document: str | Mapping[str, Any]) -> None:
        """Send an Embedded Metric Format document to the agent's EMF endpoint (port 25888).

        Raises:
            AgentConfigError: no agent, or its configuration does not collect EMF.
        """
        if self.agent is None:
            raise AgentConfigError("no CloudWatch agent is installed on " + self.id)
        self.agent.emf(document)


@define(eq=False)
class Reservation:
    """The instances one RunInstances call launched."""

    id: str
    owner_id: str
    instances: list[Instance]
    requester_id: str | None = None


# -- metrics -------------------------------------------------------------------------------


Publish = Callable[[MetricKey, list[tuple[datetime, float]], StandardUnit], None]


@define(eq=False)
class MetricSampler:
    """Samples an instance's workload each minute and publishes its AWS/EC2 metrics.

    The EC2 service calls `tick` at each whole minute with the minute that
    just ended; the sampler keeps per-minute samples until their period ends.
    """

    instance: Instance
    mode_samples: list[tuple[int, dict[str, float]]] = field(factory=list)
    five_samples: list[tuple[int, dict[str, float]]] = field(factory=list)
    credit_used: dict[int, float] = field(factory=dict)
    credit_balance: float = 0.0
    surplus_balance: float = 0.0
    surplus_charged: float = 0.0
    started: bool = False

    @property
    def idle(self) -> bool:
        """True when nothing is waiting to be published."""
        return not (self.mode_samples or self.five_samples or self.credit_used)

    def tick(self, minute: int, publish: Publish) -> None:
        """Sample minute [minute, minute + 60) (epoch seconds) and publish what is due."""
        instance = self.instance
        start = from_epoch(minute)
        if instance.was_running(start, start + timedelta(minutes=1)):
            self._sample(minute, start, publish)
        end = minute + 60
        if self.mode_samples and (instance.monitoring.detailed or end % 300 == 0):
            samples, self.mode_samples = self.mode_samples, []
            self._flush(samples, MODE_METRICS, publish, detailed=instance.monitoring.detailed)
        if end % 300 == 0:
            samples, self.five_samples = self.five_samples, []
            self._flush(samples, FIVE_MINUTE_METRICS, publish, detailed=False)
            self._flush_credits(publish)

    def _sample(self, minute: int, start: datetime, publish: Publish) -> None:
        instance = self.instance
        workload = instance.workload
        mode: dict[str, float] = {}
        for name, (figure, _unit) in MODE_METRICS.items():
            value = workload.cpu_at(start) if figure == "cpu" else workload.value(figure, start)
            mode[name] = max(value, 0.0)
        self.mode_samples.append((minute, mode))
        five = {
            name: max(workload.value(figure, start), 0.0)
            for name, (figure, _unit) in FIVE_MINUTE_METRICS.items()
        }
        self.five_samples.append((minute, five))
        if instance.type.burstable:
            self._spend_credits(minute, mode["CPUUtilization"])
        system = 1.0 if workload.value("system_check_failed", start) >= 1 else 0.0
        own = 1.0 if workload.value("instance_check_failed", start) >= 1 else 0.0
        for name, value in zip(STATUS_METRICS, (max(system, own), own, system), strict=True):
            for key in self.keys(name):
                publish(key, [(start, value)], StandardUnit.COUNT)

    def _spend_credits(self, minute: int, cpu: float) -> None:
        kind = self.instance.type
        if not self.started:
            self.credit_balance = kind.launch_credits
            self.started = True
        earned = kind.credits_per_hour / 60
        used = cpu / 100 * kind.vcpus
        net = earned - used
        if net >= 0:
            repaid = min(self.surplus_balance, net)
            self.surplus_balance -= repaid
            self.credit_balance = min(self.credit_balance + net - repaid, kind.max_credits)
        else:
            self.credit_balance += net
            if self.credit_balance < 0:
                if kind.unlimited_by_default:
                    self.surplus_balance += -self.credit_balance
                    if self.surplus_balance > kind.max_credits:
                        self.surplus_charged += self.surplus_balance - kind.max_credits
                        self.surplus_balance = kind.max_credits
                self.credit_balance = 0.0
        period = minute - minute % 300
        self.credit_used[period] = self.credit_used.get(period, 0.0) + used

    def keys(self, name: str, *, detailed: bool = False) -> Iterator[MetricKey]:
        """The metric keys a datapoint of `name` is published under."""
        instance = self.instance
        yield MetricKey.of(NAMESPACE, name, {"InstanceId": instance.id})
        if instance.group_name:
            yield MetricKey.of(NAMESPACE, name, {"AutoScalingGroupName": instance.group_name})
        if detailed:
            yield MetricKey.of(NAMESPACE, name, {"ImageId": instance.image_id})
            yield MetricKey.of(NAMESPACE, name, {"InstanceType": instance.type.name})
            yield MetricKey.of(NAMESPACE, name, {})

    def _flush(
        self,
        samples: list[tuple[int, dict[str, float]]],
        metrics: Mapping[str, tuple[str, StandardUnit]],
        publish: Publish,
        *,
        detailed: bool,
    ) -> None:
        if not samples:
            return
        for name, (_figure, unit) in metrics.items():
            points = [
                (from_epoch(minute if detailed else minute - minute % 300), sample[name])
                for minute, sample in samples
            ]
            for key in self.keys(name, detailed=detailed):
                publish(key, points, unit)

    def _flush_credits(self, publish: Publish) -> None:
        if not self.credit_used:
            return
        used, self.credit_used = self.credit_used, {}
        for period, spent in sorted(used.items()):
            at = from_epoch(period)
            values = (spent, self.credit_balance, self.surplus_balance, self.surplus_charged)
            for name, value in zip(CREDIT_METRICS, values, strict=True):
                for key in self.keys(name):
                    publish(key, [(at, round(value, 6))], StandardUnit.COUNT)


def minute_of(at: datetime) -> int:
    """The epoch second of the start of the minute holding `at`."""
    seconds = epoch_seconds(at)
    return seconds - seconds % 60

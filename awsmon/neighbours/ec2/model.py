"""EC2's values and pure helpers: instance states and types, workloads, filters.

Main pieces:

- `InstanceState` (with AWS's state codes) and `MonitoringState`;
- `InstanceType` and `instance_type` (vCPUs, memory, burstable credits);
- `Workload`: what a simulated instance is doing, as constants or functions of time;
- `LaunchTemplate` and `LaunchTemplateData`;
- `filter_matches` and `instance_filter_values`: DescribeInstances filters.

The stateful service is `awsmon.neighbours.ec2.EC2`; `Instance` lives in
`awsmon.neighbours.ec2.instance`.

>>> InstanceState.RUNNING.code
16
>>> instance_type("t3.micro").credits_per_hour
12.0
>>> filter_matches(["running"], ["run*"])
True
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import attrs
from attrs import define, field, frozen

from awsmon.neighbours.ec2.errors import (
    InvalidInstanceIDMalformed,
    InvalidLaunchTemplateIdVersionNotFound,
    InvalidParameterValue,
)
from awsmon.wildcard import Wildcard

__all__ = [
    "InstanceState",
    "InstanceType",
    "LaunchTemplate",
    "LaunchTemplateData",
    "MonitoringState",
    "Workload",
    "filter_matches",
    "instance_type",
]


INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
AMI_ID = re.compile(r"ami-(?:[0-9a-f]{8}|[0-9a-f]{17})")


def check_instance_id(instance_id: str) -> str:
    """`instance_id` when it is shaped like one.

    Raises:
        InvalidInstanceIDMalformed: AWS's ``Invalid id: "x"`` error.
    """
    if not INSTANCE_ID.fullmatch(instance_id):
        raise InvalidInstanceIDMalformed(
            f'Invalid id: "{instance_id}"', param="InstanceId", value=instance_id
        )
    return instance_id


# -- states ------------------------------------------------------------------------------


class InstanceState(enum.Enum):
    """An instance's lifecycle state; `code` is AWS's numeric state code."""

    PENDING = "pending"
    RUNNING = "running"
    SHUTTING_DOWN = "shutting-down"
    TERMINATED = "terminated"
    STOPPING = "stopping"
    STOPPED = "stopped"

    @property
    def code(self) -> int:
        """The low byte of AWS's state code (0, 16, 32, 48, 64, 80)."""
        return _STATE_CODES[self]


_STATE_CODES = {
    InstanceState.PENDING: 0,
    InstanceState.RUNNING: 16,
    InstanceState.SHUTTING_DOWN: 32,
    InstanceState.TERMINATED: 48,
    InstanceState.STOPPING: 64,
    InstanceState.STOPPED: 80,
}


class MonitoringState(enum.Enum):
    """Whether detailed (1-minute) monitoring is on."""

    DISABLED = "disabled"
    DISABLING = "disabling"
    ENABLED = "enabled"
    PENDING = "pending"

    @property
    def detailed(self) -> bool:
        """True when the instance publishes its metrics every minute."""
        return self in (MonitoringState.ENABLED, MonitoringState.DISABLING)


# -- instance types ------------------------------------------------------------------------


@frozen
class InstanceType:
    """What awsmon knows of an instance type.

    Attributes:
        name: ``t3.micro``.
        vcpus: virtual CPUs.
        memory_mib: memory, MiB.
        baseline: burstable types: the baseline utilisation per vCPU, percent
            (0 for fixed-performance types).
        launch_credits: T2 launch credits (T3/T4g start at 0 in unlimited mode).
    """

    name: str
    vcpus: int
    memory_mib: int
    baseline: float = 0.0
    launch_credits: float = 0.0

    @property
    def burstable(self) -> bool:
        """True for T2, T3, T3a and T4g types, which report CPUCredit* metrics."""
        return self.baseline > 0

    @property
    def credits_per_hour(self) -> float:
        """CPU credits earned per hour (one credit = one vCPU at 100% for a minute)."""
        return self.baseline / 100 * self.vcpus * 60

    @property
    def max_credits(self) -> float:
        """The largest CPU credit balance: 24 hours of earnings."""
        return self.credits_per_hour * 24

    @property
    def unlimited_by_default(self) -> bool:
        """T3, T3a and T4g launch in unlimited mode; T2 in standard mode."""
        return self.burstable and not self.name.startswith("t2.")


# (vCPUs, memory MiB, baseline % per vCPU) of the burstable sizes, from the EC2 user guide.
_BURSTABLE = {
    "t2": {
        "nano": (1, 512, 5.0),
        "micro": (1, 1024, 10.0),
        "small": (1, 2048, 20.0),
        "medium": (2, 4096, 20.0),
        "large": (2, 8192, 30.0),
        "xlarge": (4, 16384, 22.5),
        "2xlarge": (8, 32768, 17.0),
    },
    "t3": {
        "nano": (2, 512, 5.0),
        "micro": (2, 1024, 10.0),
        "small": (2, 2048, 20.0),
        "medium": (2, 4096, 20.0),
        "large": (2, 8192, 30.0),
        "xlarge": (4, 16384, 40.0),
        "2xlarge": (8, 32768, 40.0),
    },
}
_BURSTABLE["t3a"] = _BURSTABLE["t3"]
_BURSTABLE["t4g"] = _BURSTABLE["t3"]
_SIZES = {"nano": 1, "micro": 1, "small": 1, "medium": 1, "large": 2, "xlarge": 4, "metal": 96}
_TYPE = re.compile(
    r"(?P<family>[a-z][a-z0-9-]*)\.(?P<size>nano|micro|small|medium|large|xlarge|\d+xlarge|metal)"
)


def instance_type(name: str) -> InstanceType:
    """The instance type `name` (``t3.micro``, ``m5.large``, ``c6g.4xlarge`` ...).

    Fixed-performance families are accepted by shape, with AWS's usual sizing
    (``large`` = 2 vCPUs, ``Nxlarge`` = 4·N vCPUs, 4 GiB per vCPU).

    Raises:
        InvalidParameterValue: not an instance type name.
    """
    match = _TYPE.fullmatch(name)
    burstable = match is not None and match["family"] in _BURSTABLE
    if match is None or (burstable and match["size"] not in _BURSTABLE[match["family"]]):
        raise InvalidParameterValue(
            f"Invalid value '{name}' for InstanceType.", param="InstanceType", value=name
        )
    family, size = match["family"], match["size"]
    if family in _BURSTABLE:
        vcpus, memory, baseline = _BURSTABLE[family][size]
        credits = 30.0 * vcpus if family == "t2" else 0.0
        return InstanceType(name, vcpus, memory, baseline, credits)
    vcpus = _SIZES.get(size) or 4 * int(size[: -len("xlarge")])
    return InstanceType(name, vcpus, vcpus * 4096)


# -- workloads ----------------------------------------------------------------------------

#: A workload figure: a constant, or a function of the virtual time.
Figure = float | Callable[[datetime], float]


def _figure(value: Any) -> Figure:
    if callable(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a workload figure is a number or a function of time, got {value!r}")
    return float(value)


@frozen(kw_only=True)
class Workload:
    """What a simulated instance is doing, per minute: the source of its metrics.

    Each figure is a number or a function ``f(at: datetime) -> float`` of the
    virtual time (the start of the minute being measured).

    Attributes:
        cpu: CPU utilisation, percent (0-100).
        network_in, network_out: bytes received / sent per minute.
        packets_in, packets_out: packets per minute.
        disk_read_ops, disk_write_ops: instance-store operations per minute.
        disk_read_bytes, disk_write_bytes: instance-store bytes per minute.
        metadata_no_token: IMDSv1 requests per minute.
        memory_used_percent, disk_used_percent, swap_used_percent: what the
            CloudWatch agent sees (EC2 itself cannot see inside the instance).
        processes: running processes (the agent's ``processes_*``).
        system_check_failed, instance_check_failed: 1 while that status
            check fails, else 0.

    Simulation notes: the default is an idle Linux server: 2% CPU, 50 kB in
    and 30 kB out per minute, no instance-store disk traffic (EBS-backed
    instances report Disk* as 0 in AWS too), 25% memory, 20% disk used.
    """

    cpu: Figure = field(default=2.0, converter=_figure)
    network_in: Figure = field(default=50_000.0, converter=_figure)
    network_out: Figure = field(default=30_000.0, converter=_figure)
    packets_in: Figure = field(default=60.0, converter=_figure)
    packets_out: Figure = field(default=40.0, converter=_figure)
    disk_read_ops: Figure = field(default=0.0, converter=_figure)
    disk_write_ops: Figure = field(default=0.0, converter=_figure)
    disk_read_bytes: Figure = field(default=0.0, converter=_figure)
    disk_write_bytes: Figure = field(default=0.0, converter=_figure)
    metadata_no_token: Figure = field(default=0.0, converter=_figure)
    memory_used_percent: Figure = field(default=25.0, converter=_figure)
    disk_used_percent: Figure = field(default=20.0, converter=_figure)
    swap_used_percent: Figure = field(default=0.0, converter=_figure)
    processes: Figure = field(default=120.0, converter=_figure)
    system_check_failed: Figure = field(default=0.0, converter=_figure)
    instance_check_failed: Figure = field(default=0.0, converter=_figure)

    def value(self, name: str, at: datetime) -> float:
        """The figure `name` at `at`."""
        figure: Figure = getattr(self, name)
        return float(figure(at)) if callable(figure) else figure

    def cpu_at(self, at: datetime) -> float:
        """The CPU utilisation at `at`, clamped to 0-100 percent."""
        return min(max(self.value("cpu", at), 0.0), 100.0)

    def changed(self, **figures: Any) -> Workload:
        """This workload with some figures replaced.

        Raises:
            TypeError: an unknown figure name or a value that is not a figure.
        """
        known = {a.name for a in attrs.fields(Workload)}
        unknown = sorted(set(figures) - known)
        if unknown:
            raise TypeError(f"unknown workload figures {unknown}; known: {sorted(known)}")
        return attrs.evolve(self, **figures)


# -- launch templates ------------------------------------------------------------------------


@frozen(kw_only=True)
class LaunchTemplateData:
    """The instance settings a launch template version holds (the part awsmon uses).

    Attributes:
        image_id: the AMI.
        instance_type: the type.
        monitoring: detailed monitoring on.
        key_name: the key pair.
        security_group_ids: security groups.
        iam_instance_profile: the profile ARN or name.
        user_data: base64 text.
        tags: tags of TagSpecifications for ``instance`` resources.
        raw: the request's LaunchTemplateData as given (DescribeLaunchTemplateVersions).
    """

    image_id: str | None = None
    instance_type: str | None = None
    monitoring: bool = False
    key_name: str | None = None
    security_group_ids: tuple[str, ...] = ()
    iam_instance_profile: str | None = None
    user_data: str | None = None
    tags: Mapping[str, str] = field(factory=dict)
    raw: Mapping[str, Any] = field(factory=dict)


@define(eq=False, kw_only=True)
class LaunchTemplate:
    """A launch template and its versions (version numbers start at 1)."""

    id: str
    name: str
    created_at: datetime
    created_by: str
    versions: list[LaunchTemplateData] = field(factory=list)
    default_version: int = 1
    tags: dict[str, str] = field(factory=dict)

    @property
    def latest_version(self) -> int:
        """The newest version number."""
        return len(self.versions)

    def version(self, spec: str | int | None) -> LaunchTemplateData:
        """The version named by a number, ``$Latest`` or ``$Default`` (None: default).

        Raises:
            InvalidLaunchTemplateIdVersionNotFound: no such version.
        """
        text = "$Default" if spec is None else str(spec)
        if text == "$Latest":
            number = self.latest_version
        elif text == "$Default":
            number = self.default_version
        elif text.isdecimal() and 1 <= int(text) <= self.latest_version:
            number = int(text)
        else:
            raise InvalidLaunchTemplateIdVersionNotFound(
                f"Could not find launch template version {text} for launch template {self.id}.",
                param="Version",
                value=text,
            )
        return self.versions[number - 1]


# -- filters ------------------------------------------------------------------------------


def filter_matches(values: Sequence[str], patterns: Sequence[str]) -> bool:
    """True when one of `values` matches one of `patterns` (``*`` and ``?`` wildcards).

    EC2 filter values are case-sensitive; a backslash escapes a wildcard.

    >>> filter_matches(["t3.micro"], ["t3.*", "m5.large"]), filter_matches([], ["*"])
    (True, False)
    """
    for pattern in patterns:
        matcher = _wildcard(pattern)
        if any(matcher.matches(value) for value in values):
            return True
    return False


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> Wildcard:
    """The filter value's matcher: ``*`` any run, ``?`` one character, ``\\`` escapes."""
    return Wildcard.parse(pattern, question=True, escapes=True)

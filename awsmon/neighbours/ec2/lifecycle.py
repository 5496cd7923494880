"""EC2 instance lifecycle: start, stop, reboot, terminate, describe, status checks.

`LifecycleMixin` adds these operations to `awsmon.neighbours.ec2.EC2`.

Transitions follow the EC2 user guide's lifecycle: launch and start go
``pending`` → ``running``; stop ``stopping`` → ``stopped``; terminate
``shutting-down`` → ``terminated``. Each state entered is an "EC2 Instance
State-change Notification" event. A request naming several instances is
checked for every instance before any changes (no partial state).

Errors as EC2 answers them: ``IncorrectInstanceState`` for a stop of an
instance that is ``pending`` (it never reached ``running``) or gone, a
start of one that is ``stopping`` or gone, a reboot of one that is not
running; ``OperationNotPermitted`` for terminating a protected instance.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime

from attrs import frozen

from awsmon.dispatch import operation
from awsmon.neighbours.ec2.core import EC2Core
from awsmon.neighbours.ec2.errors import (
    IncorrectInstanceState,
    InvalidParameterCombination,
    InvalidParameterValue,
    OperationNotPermitted,
)
from awsmon.neighbours.ec2.instance import Instance, Reservation
from awsmon.neighbours.ec2.model import InstanceState, filter_matches

__all__ = ["InstanceStatus", "LifecycleMixin", "StateChange", "instance_filter_values"]

_S = InstanceState


@frozen
class StateChange:
    """One instance's answer to Start/Stop/TerminateInstances."""

    instance_id: str
    previous: InstanceState
    current: InstanceState


@frozen(kw_only=True)
class InstanceStatus:
    """DescribeInstanceStatus' view of one instance.

    Attributes:
        instance: the instance.
        instance_status: ``ok``, ``impaired``, ``initializing`` or ``not-applicable``.
        system_status: likewise for the system (host) check.
    """

    instance: Instance
    instance_status: str
    system_status: str

    @staticmethod
    def detail(status: str) -> str:
        """The ``reachability`` detail of a summary status."""
        return {"ok": "passed", "impaired": "failed", "initializing": "initializing"}.get(
            status, "insufficient-data"
        )


def _user_reason(at: datetime) -> str:
    return f"User initiated ({at:%Y-%m-%d %H:%M:%S} GMT)"


_SHUTDOWN = (
    "Client.UserInitiatedShutdown",
    "Client.UserInitiatedShutdown: User initiated shutdown",
)


class LifecycleMixin(EC2Core):
    """Instance state changes and descriptions of `EC2` (see the module)."""

    # -- operations ---------------------------------------------------------------------

    @operation("StopInstances")
    def stop_instances(
        self, instance_ids: Sequence[str], *, force: bool = False, hibernate: bool = False
    ) -> list[StateChange]:
        """Stop running instances (StopInstances): ``stopping``, then ``stopped``.

        Stopping a ``stopping`` or ``stopped`` instance changes nothing.

        Raises:
            InvalidInstanceIDNotFound: an id that does not exist.
            IncorrectInstanceState: an instance that is ``pending`` (never
                reached ``running``), shutting down or terminated.
        """
        found = self._many(instance_ids)
        for instance in found:
            if instance.state in (_S.PENDING, _S.SHUTTING_DOWN, _S.TERMINATED):
                raise IncorrectInstanceState(
                    f"This instance '{instance.id}' is not in a state from which it can be "
                    "stopped.",
                    param="InstanceIds",
                    value=instance.id,
                )
        changes = []
        for instance in found:
            previous = instance.state
            if previous is _S.RUNNING:
                instance.state_reason = _SHUTDOWN
                self._later(instance, self.stopping_time, _S.STOPPED)
                self._enter(instance, _S.STOPPING, _user_reason(self.ctx.now()))
            changes.append(StateChange(instance.id, previous, instance.state))
        return changes

    @operation("StartInstances")
    def start_instances(self, instance_ids: Sequence[str]) -> list[StateChange]:
        """Start stopped instances (StartInstances): ``pending``, then ``running``.

        Raises:
            InvalidInstanceIDNotFound: an id that does not exist.
            IncorrectInstanceState: an instance that is stopping, shutting down or terminated.
        """
        found = self._many(instance_ids)
        for instance in found:
            if instance.state in (_S.STOPPING, _S.SHUTTING_DOWN, _S.TERMINATED):
                raise IncorrectInstanceState(
                    f"The instance '{instance.id}' is not in a state from which it can be started.",
                    param="InstanceIds",
                    value=instance.id,
                )
        changes = []
        for instance in found:
            previous = instance.state
            if previous is _S.STOPPED:
                instance.launched_at = self.ctx.now()
                self._later(instance, self.pending_time, _S.RUNNING)
                self._enter(instance, _S.PENDING, "")
            changes.append(StateChange(instance.id, previous, instance.state))
        return changes

    @operation("TerminateInstances")
    def terminate_instances(self, instance_ids: Sequence[str]) -> list[StateChange]:
        """Terminate instances (TerminateInstances): ``shutting-down``, then ``terminated``.

        Raises:
            InvalidInstanceIDNotFound: an id that does not exist.
            OperationNotPermitted: an instance with termination protection.
        """
        found = self._many(instance_ids)
        for instance in found:
            if instance.disable_api_termination:
                raise OperationNotPermitted(
                    f"The instance '{instance.id}' may not be terminated. Modify its "
                    "'disableApiTermination' instance attribute and try again.",
                    param="InstanceIds",
                    value=instance.id,
                )
        changes = []
        for instance in found:
            previous = instance.state
            if previous not in (_S.SHUTTING_DOWN, _S.TERMINATED):
                instance.state_reason = _SHUTDOWN
                self._later(instance, self.shutting_down_time, _S.TERMINATED)
                self._enter(instance, _S.SHUTTING_DOWN, _user_reason(self.ctx.now()))
            changes.append(StateChange(instance.id, previous, instance.state))
        return changes

    @operation("RebootInstances")
    def reboot_instances(self, instance_ids: Sequence[str]) -> None:
        """Reboot running instances (RebootInstances); they stay ``running``.

        Raises:
            InvalidInstanceIDNotFound: an id that does not exist.
            IncorrectInstanceState: an instance that is not running.
        """
        found = self._many(instance_ids)
        for instance in found:
            if instance.state is not _S.RUNNING:
                raise IncorrectInstanceState(
                    f"The instance '{instance.id}' is not in a state from which it can be "
                    "rebooted.",
                    param="InstanceIds",
                    value=instance.id,
                )
        for instance in found:
            instance.reboots.append(self.ctx.now())
            instance.status_since = self.ctx.now()

    def recover_instance(self, instance_id: str) -> Instance:
        """Recover an instance (the alarm action ``recover``; not an API operation).

        The instance moves to healthy hardware: it stays ``running`` with its
        id and addresses, and its system status check passes again.

        Raises:
            IncorrectInstanceState: the instance is not running.
        """
        instance = self.instance(instance_id)
        if instance.state is not _S.RUNNING:
            raise IncorrectInstanceState(
                f"The instance '{instance.id}' is not in a state from which it can be recovered.",
                param="InstanceId",
                value=instance.id,
            )
        instance.recoveries.append(self.ctx.now())
        instance.status_since = self.ctx.now()
        instance.workload = instance.workload.changed(system_check_failed=0.0)
        return instance

    # -- descriptions ---------------------------------------------------------------------

    @operation("DescribeInstances")
    def describe_instances(
        self,
        instance_ids: Sequence[str] = (),
        *,
        filters: Mapping[str, Sequence[str]] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[tuple[Reservation, list[Instance]]], str | None]:
        """The instances asked for, grouped by reservation (DescribeInstances).

        Args:
            instance_ids: only these (each must exist).
            filters: filter name → values (``instance-state-name``, ``tag:Name``,
                ``instance-type`` ...; ``*`` and ``?`` wildcards), all must match.
            max_results: page size, 5 to 1000 (not with `instance_ids`).
            next_token: the token of the previous page.

        Returns:
            (reservation, its matching instances) pairs and the next token.

        Raises:
            InvalidInstanceIDNotFound: an id that does not exist.
            InvalidParameterValue: an unknown filter name or a bad token.
            InvalidParameterCombination: `instance_ids` with `max_results`.
        """
        filters = filters or {}
        if instance_ids and max_results is not None:
            raise InvalidParameterCombination(
                "The parameter instancesSet cannot be used with the parameter maxResults",
                param="MaxResults",
            )
        if max_results is not None and not 5 <= max_results <= 1000:
            raise InvalidParameterValue(
                f"Value ( {max_results} ) for parameter maxResults is invalid. Parameter "
                "value must be between 5 and 1000.",
                param="MaxResults",
                value=max_results,
            )
        chosen = {i.id for i in self._many(instance_ids)} if instance_ids else None
        _check_filters(filters)
        matched = [
            i
            for i in self._instances.values()
            if (chosen is None or i.id in chosen) and _matches(i, filters)
        ]
        start = _token_start(next_token)
        page = matched[start:] if max_results is None else matched[start : start + max_results]
        token = None
        if max_results is not None and start + max_results < len(matched):
            token = base64.b64encode(f"awsmon-ec2:{start + max_results}".encode()).decode()
        groups: dict[str, list[Instance]] = {}
        for instance in page:
            groups.setdefault(instance.reservation_id, []).append(instance)
        by_id = {r.id: r for r in self.reservations}
        return [(by_id[rid], members) for rid, members in groups.items()], token

    @operation("DescribeInstanceStatus")
    def describe_instance_status(
        self,
        instance_ids: Sequence[str] = (),
        *,
        include_all_instances: bool = False,
        filters: Mapping[str, Sequence[str]] | None = None,
    ) -> list[InstanceStatus]:
        """Status checks of instances (DescribeInstanceStatus); running ones unless all asked.

        Checks are ``initializing`` for `status_initializing` after the
        instance reaches ``running`` (or is rebooted), then ``ok``, or
        ``impaired`` while the workload's ``system_check_failed`` /
        ``instance_check_failed`` figure is 1.
        """
        filters = filters or {}
        include_all = include_all_instances
        found = self._many(instance_ids) if instance_ids else list(self._instances.values())
        now = self.ctx.now()
        statuses = []
        for instance in found:
            if instance.state is not _S.RUNNING:
                if not include_all:
                    continue
                status = InstanceStatus(
                    instance=instance,
                    instance_status="not-applicable",
                    system_status="not-applicable",
                )
            elif instance.status_since is not None and now - instance.status_since < (
                self.status_initializing
            ):
                status = InstanceStatus(
                    instance=instance, instance_status="initializing", system_status="initializing"
                )
            else:
                workload = instance.workload
                own = workload.value("instance_check_failed", now) >= 1
                system = workload.value("system_check_failed", now) >= 1
                status = InstanceStatus(
                    instance=instance,
                    instance_status="impaired" if own else "ok",
                    system_status="impaired" if system else "ok",
                )
            values = {
                "instance-state-name": [instance.state.value],
                "instance-state-code": [str(instance.state.code)],
                "availability-zone": [instance.availability_zone],
                "instance-status.status": [status.instance_status],
                "system-status.status": [status.system_status],
                "instance-status.reachability": [InstanceStatus.detail(status.instance_status)],
                "system-status.reachability": [InstanceStatus.detail(status.system_status)],
            }
            for name in filters:
                if name not in values:
                    raise InvalidParameterValue(
                        f"The filter '{name}' is invalid", param="Filters", value=name
                    )
            if all(filter_matches(values[n], v) for n, v in filters.items()):
                statuses.append(status)
        return statuses


def _token_start(token: str | None) -> int:
    if token is None:
        return 0
    try:
        text = base64.b64decode(token.encode()).decode()
    except ValueError:
        text = ""
    if not text.startswith("awsmon-ec2:") or not text[11:].isdecimal():
        raise InvalidParameterValue(
            f"Invalid value '{token}' for nextToken", param="NextToken", value=token
        )
    return int(text[11:])


_FILTERS = (
    "instance-id",
    "instance-state-name",
    "instance-state-code",
    "instance-type",
    "image-id",
    "availability-zone",
    "monitoring-state",
    "reservation-id",
    "key-name",
    "vpc-id",
    "subnet-id",
    "private-ip-address",
    "private-dns-name",
    "tag-key",
    "tag-value",
    "owner-id",
    "launch-index",
    "iam-instance-profile.arn",
)


def _check_filters(filters: Mapping[str, Sequence[str]]) -> None:
    for name in filters:
        if name not in _FILTERS and not name.startswith("tag:"):
            raise InvalidParameterValue(
                f"The filter '{name}' is invalid", param="Filters", value=name
            )


def instance_filter_values(instance: Instance, name: str) -> list[str]:
    """The values of `instance` a DescribeInstances filter `name` compares with."""
    if name.startswith("tag:"):
        key = name[4:]
        return [instance.tags[key]] if key in instance.tags else []
    values: dict[str, list[str]] = {
        "instance-id": [instance.id],
        "instance-state-name": [instance.state.value],
        "instance-state-code": [str(instance.state.code)],
        "instance-type": [instance.type.name],
        "image-id": [instance.image_id],
        "availability-zone": [instance.availability_zone],
        "monitoring-state": [instance.monitoring.value],
        "reservation-id": [instance.reservation_id],
        "key-name": [instance.key_name] if instance.key_name else [],
        "vpc-id": [instance.vpc_id],
        "subnet-id": [instance.subnet_id],
        "private-ip-address": [instance.private_ip],
        "private-dns-name": [instance.private_dns_name],
        "tag-key": list(instance.tags),
        "tag-value": list(instance.tags.values()),
        "owner-id": [instance.owner_id],
        "launch-index": [str(instance.launch_index)],
        "iam-instance-profile.arn": (
            [instance.iam_instance_profile] if instance.iam_instance_profile else []
        ),
    }
    return values.get(name, [])


def _matches(instance: Instance, filters: Mapping[str, Sequence[str]]) -> bool:
    return all(
        filter_matches(instance_filter_values(instance, name), patterns)
        for name, patterns in filters.items()
    )

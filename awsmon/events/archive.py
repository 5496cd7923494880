"""EventBridge archives and replays: the operations `EventBridge` gets from `ArchiveOperations`.

An archive keeps the events of one bus — all of them, or those matching its
pattern — through a rule AWS manages on that bus, ``Events-Archive-<name>``
(``ManagedBy`` ``prod.vhs.events.aws.internal``), whose pattern also says
``{"replay-name": [{"exists": false}]}`` so replayed events are never archived
again. ListRules shows that rule, as it does in AWS.

A replay sends the archived events whose time lies in
[EventStartTime, EventEndTime] back onto the archive's bus, each with a new
id and a ``replay-name`` member naming the replay, to every rule of the bus
or only to the rules in FilterArns. It moves on the clock: STARTING at
StartReplay, RUNNING one `replay_step` later, then one minute of archived
events (by event time, oldest first) per step, and COMPLETED one step after
the last; CancelReplay turns an active replay CANCELLING, and CANCELLED at its
next step.

Simulation notes:
    - Events reach the archive at once (AWS: "can take a while"; it advises
      waiting ~10 minutes before replaying).
    - Retention (RetentionDays, 0 for ever) is applied whenever the archive is
      read; AWS removes expired events about once a day.
    - ``SizeBytes`` is the UTF-8 length of each archived event's compact JSON
      (AWS's formula is UNCONFIRMED). The window's end is inclusive
      (UNCONFIRMED).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from awsmon import jsondoc
from awsmon.arn import partition_for
from awsmon.clock import to_datetime
from awsmon.dispatch import Service, operation
from awsmon.events.errors import (
    IllegalStatusException,
    LimitExceededException,
    ResourceAlreadyExistsException,
    ValidationException,
    existing,
)
from awsmon.events.model import (
    ARCHIVE_RULE_MANAGER,
    MAX_ACTIVE_REPLAYS,
    Archive,
    ArchivedEvent,
    ArchiveState,
    EventBus,
    Received,
    Replay,
    ReplayState,
    Rule,
    Target,
)
from awsmon.events.pattern import EventPattern

__all__ = ["ArchiveOperations"]

_ARCHIVE_RULE_PREFIX = "Events-Archive-"
#: The earliest instant a retention cutoff can name (a longer retention keeps everything).
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)


def _archive_pattern(event_pattern: str | None) -> dict[str, Any]:
    pattern: dict[str, Any] = {}
    if event_pattern is not None:
        loaded = jsondoc.loads(event_pattern)
        if isinstance(loaded, dict):
            pattern = loaded
    pattern["replay-name"] = [{"exists": False}]
    return pattern


class ArchiveOperations(Service):
    """Archives and replays of the buses of one account and region (part of `EventBridge`)."""

    if TYPE_CHECKING:
        buses: dict[str, EventBus]

        def bus(self, name_or_arn: str | None = None) -> EventBus: ...

        def put_managed_rule(
            self,
            name: str,
            *,
            managed_by: str,
            event_pattern: str | Mapping[str, Any] | None = None,
            schedule_expression: str | None = None,
            description: str | None = None,
            event_bus_name: str | None = None,
        ) -> Rule: ...

        def put_targets(
            self, rule: str, targets: Sequence[Target], event_bus_name: str | None = None
        ) -> Any: ...

        def remove_targets(
            self, rule: str, ids: Any, event_bus_name: str | None = None, *, force: bool = False
        ) -> Any: ...

        def delete_rule(
            self, name: str, event_bus_name: str | None = None, *, force: bool = False
        ) -> None: ...

        def receive(self, bus: EventBus, received: Received) -> None: ...

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.archives: dict[str, Archive] = {}
        self.replays: dict[str, Replay] = {}
        self.replay_step = 1.0
        self._archive_rules: dict[str, str] = {}  # managed rule ARN -> archive name

    # -- archives ------------------------------------------------------------------------

    def archive(self, name: str) -> Archive:
        """The archive `name`, with expired events dropped.

        Raises:
            ResourceNotFoundException: "Archive {name} does not exist."
        """
        found = existing(self.archives, name, f"Archive {name} does not exist.", "ArchiveName")
        self._expire(found)
        return found

    def _expire(self, archive: Archive) -> None:
        now = self.ctx.now()
        if 0 < archive.retention_days <= (now - _EARLIEST).days:  # longer: nothing expires
            cutoff = now - timedelta(days=archive.retention_days)
            if archive.events and archive.events[0].ingested_at < cutoff:
                archive.events = [e for e in archive.events if e.ingested_at >= cutoff]

    @operation("CreateArchive")
    def create_archive(
        self,
        archive_name: str,
        event_source_arn: str,
        *,
        event_pattern: str | None = None,
        description: str | None = None,
        retention_days: int = 0,
        kms_key_identifier: str | None = None,
    ) -> Archive:
        """Archive the events of the bus `event_source_arn` (CreateArchive).

        Raises:
            ResourceNotFoundException: no such bus.
            ResourceAlreadyExistsException: "Archive {name} already exists."
            InvalidEventPatternException: the pattern is invalid.
        """
        bus = self.bus(event_source_arn)
        if archive_name in self.archives:
            raise ResourceAlreadyExistsException(
                f"Archive {archive_name} already exists.", param="ArchiveName", value=archive_name
            )
        if event_pattern is not None:
            EventPattern.parse(event_pattern)
        rule_name = _ARCHIVE_RULE_PREFIX + archive_name
        rule = self.put_managed_rule(
            rule_name,
            managed_by=ARCHIVE_RULE_MANAGER,
            event_pattern=_archive_pattern(event_pattern),
            event_bus_name=bus.name,
        )
        archive = Archive(
            name=archive_name,
            arn=self.ctx.arn(f"archive/{archive_name}"),
            event_source_arn=bus.arn,
            event_pattern=event_pattern,
            description=description,
            retention_days=retention_days,
            kms_key_identifier=kms_key_identifier,
            created_at=self.ctx.now(),
            rule_name=rule_name,
        )
        rule.targets[rule_name] = _archive_target(rule_name, archive.arn, self.region, self.ctx)
        self.archives[archive_name] = archive
        self._archive_rules[rule.arn] = archive_name
        return archive

    def archive_event(self, rule: Rule, received: Received) -> bool:
        """Keep `received` in the archive fed by `rule`; False when `rule` feeds none."""
        name = self._archive_rules.get(rule.arn)
        archive = None if name is None else self.archives.get(name)
        if archive is None:
            return False
        if archive.state is ArchiveState.ENABLED:
            text = json.dumps(received.event, separators=(",", ":"), ensure_ascii=False)
            archive.events.append(
                ArchivedEvent(
                    event=received.event,
                    time=received.at,
                    ingested_at=received.ingested_at,
                    size=len(text.encode()),
                )
            )
        return True

    @operation("DescribeArchive")
    def describe_archive(self, archive_name: str) -> Archive:
        """The archive `archive_name` (DescribeArchive)."""
        return self.archive(archive_name)

    @operation("UpdateArchive")
    def update_archive(
        self,
        archive_name: str,
        *,
        description: str | None = None,
        event_pattern: str | None = None,
        retention_days: int | None = None,
        kms_key_identifier: str | None = None,
    ) -> Archive:
        """Change an archive's description, pattern or retention (UpdateArchive).

        Raises:
            ResourceNotFoundException: no such archive.
            ValidationException: nothing to change.
            InvalidEventPatternException: the pattern is invalid.
        """
        archive = self.archive(archive_name)
        if description is None and event_pattern is None and retention_days is None:
            raise ValidationException(
                "At least one of EventPattern, RetentionDays or Description must be provided.",
                param="ArchiveName",
                value=archive_name,
            )
        if event_pattern is not None:
            EventPattern.parse(event_pattern)
            bus = self.bus(archive.event_source_arn)
            self.put_managed_rule(
                archive.rule_name,
                managed_by=ARCHIVE_RULE_MANAGER,
                event_pattern=_archive_pattern(event_pattern),
                event_bus_name=bus.name,
            )
            archive.event_pattern = event_pattern
        if description is not None:
            archive.description = description
        if retention_days is not None:
            archive.retention_days = retention_days
        if kms_key_identifier is not None:
            archive.kms_key_identifier = kms_key_identifier
        return archive

    @operation("DeleteArchive")
    def delete_archive(self, archive_name: str) -> None:
        """Delete an archive, its events and its managed rule (DeleteArchive)."""
        archive = self.archive(archive_name)
        bus = self.buses.get(archive.event_source_arn.rsplit("/", 1)[-1])
        if bus is not None and archive.rule_name in bus.rules:
            rule = bus.rules[archive.rule_name]
            self._archive_rules.pop(rule.arn, None)
            self.remove_targets(archive.rule_name, list(rule.targets), bus.name, force=True)
            self.delete_rule(archive.rule_name, bus.name, force=True)
        del self.archives[archive_name]

    @operation("ListArchives")
    def list_archives(
        self,
        name_prefix: str | None = None,
        event_source_arn: str | None = None,
        state: ArchiveState | str | None = None,
    ) -> list[Archive]:
        """The archives, filtered by at most one of the three (ListArchives).

        Raises:
            ValidationException: more than one filter.
        """
        archives = self.archives.values()
        found = _listed(
            "ListArchives", archives, name_prefix, event_source_arn, state, ArchiveState
        )
        for archive in found:
            self._expire(archive)
        return found

    # -- replays -------------------------------------------------------------------------

    def replay(self, name: str) -> Replay:
        """The replay `name`.

        Raises:
            ResourceNotFoundException: "Replay {name} does not exist."
        """
        return existing(self.replays, name, f"Replay {name} does not exist.", "ReplayName")

    @operation("StartReplay")
    def start_replay(
        self,
        replay_name: str,
        event_source_arn: str,
        event_start_time: datetime,
        event_end_time: datetime,
        destination_arn: str,
        *,
        filter_arns: Sequence[str] = (),
        description: str | None = None,
    ) -> Replay:
        """Replay an archive's events from a time window onto its bus (StartReplay).

        Raises:
            ValidationException: a destination that is not the archive's bus, an
                unknown archive, or a start not before the end.
            ResourceNotFoundException: the destination bus does not exist.
            ResourceAlreadyExistsException: "Replay {name} already exists."
            LimitExceededException: 10 replays are active already.
        """
        start, end = to_datetime(event_start_time), to_datetime(event_end_time)
        if ":event-bus/" not in destination_arn:
            raise ValidationException(
                "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.",
                param="Destination",
                value=destination_arn,
            )
        self.bus(destination_arn)
        archive_name = event_source_arn.rsplit("/", 1)[-1]
        archive = self.archives.get(archive_name)
        if archive is None or archive.arn != event_source_arn:
            raise ValidationException(
                f"Parameter EventSourceArn is not valid. Reason: Archive {archive_name} does "
                "not exist.",
                param="EventSourceArn",
                value=event_source_arn,
            )
        if destination_arn != archive.event_source_arn:
            raise ValidationException(
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not "
                "permitted.",
                param="Destination",
                value=destination_arn,
            )
        if start >= end:
            raise ValidationException(
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
                "EventEndTime.",
                param="EventEndTime",
                value=end,
            )
        if replay_name in self.replays:
            raise ResourceAlreadyExistsException(
                f"Replay {replay_name} already exists.", param="ReplayName", value=replay_name
            )
        if sum(r.state.active for r in self.replays.values()) >= MAX_ACTIVE_REPLAYS:
            raise LimitExceededException(
                "The requested resource exceeds the maximum number allowed.",
                param="ReplayName",
                value=replay_name,
            )
        now = self.ctx.now()
        replay = Replay(
            name=replay_name,
            arn=self.ctx.arn(f"replay/{replay_name}"),
            description=description,
            event_source_arn=event_source_arn,
            destination_arn=destination_arn,
            filter_arns=tuple(filter_arns),
            event_start_time=start,
            event_end_time=end,
            replay_start_time=now,
        )
        self.replays[replay_name] = replay
        self._next_step(replay)
        return replay

    def _next_step(self, replay: Replay) -> None:
        replay.job = self.ctx.clock.call_later(
            timedelta(seconds=self.replay_step), self._step, replay, name=f"replay {replay.name}"
        )

    def _step(self, replay: Replay) -> None:
        now = self.ctx.now()
        if replay.state is ReplayState.CANCELLING:
            replay.state = ReplayState.CANCELLED
            replay.replay_end_time = now
            replay.job = None
            return
        if replay.state is ReplayState.STARTING:
            replay.state = ReplayState.RUNNING
            replay.pending = self._minutes(replay)
            self._next_step(replay)
            return
        if replay.state is not ReplayState.RUNNING:
            return
        if not replay.pending:
            replay.state = ReplayState.COMPLETED
            replay.replay_end_time = now
            replay.job = None
            return
        bus = self.buses.get(replay.destination_arn.rsplit("/", 1)[-1])
        batch = replay.pending.pop(0)
        if bus is None:
            replay.state = ReplayState.FAILED
            replay.state_reason = "The destination event bus no longer exists."
            replay.replay_end_time = now
            return
        only = frozenset(replay.filter_arns) if replay.filter_arns else None
        for archived in batch:
            self._replay_one(replay, bus, archived, only)
        self._next_step(replay)

    def _minutes(self, replay: Replay) -> list[list[ArchivedEvent]]:
        name = replay.event_source_arn.rsplit("/", 1)[-1]
        archive = self.archives.get(name)
        if archive is None:
            return []
        self._expire(archive)
        chosen = sorted(
            (
                e
                for e in archive.events
                if replay.event_start_time <= e.time <= replay.event_end_time
            ),
            key=lambda e: e.time,
        )
        groups: dict[datetime, list[ArchivedEvent]] = {}
        for archived in chosen:
            groups.setdefault(archived.time.replace(second=0, microsecond=0), []).append(archived)
        return list(groups.values())

    def _replay_one(
        self, replay: Replay, bus: EventBus, archived: ArchivedEvent, only: frozenset[str] | None
    ) -> None:
        event: dict[str, Any] = {}
        for key, value in archived.event.items():
            if key == "id":
                value = self.ctx.ids.uuid()
            if key == "replay-name":
                continue
            if key == "resources":
                event["replay-name"] = replay.name
            event[key] = value
        now = self.ctx.now()
        self.receive(bus, Received(event=event, at=archived.time, ingested_at=now, only_rules=only))
        replay.event_last_replayed_time = archived.time

    @operation("DescribeReplay")
    def describe_replay(self, replay_name: str) -> Replay:
        """The replay `replay_name` (DescribeReplay)."""
        return self.replay(replay_name)

    @operation("ListReplays")
    def list_replays(
        self,
        name_prefix: str | None = None,
        state: ReplayState | str | None = None,
        event_source_arn: str | None = None,
    ) -> list[Replay]:
        """The replays, filtered by at most one of the three (ListReplays).

        Raises:
            ValidationException: more than one filter.
        """
        return _listed(
            "ListReplays", self.replays.values(), name_prefix, event_source_arn, state, ReplayState
        )

    @operation("CancelReplay")
    def cancel_replay(self, replay_name: str) -> Replay:
        """Stop an active replay: CANCELLING now, CANCELLED at its next step (CancelReplay).

        Raises:
            ResourceNotFoundException: no such replay.
            IllegalStatusException: the replay is no longer STARTING or RUNNING.
        """
        replay = self.replay(replay_name)
        if not replay.state.active:
            raise IllegalStatusException(
                f"Replay {replay_name} is not in a valid state for this operation.",
                param="ReplayName",
                value=replay_name,
            )
        replay.state = ReplayState.CANCELLING
        return replay


def _archive_target(rule_name: str, archive_arn: str, region: str, ctx: Any) -> Target:
    """The target AWS gives an archive's managed rule: an InputTransformer like any other's.

    Its template wraps the event with the archive's ARN (and an id) and the
    ingestion time; ListTargetsByRule returns it as it returns user targets.
    """
    template = (
        f'{{"archive-arn": "{archive_arn}:{ctx.ids.uuid()}", '
        '"event": <aws.events.event.json>, '
        '"ingestion-time": <aws.events.event.ingestion-time>}'
    )
    return Target(
        id=rule_name,
        arn=f"arn:{partition_for(region)}:events:{region}:::",
        input_paths_map={},
        input_template=template,
    )


_Listed = TypeVar("_Listed", Archive, Replay)


def _listed(
    operation: str,
    items: Iterable[_Listed],
    name_prefix: str | None,
    event_source_arn: str | None,
    state: enum.Enum | str | None,
    states: type[enum.Enum],
) -> list[_Listed]:
    """The archives or replays (by name) that pass the one filter given of ListArchives/Replays.

    Raises:
        ValidationException: more than one filter.
    """
    if sum(x is not None for x in (name_prefix, event_source_arn, state)) > 1:
        raise ValidationException(
            f"At most one filter is allowed for {operation}. Use either : State, "
            "EventSourceArn, or NamePrefix.",
            param="NamePrefix",
            value=name_prefix,
        )
    wanted = None if state is None else states(state)
    return [
        item
        for item in sorted(items, key=lambda item: item.name)
        if (name_prefix is None or item.name.startswith(name_prefix))
        and (event_source_arn is None or item.event_source_arn == event_source_arn)
        and (wanted is None or item.state is wanted)
    ]

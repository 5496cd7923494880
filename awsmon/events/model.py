"""EventBridge value objects and entities: buses, rules, targets, archives, replays.

Values (``@frozen``): `RetryPolicy`, `Target`, `FailedEntry`, `Invocation`,
`ArchivedEvent`, `EventSource`. Entities (``@define(eq=False)``): `EventBus`,
`Rule`, `Archive`, `Replay`. Enums whose values are AWS's strings:
`RuleState`, `EventSourceState`, `ArchiveState`, `ReplayState`.

The events themselves (`PutEventsEntry`, `PutEventsResult`, `envelope`,
`entry_size`, `Received` ...) live in `awsmon.events.entries`; this module
re-exports them.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import define, field, frozen

from awsmon.arn import Arn, InvalidArn
from awsmon.events.entries import (
    LEGACY_PUT_EVENTS_LIMIT,
    PUT_EVENTS_LIMIT,
    PUT_EVENTS_LIMIT_RAISED_ON,
    PutEventsEntry,
    PutEventsResult,
    PutEventsResultEntry,
    Received,
    entry_size,
    envelope,
    event_time,
    put_events_limit_on,
)
from awsmon.events.pattern_explain import (
    BusExplanation,
    PatternExplanation,
    explain_pattern,
    no_pattern,
)
from awsmon.events.ruler import RuleMatcher

if TYPE_CHECKING:
    from awsmon.clock import Job
    from awsmon.events.pattern import EventPattern
    from awsmon.events.schedule import Schedule
    from awsmon.events.transform import TargetInput

__all__ = [
    "ARCHIVE_RULE_MANAGER",
    "DEFAULT_BUS",
    "LEGACY_PUT_EVENTS_LIMIT",
    "PUT_EVENTS_LIMIT",
    "PUT_EVENTS_LIMIT_RAISED_ON",
    "Archive",
    "ArchiveState",
    "ArchivedEvent",
    "EventBus",
    "EventSource",
    "EventSourceState",
    "FailedEntry",
    "Invocation",
    "PutEventsEntry",
    "PutEventsResult",
    "PutEventsResultEntry",
    "Received",
    "Replay",
    "ReplayState",
    "RetryPolicy",
    "Rule",
    "RuleState",
    "Target",
    "entry_size",
    "envelope",
    "event_time",
    "put_events_limit_on",
]

DEFAULT_BUS = "default"
"""The name of every account's default event bus in every region."""

ARCHIVE_RULE_MANAGER = "prod.vhs.events.aws.internal"
"""``ManagedBy`` of the rule an archive puts on its bus (as AWS shows it)."""

MAX_TARGETS_PER_RULE = 5
MAX_BUSES = 100
MAX_RULES_PER_BUS = 300
MAX_POLICY_LENGTH = 10_240
MAX_ACTIVE_REPLAYS = 10


class RuleState(enum.Enum):
    """Whether a rule matches events and fires on its schedule."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"
    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"

    @property
    def enabled(self) -> bool:
        """True unless DISABLED."""
        return self is not RuleState.DISABLED


class EventSourceState(enum.Enum):
    """The state of a partner event source in a customer account."""

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    DELETED = "DELETED"


class ArchiveState(enum.Enum):
    """The state of an archive."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"
    CREATING = "CREATING"
    UPDATING = "UPDATING"
    CREATE_FAILED = "CREATE_FAILED"
    UPDATE_FAILED = "UPDATE_FAILED"


class ReplayState(enum.Enum):
    """The state of a replay."""

    STARTING = "STARTING"
    RUNNING = "RUNNING"
    CANCELLING = "CANCELLING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"

    @property
    def active(self) -> bool:
        """True while the replay may still deliver events (STARTING or RUNNING)."""
        return self in (ReplayState.STARTING, ReplayState.RUNNING)


@frozen(kw_only=True)
class RetryPolicy:
    """How long and how often EventBridge retries a failed delivery to one target.

    Attributes:
        maximum_retry_attempts: 0..185 retries after the first attempt (default 185).
        maximum_event_age: 60 s .. 24 h since the event was put (default 24 h).
    """

    maximum_retry_attempts: int = 185
    maximum_event_age: timedelta = timedelta(seconds=86_400)


@frozen(kw_only=True)
class Target:
    """A target of a rule, as PutTargets stored it.

    Attributes:
        id: the target's Id, unique within its rule.
        arn: what receives the events (queue, topic, function, stream, log
            group, bus, ...).
        role_arn: the role EventBridge assumes, when the target needs one.
        input / input_path: the constant input or the JSON path, as given.
        input_paths_map / input_template: the InputTransformer, as given.
        partition_key_path: KinesisParameters.PartitionKeyPath.
        message_group_id: SqsParameters.MessageGroupId (FIFO queues).
        retry_policy: the retry policy (AWS's defaults when none was given).
        dead_letter_arn: DeadLetterConfig.Arn, an SQS queue.
        parameters: other service-specific members (EcsParameters,
            HttpParameters, ...) in their wire form, stored and returned
            unchanged.
        compiled: the compiled input setting (not part of equality).
        retry_policy_given: whether the request set RetryPolicy (ListTargetsByRule
            returns it only then).
    """

    id: str
    arn: str
    role_arn: str | None = None
    input: str | None = None
    input_path: str | None = None
    input_paths_map: Mapping[str, str] | None = None
    input_template: str | None = None
    partition_key_path: str | None = None
    message_group_id: str | None = None
    retry_policy: RetryPolicy = RetryPolicy()
    retry_policy_given: bool = False
    dead_letter_arn: str | None = None
    parameters: Mapping[str, Any] = field(factory=dict)
    compiled: TargetInput | None = field(default=None, eq=False, repr=False)

    @property
    def service(self) -> str:
        """The service part of the target ARN (``sqs``, ``lambda``, ``events``...)."""
        return _arn_service(self.arn)


@functools.lru_cache(maxsize=1024)  # asked for each delivery; a rule's targets are few
def _arn_service(arn: str) -> str:
    try:
        return Arn.parse(arn).service
    except InvalidArn:
        return ""


@frozen
class FailedEntry:
    """A target PutTargets or RemoveTargets could not handle."""

    target_id: str
    error_code: str
    error_message: str


@frozen(kw_only=True)
class Invocation:
    """One attempt to deliver an event to a target, as a test can read it.

    Attributes:
        at: when the attempt was made.
        rule_arn / target_id / target_arn: where it went.
        event_id: the event's id.
        body: what the target received (or would have).
        attempt: 1 for the first attempt, 2 for the first retry, ...
        succeeded: whether the target took it.
        error_code / error_message: why not (``NO_PERMISSIONS``,
            ``NO_RESOURCE``, ``THROTTLING`` ...).
        outcome: ``delivered``, ``recorded`` (no simulated service behind the
            ARN), ``retrying``, ``dead-lettered``, ``dead-letter-failed`` or
            ``dropped``.
    """

    at: datetime
    rule_arn: str
    target_id: str
    target_arn: str
    event_id: str
    body: str
    attempt: int
    succeeded: bool
    error_code: str | None = None
    error_message: str | None = None
    outcome: str = "delivered"


@frozen(kw_only=True)
class ArchivedEvent:
    """An event kept by an archive, with when it arrived and its size."""

    event: Mapping[str, Any]
    time: datetime
    ingested_at: datetime
    size: int


@frozen(kw_only=True)
class EventSource:
    """A partner event source as a customer account sees it.

    Attributes:
        name: ``aws.partner/<partner>/<...>``.
        arn: ``arn:aws:events:<region>::event-source/<name>``.
        created_by: the partner's account id.
        account: the customer account it was created for.
        created_at: when the partner created it.
        expires_at: when a pending source lapses (None once active).
        state: PENDING until the customer makes a bus for it, then ACTIVE.
    """

    name: str
    arn: str
    created_by: str
    account: str
    created_at: datetime
    expires_at: datetime | None
    state: EventSourceState


@define(eq=False, kw_only=True)
class Rule:
    """A rule on a bus: a pattern and/or a schedule, a state and up to 5 targets.

    Attributes:
        name / arn / bus_name: identity (``rule/<name>`` on the default bus,
            ``rule/<bus>/<name>`` elsewhere).
        event_pattern: the pattern text as given (None for schedule-only rules).
        pattern: its compiled form.
        schedule_expression / schedule: the schedule, as given and parsed.
        state: ENABLED, DISABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
        description / role_arn: as given.
        managed_by: the AWS service that manages the rule (None for customers').
        created_by: the account that created it.
        targets: the targets by Id, in the order they were first put.
        tags: the rule's tags.
        schedule_job: the clock job of the next scheduled firing.
        schedule_anchor: when a rate schedule started counting.
    """

    name: str
    arn: str
    bus_name: str
    event_pattern: str | None = None
    pattern: EventPattern | None = field(default=None, repr=False)
    schedule_expression: str | None = None
    schedule: Schedule | None = field(default=None, repr=False)
    state: RuleState = RuleState.ENABLED
    description: str | None = None
    role_arn: str | None = None
    managed_by: str | None = None
    created_by: str = ""
    targets: dict[str, Target] = field(factory=dict, repr=False)
    tags: dict[str, str] = field(factory=dict, repr=False)
    schedule_job: Job | None = field(default=None, repr=False)
    schedule_anchor: datetime | None = field(default=None, repr=False)

    def explain(self, event: Mapping[str, Any]) -> PatternExplanation:
        """Whether `event` matches the rule's pattern, else the first field that fails and why."""
        if self.pattern is None:
            return no_pattern(self.name)
        return explain_pattern(self.pattern, event, self.name)


@define(eq=False, kw_only=True)
class EventBus:
    """An event bus: its rules (indexed for matching), policy and settings.

    Attributes:
        name / arn: identity.
        created_at / last_modified_at: timestamps.
        description / kms_key_identifier / dead_letter_arn / log_config: settings.
        event_source_name: the partner event source of a partner bus.
        policy: the resource policy document (None when there is none).
        rules: the rules by name, in creation order.
        matcher: the shared matcher of the enabled rules' patterns.
        tags: the bus's tags.
    """

    name: str
    arn: str
    created_at: datetime
    last_modified_at: datetime
    description: str | None = None
    kms_key_identifier: str | None = None
    dead_letter_arn: str | None = None
    log_config: Mapping[str, str] | None = None
    event_source_name: str | None = None
    policy: dict[str, Any] | None = None
    rules: dict[str, Rule] = field(factory=dict, repr=False)
    matcher: RuleMatcher = field(factory=RuleMatcher, repr=False)
    tags: dict[str, str] = field(factory=dict, repr=False)

    def explain(self, event: Mapping[str, Any]) -> BusExplanation:
        """For each rule of the bus: matched, or the first field of its pattern that fails."""
        rules = tuple(rule.explain(event) for rule in self.rules.values())
        off = tuple(name for name, rule in self.rules.items() if not rule.state.enabled)
        return BusExplanation(self.name, rules, off)


@define(eq=False, kw_only=True)
class Archive:
    """An archive of a bus's events (all, or those matching a pattern).

    Attributes:
        name / arn: identity.
        event_source_arn: the archived bus's ARN.
        event_pattern: the filter, as given (None: every event but replays).
        description / retention_days / kms_key_identifier: settings (retention
            0 keeps events forever).
        state / state_reason: ENABLED once created.
        created_at: when it was created.
        events: what it holds, in arrival order.
        rule_name: the managed rule that feeds it.
    """

    name: str
    arn: str
    event_source_arn: str
    event_pattern: str | None
    description: str | None
    retention_days: int
    kms_key_identifier: str | None
    created_at: datetime
    rule_name: str
    state: ArchiveState = ArchiveState.ENABLED
    state_reason: str | None = None
    events: list[ArchivedEvent] = field(factory=list, repr=False)

    @property
    def event_count(self) -> int:
        """How many events the archive holds."""
        return len(self.events)

    @property
    def size_bytes(self) -> int:
        """The bytes of the events it holds (their compact JSON)."""
        return sum(e.size for e in self.events)


@define(eq=False, kw_only=True)
class Replay:
    """A replay of an archive's events onto its bus.

    Attributes:
        name / arn: identity.
        description: as given.
        event_source_arn: the archive's ARN.
        destination_arn: the bus replayed onto (the archive's own bus).
        filter_arns: the rules to replay to (empty: every rule of the bus).
        event_start_time / event_end_time: the window of event times.
        state / state_reason: STARTING → RUNNING → COMPLETED (or CANCELLING →
            CANCELLED, FAILED).
        replay_start_time / replay_end_time: when it started and ended.
        event_last_replayed_time: the time of the last event replayed.
        pending: the groups of events still to replay, one per minute.
        job: the clock job of the next step.
    """

    name: str
    arn: str
    description: str | None
    event_source_arn: str
    destination_arn: str
    filter_arns: tuple[str, ...]
    event_start_time: datetime
    event_end_time: datetime
    replay_start_time: datetime
    state: ReplayState = ReplayState.STARTING
    state_reason: str | None = None
    replay_end_time: datetime | None = None
    event_last_replayed_time: datetime | None = None
    pending: list[list[ArchivedEvent]] = field(factory=list, repr=False)
    job: Job | None = field(default=None, repr=False)

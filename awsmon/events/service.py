"""EventBridge: the stateful service of one account and region.

`EventBridge` owns the buses (the default bus, custom buses, partner buses),
their rules (each bus's patterns indexed in one shared `RuleMatcher`, so
matching cost grows with an event's fields, not with the number of rules),
targets, resource policies, archives and replays, and partner event sources.

>>> from awsmon import Cloud
>>> from awsmon.events import PutEventsEntry, Target
>>> cloud = Cloud()
>>> queue = cloud.sqs.create_queue("orders")
>>> cloud.events.enforce_target_policies = False  # else the queue needs a policy, as in AWS
>>> pattern = '{"detail": {"total": [{"numeric": [">", 100]}]}}'
>>> rule = cloud.events.put_rule("big-orders", event_pattern=pattern)
>>> _ = cloud.events.put_targets("big-orders", [Target(id="q", arn=queue.arn)])
>>> entry = PutEventsEntry(source="shop", detail_type="Order", detail={"total": 250})
>>> cloud.events.put_events([entry]).failed_entry_count
0
>>> import json
>>> jsondoc.loads(cloud.sqs.receive_message(queue.url)[0].body)["detail"]
{'total': 250}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from awsmon import jsondoc
from awsmon.arn import Arn, InvalidArn
from awsmon.clock import to_datetime
from awsmon.cloudwatch import MetricKey, StandardUnit
from awsmon.dispatch import operation
from awsmon.events.archive import ArchiveOperations
from awsmon.events.buses import BusOperations
from awsmon.events.detail import parse_detail
from awsmon.events.errors import REQUEST, ValidationException
from awsmon.events.model import (
    ARCHIVE_RULE_MANAGER,
    DEFAULT_BUS,
    PUT_EVENTS_LIMIT,
    EventBus,
    Invocation,
    PutEventsEntry,
    PutEventsResult,
    PutEventsResultEntry,
    Received,
    Rule,
    RuleState,
    entry_size,
    envelope,
)
from awsmon.events.partner import PartnerOperations
from awsmon.events.pattern import EventPattern
from awsmon.events.rules import RuleOperations
from awsmon.events.targets import Deliverer, TargetFault

__all__ = ["EventBridge", "Received"]

_READ_ONLY_EXCEPTIONS = frozenset({"GetFederationToken", "GetSessionToken"})


def _read_only_management(event: Mapping[str, Any]) -> bool:
    """True for a read-only management event delivered through CloudTrail."""
    if event.get("detail-type") != "AWS API Call via CloudTrail":
        return False
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        return False
    flag = detail.get("readOnly")
    if isinstance(flag, bool):
        return flag
    name = str(detail.get("eventName", ""))
    return name.startswith(("Describe", "Get", "List")) and name not in _READ_ONLY_EXCEPTIONS


class EventBridge(RuleOperations, BusOperations, ArchiveOperations, PartnerOperations):
    """Amazon EventBridge in one account and region.

    Operations, by purpose:

    - buses: `create_event_bus`, `describe_event_bus`, `update_event_bus`,
      `delete_event_bus`, `list_event_buses`; resource policy:
      `put_permission`, `remove_permission`
    - rules: `put_rule`, `describe_rule`, `list_rules`,
      `list_rule_names_by_target`, `enable_rule`, `disable_rule`, `delete_rule`
    - targets: `put_targets`, `remove_targets`, `list_targets_by_rule`
    - events: `put_events`, `test_event_pattern`
    - archives and replays (`awsmon.events.archive`): `create_archive`,
      `describe_archive`, `update_archive`, `delete_archive`,
      `list_archives`, `start_replay`, `describe_replay`, `list_replays`,
      `cancel_replay`
    - partner event sources (`awsmon.events.partner`):
      `create_partner_event_source`, `delete_partner_event_source`,
      `describe_partner_event_source`, `list_partner_event_sources`,
      `list_partner_event_source_accounts`, `put_partner_events`,
      `describe_event_source`, `list_event_sources`,
      `activate_event_source`, `deactivate_event_source`
    - tags: `tag_resource`, `untag_resource`, `list_tags_for_resource`

    For other AWS services (not AWS operations): **`put_aws_event`** puts an
    event of an AWS service (``source`` ``aws.<service>``, e.g. CloudWatch's
    "CloudWatch Alarm State Change") on a bus, as AWS does with no API call;
    `put_managed_rule` creates a rule an AWS service manages.

    For tests: `invocations` (every delivery attempt, an `Invocation`, in
    order), `failed_invocations`, `fail_target` (make a target fail),
    `buses`, `archives`, `replays`.

    Settings (attributes): `max_put_events_bytes` (1,048,576: AWS's limit
    since 2026-01-29; set `LEGACY_PUT_EVENTS_LIMIT`, 262,144, for AWS before
    that day), `enforce_target_policies` (True: targets need their resource
    policy, as in AWS), `max_rules_per_bus` (AWS's adjustable quota, 300),
    `retry_base` / `retry_cap` (back-off, seconds),
    `publish_metrics` (AWS/Events metrics into CloudWatch: Invocations,
    FailedInvocations, TriggeredRules, InvocationsSentToDLQ ... by RuleName,
    published by a clock job at the instant they happened),
    `replay_step` (seconds between a replay's steps).

    An event put on a bus reaches its targets before `put_events` returns;
    retries and scheduled rules are clock jobs. Scheduled rules fire on the
    minute (rate schedules one period after creation) and put the
    "Scheduled Event" (source ``aws.events``) to their own targets only.

    Simulation notes:
        - Rule and policy changes apply at once (AWS: eventually consistent).
        - A customer ``source`` starting with ``aws.`` is refused per entry with
          ``NotAuthorizedForSourceException`` (UNCONFIRMED code and message).
        - DeleteEventBus refuses a bus that still has rules (message
          UNCONFIRMED); PutRule with neither pattern nor schedule, and
          ManagedRuleException, use moto's / awsmon's wording (UNCONFIRMED).
        - ``EndpointId`` (global endpoints) is accepted and ignored.
        - Read-only management events from CloudTrail (``readOnly`` true, else
          Describe*/Get*/List* names) reach only rules in state
          ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.invocations: list[Invocation] = []
        self.target_faults: dict[str, TargetFault] = {}
        self.max_put_events_bytes = PUT_EVENTS_LIMIT
        self.enforce_target_policies = True
        self.retry_base = 1.0
        self.retry_cap = 300.0
        self.publish_metrics = True
        self.deliverer = Deliverer(self)
        self._metric_buffer: dict[tuple[str, str], float] = {}
        self._bus_listeners: dict[str, list[Callable[[dict[str, Any]], None]]] = {}

    # -- for tests and other services ------------------------------------------------------

    @property
    def failed_invocations(self) -> list[Invocation]:
        """The delivery attempts that failed, in order."""
        return [i for i in self.invocations if not i.succeeded]

    def fail_target(
        self,
        target_arn: str,
        error_code: str = "THROTTLING",
        error_message: str = "Rate exceeded.",
        *,
        times: int | None = None,
    ) -> None:
        """Make deliveries to `target_arn` fail (a simulation helper, not an AWS operation).

        Args:
            target_arn: the target's ARN.
            error_code: the error type (``THROTTLING``, ``TIMEOUT``,
                ``INTERNAL_ERROR`` are retried; others are not).
            error_message: the message a dead-letter message carries.
            times: fail this many attempts, then succeed (None: always;
                0 removes the fault).
        """
        if times == 0:
            self.target_faults.pop(target_arn, None)
            return
        self.target_faults[target_arn] = TargetFault(error_code, error_message, times)

    def count(self, metric: str, rule: Rule, value: float = 1.0) -> None:
        """Add to an AWS/Events metric of `rule` (dimension RuleName) in CloudWatch.

        Counts of one instant are summed and published by a clock job due at
        that instant, so they are in CloudWatch once the clock next runs its
        jobs (``advance``, ``run_pending``), as one datapoint per metric.
        """
        if not self.publish_metrics:
            return
        buffer = self._metric_buffer
        if not buffer:
            self.ctx.clock.call_at(self.ctx.now(), self._flush_metrics, name="events metrics")
        key = (metric, rule.name)
        buffer[key] = buffer.get(key, 0.0) + value

    def _flush_metrics(self) -> None:
        buffer, self._metric_buffer = self._metric_buffer, {}
        try:
            cloudwatch = self.ctx.sibling("cloudwatch")
        except KeyError:
            return
        now = self.ctx.now()
        for (metric, rule_name), value in buffer.items():
            cloudwatch.publish(
                MetricKey.of("AWS/Events", metric, {"RuleName": rule_name}),
                [(now, value)],
                unit=StandardUnit.COUNT,
            )

    def add_bus_listener(
        self, bus_name: str, listener: Callable[[dict[str, Any]], None]
    ) -> Callable[[], None]:
        """Call `listener(event)` with each event reaching the bus `bus_name`, before its rules
        see it (schema discovery; not an AWS operation); returns the function removing it."""
        listeners = self._bus_listeners.setdefault(bus_name, [])
        listeners.append(listener)

        def remove() -> None:
            if listener in listeners:
                listeners.remove(listener)

        return remove

    # -- events ------------------------------------------------------------------------

    @operation("PutEvents")
    def put_events(
        self, entries: Sequence[PutEventsEntry], *, endpoint_id: str | None = None
    ) -> PutEventsResult:
        """Put custom events on buses (PutEvents); matching targets get them before this returns.

        Each entry becomes the envelope of reference A.1 (version "0", a new
        id, detail-type, source, this account, time, region, resources,
        detail). Entries are handled in order and a bad one does not stop the
        others: ``InvalidArgument`` for a missing Source, DetailType or Detail,
        ``MalformedDetail`` for a Detail that is not a JSON object,
        ``NotAuthorizedForSourceException`` for an ``aws.`` source,
        ``ResourceNotFoundException`` for a missing bus and
        ``AccessDeniedException`` for another account's bus whose policy does
        not allow this one.

        Raises:
            ValidationException: not 1..10 entries, or their total size (as
                `entry_size` counts it) is over `max_put_events_bytes`: "Total
                size of the entries in the request is over the limit."
        """
        del endpoint_id
        self._check_batch(entries, 10)
        return PutEventsResult(tuple(self._put_entry(e) for e in entries))

    def _check_batch(self, entries: Sequence[PutEventsEntry], most: int) -> None:
        """The whole-request checks of PutEvents and PutPartnerEvents: 1..`most` entries whose
        total size (as `entry_size` counts it) is within `max_put_events_bytes`."""
        if not 1 <= len(entries) <= most:
            bound = f"less than or equal to {most}" if entries else "greater than or equal to 1"
            raise REQUEST.invalid("Entries", list(entries), f"Member must have length {bound}")
        if sum(entry_size(e) for e in entries) > self.max_put_events_bytes:
            raise ValidationException(
                "Total size of the entries in the request is over the limit.",
                param="Entries",
                value=len(entries),
            )

    def _put_entry(self, entry: PutEventsEntry) -> PutEventsResultEntry:
        source, detail_type, raw = entry.source, entry.detail_type, entry.detail
        if not (source and detail_type and raw):
            for member, value in (("Source", source), ("DetailType", detail_type), ("Detail", raw)):
                if not value and value != {}:
                    return PutEventsResultEntry(
                        error_code="InvalidArgument",
                        error_message=f"Parameter {member} is not valid. Reason: {member} is a "
                        "required argument.",
                    )
        assert source is not None and detail_type is not None and raw is not None
        detail = parse_detail(raw)
        if detail is None:
            return PutEventsResultEntry(
                error_code="MalformedDetail", error_message="Detail is malformed."
            )
        if source.startswith("aws."):
            return PutEventsResultEntry(
                error_code="NotAuthorizedForSourceException",
                error_message="Not authorized for the source.",
            )
        target = self._bus_for_put(entry.event_bus_name)
        if isinstance(target, PutEventsResultEntry):
            return target
        service, bus = target
        event_id = service.accept(
            bus,
            source=source,
            detail_type=detail_type,
            detail=detail,
            resources=[r for r in entry.resources if r is not None],
            time=entry.time,
            account=self.account_id,
        )
        return PutEventsResultEntry(event_id=event_id)

    def _bus_for_put(
        self, name_or_arn: str | None
    ) -> tuple[EventBridge, EventBus] | PutEventsResultEntry:
        service: EventBridge = self
        name = name_or_arn or DEFAULT_BUS
        if name.startswith("arn:"):
            try:
                arn = Arn.parse(name)
            except InvalidArn:
                arn = None
            if arn is not None:
                name = arn.resource.split("/", 1)[-1]
                if (arn.region, arn.account_id) != (self.region, self.account_id):
                    service = self.ctx.service_at(arn, self.ctx.spec.name)
        bus = service.buses.get(name)
        if bus is None:
            return PutEventsResultEntry(
                error_code="ResourceNotFoundException",
                error_message=f"Event bus {name} does not exist.",
            )
        principal = self.ctx.principal
        if service is not self and not service.allows_put_events(bus, principal):
            return PutEventsResultEntry(
                error_code="AccessDeniedException",
                error_message=f"User: {principal.arn} is not authorized to perform: "
                f"events:PutEvents on resource: {bus.arn} because no resource-based policy "
                "allows the events:PutEvents action",
            )
        return service, bus

    def put_aws_event(
        self,
        *,
        source: str,
        detail_type: str,
        detail: Mapping[str, Any],
        resources: Sequence[str] = (),
        time: datetime | None = None,
        event_bus_name: str | None = None,
    ) -> str:
        """Put an AWS service's own event on a bus (no API call; not subject to PutEvents' rules).

        This is how simulated AWS services publish their events: CloudWatch's
        "CloudWatch Alarm State Change" (source ``aws.cloudwatch``), EC2's
        state changes, CloudTrail's "AWS API Call via CloudTrail"... The event
        lands on the default bus of this account and region unless
        `event_bus_name` says otherwise, and reaches matching rules' targets
        before this returns.

        Args:
            source: ``aws.<service>``.
            detail_type: the ``detail-type``.
            detail: the ``detail`` object.
            resources: ARNs of the resources involved.
            time: the event's time (None: now).
            event_bus_name: the bus (None: default).

        Returns:
            The event's id.

        Raises:
            ResourceNotFoundException: no such bus.
        """
        return self.accept(
            self.bus(event_bus_name),
            source=source,
            detail_type=detail_type,
            detail=dict(detail),
            resources=list(resources),
            time=time,
            account=self.account_id,
        )

    def accept(
        self,
        bus: EventBus,
        *,
        source: str,
        detail_type: str,
        detail: dict[str, Any],
        resources: list[str],
        time: datetime | None,
        account: str,
    ) -> str:
        """Build an event on `bus` and route it; returns its id."""
        now = self.ctx.now()
        at = now if time is None else to_datetime(time)
        event_id = self.ctx.ids.uuid()
        event = envelope(
            event_id=event_id,
            detail_type=detail_type,
            source=source,
            account=account,
            time=at,
            region=self.region,
            resources=resources,
            detail=detail,
        )
        for listener in self._bus_listeners.get(bus.name, ()):
            listener(event)
        names = bus.matcher.matching(event)
        if names:  # most events match no rule: no Received for them
            self._deliver(bus, names, Received(event=event, at=at, ingested_at=now))
        return event_id

    def receive(self, bus: EventBus, received: Received) -> None:
        """Match an event against the bus's rules and deliver it to their targets."""
        for listener in self._bus_listeners.get(bus.name, ()):
            listener(received.event)
        names = bus.matcher.matching(received.event)
        if names:
            self._deliver(bus, names, received)

    def _deliver(self, bus: EventBus, names: list[str], received: Received) -> None:
        """Hand `received` to the targets of the rules `names` (those it matched)."""
        event = received.event
        read_only = _read_only_management(event)
        only = received.only_rules
        for name in names:
            rule = bus.rules[name]
            if (
                read_only
                and rule.state is not RuleState.ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
            ):
                continue
            if only is not None and rule.arn not in only:
                continue
            if rule.managed_by == ARCHIVE_RULE_MANAGER and self.archive_event(rule, received):
                continue
            if self.publish_metrics:
                self.count("TriggeredRules", rule)
            self.ctx.note(
                "rule-match",
                f"rule {rule.name} on {bus.name} matched {event.get('detail-type')!r}"
                f" from {event.get('source')} ({len(rule.targets)} targets)",
                rule=rule.name,
                bus=bus.name,
                event_id=event.get("id"),
            )
            for target in list(rule.targets.values()):
                self.deliverer.deliver(rule, target, received)

    @operation("TestEventPattern")
    def test_event_pattern(self, event_pattern: str | Mapping[str, Any], event: str) -> bool:
        """Whether `event` (JSON text) matches `event_pattern` (TestEventPattern).

        Raises:
            InvalidEventPatternException: the pattern is invalid.
            ValidationException: "Parameter Event is not valid." when the event
                is not a JSON object with id, account, source, time, region and
                detail-type.
        """
        pattern = EventPattern.parse(event_pattern)
        try:
            data = jsondoc.loads(event)
        except (TypeError, ValueError, RecursionError):
            data = None
        required = ("id", "account", "source", "time", "region", "detail-type")
        if not isinstance(data, dict) or any(key not in data for key in required):
            raise ValidationException("Parameter Event is not valid.", param="Event", value=event)
        return pattern.matches(data)

"""EventBridge rules and their targets (part of `EventBridge`).

`RuleOperations` keeps each bus's rules: an event pattern (compiled once and
filed in the bus's shared `RuleMatcher` while the rule is enabled) and/or a
schedule (a clock job at each firing, putting the "Scheduled Event" of source
``aws.events`` to the rule's own targets), a state, and up to five targets
whose input settings are compiled when PutTargets stores them.

Simulation notes: rate schedules fire one period after the rule was created
or (re-)enabled, cron schedules on the minute (AWS: "within that minute");
scheduled events go to the owning rule's targets only. PutRule with neither
pattern nor schedule uses moto's wording, ManagedRuleException awsmon's
(UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import Service, operation
from awsmon.events.buses import LIMIT_MESSAGE
from awsmon.events.errors import (
    LimitExceededException,
    ManagedRuleException,
    ValidationException,
    existing,
)
from awsmon.events.model import (
    DEFAULT_BUS,
    MAX_RULES_PER_BUS,
    MAX_TARGETS_PER_RULE,
    EventBus,
    FailedEntry,
    Received,
    Rule,
    RuleState,
    Target,
    envelope,
)
from awsmon.events.pattern import EventPattern
from awsmon.events.schedule import parse_schedule
from awsmon.events.transform import compile_target_input

if TYPE_CHECKING:
    from awsmon.events.targets import Deliverer

__all__ = ["RuleOperations"]


class RuleOperations(Service):
    """The rules and targets of the buses of one account and region (part of `EventBridge`)."""

    if TYPE_CHECKING:
        buses: dict[str, EventBus]
        deliverer: Deliverer

        def bus(self, name_or_arn: str | None = None) -> EventBus: ...

        def count(self, metric: str, rule: Rule, value: float = 1.0) -> None: ...

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.max_rules_per_bus = MAX_RULES_PER_BUS

    def rule_arn(self, bus_name: str, name: str) -> str:
        """The ARN of rule `name` on bus `bus_name` here."""
        if bus_name == DEFAULT_BUS:
            return self.ctx.arn(f"rule/{name}")
        return self.ctx.arn(f"rule/{bus_name}/{name}")

    def rule(self, name: str, event_bus_name: str | None = None) -> Rule:
        """The rule `name` of a bus.

        Raises:
            ResourceNotFoundException: no such bus, or no such rule on it.
        """
        bus = self.bus(event_bus_name)
        message = f"Rule {name} does not exist on EventBus {bus.name}."
        return existing(bus.rules, name, message, "Name")

    # -- rules ------------------------------------------------------------------------

    @operation("PutRule")
    def put_rule(
        self,
        name: str,
        *,
        event_pattern: str | Mapping[str, Any] | None = None,
        schedule_expression: str | None = None,
        state: RuleState | str = RuleState.ENABLED,
        description: str | None = None,
        role_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
        event_bus_name: str | None = None,
    ) -> Rule:
        """Create or fully replace a rule (PutRule); its targets are kept.

        Args:
            name: the rule name, unique on its bus.
            event_pattern: the pattern (JSON text or a mapping).
            schedule_expression: ``rate(...)`` or ``cron(...)`` (default bus only).
            state: ENABLED (default), DISABLED or
                ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
            description / role_arn: as AWS stores them (omitted on update: reset).
            tags: tags for a new rule (ignored on update, as in AWS).
            event_bus_name: the bus (name or ARN; None: default).

        Raises:
            ResourceNotFoundException: no such bus.
            ValidationException: neither pattern nor schedule, a schedule on a
                custom bus, or a schedule that does not parse.
            InvalidEventPatternException: the pattern is invalid.
            ManagedRuleException: the rule is managed by an AWS service.
            LimitExceededException: 300 rules on the bus already.
        """
        return self._put_rule(
            name,
            event_pattern=event_pattern,
            schedule_expression=schedule_expression,
            state=RuleState(state),
            description=description,
            role_arn=role_arn,
            tags=tags,
            event_bus_name=event_bus_name,
            managed_by=None,
        )

    def put_managed_rule(
        self,
        name: str,
        *,
        managed_by: str,
        event_pattern: str | Mapping[str, Any] | None = None,
        schedule_expression: str | None = None,
        description: str | None = None,
        event_bus_name: str | None = None,
    ) -> Rule:
        """Create or replace a rule managed by the AWS service `managed_by` (no API call).

        Customers see it (``ManagedBy``) but may not change it, and delete it
        or its targets only with Force.
        """
        return self._put_rule(
            name,
            event_pattern=event_pattern,
            schedule_expression=schedule_expression,
            state=RuleState.ENABLED,
            description=description,
            role_arn=None,
            tags=None,
            event_bus_name=event_bus_name,
            managed_by=managed_by,
        )

    def _put_rule(
        self,
        name: str,
        *,
        event_pattern: str | Mapping[str, Any] | None,
        schedule_expression: str | None,
        state: RuleState,
        description: str | None,
        role_arn: str | None,
        tags: Mapping[str, str] | None,
        event_bus_name: str | None,
        managed_by: str | None,
    ) -> Rule:
        bus = self.bus(event_bus_name)
        existing = bus.rules.get(name)
        if existing is not None and existing.managed_by is not None and managed_by is None:
            raise self._managed(existing)
        if event_pattern is None and schedule_expression is None:
            raise ValidationException(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
                param="EventPattern",
                value=None,
            )
        schedule = None
        if schedule_expression is not None:
            if bus.name != DEFAULT_BUS:
                raise ValidationException(
                    "ScheduleExpression is supported only on the default event bus.",
                    param="ScheduleExpression",
                    value=schedule_expression,
                )
            schedule = parse_schedule(schedule_expression)
        pattern = None
        text = None
        if event_pattern is not None:
            pattern = EventPattern.parse(event_pattern)
            text = event_pattern if isinstance(event_pattern, str) else pattern.source
        if (
            state is RuleState.ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
            and bus.event_source_name is not None
        ):
            raise ValidationException(
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is not supported on partner "
                "event buses.",
                param="State",
                value=state.value,
            )
        if existing is None and len(bus.rules) >= self.max_rules_per_bus:
            raise LimitExceededException(LIMIT_MESSAGE, param="Name", value=name)
        if existing is None:
            rule = Rule(
                name=name,
                arn=self.rule_arn(bus.name, name),
                bus_name=bus.name,
                created_by=self.account_id,
                tags=dict(tags or {}),
            )
            bus.rules[name] = rule
        else:
            rule = existing
        restart = (
            rule.schedule_expression != schedule_expression
            or not rule.state.enabled
            or rule.schedule_job is None
        )
        rule.event_pattern = text
        rule.pattern = pattern
        rule.schedule_expression = schedule_expression
        rule.schedule = schedule
        rule.state = state
        rule.description = description
        rule.role_arn = role_arn
        rule.managed_by = managed_by
        self._sync(bus, rule, restart_schedule=restart)
        return rule

    def _sync(self, bus: EventBus, rule: Rule, *, restart_schedule: bool) -> None:
        """Keep the bus's matcher and the rule's clock job in step with the rule."""
        if rule.pattern is not None and rule.state.enabled:
            bus.matcher.add(rule.name, rule.pattern)
        else:
            bus.matcher.remove(rule.name)
        if rule.schedule is None or not rule.state.enabled:
            if rule.schedule_job is not None:
                rule.schedule_job.cancel()
                rule.schedule_job = None
            return
        if restart_schedule or rule.schedule_job is None:
            if rule.schedule_job is not None:
                rule.schedule_job.cancel()
            rule.schedule_anchor = self.ctx.now()
            self._schedule_next(rule, self.ctx.now())

    def _schedule_next(self, rule: Rule, after: datetime) -> None:
        assert rule.schedule is not None and rule.schedule_anchor is not None
        due = rule.schedule.next_after(after, anchor=rule.schedule_anchor)
        if due is None:
            rule.schedule_job = None
            return
        rule.schedule_job = self.ctx.clock.call_at(
            due, self._fire, rule, name=f"events schedule {rule.arn}"
        )

    def _fire(self, rule: Rule) -> None:
        """A scheduled rule's firing: the Scheduled Event to the rule's own targets."""
        bus = self.buses.get(rule.bus_name)
        if bus is None or bus.rules.get(rule.name) is not rule or not rule.state.enabled:
            return
        now = self.ctx.now()
        event = envelope(
            event_id=self.ctx.ids.uuid(),
            detail_type="Scheduled Event",
            source="aws.events",
            account=self.account_id,
            time=now,
            region=self.region,
            resources=[rule.arn],
            detail={},
        )
        received = Received(event=event, at=now, ingested_at=now)
        self.count("TriggeredRules", rule)
        for target in list(rule.targets.values()):
            self.deliverer.deliver(rule, target, received)
        self._schedule_next(rule, now)

    def _managed(self, rule: Rule) -> ManagedRuleException:
        return ManagedRuleException(
            f"Rule {rule.name} is managed by {rule.managed_by} and can only be changed by it "
            "(use Force to delete it or its targets).",
            param="Name",
            value=rule.name,
        )

    @operation("DescribeRule")
    def describe_rule(self, name: str, event_bus_name: str | None = None) -> Rule:
        """The rule `name` (DescribeRule).

        Raises:
            ResourceNotFoundException: "Rule {name} does not exist on EventBus {bus}."
        """
        return self.rule(name, event_bus_name)

    @operation("ListRules")
    def list_rules(
        self, name_prefix: str | None = None, event_bus_name: str | None = None
    ) -> list[Rule]:
        """The rules of a bus whose names start with `name_prefix`, by name (ListRules)."""
        bus = self.bus(event_bus_name)
        return sorted(
            (r for r in bus.rules.values() if r.name.startswith(name_prefix or "")),
            key=lambda r: r.name,
        )

    @operation("ListRuleNamesByTarget")
    def list_rule_names_by_target(
        self, target_arn: str, event_bus_name: str | None = None
    ) -> list[str]:
        """The names of a bus's rules with a target `target_arn` (ListRuleNamesByTarget)."""
        bus = self.bus(event_bus_name)
        return sorted(
            r.name
            for r in bus.rules.values()
            if any(t.arn == target_arn for t in r.targets.values())
        )

    @operation("EnableRule")
    def enable_rule(self, name: str, event_bus_name: str | None = None) -> None:
        """Enable a rule (EnableRule); a scheduled rule starts counting again now."""
        self._set_state(name, event_bus_name, RuleState.ENABLED)

    @operation("DisableRule")
    def disable_rule(self, name: str, event_bus_name: str | None = None) -> None:
        """Disable a rule (DisableRule): no matching, no scheduled firing."""
        self._set_state(name, event_bus_name, RuleState.DISABLED)

    def _set_state(self, name: str, event_bus_name: str | None, state: RuleState) -> None:
        rule = self.rule(name, event_bus_name)
        if rule.managed_by is not None:
            raise self._managed(rule)
        if state is RuleState.ENABLED and rule.state.enabled:
            return
        rule.state = state
        self._sync(self.bus(event_bus_name), rule, restart_schedule=True)

    @operation("DeleteRule")
    def delete_rule(
        self, name: str, event_bus_name: str | None = None, *, force: bool = False
    ) -> None:
        """Delete a rule without targets (DeleteRule); an unknown rule is ignored.

        Raises:
            ResourceNotFoundException: no such bus.
            ValidationException: "Rule can't be deleted since it has targets."
            ManagedRuleException: a managed rule without `force`.
        """
        bus = self.bus(event_bus_name)
        rule = bus.rules.get(name)
        if rule is None:
            return
        if rule.managed_by is not None and not force:
            raise self._managed(rule)
        if rule.targets:
            raise ValidationException(
                "Rule can't be deleted since it has targets.", param="Name", value=name
            )
        del bus.rules[name]
        bus.matcher.remove(name)
        if rule.schedule_job is not None:
            rule.schedule_job.cancel()
            rule.schedule_job = None

    # -- targets ------------------------------------------------------------------------

    @operation("PutTargets")
    def put_targets(
        self, rule: str, targets: Sequence[Target], event_bus_name: str | None = None
    ) -> list[FailedEntry]:
        """Add or replace targets of a rule, by Id (PutTargets).

        Each target's input setting is compiled here (see
        `awsmon.events.transform`). Returns the targets that failed (none in
        the simulation, where there are no concurrent modifications).

        Raises:
            ResourceNotFoundException: no such bus or rule.
            LimitExceededException: the rule would have more than 5 targets.
            ValidationException: a bad input setting, a FIFO queue without
                SqsParameters, an input setting on another account's bus.
            ManagedRuleException: a managed rule.
        """
        found = self.rule(rule, event_bus_name)
        if found.managed_by is not None:
            raise self._managed(found)
        compiled: dict[str, Target] = {}
        for index, target in enumerate(targets, 1):
            compiled[target.id] = self._compile_target(target, index)
        ids = set(found.targets) | set(compiled)
        if len(ids) > MAX_TARGETS_PER_RULE:
            raise LimitExceededException(LIMIT_MESSAGE, param="Targets", value=len(ids))
        found.targets.update(compiled)
        return []

    def _compile_target(self, target: Target, index: int) -> Target:
        member = f"targets.{index}.member"
        arn = target.arn
        try:
            parsed = Arn.parse(arn)
        except InvalidArn:
            raise ValidationException(
                f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.",
                param="Arn",
                value=arn,
            ) from None
        if target.service == "sqs" and arn.endswith(".fifo") and target.message_group_id is None:
            raise ValidationException(
                f"Parameter(s) SqsParameters must be specified for target: {target.id}.",
                param="SqsParameters",
                value=target.id,
            )
        has_input = (
            target.input is not None
            or target.input_path is not None
            or target.input_template is not None
        )
        if target.service == "events" and parsed.account_id != self.account_id and has_input:
            raise ValidationException(
                f"Modifying the input for target {target.id} is not supported: Input, InputPath "
                "and InputTransformer are not available for an event bus of another account.",
                param="Targets",
                value=target.id,
            )
        if target.dead_letter_arn is not None and (
            not target.dead_letter_arn.startswith("arn:") or ":sqs:" not in target.dead_letter_arn
        ):
            raise ValidationException(
                f"Parameter DeadLetterConfig.Arn is not valid for target {target.id}: "
                "it must be the ARN of an SQS queue.",
                param="DeadLetterConfig",
                value=target.dead_letter_arn,
            )
        compiled = compile_target_input(
            target_id=target.id,
            input=target.input,
            input_path=target.input_path,
            input_paths_map=target.input_paths_map,
            input_template=target.input_template,
            member=member,
        )
        return attrs.evolve(target, compiled=compiled)

    @operation("RemoveTargets")
    def remove_targets(
        self,
        rule: str,
        ids: Iterable[str],
        event_bus_name: str | None = None,
        *,
        force: bool = False,
    ) -> list[FailedEntry]:
        """Remove targets by Id (RemoveTargets); unknown ids are ignored.

        Raises:
            ResourceNotFoundException: no such bus or rule.
            ManagedRuleException: a managed rule without `force`.
        """
        found = self.rule(rule, event_bus_name)
        if found.managed_by is not None and not force:
            raise self._managed(found)
        for target_id in ids:
            found.targets.pop(target_id, None)
        return []

    @operation("ListTargetsByRule")
    def list_targets_by_rule(self, rule: str, event_bus_name: str | None = None) -> list[Target]:
        """The targets of a rule, in the order they were first put (ListTargetsByRule)."""
        return list(self.rule(rule, event_bus_name).targets.values())

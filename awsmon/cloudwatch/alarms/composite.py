"""Composite alarms: building one from PutCompositeAlarm, evaluation, action suppression.

Main names:

- `CompositeAlarmSettings`: PutCompositeAlarm's parameters (besides AlarmName
  and AlarmRule), written once; `build_composite_alarm` checks them and builds
  the `CompositeAlarm`.
- `AlarmBook`: what composite evaluation asks of the alarm owner
  (`awsmon.cloudwatch.alarms.store.Alarms`), through public methods only.
- `Composites`: the owner's collaborator that decides a composite's state from
  its children's (ALARM while the rule holds, else OK), re-evaluates the
  parents of an alarm that changed, and runs or holds back a composite's actions.

Suppression timeline (AWS user guide, "Composite alarm action suppression"),
with suppressor S, wait period W and extension period X:

- the composite changes state while S is not in ALARM: actions wait W; if S
  goes into ALARM meanwhile, they stay held while S is in ALARM; if W ends
  first, they run for the composite's state at that moment;
- the composite changes state while S is in ALARM: held (``Alarm``);
- S leaves ALARM while it holds actions: X starts; when X ends, the actions
  of the composite's state at that moment run;
- a new transition during W or X starts a new W.

Simulation notes:
    A rule that references alarms in a cycle is evaluated once per change and
    stops there. A composite whose state changes while its actions are held
    keeps the previous state of the first held transition for its messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypedDict

from awsmon import jsondoc
from awsmon.clock import VirtualClock
from awsmon.cloudwatch.alarms.checks import check_common
from awsmon.cloudwatch.alarms.history import Previous
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.reason import (
    TriggeringAlarm,
    composite_creation_reason,
    composite_reason_data,
    composite_transition_reason,
)
from awsmon.cloudwatch.alarms.records import (
    ActionsSuppressedBy,
    Alarm,
    CompositeAlarm,
    MetricAlarm,
)
from awsmon.cloudwatch.alarms.rule import AlarmRule
from awsmon.cloudwatch.errors import ValidationError

__all__ = [
    "AlarmBook",
    "CompositeAlarmSettings",
    "Composites",
    "build_composite_alarm",
    "child_name",
]


class CompositeAlarmSettings(TypedDict, total=False):
    """PutCompositeAlarm's parameters besides AlarmName and AlarmRule, snake_cased.

    Omitted values default as AWS does: no description, no actions,
    `actions_enabled` True, no suppressor.
    """

    alarm_description: str | None
    actions_enabled: bool
    ok_actions: Sequence[str]
    alarm_actions: Sequence[str]
    insufficient_data_actions: Sequence[str]
    tags: Mapping[str, str] | None
    actions_suppressor: str | None
    actions_suppressor_wait_period: int | None
    actions_suppressor_extension_period: int | None


def child_name(arn_prefix: str, reference: str) -> str:
    """The alarm name a rule reference (a name or this place's alarm ARN) stands for."""
    if reference.startswith(arn_prefix):
        return reference[len(arn_prefix) :]
    return reference


def _check_suppressor(
    settings: CompositeAlarmSettings, arn_prefix: str, exists: Callable[[str], bool]
) -> None:
    suppressor = settings.get("actions_suppressor")
    wait = settings.get("actions_suppressor_wait_period")
    extension = settings.get("actions_suppressor_extension_period")
    if suppressor is None:
        if wait is not None or extension is not None:
            raise ValidationError(
                "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod can only be "
                "used with ActionsSuppressor.",
                param="ActionsSuppressorWaitPeriod",
            )
        return
    if wait is None or extension is None:
        raise ValidationError(
            "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are "
            "required when ActionsSuppressor is specified.",
            param="ActionsSuppressor",
            value=suppressor,
        )
    if not exists(child_name(arn_prefix, suppressor)):
        raise ValidationError(
            f"The ActionsSuppressor alarm {suppressor} does not exist.",
            param="ActionsSuppressor",
            value=suppressor,
        )


def _seconds(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def build_composite_alarm(
    alarm_name: str,
    alarm_rule: str,
    settings: CompositeAlarmSettings,
    *,
    arn_prefix: str,
    region: str,
    now: datetime,
    exists: Callable[[str], bool],
) -> CompositeAlarm:
    """A new `CompositeAlarm` from PutCompositeAlarm's arguments, every check passed.

    Args:
        exists: whether an alarm of that name exists (children and suppressor
            must; the composite itself may be named in its rule).

    Raises:
        ValidationError: a rule that does not parse or names alarms that do not
            exist, a suppressor without both periods, bad actions or tags.
    """
    actions = {
        "OKActions": settings.get("ok_actions", ()),
        "AlarmActions": settings.get("alarm_actions", ()),
        "InsufficientDataActions": settings.get("insufficient_data_actions", ()),
    }
    description, tags = settings.get("alarm_description"), settings.get("tags")
    check_common(
        name=alarm_name,
        description=description,
        actions=actions,
        tags=tags,
        region=region,
        composite=True,
        instance_metric=False,
    )
    rule = AlarmRule.parse(alarm_rule)
    children = {child_name(arn_prefix, r) for r in rule.referenced_alarms}
    unknown = sorted(n for n in children if not exists(n) and n != alarm_name)
    if unknown:
        raise ValidationError(
            f"Could not save the composite alarm as alarms [{', '.join(unknown)}] in the "
            "alarm rule do not exist",
            param="AlarmRule",
            value=alarm_rule,
        )
    _check_suppressor(settings, arn_prefix, exists)
    return CompositeAlarm(
        name=alarm_name,
        arn=arn_prefix + alarm_name,
        description=description,
        actions_enabled=settings.get("actions_enabled", True),
        ok_actions=actions["OKActions"],
        alarm_actions=actions["AlarmActions"],
        insufficient_data_actions=actions["InsufficientDataActions"],
        tags=dict(tags or {}),
        configuration_updated_at=now,
        state_updated_at=now,
        state_transitioned_at=now,
        rule=rule,
        rule_text=alarm_rule,
        actions_suppressor=settings.get("actions_suppressor"),
        wait_period=_seconds(settings.get("actions_suppressor_wait_period")),
        extension_period=_seconds(settings.get("actions_suppressor_extension_period")),
    )


class AlarmBook(Protocol):
    """What `Composites` asks of the alarm owner."""

    def get(self, name: str) -> MetricAlarm | CompositeAlarm | None:
        """The alarm `name`, or None."""
        ...

    def parents_of(self, name: str) -> Collection[str]:
        """The composites whose rule references the alarm `name`."""
        ...

    def suppressed_by(self, name: str) -> Collection[str]:
        """The composites whose ActionsSuppressor is the alarm `name`."""
        ...

    def change_state(
        self, alarm: Alarm, state: AlarmState, reason: str, reason_data: str | None, data: Any
    ) -> None:
        """Move `alarm` to `state`, with everything that follows."""
        ...

    def run_actions(
        self, alarm: Alarm, previous: Previous, *, triggering: list[dict[str, Any]]
    ) -> None:
        """Carry out (and record) the actions of the state `alarm` is in."""
        ...


def _triggering(composite: CompositeAlarm) -> list[dict[str, Any]]:
    if composite.state_reason_data is None:
        return []
    try:
        data = jsondoc.loads(composite.state_reason_data)
    except ValueError:
        return []
    found = data.get("triggeringAlarms", []) if isinstance(data, dict) else []
    return [
        {
            "Arn": entry.get("arn"),
            "State": {
                "Value": entry.get("state", {}).get("value"),
                "Timestamp": entry.get("state", {}).get("timestamp"),
            },
        }
        for entry in found
        if isinstance(entry, dict)
    ]


class Composites:
    """Composite evaluation and action suppression for the alarms of `book` (see the module).

    Args:
        book: the alarm owner.
        clock: for the wait and extension periods.
        arn_prefix: this place's alarm ARN prefix (rules may name alarms by ARN).
    """

    def __init__(self, book: AlarmBook, clock: VirtualClock, arn_prefix: str) -> None:
        self._book = book
        self._clock = clock
        self._arn_prefix = arn_prefix
        self._evaluating: set[str] = set()

    def child_names(self, references: Iterable[str]) -> set[str]:
        """The alarm names several rule references stand for."""
        return {child_name(self._arn_prefix, reference) for reference in references}

    def suppressor_name(self, composite: CompositeAlarm) -> str | None:
        """The name of the composite's ActionsSuppressor alarm, or None."""
        if composite.actions_suppressor is None:
            return None
        return child_name(self._arn_prefix, composite.actions_suppressor)

    def _child(self, reference: str) -> MetricAlarm | CompositeAlarm | None:
        return self._book.get(child_name(self._arn_prefix, reference))

    def evaluate(self, composite: CompositeAlarm, trigger: Alarm | None = None) -> None:
        """Decide `composite`'s state from its children's and change it if it differs.

        Args:
            trigger: the child whose change caused this evaluation (None after
                PutCompositeAlarm), named in the StateReason.
        """
        if composite.name in self._evaluating:
            return
        self._evaluating.add(composite.name)
        try:
            states: dict[str, AlarmState] = {}
            for reference in composite.rule.referenced_alarms:
                child = self._child(reference)
                states[reference] = AlarmState.INSUFFICIENT_DATA if child is None else child.state
            new = AlarmState.ALARM if composite.rule.evaluate(states) else AlarmState.OK
            if new is composite.state:
                return
            if trigger is not None:
                reason = composite_transition_reason(
                    trigger.arn, trigger.state, trigger.state_transitioned_at
                )
                triggering: list[Alarm] = [trigger]
            else:
                reason = composite_creation_reason(composite.arn, new)
                triggering = [
                    child
                    for reference in sorted(composite.rule.referenced_alarms)
                    if (child := self._child(reference)) is not None
                    and child.state is AlarmState.ALARM
                ]
            data = composite_reason_data(
                [TriggeringAlarm(c.arn, c.state, c.state_transitioned_at) for c in triggering]
            )
            text = json.dumps(data, separators=(",", ":"))
            self._book.change_state(composite, new, reason, text, data)
        finally:
            self._evaluating.discard(composite.name)

    def after_state_change(self, alarm: Alarm) -> None:
        """Re-evaluate the parents of `alarm`, and update the composites it suppresses."""
        for parent_name in sorted(self._book.parents_of(alarm.name)):
            parent = self._book.get(parent_name)
            if isinstance(parent, CompositeAlarm):
                self.evaluate(parent, alarm)
        for name in sorted(self._book.suppressed_by(alarm.name)):
            composite = self._book.get(name)
            if isinstance(composite, CompositeAlarm):
                self._suppressor_changed(composite, alarm)

    def on_transition(self, composite: CompositeAlarm, previous: Previous) -> None:
        """On a transition of `composite`: run its actions now, or hold them (suppression)."""
        held_before = composite.actions_suppressed_by is not None
        composite.cancel_suppression_timer()
        if not composite.actions_enabled or not composite.actions_for(composite.state):
            composite.suppress(None)
            composite.held_previous = None
            return
        if composite.actions_suppressor is None:
            composite.suppress(None)
            self._book.run_actions(composite, previous, triggering=_triggering(composite))
            return
        if not held_before or composite.held_previous is None:
            composite.held_previous = previous
        suppressor = self._child(composite.actions_suppressor)
        if suppressor is not None and suppressor.state is AlarmState.ALARM:
            composite.suppress(ActionsSuppressedBy.ALARM)
            return
        composite.suppress(ActionsSuppressedBy.WAIT_PERIOD)
        self._start_timer(composite, composite.wait_period)

    def _start_timer(self, composite: CompositeAlarm, delay: timedelta | None) -> None:
        composite.suppression_timer = self._clock.call_later(
            delay or timedelta(0),
            self._timer_expired,
            composite.name,
            name=f"cloudwatch composite suppression {composite.name}",
        )

    def _timer_expired(self, name: str) -> None:
        composite = self._book.get(name)
        if not isinstance(composite, CompositeAlarm) or composite.actions_suppressed_by in (
            None,
            ActionsSuppressedBy.ALARM,
        ):
            return
        composite.suppression_timer = None
        previous = composite.held_previous or (
            composite.state,
            composite.state_reason,
            composite.state_reason_data,
            composite.state_updated_at,
        )
        composite.suppress(None)
        composite.held_previous = None
        self._book.run_actions(composite, previous, triggering=_triggering(composite))

    def _suppressor_changed(self, composite: CompositeAlarm, suppressor: Alarm) -> None:
        held = composite.actions_suppressed_by
        if held is None:
            return
        if suppressor.state is AlarmState.ALARM and held is not ActionsSuppressedBy.ALARM:
            composite.cancel_suppression_timer()
            composite.suppress(ActionsSuppressedBy.ALARM)
        elif suppressor.state is not AlarmState.ALARM and held is ActionsSuppressedBy.ALARM:
            composite.suppress(ActionsSuppressedBy.EXTENSION_PERIOD)
            self._start_timer(composite, composite.extension_period)

"""Composite alarms: evaluation when a child changes, and action suppression.

Functions the alarm service calls (they take it as their first argument):

- `child_name`: the alarm name an AlarmRule reference (name or ARN) stands for.
- `evaluate_composite`: decide a composite's state from its children's
  states (ALARM while the rule holds, else OK) and change it.
- `after_state_change`: re-evaluate the composites that reference an alarm
  that changed state, and tell the composites it suppresses.
- `composite_actions`: on a composite's transition, run its actions or hold
  them back while its ActionsSuppressor is in ALARM or during the wait and
  extension periods.

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
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from awsmon.cloudwatch.alarms.effects import Previous, run_actions
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.reason import (
    TriggeringAlarm,
    composite_creation_reason,
    composite_reason_data,
    composite_transition_reason,
)
from awsmon.cloudwatch.alarms.records import ActionsSuppressedBy, Alarm, CompositeAlarm

if TYPE_CHECKING:
    from awsmon.cloudwatch.alarms.runner import AlarmRunner

__all__ = [
    "after_state_change",
    "child_name",
    "composite_actions",
    "evaluate_composite",
    "reference_names",
]


def child_name(service: AlarmRunner, reference: str) -> str:
    """The alarm name a rule reference (a name or this place's alarm ARN) stands for."""
    prefix = service.ctx.arn("alarm:")
    if reference.startswith(prefix):
        return reference[len(prefix) :]
    return reference


def reference_names(service: AlarmRunner, references: Iterable[str]) -> set[str]:
    """The alarm names of several references."""
    return {child_name(service, reference) for reference in references}


def evaluate_composite(
    service: AlarmRunner, composite: CompositeAlarm, trigger: Alarm | None = None
) -> None:
    """Decide `composite`'s state from its children's and change it if it differs.

    Args:
        trigger: the child whose change caused this evaluation (None after
            PutCompositeAlarm), named in the StateReason.
    """
    if composite.name in service._composites_evaluating:
        return
    service._composites_evaluating.add(composite.name)
    try:
        states: dict[str, AlarmState] = {}
        for reference in composite.rule.referenced_alarms:
            child = service._alarms.get(child_name(service, reference))
            states[reference] = AlarmState.INSUFFICIENT_DATA if child is None else child.state
        new = AlarmState.ALARM if composite.rule.evaluate(states) else AlarmState.OK
        if new is composite.state:
            return
        if trigger is not None:
            reason = composite_transition_reason(
                trigger.arn, trigger.state, trigger.state_transitioned_at
            )
            triggering = [trigger]
        else:
            reason = composite_creation_reason(composite.arn, new)
            triggering = [
                child
                for reference in sorted(composite.rule.referenced_alarms)
                if (child := service._alarms.get(child_name(service, reference))) is not None
                and child.state is AlarmState.ALARM
            ]
        data = composite_reason_data(
            [TriggeringAlarm(c.arn, c.state, c.state_transitioned_at) for c in triggering]
        )
        service._change_state(composite, new, reason, json.dumps(data, separators=(",", ":")), data)
    finally:
        service._composites_evaluating.discard(composite.name)


def after_state_change(service: AlarmRunner, alarm: Alarm) -> None:
    """Re-evaluate the parents of `alarm`, and update the composites it suppresses."""
    for parent_name in sorted(service._parents.get(alarm.name, ())):
        parent = service._alarms.get(parent_name)
        if isinstance(parent, CompositeAlarm):
            evaluate_composite(service, parent, alarm)
    for name in sorted(service._suppressing.get(alarm.name, ())):
        composite = service._alarms.get(name)
        if isinstance(composite, CompositeAlarm):
            _suppressor_changed(service, composite, alarm)


def _triggering(composite: CompositeAlarm) -> list[dict[str, Any]]:
    if composite.state_reason_data is None:
        return []
    try:
        data = json.loads(composite.state_reason_data)
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


def _cancel(composite: CompositeAlarm) -> None:
    if composite.suppression_timer is not None:
        composite.suppression_timer.cancel()
        composite.suppression_timer = None


def _suppress(composite: CompositeAlarm, by: ActionsSuppressedBy | None) -> None:
    composite.actions_suppressed_by = by
    composite.actions_suppressed_reason = (
        None if by is None else f"Actions suppressed by {by.value}"
    )


def _suppressor_state(service: AlarmRunner, composite: CompositeAlarm) -> AlarmState | None:
    if composite.actions_suppressor is None:
        return None
    found = service._alarms.get(child_name(service, composite.actions_suppressor))
    return None if found is None else found.state


def composite_actions(service: AlarmRunner, composite: CompositeAlarm, previous: Previous) -> None:
    """On a transition of `composite`: run its actions now, or hold them (suppression)."""
    held_before = composite.actions_suppressed_by is not None
    _cancel(composite)
    if not composite.actions_enabled or not composite.actions_for(composite.state):
        _suppress(composite, None)
        composite.held_previous = None
        return
    if composite.actions_suppressor is None:
        _suppress(composite, None)
        run_actions(
            service, composite, previous, service.ctx.now(), triggering=_triggering(composite)
        )
        return
    if not held_before or composite.held_previous is None:
        composite.held_previous = previous
    if _suppressor_state(service, composite) is AlarmState.ALARM:
        _suppress(composite, ActionsSuppressedBy.ALARM)
        return
    _suppress(composite, ActionsSuppressedBy.WAIT_PERIOD)
    _start_timer(service, composite, composite.wait_period)


def _start_timer(service: AlarmRunner, composite: CompositeAlarm, delay: Any) -> None:
    composite.suppression_timer = service.ctx.clock.call_later(
        delay,
        _timer_expired,
        service,
        composite.name,
        name=f"cloudwatch composite suppression {composite.name}",
    )


def _timer_expired(service: AlarmRunner, name: str) -> None:
    composite = service._alarms.get(name)
    if not isinstance(composite, CompositeAlarm) or composite.actions_suppressed_by in (
        None,
        ActionsSuppressedBy.ALARM,
    ):
        return
    composite.suppression_timer = None
    _release(service, composite)


def _release(service: AlarmRunner, composite: CompositeAlarm) -> None:
    previous = composite.held_previous or (
        composite.state,
        composite.state_reason,
        composite.state_reason_data,
        composite.state_updated_at,
    )
    _suppress(composite, None)
    composite.held_previous = None
    run_actions(service, composite, previous, service.ctx.now(), triggering=_triggering(composite))


def _suppressor_changed(service: AlarmRunner, composite: CompositeAlarm, suppressor: Alarm) -> None:
    held = composite.actions_suppressed_by
    if held is None:
        return
    if suppressor.state is AlarmState.ALARM and held is not ActionsSuppressedBy.ALARM:
        _cancel(composite)
        _suppress(composite, ActionsSuppressedBy.ALARM)
    elif suppressor.state is not AlarmState.ALARM and held is ActionsSuppressedBy.ALARM:
        _suppress(composite, ActionsSuppressedBy.EXTENSION_PERIOD)
        _start_timer(service, composite, composite.extension_period)

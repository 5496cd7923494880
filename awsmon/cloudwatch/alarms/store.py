"""`Alarms`: the one owner of a place's CloudWatch alarms and everything about them.

`Alarms` holds the metric and composite alarms, the composite parents of each
alarm, which composites each alarm suppresses, the alarm history, the
state-change events and the actions carried out; it is the only code that
changes them. The CloudWatch service (`awsmon.cloudwatch.service.CloudWatch`)
owns one and delegates its alarm operations to it. Its collaborators work
through public methods:

- `awsmon.cloudwatch.alarms.runner.MetricAlarmEvaluator` evaluates a metric
  alarm and answers the change to make;
- `awsmon.cloudwatch.alarms.composite.Composites` evaluates composites and
  holds back their actions, asking this owner through the `AlarmBook` protocol;
- `awsmon.cloudwatch.alarms.effects.AlarmEffects` carries out actions and
  puts state-change events on the default bus.

Time: one clock job evaluates every alarm with a period of a minute or more
at each whole minute, another every 10 seconds those with 10, 20 or 30 second
periods. A state change (`Alarms.change_state`) writes the StateUpdate history
item, runs the new state's actions (when enabled), puts the "CloudWatch Alarm
State Change" event on the default bus, and re-evaluates the composite alarms
that reference the alarm.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from awsmon import jsondoc
from awsmon.clock import Job
from awsmon.cloudwatch.alarms.anomaly import AnomalyDetectors
from awsmon.cloudwatch.alarms.checks import check_common, check_names
from awsmon.cloudwatch.alarms.composite import (
    CompositeAlarmSettings,
    Composites,
    build_composite_alarm,
)
from awsmon.cloudwatch.alarms.config import AlarmPlace, MetricAlarmSettings, build_metric_alarm
from awsmon.cloudwatch.alarms.effects import AlarmEffects
from awsmon.cloudwatch.alarms.evaluation import evaluate
from awsmon.cloudwatch.alarms.explain import (
    AlarmExplanation,
    explain_composite_alarm,
    explain_metric_alarm,
)
from awsmon.cloudwatch.alarms.history import (
    Previous,
    action_item,
    configuration_item,
    deletion_item,
    state_update_item,
)
from awsmon.cloudwatch.alarms.listing import AlarmPage, AlarmQuery, alarm_page
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import (
    ActionInvocation,
    Alarm,
    AlarmHistoryItem,
    CompositeAlarm,
    MetricAlarm,
)
from awsmon.cloudwatch.alarms.runner import MetricAlarmEvaluator
from awsmon.cloudwatch.errors import (
    InvalidFormatFault,
    ResourceNotFound,
    ResourceNotFoundException,
    ValidationError,
)
from awsmon.cloudwatch.metrics.catalog import MetricCatalog
from awsmon.cloudwatch.metrics.store import epoch_seconds, from_epoch
from awsmon.dispatch import ServiceContext

__all__ = ["Alarms"]

#: What an alarm keeps when PutMetricAlarm / PutCompositeAlarm replaces it.
_KEPT_ON_UPDATE = (
    "state",
    "state_reason",
    "state_reason_data",
    "state_updated_at",
    "state_transitioned_at",
    "action_invocations",
    "tags",
)


class Alarms:
    """The alarms of one account and region (see the module).

    Attributes:
        history: every history item, oldest first (DescribeAlarmHistory reads it).
        events: every "CloudWatch Alarm State Change" event, oldest first.
        action_invocations: every alarm action carried out, oldest first.
        evaluations: how many metric-alarm evaluations have run.
    """

    def __init__(
        self, ctx: ServiceContext, metrics: MetricCatalog, detectors: AnomalyDetectors
    ) -> None:
        self._ctx = ctx
        self._metrics = metrics
        self._detectors = detectors
        self._arn_prefix = ctx.arn("alarm:")
        self._alarms: dict[str, MetricAlarm | CompositeAlarm] = {}
        self._by_cadence: dict[bool, dict[str, MetricAlarm]] = {False: {}, True: {}}
        self._parents: dict[str, set[str]] = {}
        self._suppressing: dict[str, set[str]] = {}
        self._jobs: dict[bool, Job] = {}
        self._evaluator = MetricAlarmEvaluator(metrics, detectors)
        self._effects = AlarmEffects(ctx)
        self._composites = Composites(self, ctx.clock, self._arn_prefix)
        self.history: list[AlarmHistoryItem] = []
        self.events: list[dict[str, Any]] = []
        self.action_invocations: list[ActionInvocation] = []
        self.evaluations = 0

    # -- lookups (the AlarmBook protocol) -------------------------------------------

    def get(self, name: str) -> MetricAlarm | CompositeAlarm | None:
        """The alarm `name`, or None."""
        return self._alarms.get(name)

    def named(self, name: str) -> MetricAlarm | CompositeAlarm:
        """The alarm `name`.

        Raises:
            ResourceNotFound: no such alarm.
        """
        found = self._alarms.get(name)
        if found is None:
            raise ResourceNotFound(f"Alarm {name} does not exist", param="AlarmName", value=name)
        return found

    def all(self) -> list[MetricAlarm | CompositeAlarm]:
        """Every alarm, by name."""
        return [alarm for _, alarm in sorted(self._alarms.items())]

    def explain(self, name: str, at: datetime | None = None) -> AlarmExplanation:
        """Why the alarm `name` is in its state, as an evaluation at `at` (default: now) sees it.

        Metric alarms: the evaluation range and its datapoints, the M-of-N rule,
        missing data, the actions. Composites: the rule tree with each child's state.

        Raises:
            ResourceNotFound: no such alarm.
        """
        alarm = self.named(name)
        when = self._ctx.now() if at is None else at
        if isinstance(alarm, CompositeAlarm):
            states = {a.name: a.state for a in self._alarms.values()}
            states.update({a.arn: a.state for a in self._alarms.values()})
            return explain_composite_alarm(alarm, states, when)
        start, window = self._evaluator.window_at(alarm, epoch_seconds(when))
        result = evaluate(alarm.config, window, alarm.state)
        stamps = [from_epoch(start + i * alarm.period) for i in range(len(window))]
        return explain_metric_alarm(alarm, result, stamps, when)

    def parents_of(self, name: str) -> Collection[str]:
        """The composites whose rule references the alarm `name`."""
        return frozenset(self._parents.get(name, ()))

    def suppressed_by(self, name: str) -> Collection[str]:
        """The composites whose ActionsSuppressor is the alarm `name`."""
        return frozenset(self._suppressing.get(name, ()))

    def describe(self, query: AlarmQuery) -> AlarmPage:
        """DescribeAlarms (see `awsmon.cloudwatch.alarms.listing.alarm_page`)."""
        return alarm_page(
            self._alarms,
            query,
            children_of=lambda composite: self._composites.child_names(
                composite.rule.referenced_alarms
            ),
            parents_of=self.parents_of,
        )

    # -- storing alarms -------------------------------------------------------------

    def _place(self) -> AlarmPlace:
        return AlarmPlace(
            arn_prefix=self._arn_prefix,
            region=self._ctx.region,
            now=self._ctx.now(),
            metrics=self._metrics,
            bands=self._detectors,
            new_id=self._ctx.ids.uuid,
        )

    def put_metric_alarm(self, alarm_name: str, settings: MetricAlarmSettings) -> MetricAlarm:
        """PutMetricAlarm: build, check and store (or replace) a metric alarm."""
        alarm = build_metric_alarm(alarm_name, settings, self._place())
        old = self._alarms.get(alarm_name)
        if isinstance(old, CompositeAlarm):
            raise ValidationError(
                f"An alarm named {alarm_name} exists already as a composite alarm.",
                param="AlarmName",
                value=alarm_name,
            )
        if alarm.math_plan is not None and alarm.math_plan.band is not None:
            query = next(q for q in alarm.metrics if q.id == alarm.math_plan.band[0])
            assert query.metric_stat is not None
            self._detectors.anomaly_detector(query.metric_stat.metric, query.metric_stat.stat)
        self._save(alarm, old)
        return alarm

    def put_composite_alarm(
        self, alarm_name: str, alarm_rule: str, settings: CompositeAlarmSettings
    ) -> CompositeAlarm:
        """PutCompositeAlarm: build, check and store (or replace) a composite alarm.

        It is evaluated at the next move of the clock, then whenever a child
        changes state.
        """
        alarm = build_composite_alarm(
            alarm_name,
            alarm_rule,
            settings,
            arn_prefix=self._arn_prefix,
            region=self._ctx.region,
            now=self._ctx.now(),
            exists=self._alarms.__contains__,
        )
        old = self._alarms.get(alarm_name)
        if isinstance(old, MetricAlarm):
            raise ValidationError(
                f"An alarm named {alarm_name} exists already as a metric alarm.",
                param="AlarmName",
                value=alarm_name,
            )
        self._save(alarm, old)
        for child in self._composites.child_names(alarm.rule.referenced_alarms):
            self._parents.setdefault(child, set()).add(alarm_name)
        suppressor = self._composites.suppressor_name(alarm)
        if suppressor is not None:
            self._suppressing.setdefault(suppressor, set()).add(alarm_name)
        self._ctx.clock.call_later(
            0, self._evaluate_composite, alarm_name, name=f"composite {alarm_name}"
        )
        return alarm

    def _evaluate_composite(self, name: str) -> None:
        found = self._alarms.get(name)
        if isinstance(found, CompositeAlarm):
            self._composites.evaluate(found)

    def _save(self, alarm: MetricAlarm | CompositeAlarm, old: Alarm | None) -> None:
        if old is not None:
            for field_name in _KEPT_ON_UPDATE:
                setattr(alarm, field_name, getattr(old, field_name))
            self._forget(old)
        self._alarms[alarm.name] = alarm
        if isinstance(alarm, MetricAlarm):
            self._by_cadence[alarm.high_resolution][alarm.name] = alarm
            self._ensure_job(alarm.high_resolution)
        self.history.append(configuration_item(alarm, old, self._ctx.now()))

    def _forget(self, alarm: Alarm) -> None:
        """Drop an alarm from the indexes (before it is replaced or deleted)."""
        self._alarms.pop(alarm.name, None)
        for cadence in self._by_cadence.values():
            cadence.pop(alarm.name, None)
        if isinstance(alarm, CompositeAlarm):
            alarm.cancel_suppression_timer()
            for child in self._composites.child_names(alarm.rule.referenced_alarms):
                self._parents.get(child, set()).discard(alarm.name)
            suppressor = self._composites.suppressor_name(alarm)
            if suppressor is not None:
                self._suppressing.get(suppressor, set()).discard(alarm.name)

    def delete(self, names: Iterable[str]) -> None:
        """DeleteAlarms; names that do not exist are ignored.

        Raises:
            ValidationError: more than one composite alarm, or an alarm that a
                composite alarm (not deleted with it) references.
        """
        found = [self._alarms[n] for n in dict.fromkeys(names) if n in self._alarms]
        if sum(isinstance(a, CompositeAlarm) for a in found) > 1:
            raise ValidationError(
                "You can delete at most one composite alarm per DeleteAlarms call.",
                param="AlarmNames",
            )
        leaving = {a.name for a in found}
        blocked = [
            a.name for a in found if any(p not in leaving for p in self._parents.get(a.name, ()))
        ]
        if blocked:
            which = "them" if len(blocked) > 1 else "it"
            raise ValidationError(
                f"Cannot delete {','.join(blocked)} as there are composite alarm(s) depending "
                f"on {which}.",
                param="AlarmNames",
                value=blocked,
            )
        now = self._ctx.now()
        for alarm in found:
            self._forget(alarm)
            self._parents.pop(alarm.name, None)
            self.history.append(deletion_item(alarm, now))

    def set_actions_enabled(self, names: Iterable[str], enabled: bool) -> None:
        """EnableAlarmActions / DisableAlarmActions; unknown names are ignored."""
        names = list(names)
        check_names(names)
        for name in names:
            alarm = self._alarms.get(name)
            if alarm is not None:
                alarm.actions_enabled = enabled

    # -- tags -------------------------------------------------------------------------

    def tagged(self, resource_arn: str) -> Alarm:
        """The alarm an ARN names (TagResource and friends).

        Raises:
            ResourceNotFoundException: no alarm has this ARN.
        """
        prefix = self._arn_prefix
        alarm = (
            self._alarms.get(resource_arn[len(prefix) :])
            if resource_arn.startswith(prefix)
            else None
        )
        if alarm is None:
            raise ResourceNotFoundException(
                f"The resource {resource_arn} does not exist.",
                param="ResourceARN",
                value=resource_arn,
            )
        return alarm

    def tag(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """TagResource: add or overwrite tags, at most 50 in all."""
        alarm = self.tagged(resource_arn)
        merged = {**alarm.tags, **tags}
        check_common(
            name=alarm.name,
            description=None,
            actions={},
            tags=merged,
            region=self._ctx.region,
            composite=False,
            instance_metric=False,
        )
        alarm.tags = merged

    def untag(self, resource_arn: str, tag_keys: Iterable[str]) -> None:
        """UntagResource; absent keys are ignored."""
        alarm = self.tagged(resource_arn)
        for key in tag_keys:
            alarm.tags.pop(key, None)

    # -- evaluation ---------------------------------------------------------------------

    def _ensure_job(self, high_resolution: bool) -> None:
        if high_resolution in self._jobs:
            return
        step = 10 if high_resolution else 60
        now = epoch_seconds(self._ctx.now())
        first = from_epoch(now - now % step + step)
        self._jobs[high_resolution] = self._ctx.clock.call_every(
            timedelta(seconds=step),
            self._tick,
            high_resolution,
            first=first,
            name=f"cloudwatch alarms every {step}s {self._ctx.region}",
        )

    def _tick(self, high_resolution: bool) -> None:
        now = epoch_seconds(self._ctx.now())
        for alarm in list(self._by_cadence[high_resolution].values()):
            self.evaluations += 1
            change = self._evaluator.evaluate(alarm, now)
            if change is not None:
                self.change_state(
                    alarm, change.state, change.reason, change.reason_data, change.data
                )
            elif alarm.repeats_actions:
                self._repeat_autoscaling(alarm)

    def _repeat_autoscaling(self, alarm: MetricAlarm) -> None:
        """Auto Scaling actions repeat every minute while the alarm stays in their state."""
        if alarm.actions_enabled and any(
            ":autoscaling:" in arn for arn in alarm.actions_for(alarm.state)
        ):
            previous = (
                alarm.state,
                alarm.state_reason,
                alarm.state_reason_data,
                alarm.state_updated_at,
            )
            self._record(
                alarm,
                self._effects.run_actions(
                    alarm, previous, self._ctx.now(), only_kinds=frozenset({"autoscaling"})
                ),
            )

    # -- state changes ------------------------------------------------------------------

    def change_state(
        self,
        alarm: Alarm,
        state: AlarmState,
        reason: str,
        reason_data: str | None,
        data: Any,
    ) -> None:
        """Move `alarm` to `state`: history, actions, event, parents (see the module).

        Args:
            reason: StateReason.
            reason_data: StateReasonData as JSON text, or None.
            data: the same as an object (None when absent), for the history item.
        """
        now = self._ctx.now()
        previous: Previous = (
            alarm.state,
            alarm.state_reason,
            alarm.state_reason_data,
            alarm.state_updated_at,
        )
        changed = state is not alarm.state
        alarm.state = state
        alarm.state_reason = reason
        alarm.state_reason_data = reason_data
        alarm.state_updated_at = now
        if changed:
            alarm.state_transitioned_at = now
        self.history.append(state_update_item(alarm, previous, data))
        if not changed:
            return
        self._ctx.note(
            "alarm-state",
            f"alarm {alarm.name}: {previous[0].value} → {state.value}",
            alarm=alarm.name,
            old=previous[0].value,
            new=state.value,
            reason=reason,
        )
        if isinstance(alarm, CompositeAlarm):
            self._composites.on_transition(alarm, previous)
        else:
            self._record(alarm, self._effects.run_actions(alarm, previous, now))
        self.events.append(self._effects.state_change_event(alarm, previous))
        self._composites.after_state_change(alarm)

    def set_state(self, name: str, state: AlarmState, reason: str, reason_data: str | None) -> None:
        """SetAlarmState: move an alarm by hand (actions run when the state differs).

        Raises:
            ResourceNotFound: no such alarm.
            InvalidFormatFault: `reason_data` is not JSON.
        """
        alarm = self.named(name)
        data: Any = None
        if reason_data is not None:
            try:
                data = jsondoc.loads(reason_data)
            except ValueError:
                raise InvalidFormatFault(
                    "Invalid JSON: StateReasonData must be a JSON document.",
                    param="StateReasonData",
                    value=reason_data,
                ) from None
        self.change_state(alarm, state, reason, reason_data, data)

    def run_actions(
        self, alarm: Alarm, previous: Previous, *, triggering: list[dict[str, Any]]
    ) -> None:
        """Carry out and record the actions of the state `alarm` is in (composites)."""
        self._record(
            alarm,
            self._effects.run_actions(alarm, previous, self._ctx.now(), triggering=triggering),
        )

    def _record(self, alarm: Alarm, invocations: Iterable[ActionInvocation]) -> None:
        for invocation in invocations:
            self._ctx.note(
                "alarm-action",
                f"alarm {alarm.name} {invocation.state.value}: {invocation.kind} "
                f"{invocation.action_arn} {invocation.outcome}",
                alarm=alarm.name,
                action=invocation.action_arn,
                outcome=invocation.outcome,
            )
            alarm.action_invocations.append(invocation)
            self.action_invocations.append(invocation)
            self.history.append(action_item(alarm, invocation))

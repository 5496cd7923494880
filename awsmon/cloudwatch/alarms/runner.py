"""The running side of CloudWatch alarms: state, clock jobs, evaluation and state changes.

`AlarmRunner` is the base of `awsmon.cloudwatch.alarms.operations.AlarmOperations` (and
so of the `CloudWatch` service). It keeps the alarms and their indexes, the
history, the events and the actions carried out, and does the work the clock
drives:

- one clock job evaluates every alarm with a period of a minute or more at
  each whole minute, another every 10 seconds those with 10, 20 or 30 second
  periods;
- an evaluation reads the R = N + 2 most recent periods ending at the
  evaluation instant rounded down to the minute
  (`awsmon.cloudwatch.alarms.window`), decides the state with
  `awsmon.cloudwatch.alarms.window.quick_state` and, when it changes, writes
  the reason with `awsmon.cloudwatch.alarms.evaluation.evaluate` and
  `awsmon.cloudwatch.alarms.reason`;
- `AlarmRunner._change_state` records the StateUpdate history item, runs the
  actions (`awsmon.cloudwatch.alarms.effects`), puts the state-change event on
  the default bus and re-evaluates composite alarms
  (`awsmon.cloudwatch.alarms.composite`).

Simulation notes:
    Evaluation errors of math alarms (an expression failing on the data)
    count as missing data rather than setting EvaluationState.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from awsmon.cloudwatch.alarms import composite as composites
from awsmon.cloudwatch.alarms.anomaly import AnomalyOperations
from awsmon.cloudwatch.alarms.config import check_common
from awsmon.cloudwatch.alarms.effects import (
    Previous,
    config_snapshot,
    emit_state_change,
    history_item,
    run_actions,
)
from awsmon.cloudwatch.alarms.evaluation import evaluate
from awsmon.cloudwatch.alarms.model import AlarmState, PeriodValue
from awsmon.cloudwatch.alarms.reason import state_reason, state_reason_data, state_reason_data_json
from awsmon.cloudwatch.alarms.records import (
    ActionInvocation,
    Alarm,
    AlarmHistoryItem,
    AlarmType,
    CompositeAlarm,
    HistoryItemType,
    MetricAlarm,
)
from awsmon.cloudwatch.alarms.window import quick_state, read_fast, read_window, window_end
from awsmon.cloudwatch.errors import InvalidNextToken, ResourceNotFound, ResourceNotFoundException
from awsmon.cloudwatch.math.expression import Series
from awsmon.cloudwatch.metrics.queries import MetricDataRequest
from awsmon.cloudwatch.metrics.store import SeriesStore, epoch_seconds, from_epoch
from awsmon.dispatch import ServiceContext, operation
from awsmon.errors import ServiceError

if TYPE_CHECKING:
    from awsmon.clock import Job
    from awsmon.cloudwatch.service import CloudWatch, Metric

__all__ = ["AlarmRunner"]


class AlarmRunner(AnomalyOperations):
    """Alarms' state and evaluation (the base of `AlarmOperations`; see the module).

    Attributes:
        alarm_history: every history item, oldest first (DescribeAlarmHistory reads it).
        alarm_events: every "CloudWatch Alarm State Change" event, oldest first.
        action_invocations: every alarm action carried out, oldest first.
        evaluations: how many metric-alarm evaluations have run.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self._alarms: dict[str, MetricAlarm | CompositeAlarm] = {}
        self._by_cadence: dict[bool, dict[str, MetricAlarm]] = {False: {}, True: {}}
        self._parents: dict[str, set[str]] = {}
        self._suppressing: dict[str, set[str]] = {}
        self._composites_evaluating: set[str] = set()
        self._jobs: dict[bool, Job] = {}
        self.alarm_history: list[AlarmHistoryItem] = []
        self.alarm_events: list[dict[str, Any]] = []
        self.action_invocations: list[ActionInvocation] = []
        self.evaluations = 0

    # -- lookups -------------------------------------------------------------------

    def alarm(self, name: str) -> MetricAlarm | CompositeAlarm:
        """The alarm `name` (for tests and notebooks; not an AWS operation).

        Raises:
            ResourceNotFound: no such alarm.
        """
        found = self._alarms.get(name)
        if found is None:
            raise ResourceNotFound(f"Alarm {name} does not exist", param="AlarmName", value=name)
        return found

    # -- storing alarms ---------------------------------------------------------------

    def _save_alarm(self, alarm: MetricAlarm | CompositeAlarm, old: Alarm | None) -> None:
        now = self.ctx.now()
        if old is not None:
            for field_name in (
                "state",
                "state_reason",
                "state_reason_data",
                "state_updated_at",
                "state_transitioned_at",
                "action_invocations",
                "tags",
            ):
                setattr(alarm, field_name, getattr(old, field_name))
            self._forget(old)
        self._alarms[alarm.name] = alarm
        if isinstance(alarm, MetricAlarm):
            self._by_cadence[alarm.high_resolution][alarm.name] = alarm
            self._ensure_job(alarm.high_resolution)
        verb, kind = ("updated", "Update") if old is not None else ("created", "Create")
        data: dict[str, Any] = {"type": kind, "version": "1.0"}
        if old is not None:
            data["originalUpdatedFields"] = config_snapshot(old)
            data["updatedAlarm"] = config_snapshot(alarm)
        else:
            data["createdAlarm"] = config_snapshot(alarm)
        history_item(
            self,
            alarm,
            HistoryItemType.CONFIGURATION_UPDATE,
            f'Alarm "{alarm.name}" {verb}',
            data,
            now,
        )

    def _forget(self, alarm: Alarm) -> None:
        """Drop an alarm from the indexes (before it is replaced or deleted)."""
        self._alarms.pop(alarm.name, None)
        for cadence in self._by_cadence.values():
            cadence.pop(alarm.name, None)
        if isinstance(alarm, CompositeAlarm):
            if alarm.suppression_timer is not None:
                alarm.suppression_timer.cancel()
            for child in composites.reference_names(self, alarm.rule.referenced_alarms):
                self._parents.get(child, set()).discard(alarm.name)
            if alarm.actions_suppressor is not None:
                suppressor = composites.child_name(self, alarm.actions_suppressor)
                self._suppressing.get(suppressor, set()).discard(alarm.name)

    # -- history -----------------------------------------------------------------------

    @operation("DescribeAlarmHistory")
    def describe_alarm_history(
        self,
        *,
        alarm_name: str | None = None,
        alarm_types: Sequence[AlarmType | str] = (),
        history_item_type: HistoryItemType | str | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        scan_by: str = "TimestampDescending",
        max_records: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[AlarmHistoryItem], str | None]:
        """History items matching the filters, newest first unless ``TimestampAscending``.

        Without `alarm_types` only metric alarms' items are returned. History
        outlives the alarms it describes.

        Raises:
            InvalidNextToken: a token this listing did not hand out.
        """
        types = {AlarmType(t) for t in alarm_types} or {AlarmType.METRIC_ALARM}
        kind = None if history_item_type is None else HistoryItemType(history_item_type)
        found = [
            item
            for item in self.alarm_history
            if item.alarm_type in types
            and (alarm_name is None or item.alarm_name == alarm_name)
            and (kind is None or item.item_type is kind)
            and (start_date is None or item.timestamp >= start_date)
            and (end_date is None or item.timestamp <= end_date)
        ]
        if scan_by != "TimestampAscending":
            found.reverse()
        start = 0
        if next_token is not None:
            if not next_token.isdigit() or int(next_token) > len(found):
                raise InvalidNextToken(
                    f"Invalid NextToken: {next_token}", param="NextToken", value=next_token
                )
            start = int(next_token)
        size = max_records or 100
        following = start + size
        return found[start:following], (str(following) if following < len(found) else None)

    # -- tags ------------------------------------------------------------------------------

    def _tagged(self, resource_arn: str) -> Alarm:
        prefix = self.ctx.arn("alarm:")
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

    @operation("TagResource")
    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags of an alarm (TagResource).

        Raises:
            ResourceNotFoundException: no alarm has this ARN.
            ValidationError: more than 50 tags in all, or a bad key or value.
        """
        alarm = self._tagged(resource_arn)
        merged = {**alarm.tags, **tags}
        check_common(
            name=alarm.name,
            description=None,
            actions={},
            tags=merged,
            region=self.region,
            composite=False,
            instance_metric=False,
        )
        alarm.tags = merged

    @operation("UntagResource")
    def untag_resource(self, resource_arn: str, tag_keys: Iterable[str]) -> None:
        """Remove tags of an alarm (UntagResource); absent keys are ignored."""
        alarm = self._tagged(resource_arn)
        for key in tag_keys:
            alarm.tags.pop(key, None)

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """An alarm's tags (ListTagsForResource)."""
        return dict(self._tagged(resource_arn).tags)

    # -- evaluation -------------------------------------------------------------------------

    def _ensure_job(self, high_resolution: bool) -> None:
        if high_resolution in self._jobs:
            return
        step = 10 if high_resolution else 60
        now = epoch_seconds(self.ctx.now())
        first = from_epoch(now - now % step + step)
        self._jobs[high_resolution] = self.ctx.clock.call_every(
            timedelta(seconds=step),
            self._tick,
            high_resolution,
            first=first,
            name=f"cloudwatch alarms every {step}s {self.region}",
        )

    def _tick(self, high_resolution: bool) -> None:
        now = epoch_seconds(self.ctx.now())
        for alarm in list(self._by_cadence[high_resolution].values()):
            self._evaluate_metric_alarm(alarm, now)

    def _series(self, alarm: MetricAlarm) -> SeriesStore | None:
        assert alarm.metric is not None
        metric: Metric | None = alarm.metric_ref
        if metric is None:
            # Metrics are never removed, so the first lookup that finds one holds.
            metric = alarm.metric_ref = self.metric(alarm.metric)
            if metric is None:
                return None
        series = metric.series
        if alarm.unit is not None:
            return series.get(alarm.unit)
        if len(series) == 1:
            return next(iter(series.values()))
        if not series:
            return None
        return series[min(series, key=lambda unit: unit.value)]

    def _evaluate_metric_alarm(self, alarm: MetricAlarm, now: int) -> None:
        self.evaluations += 1
        period = alarm.period
        fast = alarm.fast_plan
        if fast is not None:
            # Static single-metric alarms: decide on plain floats, and build the
            # full result (for the reason) only when the state changes.
            size, n, m, treat, breaches, statistic = fast
            start = window_end(now, period) - size * period
            series = self._series(alarm)
            values = read_fast(series, statistic, start, period, size)
            if quick_state(breaches, n, m, treat, values, alarm.state) is alarm.state:
                if alarm.repeats_actions:
                    self._repeat_autoscaling(alarm)
                return
            window = read_window(series, statistic, start, period, size)
        else:
            size = alarm.config.range_size
            start = window_end(now, period) - size * period
            if alarm.math_plan is not None:
                window = self._math_window(alarm, start, start + size * period, size)
            else:
                assert alarm.parsed_statistic is not None
                window = read_window(
                    self._series(alarm), alarm.parsed_statistic, start, period, size
                )
        config = alarm.config
        result = evaluate(config, window, alarm.state)
        if result.state is alarm.state:
            if alarm.repeats_actions:
                self._repeat_autoscaling(alarm)
            return
        at = from_epoch(now)
        stamps = [from_epoch(start + i * period) for i in range(size)]
        data = state_reason_data(config, result, stamps, evaluated_at=at)
        self._change_state(
            alarm,
            result.state,
            state_reason(config, result, stamps),
            state_reason_data_json(data),
            data,
        )

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
            run_actions(
                self, alarm, previous, self.ctx.now(), only_kinds=frozenset({"autoscaling"})
            )

    def _math_window(
        self, alarm: MetricAlarm, start: int, end: int, size: int
    ) -> list[PeriodValue | None]:
        plan = alarm.math_plan
        assert plan is not None
        period = alarm.period
        window: list[PeriodValue | None] = [None] * size
        request = MetricDataRequest(
            cast("CloudWatch", self), alarm.metrics, from_epoch(start), from_epoch(end)
        )
        request.compiled.update(plan.compiled)
        request.statistics.update(plan.statistics)
        try:
            value = request.result(plan.return_id)
        except ServiceError:
            return window
        series = value if isinstance(value, Series) else (value[0] if len(value) == 1 else None)
        if series is None:
            return window
        for when, number in series.points():
            index = (epoch_seconds(when) - start) // period
            if 0 <= index < size:
                window[index] = PeriodValue(number)
        if plan.band is None:
            return window
        metric_id, width = plan.band
        query = next(q for q in alarm.metrics if q.id == metric_id)
        assert query.metric_stat is not None
        starts = [start + i * period for i in range(size)]
        bands = self.anomaly_band(
            query.metric_stat.metric, query.metric_stat.stat, period, starts, width
        )
        for index, band in enumerate(bands):
            point = window[index]
            if point is not None:
                window[index] = (
                    None if band is None else PeriodValue(point.value, lower=band[0], upper=band[1])
                )
        return window

    # -- state changes ----------------------------------------------------------------------

    def _change_state(
        self,
        alarm: Alarm,
        state: AlarmState,
        reason: str,
        reason_data: str | None,
        reason_data_object: Any,
    ) -> None:
        """Move `alarm` to `state`: history, actions, event, parents (see the module)."""
        now = self.ctx.now()
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
        old_state: dict[str, Any] = {"stateValue": previous[0].value, "stateReason": previous[1]}
        if previous[2] is not None:
            old_state["stateReasonData"] = _parsed(previous[2])
        new_state: dict[str, Any] = {"stateValue": state.value, "stateReason": reason}
        if reason_data_object is not None:
            new_state["stateReasonData"] = reason_data_object
        history_item(
            self,
            alarm,
            HistoryItemType.STATE_UPDATE,
            f"Alarm updated from {previous[0].value} to {state.value}",
            {"version": "1.0", "oldState": old_state, "newState": new_state},
            now,
        )
        if not changed:
            return
        if isinstance(alarm, CompositeAlarm):
            composites.composite_actions(self, alarm, previous)
        else:
            run_actions(self, alarm, previous, now)
        emit_state_change(self, alarm, previous)
        composites.after_state_change(self, alarm)


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text

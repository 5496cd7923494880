"""CloudWatch alarms: the stateful part, evaluated on the virtual clock.

`AlarmOperations` is a mixin of the `awsmon.cloudwatch.service.CloudWatch`
service. Its methods, by purpose:

- metric alarms: `put_metric_alarm`, `describe_alarms_for_metric`;
- composite alarms: `put_composite_alarm` (see `awsmon.cloudwatch.alarms.composite`);
- all alarms: `describe_alarms`, `delete_alarms`, `set_alarm_state`,
  `enable_alarm_actions`, `disable_alarm_actions`, `describe_alarm_history`,
  `tag_resource`, `untag_resource`, `list_tags_for_resource`;
- anomaly detectors (`awsmon.cloudwatch.alarms.anomaly`);
- for tests: `alarm` (by name), `alarm_history`, `alarm_events` (every
  state-change event), `action_invocations` (every action), `evaluations`.

Time: one clock job evaluates every alarm with a period of a minute or more
at each whole minute, another every 10 seconds those with 10, 20 or 30 second
periods. An evaluation reads the R = N + 2 most recent periods
(`awsmon.cloudwatch.alarms.window`) ending at the evaluation instant rounded
down to the minute, and decides with the algorithm of
`awsmon.cloudwatch.alarms.evaluation`. A state change writes StateReason and
StateReasonData, a StateUpdate history item, runs the new state's actions
(when enabled), puts the "CloudWatch Alarm State Change" event on the default
bus, and re-evaluates the composite alarms that reference the alarm.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> alarm = cloud.cloudwatch.put_metric_alarm(
...     "cpu-high", metric_name="CPUUtilization", namespace="AWS/EC2", statistic="Average",
...     period=60, evaluation_periods=1, threshold=80, comparison_operator="GreaterThanThreshold",
...     treat_missing_data="notBreaching")
>>> alarm.state.value
'INSUFFICIENT_DATA'
>>> cloud.clock.advance(120)
>>> alarm.state.value, alarm.state_reason
('OK', 'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint \
was treated as [NonBreaching].')

Simulation notes:
    A new alarm is first evaluated at the next whole minute (10 seconds for
    high-resolution alarms), not at once. DeleteAlarms ignores names that do
    not exist. Alarm history is kept for the whole simulation (AWS keeps it for
    a limited time). Evaluation errors of math alarms count as missing data.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from attrs import frozen

from awsmon.cloudwatch.alarms import composite as composites
from awsmon.cloudwatch.alarms.composite_operations import CompositeOperations
from awsmon.cloudwatch.alarms.config import build_metric_alarm, constraint_error
from awsmon.cloudwatch.alarms.effects import (
    config_snapshot,
    history_item,
)
from awsmon.cloudwatch.alarms.model import (
    AlarmState,
    ComparisonOperator,
    EvaluateLowSampleCountPercentile,
    TreatMissingData,
)
from awsmon.cloudwatch.alarms.records import (
    AlarmType,
    CompositeAlarm,
    HistoryItemType,
    MetricAlarm,
)
from awsmon.cloudwatch.errors import (
    InvalidFormatFault,
    InvalidNextToken,
    InvalidParameterCombination,
    ResourceNotFound,
    ValidationError,
)
from awsmon.cloudwatch.metrics.model import Dimension, MetricKey, StandardUnit
from awsmon.cloudwatch.metrics.queries import MetricDataQuery
from awsmon.dispatch import operation

if TYPE_CHECKING:
    from awsmon.cloudwatch.service import CloudWatch

__all__ = ["AlarmOperations", "AlarmPage"]

MAX_NAMES = 100


@frozen
class AlarmPage:
    """DescribeAlarms' answer.

    Attributes:
        metric_alarms: the metric alarms of the page, by name.
        composite_alarms: the composite alarms of the page, by name.
        next_token: the token of the next page, or None.
        view: ``"full"``, or ``"children"`` / ``"parents"`` when the request
            asked for ChildrenOfAlarmName / ParentsOfAlarmName (AWS then
            returns fewer fields).
    """

    metric_alarms: tuple[MetricAlarm, ...]
    composite_alarms: tuple[CompositeAlarm, ...]
    next_token: str | None = None
    view: str = "full"


def _token(name: str) -> str:
    return base64.urlsafe_b64encode(f"awsmon:{name}".encode()).decode()


def _after(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        text = ""
    if not text.startswith("awsmon:"):
        raise InvalidNextToken(f"Invalid NextToken: {token}", param="NextToken", value=token)
    return text[len("awsmon:") :]


def _check_names(names: Sequence[str], param: str = "AlarmNames") -> None:
    if len(names) > MAX_NAMES:
        raise constraint_error(
            param, list(names), f"Member must have length less than or equal to {MAX_NAMES}"
        )


class AlarmOperations(CompositeOperations):
    """The alarm part of the CloudWatch service (a mixin of `CloudWatch`; see the module)."""

    # -- metric alarms ------------------------------------------------------------------

    @operation("PutMetricAlarm")
    def put_metric_alarm(
        self,
        alarm_name: str,
        *,
        evaluation_periods: int,
        comparison_operator: ComparisonOperator | str,
        metric_name: str | None = None,
        namespace: str | None = None,
        statistic: str | None = None,
        extended_statistic: str | None = None,
        dimensions: Mapping[str, str] | Iterable[Dimension] = (),
        period: int | None = None,
        unit: StandardUnit | str | None = None,
        metrics: Sequence[MetricDataQuery] = (),
        threshold: float | None = None,
        threshold_metric_id: str | None = None,
        datapoints_to_alarm: int | None = None,
        treat_missing_data: TreatMissingData | str | None = None,
        evaluate_low_sample_count_percentile: EvaluateLowSampleCountPercentile | str | None = None,
        alarm_description: str | None = None,
        actions_enabled: bool = True,
        ok_actions: Sequence[str] = (),
        alarm_actions: Sequence[str] = (),
        insufficient_data_actions: Sequence[str] = (),
        tags: Mapping[str, str] | None = None,
    ) -> MetricAlarm:
        """Create or replace a metric alarm (PutMetricAlarm).

        A new alarm starts in INSUFFICIENT_DATA (``Unchecked: Initial alarm
        creation``) and is evaluated from the next whole minute on. Updating
        an alarm keeps its state and replaces its whole configuration (tags
        given on update are ignored, as AWS does). See
        `awsmon.cloudwatch.alarms.config` for every check.

        Raises:
            ValidationError, InvalidParameterValue, InvalidParameterCombination,
            MissingParameter: the request breaks one of AWS's rules.
        """
        alarm = build_metric_alarm(
            cast("CloudWatch", self),
            alarm_name,
            evaluation_periods=evaluation_periods,
            comparison_operator=comparison_operator,
            metric_name=metric_name,
            namespace=namespace,
            statistic=statistic,
            extended_statistic=extended_statistic,
            dimensions=dimensions,
            period=period,
            unit=unit,
            metrics=metrics,
            threshold=threshold,
            threshold_metric_id=threshold_metric_id,
            datapoints_to_alarm=datapoints_to_alarm,
            treat_missing_data=treat_missing_data,
            evaluate_low_sample_count_percentile=evaluate_low_sample_count_percentile,
            alarm_description=alarm_description,
            actions_enabled=actions_enabled,
            ok_actions=ok_actions,
            alarm_actions=alarm_actions,
            insufficient_data_actions=insufficient_data_actions,
            tags=tags,
        )
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
            self.anomaly_detector(query.metric_stat.metric, query.metric_stat.stat)
        self._save_alarm(alarm, old)
        return alarm

    @operation("DescribeAlarmsForMetric")
    def describe_alarms_for_metric(
        self,
        metric_name: str,
        namespace: str,
        *,
        dimensions: Mapping[str, str] | Iterable[Dimension] = (),
        statistic: str | None = None,
        extended_statistic: str | None = None,
        period: int | None = None,
        unit: StandardUnit | str | None = None,
    ) -> list[MetricAlarm]:
        """The single-metric alarms on this metric (DescribeAlarmsForMetric), by name.

        The dimensions must be the metric's exact set; the other filters
        narrow the answer when given.
        """
        key = MetricKey.of(namespace, metric_name, dimensions)
        wanted_unit = None if unit is None else StandardUnit.parse(unit)
        return [
            alarm
            for _, alarm in sorted(self._alarms.items())
            if isinstance(alarm, MetricAlarm)
            and alarm.metric == key
            and (statistic is None or alarm.statistic == statistic)
            and (extended_statistic is None or alarm.extended_statistic == extended_statistic)
            and (period is None or alarm.period == period)
            and (wanted_unit is None or alarm.unit is wanted_unit)
        ]

    # -- all alarms ----------------------------------------------------------------------

    @operation("DescribeAlarms")
    def describe_alarms(
        self,
        *,
        alarm_names: Sequence[str] = (),
        alarm_name_prefix: str | None = None,
        alarm_types: Sequence[AlarmType | str] = (),
        children_of_alarm_name: str | None = None,
        parents_of_alarm_name: str | None = None,
        state_value: AlarmState | str | None = None,
        action_prefix: str | None = None,
        max_records: int | None = None,
        next_token: str | None = None,
    ) -> AlarmPage:
        """Alarms matching every filter given, by name, a page at a time (DescribeAlarms).

        Without `alarm_types` only metric alarms are returned, as AWS does.
        `children_of_alarm_name` / `parents_of_alarm_name` list the alarms a
        composite references / the composites that reference an alarm, and
        combine only with `max_records` and `next_token`.

        Raises:
            ValidationError: filters that cannot be combined.
            InvalidNextToken: a token this listing did not hand out.
        """
        _check_names(alarm_names)
        view = "full"
        if children_of_alarm_name is not None or parents_of_alarm_name is not None:
            others = [alarm_names, alarm_name_prefix, alarm_types, state_value, action_prefix]
            if any(others) or (children_of_alarm_name and parents_of_alarm_name):
                raise ValidationError(
                    "ChildrenOfAlarmName and ParentsOfAlarmName can only be combined with "
                    "MaxRecords and NextToken.",
                    param="ChildrenOfAlarmName"
                    if children_of_alarm_name is not None
                    else "ParentsOfAlarmName",
                )
            if children_of_alarm_name is not None:
                view = "children"
                parent = self._alarms.get(children_of_alarm_name)
                names = (
                    composites.reference_names(self, parent.rule.referenced_alarms)
                    if isinstance(parent, CompositeAlarm)
                    else set()
                )
            else:
                view = "parents"
                assert parents_of_alarm_name is not None
                names = set(self._parents.get(parents_of_alarm_name, ()))
            matched = [self._alarms[n] for n in sorted(names) if n in self._alarms]
        else:
            if alarm_names and alarm_name_prefix is not None:
                raise InvalidParameterCombination(
                    "AlarmNames and AlarmNamePrefix cannot be used together.",
                    param="AlarmNamePrefix",
                )
            types = {AlarmType(t) for t in alarm_types} or {AlarmType.METRIC_ALARM}
            state = None if state_value is None else AlarmState(state_value)
            wanted = set(alarm_names)
            matched = [
                alarm
                for name, alarm in sorted(self._alarms.items())
                if alarm.alarm_type in types
                and (not wanted or name in wanted)
                and (alarm_name_prefix is None or name.startswith(alarm_name_prefix))
                and (state is None or alarm.state is state)
                and (
                    action_prefix is None
                    or any(a.startswith(action_prefix) for a in alarm.all_actions())
                )
            ]
        after = _after(next_token)
        if after is not None:
            matched = [a for a in matched if a.name > after]
        size = max_records or 100
        page, rest = matched[:size], matched[size:]
        return AlarmPage(
            tuple(a for a in page if isinstance(a, MetricAlarm)),
            tuple(a for a in page if isinstance(a, CompositeAlarm)),
            _token(page[-1].name) if rest else None,
            view,
        )

    @operation("DeleteAlarms")
    def delete_alarms(self, alarm_names: Sequence[str]) -> None:
        """Delete alarms (DeleteAlarms); names that do not exist are ignored.

        Raises:
            ValidationError: more than one composite alarm in one call, or an
                alarm that a composite alarm (not deleted with it) references.
        """
        _check_names(alarm_names)
        found = [self._alarms[n] for n in dict.fromkeys(alarm_names) if n in self._alarms]
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
        now = self.ctx.now()
        for alarm in found:
            self._forget(alarm)
            self._parents.pop(alarm.name, None)
            history_item(
                self,
                alarm,
                HistoryItemType.CONFIGURATION_UPDATE,
                f'Alarm "{alarm.name}" deleted',
                {"type": "Delete", "version": "1.0", "deletedAlarm": config_snapshot(alarm)},
                now,
            )

    @operation("SetAlarmState")
    def set_alarm_state(
        self,
        alarm_name: str,
        state_value: AlarmState | str,
        state_reason: str,
        *,
        state_reason_data: str | None = None,
    ) -> None:
        """Set an alarm's state by hand (SetAlarmState).

        A metric alarm keeps it until its next evaluation decides otherwise; a
        composite alarm until a child changes or it is updated. Actions run
        when the state differs from the current one.

        Raises:
            ResourceNotFound: no such alarm.
            InvalidFormatFault: `state_reason_data` is not JSON.
        """
        alarm = self._alarms.get(alarm_name)
        if alarm is None:
            raise ResourceNotFound(
                f"Alarm {alarm_name} does not exist", param="AlarmName", value=alarm_name
            )
        data_object: Any = None
        if state_reason_data is not None:
            try:
                data_object = json.loads(state_reason_data)
            except ValueError:
                raise InvalidFormatFault(
                    "Invalid JSON: StateReasonData must be a JSON document.",
                    param="StateReasonData",
                    value=state_reason_data,
                ) from None
        self._change_state(
            alarm, AlarmState(state_value), state_reason, state_reason_data, data_object
        )

    @operation("EnableAlarmActions")
    def enable_alarm_actions(self, alarm_names: Sequence[str]) -> None:
        """Turn actions on for these alarms (EnableAlarmActions); unknown names are ignored."""
        self._set_actions_enabled(alarm_names, True)

    @operation("DisableAlarmActions")
    def disable_alarm_actions(self, alarm_names: Sequence[str]) -> None:
        """Turn actions off for these alarms (DisableAlarmActions); evaluation goes on."""
        self._set_actions_enabled(alarm_names, False)

    def _set_actions_enabled(self, names: Sequence[str], enabled: bool) -> None:
        _check_names(names)
        for name in names:
            alarm = self._alarms.get(name)
            if alarm is not None:
                alarm.actions_enabled = enabled

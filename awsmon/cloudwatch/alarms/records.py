"""The alarm entities and records the CloudWatch service keeps.

Main classes:

- `MetricAlarm`: a metric alarm (one metric with a statistic, or a metric-math
  ``Metrics`` list), its configuration and its current state.
- `CompositeAlarm`: an alarm whose state is an `AlarmRule` over other alarms,
  with its actions suppressor.
- `AlarmHistoryItem`: one DescribeAlarmHistory entry (StateUpdate,
  ConfigurationUpdate, Action).
- `ActionInvocation`: one alarm action carried out (or recorded), readable by tests.
- Enumerations with AWS's strings: `AlarmType`, `HistoryItemType`,
  `ActionsSuppressedBy`.

Entities are mutable (`define(eq=False)`): the service changes their state as
evaluations run. Records are frozen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from attrs import define, field, frozen

from awsmon.cloudwatch.alarms.model import AlarmState, EvaluationConfig, TreatMissingData
from awsmon.cloudwatch.alarms.reason import INITIAL_REASON
from awsmon.cloudwatch.alarms.rule import AlarmRule
from awsmon.cloudwatch.metrics.model import MetricKey, StandardUnit

if TYPE_CHECKING:
    from awsmon.cloudwatch.math.expression import MetricExpression
    from awsmon.cloudwatch.metrics.queries import MetricDataQuery
    from awsmon.cloudwatch.metrics.statistics import Statistic

__all__ = [
    "ActionInvocation",
    "ActionsSuppressedBy",
    "Alarm",
    "AlarmHistoryItem",
    "AlarmType",
    "CompositeAlarm",
    "FastPlan",
    "HistoryItemType",
    "MathPlan",
    "MetricAlarm",
    "Timer",
]


class Timer(Protocol):
    """A running clock job (a composite's wait or extension period) that can be stopped."""

    def cancel(self) -> None:
        """Stop the job before it runs."""
        ...


class AlarmType(Enum):
    """The two kinds of alarm (the ``AlarmTypes`` filter values)."""

    METRIC_ALARM = "MetricAlarm"
    COMPOSITE_ALARM = "CompositeAlarm"


class HistoryItemType(Enum):
    """What an alarm history item records."""

    CONFIGURATION_UPDATE = "ConfigurationUpdate"
    STATE_UPDATE = "StateUpdate"
    ACTION = "Action"
    ALARM_CONTRIBUTOR_STATE_UPDATE = "AlarmContributorStateUpdate"
    ALARM_CONTRIBUTOR_ACTION = "AlarmContributorAction"


class ActionsSuppressedBy(Enum):
    """Why a composite alarm's actions are held back."""

    WAIT_PERIOD = "WaitPeriod"
    EXTENSION_PERIOD = "ExtensionPeriod"
    ALARM = "Alarm"


@frozen(kw_only=True)
class AlarmHistoryItem:
    """One entry of an alarm's history.

    Attributes:
        alarm_name: the alarm's name (history outlives the alarm).
        alarm_type: metric or composite.
        timestamp: when it happened.
        item_type: StateUpdate, ConfigurationUpdate or Action.
        summary: ``HistorySummary`` (``Alarm updated from OK to ALARM``).
        data: ``HistoryData``, a JSON string.
    """

    alarm_name: str
    alarm_type: AlarmType
    timestamp: datetime
    item_type: HistoryItemType
    summary: str
    data: str


@frozen(kw_only=True)
class ActionInvocation:
    """One action an alarm carried out on a state transition.

    Attributes:
        at: the virtual instant.
        alarm_name: the alarm that acted.
        alarm_arn: its ARN.
        action_arn: the action ARN from the alarm's action list.
        kind: ``sns``, ``lambda``, ``autoscaling``, ``ec2``, ``ssm`` ... (see
            `awsmon.cloudwatch.alarms.actions.action_kind`).
        state: the state the alarm entered (whose list holds the action).
        previous_state: the state it left.
        payload: what was sent: the SNS message text, the Lambda event dict,
            or the dict handed to a connected service.
        outcome: ``Succeeded``, ``Failed`` or ``Recorded`` (no simulated
            service is connected for this kind of action yet).
        error: why it failed, when it did.
    """

    at: datetime
    alarm_name: str
    alarm_arn: str
    action_arn: str
    kind: str
    state: AlarmState
    previous_state: AlarmState
    payload: Any = None
    outcome: str = "Succeeded"
    error: str | None = None


@frozen(kw_only=True)
class MathPlan:
    """How a math alarm's ``Metrics`` are evaluated, compiled once at PutMetricAlarm.

    Attributes:
        return_id: the Id of the query whose values the alarm compares.
        compiled: Id → compiled expression, for the expression queries.
        statistics: Id → parsed statistic, for the MetricStat queries.
        band: (Id of the metric query, number of standard deviations) of the
            ``ANOMALY_DETECTION_BAND`` query named by ThresholdMetricId, or None.
    """

    return_id: str
    compiled: Mapping[str, MetricExpression]
    statistics: Mapping[str, Statistic]
    band: tuple[str, float] | None = None


#: What the fast evaluation path of a static single-metric alarm needs, precomputed.
FastPlan = tuple[int, int, int, TreatMissingData, "Callable[[float], bool]", "Statistic"]


#: How reprs write each ComparisonOperator.
_OPERATOR_SYMBOLS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
    "LessThanLowerOrGreaterThanUpperThreshold": "outside",
    "LessThanLowerThreshold": "below",
    "GreaterThanUpperThreshold": "above",
}


def _names(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(value)


@define(eq=False, kw_only=True)
class Alarm:
    """What metric and composite alarms share: name, actions, tags and state.

    Attributes:
        name: the alarm name (unique per account and region).
        arn: ``arn:aws:cloudwatch:<region>:<account>:alarm:<name>``.
        description: AlarmDescription, or None.
        actions_enabled: whether actions run on transitions.
        ok_actions / alarm_actions / insufficient_data_actions: action ARNs per state.
        tags: the alarm's tags.
        configuration_updated_at: the last PutMetricAlarm/PutCompositeAlarm.
        state: the current state.
        state_reason: StateReason.
        state_reason_data: StateReasonData (JSON text), or None.
        state_updated_at: the last change of state (or evaluation state).
        state_transitioned_at: the last change of state.
        action_invocations: every action carried out, oldest first.
    """

    name: str
    arn: str
    description: str | None = None
    actions_enabled: bool = True
    ok_actions: tuple[str, ...] = field(default=(), converter=_names)
    alarm_actions: tuple[str, ...] = field(default=(), converter=_names)
    insufficient_data_actions: tuple[str, ...] = field(default=(), converter=_names)
    tags: dict[str, str] = field(factory=dict)
    configuration_updated_at: datetime
    state: AlarmState = AlarmState.INSUFFICIENT_DATA
    state_reason: str = INITIAL_REASON
    state_reason_data: str | None = None
    state_updated_at: datetime
    state_transitioned_at: datetime
    action_invocations: list[ActionInvocation] = field(factory=list, repr=False)

    @property
    def alarm_type(self) -> AlarmType:
        """Metric or composite."""
        raise NotImplementedError

    def actions_for(self, state: AlarmState) -> tuple[str, ...]:
        """The action ARNs that run when the alarm enters `state`."""
        if state is AlarmState.OK:
            return self.ok_actions
        if state is AlarmState.ALARM:
            return self.alarm_actions
        return self.insufficient_data_actions

    def all_actions(self) -> tuple[str, ...]:
        """Every action ARN of the alarm, OK, ALARM then INSUFFICIENT_DATA."""
        return self.ok_actions + self.alarm_actions + self.insufficient_data_actions


@define(eq=False, kw_only=True)
class MetricAlarm(Alarm):
    """A metric alarm: one metric and statistic, or a metric-math ``Metrics`` list.

    Attributes:
        config: what decides the state (N, M, operator, threshold, missing data...).
        metric: the metric of a single-metric alarm; None for math alarms.
        statistic / extended_statistic: the single-metric alarm's statistic.
        period: seconds per datapoint.
        unit: the Unit the alarm reads, or None for any unit.
        metrics: the ``Metrics`` queries of a math alarm.
        threshold_metric_id: the Id of the ANOMALY_DETECTION_BAND query.
        treat_missing_data_given: TreatMissingData as given (None when omitted:
            DescribeAlarms then leaves it out).
        evaluate_low_sample_count_percentile_given: likewise.
        metric_id: the id CloudWatch gives a single-metric alarm's metric in
            events and Lambda payloads.
        parsed_statistic: the statistic of a single-metric alarm, parsed.
        math_plan: how a math alarm is evaluated.
        breaches: the fast "does this value breach" test of a static alarm.
        fast_plan: (R, N, M, TreatMissingData, breach test, statistic) for
            static single-metric alarms, decided without building results.
        repeats_actions: the alarm has Auto Scaling actions, which repeat each
            minute while the alarm stays in their state.
        metric_ref: the stored metric, once it exists (a cache).
    """

    config: EvaluationConfig
    metric: MetricKey | None = None
    statistic: str | None = None
    extended_statistic: str | None = None
    period: int = 60
    unit: StandardUnit | None = None
    metrics: tuple[MetricDataQuery, ...] = ()
    threshold_metric_id: str | None = None
    treat_missing_data_given: str | None = None
    evaluate_low_sample_count_percentile_given: str | None = None
    metric_id: str = ""
    parsed_statistic: Statistic | None = field(default=None, repr=False)
    math_plan: MathPlan | None = field(default=None, repr=False)
    breaches: Callable[[float], bool] | None = field(default=None, repr=False)
    fast_plan: FastPlan | None = field(default=None, repr=False)
    repeats_actions: bool = field(default=False, repr=False)
    metric_ref: Any = field(default=None, repr=False)

    def rule_text(self) -> str:
        """The alarm's condition in one line.

        For example ``AWS/EC2 CPUUtilization Average > 80 for 3 of 5 x 60s``.
        """
        c = self.config
        if self.metric is not None:
            what = f"{self.metric.namespace} {self.metric.name}"
            if self.metric.dimensions:
                what += (
                    " (" + ", ".join(f"{d.name}={d.value}" for d in self.metric.dimensions) + ")"
                )
            what += f" {self.statistic or self.extended_statistic}"
        else:
            what = f"math {self.math_plan.return_id if self.math_plan else 'metrics'}"
        symbol = _OPERATOR_SYMBOLS.get(c.comparison_operator.value, c.comparison_operator.value)
        bound = (
            f"{c.threshold:g}" if c.threshold is not None else f"band {self.threshold_metric_id}"
        )
        m = c.datapoints_to_alarm or c.evaluation_periods
        return f"{what} {symbol} {bound} for {m} of {c.evaluation_periods} x {self.period}s"

    def __repr__(self) -> str:
        return f"<MetricAlarm {self.name!r} {self.state.value}: {self.rule_text()}>"

    def _repr_html_(self) -> str:
        """A one-line summary for notebooks (draw it with ``cloud.cloudwatch.alarm_chart``)."""
        from html import escape

        return (
            f"<b>{escape(self.name)}</b> <code>{self.state.value}</code> "
            f"{escape(self.rule_text())}<br/><i>{escape(self.state_reason)}</i>"
        )

    @property
    def alarm_type(self) -> AlarmType:
        """Always `AlarmType.METRIC_ALARM`."""
        return AlarmType.METRIC_ALARM

    @property
    def is_math(self) -> bool:
        """True for an alarm over a ``Metrics`` list."""
        return bool(self.metrics)

    @property
    def high_resolution(self) -> bool:
        """True when the period is under a minute: evaluated every 10 seconds."""
        return self.period < 60


@define(eq=False, kw_only=True)
class CompositeAlarm(Alarm):
    """A composite alarm: ALARM while its rule holds, else OK.

    Attributes:
        rule: the compiled AlarmRule.
        rule_text: the AlarmRule as given (DescribeAlarms returns it verbatim).
        actions_suppressor: the name or ARN of the suppressor alarm, or None.
        wait_period: ActionsSuppressorWaitPeriod.
        extension_period: ActionsSuppressorExtensionPeriod.
        actions_suppressed_by: why actions are held now, or None.
        actions_suppressed_reason: ``Actions suppressed by WaitPeriod`` ..., or None.
        suppression_timer: the running wait or extension period.
        held_previous: the state before the first transition whose actions are held.
    """

    rule: AlarmRule
    rule_text: str = ""
    actions_suppressor: str | None = None
    wait_period: timedelta | None = None
    extension_period: timedelta | None = None
    actions_suppressed_by: ActionsSuppressedBy | None = None
    actions_suppressed_reason: str | None = None
    suppression_timer: Timer | None = field(default=None, repr=False)
    held_previous: tuple[AlarmState, str, str | None, datetime] | None = field(
        default=None, repr=False
    )

    def __repr__(self) -> str:
        return f"<CompositeAlarm {self.name!r} {self.state.value}: {self.rule_text}>"

    @property
    def alarm_type(self) -> AlarmType:
        """Always `AlarmType.COMPOSITE_ALARM`."""
        return AlarmType.COMPOSITE_ALARM

    def suppress(self, by: ActionsSuppressedBy | None) -> None:
        """Hold the actions back for `by` (None: not held), with AWS's reason text."""
        self.actions_suppressed_by = by
        self.actions_suppressed_reason = None if by is None else f"Actions suppressed by {by.value}"

    def cancel_suppression_timer(self) -> None:
        """Stop the running wait or extension period, if any."""
        if self.suppression_timer is not None:
            self.suppression_timer.cancel()
            self.suppression_timer = None

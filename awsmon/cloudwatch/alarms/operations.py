"""The alarm and anomaly-detector operations of the CloudWatch service.

`AlarmOperations` is a base class of `awsmon.cloudwatch.service.CloudWatch`:
its methods are CloudWatch's, and each delegates to the components the service
owns: `alarms` (`awsmon.cloudwatch.alarms.store.Alarms`, the one owner of the
alarms) and `anomaly_detectors` (`awsmon.cloudwatch.alarms.anomaly.AnomalyDetectors`).
By purpose:

- metric alarms: `put_metric_alarm`, `describe_alarms_for_metric`;
- composite alarms: `put_composite_alarm` (see `awsmon.cloudwatch.alarms.composite`);
- all alarms: `describe_alarms`, `delete_alarms`, `set_alarm_state`,
  `enable_alarm_actions`, `disable_alarm_actions`, `describe_alarm_history`,
  `tag_resource`, `untag_resource`, `list_tags_for_resource`;
- anomaly detectors: `put_anomaly_detector`, `describe_anomaly_detectors`,
  `delete_anomaly_detector`;
- for tests: `alarm` (by name), `alarm_history`, `alarm_events` (every
  state-change event), `action_invocations` (every action), `evaluations`.

An evaluation reads the R = N + 2 most recent periods
(`awsmon.cloudwatch.alarms.window`) ending at the evaluation instant rounded
down to the minute, and decides with the algorithm of
`awsmon.cloudwatch.alarms.evaluation`.

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

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Unpack

from awsmon.cloudwatch.alarms.anomaly import (
    AnomalyDetector,
    AnomalyDetectors,
    AnomalyDetectorState,
    DetectorMetric,
    DetectorQuery,
    DetectorSettings,
)
from awsmon.cloudwatch.alarms.checks import check_names
from awsmon.cloudwatch.alarms.composite import CompositeAlarmSettings
from awsmon.cloudwatch.alarms.config import MetricAlarmSettings, keyword_signature
from awsmon.cloudwatch.alarms.explain import AlarmExplanation
from awsmon.cloudwatch.alarms.listing import (
    AlarmPage,
    AlarmQuery,
    alarms_for_metric,
    history_page,
)
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import (
    ActionInvocation,
    AlarmHistoryItem,
    AlarmType,
    CompositeAlarm,
    HistoryItemType,
    MetricAlarm,
)
from awsmon.cloudwatch.alarms.store import Alarms
from awsmon.cloudwatch.metrics.model import Dimension, MetricKey, StandardUnit
from awsmon.dispatch import Service, operation
from awsmon.times import to_datetime

__all__ = ["AlarmOperations"]


class AlarmOperations(Service):
    """The alarm operations of `CloudWatch` (see the module).

    Attributes:
        alarms: the owner of the alarms (set by the service).
        anomaly_detectors: the anomaly models (set by the service).
    """

    alarms: Alarms
    anomaly_detectors: AnomalyDetectors

    # -- metric alarms ------------------------------------------------------------------

    @operation("PutMetricAlarm")
    @keyword_signature(MetricAlarmSettings, "alarm_name")
    def put_metric_alarm(
        self, alarm_name: str, **settings: Unpack[MetricAlarmSettings]
    ) -> MetricAlarm:
        """Create or replace a metric alarm (PutMetricAlarm).

        The parameters are `MetricAlarmSettings`'
        (`awsmon.cloudwatch.alarms.config`), snake_cased AWS names. A new alarm
        starts in INSUFFICIENT_DATA (``Unchecked: Initial alarm creation``) and
        is evaluated from the next whole minute on. Updating an alarm keeps its
        state and replaces its whole configuration (tags given on update are
        ignored, as AWS does).

        Raises:
            ValidationError, InvalidParameterValue, InvalidParameterCombination,
            MissingParameter: the request breaks one of AWS's rules.
        """
        return self.alarms.put_metric_alarm(alarm_name, settings)

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
        return alarms_for_metric(
            self.alarms.all(),
            MetricKey.of(namespace, metric_name, dimensions),
            statistic=statistic,
            extended_statistic=extended_statistic,
            period=period,
            unit=None if unit is None else StandardUnit.parse(unit),
        )

    # -- composite alarms -----------------------------------------------------------------

    @operation("PutCompositeAlarm")
    @keyword_signature(CompositeAlarmSettings, "alarm_name", "alarm_rule")
    def put_composite_alarm(
        self, alarm_name: str, alarm_rule: str, **settings: Unpack[CompositeAlarmSettings]
    ) -> CompositeAlarm:
        """Create or replace a composite alarm (PutCompositeAlarm).

        The other parameters are `CompositeAlarmSettings`'
        (`awsmon.cloudwatch.alarms.composite`). It starts in INSUFFICIENT_DATA
        and is evaluated at the next move of the clock, then whenever a child
        changes state. Updating it keeps its state, discards any running wait
        or extension period, and evaluates it again.

        Raises:
            ValidationError: a rule that does not parse or names alarms that
                do not exist, a suppressor without both periods, bad actions.
        """
        return self.alarms.put_composite_alarm(alarm_name, alarm_rule, settings)

    # -- all alarms ----------------------------------------------------------------------

    @operation("DescribeAlarms")
    @keyword_signature(AlarmQuery)
    def describe_alarms(self, **query: Unpack[AlarmQuery]) -> AlarmPage:
        """Alarms matching every filter given, by name, a page at a time (DescribeAlarms).

        The filters are `AlarmQuery`'s (`awsmon.cloudwatch.alarms.listing`).
        Without `alarm_types` only metric alarms are returned, as AWS does.
        `children_of_alarm_name` / `parents_of_alarm_name` list the alarms a
        composite references / the composites that reference an alarm, and
        combine only with `max_records` and `next_token`.

        Raises:
            ValidationError: filters that cannot be combined.
            InvalidNextToken: a token this listing did not hand out.
        """
        return self.alarms.describe(query)

    @operation("DeleteAlarms")
    def delete_alarms(self, alarm_names: Sequence[str]) -> None:
        """Delete alarms (DeleteAlarms); names that do not exist are ignored.

        Raises:
            ValidationError: more than one composite alarm in one call, or an
                alarm that a composite alarm (not deleted with it) references.
        """
        check_names(alarm_names)
        self.alarms.delete(alarm_names)

    def explain_alarm(self, alarm_name: str, at: datetime | None = None) -> AlarmExplanation:
        """Why the alarm is in its state (not an AWS operation): see `Alarms.explain`.

        Args:
            alarm_name: the alarm.
            at: the evaluation instant to explain (default: now; naive is UTC).

        Raises:
            ResourceNotFound: no such alarm.
        """
        return self.alarms.explain(alarm_name, None if at is None else to_datetime(at))

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
        self.alarms.set_state(alarm_name, AlarmState(state_value), state_reason, state_reason_data)

    @operation("EnableAlarmActions")
    def enable_alarm_actions(self, alarm_names: Sequence[str]) -> None:
        """Turn actions on for these alarms (EnableAlarmActions); unknown names are ignored."""
        self.alarms.set_actions_enabled(alarm_names, True)

    @operation("DisableAlarmActions")
    def disable_alarm_actions(self, alarm_names: Sequence[str]) -> None:
        """Turn actions off for these alarms (DisableAlarmActions); evaluation goes on."""
        self.alarms.set_actions_enabled(alarm_names, False)

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
        return history_page(
            self.alarms.history,
            alarm_name=alarm_name,
            alarm_types=alarm_types,
            history_item_type=history_item_type,
            start_date=start_date,
            end_date=end_date,
            scan_by=scan_by,
            max_records=max_records,
            next_token=next_token,
        )

    # -- tags ------------------------------------------------------------------------------

    @operation("TagResource")
    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags of an alarm (TagResource).

        Raises:
            ResourceNotFoundException: no alarm has this ARN.
            ValidationError: more than 50 tags in all, or a bad key or value.
        """
        self.alarms.tag(resource_arn, tags)

    @operation("UntagResource")
    def untag_resource(self, resource_arn: str, tag_keys: Iterable[str]) -> None:
        """Remove tags of an alarm (UntagResource); absent keys are ignored."""
        self.alarms.untag(resource_arn, tag_keys)

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """An alarm's tags (ListTagsForResource)."""
        return dict(self.alarms.tagged(resource_arn).tags)

    # -- anomaly detectors ------------------------------------------------------------------

    @operation("PutAnomalyDetector")
    @keyword_signature(DetectorSettings)
    def put_anomaly_detector(self, **settings: Unpack[DetectorSettings]) -> AnomalyDetector:
        """Create or update an anomaly detection model (PutAnomalyDetector).

        The parameters are `DetectorSettings`'; the rules and errors are
        `awsmon.cloudwatch.alarms.anomaly.AnomalyDetectors.put`'s.
        """
        return self.anomaly_detectors.put(**settings)

    @operation("DescribeAnomalyDetectors")
    @keyword_signature(DetectorQuery)
    def describe_anomaly_detectors(
        self, **query: Unpack[DetectorQuery]
    ) -> tuple[list[AnomalyDetector], str | None]:
        """Detectors matching `DetectorQuery`'s filters (DescribeAnomalyDetectors), a page.

        See `awsmon.cloudwatch.alarms.anomaly.AnomalyDetectors.describe`.
        """
        return self.anomaly_detectors.describe(**query)

    @operation("DeleteAnomalyDetector")
    @keyword_signature(DetectorMetric)
    def delete_anomaly_detector(self, **metric: Unpack[DetectorMetric]) -> None:
        """Delete the detector of a `DetectorMetric` (DeleteAnomalyDetector).

        See `awsmon.cloudwatch.alarms.anomaly.AnomalyDetectors.delete`.
        """
        self.anomaly_detectors.delete(**metric)

    def anomaly_state(self, detector: AnomalyDetector) -> AnomalyDetectorState:
        """The detector's training state now (DescribeAnomalyDetectors' StateValue)."""
        return self.anomaly_detectors.anomaly_state(detector, self.ctx.now())

    # -- for tests and notebooks (not AWS operations) -------------------------------------------

    def alarm(self, name: str) -> MetricAlarm | CompositeAlarm:
        """The alarm `name`.

        Raises:
            ResourceNotFound: no such alarm.
        """
        return self.alarms.named(name)

    @property
    def alarm_history(self) -> list[AlarmHistoryItem]:
        """Every alarm history item, oldest first."""
        return self.alarms.history

    @property
    def alarm_events(self) -> list[dict[str, Any]]:
        """Every "CloudWatch Alarm State Change" event, oldest first."""
        return self.alarms.events

    @property
    def action_invocations(self) -> list[ActionInvocation]:
        """Every alarm action carried out, oldest first."""
        return self.alarms.action_invocations

    @property
    def evaluations(self) -> int:
        """How many metric-alarm evaluations have run."""
        return self.alarms.evaluations

"""Tests for awsmon.cloudwatch.alarms.reason: StateReason and StateReasonData as AWS writes them.

The expected strings are verbatim AWS output: the samples of the CloudWatch user
guide (EventBridge events), AWS responses recorded by LocalStack, and reasons
AWS sent to users' SNS topics.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudwatch.alarms.evaluation import WindowPoint, evaluate, window_timestamps
from awsmon.cloudwatch.alarms.model import (
    AlarmState,
    EvaluationConfig,
    PeriodValue,
    java_double,
    reason_data_timestamp,
    reason_timestamp,
)
from awsmon.cloudwatch.alarms.reason import (
    INITIAL_REASON,
    TriggeringAlarm,
    composite_creation_reason,
    composite_reason_data,
    composite_transition_reason,
    state_reason,
    state_reason_data,
    state_reason_data_json,
)


def at(text: str) -> datetime:
    """An aware UTC datetime from ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def run(
    cfg: EvaluationConfig,
    window: Sequence[WindowPoint],
    evaluated_at: datetime,
    current: AlarmState,
    *,
    evaluated_datapoints: bool = False,
) -> tuple[AlarmState, str, str]:
    """Evaluate and write (state, StateReason, StateReasonData JSON)."""
    result = evaluate(cfg, window, current)
    stamps = window_timestamps(evaluated_at, cfg.period, cfg.range_size)
    data = state_reason_data(
        cfg,
        result,
        stamps,
        evaluated_at=evaluated_at,
        include_evaluated_datapoints=evaluated_datapoints,
    )
    return result.state, state_reason(cfg, result, stamps), state_reason_data_json(data)


class TestUserGuideSamples:
    """The EventBridge samples of the CloudWatch user guide (C.5), reason and data verbatim."""

    def test_single_metric_alarm(self) -> None:
        """ServerCpuTooHigh goes to ALARM on one datapoint over 50."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=50,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            statistic="Average",
            period=300,
        )
        got = run(
            cfg, [None, None, 99.50160229693434], at("2019-10-02T17:04:40.985"), AlarmState.OK
        )
        assert got == (
            AlarmState.ALARM,
            "Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 "
            "16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for "
            "OK -> ALARM transition).",
            '{"version":"1.0","queryDate":"2019-10-02T17:04:40.985+0000","startDate":'
            '"2019-10-02T16:59:00.000+0000","statistic":"Average","period":300,'
            '"recentDatapoints":[99.50160229693434],"threshold":50.0}',
        )

    def test_single_metric_alarm_back_to_ok(self) -> None:
        """The same alarm's previous state: OK on the most recent real datapoint."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=50.0,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            statistic="Average",
            period=300,
        )
        window = [None, 0.0666851903306472, None]
        got = run(cfg, window, at("2019-10-01T13:56:40.985"), AlarmState.ALARM)
        assert got == (
            AlarmState.OK,
            "Threshold Crossed: 1 out of the last 1 datapoints [0.0666851903306472 (01/10/19 "
            "13:46:00)] was not greater than the threshold (50.0) (minimum 1 datapoint for "
            "ALARM -> OK transition).",
            '{"version":"1.0","queryDate":"2019-10-01T13:56:40.985+0000","startDate":'
            '"2019-10-01T13:46:00.000+0000","statistic":"Average","period":300,'
            '"recentDatapoints":[0.0666851903306472],"threshold":50.0}',
        )

    def test_metric_math_alarm_leaving_insufficient_data(self) -> None:
        """A math alarm has no statistic, and still names the OK -> ALARM rule after creation."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=10000,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            period=300,
        )
        window = [None, 45628.0, None]
        got = run(cfg, window, at("2019-10-02T17:20:48.551"), AlarmState.INSUFFICIENT_DATA)
        assert got == (
            AlarmState.ALARM,
            "Threshold Crossed: 1 out of the last 1 datapoints [45628.0 (02/10/19 17:10:00)] "
            "was greater than the threshold (10000.0) (minimum 1 datapoint for OK -> ALARM "
            "transition).",
            '{"version":"1.0","queryDate":"2019-10-02T17:20:48.551+0000","startDate":'
            '"2019-10-02T17:10:00.000+0000","period":300,"recentDatapoints":[45628.0],'
            '"threshold":10000.0}',
        )

    def band_config(self) -> EvaluationConfig:
        return EvaluationConfig(
            comparison_operator="LessThanLowerOrGreaterThanUpperThreshold",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            period=60,
        )

    def test_anomaly_band_alarm(self) -> None:
        """Below the band: "Thresholds Crossed", and per-datapoint band bounds in the data."""
        point = PeriodValue(0.0, lower=0.020599444741798756, upper=0.3006915352732461)
        got = run(
            self.band_config(), [None, point, None], at("2019-10-03T16:00:04.650"), AlarmState.OK
        )
        assert got == (
            AlarmState.ALARM,
            "Thresholds Crossed: 1 out of the last 1 datapoints [0.0 (03/10/19 15:58:00)] was "
            "less than the lower thresholds [0.020599444741798756] or greater than the upper "
            "thresholds [0.3006915352732461] (minimum 1 datapoint for OK -> ALARM transition).",
            '{"version":"1.0","queryDate":"2019-10-03T16:00:04.650+0000","startDate":'
            '"2019-10-03T15:58:00.000+0000","period":60,"recentDatapoints":[0.0],'
            '"recentLowerThresholds":[0.020599444741798756],'
            '"recentUpperThresholds":[0.3006915352732461]}',
        )

    def test_anomaly_band_alarm_ok(self) -> None:
        """Inside the band: each comparison negated."""
        point = PeriodValue(0.166666666664241, lower=0.0206719426210418, upper=0.30076870222143803)
        window = [None, point, None]
        got = run(self.band_config(), window, at("2019-10-03T15:59:04.670"), AlarmState.ALARM)
        assert got == (
            AlarmState.OK,
            "Thresholds Crossed: 1 out of the last 1 datapoints [0.166666666664241 (03/10/19 "
            "15:57:00)] was not less than the lower thresholds [0.0206719426210418] or not "
            "greater than the upper thresholds [0.30076870222143803] (minimum 1 datapoint for "
            "ALARM -> OK transition).",
            '{"version":"1.0","queryDate":"2019-10-03T15:59:04.670+0000","startDate":'
            '"2019-10-03T15:57:00.000+0000","period":60,"recentDatapoints":[0.166666666664241],'
            '"recentLowerThresholds":[0.0206719426210418],'
            '"recentUpperThresholds":[0.30076870222143803]}',
        )

    def test_initial_reason(self) -> None:
        """A fresh alarm's reason."""
        assert INITIAL_REASON == "Unchecked: Initial alarm creation"


class TestRecordedAwsResponses:
    """AWS responses recorded by LocalStack's validated snapshots (C.13, observed)."""

    def test_short_form_with_sample_count(self) -> None:
        """Period 30, N = 1, two samples averaging 21.5: the short form, sampleCount in the data."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=2.0,
            evaluation_periods=1,
            statistic="Average",
            period=30,
        )
        window = [None, None, PeriodValue(21.5, sample_count=2)]
        when = at("2023-10-26T16:42:35.120")
        state, reason, data = run(cfg, window, when, AlarmState.OK, evaluated_datapoints=True)
        assert state is AlarmState.ALARM
        assert reason == (
            "Threshold Crossed: 1 datapoint [21.5 (26/10/23 16:42:00)] was greater than the "
            "threshold (2.0)."
        )
        assert json.loads(data)["evaluatedDatapoints"] == [
            {"timestamp": "2023-10-26T16:42:00.000+0000", "sampleCount": 2.0, "value": 21.5}
        ]

    @pytest.mark.parametrize(
        ("treat", "n", "period", "state", "reason"),
        [
            (
                "notBreaching",
                1,
                30,
                AlarmState.OK,
                "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                "datapoint was treated as [NonBreaching].",
            ),
            (
                "breaching",
                2,
                10,
                AlarmState.ALARM,
                "Threshold Crossed: no datapoints were received for 2 periods and 2 missing "
                "datapoints were treated as [Breaching].",
            ),
        ],
    )
    def test_all_missing(
        self, treat: str, n: int, period: int, state: AlarmState, reason: str
    ) -> None:
        """A window without data, filled by TreatMissingData."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=2.0,
            evaluation_periods=n,
            treat_missing_data=treat,
            statistic="Average",
            period=period,
        )
        got_state, got_reason, data = run(cfg, [], at("2023-10-26T16:45:01"), AlarmState.OK)
        assert (got_state, got_reason) == (state, reason)
        assert "startDate" not in json.loads(data)


class TestObservedReasons:
    """Reasons AWS wrote to users' alarms (SNS messages, alarm history) reproduced exactly."""

    def test_three_of_three_newest_first(self) -> None:
        """The datapoints are listed newest first, "were" for several."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=30.0,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            period=300,
        )
        window = [None, None, 1390.0, 1226.0, 1141.0]
        _, reason, _ = run(cfg, window, at("2020-10-09T21:29:10.617"), AlarmState.OK)
        assert reason == (
            "Threshold Crossed: 3 out of the last 3 datapoints [1141.0 (09/10/20 21:24:00), "
            "1226.0 (09/10/20 21:19:00), 1390.0 (09/10/20 21:14:00)] were greater than or equal "
            "to the threshold (30.0) (minimum 3 datapoints for OK -> ALARM transition)."
        )

    def test_back_to_ok_lists_the_non_breaching_points(self) -> None:
        """Going OK, only the non-breaching datapoints are listed; the minimum is N - M + 1."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=0.005,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            period=300,
        )
        window = [None, None, 0.01, 0.002, 0.002]
        state, reason, _ = run(cfg, window, at("2026-07-17T04:18:08"), AlarmState.ALARM)
        assert state is AlarmState.OK
        assert reason == (
            "Threshold Crossed: 2 out of the last 3 datapoints [0.002 (17/07/26 04:13:00), "
            "0.002 (17/07/26 04:08:00)] were not greater than the threshold (0.005) (minimum 1 "
            "datapoint for ALARM -> OK transition)."
        )

    def test_long_form_with_filled_periods(self) -> None:
        """Filled periods are counted after the comparison, before the minimum."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=1.0,
            evaluation_periods=20,
            datapoints_to_alarm=1,
            treat_missing_data="notBreaching",
            period=60,
        )
        window = [None] * 21 + [613.0]
        _, reason, _ = run(cfg, window, at("2024-03-16T12:16:45.770"), AlarmState.OK)
        assert reason == (
            "Threshold Crossed: 1 out of the last 20 datapoints [613.0 (16/03/24 12:15:00)] was "
            "greater than or equal to the threshold (1.0) and 19 missing datapoints were treated "
            "as [NonBreaching] (minimum 1 datapoint for OK -> ALARM transition)."
        )

    def test_short_form_with_a_filled_period(self) -> None:
        """Recovery with one missing period treated as breaching (N = 2, no DatapointsToAlarm)."""
        cfg = EvaluationConfig(
            comparison_operator="LessThanThreshold",
            threshold=1.0,
            evaluation_periods=2,
            treat_missing_data="breaching",
            period=60,
        )
        window = [None, None, 1.0, None]
        state, reason, _ = run(cfg, window, at("2026-09-25T21:53:30"), AlarmState.ALARM)
        assert state is AlarmState.OK
        assert reason == (
            "Threshold Crossed: 1 datapoint [1.0 (25/09/26 21:51:00)] was not less than the "
            "threshold (1.0) and 1 missing datapoint was treated as [Breaching]."
        )

    def test_only_filled_periods_breach(self) -> None:
        """M = 2 reached by two filled periods alone: the "datapoint was received" form."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=0.0,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            treat_missing_data="breaching",
            period=60,
        )
        window = [None, None, None, 0.0, None]
        state, reason, _ = run(cfg, window, at("2026-09-05T10:00:10"), AlarmState.OK)
        assert state is AlarmState.ALARM
        assert reason == (
            "Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing "
            "datapoints were treated as [Breaching]."
        )

    def test_insufficient_data(self) -> None:
        """INSUFFICIENT_DATA: the unknown datapoints, and no startDate (2020 data shape)."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=60.0,
            evaluation_periods=1,
            statistic="Average",
            period=60,
        )
        got = run(cfg, [], at("2020-07-31T06:52:05.598"), AlarmState.INSUFFICIENT_DATA)
        assert got == (
            AlarmState.INSUFFICIENT_DATA,
            "Insufficient Data: 1 datapoint was unknown.",
            '{"version":"1.0","queryDate":"2020-07-31T06:52:05.598+0000","statistic":"Average",'
            '"period":60,"recentDatapoints":[],"threshold":60.0}',
        )

    def test_insufficient_data_premature_guard(self) -> None:
        """A breaching point too recent for the premature rule: two evaluated periods unknown."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold", threshold=1.0, evaluation_periods=3
        )
        result = evaluate(cfg, [None, None, None, None, 5.0])
        stamps = window_timestamps(at("2024-01-01T00:10:00"), cfg.period, 5)
        assert state_reason(cfg, result, stamps) == "Insufficient Data: 2 datapoints were unknown."

    def test_evaluated_datapoints_newest_first(self) -> None:
        """evaluatedDatapoints newest first with sample counts; recentDatapoints oldest first."""
        cfg = EvaluationConfig(
            comparison_operator="LessThanOrEqualToThreshold",
            threshold=0.0,
            evaluation_periods=6,
            statistic="Sum",
            period=300,
        )
        window = [None, None] + [PeriodValue(0.0, sample_count=5)] * 6
        _, _, data = run(
            cfg, window, at("2022-09-29T22:10:04.689"), AlarmState.OK, evaluated_datapoints=True
        )
        stamps = ["22:05", "22:00", "21:55", "21:50", "21:45", "21:40"]
        evaluated = ",".join(
            f'{{"timestamp":"2022-09-29T{s}:00.000+0000","sampleCount":5.0,"value":0.0}}'
            for s in stamps
        )
        assert data == (
            '{"version":"1.0","queryDate":"2022-09-29T22:10:04.689+0000","startDate":'
            '"2022-09-29T21:40:00.000+0000","statistic":"Sum","period":300,"recentDatapoints":'
            f'[0.0,0.0,0.0,0.0,0.0,0.0],"threshold":0.0,"evaluatedDatapoints":[{evaluated}]}}'
        )

    def test_missing_periods_have_only_a_timestamp(self) -> None:
        """Evaluated periods without data appear in evaluatedDatapoints with only a timestamp."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold",
            threshold=1.0,
            evaluation_periods=3,
            unit="Seconds",
            extended_statistic="p99",
        )
        result = evaluate(cfg, [None, None, 5.0, None, None])
        when = at("2024-01-01T00:10:00")
        stamps = window_timestamps(when, cfg.period, 5)
        data = state_reason_data(cfg, result, stamps, evaluated_at=when)
        assert list(data)[:5] == ["version", "queryDate", "startDate", "unit", "statistic"]
        assert data["statistic"] == "p99"
        assert data["evaluatedDatapoints"] == [
            {"timestamp": "2024-01-01T00:09:00.000+0000"},
            {"timestamp": "2024-01-01T00:08:00.000+0000"},
            {"timestamp": "2024-01-01T00:07:00.000+0000", "value": 5.0},
        ]

    def test_timestamps_must_match_the_window(self) -> None:
        """A reason needs one timestamp per window slot."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanThreshold", threshold=1.0, evaluation_periods=1
        )
        result = evaluate(cfg, [5.0])
        with pytest.raises(ValueError, match=r"^need one timestamp per window slot \(3\), got 1$"):
            state_reason(cfg, result, [at("2024-01-01T00:00:00")])


class TestCompositeReasons:
    """The composite-alarm reasons of the user guide's EventBridge sample, verbatim."""

    def test_transition(self) -> None:
        """A child's transition, with the child's ARN and a long-form UTC date."""
        arn = (
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:SuppressionDemo.EventBridge.FirstChild"
        )
        assert composite_transition_reason(
            arn, AlarmState.ALARM, at("2022-07-22T15:57:45.394")
        ) == (f"{arn} transitioned to ALARM at Friday 22 July, 2022 15:57:45 UTC")

    def test_creation(self) -> None:
        """The first evaluation after creation."""
        arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:SuppressionDemo.EventBridge.Main"
        assert composite_creation_reason(arn, AlarmState.OK) == (
            f"{arn} was created and its alarm rule evaluates to OK"
        )

    def test_reason_data(self) -> None:
        """triggeringAlarms: each child's ARN, state and state timestamp."""
        prefix = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
        data = composite_reason_data(
            [
                TriggeringAlarm(
                    f"{prefix}TotalNetworkTrafficTooHigh",
                    AlarmState.OK,
                    at("2022-07-14T16:28:57.770"),
                ),
                TriggeringAlarm(
                    f"{prefix}ServerCpuTooHigh", AlarmState.OK, at("2022-07-14T16:28:54.191")
                ),
            ]
        )
        assert state_reason_data_json(data) == (
            '{"triggeringAlarms":[{"arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:'
            'TotalNetworkTrafficTooHigh","state":{"value":"OK","timestamp":'
            '"2022-07-14T16:28:57.770+0000"}},{"arn":"arn:aws:cloudwatch:us-east-1:'
            '123456789012:alarm:ServerCpuTooHigh","state":{"value":"OK","timestamp":'
            '"2022-07-14T16:28:54.191+0000"}}]}'
        )


class TestFormatting:
    """Numbers and dates written as AWS (Java) writes them."""

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (50, "50.0"),
            (99.50160229693434, "99.50160229693434"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.001, "0.001"),
            (1e-05, "1.0E-5"),
            (1.5e-10, "1.5E-10"),
            (9999999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (-2.5e8, "-2.5E8"),
            (1e21, "1.0E21"),
            (float("nan"), "NaN"),
            (float("inf"), "Infinity"),
            (float("-inf"), "-Infinity"),
        ],
    )
    def test_java_double(self, value: float, text: str) -> None:
        """Plain decimals in [1e-3, 1e7), Java's scientific notation outside."""
        assert java_double(value) == text

    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_java_double_round_trips(self, value: float) -> None:
        """The written number reads back as the same double."""
        assert float(java_double(value).replace("E", "e")) == value

    def test_timestamps(self) -> None:
        """Reason stamps are dd/MM/yy HH:mm:ss UTC; data stamps ISO with milliseconds."""
        moment = datetime(2019, 10, 2, 17, 4, 40, 985123)
        assert reason_timestamp(moment) == "02/10/19 17:04:40"
        assert reason_data_timestamp(moment) == "2019-10-02T17:04:40.985+0000"

    def test_json_rejects_unknown_types(self) -> None:
        """Only JSON-shaped values can be written."""
        assert state_reason_data_json({"a": [True, None, 1, "x"]}) == '{"a":[true,null,1,"x"]}'
        with pytest.raises(TypeError, match=r"^cannot write set in StateReasonData$"):
            state_reason_data_json({1, 2})

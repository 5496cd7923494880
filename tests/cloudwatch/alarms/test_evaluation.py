"""Tests for awsmon.cloudwatch.alarms.evaluation: the metric-alarm evaluation algorithm."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudwatch.alarms.evaluation import (
    EvaluationResult,
    PointClass,
    evaluate,
    normalize_window,
    window_timestamps,
)
from awsmon.cloudwatch.alarms.model import (
    AlarmState,
    ComparisonOperator,
    EvaluationConfig,
    PeriodValue,
    TreatMissingData,
)
from awsmon.cloudwatch.errors import ValidationError

THRESHOLD = 3.0
BREACH, OK_VALUE = 5.0, 1.0
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")


def points(pattern: str) -> list[float | None]:
    """A window from the AWS table notation: X breaching, 0 not breaching, - missing."""
    return [{"X": BREACH, "0": OK_VALUE, "-": None}[c] for c in pattern.split()]


def config(
    *, n: int = 3, m: int | None = 3, treat: str = "missing", **kwargs: object
) -> EvaluationConfig:
    """A GreaterThanThreshold alarm on 3.0 with R = 5 for N = 3."""
    settings: dict[str, object] = {
        "comparison_operator": "GreaterThanThreshold",
        "threshold": THRESHOLD,
        "evaluation_periods": n,
        "datapoints_to_alarm": m,
        "treat_missing_data": treat,
    }
    settings.update(kwargs)
    return EvaluationConfig(**settings)  # type: ignore[arg-type]


# The two AWS tables (C.13), plus the rows of earlier user-guide versions (errata).
# Columns: points, periods to fill, then the state for missing/ignore/breaching/notBreaching;
# "retain" means the current state is kept.
TABLE_3_OF_3 = [
    ("0 - X - X", 0, "OK", "OK", "OK", "OK"),
    ("0 - - - -", 2, "OK", "OK", "OK", "OK"),
    ("- - - - -", 3, "INSUFFICIENT_DATA", "retain", "ALARM", "OK"),
    ("0 X X - X", 0, "ALARM", "ALARM", "ALARM", "ALARM"),
    ("- - X - -", 2, "ALARM", "retain", "ALARM", "OK"),
    ("- - - - X", 2, "INSUFFICIENT_DATA", "retain", "ALARM", "OK"),
    ("X - - - -", 2, "ALARM", "retain", "ALARM", "OK"),
]
TABLE_2_OF_3 = [
    ("0 - X - X", 0, "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 0 X 0 X", 0, "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 - X - -", 1, "OK", "OK", "ALARM", "OK"),
    ("- - - - 0", 2, "OK", "OK", "ALARM", "OK"),
    ("- - - X -", 2, "ALARM", "retain", "ALARM", "OK"),
    ("- - - - X", 2, "INSUFFICIENT_DATA", "retain", "ALARM", "OK"),
]


def table_cases() -> list[object]:
    cases: list[object] = []
    for m, table in ((3, TABLE_3_OF_3), (2, TABLE_2_OF_3)):
        for pattern, to_fill, *states in table:
            for treat, expected in zip(TREATMENTS, states, strict=True):
                case_id = f"M{m}[{pattern}]-{treat}"
                cases.append(pytest.param(m, pattern, to_fill, treat, expected, id=case_id))
    return cases


class TestWorkedTables:
    """The AWS evaluation tables, every row and every TreatMissingData column."""

    @pytest.mark.parametrize(("m", "pattern", "to_fill", "treat", "expected"), table_cases())
    @pytest.mark.parametrize("current", [AlarmState.OK, AlarmState.ALARM])
    def test_row(
        self, m: int, pattern: str, to_fill: int, treat: str, expected: str, current: AlarmState
    ) -> None:
        """The state matches the AWS table, and "retain" keeps whatever state the alarm had."""
        result = evaluate(config(m=m, treat=treat), points(pattern), current)
        want = current if expected == "retain" else AlarmState(expected)
        assert result.state is want
        assert result.retained is (expected == "retain")
        assert len(result.evaluated_indices) == 3
        if treat in ("breaching", "notBreaching"):
            assert len(result.filled_indices) == to_fill

    @pytest.mark.parametrize(
        ("m", "pattern"), [(3, "- - X - -"), (3, "X - - - -"), (2, "- - - X -")]
    )
    def test_premature_alarm_rows_flag_the_rule(self, m: int, pattern: str) -> None:
        """The premature-alarm rows reach ALARM through that rule, not M breaching points."""
        result = evaluate(config(m=m), points(pattern))
        assert result.premature_alarm
        assert result.breaching_count < m

    @pytest.mark.parametrize("pattern", ["- - - - X", "- - - X -"])
    def test_young_breaching_point_does_not_alarm(self, pattern: str) -> None:
        """A lone breaching point too recent for the premature rule is no alarm."""
        result = evaluate(config(), points(pattern), AlarmState.OK)
        assert result.state is not AlarmState.ALARM
        assert not result.premature_alarm

    def test_row_two_alarms_once_the_ok_point_leaves_the_range(self) -> None:
        """Row 2 with breaching alarms at the next evaluation, once the 0 leaves the range."""
        cfg = config(treat="breaching")
        assert evaluate(cfg, points("0 - - - -")).state is AlarmState.OK
        assert evaluate(cfg, points("0 - - - - -")).state is AlarmState.ALARM

    def test_enough_real_points_ignore_the_treatment(self) -> None:
        """Row 4: with N real points in the range, the treatment of missing data is irrelevant."""
        for treat in TREATMENTS:
            result = evaluate(config(treat=treat), points("0 X X - X"))
            assert result.evaluated_indices == (1, 2, 4)
            assert result.filled_indices == ()


class TestSimpleThresholdExample:
    """The user guide's figure: threshold 3, N = M = 3, evaluated period after period."""

    def test_alarm_then_ok_then_stays_ok(self) -> None:
        """Three periods above 3 alarm; one below returns OK; a lone breach later keeps OK."""
        series = [1.0, 2.0, 4.0, 5.0, 4.5, 2.0, 1.0, 2.0, 4.0, 2.0]
        cfg = config()
        state = AlarmState.INSUFFICIENT_DATA
        states = []
        for end in range(1, len(series) + 1):
            state = evaluate(cfg, series[:end], state).state
            states.append(state)
        assert states[4] is AlarmState.ALARM  # periods 3-5 all above the threshold
        assert states[5] is AlarmState.OK  # period 6 dips below
        assert states[8] is AlarmState.OK  # period 9 breaches alone


class TestComparisonOperators:
    """Each ComparisonOperator, on the threshold, below it and above it."""

    @pytest.mark.parametrize(
        ("operator", "below", "equal", "above"),
        [
            ("GreaterThanOrEqualToThreshold", False, True, True),
            ("GreaterThanThreshold", False, False, True),
            ("LessThanThreshold", True, False, False),
            ("LessThanOrEqualToThreshold", True, True, False),
        ],
    )
    def test_static(self, operator: str, below: bool, equal: bool, above: bool) -> None:
        """The statistic is the first operand of the comparison."""
        op = ComparisonOperator(operator)
        assert [op.breaches(v, threshold=10.0) for v in (9.0, 10.0, 11.0)] == [below, equal, above]

    @pytest.mark.parametrize(
        ("operator", "expected"),
        [
            ("LessThanLowerOrGreaterThanUpperThreshold", [True, False, False, False, True]),
            ("LessThanLowerThreshold", [True, False, False, False, False]),
            ("GreaterThanUpperThreshold", [False, False, False, False, True]),
        ],
    )
    def test_band(self, operator: str, expected: list[bool]) -> None:
        """Band operators compare with the band's bounds, exclusive at both ends."""
        op = ComparisonOperator(operator)
        values = (0.5, 1.0, 1.5, 2.0, 2.5)
        assert [op.breaches(v, lower=1.0, upper=2.0) for v in values] == expected

    def test_band_alarm_uses_each_periods_band(self) -> None:
        """A band alarm classifies each period against that period's own band."""
        cfg = EvaluationConfig(
            comparison_operator="LessThanLowerOrGreaterThanUpperThreshold",
            evaluation_periods=2,
        )
        window = [
            PeriodValue(5.0, lower=4.0, upper=6.0),
            PeriodValue(5.0, lower=6.0, upper=7.0),
            PeriodValue(5.0, lower=1.0, upper=4.0),
        ]
        result = evaluate(cfg, window)
        assert result.classes[-2:] == (PointClass.BREACHING, PointClass.BREACHING)
        assert result.state is AlarmState.ALARM

    def test_band_alarm_needs_a_band(self) -> None:
        """A plain value given to a band alarm is a programming error."""
        cfg = EvaluationConfig(
            comparison_operator="GreaterThanUpperThreshold", evaluation_periods=1
        )
        with pytest.raises(ValueError, match=r"needs the upper bound"):
            evaluate(cfg, [1.0])

    def test_static_phrases(self) -> None:
        """The StateReason words of the static operators."""
        assert [op.phrase for op in list(ComparisonOperator)[:4]] == [
            "greater than or equal to",
            "greater than",
            "less than",
            "less than or equal to",
        ]
        with pytest.raises(ValueError, match=r"compares with a band"):
            _ = ComparisonOperator.LESS_THAN_LOWER_THRESHOLD.phrase


class TestSpecialCases:
    """AWS/DynamoDB, low-sample percentiles and the shape of the window."""

    def test_dynamodb_always_ignores_missing_data(self) -> None:
        """An AWS/DynamoDB alarm keeps its state on missing data whatever TreatMissingData says."""
        cfg = config(treat="breaching", namespace="AWS/DynamoDB")
        assert cfg.effective_treat_missing_data is TreatMissingData.IGNORE
        result = evaluate(cfg, points("- - - - -"), AlarmState.OK)
        assert result.state is AlarmState.OK
        assert result.retained

    @pytest.mark.parametrize(
        ("statistic", "minimum"),
        [("p99", 1000.0), ("p50", 20.0), ("p10", 100.0), ("p0", None), ("p100", None)],
    )
    def test_low_sample_thresholds(self, statistic: str, minimum: float | None) -> None:
        """10/(1-p) samples for p in [0.5, 1), 10/p for p in (0, 0.5); none for p0 and p100."""
        cfg = config(extended_statistic=statistic)
        assert cfg.minimum_sample_count == (None if minimum is None else pytest.approx(minimum))

    def test_non_percentile_statistic_has_no_low_sample_rule(self) -> None:
        """Only pNN statistics have a minimum sample count."""
        assert config(extended_statistic="tm99").minimum_sample_count is None
        assert config(statistic="Average").minimum_sample_count is None

    @pytest.mark.parametrize(
        ("mode", "samples", "expected"),
        [
            ("ignore", 999, AlarmState.OK),
            ("ignore", 1000, AlarmState.ALARM),
            ("evaluate", 999, AlarmState.ALARM),
        ],
    )
    def test_low_sample_percentile(self, mode: str, samples: int, expected: AlarmState) -> None:
        """A p99 alarm set to ignore keeps its state while a period has fewer than 1000 samples."""
        cfg = config(n=1, m=1, extended_statistic="p99", evaluate_low_sample_count_percentile=mode)
        result = evaluate(cfg, [PeriodValue(9.0, sample_count=samples)], AlarmState.OK)
        assert result.state is expected
        assert result.low_sample_count is (expected is AlarmState.OK)

    def test_window_is_cut_and_padded_to_the_range(self) -> None:
        """Values older than R are dropped; a short window is padded with missing periods."""
        cfg = config()
        assert normalize_window(cfg, [9.0] * 7 + [1.0] * 5) == (PeriodValue(1.0),) * 5
        assert normalize_window(cfg, [1.0, math.nan]) == (None, None, None, PeriodValue(1.0), None)

    def test_default_and_explicit_range(self) -> None:
        """R defaults to N + 2 and can be configured."""
        assert config(n=3).range_size == 5
        assert config(n=3, evaluation_range=10).range_size == 10


class TestConfigErrors:
    """Invalid evaluation settings raise the CloudWatch validation error."""

    @pytest.mark.parametrize(
        ("settings", "param", "message"),
        [
            pytest.param(
                {"n": 2, "m": 3},
                "DatapointsToAlarm",
                r"^DatapointsToAlarm \(3\) must be less than or equal to "
                r"EvaluationPeriods \(2\)\.$",
                id="m-greater-than-n",
            ),
            pytest.param(
                {"n": 0, "m": None},
                "EvaluationPeriods",
                r"^1 validation error detected: Value '0' at 'evaluationPeriods' failed to "
                r"satisfy constraint: Member must have value greater than or equal to 1$",
                id="n-zero",
            ),
            pytest.param(
                {"m": 0},
                "DatapointsToAlarm",
                r"^1 validation error detected: Value '0' at 'datapointsToAlarm' failed",
                id="m-zero",
            ),
            pytest.param(
                {"threshold": None},
                "Threshold",
                r"^Threshold is required and must be finite for GreaterThanThreshold\.$",
                id="no-threshold",
            ),
            pytest.param(
                {"threshold": math.inf},
                "Threshold",
                r"^Threshold is required and must be finite",
                id="infinite-threshold",
            ),
        ],
    )
    def test_invalid(self, settings: dict[str, object], param: str, message: str) -> None:
        """Each invalid setting raises ValidationError naming the parameter."""
        with pytest.raises(ValidationError) as caught:
            config(**settings)  # type: ignore[arg-type]
        assert re.match(message, caught.value.message)
        assert caught.value.code == "ValidationError"
        assert caught.value.param == param

    @pytest.mark.parametrize(
        ("field_name", "value"),
        [("comparison_operator", "GreaterThan"), ("treat_missing_data", "Breaching")],
    )
    def test_unknown_enum_value(self, field_name: str, value: str) -> None:
        """Enum fields only take the AWS strings."""
        with pytest.raises(ValueError, match=repr(value)):
            config(**{field_name: value})  # type: ignore[arg-type]


class TestWindowTimestamps:
    """Each slot starts one period before the next, the newest ending at the minute."""

    def test_sliding_five_minute_period(self) -> None:
        """Period 300: at the end of minute 5 minutes 1-5 count, at the end of minute 6 2-6."""
        start = datetime(2024, 1, 1, tzinfo=UTC)
        period = timedelta(minutes=5)
        assert window_timestamps(start + timedelta(minutes=5, seconds=2), period, 1) == (start,)
        at_six = window_timestamps(start + timedelta(minutes=6), period, 2)
        assert at_six == (start - timedelta(minutes=4), start + timedelta(minutes=1))

    def test_high_resolution_period(self) -> None:
        """A 10-second period aligns on 10 seconds; a naive instant is taken as UTC."""
        stamps = window_timestamps(datetime(2024, 1, 1, 0, 0, 25), timedelta(seconds=10), 3)
        assert [s.second for s in stamps] == [50, 0, 10]
        assert all(s.tzinfo is UTC for s in stamps)


# --- properties ----------------------------------------------------------------------------

window_points = st.lists(
    st.one_of(st.none(), st.sampled_from([OK_VALUE, BREACH])), min_size=0, max_size=10
)


@st.composite
def configs(draw: st.DrawFn) -> EvaluationConfig:
    n = draw(st.integers(1, 5))
    m = draw(st.one_of(st.none(), st.integers(1, n)))
    extra = draw(st.integers(0, 3))
    treat = draw(st.sampled_from(TREATMENTS))
    return config(n=n, m=m, treat=treat, evaluation_range=n + extra)


states = st.sampled_from(list(AlarmState))


def naive(cfg: EvaluationConfig, window: Sequence[float | None], current: AlarmState) -> AlarmState:
    """The C.4 pseudo-code with the errata, written as plainly as possible."""
    r, n, m = cfg.range_size, cfg.evaluation_periods, cfg.required_breaching
    padded = [None] * max(0, r - len(window)) + list(window)[-r:]
    kinds = ["-" if v is None else ("X" if v > THRESHOLD else "0") for v in padded]
    treat = cfg.treat_missing_data.value
    real = [i for i, k in enumerate(kinds) if k != "-"]
    if not real:
        return {
            "missing": AlarmState.INSUFFICIENT_DATA,
            "ignore": current,
            "breaching": AlarmState.ALARM,
            "notBreaching": AlarmState.OK,
        }[treat]
    if len(real) >= n:
        chosen = [kinds[i] for i in real[-n:]]
        return AlarmState.ALARM if chosen.count("X") >= m else AlarmState.OK
    gaps = [i for i, k in enumerate(kinds) if k == "-"][-(n - len(real)) :]
    fill = {"breaching": "X", "notBreaching": "0"}.get(treat, "-")
    chosen = [kinds[i] if kinds[i] != "-" else fill for i in sorted(real + gaps)]
    if chosen.count("X") >= m:
        return AlarmState.ALARM
    if treat in ("missing", "ignore") and "0" not in chosen:
        first = next(j for j, k in enumerate(chosen) if k != "-")
        if len(chosen) - first >= m:
            return AlarmState.ALARM if treat == "missing" else current
        return AlarmState.INSUFFICIENT_DATA if treat == "missing" else current
    return AlarmState.OK


class TestProperties:
    """Properties of the algorithm over arbitrary windows and settings."""

    @given(configs(), window_points, states)
    def test_agrees_with_naive_pseudo_code(
        self, cfg: EvaluationConfig, window: list[float | None], current: AlarmState
    ) -> None:
        """evaluate agrees with a plain transcription of the documented algorithm."""
        assert evaluate(cfg, window, current).state is naive(cfg, window, current)

    @given(configs(), window_points, states)
    def test_alarm_needs_m_breaching_points_or_a_missing_data_rule(
        self, cfg: EvaluationConfig, window: list[float | None], current: AlarmState
    ) -> None:
        """Under M real breaching points, ALARM only via treat-as-breaching or premature."""
        result = evaluate(cfg, window, current)
        if result.state is not AlarmState.ALARM:
            return
        if result.retained:
            assert current is AlarmState.ALARM
            return
        real_breaching = sum(result.classes[i] is PointClass.BREACHING for i in result.real_indices)
        m = cfg.required_breaching
        via_fill = result.fill_as is PointClass.BREACHING and result.breaching_count >= m
        via_premature = result.premature_alarm and cfg.treat_missing_data.value == "missing"
        assert real_breaching >= m or via_fill or via_premature

    @given(configs(), states)
    def test_ignore_keeps_the_state_on_an_all_missing_window(
        self, cfg: EvaluationConfig, current: AlarmState
    ) -> None:
        """With ignore, a window without any datapoint leaves the state unchanged."""
        cfg = config(
            n=cfg.evaluation_periods,
            m=cfg.datapoints_to_alarm,
            treat="ignore",
            evaluation_range=cfg.range_size,
        )
        result = evaluate(cfg, [None] * cfg.range_size, current)
        assert result.state is current
        assert not result.changed

    @given(configs(), window_points, window_points, states)
    def test_invariant_to_values_outside_the_window(
        self,
        cfg: EvaluationConfig,
        older: list[float | None],
        window: list[float | None],
        current: AlarmState,
    ) -> None:
        """Datapoints older than the evaluation range never change the outcome."""
        padded = [None] * max(0, cfg.range_size - len(window)) + window[-cfg.range_size :]
        assert evaluate(cfg, older + padded, current) == evaluate(cfg, padded, current)

    @given(configs(), window_points, states)
    def test_evaluates_n_points_including_every_real_one_when_short(
        self, cfg: EvaluationConfig, window: list[float | None], current: AlarmState
    ) -> None:
        """N points are evaluated; with fewer than N real points, all of them are among them."""
        result: EvaluationResult = evaluate(cfg, window, current)
        assert len(result.evaluated) == cfg.evaluation_periods
        real = [i for i, point in enumerate(result.window) if point is not None]
        if len(real) < cfg.evaluation_periods:
            assert set(real) <= set(result.evaluated_indices)
            assert len(result.filled_indices) == cfg.evaluation_periods - len(real)

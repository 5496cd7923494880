"""Tests for CloudWatch metric math: awsmon.cloudwatch.math and its modules."""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon.cloudwatch.errors import ValidationError
from awsmon.cloudwatch.math import (
    Call,
    Chain,
    MetricExpression,
    Number,
    Reference,
    SearchableMetric,
    Series,
    StaticContext,
    compile_expression,
)
from awsmon.cloudwatch.math.search import (
    And,
    Not,
    Or,
    Phrase,
    SearchSchema,
    Word,
    parse_search,
    tokens,
)
from awsmon.cloudwatch.math.series import period_grid
from awsmon.cloudwatch.metrics.statistics import parse_statistic
from awsmon.errors import Unsupported

T0 = datetime(2024, 4, 5, 8, 0, tzinfo=UTC)  # a Friday
MINUTE = timedelta(minutes=1)


def at(i: int) -> datetime:
    """The start of minute `i` after T0."""
    return T0 + i * MINUTE


def series(values: Sequence[float | None], label: str = "", period: int = 60) -> Series:
    """A one-minute series with values at minutes 0, 1, ...; None is a missing point."""
    return Series.from_points(
        [(at(i), v) for i, v in enumerate(values) if v is not None], label=label, period=period
    )


def dense(s: Series, n: int) -> list[float | None]:
    """The series as a list over minutes 0..n-1, with None for missing points."""
    points = s.as_dict()
    return [points.get(at(i)) for i in range(n)]


def context(minutes: int = 5, **data: Series | Sequence[Series]) -> StaticContext:
    """A context over `minutes` one-minute periods from T0."""
    return StaticContext(start=T0, end=at(minutes), period=60, data=data)


def run(text: str, ctx: StaticContext) -> Series | tuple[Series, ...]:
    """Compile and evaluate."""
    return compile_expression(text).evaluate(ctx)


def run_ts(text: str, ctx: StaticContext, n: int = 5) -> list[float | None]:
    """Evaluate an expression that yields one series, densely."""
    result = run(text, ctx)
    assert isinstance(result, Series)
    return dense(result, n)


def run_array(text: str, ctx: StaticContext, n: int = 5) -> list[list[float | None]]:
    """Evaluate an expression that yields an array of series, densely."""
    result = run(text, ctx)
    assert isinstance(result, tuple)
    return [dense(s, n) for s in result]


# ---------------------------------------------------------------------------------------------


class TestWorkedExamples:
    """The worked examples of the metric math page [S-MM] and the June 2021 blog [S-MMB]."""

    COMPARE = context(4, metric1=series([30, 20, 0, 0]), metric2=series([20, None, 20, None]))

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("(metric1 < metric2)", [0, 0, 1, 0]),
            ("(metric1 >= 30)", [1, 0, 0, 0]),
            ("(metric1 > 15 AND metric2 > 15)", [1, 0, 0, 0]),
            ("metric1 > 15 && metric2 > 15", [1, 0, 0, 0]),
        ],
    )
    def test_comparison_operators(self, text: str, expected: list[float]) -> None:
        """Comparisons give 1/0 per timestamp; a missing side counts as 0."""
        assert run_ts(text, self.COMPARE, 4) == expected

    IF_DATA = context(
        metric1=series([1, 1, 0, 0, None]),
        metric2=series([30, None, 0, 0, 30]),
        metric3=series([0, 0, 20, None, 20]),
    )

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("IF(metric1, metric2, metric3)", [30, 0, 20, None, None]),
            ("IF(metric1, 5, metric3)", [5, 5, 20, None, None]),
            ("IF(metric1, metric2, 5)", [30, 0, 5, 5, None]),
            ("IF(metric1, metric2)", [30, 0, None, None, None]),
        ],
    )
    def test_if_tables(self, text: str, expected: list[float | None]) -> None:
        """IF follows the three tables of the IF section, point by point."""
        assert run_ts(text, self.IF_DATA) == expected

    def test_if_with_scalar_condition(self) -> None:
        """IF(scalar1, metric2, metric3): metric2 if true, metric3 if false, empty if omitted."""
        assert run_ts("IF(1, metric2, metric3)", self.IF_DATA) == [30, None, 0, 0, 30]
        assert run_ts("IF(0, metric2, metric3)", self.IF_DATA) == [0, 0, 20, None, 20]
        assert run_ts("IF(0, metric2)", self.IF_DATA) == [None] * 5
        assert run_ts("IF(-3, metric2, metric3)", self.IF_DATA) == [30, None, 0, 0, 30]

    def test_if_use_cases(self) -> None:
        """The IF use cases: keep low values, map to two values, flag over threshold."""
        ctx = context(
            metric1=series([100, 500, 300]), latency=series([5, 9, 1]), threshold=series([6, 6, 6])
        )
        assert run_ts("IF(metric1<400, metric1)", ctx, 3) == [100, None, 300]
        assert run_ts("IF(metric1<400, 10, 2)", ctx, 3) == [10, 2, 10]
        assert run_ts("IF(latency>threshold, 1, 0)", ctx, 3) == [0, 1, 0]

    TWELVE = context(
        **{f"m{i}": series([i, i, i], label=f"m{i}") for i in range(12)},
        empty=series([], label="empty"),
    )

    def labels(self, text: str) -> list[str]:
        """Labels of an array result."""
        result = run(text, self.TWELVE)
        assert isinstance(result, tuple)
        return [s.label for s in result]

    def test_slice_of_sort_takes_top_ten(self) -> None:
        """SLICE(SORT(METRICS(), SUM, DESC), 0, 10) keeps the 10 highest sums."""
        assert self.labels("SLICE(SORT(METRICS(), SUM, DESC), 0, 10)") == [
            f"m{i}" for i in range(11, 1, -1)
        ]

    def test_slice_from_drops_the_lowest(self) -> None:
        """SLICE(SORT(METRICS(), AVG, ASC), 5) drops the 5 lowest averages."""
        assert self.labels("SLICE(SORT(METRICS(), AVG, ASC), 5)") == [
            *(f"m{i}" for i in range(5, 12)),
            "empty",
        ]

    def test_sort_with_limit(self) -> None:
        """SORT(METRICS(), AVG, DESC, 10) returns the top 10 by average."""
        assert self.labels("SORT(METRICS(), AVG, DESC, 10)") == [f"m{i}" for i in range(11, 1, -1)]
        assert self.labels("SORT(METRICS(), MAX, ASC)")[:3] == ["m0", "m1", "m2"]

    def test_first_of_sorted(self) -> None:
        """IF(FIRST(SORT(METRICS(), AVG, DESC))>100, 1, 0) tests the top series."""
        assert run_ts("IF(FIRST(SORT(METRICS(), AVG, DESC))>10, 1, 0)", self.TWELVE, 3) == [1] * 3
        assert run_ts("IF(LAST(SORT(METRICS(), AVG, DESC))>10, 1, 0)", self.TWELVE, 3) == [None] * 3

    def week(self) -> StaticContext:
        """Hourly data over one week of April 2024 (Monday 2024-04-01 onwards)."""
        start = datetime(2024, 4, 1, tzinfo=UTC)
        hours = [start + timedelta(hours=h) for h in range(7 * 24)]
        m1 = Series(hours, [1.0] * len(hours), "m1", period=3600)
        return StaticContext(
            start=start, end=start + timedelta(days=7), period=3600, data={"m1": m1}
        )

    def test_weekdays_only(self) -> None:
        """IF(DAY(m1)<6, m1) keeps Monday to Friday [S-MMB]."""
        result = run("IF(DAY(m1)<6, m1)", self.week())
        assert isinstance(result, Series)
        assert len(result) == 5 * 24
        assert {t.isoweekday() for t in result.timestamps} == {1, 2, 3, 4, 5}

    def test_april_only(self) -> None:
        """IF(MONTH(m1) == 4, m1) keeps April's points."""
        result = run("IF(MONTH(m1) == 4, m1)", self.week())
        assert isinstance(result, Series) and len(result) == 7 * 24

    def test_business_hours(self) -> None:
        """IF((DAY(m1)<6 AND (HOUR(m1)>=9 AND HOUR(m1)<17)),m1) keeps 9:00-17:00 on weekdays."""
        result = run("IF((DAY(m1)<6 AND (HOUR(m1)>=9 AND HOUR(m1)<17)),m1)", self.week())
        assert isinstance(result, Series)
        assert len(result) == 5 * 8
        assert {t.hour for t in result.timestamps} == set(range(9, 17))

    def test_fill_constant_repeat_linear(self) -> None:
        """FILL with 0, REPEAT and LINEAR over five periods with data at minutes 1 and 3."""
        ctx = context(m1=series([None, 10, None, 30, None]))
        assert run_ts("FILL(m1, 0)", ctx) == [0, 10, 0, 30, 0]
        assert run_ts("FILL(m1, REPEAT)", ctx) == [None, 10, 10, 30, 30]
        assert run_ts("FILL(m1, LINEAR)", ctx) == [None, 10, 20, 30, None]
        assert run_ts("IF(m1 > 15, 1, 0)", ctx) == [None, 0, None, 1, None]


DOCUMENTED_EXPRESSIONS = [
    "PERIOD(m1)/60*m1",
    "5 * m1",
    "m1 - m2",
    "SUM(100/[m1, m2])",
    "AVG([m1,m2]/m3)",
    "METRICS()*100",
    "-5*m1",
    "-m1",
    "SUM(-[m1, m2])",
    "ABS(m1-m2)",
    "MIN(ABS([m1, m2]))",
    "ABS(METRICS())",
    "SUM([m1,m2])/AVG(m2)",
    "AVG(METRICS())",
    "CEIL(m1)",
    "CEIL(METRICS())",
    "SUM(CEIL(METRICS()))",
    "m1 * SUM(m1) / DATAPOINT_COUNT(m1)",
    "DATAPOINT_COUNT(METRICS())",
    "DIFF(m1)",
    "DIFF_TIME(METRICS())",
    "FILL(m1,10)",
    "FILL(METRICS(), 0)",
    "FILL(METRICS(), m1)",
    "FILL(m1, MIN(m1))",
    "FILL(m1, REPEAT)",
    "FILL(METRICS(), LINEAR)",
    "IF(FIRST(SORT(METRICS(), AVG, DESC))>100, 1, 0)",
    "FLOOR(m1)",
    "FLOOR(METRICS())",
    "LOG(METRICS())",
    "LOG10(m1)",
    "MAX(m1)/m1",
    "MAX(METRICS())",
    "m1/METRIC_COUNT(METRICS())",
    'SUM(METRICS("errors"))',
    "m1-MIN(m1)",
    "MIN(METRICS())",
    "MINUTE(m1)",
    "m1/PERIOD(m1)",
    "RATE(m1)",
    "RATE(METRICS())",
    "REMOVE_EMPTY(METRICS())",
    "RUNNING_SUM([m1,m2])",
    "SLICE(SORT(METRICS(), SUM, DESC), 0, 10)",
    "SORT(METRICS(), MAX, ASC)",
    "m1/STDDEV(m1)",
    "STDDEV(METRICS())",
    "SUM(METRICS())/SUM(m1)",
    'SUM(METRICS("errors"))/SUM(METRICS("requests"))*100',
    "TIME_SERIES(MAX(m1))",
    "TIME_SERIES(5*AVG(m1))",
    "TIME_SERIES(10)",
    "e1-MIN(e1)",
    "m1+m2",
    'SUM([METRICS("4xx"), METRICS("5xx")])',
    "SUM([METRICS(\u201c4xx\u201d), METRICS(\u201c5xx\u201d)])",
    "serverError / (success + authError + clientError + serverError + 1e-36)",
    "DIFF(FILL(m1, REPEAT))",
    "HOUR(m1)",
    "DAY(m1)",
    "DATE(m1)",
    "MONTH(m1)",
    "YEAR(m1)",
    "EPOCH(m1)",
    "IF(m1 != 0 || m2 == 0, m1, m2)",
    "SEARCH(' {AWS/EC2,InstanceId} MetricName=\"CPUUtilization\" ', 'Average', 300)",
    "SUM(SEARCH(' {AWS/Lambda, FunctionName} MetricName=\"Errors\" ', 'Sum', 300))",
    "SEARCH(' {AWS/Lambda, FunctionName}, MetricName=\"Errors\" ', 'Sum', 300)",
    'SEARCH(\' {"My Namespace", "Dimension@Name"}, "Custom:Name[Special_Characters" \', '
    "'Maximum', 120)",
    "SEARCH(' \"CPUUtilization\" ', 'Average', 300)",
    "SEARCH('NOT Namespace=AWS ', 'Maximum', 120)",
    "SEARCH(' (EC2 OR EBS) AND MetricName=ReadOps ', 'Maximum', 120)",
]


class TestDocumentedExpressions:
    """Every expression shown in the AWS documentation compiles and evaluates."""

    DATA = context(
        m1=series([1, 2, None, 4, 5], "m1"),
        m2=series([2, None, 2, 2, 2], "m2"),
        m3=series([1, 1, 1, 1, 1], "m3"),
        e1=series([3, 1, 2], "e1"),
        errors=series([1, 2, 3], "errors"),
        requests=series([10, 10, 10], "requests"),
        serverError=series([1]),
        success=series([9]),
        authError=series([0]),
        clientError=series([0]),
        latency=series([1]),
        threshold=series([1]),
    )

    @pytest.mark.parametrize("text", DOCUMENTED_EXPRESSIONS)
    def test_documented_expression(self, text: str) -> None:
        """The expression compiles and gives a series or an array of series."""
        result = run(text, self.DATA)
        assert isinstance(result, Series | tuple)

    def test_sum_of_divided_array(self) -> None:
        """SUM(100/[m1, m2]) divides 100 by each series, then sums per timestamp."""
        assert run_ts("SUM(100/[m1, m2])", self.DATA) == [150, 50, 50, 75, 70]

    def test_error_rate(self) -> None:
        """SUM(METRICS("errors"))/SUM(METRICS("requests"))*100 is a percentage per timestamp."""
        text = 'SUM(METRICS("errors"))/SUM(METRICS("requests"))*100'
        assert run_ts(text, self.DATA, 3) == [10, 20, 30]

    def test_difference_from_minimum(self) -> None:
        """e1-MIN(e1) subtracts the series' minimum from each point."""
        assert run_ts("e1-MIN(e1)", self.DATA, 3) == [2, 0, 1]


class TestAlignment:
    """How values of different shapes combine [S-MM]."""

    DATA = context(
        a=series([1, None, 3, None], "a"),
        b=series([None, 2, 3, None], "b"),
        zero=series([0, 1, 0, 1], "zero"),
    )

    def test_series_with_series_uses_union_and_zero_for_missing(self) -> None:
        """TS + TS has a point at every timestamp of either, a missing value counting as 0."""
        assert run_ts("a + b", self.DATA, 4) == [1, 2, 6, None]
        assert run_ts("a - b", self.DATA, 4) == [1, -2, 0, None]

    def test_series_with_scalar_keeps_the_series_timestamps(self) -> None:
        """TS * S and S - TS have the series' own timestamps."""
        assert run_ts("a * 2", self.DATA, 4) == [2, None, 6, None]
        assert run_ts("10 - a", self.DATA, 4) == [9, None, 7, None]

    def test_division_by_zero_drops_the_point(self) -> None:
        """A point that divides by zero is dropped."""
        assert run_ts("a / zero", self.DATA, 4) == [None, 0, None, 0]
        assert run_ts("a / b", self.DATA, 4) == [None, 0, 1, None]
        assert run_ts("a / 0", self.DATA, 4) == [None] * 4

    def test_non_finite_results_are_dropped(self) -> None:
        """Overflow and complex powers drop the point."""
        assert run_ts("(a * 1e308) * 10", self.DATA, 4) == [None] * 4
        assert run_ts("(0 - a) ^ 0.5", self.DATA, 4) == [None] * 4
        assert run_ts("a ^ 2", self.DATA, 4) == [1, None, 9, None]

    def test_array_with_series_and_scalar(self) -> None:
        """TS[] op TS and TS[] op S apply to each series and keep their labels."""
        result = run("[a, b] + zero", self.DATA)
        assert isinstance(result, tuple)
        assert [s.label for s in result] == ["a", "b"]
        assert [dense(s, 4) for s in result] == [[1, 1, 3, 1], [0, 3, 3, 1]]
        assert run_array("2 * [a, b]", self.DATA, 4) == [[2, None, 6, None], [None, 4, 6, None]]

    def test_nested_arrays_concatenate(self) -> None:
        """Arrays inside an array literal are concatenated."""
        assert len(run_array("[[a, b], METRICS(), zero]", self.DATA, 4)) == 6

    def test_precedence(self) -> None:
        """* before +, ^ right-associative, unary minus before ^, comparisons before AND/OR."""
        ctx = context(m=series([2]))
        assert run_ts("1 + 2 * m", ctx, 1) == [5]
        assert run_ts("(1 + 2) * m", ctx, 1) == [6]
        assert run_ts("m ^ 3 ^ 2", ctx, 1) == [512]
        assert run_ts("-m ^ 2", ctx, 1) == [4]
        assert run_ts("10 - m - 3", ctx, 1) == [5]
        assert run_ts("16 / m / 2", ctx, 1) == [4]
        assert run_ts("m > 1 AND m < 2 OR m == 2", ctx, 1) == [1]
        assert run_ts("m > 1 AND (m < 2 OR m == 3)", ctx, 1) == [0]
        assert run_ts("m + 1 > 2", ctx, 1) == [1]


class TestFunctions:
    """Each function of the reference's table B.2, with concrete numbers."""

    DATA = context(
        m1=series([4, None, 1, 9, 6], "m1"),
        m2=series([2, 2, None, 1, None], "m2"),
        empty=series([], "empty"),
    )

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("ABS(m1 - 5)", [1, None, 4, 4, 1]),
            ("CEIL(m1 / 4)", [1, None, 1, 3, 2]),
            ("FLOOR(m1 / 4)", [1, None, 0, 2, 1]),
            ("LOG(m1 - 1)", [math.log(3), None, None, math.log(8), math.log(5)]),
            ("LOG10(m1 * 10 - 10)", [math.log10(30), None, None, math.log10(80), math.log10(50)]),
            ("DIFF(m1)", [None, None, -3, 8, -3]),
            ("DIFF_TIME(m1)", [None, None, 120, 60, 60]),
            ("RATE(m1)", [None, None, -3 / 120, 8 / 60, -3 / 60]),
            ("RUNNING_SUM(m1)", [4, None, 5, 14, 20]),
            ("m1 - AVG(m1)", [-1, None, -4, 4, 1]),
            ("TIME_SERIES(SUM(m1))", [20, 20, 20, 20, 20]),
            ("TIME_SERIES(MIN(m1) + MAX(m1))", [10] * 5),
            ("TIME_SERIES(DATAPOINT_COUNT(m1))", [4] * 5),
            ("TIME_SERIES(STDDEV(m2))", [math.sqrt(2 / 9)] * 5),
            ("SUM([m1, m2])", [6, 2, 1, 10, 6]),
            ("AVG([m1, m2])", [3, 1, 0.5, 5, 3]),
            ("MIN([m1, m2])", [2, 0, 0, 1, 0]),
            ("MAX([m1, m2])", [4, 2, 1, 9, 6]),
            ("STDDEV([m1, m2])", [1, 1, 0.5, 4, 3]),
            ("DATAPOINT_COUNT([m1, m2])", [2, 1, 1, 2, 1]),
            ("m1 * 0 + METRIC_COUNT([m1, m2, empty])", [3, None, 3, 3, 3]),
            ("TIME_SERIES(AVG(empty))", [None] * 5),
            ("FILL(m1, m2)", [4, 2, 1, 9, 6]),
            ("FILL(m1, AVG(empty))", [4, None, 1, 9, 6]),
            ("FIRST([m2, m1])", [2, 2, None, 1, None]),
            ("LAST([m2, m1])", [4, None, 1, 9, 6]),
            ("MINUTE(m1)", [0, 1, 2, 3, 4]),
            ("HOUR(m1)", [8] * 5),
            ("DAY(m1)", [5] * 5),
            ("DATE(m1)", [5] * 5),
            ("MONTH(m1)", [4] * 5),
            ("YEAR(m1)", [2024] * 5),
            ("EPOCH(m1) - EPOCH(m1) + PERIOD(m1)", [60] * 5),
            ("TIME_SERIES(7)", [7] * 5),
        ],
    )
    def test_single_series_results(self, text: str, expected: list[float | None]) -> None:
        """The function gives the expected points (None: no point)."""
        got = run_ts(text, self.DATA)
        assert got == pytest.approx(expected)

    def test_epoch_is_seconds_since_1970(self) -> None:
        """EPOCH gives the Unix time of each timestamp."""
        assert run_ts("EPOCH(m1)", self.DATA, 1) == [T0.timestamp()]

    def test_per_series_functions_map_over_arrays(self) -> None:
        """DIFF, RATE, RUNNING_SUM, FILL, ABS ... apply to each series of TS[]."""
        assert run_array("RUNNING_SUM([m1, m2])", self.DATA) == [
            [4, None, 5, 14, 20],
            [2, 4, None, 5, None],
        ]
        assert run_array("FILL([m1, m2], 0)", self.DATA) == [[4, 0, 1, 9, 6], [2, 2, 0, 1, 0]]
        assert run_array("FILL(METRICS(), LINEAR)", self.DATA)[1] == [2, 2, 1.5, 1, None]

    def test_remove_empty_and_metrics_filter(self) -> None:
        """REMOVE_EMPTY drops series without points; METRICS("s") filters ids by substring."""
        assert len(run_array("METRICS()", self.DATA)) == 3
        assert len(run_array("REMOVE_EMPTY(METRICS())", self.DATA)) == 2
        assert len(run_array('METRICS("m")', self.DATA)) == 3
        assert run_array('METRICS("m2")', self.DATA) == [[2, 2, None, 1, None]]
        assert run_array('METRICS("nothing")', self.DATA) == []

    def test_metrics_excludes_expressions(self) -> None:
        """METRICS() returns only MetricStat queries, not expression results."""
        ctx = StaticContext(
            start=T0,
            end=at(2),
            data={"m1": series([1]), "e1": series([2])},
            metric_query_ids=["m1"],
        )
        assert run_array("METRICS()", ctx, 1) == [[1]]

    def test_sort_puts_series_without_points_last(self) -> None:
        """SORT keeps empty series at the end in both orders."""
        result = run("SORT(METRICS(), SUM, ASC)", self.DATA)
        assert isinstance(result, tuple)
        assert [s.label for s in result] == ["m2", "m1", "empty"]
        result = run("SORT(METRICS(), MAX, DESC, 1)", self.DATA)
        assert isinstance(result, tuple) and [s.label for s in result] == ["m1"]

    def test_slice_out_of_range(self) -> None:
        """SLICE past the end gives what is there."""
        assert len(run_array("SLICE(METRICS(), 2, 10)", self.DATA)) == 1
        assert run_array("SLICE(METRICS(), 5)", self.DATA) == []

    def test_period_of_expression_is_rejected(self) -> None:
        """PERIOD accepts metrics only, not expression results."""
        ctx = StaticContext(
            start=T0,
            end=at(2),
            data={"m1": series([1]), "e1": series([2])},
            metric_query_ids=["m1"],
        )
        with pytest.raises(ValidationError) as caught:
            run("m1 / PERIOD(e1)", ctx)
        assert caught.value.message == (
            "Invalid metric math expression at position 5: PERIOD applies to metrics only, "
            "and 'e1' is not a metric query"
        )

    @pytest.mark.parametrize(
        "text",
        [
            "INSIGHT_RULE_METRIC(MyRule, UniqueContributors)",
            "INSIGHT_RULE_METRIC('MyRule', 'Sum')",
            "SERVICE_QUOTA(m1)",
            "LAMBDA('myFunction', 'arg')",
            "DB_PERF_INSIGHTS('RDS', 'db-1', 'db.load.avg')",
        ],
    )
    def test_functions_needing_other_services(self, text: str) -> None:
        """Functions backed by services awsmon does not simulate parse, then raise Unsupported."""
        expression = compile_expression(text)
        with pytest.raises(Unsupported, match="is not simulated by awsmon"):
            expression.evaluate(self.DATA)

    @pytest.mark.parametrize(
        "text", ["ANOMALY_DETECTION_BAND(m1)", "ANOMALY_DETECTION_BAND(m1, 3)"]
    )
    def test_anomaly_band_needs_a_model(self, text: str) -> None:
        """ANOMALY_DETECTION_BAND parses; a context without an anomaly model cannot evaluate it."""
        expression = compile_expression(text)
        with pytest.raises(Unsupported, match="needs an anomaly model"):
            expression.evaluate(self.DATA)

    def test_insight_rule_names_are_not_ids(self) -> None:
        """INSIGHT_RULE_METRIC's bare-word names are not listed as referenced ids."""
        assert compile_expression("INSIGHT_RULE_METRIC(myRule, sum) + m1").ids == {"m1"}


class TestCompiledExpression:
    """What a compiled expression exposes, and its immutability."""

    def test_ids_functions_and_searches(self) -> None:
        """ids lists referenced query ids; functions the calls; searches the SEARCH queries."""
        expression = compile_expression(
            "SUM(METRICS()) + FILL(m1, REPEAT) / PERIOD(m2) + "
            "SUM(SEARCH('{AWS/EC2,InstanceId} CPUUtilization', 'p99', 60))"
        )
        assert expression.ids == {"m1", "m2"}
        assert expression.functions == {"SUM", "METRICS", "FILL", "PERIOD", "SEARCH"}
        assert expression.uses_metrics
        [query] = expression.searches
        assert query.statistic == parse_statistic("p99")
        assert query.period == 60

    def test_tree_shape(self) -> None:
        """The tree groups operators by precedence and ignores positions in equality."""
        root = compile_expression("m1 + 2 * m2").root
        assert root == Chain(
            Reference("m1"), (("+", Chain(Number(2.0), (("*", Reference("m2")),))),)
        )
        assert compile_expression(" m1+2*m2 ").root == root
        assert compile_expression("ABS(m1)").root == Call("ABS", (Reference("m1"),))

    def test_frozen(self) -> None:
        """A compiled expression cannot be changed."""
        expression = compile_expression("m1")
        with pytest.raises(AttributeError):
            expression.text = "m2"  # type: ignore[misc]

    def test_reusable_across_contexts(self) -> None:
        """One compiled expression evaluates in any number of contexts."""
        expression = MetricExpression.parse("m1 * 2")
        assert dense(expression.evaluate(context(m1=series([1]))), 1) == [2]  # type: ignore[arg-type]
        assert dense(expression.evaluate(context(m1=series([5]))), 1) == [10]  # type: ignore[arg-type]


ERRORS = [
    ("", 0, "expected an expression, found end of expression"),
    ("   ", 3, "expected an expression, found end of expression"),
    ("m1 +", 4, "expected a number, an id, a function call, '(' or '[', found end of expression"),
    ("m1 m2", 3, "expected an operator or end of expression, found 'm2'"),
    ("(m1 + m2", 8, "expected ')', found end of expression"),
    ("[m1, m2", 7, "expected ']', found end of expression"),
    ("ABS(m1", 6, "expected ')', found end of expression"),
    ("m1 = 2", 3, "unexpected character '=' (did you mean '==' or '!='?)"),
    ("m1 & m2", 3, "unexpected character '&' (did you mean '&&' or '||'?)"),
    ("m1 # 2", 3, "unexpected character '#'"),
    ("avg(m1)", 0, "function names are upper case: 'avg' (did you mean 'AVG'?)"),
    ("FOO(m1)", 0, "unknown function 'FOO' (did you mean 'FLOOR'?)"),
    ("ZZZ(m1)", 0, "unknown function 'ZZZ'"),
    ("M1 + 1", 0, "'M1' is not a valid id: ids start with a lower-case letter"),
    (
        "_m1",
        0,
        "'_m1' is not a valid id: ids start with a lower-case letter and hold at most "
        "255 letters, digits and underscores",
    ),
    ("REPEAT * 2", 0, "'REPEAT' is only valid as an argument of FILL or SORT"),
    ("'abc' + m1", 0, "a string is only valid as an argument of METRICS or SEARCH"),
    ("'abc", 0, "expected ' to close the string"),
    ("AND m1", 0, "expected a value before 'AND'"),
    ("1e999 * m1", 0, "number 1e999 is out of range"),
    ("ABS()", 0, "ABS takes 1 argument, got 0"),
    ("ABS(m1, m2)", 0, "ABS takes 1 argument, got 2"),
    ("IF(m1)", 0, "IF takes 2 to 3 arguments, got 1"),
    ("SORT(METRICS(), AVG)", 0, "SORT takes 3 to 4 arguments, got 2"),
    ("SORT(METRICS(), MEDIAN, ASC)", 16, "SORT expects one of AVG, MAX, MIN, SUM here"),
    ("SORT(METRICS(), AVG, UP)", 21, "SORT expects one of ASC, DESC here"),
    ("FILL(m1, REPET)", 9, "FILL expects one of LINEAR, REPEAT here"),
    ("METRICS(m1)", 8, "METRICS expects a quoted string here"),
    ("PERIOD(m1 + 1)", 7, "PERIOD expects the id of a metric query here"),
    (
        "SEARCH('x', 'Avg')",
        12,
        "The value Avg for parameter Statistic is not a valid statistic. Did you mean 'Average'?",
    ),
    ("SEARCH('x', 'Sum', 0)", 19, "SEARCH expects a period in seconds here"),
    ("SEARCH('x', 'Sum', 1.5)", 19, "SEARCH expects a period in seconds here"),
    (
        "5",
        0,
        "the final result of a math expression must be a time series or an array of time "
        "series, not a scalar",
    ),
    (
        "AVG(m1)",
        0,
        "the final result of a math expression must be a time series or an array of "
        "time series, not a scalar",
    ),
    ("m9 + m1", 0, "unknown id 'm9'"),
    ("[m1, m2] + [m1]", 9, "operator '+' cannot combine two arrays of time series"),
    ("[m1, 5]", 5, "array items must be time series, got S"),
    ("ABS(5) * m1", 0, "ABS expects a time series (TS), got S"),
    ("FIRST(m1)", 0, "FIRST expects an array of time series (TS[]), got TS"),
    ("TIME_SERIES(m1)", 0, "TIME_SERIES expects a scalar (S), got TS"),
    ("SLICE(METRICS(), 1.5)", 0, "SLICE expects a non-negative whole number, got 1.5"),
    ("SLICE(METRICS(), -1)", 0, "SLICE expects a non-negative whole number, got -1.0"),
    ("SORT(METRICS(), AVG, ASC, m1)", 0, "SORT expects a scalar (S), got TS"),
    ("IF(METRICS(), m1)", 0, "IF expects a scalar or a time series condition, got TS[]"),
    ("IF(m1, METRICS())", 0, "IF branches must be scalars or time series, not TS[]"),
    ("FILL(m1, METRICS())", 0, "FILL cannot fill with an array of time series"),
    (
        "m1 + " + "(" * 60 + "m1" + ")" * 60,
        55,
        "expression nested too deeply (more than 50 levels)",
    ),
]


class TestErrors:
    """Invalid expressions raise ValidationError naming the position and what was expected."""

    @pytest.mark.parametrize(
        ("text", "position", "detail"), ERRORS, ids=[e[0][:30] for e in ERRORS]
    )
    def test_error_table(self, text: str, position: int, detail: str) -> None:
        """The message is anchored: prefix, position, detail."""
        ctx = context(m1=series([1, 2]), m2=series([3]))
        with pytest.raises(ValidationError) as caught:
            compile_expression(text).evaluate(ctx)
        error = caught.value
        assert error.message == f"Invalid metric math expression at position {position}: {detail}"
        assert error.code == "ValidationError"
        assert error.service == "cloudwatch"
        assert error.param == "Expression"
        assert error.value == text

    def test_search_text_errors_give_positions_in_the_expression(self) -> None:
        """Errors inside SEARCH's text give their position in the whole expression."""
        with pytest.raises(ValidationError) as caught:
            compile_expression("SEARCH('{AWS/EC2', 'Average')")
        assert caught.value.message == (
            "Invalid search expression at position 8: expected '}' to close the metric schema"
        )


# ---------------------------------------------------------------------------------------------


class TestSearchLanguage:
    """SEARCH's own language: tokens, partial and exact matches, properties, Booleans [S-SRCH]."""

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("CustomCount1", ["Custom", "Count", "1"]),
            ("SDBFailure", ["SDB", "Failure"]),
            ("Project2-trial333", ["Project", "2", "trial", "333"]),
            ("Network-Errors_2", ["Network", "Errors", "2"]),
            ("couNT", ["cou", "NT"]),
        ],
    )
    def test_tokens(self, name: str, expected: list[str]) -> None:
        """Names split at camel case, where digits start, and at other characters."""
        assert tokens(name) == expected

    @staticmethod
    def finds(
        search: str,
        metric_name: str,
        namespace: str = "MyNamespace",
        dimensions: Mapping[str, str] | None = None,
    ) -> bool:
        """Whether the search text matches that metric."""
        query = parse_search(search, statistic=parse_statistic("Average"))
        return query.matches(namespace, metric_name, dimensions or {})

    @pytest.mark.parametrize(
        ("search", "found"),
        [
            ("count", True),
            ("Count", True),
            ("COUNT", True),
            ("couNT", False),
            ("CustomCount", True),
            ("Count1", True),
            ("customcount", False),
            ("count1", False),
            ("customcount1", True),
            ("custom", True),
            ("1", True),
            ("Custom Count", True),
            ('"CustomCount1"', True),
            ('"customcount1"', False),
            ('"Custom"', False),
            ("CustomCount1", True),
            ("cust", False),
            ("NOT count", False),
        ],
    )
    def test_custom_count_examples(self, search: str, found: bool) -> None:
        """The CustomCount1 examples of the partial and exact match sections."""
        assert self.finds(search, "CustomCount1") is found

    @pytest.mark.parametrize(
        "search", ["network/errors", "network+errors", "network-errors", "Network_Errors"]
    )
    @pytest.mark.parametrize("name", ["Network-Errors-2", "NetworkErrors2"])
    def test_non_alphanumeric_separators(self, search: str, name: str) -> None:
        """Non-alphanumeric characters in a search word separate consecutive tokens."""
        assert self.finds(search, name)

    def test_exact_match_needs_the_same_characters(self) -> None:
        """An exact match must use the same non-alphanumeric characters."""
        assert self.finds('"Network-Errors-2"', "Network-Errors-2")
        assert not self.finds('"Network_Errors_2"', "Network-Errors-2")

    def test_escaped_characters_in_phrases(self) -> None:
        """Backslash escapes ", \\, ( and ) in an exact match."""
        name = "Europe\\France Traffic(Network)"
        assert self.finds('"Europe\\\\France Traffic\\(Network\\)"', name)

    def test_exact_match_covers_every_name(self) -> None:
        """A phrase matches the metric name, namespace, a dimension name or a dimension value."""
        dims = {"InstanceType": "t2.micro"}
        assert self.finds('"CPUUtilization"', "CPUUtilization", "AWS/EC2", dims)
        assert self.finds('"AWS/EC2"', "Other", "AWS/EC2", dims)
        assert self.finds('"InstanceType"', "Other", "AWS/EC2", dims)
        assert self.finds('"t2.micro"', "Other", "AWS/EC2", dims)
        assert not self.finds('"t2"', "Other", "AWS/EC2", dims)

    def test_property_designators(self) -> None:
        """MetricName=, Namespace= and DimName= restrict a term to that property."""
        dims = {"InstanceType": "t2.micro"}
        assert self.finds('MetricName="CustomCount1"', "CustomCount1")
        assert not self.finds('MetricName="MyNamespace"', "CustomCount1")
        assert self.finds("InstanceType=micro", "CPUUtilization", "AWS/EC2", dims)
        assert self.finds('InstanceType="t2.micro" Namespace="AWS/EC2"', "X", "AWS/EC2", dims)
        assert not self.finds("InstanceId=micro", "CPUUtilization", "AWS/EC2", dims)
        assert self.finds("NOT Namespace=AWS", "Custom", "MyApp")
        assert not self.finds("NOT Namespace=AWS", "CPUUtilization", "AWS/EC2")

    def test_account_designator(self) -> None:
        """:aws.AccountId= matches the metric's account when the caller gives it."""
        query = parse_search(':aws.AccountId="111122223333"', statistic=parse_statistic("Sum"))
        assert query.matches("N", "M", {}, account_id="111122223333")
        assert not query.matches("N", "M", {}, account_id="444455556666")
        assert not query.matches("N", "M", {})

    def test_boolean_operators(self) -> None:
        """Implicit and explicit AND, OR, NOT and grouping, as in the Boolean examples."""

        def lam(name: str, fn: str) -> bool:
            return self.finds(
                'MetricName="Errors" OR (MetricName="Invocations" AND (ProjectA OR ProjectB))',
                name,
                "AWS/Lambda",
                {"FunctionName": fn},
            )

        assert lam("Errors", "anything")
        assert lam("Invocations", "ProjectB-handler")
        assert not lam("Invocations", "ProjectC-handler")
        assert not lam("Duration", "ProjectA")
        ebs = {"VolumeId": "vol-1"}
        assert self.finds("(EC2 OR EBS) MetricName=ReadOps", "VolumeReadOps", "AWS/EBS", ebs)
        assert self.finds("(EC2 OR EBS) AND MetricName=ReadOps", "DiskReadOps", "AWS/EC2", {})
        assert not self.finds("(EC2 OR EBS) AND MetricName=ReadOps", "ReadOps", "AWS/RDS", {})
        assert self.finds("network packets", "NetworkPacketsIn", "AWS/EC2", {})
        assert self.finds("network AND packets", "NetworkPacketsIn", "AWS/EC2", {})
        assert not self.finds("network and packets", "NetworkPacketsIn", "AWS/EC2", {})
        assert not self.finds(
            'MetricName="X" NOT "ProjectA" NOT "ProjectB"', "X", "N", {"Project": "ProjectB"}
        )

    def test_schema_requires_namespace_and_exact_dimension_names(self) -> None:
        """{Namespace, Dim...} finds metrics of that namespace with exactly those dimensions."""
        query = parse_search(
            '{AWS/EC2,InstanceId} MetricName="CPUUtilization"', statistic=parse_statistic("Average")
        )
        assert query.schema == SearchSchema("AWS/EC2", frozenset({"InstanceId"}))
        assert query.matches("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"})
        assert not query.matches("AWS/EC2", "CPUUtilization", {})
        assert not query.matches("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1", "X": "y"})
        assert not query.matches("AWS/EBS", "CPUUtilization", {"InstanceId": "i-1"})
        only = parse_search('{"My Namespace", "Dimension@Name"}', statistic=parse_statistic("Sum"))
        assert only.term is None
        assert only.matches("My Namespace", "Anything", {"Dimension@Name": "v"})

    def test_term_tree(self) -> None:
        """NOT binds tighter than AND, AND tighter than OR."""
        query = parse_search('a NOT b OR MetricName="c" d', statistic=parse_statistic("Sum"))
        assert query.term == Or(
            (
                And((Word("a"), Not(Word("b")))),
                And((Phrase("c", "MetricName"), Word("d"))),
            )
        )

    @pytest.mark.parametrize(
        ("text", "position", "detail"),
        [
            ("", 0, "expected a metric schema, a search term, or both"),
            ("{AWS/EC2", 0, "expected '}' to close the metric schema"),
            ("{}", 0, "expected a namespace and dimension names in the metric schema"),
            ("{AWS/EC2,}", 0, "expected a namespace and dimension names in the metric schema"),
            ('"abc', 0, "expected '\"' to close the phrase"),
            ("(a OR b", 7, "expected ')'"),
            ("a OR", 4, "expected a search term, found end of search"),
            ("AND a", 0, "expected a search term, found 'AND'"),
            ("MetricName=", 0, "expected a value for 'MetricName='"),
            ("a )", 2, "unexpected ')'"),
            ("=x", 0, "expected a search term, found '='"),
        ],
    )
    def test_search_errors(self, text: str, position: int, detail: str) -> None:
        """Invalid search texts raise ValidationError with the position."""
        with pytest.raises(ValidationError) as caught:
            parse_search(text, statistic=parse_statistic("Sum"))
        assert caught.value.message == f"Invalid search expression at position {position}: {detail}"

    def test_search_in_an_expression(self) -> None:
        """SEARCH returns every matching series; the context runs the compiled query."""
        cpu = {i: series([i, i], f"cpu-{i}") for i in range(3)}
        catalogue = [
            SearchableMetric("AWS/EC2", "CPUUtilization", {"InstanceId": f"i-{i}"}, cpu[i])
            for i in range(3)
        ] + [SearchableMetric("AWS/EC2", "NetworkIn", {"InstanceId": "i-0"}, series([100]))]
        ctx = StaticContext(start=T0, end=at(2), catalogue=catalogue)
        text = "SEARCH('{AWS/EC2,InstanceId} MetricName=\"CPUUtilization\"', 'Average', 300)"
        result = run(text, ctx)
        assert isinstance(result, tuple)
        assert [s.label for s in result] == ["cpu-0", "cpu-1", "cpu-2"]
        assert run_ts(f"SUM({text})", ctx, 2) == [3, 3]
        assert run_ts("SUM(SEARCH('cpu', 'Sum'))", ctx, 2) == [3, 3]


# ---------------------------------------------------------------------------------------------
# Property tests: a naive evaluator over dict series, and the parser's robustness.

N = 6
Naive = float | None | dict[int, float]  # scalar (None: no value) or series (minute → value)


def naive_op(op: str, a: float | None, b: float | None) -> float | None:
    """One operator on two numbers, None when the point is dropped."""
    if a is None or b is None:
        return None
    try:
        result = {
            "+": lambda: a + b,
            "-": lambda: a - b,
            "*": lambda: a * b,
            "/": lambda: a / b,
            "^": lambda: math.pow(a, b),
            "<": lambda: float(a < b),
            ">=": lambda: float(a >= b),
            "==": lambda: float(a == b),
            "AND": lambda: float(a != 0 and b != 0),
            "OR": lambda: float(a != 0 or b != 0),
        }[op]()
    except (ArithmeticError, ValueError):
        return None
    return result if math.isfinite(result) else None


def naive_binary(op: str, a: Naive, b: Naive) -> Naive:
    """The documented alignment rules, written directly over dicts."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = {k: naive_op(op, a.get(k, 0.0), b.get(k, 0.0)) for k in a.keys() | b.keys()}
    elif isinstance(a, dict):
        out = {k: naive_op(op, v, b) for k, v in a.items()}  # type: ignore[arg-type]
    elif isinstance(b, dict):
        out = {k: naive_op(op, a, v) for k, v in b.items()}
    else:
        return naive_op(op, a, b)
    return {k: v for k, v in out.items() if v is not None}


def naive_eval(tree: tuple[object, ...], data: dict[str, dict[int, float]]) -> Naive:
    """Evaluate a generated tree with the naive rules."""
    kind = tree[0]
    if kind == "num":
        return float(tree[1])  # type: ignore[arg-type]
    if kind == "id":
        return dict(data[tree[1]])  # type: ignore[index]
    if kind == "neg":
        return naive_binary("-", 0.0, naive_eval(tree[1], data))  # type: ignore[arg-type]
    if kind == "bin":
        return naive_binary(
            tree[1],
            naive_eval(tree[2], data),  # type: ignore[arg-type]
            naive_eval(tree[3], data),
        )  # type: ignore[arg-type]
    args = [naive_eval(t, data) for t in tree[2]]  # type: ignore[attr-defined]
    name = tree[1]
    if name in ("ABS", "FLOOR"):
        fn = abs if name == "ABS" else math.floor
        assert isinstance(args[0], dict)
        return {k: float(fn(v)) for k, v in args[0].items()}
    if name in ("SUM", "AVG", "MAX"):
        if tree[3] == "single":
            assert isinstance(args[0], dict)
            values = list(args[0].values())
            if not values:
                return None
            return {"SUM": math.fsum, "AVG": lambda v: math.fsum(v) / len(v), "MAX": max}[name](
                values
            )  # type: ignore[operator]
        columns: list[dict[int, float]] = args  # type: ignore[assignment]
        keys = set().union(*columns)
        reduce = {"SUM": math.fsum, "AVG": lambda v: math.fsum(v) / len(v), "MAX": max}[name]
        return {k: reduce([c.get(k, 0.0) for c in columns]) for k in keys}  # type: ignore[operator]
    if name == "RUNNING_SUM":
        assert isinstance(args[0], dict)
        running, total = {}, []
        for k in sorted(args[0]):
            total.append(args[0][k])
            running[k] = math.fsum(total)
        return running
    if name == "DIFF":
        assert isinstance(args[0], dict)
        keys = sorted(args[0])
        return {k: args[0][k] - args[0][p] for p, k in itertools.pairwise(keys)}
    if name == "FILL":
        target, filler = args
        assert isinstance(target, dict) and not isinstance(filler, dict)
        if filler is None:
            return target
        return {k: target.get(k, filler) for k in range(N)}
    assert name == "IF"
    cond, yes, no = ([*args, None])[:3] if len(args) == 2 else args
    has_no = len(args) == 3
    assert isinstance(cond, dict)
    out: dict[int, float] = {}
    for k, flag in cond.items():
        if flag != 0:
            value = yes.get(k, 0.0) if isinstance(yes, dict) else yes
        elif not has_no:
            value = None
        else:
            value = no.get(k) if isinstance(no, dict) else no
        if value is not None:
            out[k] = value
    return out


def render(tree: tuple[object, ...]) -> str:
    """The generated tree as expression text (fully parenthesised)."""
    kind = tree[0]
    if kind == "num":
        return repr(float(tree[1]))  # type: ignore[arg-type]
    if kind == "id":
        return str(tree[1])
    if kind == "neg":
        return f"-({render(tree[1])})"  # type: ignore[arg-type]
    if kind == "bin":
        return f"({render(tree[2])} {tree[1]} {render(tree[3])})"  # type: ignore[arg-type]
    args = [render(t) for t in tree[2]]  # type: ignore[attr-defined]
    if tree[1] in ("SUM", "AVG", "MAX") and tree[3] == "array":  # type: ignore[misc]
        return f"{tree[1]}([{', '.join(args)}])"
    return f"{tree[1]}({', '.join(args)})"


OPERATORS = ["+", "-", "*", "/", "^", "<", ">=", "==", "AND", "OR"]


def scalars(depth: int) -> st.SearchStrategy[tuple[object, ...]]:
    """Scalar-valued trees."""
    number = st.integers(0, 5).map(lambda v: ("num", v))
    if depth == 0:
        return number
    return st.one_of(
        number,
        st.tuples(st.just("neg"), scalars(depth - 1)),
        st.tuples(
            st.just("bin"), st.sampled_from(OPERATORS), scalars(depth - 1), scalars(depth - 1)
        ),
        st.tuples(
            st.just("call"),
            st.sampled_from(["SUM", "AVG", "MAX"]),
            st.tuples(series_trees(depth - 1)),
            st.just("single"),
        ),
    )


def series_trees(depth: int) -> st.SearchStrategy[tuple[object, ...]]:
    """Series-valued trees."""
    ident = st.sampled_from(["m1", "m2", "m3"]).map(lambda name: ("id", name))
    if depth == 0:
        return ident
    sub, any_sub = series_trees(depth - 1), st.one_of(series_trees(depth - 1), scalars(depth - 1))
    return st.one_of(
        ident,
        st.tuples(st.just("neg"), sub),
        st.tuples(st.just("bin"), st.sampled_from(OPERATORS), sub, any_sub),
        st.tuples(st.just("bin"), st.sampled_from(OPERATORS), scalars(depth - 1), sub),
        st.tuples(
            st.just("call"),
            st.sampled_from(["ABS", "FLOOR", "RUNNING_SUM", "DIFF"]),
            st.tuples(sub),
            st.just("single"),
        ),
        st.tuples(
            st.just("call"),
            st.sampled_from(["SUM", "AVG", "MAX"]),
            st.lists(sub, min_size=1, max_size=3).map(tuple),
            st.just("array"),
        ),
        st.tuples(
            st.just("call"), st.just("FILL"), st.tuples(sub, scalars(depth - 1)), st.just("single")
        ),
        st.tuples(
            st.just("call"),
            st.just("IF"),
            st.one_of(st.tuples(sub, any_sub), st.tuples(sub, any_sub, any_sub)),
            st.just("single"),
        ),
    )


sparse_series = st.lists(
    st.one_of(st.none(), st.integers(-3, 9).map(float)), min_size=N, max_size=N
)


class TestProperties:
    """The evaluator agrees with a naive one; the parser fails only with ValidationError."""

    @settings(max_examples=300)
    @given(series_trees(3), sparse_series, sparse_series, sparse_series)
    def test_agrees_with_naive_evaluator(
        self,
        tree: tuple[object, ...],
        a: list[float | None],
        b: list[float | None],
        c: list[float | None],
    ) -> None:
        """Random expressions over random sparse series give the naive evaluator's points."""
        raw = {"m1": a, "m2": b, "m3": c}
        data = {k: {i: v for i, v in enumerate(vs) if v is not None} for k, vs in raw.items()}
        ctx = context(N, **{k: series(vs, k) for k, vs in raw.items()})
        expected = naive_eval(tree, data)
        assert isinstance(expected, dict)
        got = compile_expression(render(tree)).evaluate(ctx)
        assert isinstance(got, Series)
        got_points = {int((t - T0) / MINUTE): v for t, v in got.points()}
        assert got_points.keys() == expected.keys()
        for key, value in expected.items():
            assert got_points[key] == pytest.approx(value, rel=1e-9, abs=1e-9)

    @given(st.text(max_size=60))
    def test_arbitrary_text_raises_only_validation_error(self, text: str) -> None:
        """Any text compiles or raises ValidationError."""
        try:
            compile_expression(text)
        except ValidationError as error:
            assert error.value == text

    @given(st.text(alphabet="m12 ()[],+-*/^<>=!&|'\"ASUMIFLREPATVGDCOX_.e{}", max_size=60))
    def test_expression_like_text_never_crashes(self, text: str) -> None:
        """Text made of expression characters compiles, evaluates, or raises an AWS error."""
        ctx = context(m1=series([1, None, 3]), m2=series([0, 2]))
        with contextlib.suppress(ValidationError, Unsupported):
            compile_expression(text).evaluate(ctx)

    @given(st.text(max_size=40))
    def test_search_text_never_crashes(self, text: str) -> None:
        """Any search text parses or raises ValidationError; matching never fails."""
        try:
            query = parse_search(text, statistic=parse_statistic("Sum"))
        except ValidationError:
            return
        query.matches("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"}, account_id="1")

    @given(st.lists(st.sampled_from([5, 10, 60, 300]), min_size=1, max_size=1), st.integers(0, 50))
    def test_grid_has_one_slot_per_period(self, periods: list[int], count: int) -> None:
        """period_grid covers [start, end) with one timestamp per period."""
        period = periods[0]
        grid = period_grid(T0, T0 + timedelta(seconds=period * count), period)
        assert len(grid) == count
        assert all((b - a).total_seconds() == period for a, b in itertools.pairwise(grid))


class TestSeries:
    """The Series value type."""

    def test_naive_timestamps_are_utc(self) -> None:
        """Naive datetimes are taken as UTC."""
        s = Series([datetime(2024, 1, 1)], [1])
        assert s.timestamps[0].tzinfo is UTC

    @pytest.mark.parametrize(
        ("timestamps", "values", "message"),
        [
            ([T0, T0], [1, 2], "strictly ascending"),
            ([T0], [1, 2], "one value per timestamp"),
            ([T0], [math.nan], "finite"),
        ],
    )
    def test_invalid_series(
        self, timestamps: list[datetime], values: list[float], message: str
    ) -> None:
        """Unsorted timestamps, length mismatches and non-finite values are refused."""
        with pytest.raises(ValueError, match=message):
            Series(timestamps, values)

"""Tests for awsmon.cloudwatch.metrics.statistics and aggregate: aggregates, statistic names,
statistic values."""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.cloudwatch.metrics.statistics import (
    Aggregate,
    Statistic,
    StatisticKind,
    merge_aggregates,
    parse_statistic,
)
from awsmon.errors import InvalidParameter


def compute(name: str, values: list[float]) -> float | None:
    """Compute statistic `name` over raw `values`."""
    return parse_statistic(name).compute(Aggregate.of(values))


class TestAggregate:
    """Building and merging per-period aggregates."""

    def test_publishing_guide_example(self) -> None:
        """Values 2, 4 and 5 in one minute give AWS's documented statistics [S-PUB]."""
        agg = Aggregate.of([2, 4, 5])
        assert (agg.sample_count, agg.sum, agg.minimum, agg.maximum) == (3, 11, 2, 5)
        assert agg.average == 3.6666666666666665
        assert parse_statistic("Average").compute(agg) == 3.6666666666666665

    def test_values_with_counts_are_stored_as_sorted_distinct_columns(self) -> None:
        """Values and Counts collapse into one sorted column of distinct values."""
        agg = Aggregate.of([5, 1, 5, 3], counts=[2, 1, 1, 0])
        assert agg.values == (1.0, 5.0)
        assert agg.counts == (1.0, 3.0)
        assert (agg.sample_count, agg.sum) == (4.0, 16.0)

    def test_statistic_set_with_sample_count_one_stands_for_a_value(self) -> None:
        """SampleCount 1 with Min = Max = Sum keeps percentiles available [S-STA]."""
        agg = Aggregate.from_statistic_set(sample_count=1, sum=7, minimum=7, maximum=7)
        assert agg.has_raw_values
        assert parse_statistic("p99").compute(agg) == 7.0

    def test_statistic_set_of_equal_values_stands_for_those_values(self) -> None:
        """Min = Max and Sum = Min × SampleCount stands for SampleCount equal values [S-STA]."""
        agg = Aggregate.from_statistic_set(sample_count=4, sum=0.4, minimum=0.1, maximum=0.1)
        assert agg.values == (0.1,) and agg.counts == (4.0,)
        assert parse_statistic("tc90").compute(agg) == 4.0

    def test_other_statistic_sets_have_no_raw_values(self) -> None:
        """A general statistic set serves only the basic statistics."""
        agg = Aggregate.from_statistic_set(sample_count=3, sum=11, minimum=2, maximum=5)
        assert not agg.has_raw_values
        assert parse_statistic("Maximum").compute(agg) == 5.0
        for name in ("p50", "tm90", "IQM", "wm90", "tc90", "ts90", "PR(:3)"):
            assert parse_statistic(name).compute(agg) is None

    def test_merge_with_a_plain_statistic_set_drops_raw_values(self) -> None:
        """One period part without raw values makes the whole period lose them."""
        raw = Aggregate.of([1, 2])
        plain = Aggregate.from_statistic_set(sample_count=2, sum=10, minimum=4, maximum=6)
        merged = raw.merge(plain)
        assert merged.values is None and merged.counts is None
        assert (merged.sample_count, merged.sum, merged.minimum, merged.maximum) == (4, 13, 1, 6)

    def test_merge_combines_counts_of_equal_values(self) -> None:
        """Merging adds the counts of values seen in both parts."""
        merged = Aggregate.of([1, 2]).merge(Aggregate.of([2, 3]))
        assert merged.values == (1.0, 2.0, 3.0)
        assert merged.counts == (1.0, 2.0, 1.0)

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            pytest.param(
                lambda: Aggregate.of([]),
                r"^An aggregate needs at least one sample$",
                id="no-values",
            ),
            pytest.param(
                lambda: Aggregate.of([1, 2], counts=[1]),
                r"^The parameters Values and Counts must be of the same size\.$",
                id="length-mismatch",
            ),
            pytest.param(
                lambda: Aggregate.of([1], counts=[-1]),
                r"^The value -1\.0 for parameter Counts is invalid\.$",
                id="negative-count",
            ),
            pytest.param(
                lambda: Aggregate(0, 0, 0, 0),
                r"^SampleCount must be positive, got 0\.0$",
                id="zero-samples",
            ),
            pytest.param(
                lambda: Aggregate(1, 1, 2, 1),
                r"^Minimum 2\.0 is greater than Maximum 1\.0$",
                id="min-above-max",
            ),
            pytest.param(
                lambda: merge_aggregates([]),
                r"^Nothing to merge: no aggregates given$",
                id="merge-nothing",
            ),
        ],
    )
    def test_invalid_aggregates(self, build: object, message: str) -> None:
        """Invalid aggregates raise InvalidParameterValue with a clear message."""
        with pytest.raises(InvalidParameterValue) as caught:
            build()  # type: ignore[operator]
        assert re.fullmatch(message.strip("^$"), caught.value.message)
        assert caught.value.code == "InvalidParameterValue"


VALID_NAMES = [
    ("SampleCount", StatisticKind.SAMPLE_COUNT, None, None, False),
    ("Average", StatisticKind.AVERAGE, None, None, False),
    ("Sum", StatisticKind.SUM, None, None, False),
    ("Minimum", StatisticKind.MINIMUM, None, None, False),
    ("Maximum", StatisticKind.MAXIMUM, None, None, False),
    ("p99", StatisticKind.PERCENTILE, None, "99", True),
    ("p95.0123456789", StatisticKind.PERCENTILE, None, "95.0123456789", True),
    ("p0.0", StatisticKind.PERCENTILE, None, "0", True),
    ("p100", StatisticKind.PERCENTILE, None, "100", True),
    ("tm90", StatisticKind.TRIMMED_MEAN, None, "90", True),
    ("tc90", StatisticKind.TRIMMED_COUNT, None, "90", True),
    ("ts90", StatisticKind.TRIMMED_SUM, None, "90", True),
    ("wm98", StatisticKind.WINSORIZED_MEAN, None, "98", True),
    ("IQM", StatisticKind.TRIMMED_MEAN, "25", "75", True),
    ("TM(2%:98%)", StatisticKind.TRIMMED_MEAN, "2", "98", True),
    ("TM(:95%)", StatisticKind.TRIMMED_MEAN, None, "95", True),
    ("TM(10%:)", StatisticKind.TRIMMED_MEAN, "10", None, True),
    ("TS(80%:)", StatisticKind.TRIMMED_SUM, "80", None, True),
    ("WM(10%:90%)", StatisticKind.WINSORIZED_MEAN, "10", "90", True),
    ("TC(0%:100.0%)", StatisticKind.TRIMMED_COUNT, "0", "100", True),
    ("TM(150:1000)", StatisticKind.TRIMMED_MEAN, "150", "1000", False),
    ("TC(0.005:0.030)", StatisticKind.TRIMMED_COUNT, "0.005", "0.03", False),
    ("TC(:0.5)", StatisticKind.TRIMMED_COUNT, None, "0.5", False),
    ("PR(:300)", StatisticKind.PERCENTILE_RANK, None, "300", False),
    ("PR(100:2000)", StatisticKind.PERCENTILE_RANK, "100", "2000", False),
    ("PR(10:)", StatisticKind.PERCENTILE_RANK, "10", None, False),
    ("WM(1e2:2.5E3)", StatisticKind.WINSORIZED_MEAN, "100", "2500", False),
]


class TestParseStatistic:
    """Statistic names: the grammar of the API model and its error messages."""

    @pytest.mark.parametrize(
        ("name", "kind", "lower", "upper", "percent"), VALID_NAMES, ids=[v[0] for v in VALID_NAMES]
    )
    def test_valid_names(
        self, name: str, kind: StatisticKind, lower: str | None, upper: str | None, percent: bool
    ) -> None:
        """Every documented form parses into its kind and bounds."""
        stat = parse_statistic(name)
        expected_lower = None if lower is None else Fraction(lower)
        expected_upper = None if upper is None else Fraction(upper)
        assert stat == Statistic(name, kind, expected_lower, expected_upper, percent)

    def test_extended_flag_and_percentile(self) -> None:
        """Basic statistics are not extended; pNN exposes NN."""
        assert not parse_statistic("Sum").is_extended
        assert parse_statistic("IQM").is_extended
        assert parse_statistic("p99.9").percentile == 99.9
        assert parse_statistic("tm99").percentile is None

    @pytest.mark.parametrize(
        ("name", "suffix"),
        [
            pytest.param("average", " Did you mean 'Average'?", id="lower-case-basic"),
            pytest.param("Avg", " Did you mean 'Average'?", id="abbreviation"),
            pytest.param("Maximun", " Did you mean 'Maximum'?", id="typo"),
            pytest.param("iqm", " Did you mean 'IQM'?", id="lower-iqm"),
            pytest.param("P99", " Did you mean 'p99'?", id="upper-short-form"),
            pytest.param("TM90", " Did you mean 'tm90'?", id="upper-short-trimmed"),
            pytest.param("tm(10%:90%)", " Did you mean 'TM(10%:90%)'?", id="lower-range-form"),
            pytest.param("p101", "", id="percentile-above-100"),
            pytest.param("p100.0", "", id="p100-with-decimals"),
            pytest.param("p99.12345678901", "", id="eleven-decimals"),
            pytest.param("p", "", id="bare-p"),
            pytest.param("TM(:)", "", id="no-bounds"),
            pytest.param("TM(10%:500)", "", id="mixed-bounds"),
            pytest.param("PR(10%:90%)", "", id="percent-rank-with-percent"),
            pytest.param("TM(10%:90%) ", "", id="trailing-space"),
            pytest.param("p٩٩", "", id="non-ascii-digits"),
            pytest.param("o5", "", id="anomaly-internal"),
            pytest.param("", "", id="empty"),
        ],
    )
    def test_invalid_names(self, name: str, suffix: str) -> None:
        """Invalid names raise InvalidParameterValue naming the value, with a hint when close."""
        expected = f"The value {name} for parameter Statistic is not a valid statistic.{suffix}"
        with pytest.raises(InvalidParameterValue) as caught:
            parse_statistic(name)
        assert caught.value.message == expected
        assert caught.value.code == "InvalidParameterValue"
        assert caught.value.service == "cloudwatch"
        assert caught.value.value == name
        assert isinstance(caught.value, InvalidParameter)

    def test_reversed_bounds_are_rejected(self) -> None:
        """A lower bound above the upper bound is not a valid statistic."""
        with pytest.raises(InvalidParameterValue, match=r"lower bound is greater than the upper"):
            parse_statistic("TM(90%:10%)")

    def test_parameter_name_is_used_in_message(self) -> None:
        """The caller's parameter name appears in the message and on the error."""
        with pytest.raises(InvalidParameterValue) as caught:
            parse_statistic("x", param="Stat")
        assert caught.value.message.startswith("The value x for parameter Stat ")
        assert caught.value.param == "Stat"


ONE_TO_TEN = [float(v) for v in range(1, 11)]


class TestCompute:
    """Statistic values, from the definitions and examples of the statistics page [S-STA]."""

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("p0", 1.0),
            ("p10", 1.0),
            ("p11", 2.0),
            ("p50", 5.0),
            ("p90", 9.0),
            ("p99", 10.0),
            ("p100", 10.0),
            ("tm90", 5.0),
            ("TM(:90%)", 5.0),
            ("TM(10%:90%)", 5.5),
            ("TM(10%:)", 6.0),
            ("tc90", 9.0),
            ("TC(10%:90%)", 8.0),
            ("ts90", 45.0),
            ("TS(80%:)", 19.0),
            ("wm90", 5.4),
            ("WM(10%:90%)", 5.4),
            ("WM(20%:80%)", 5.3),
            ("PR(:3)", 30.0),
            ("PR(2:5)", 30.0),
            ("PR(10:)", 0.0),
            ("TC(2:5)", 3.0),
            ("TM(:5)", 3.0),
            ("TS(5:)", 40.0),
            ("WM(3:8)", 5.5),
            ("IQM", 6.0),
        ],
    )
    def test_one_to_ten(self, name: str, expected: float) -> None:
        """Statistics of the values 1..10."""
        assert compute(name, ONE_TO_TEN) == pytest.approx(expected)

    def test_trimmed_mean_absolute_bounds(self) -> None:
        """TM(150:1000) drops values ≤ 150 and values > 1000."""
        assert compute("TM(150:1000)", [100, 150, 151, 500, 1000, 1001]) == pytest.approx(
            (151 + 500 + 1000) / 3
        )

    def test_trimmed_count_absolute_bounds(self) -> None:
        """TC(0.005:0.030) counts values in (0.005, 0.030]."""
        assert compute("TC(0.005:0.030)", [0.005, 0.006, 0.03, 0.031]) == 2.0

    def test_percentile_rank_examples(self) -> None:
        """PR(:300) is the % of values ≤ 300; PR(100:2000) the % in (100, 2000]."""
        values = [50, 100, 300, 301, 2000, 2500]
        assert compute("PR(:300)", values) == 50.0
        assert compute("PR(100:2000)", values) == pytest.approx(100 * 3 / 6)

    def test_tm99_equals_upper_percent_bound(self) -> None:
        """tm99 is the same as TM(:99%), and IQM the same as TM(25%:75%)."""
        values = [float(v * v % 37) for v in range(250)]
        assert compute("tm99", values) == compute("TM(:99%)", values)
        assert compute("IQM", values) == compute("TM(25%:75%)", values)

    def test_p99_is_maximum_of_the_remaining_99_percent(self) -> None:
        """p99 ignores the top 1 % and is the maximum of the rest."""
        values = [float(v) for v in range(1, 201)]
        assert compute("p99", values) == 198.0
        assert compute("tm99", values) == pytest.approx(sum(range(1, 199)) / 198)

    def test_wm98_sets_top_two_percent_to_p98(self) -> None:
        """wm98 treats the highest 2 % as equal to the 98th percentile."""
        values = [float(v) for v in range(1, 101)]
        expected = (sum(range(1, 99)) + 2 * 98) / 100
        assert compute("wm98", values) == pytest.approx(expected)

    def test_trimmed_sum_is_trimmed_mean_times_trimmed_count(self) -> None:
        """TS = TM × TC."""
        values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
        for bounds in ("(10%:90%)", "(1:5)", "(:50%)"):
            tm, tc, ts = (compute(k + bounds, values) for k in ("TM", "TC", "TS"))
            assert tm is not None and tc is not None
            assert ts == pytest.approx(tm * tc)

    def test_empty_selection(self) -> None:
        """Nothing in range: TM and WM have no value, TC and TS are zero."""
        values = [1.0, 2.0]
        assert compute("TM(5:6)", values) is None
        assert compute("TC(5:6)", values) == 0.0
        assert compute("TS(5:6)", values) == 0.0

    def test_negative_values_disable_extended_statistics(self) -> None:
        """Extended statistics are not available when any value is negative."""
        values = [-1.0, 2.0, 3.0]
        assert compute("p50", values) is None
        assert compute("PR(:2)", values) is None
        assert compute("Minimum", values) == -1.0

    def test_counts_weight_the_values(self) -> None:
        """Counts act as repeated values."""
        weighted = Aggregate.of([1, 10], counts=[9, 1])
        assert parse_statistic("p90").compute(weighted) == 1.0
        assert parse_statistic("p91").compute(weighted) == 10.0
        assert parse_statistic("tm90").compute(weighted) == 1.0


# ---------------------------------------------------------------------------------------------
# Property tests against a naive oracle on the expanded, sorted sample list.


def naive_percentile(samples: list[float], p: Fraction) -> float:
    """Nearest rank: the k-th smallest sample, k = max(1, ceil(p·n/100))."""
    k = max(1, math.ceil(p * len(samples) / 100))
    return samples[k - 1]


def naive(stat: Statistic, samples: list[float]) -> float | None:
    """A direct implementation of each statistic's definition."""
    s = sorted(samples)
    n = len(s)
    kind = stat.kind
    basic = {
        StatisticKind.SAMPLE_COUNT: float(n),
        StatisticKind.SUM: math.fsum(s),
        StatisticKind.AVERAGE: math.fsum(s) / n,
        StatisticKind.MINIMUM: s[0],
        StatisticKind.MAXIMUM: s[-1],
    }
    if kind in basic:
        return basic[kind]
    if s[0] < 0:
        return None
    if kind is StatisticKind.PERCENTILE:
        assert stat.upper is not None
        return naive_percentile(s, stat.upper)
    lo = stat.lower
    hi = stat.upper
    if kind is StatisticKind.WINSORIZED_MEAN:
        if stat.percent:
            low = s[0] if lo is None else naive_percentile(s, lo)
            high = s[-1] if hi is None else naive_percentile(s, hi)
        else:
            low = -math.inf if lo is None else float(lo)
            high = math.inf if hi is None else float(hi)
        return math.fsum(min(max(v, low), high) for v in s) / n
    if stat.percent:
        first = 0 if lo is None else math.ceil(lo * n / 100)
        last = n if hi is None else math.ceil(hi * n / 100)
        kept = s[first:last]
    else:
        kept = [v for v in s if (lo is None or v > lo) and (hi is None or v <= hi)]
    if kind is StatisticKind.PERCENTILE_RANK:
        return 100.0 * len(kept) / n
    if kind is StatisticKind.TRIMMED_COUNT:
        return float(len(kept))
    if kind is StatisticKind.TRIMMED_SUM:
        return math.fsum(kept)
    return math.fsum(kept) / len(kept) if kept else None


small_values = st.integers(min_value=0, max_value=40).map(float)
samples_strategy = st.lists(small_values, min_size=1, max_size=60)
percent_text = st.one_of(
    st.integers(0, 100).map(str),
    st.tuples(st.integers(0, 99), st.integers(0, 9)).map(lambda t: f"{t[0]}.{t[1]}"),
)
absolute_text = st.integers(0, 45).map(str)


@st.composite
def statistic_names(draw: st.DrawFn) -> str:
    """Any valid statistic name, of every form."""
    form = draw(st.sampled_from(["basic", "short", "percent", "absolute", "iqm"]))
    if form == "basic":
        return draw(st.sampled_from(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]))
    if form == "iqm":
        return "IQM"
    if form == "short":
        return draw(st.sampled_from(["p", "tm", "tc", "ts", "wm"])) + draw(percent_text)
    if form == "percent":
        kind = draw(st.sampled_from(["TM", "TC", "TS", "WM"]))
        lo, hi = draw(
            st.lists(percent_text, min_size=2, max_size=2).map(lambda b: sorted(b, key=Fraction))
        )
        side = draw(st.sampled_from(["both", "lower", "upper"]))
        lo = "" if side == "upper" else lo + "%"
        hi = "" if side == "lower" else hi + "%"
        return f"{kind}({lo}:{hi})"
    kind = draw(st.sampled_from(["TM", "TC", "TS", "WM", "PR"]))
    lo, hi = sorted(draw(st.lists(absolute_text, min_size=2, max_size=2)), key=int)
    side = draw(st.sampled_from(["both", "lower", "upper"]))
    return f"{kind}({'' if side == 'upper' else lo}:{'' if side == 'lower' else hi})"


class TestProperties:
    """Statistics agree with a naive oracle; merging is order-free; percentiles are monotone."""

    @given(statistic_names(), samples_strategy)
    def test_agrees_with_naive_oracle(self, name: str, samples: list[float]) -> None:
        """Every statistic equals its definition computed on the sorted sample list."""
        stat = parse_statistic(name)
        got = stat.compute(Aggregate.of(samples))
        expected = naive(stat, samples)
        if expected is None:
            assert got is None
        else:
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)

    @given(statistic_names(), st.lists(samples_strategy, min_size=1, max_size=5))
    def test_merged_parts_equal_the_whole(self, name: str, parts: list[list[float]]) -> None:
        """Statistics of merged per-part aggregates equal those of all samples at once."""
        stat = parse_statistic(name)
        merged = merge_aggregates(Aggregate.of(p) for p in parts)
        whole = Aggregate.of([v for p in parts for v in p])
        assert merged == whole
        assert stat.compute(merged) == stat.compute(whole)

    @given(st.lists(samples_strategy, min_size=3, max_size=3), st.randoms())
    def test_merge_is_associative_and_order_free(
        self, parts: list[list[float]], rnd: random.Random
    ) -> None:
        """(a+b)+c == a+(b+c) == any permutation merged at once."""
        a, b, c = (Aggregate.of(p) for p in parts)
        left = a.merge(b).merge(c)
        right = a.merge(b.merge(c))
        shuffled = [a, b, c]
        rnd.shuffle(shuffled)
        assert left == right == merge_aggregates(shuffled)

    @given(
        st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40),
        st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40),
    )
    def test_merge_of_general_floats_is_order_free(self, x: list[float], y: list[float]) -> None:
        """With arbitrary floats, merge order changes nothing (fsum keeps Sum exact-rounded)."""
        a, b = Aggregate.of(x), Aggregate.of(y)
        assert merge_aggregates([a, b]) == merge_aggregates([b, a])

    @given(samples_strategy, st.lists(percent_text, min_size=2, max_size=2))
    def test_percentiles_are_monotone(self, samples: list[float], ps: list[str]) -> None:
        """p_a ≤ p_b whenever a ≤ b, and both lie within [Minimum, Maximum]."""
        lo, hi = sorted(ps, key=Fraction)
        agg = Aggregate.of(samples)
        low = parse_statistic(f"p{lo}").compute(agg)
        high = parse_statistic(f"p{hi}").compute(agg)
        assert low is not None and high is not None
        assert agg.minimum <= low <= high <= agg.maximum

    @given(st.text(max_size=20))
    def test_parser_never_crashes(self, text: str) -> None:
        """Arbitrary text either parses or raises InvalidParameterValue."""
        try:
            stat = parse_statistic(text)
        except InvalidParameterValue as error:
            assert error.value == text
        else:
            assert stat.name == text

    @given(statistic_names())
    def test_generated_names_parse(self, name: str) -> None:
        """Every name of the documented grammar is accepted."""
        assume(name)
        assert parse_statistic(name).name == name

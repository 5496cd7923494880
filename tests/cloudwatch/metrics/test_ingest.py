"""Tests of awsmon/cloudwatch/metrics/ingest.py: PutMetricData's one-pass reading of its common
shape gives the general path's answers (same response or same error, same stored data)."""

from __future__ import annotations

import math
import warnings
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.metrics.catalog import MetricCatalog
from awsmon.cloudwatch.metrics.ingest import KeyCache, group_datums, read_values
from awsmon.cloudwatch.metrics.model import MetricDatum, MetricKey, StandardUnit
from awsmon.errors import ServiceError

NOW = datetime(2025, 6, 9, 12, 0, 0, 250_000, tzinfo=UTC)

names = st.sampled_from(
    ["Latency", "Errors", "Ünïcode", "", "a\x01b", "x" * 256, "\ud800", 7, None, "Latency "]
)
dimension_names = st.sampled_from(["Host", "Stage", "", ":x", " ", "é", "Host", 3])
dimension_values = st.sampled_from(["h1", "prod", "", " ", "v" * 1025, "é", 1, None])
dimension = st.one_of(
    st.fixed_dictionaries({"Name": dimension_names, "Value": dimension_values}),
    st.fixed_dictionaries({"Value": dimension_values, "Name": dimension_names}),
    st.fixed_dictionaries({"Name": dimension_names}),
    st.fixed_dictionaries(
        {"Name": dimension_names, "Value": dimension_values, "Extra": st.just("x")}
    ),
    st.just("Host=h1"),
)
dimensions = st.one_of(
    st.none(),
    st.lists(dimension, max_size=3),
    st.just([{"Name": f"d{i}", "Value": "v"} for i in range(31)]),
    st.just({"Name": "Host", "Value": "h1"}),
    st.just(""),
)
values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.5, 2.0**360, -(2.0**360), 2.0**361, 1e300]),
    st.integers(-(10**120), 10**120),
    st.sampled_from([True, "1", Decimal("2.5"), Decimal("sNaN"), Decimal("1e400"), 2**360 + 1]),
)
edges = [
    timedelta(weeks=-2),
    timedelta(weeks=-2, microseconds=-1),
    timedelta(hours=2),
    timedelta(hours=2, microseconds=1),
    timedelta(days=-1),
    timedelta(days=-1, microseconds=-1),
    timedelta(days=1, microseconds=1),
]
offsets = st.one_of(
    st.sampled_from(edges),
    st.integers(-16 * 86400, 3 * 3600).map(lambda s: timedelta(seconds=s)),
    st.integers(-(10**6), 10**6).map(lambda us: timedelta(microseconds=us)),
)


@st.composite
def timestamps(draw: st.DrawFn, junk: bool = True) -> Any:
    """A timestamp near the limits (two weeks back, two hours ahead, a day of skew), in
    each form botocore takes; with `junk`, sometimes no timestamp at all."""
    when = NOW + draw(offsets)
    forms = ["utc", "utc", "utc", "naive", "tz", "iso", "epoch"] + (["junk"] if junk else [])
    form = draw(st.sampled_from(forms))
    if form == "naive":
        return when.replace(tzinfo=None)
    if form == "tz":
        return when.astimezone(timezone(timedelta(hours=5, minutes=30)))
    if form == "iso":
        return when.isoformat()
    if form == "epoch":
        return when.timestamp()
    if form == "junk":
        return draw(st.sampled_from(["yesterday", [], 10**30, True]))
    return when


good = {
    "MetricName": st.sampled_from(["Latency", "Errors", "Ünïcode", "Latency "]),
    "Value": st.one_of(st.floats(-1e6, 1e6), st.integers(-1000, 1000)),
    "Dimensions": st.lists(
        st.fixed_dictionaries(
            {"Name": st.sampled_from(["Host", "Stage"]), "Value": st.sampled_from(["h1", "h2"])}
        ),
        max_size=2,
        unique_by=lambda d: d["Name"],
    ),
    "Timestamp": timestamps(junk=False),
    "Unit": st.sampled_from(["Count", "Milliseconds", "None", "Bytes/Second"]),
    "StorageResolution": st.sampled_from([1, 60]),
}
junk = {
    "MetricName": names,
    "Value": values,
    "Dimensions": dimensions,
    "Timestamp": timestamps(),
    "Unit": st.sampled_from(["count", 1, "", ["Count"]]),
    "StorageResolution": st.sampled_from([30, True, "60", 0]),
    "StatisticValues": st.just({"SampleCount": 2.0, "Sum": 3.0, "Minimum": 1.0, "Maximum": 2.0}),
    "Values": st.just([1.0, 2.0]),
    "Bogus": st.just("x"),
}


@st.composite
def datums(draw: st.DrawFn) -> Any:
    """A plain datum (optional members left out at random), sometimes with one odd member."""
    entry = {
        member: draw(strategy)
        for member, strategy in good.items()
        if member in ("MetricName", "Value") or draw(st.booleans())
    }
    if draw(st.integers(0, 7)) == 3:
        member = draw(st.sampled_from(sorted(junk)))
        entry[member] = draw(st.one_of(junk[member], st.none()))
    if draw(st.integers(0, 15)) == 7:
        del entry["Value"]
    return entry


@st.composite
def batches(draw: st.DrawFn) -> tuple[Any, Any]:
    """A namespace and a MetricData list: mostly repeats of a few datums, some junk."""
    namespace = draw(st.sampled_from(["App"] * 9 + ["AWS/EC2", "", ":x", "Ünï", 5]))
    pool = draw(st.lists(datums(), min_size=1, max_size=4))
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=0, max_size=25))
    data: Any = [dict(pool[i]) for i in picks]
    if draw(st.integers(0, 20)) == 10:
        data = draw(st.sampled_from([None, "x", [1], [{"MetricName": "M", "Value": 1.0}] * 1001]))
    return namespace, data


def _cloud() -> Cloud:
    return Cloud(clock=VirtualClock(NOW))


def _outcome(cloud: Cloud, namespace: Any, data: Any) -> Any:
    params: dict[str, Any] = {"Namespace": namespace, "MetricData": data}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            answer: Any = cloud.client("cloudwatch").put_metric_data(**params)
        except ServiceError as error:
            answer = (type(error).__name__, error.code, str(error))
    return answer, [str(w.message) for w in caught]


def _stored(catalog: MetricCatalog) -> list[Any]:
    """Everything a reader can see of the catalog, by public methods."""
    seen = []
    for metric in catalog.all():
        for unit, series in sorted(metric.series.items(), key=lambda item: item[0].value):
            slots = [
                (start, series.aggregate(first, last, raw=True))
                for start, first, last in series.buckets(0, 2**40, 1)
            ]
            seen.append((metric.key, unit, metric.last_put_at, slots))
    return seen


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_one_pass_answers_as_the_general_path(batch: tuple[Any, Any]) -> None:
    """Random batches, valid and invalid: the same response or error, the same stored data."""
    _assert_same_answers(*batch)


def _assert_same_answers(namespace: Any, data: Any) -> None:
    fast, slow = _cloud(), _cloud()
    fast_answer = _outcome(fast, namespace, data)
    with mock.patch("awsmon.cloudwatch.api.read_values", return_value=None):
        slow_answer = _outcome(slow, namespace, data)
    assert fast_answer == slow_answer
    assert _stored(fast.cloudwatch.metric_catalog) == _stored(slow.cloudwatch.metric_catalog)


@st.composite
def one_odd_member(draw: st.DrawFn) -> tuple[Any, Any]:
    """A plain batch with one odd member in one datum (each rule met alone)."""
    data = draw(st.lists(st.fixed_dictionaries(good), min_size=1, max_size=6))
    member = draw(st.sampled_from(sorted(junk)))
    draw(st.sampled_from(data))[member] = draw(st.one_of(junk[member], st.none()))
    return "App", data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_odd_member())
def test_one_odd_member_answers_as_the_general_path(batch: tuple[Any, Any]) -> None:
    """One odd member (a bad value, a skewed or out-of-range time, another kind of datum):
    the same response or error, the same stored data."""
    _assert_same_answers(*batch)


def test_common_shape_takes_the_one_pass() -> None:
    """A plain batch is read in one pass; an unusual one is left to the general path."""
    keys = KeyCache()
    plain = [
        {"MetricName": "Latency", "Value": float(i), "Unit": "Milliseconds", "Timestamp": NOW,
         "Dimensions": [{"Name": "Host", "Value": f"h{i % 2}"}]}
        for i in range(10)
    ]
    batch = read_values({"Namespace": "App", "MetricData": plain}, NOW, keys)
    assert batch is not None
    grouped = batch.grouped()
    slot = math.floor(NOW.timestamp()) // 60 * 60
    key = MetricKey.of("App", "Latency", {"Host": "h0"})
    assert grouped[key, StandardUnit.MILLISECONDS, slot] == {0.0: 1.0, 2.0: 1.0, 4.0: 1.0,
                                                             6.0: 1.0, 8.0: 1.0}
    unusual = [*plain, {"MetricName": "Latency", "Values": [1.0], "Counts": [2.0]}]
    assert read_values({"Namespace": "App", "MetricData": unusual}, NOW, keys) is None
    invalid = [*plain, {"MetricName": "Latency", "Value": math.nan}]
    assert read_values({"Namespace": "App", "MetricData": invalid}, NOW, keys) is None


def test_a_request_over_a_megabyte_is_measured_exactly() -> None:
    """Long names, or timestamps printed with 2,000 digits, bound the text over 1 MB: the
    general path measures it and refuses it."""
    long_names = [{"MetricName": "n" * 255, "Value": 1.0,
                   "Dimensions": [{"Name": f"d{j}", "Value": "v" * 1024} for j in range(30)]}]
    digits = Decimal(f"{math.floor(NOW.timestamp())}.{'0' * 2000}")
    long_times = [{"MetricName": "Latency", "Value": 1.0, "Timestamp": digits}]
    for data in (long_names * 40, long_times * 600):
        cloud = _cloud()
        try:
            cloud.client("cloudwatch").put_metric_data(Namespace="App", MetricData=data)
        except ServiceError as error:
            assert error.code == "RequestEntityTooLarge"
        else:
            raise AssertionError("a 1.2 MB request was accepted")
        assert cloud.cloudwatch.metric_catalog.all() == []


points = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from([1, 60]), st.integers(-3, 3).map(float),
              st.integers(0, 180)),
    max_size=40,
)


@given(points)
def test_grouped_writes_store_as_one_by_one(entries: list[tuple[int, int, float, int]]) -> None:
    """The store is order-free: values written grouped by slot read as written one at a time."""
    datums_ = [
        MetricDatum(key=MetricKey.of("App", f"M{m}"), value=value, storage_resolution=res,
                    timestamp=NOW - timedelta(seconds=seconds))
        for m, res, value, seconds in entries
    ]
    grouped, one_by_one = MetricCatalog(), MetricCatalog()
    values, others = group_datums(datums_, NOW)
    assert others == []
    grouped.put_grouped(values, NOW)
    for datum in datums_:
        one_by_one.put(datum, NOW)
    assert sorted(_stored(grouped), key=repr) == sorted(_stored(one_by_one), key=repr)


@given(points)
def test_published_points_store_as_one_by_one(entries: list[tuple[int, int, float, int]]) -> None:
    """`publish` groups a call's points by slot; the store reads as one write per point."""
    together, one_by_one = MetricCatalog(), MetricCatalog()
    for m in range(4):
        for res in (1, 60):
            mine = [(NOW - timedelta(seconds=seconds), value)
                    for m_, res_, value, seconds in entries if (m_, res_) == (m, res)]
            if not mine:
                continue
            key = MetricKey.of("App", f"M{m}")
            together.publish(key, mine, unit=StandardUnit.NONE, storage_resolution=res, now=NOW)
            for point in mine:
                one_by_one.publish(key, [point], unit=StandardUnit.NONE,
                                   storage_resolution=res, now=NOW)
    assert sorted(_stored(together), key=repr) == sorted(_stored(one_by_one), key=repr)


def test_publish_stores_the_points_before_a_value_that_is_not_finite() -> None:
    """Each point is its own publication: those before a NaN are kept, the rest are not."""
    catalog = MetricCatalog()
    key = MetricKey.of("App", "M")
    points_ = [(NOW, 1.0), (NOW, 2.0), (NOW, math.nan), (NOW, 3.0)]
    try:
        catalog.publish(key, points_, unit=StandardUnit.NONE, storage_resolution=60, now=NOW)
    except ServiceError as error:
        assert error.code == "InvalidParameterValue"
    else:
        raise AssertionError("NaN was accepted")
    (metric,) = catalog.all()
    series = metric.series[StandardUnit.NONE]
    first, last = series.window(0, 2**40)
    assert series.aggregate(first, last, raw=True).sample_count == 2


def test_key_cache_forgets_past_its_limit() -> None:
    """The checked keys are bounded: past the limit the cache starts again, answers unchanged."""
    keys = KeyCache(limit=3)
    for round_ in range(2):
        for i in range(5):
            data = [{"MetricName": f"M{i}", "Value": 1.0,
                     "Dimensions": [{"Name": "Host", "Value": f"h{round_}"}]}]
            batch = read_values({"Namespace": f"N{i % 2}", "MetricData": data}, NOW, keys)
            assert batch is not None
            ((key, _, _),) = batch.grouped()
            assert key == MetricKey.of(f"N{i % 2}", f"M{i}", {"Host": f"h{round_}"})
        assert len(keys) <= 3


def test_values_without_a_double_are_refused_with_aws_error() -> None:
    """A signalling-NaN Decimal and an int beyond any double get InvalidParameterValue."""
    client = _cloud().client("cloudwatch")
    for value in (Decimal("sNaN"), 10**400, -(10**400)):
        try:
            client.put_metric_data(Namespace="App", MetricData=[
                {"MetricName": "Latency", "Value": 1.0},
                {"MetricName": "Latency", "Value": value},
            ])
        except ServiceError as error:
            assert error.code == "InvalidParameterValue"
            assert "MetricData.member.2.Value" in str(error)
        else:
            raise AssertionError(f"{value!r} was accepted")

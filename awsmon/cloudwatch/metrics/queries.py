"""GetMetricData: metric queries and metric-math expressions over one time range.

Main classes and functions:

- `MetricStat`, `MetricDataQuery`: the queries (a metric read with a statistic
  and period, or an expression over other queries).
- `MetricDataResult`, `MetricDataResults`: the answer, as AWS shapes it
  (`awsmon.cloudwatch.metrics.results`, re-exported).
- `run_queries`: validates a request, reads the store, evaluates expressions
  (`awsmon.cloudwatch.math.expression`), labels and pages the results.

Rules kept from AWS [S-CWM]: at most 500 queries; ids unique, matching
``^[a-z][a-zA-Z0-9_]*$``; exactly one of MetricStat and Expression per query;
StartTime rounded like GetMetricStatistics; results newest first unless
``ScanBy=TimestampAscending``; at most `MaxDatapoints` values per page, the rest
behind a NextToken with ``StatusCode=PartialData``; a MetricStat without Unit
over data in several units reads the alphabetically first unit and says so
with a ``MultipleUnits`` message.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from attrs import frozen

from awsmon.cloudwatch.errors import ValidationError
from awsmon.cloudwatch.math.expression import (
    MetricExpression,
    SearchQuery,
    Series,
    compile_expression,
)
from awsmon.cloudwatch.metrics.catalog import MetricCatalog
from awsmon.cloudwatch.metrics.insights import (
    INSIGHTS_WINDOW_S,
    MetricsInsightsQuery,
    Observation,
    is_metrics_insights,
)
from awsmon.cloudwatch.metrics.model import MetricKey, StandardUnit, check_period
from awsmon.cloudwatch.metrics.pointwise import pointwise
from awsmon.cloudwatch.metrics.results import (
    MAX_DATAPOINTS_PER_CALL,
    Evaluated,
    MetricDataResult,
    MetricDataResults,
    page_of,
    read_token,
    result_of,
)
from awsmon.cloudwatch.metrics.statistics import Statistic, parse_statistic
from awsmon.cloudwatch.metrics.store import (
    align_start,
    epoch_seconds,
    from_epoch,
    from_epochs,
    period_allowed,
)
from awsmon.errors import InvalidParameter

__all__ = [
    "BandModel",
    "MetricDataQuery",
    "MetricDataRequest",
    "MetricDataResult",
    "MetricDataResults",
    "MetricStat",
    "run_queries",
    "validate_queries",
]

MAX_QUERIES = 500
_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")


@frozen(kw_only=True)
class MetricStat:
    """A metric read with one statistic per period, optionally only one unit's data."""

    metric: MetricKey
    period: int
    stat: str
    unit: StandardUnit | None = None


@frozen(kw_only=True)
class MetricDataQuery:
    """One query of GetMetricData: exactly one of `metric_stat` and `expression`."""

    id: str
    metric_stat: MetricStat | None = None
    expression: str | None = None
    label: str | None = None
    return_data: bool = True
    period: int | None = None


class BandModel(Protocol):
    """What ANOMALY_DETECTION_BAND asks of the anomaly models (`alarms.anomaly`)."""

    def anomaly_band(
        self, key: MetricKey, stat: str, period: int, starts: Sequence[int], width: float
    ) -> list[tuple[float, float] | None]:
        """The (lower, upper) band of each period starting at `starts`, or None."""
        ...


def _invalid(message: str, param: str, value: Any = None) -> ValidationError:
    return ValidationError(message, param=param, value=value)


class MetricDataRequest:
    """One set of queries being answered over a time range; the math `EvaluationContext`.

    GetMetricData makes one per call, math alarms one per evaluation.

    Args:
        metrics: the store it reads.
        queries: the queries, in request order.
        start: the start of the range (aligned like GetMetricStatistics').
        end: its end.
        now: the virtual time of the request.
        bands: the anomaly models ANOMALY_DETECTION_BAND reads.
        origin: the start of the whole request when this one reads only part
            of its range (`narrowed`): which periods old data can be read with
            depends on it, not on the part.
    """

    def __init__(
        self,
        metrics: MetricCatalog,
        queries: Sequence[MetricDataQuery],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
        bands: BandModel,
        origin: datetime | None = None,
    ) -> None:
        self._metrics = metrics
        self._bands = bands
        self.queries = {q.id: q for q in queries}
        self.order = [q.id for q in queries]
        self.now = now
        periods = [q.metric_stat.period for q in queries if q.metric_stat is not None]
        periods += [q.period for q in queries if q.period is not None]
        self._period = max(periods) if periods else 60
        self._start = align_start(self.now, start, min(periods) if periods else self._period)
        self._origin = self._start if origin is None else origin
        self._single_period = periods[0] if periods and len(set(periods)) == 1 else None
        if not periods:
            self._single_period = self._period
        self._end = end
        self.compiled: dict[str, MetricExpression] = {}
        self.insights: dict[str, MetricsInsightsQuery] = {}
        self.statistics: dict[str, Statistic] = {}
        self.messages: dict[str, list[tuple[str, str]]] = {}
        self._results: dict[str, Series | tuple[Series, ...]] = {}
        self._evaluating: list[str] = []

    # -- the EvaluationContext protocol ---------------------------------------------

    @property
    def start(self) -> datetime:
        return self._start

    @property
    def end(self) -> datetime:
        return self._end

    @property
    def period(self) -> int:
        return self._period

    def resolve(self, query_id: str) -> Series | Sequence[Series] | None:
        if query_id not in self.queries:
            return None
        return self.result(query_id)

    def metric_ids(self) -> Sequence[str]:
        return [i for i in self.order if self.queries[i].metric_stat is not None]

    def metric_period(self, query_id: str) -> int | None:
        query = self.queries.get(query_id)
        return query.metric_stat.period if query and query.metric_stat else None

    def search(self, query: SearchQuery) -> Sequence[Series]:
        period = query.period or self._period
        found: list[Series] = []
        for metric in sorted(self._metrics.all(), key=lambda m: _label_key(m.key)):
            key = metric.key
            dims = {d.name: d.value for d in key.dimensions}
            if not query.matches(key.namespace, key.name, dims):
                continue
            label = " ".join([key.name, *(d.value for d in key.dimensions)])
            series = self.read(key, query.statistic, period, None, label, query_id=None)
            if series.values:
                found.append(series)
        return found

    def anomaly_band(self, query_id: str, width: float) -> tuple[Series, Series]:
        """ANOMALY_DETECTION_BAND of a MetricStat query: its (lower, upper) series.

        The model is the metric's anomaly detector for the query's statistic
        (`awsmon.cloudwatch.alarms.anomaly`); labels follow the metric's label.
        """
        query = self.queries.get(query_id)
        if query is None or query.metric_stat is None:
            raise _invalid(
                f"ANOMALY_DETECTION_BAND needs the id of a metric query, not {query_id}.",
                "Expression",
                query_id,
            )
        stat = query.metric_stat
        period = stat.period
        start = align_start(self.now, self._start, period)
        first, last = epoch_seconds(start), epoch_seconds(self._end)
        starts = list(range(first, last, period))
        bands = self._bands.anomaly_band(stat.metric, stat.stat, period, starts, width)
        label = query.label or stat.metric.name
        low: list[tuple[datetime, float]] = []
        high: list[tuple[datetime, float]] = []
        for bucket, band in zip(starts, bands, strict=True):
            if band is not None:
                low.append((from_epoch(bucket), band[0]))
                high.append((from_epoch(bucket), band[1]))
        return (
            Series.from_points(low, label=f"{label} Lower", period=period),
            Series.from_points(high, label=f"{label} Upper", period=period),
        )

    # -- evaluation ---------------------------------------------------------------

    def narrowed(self, needed: int, *, ascending: bool) -> MetricDataRequest | None:
        """The same queries over only the `needed` newest (or oldest) periods, when exact.

        That is when every query has one period and every expression works
        period by period (`pointwise`): then the newest `needed` points of a
        result are the same over the part as over the whole range. None when
        the part would be the whole range or the queries need all of it.
        """
        period = self._single_period
        expressions = (q.expression for q in self.queries.values() if q.expression is not None)
        if period is None or not pointwise(expressions):
            return None
        start, end = epoch_seconds(self._start), epoch_seconds(self._end)
        periods = -(-(end - start) // period)
        if needed >= periods:
            return None
        if ascending:
            first, last = self._start, from_epoch(start + needed * period)
        else:
            first, last = from_epoch(start + (periods - needed) * period), self._end
        part = MetricDataRequest(
            self._metrics,
            [self.queries[i] for i in self.order],
            first,
            last,
            now=self.now,
            bands=self._bands,
            origin=self._origin,
        )
        if part.start != first:
            return None
        part.compiled, part.statistics = self.compiled, self.statistics
        return part

    def result(self, query_id: str) -> Series | tuple[Series, ...]:
        """The series of a query, computing (and caching) it on first use."""
        done = self._results.get(query_id)
        if done is not None:
            return done
        if query_id in self._evaluating:
            raise _invalid(
                f"Circular dependency between expressions: {' -> '.join(self._evaluating)} "
                f"-> {query_id}.",
                "MetricDataQueries",
                query_id,
            )
        query = self.queries[query_id]
        self._evaluating.append(query_id)
        try:
            value: Series | tuple[Series, ...]
            if query.metric_stat is not None:
                stat = query.metric_stat
                value = self.read(
                    stat.metric,
                    self.statistics[query_id],
                    stat.period,
                    stat.unit,
                    stat.metric.name,
                    query_id=query_id,
                )
            elif query.expression is not None and is_metrics_insights(query.expression):
                value = self.metrics_insights(query)
            else:
                value = self.compiled[query_id].evaluate(self)
        finally:
            self._evaluating.pop()
        self._results[query_id] = value
        return value

    def metrics_insights(self, query: MetricDataQuery) -> tuple[Series, ...]:
        """The series of a Metrics Insights query: its last 3 hours, per the query's Period.

        Every unit of a metric counts (Metrics Insights ignores units); the
        label of a query without GROUP BY is its Label, else its Id.
        """
        assert query.expression is not None
        parsed = self.insights.get(query.id) or MetricsInsightsQuery.parse(query.expression)
        period = query.period or self._period
        first = epoch_seconds(align_start(self.now, self._start, period))
        last = epoch_seconds(self._end)
        earliest = epoch_seconds(self.now) - INSIGHTS_WINDOW_S
        if first < earliest:
            first += -(-(earliest - first) // period) * period
        selected: list[tuple[dict[str, str], dict[int, Observation]]] = []
        for metric in sorted(self._metrics.all(), key=lambda m: _label_key(m.key)):
            key = metric.key
            dims = {d.name: d.value for d in key.dimensions}
            if not parsed.selects(key.namespace, key.name, dims):
                continue
            points: dict[int, Observation] = {}
            for series in metric.series.values():
                for bucket, low, high in series.buckets(first, last, period):
                    count, total, small, large = series.summary(low, high)
                    seen = points.get(bucket)
                    points[bucket] = (count, total, small, large) if seen is None else (
                        seen[0] + count, seen[1] + total, min(seen[2], small), max(seen[3], large)
                    )  # fmt: skip
            selected.append((dims, points))
        found = parsed.evaluate(selected, label=query.label or query.id)
        return tuple(
            Series([from_epoch(t) for t in s.points], list(s.points.values()), s.label, period)
            for s in found
        )

    def read(
        self,
        key: MetricKey,
        statistic: Statistic,
        period: int,
        unit: StandardUnit | None,
        label: str,
        *,
        query_id: str | None,
    ) -> Series:
        """One metric's statistic per period over the request's range, as a `Series`."""
        start = align_start(self.now, self._start, period)
        origin = align_start(self.now, self._origin, period)
        metric = self._metrics.get(key)
        if metric is None or not period_allowed(self.now, origin, period):
            return Series((), (), label, period)
        units = sorted(metric.series, key=lambda u: u.value)
        if unit is not None:
            units = [u for u in units if u is unit]
        elif len(units) > 1:
            if query_id is not None:
                names = ", ".join(u.value for u in units)
                self.messages.setdefault(query_id, []).append(
                    ("MultipleUnits", f"Multiple units returned: '[{names}]'")
                )
            units = units[:1]
        if not units:
            return Series((), (), label, period)
        series = metric.series[units[0]]
        first, last = epoch_seconds(start), epoch_seconds(self._end)
        if not statistic.is_extended:
            # Every period's statistic set at once (never None: a period has samples).
            found = series.summaries(first, last, period)
            return Series(from_epochs(found.buckets), found.column(statistic.name), label, period)
        times: list[datetime] = []
        values: list[float] = []
        for bucket, low, high in series.buckets(first, last, period):
            value = statistic.compute(series.aggregate(low, high, raw=True))
            if value is not None:
                times.append(from_epoch(bucket))
                values.append(value)
        return Series(times, values, label, period)


def _label_key(key: MetricKey) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return key.namespace, key.name, tuple((d.name, d.value) for d in key.dimensions)


def validate_queries(queries: Sequence[MetricDataQuery], request: MetricDataRequest) -> None:
    """Check the queries as GetMetricData does, compiling them into `request`.

    Raises:
        ValidationError: the first rule a query breaks, with AWS's wording.
    """
    if not queries:
        raise _invalid("The parameter MetricDataQueries is required.", "MetricDataQueries")
    if len(queries) > MAX_QUERIES:
        raise _invalid(
            f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}.",
            "MetricDataQueries",
            len(queries),
        )
    ids = [q.id for q in queries]
    if len(set(ids)) != len(ids):
        raise _invalid(
            "The values for parameter id in MetricDataQueries are not unique.", "MetricDataQueries"
        )
    for index, query in enumerate(queries, 1):
        where = f"MetricDataQueries.member.{index}"
        if not 1 <= len(query.id) <= 255 or not _ID.fullmatch(query.id):
            raise _invalid(
                f"The value {query.id} for parameter {where}.Id is not matching the expected "
                "pattern ^[a-z][a-zA-Z0-9_]*$.",
                f"{where}.Id",
                query.id,
            )
        if (query.metric_stat is None) == (query.expression is None):
            raise _invalid(
                f"Exactly one element of the MetricStat and Expression fields must be set in "
                f"{where}.",
                where,
            )
        try:
            if query.metric_stat is not None:
                stat = query.metric_stat
                stat.metric.check(custom=False, prefix=f"{where}.MetricStat.Metric.")
                check_period(stat.period, f"{where}.MetricStat.Period")
                request.statistics[query.id] = parse_statistic(
                    stat.stat, param=f"{where}.MetricStat.Stat"
                )
            else:
                assert query.expression is not None
                if not 1 <= len(query.expression) <= 2048:
                    raise _invalid(
                        f"The value for parameter {where}.Expression must have a length between "
                        "1 and 2048.",
                        f"{where}.Expression",
                        query.expression,
                    )
                if query.period is not None:
                    check_period(query.period, f"{where}.Period")
                if not is_metrics_insights(query.expression):
                    request.compiled[query.id] = compile_expression(query.expression)
                elif request.insights:
                    raise _invalid(
                        "Only one Metrics Insights query is allowed per request.",
                        f"{where}.Expression",
                        query.expression,
                    )
                else:
                    request.insights[query.id] = MetricsInsightsQuery.parse(query.expression)
        except ValidationError:
            raise
        except InvalidParameter as error:
            raise _invalid(error.message, error.param or where, error.value) from None
    if not any(q.return_data for q in queries):
        raise _invalid(
            "At least one MetricDataQuery must have ReturnData set to true.", "MetricDataQueries"
        )


def _labels(queries: Sequence[MetricDataQuery]) -> dict[str, str]:
    """Default labels: the metric name, plus the stat and/or period where queries of one
    metric differ in them (as AWS does)."""
    labels: dict[str, str] = {}
    groups: dict[MetricKey, list[MetricDataQuery]] = {}
    for query in queries:
        if query.metric_stat is not None:
            groups.setdefault(query.metric_stat.metric, []).append(query)
    for key, members in groups.items():
        stats = {q.metric_stat.stat for q in members if q.metric_stat}
        periods = {q.metric_stat.period for q in members if q.metric_stat}
        for query in members:
            assert query.metric_stat is not None
            parts = [key.name]
            if len(stats) > 1:
                parts.append(query.metric_stat.stat)
            if len(periods) > 1:
                parts.append(str(query.metric_stat.period))
            labels[query.id] = " ".join(parts)
    for query in queries:
        labels.setdefault(query.id, query.id)
        if query.label is not None:
            labels[query.id] = query.label
    return labels


def run_queries(
    metrics: MetricCatalog,
    queries: Sequence[MetricDataQuery],
    *,
    now: datetime,
    bands: BandModel,
    start_time: datetime,
    end_time: datetime,
    scan_by: str = "TimestampDescending",
    max_datapoints: int = 100_800,
    next_token: str | None = None,
) -> MetricDataResults:
    """Answer one GetMetricData request from `metrics`, at virtual time `now`.

    Raises:
        ValidationError: invalid queries, time range, ScanBy or MaxDatapoints,
            or an expression that does not parse or evaluate.
        InvalidNextToken: a token that was not handed out for this request.
    """
    if start_time == end_time:
        raise _invalid("The parameter StartTime must not equal parameter EndTime.", "StartTime")
    if start_time > end_time:
        raise _invalid("The parameter EndTime must be greater than StartTime.", "EndTime")
    if scan_by not in ("TimestampDescending", "TimestampAscending"):
        raise _invalid(f"The value {scan_by} for parameter ScanBy is invalid.", "ScanBy", scan_by)
    if max_datapoints < 1:
        raise _invalid(
            f"The value {max_datapoints} for parameter MaxDatapoints is invalid.",
            "MaxDatapoints",
            max_datapoints,
        )
    request = MetricDataRequest(metrics, queries, start_time, end_time, now=now, bands=bands)
    validate_queries(queries, request)
    labels = _labels(queries)
    returned = [q for q in queries if q.return_data]
    ascending = scan_by == "TimestampAscending"

    def evaluate(index: int, needed: int) -> list[Evaluated]:
        query = returned[index]
        source = request.narrowed(needed, ascending=ascending) or request
        found = _series(source.result(query.id))
        if source is not request and any(len(s) < needed for s in found):
            source = request
            found = _series(request.result(query.id))
        messages = tuple(source.messages.get(query.id, ()))
        single = isinstance(source.result(query.id), Series)
        return [
            Evaluated(
                result_of(
                    query.id,
                    labels[query.id] if single or query.label is not None else series.label,
                    series,
                    scan_by,
                    messages,
                ),
                complete=source is request,
            )
            for series in found
        ]

    fingerprint = _fingerprint(queries, start_time, end_time)
    position = read_token(next_token, fingerprint)
    ids = [(q.id, labels[q.id]) for q in returned]
    limit = min(max_datapoints, MAX_DATAPOINTS_PER_CALL)
    return page_of(ids, evaluate, position, limit, fingerprint)


def _series(value: Series | tuple[Series, ...]) -> list[Series]:
    return [value] if isinstance(value, Series) else list(value)


def _fingerprint(queries: Sequence[MetricDataQuery], start: datetime, end: datetime) -> str:
    text = repr((list(queries), start.isoformat(), end.isoformat()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]

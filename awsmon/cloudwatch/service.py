"""The CloudWatch service of one account and region: metrics, alarms and dashboards.

`CloudWatch` is the service; it owns the metric catalog
(`awsmon.cloudwatch.metrics.catalog`), the anomaly detectors and the alarms'
owner (`awsmon.cloudwatch.alarms.store.Alarms`). Its methods, by purpose:

- publishing: `put_metric_data` (PutMetricData) and `publish` (how AWS
  services and awsmon's own simulations put their metrics: not an API call);
- reading: `get_metric_statistics`, `get_metric_data`, `list_metrics`;
- alarms and anomaly detectors: see `awsmon.cloudwatch.alarms.operations`;
- dashboards: `put_dashboard`, `get_dashboard`, `list_dashboards`, `delete_dashboards`;
- pictures (matplotlib, the extra ``awsmon[plot]``): `get_metric_widget_image`
  (GetMetricWidgetImage), `metric_widget`, `alarm_chart`, `alarm_timeline`,
  `dashboard_html`;
- time: an hourly clock job applies AWS's retention schedule (roll-ups and
  expiry, `awsmon.cloudwatch.metrics.store`).

Simulation notes:
    New metrics are visible to every query at once: AWS's delays of up to 2
    minutes for statistics and 15 minutes for ListMetrics are not simulated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from awsmon.arn import Arn
from awsmon.cloudwatch.alarms.anomaly import AnomalyDetectors
from awsmon.cloudwatch.alarms.operations import AlarmOperations
from awsmon.cloudwatch.alarms.store import Alarms
from awsmon.cloudwatch.dashboards import Dashboard, DashboardOperations
from awsmon.cloudwatch.errors import (
    InvalidNextToken,
    InvalidParameterCombination,
    InvalidParameterValue,
)
from awsmon.cloudwatch.metrics.catalog import Metric, MetricCatalog
from awsmon.cloudwatch.metrics.datapoints import Datapoint, MetricStatistics, datapoints_of
from awsmon.cloudwatch.metrics.ingest import ValueBatch, group_datums
from awsmon.cloudwatch.metrics.model import (
    MAX_DIMENSIONS,
    Dimension,
    MetricDatum,
    MetricKey,
    StandardUnit,
    StatisticSet,
    check_dimension,
    check_metric_name,
    check_namespace,
    check_period,
)
from awsmon.cloudwatch.metrics.queries import MetricDataQuery, MetricDataResults, run_queries
from awsmon.cloudwatch.metrics.statistics import Statistic, parse_statistic
from awsmon.cloudwatch.metrics.store import (
    align_start,
    epoch_seconds,
    period_allowed,
)
from awsmon.cloudwatch.vended import VendedMetrics
from awsmon.cloudwatch.widgets.spec import WidgetError
from awsmon.dispatch import Service, ServiceContext, operation

if TYPE_CHECKING:
    from awsmon.pictures import Chart

__all__ = ["CloudWatch", "Dashboard", "Datapoint", "Metric", "MetricStatistics", "check_period"]

#: Datapoints one GetMetricStatistics call may return.
MAX_STATISTICS_DATAPOINTS = 1440
#: Metrics one ListMetrics page holds.
LIST_METRICS_PAGE = 500
_BASIC = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


class CloudWatch(AlarmOperations, DashboardOperations, Service):
    """CloudWatch metrics, dashboards and alarms of one account and region.

    The service owns three components and delegates to them: `metric_catalog`
    (`awsmon.cloudwatch.metrics.catalog.MetricCatalog`, every metric's data),
    `anomaly_detectors` (`awsmon.cloudwatch.alarms.anomaly.AnomalyDetectors`)
    and `alarms` (`awsmon.cloudwatch.alarms.store.Alarms`, the one owner of the
    alarms). The alarm and anomaly-detector operations are defined in
    `AlarmOperations` (`awsmon.cloudwatch.alarms.operations`), the dashboard
    operations in `DashboardOperations` (`awsmon.cloudwatch.dashboards`).
    """

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.metric_catalog = MetricCatalog()
        self.anomaly_detectors = AnomalyDetectors(self.metric_catalog)
        self.alarms = Alarms(ctx, self.metric_catalog, self.anomaly_detectors)
        self.retention_job = ctx.clock.call_every(
            timedelta(hours=1), self._apply_retention, name=f"cloudwatch retention {ctx.region}"
        )
        #: AWS/Usage CallCount of this place's API calls (`awsmon.cloudwatch.usage`).
        self.usage = VendedMetrics(ctx, "AWS/Usage")

    # -- publishing -----------------------------------------------------------------

    @operation("PutMetricData")
    def put_metric_data(self, namespace: str, metric_data: Sequence[MetricDatum]) -> None:
        """Publish datapoints (PutMetricData); all are checked before any is stored.

        Each datum's namespace must be `namespace`. A datum without a timestamp
        is stamped with the virtual time of the call.

        Raises:
            InvalidParameterValue: a name, value, timestamp or unit is invalid,
                or more than 1,000 datums.
            InvalidParameterCombination: a datum has not exactly one of value,
                statistic set and values.
        """
        check_namespace(namespace)
        if len(metric_data) > 1000:
            raise InvalidParameterValue(
                "The collection MetricData must not have a size greater than 1000.",
                param="MetricData",
                value=len(metric_data),
            )
        now = self.ctx.now()
        for index, datum in enumerate(metric_data, 1):
            if datum.key.namespace != namespace:
                raise InvalidParameterValue(
                    f"The datum MetricData.member.{index} is in namespace "
                    f"{datum.key.namespace}, not {namespace}.",
                    param=f"MetricData.member.{index}",
                )
            if datum.timestamp is not None:
                self.ctx.check_skew("a metric datum", datum.timestamp)
            datum.check(now, index=index)
        grouped, others = group_datums(metric_data, now)
        self.metric_catalog.put_grouped(grouped, now)
        for datum in others:
            self.metric_catalog.put(datum, now)

    def put_checked_values(self, batch: ValueBatch) -> None:
        """Store a PutMetricData batch of single values the wire checked in one pass.

        The wire's fast reading of the common shape (`awsmon.cloudwatch.metrics.
        ingest.read_values`) accepts only what `put_metric_data` accepts, and
        groups the values as it does; this stores them, and warns about
        timestamps far from the virtual clock as `put_metric_data` does.
        """
        for when in batch.skewed:
            self.ctx.check_skew("a metric datum", when)
        self.metric_catalog.put_grouped(batch.grouped(), self.ctx.now())

    def publish(
        self,
        key: MetricKey,
        points: Iterable[tuple[datetime, float]],
        *,
        unit: StandardUnit = StandardUnit.NONE,
        storage_resolution: int = 60,
    ) -> None:
        """Store datapoints as an AWS service publishes its own metrics (no API call).

        This is how EC2, Lambda, metric filters and embedded metrics reach the
        store, and the fast way to load history in a test: the key and the
        values are checked, timestamps are not limited to the last two weeks
        (retention still applies). Not recorded by CloudTrail, as AWS's own
        publishing is not.

        Raises:
            InvalidParameterValue: the key is invalid or a value is not finite.
        """
        key.check(custom=False)
        self.metric_catalog.publish(
            key, points, unit=unit, storage_resolution=storage_resolution, now=self.ctx.now()
        )

    def publish_statistics(
        self,
        key: MetricKey,
        at: datetime,
        stats: StatisticSet,
        *,
        unit: StandardUnit = StandardUnit.NONE,
        storage_resolution: int = 60,
    ) -> None:
        """Store one statistic set as an AWS service publishes its vended metrics (no API call).

        `awsmon.cloudwatch.vended.VendedMetrics` sends each period's counts
        this way: one set per metric and period, so SampleCount, Sum, Minimum,
        Maximum and Average answer as AWS's do. Not recorded by CloudTrail.

        Raises:
            InvalidParameterValue: the key is invalid.
        """
        key.check(custom=False)
        self.metric_catalog.publish_statistics(
            key, at, stats, unit=unit, storage_resolution=storage_resolution, now=self.ctx.now()
        )

    def metric(self, key: MetricKey) -> Metric | None:
        """The stored metric `key`, or None (for inspection in tests)."""
        return self.metric_catalog.get(key)

    def metrics(self) -> list[Metric]:
        """Every stored metric (for inspection; `list_metrics` applies AWS's rules)."""
        return self.metric_catalog.all()

    def _apply_retention(self) -> None:
        self.metric_catalog.apply_retention(epoch_seconds(self.ctx.now()))

    # -- reading ------------------------------------------------------------------

    @operation("GetMetricStatistics")
    def get_metric_statistics(
        self,
        namespace: str,
        metric_name: str,
        *,
        start_time: datetime,
        end_time: datetime,
        period: int,
        dimensions: Mapping[str, str] | Iterable[Dimension] = (),
        statistics: Sequence[str] = (),
        extended_statistics: Sequence[str] = (),
        unit: StandardUnit | str | None = None,
    ) -> MetricStatistics:
        """Statistics of one metric per period (GetMetricStatistics).

        Datapoints are stamped with the start of their period; periods without
        data are absent. Without `unit`, each unit of the period gives its own
        datapoint; with it, only data of that unit counts.

        Raises:
            InvalidParameterValue: bad names, period, statistic or time range.
            InvalidParameterCombination: both or neither of `statistics` and
                `extended_statistics`, or more than 1,440 datapoints asked for.
        """
        key = MetricKey.of(namespace, metric_name, dimensions)
        check_namespace(namespace, custom=False)
        check_metric_name(metric_name)
        _check_dimensions(key.dimensions)
        check_period(period)
        wanted = _statistics(statistics, extended_statistics)
        only_unit = None if unit is None else StandardUnit.parse(unit)
        if start_time >= end_time:
            raise InvalidParameterValue(
                "The parameter StartTime must be less than the parameter EndTime.",
                param="StartTime",
                value=start_time,
            )
        now = self.ctx.now()
        start = align_start(now, start_time, period)
        requested = math.ceil((end_time - start).total_seconds() / period)
        if requested > MAX_STATISTICS_DATAPOINTS:
            raise InvalidParameterCombination(
                f"You have requested up to {requested:,} datapoints, which exceeds the limit of "
                f"{MAX_STATISTICS_DATAPOINTS:,}. You may reduce the datapoints requested by "
                "increasing Period, or decreasing the time range.",
                param="Period",
                value=period,
            )
        metric = self.metric_catalog.get(key)
        if metric is None or not period_allowed(now, start, period):
            return MetricStatistics(metric_name, ())
        first, last = epoch_seconds(start), epoch_seconds(end_time)
        points = [
            point
            for series_unit, series in sorted(metric.series.items(), key=lambda i: i[0].value)
            if only_unit is None or series_unit is only_unit
            for point in datapoints_of(series, series_unit, first, last, period, wanted)
        ]
        return MetricStatistics(metric_name, tuple(points))

    @operation("GetMetricData")
    def get_metric_data(
        self,
        queries: Sequence[MetricDataQuery],
        *,
        start_time: datetime,
        end_time: datetime,
        scan_by: str = "TimestampDescending",
        max_datapoints: int = 100_800,
        next_token: str | None = None,
    ) -> MetricDataResults:
        """Metrics and metric-math expressions over a time range (GetMetricData).

        See `awsmon.cloudwatch.metrics.queries` for the query rules, labels and
        pagination.

        Raises:
            InvalidParameterValue: invalid queries or time range.
            ValidationError: an expression that does not parse or evaluate.
            InvalidNextToken: `next_token` was not handed out for this request.
        """
        return run_queries(
            self.metric_catalog,
            queries,
            now=self.ctx.now(),
            bands=self.anomaly_detectors,
            start_time=start_time,
            end_time=end_time,
            scan_by=scan_by,
            max_datapoints=max_datapoints,
            next_token=next_token,
        )

    @operation("ListMetrics")
    def list_metrics(
        self,
        *,
        namespace: str | None = None,
        metric_name: str | None = None,
        dimensions: Sequence[tuple[str, str | None]] = (),
        recently_active: str | None = None,
        next_token: str | None = None,
    ) -> tuple[list[MetricKey], str | None]:
        """Metrics with data in the last two weeks that match the filters (ListMetrics).

        Args:
            dimensions: (name, value or None) filters: a metric matches when it
                has each named dimension (with that value, when given); other
                dimensions do not matter.
            recently_active: ``"PT3H"``: only metrics with data in the last 3 hours.
            next_token: the token of the previous page.

        Returns:
            Up to 500 metric keys, sorted, and the next page's token (or None).

        Raises:
            InvalidParameterValue: a bad filter or `recently_active` value.
            InvalidNextToken: a token this listing did not hand out.
        """
        if recently_active is not None and recently_active != "PT3H":
            raise InvalidParameterValue(
                f"The value {recently_active} for parameter RecentlyActive is invalid.",
                param="RecentlyActive",
                value=recently_active,
            )
        if len(dimensions) > 10:
            raise InvalidParameterValue(
                "The collection Dimensions must not have a size greater than 10.",
                param="Dimensions",
                value=len(dimensions),
            )
        now = self.ctx.now()
        horizon = now - (timedelta(hours=3) if recently_active else timedelta(weeks=2))
        found = sorted(
            (
                metric.key
                for metric in self.metric_catalog.all()
                if metric.last_put_at is not None
                and metric.last_put_at >= horizon
                and (namespace is None or metric.key.namespace == namespace)
                and (metric_name is None or metric.key.name == metric_name)
                and all(_has_dimension(metric.key, n, v) for n, v in dimensions)
            ),
            key=_sort_key,
        )
        start = _page_start(next_token, len(found))
        page = found[start : start + LIST_METRICS_PAGE]
        following = start + LIST_METRICS_PAGE
        return page, (str(following) if following < len(found) else None)

    # -- pictures ---------------------------------------------------------------------

    @operation("GetMetricWidgetImage")
    def get_metric_widget_image(self, metric_widget: str, output_format: str = "png") -> bytes:
        """The graph `metric_widget` (MetricWidget JSON) describes, as PNG bytes.

        See `awsmon.cloudwatch.widgets.spec` for the JSON; the picture has the
        widget's width and height (default 600 x 400 pixels).

        Raises:
            InvalidParameterValue: the widget or OutputFormat breaks a rule.
            PlotUnavailable: matplotlib is not installed (``awsmon[plot]``).
        """
        from awsmon.cloudwatch.widgets.image import metric_widget_image

        return metric_widget_image(self, metric_widget, output_format, self.ctx.now())

    def metric_widget(self, metric_widget: str | Mapping[str, Any]) -> Chart:
        """The MetricWidget (JSON text or dict) as a `Chart` for notebooks and files."""
        from awsmon.cloudwatch.widgets.image import metric_widget_chart

        return metric_widget_chart(self, metric_widget, self.ctx.now())

    def metric_chart(
        self,
        key: MetricKey,
        *,
        stat: str = "Average",
        period: int = 300,
        start: str = "-PT3H",
        title: str | None = None,
        threshold: float | None = None,
    ) -> Chart:
        """One metric as a `Chart`: `stat` per `period` seconds since `start` (ISO 8601).

        A shortcut for `metric_widget`; `threshold` draws a horizontal line.
        """
        row: list[Any] = [key.namespace, key.name]
        for dimension in key.dimensions:
            row += [dimension.name, dimension.value]
        widget: dict[str, Any] = {
            "metrics": [row],
            "stat": stat,
            "period": period,
            "start": start,
            "title": title if title is not None else f"{key.namespace} {key.name} {stat}",
        }
        if threshold is not None:
            widget["annotations"] = {"horizontal": [{"value": threshold, "label": "threshold"}]}
        return self.metric_widget(widget)

    def alarm_chart(
        self, name: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> Chart:
        """The metric alarm `name`'s metric, threshold and state bands, as a `Chart`."""
        from awsmon.cloudwatch.alarms.records import MetricAlarm
        from awsmon.cloudwatch.pictures import alarm_chart

        alarm = self.alarm(name)
        if not isinstance(alarm, MetricAlarm):
            raise InvalidParameterValue(
                f"{name} is a composite alarm: draw it with alarm_timeline", value=name
            )
        return alarm_chart(alarm, self.alarm_history, self, self.ctx.now(), start=start, end=end)

    def _alarm_state(self, arn_or_name: str) -> tuple[str, str, str] | None:
        """(name, state, reason) of the alarm an alarm widget names, or None."""
        name = arn_or_name
        if arn_or_name.startswith("arn:"):
            try:
                name = Arn.parse(arn_or_name).resource.removeprefix("alarm:")
            except ValueError:
                return None
        found = self.alarms.get(name)
        return None if found is None else (found.name, found.state.value, found.state_reason)

    def alarm_timeline(self, name: str) -> Chart:
        """The alarm `name`'s states over time, as a `Chart`."""
        from awsmon.cloudwatch.pictures import alarm_timeline

        return alarm_timeline(self.alarm(name), self.alarm_history, self.ctx.now())

    def dashboard_html(self, name: str, path: str | Path | None = None) -> str:
        """The dashboard `name` as one self-contained HTML page (written to `path` if given)."""
        from awsmon.cloudwatch.widgets.dashboard import (
            DashboardSources,
            dashboard_html,
            logs_query_runner,
        )

        found = self.get_dashboard(name)
        try:
            logs = self.ctx.sibling("logs")
        except KeyError:
            logs = None
        sources = DashboardSources(self._alarm_state, logs_query_runner(logs))
        try:
            page = dashboard_html(found.name, found.body, self, sources, self.ctx.now())
        except WidgetError as exc:
            raise InvalidParameterValue(str(exc), param="DashboardBody", value=name) from None
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page


def _check_dimensions(dimensions: Sequence[Dimension]) -> None:
    if len(dimensions) > MAX_DIMENSIONS:
        raise InvalidParameterValue(
            f"The collection Dimensions must not have a size greater than {MAX_DIMENSIONS}.",
            param="Dimensions",
            value=len(dimensions),
        )
    for index, dim in enumerate(dimensions, 1):
        check_dimension(dim.name, dim.value, param=f"Dimensions.member.{index}")


def _statistics(statistics: Sequence[str], extended: Sequence[str]) -> list[Statistic]:
    if bool(statistics) == bool(extended):
        raise InvalidParameterCombination(
            "Must specify either Statistics or ExtendedStatistics, but not both.",
            param="Statistics",
        )
    if len(statistics) > 5 or len(extended) > 10:
        which, limit = ("Statistics", 5) if len(statistics) > 5 else ("ExtendedStatistics", 10)
        raise InvalidParameterValue(
            f"The collection {which} must not have a size greater than {limit}.", param=which
        )
    parsed: list[Statistic] = []
    for index, name in enumerate(statistics, 1):
        if name not in _BASIC:
            raise InvalidParameterValue(
                f"The value {name} for parameter Statistics.member.{index} is invalid.",
                param=f"Statistics.member.{index}",
                value=name,
            )
        parsed.append(parse_statistic(name))
    for index, name in enumerate(extended, 1):
        statistic = parse_statistic(name, param=f"ExtendedStatistics.member.{index}")
        if not statistic.is_extended:
            raise InvalidParameterValue(
                f"The value {name} for parameter ExtendedStatistics.member.{index} is invalid.",
                param=f"ExtendedStatistics.member.{index}",
                value=name,
            )
        parsed.append(statistic)
    return parsed


def _has_dimension(key: MetricKey, name: str, value: str | None) -> bool:
    found = key.dimension(name)
    return found is not None and (value is None or found == value)


def _sort_key(key: MetricKey) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return key.namespace, key.name, tuple((d.name, d.value) for d in key.dimensions)


def _page_start(token: str | None, total: int) -> int:
    if token is None:
        return 0
    if not token.isdecimal() or int(token) > total:
        raise InvalidNextToken(f"Invalid NextToken: {token}", param="NextToken", value=token)
    return int(token)

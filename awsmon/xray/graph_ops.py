"""X-Ray service-graph operations: GetServiceGraph, GetTraceGraph, time series.

`GraphOperations` is mixed into `awsmon.xray.service.XRay`. It reads the
per-minute graph aggregates the trace store keeps (`awsmon.xray.store`) for
GetServiceGraph and GetTimeSeriesServiceStatistics, and sums the
contributions of the given traces for GetTraceGraph (`awsmon.xray.graph`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

from awsmon.dispatch import operation
from awsmon.xray._paging import check_window, fingerprint, read_token
from awsmon.xray.errors import InvalidRequestException
from awsmon.xray.filter_expression import FilterExpression, node_matches
from awsmon.xray.filter_syntax import EdgeTest, ServiceRef, ServiceTest
from awsmon.xray.graph import GraphAggregate, Stats, contribution

if TYPE_CHECKING:
    from awsmon.dispatch import ServiceContext
    from awsmon.pictures import Graph
    from awsmon.xray.model import Group
    from awsmon.xray.store import TraceStore

__all__ = ["GraphOperations", "SeriesPoint", "ServiceGraph"]


@frozen(kw_only=True)
class ServiceGraph:
    """A service graph (GetServiceGraph, GetTraceGraph)."""

    start_time: datetime | None
    end_time: datetime | None
    graph: GraphAggregate
    contains_old_group_versions: bool = False

    def services(self) -> list[dict[str, Any]]:
        """The ``Services`` list as the API returns it."""
        return self.graph.render()

    def picture(self) -> Graph:
        """The graph as a picture: DOT text (``.dot``), PNG, SVG (`awsmon.xray.pictures`)."""
        from awsmon.xray.pictures import service_map

        return service_map(self.services())

    def to_png(self, path: str | Path) -> Path:
        """Write the service map as PNG to `path`."""
        return self.picture().to_png(path)

    def to_svg(self, path: str | Path) -> Path:
        """Write the service map as SVG to `path`."""
        return self.picture().to_svg(path)

    def _repr_png_(self) -> bytes:
        return self.picture().png()

    def _repr_svg_(self) -> str:
        return self.picture().svg()

    def _repr_html_(self) -> str:
        return self.picture()._repr_html_()


@frozen(kw_only=True)
class SeriesPoint:
    """One period of GetTimeSeriesServiceStatistics."""

    timestamp: datetime
    edge: Stats | None
    service: Stats | None
    forecast: tuple[int, int] | None = None


class GraphOperations:
    """Service graphs and their statistics (mixed into `XRay`)."""

    ctx: ServiceContext
    store: TraceStore

    if TYPE_CHECKING:

        def pump_datagrams(self) -> None: ...

        def _group(self, group_name: str | None, group_arn: str | None) -> Group: ...

    @operation("GetTraceGraph")
    def get_trace_graph(
        self, trace_ids: Sequence[str], *, next_token: str | None = None
    ) -> ServiceGraph:
        """The service graph of the given traces (GetTraceGraph)."""
        self.pump_datagrams()
        read_token(next_token, fingerprint(*trace_ids))
        graph = GraphAggregate()
        for trace_id in trace_ids:
            view = self.store.view(trace_id)
            if view is not None:
                graph.add(contribution(view))
        return ServiceGraph(start_time=None, end_time=None, graph=graph)

    # -- service graphs -------------------------------------------------------------

    @operation("GetServiceGraph")
    def get_service_graph(
        self,
        start_time: datetime,
        end_time: datetime,
        *,
        group_name: str | None = None,
        group_arn: str | None = None,
        next_token: str | None = None,
    ) -> ServiceGraph:
        """The service graph of traces started in the window (GetServiceGraph).

        The window is widened to whole minutes. With a group, only the group's
        traces count; ``ContainsOldGroupVersions`` tells that some were tested
        against an earlier version of its filter expression.
        """
        self.pump_datagrams()
        check_window(start_time, end_time, None)
        group = self._group(group_name, group_arn) if group_name or group_arn else None
        name = "Default" if group is None else group.name
        graph, versions = self.store.graph(start_time.timestamp(), end_time.timestamp(), name)
        current = 1 if group is None else group.version
        return ServiceGraph(
            start_time=start_time,
            end_time=end_time,
            graph=graph,
            contains_old_group_versions=any(v < current for v in versions),
        )

    @operation("GetTimeSeriesServiceStatistics")
    def get_time_series_service_statistics(
        self,
        start_time: datetime,
        end_time: datetime,
        *,
        group_name: str | None = None,
        group_arn: str | None = None,
        entity_selector_expression: str | None = None,
        period: int = 60,
        forecast_statistics: bool = False,
    ) -> list[SeriesPoint]:
        """Statistics per period of a node or edge (GetTimeSeriesServiceStatistics).

        `entity_selector_expression` is ``service(...)``, ``edge(..., ...)`` or
        ``id(...)``; without one, the edges from the clients (the requests
        entering the graph) are summed.

        Simulation notes: the forecast (``ForecastStatistics``) is the observed
        fault count as both the high and the low bound.
        """
        self.pump_datagrams()
        check_window(start_time, end_time, None)
        if period <= 0 or period % 60:
            raise InvalidRequestException(
                f"Invalid period: {period}. The period must be a multiple of 60 seconds.",
                param="Period",
                value=period,
            )
        group = self._group(group_name, group_arn) if group_name or group_arn else None
        selector = _selector(entity_selector_expression)
        if forecast_statistics and not isinstance(selector, ServiceTest):
            raise InvalidRequestException(
                "Forecast statistics need an EntitySelectorExpression with a service id.",
                param="ForecastStatistics",
                value=True,
            )
        points = []
        for slot, aggregate in self.store.graph_series(
            start_time.timestamp(),
            end_time.timestamp(),
            "Default" if group is None else group.name,
            period,
        ):
            stamp = datetime.fromtimestamp(slot, start_time.tzinfo)
            if isinstance(selector, ServiceTest):
                stats = Stats()
                for key, node in aggregate.nodes.items():
                    if node.node.type != "client" and node_matches(
                        selector.ref or ServiceRef(), *key
                    ):
                        stats.merge(node.stats)
                forecast = (stats.fault, stats.fault) if forecast_statistics else None
                points.append(
                    SeriesPoint(timestamp=stamp, edge=None, service=stats, forecast=forecast)
                )
            else:
                points.append(
                    SeriesPoint(
                        timestamp=stamp, edge=_edge_stats(aggregate, selector), service=None
                    )
                )
        return points


def _selector(text: str | None) -> ServiceTest | EdgeTest | None:
    if text is None:
        return None
    source = f"service({text})" if text.lstrip().lower().startswith("id(") else text
    tree = FilterExpression.parse(source).tree
    if not isinstance(tree, ServiceTest | EdgeTest) or tree.body is not None:
        raise InvalidRequestException(
            f"Invalid EntitySelectorExpression: {text}. Use service(...), edge(...) or id(...).",
            param="EntitySelectorExpression",
            value=text,
        )
    return tree


def _edge_stats(aggregate: GraphAggregate, selector: EdgeTest | None) -> Stats:
    total = Stats()
    for key, node in aggregate.nodes.items():
        for target_key, (_, stats) in node.edges.items():
            if selector is None:
                if node.node.type == "client":
                    total.merge(stats)
            elif node_matches(selector.source, *key) and node_matches(selector.target, *target_key):
                total.merge(stats)
    return total

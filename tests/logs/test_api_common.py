"""Tests of awsmon/logs/api_common.py: the base every part of the Logs wire API extends."""

from __future__ import annotations

from typing import Any

from awsmon.logs.api import LogsApi
from awsmon.logs.api_common import LogsWireApi
from awsmon.wire import WireApi, handles


class _Extra(WireApi):
    """A part written elsewhere (as Logs Insights' handlers are), not a LogsWireApi."""

    @handles("StartQuery")
    def start_query(self, params: Any) -> dict[str, Any]:
        return {}


class _Own(LogsWireApi):
    @handles("GetQueryResults")
    def get_query_results(self, params: Any) -> dict[str, Any]:
        return {}


def test_every_base_contributes_its_handlers() -> None:
    """A class listing several parts among its bases answers every part's operations."""

    class Combined(_Extra, _Own, LogsApi):
        pass

    assert Combined.operations["StartQuery"] == "start_query"
    assert Combined.operations["GetQueryResults"] == "get_query_results"
    assert set(LogsApi.operations) <= set(Combined.operations)


def test_logs_api_answers_each_resource() -> None:
    """LogsApi gathers the handlers of groups, events, filters, exports, destinations, Insights."""
    for operation in (
        "CreateLogGroup", "PutLogEvents", "PutMetricFilter", "StartQuery", "PutDestination"
    ):  # fmt: skip
        assert operation in LogsApi.operations
    assert len(LogsApi.operations) == 45  # 41 and the four destination operations

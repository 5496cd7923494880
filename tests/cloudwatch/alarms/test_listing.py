"""Tests of awsmon/cloudwatch/alarms/listing.py: DescribeAlarms' and DescribeAlarmHistory's
filters and pages, as pure functions over what the alarm owner holds."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon import Cloud, VirtualClock
from awsmon.cloudwatch.alarms.listing import AlarmQuery, alarm_page, history_page
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import CompositeAlarm, MetricAlarm
from awsmon.cloudwatch.errors import InvalidNextToken, InvalidParameterCombination

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
names = st.lists(st.text("abcxyz", min_size=1, max_size=4), unique=True, max_size=25)


@functools.cache
def _template() -> MetricAlarm:
    cloud = Cloud(clock=VirtualClock(T0))
    return cloud.cloudwatch.put_metric_alarm(
        "template",
        metric_name="m",
        namespace="App",
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        threshold=1.0,
        comparison_operator="GreaterThanThreshold",
    )


def _alarms(alarm_names: list[str]) -> dict[str, MetricAlarm | CompositeAlarm]:
    template = _template()
    return {n: attrs.evolve(template, name=n, arn=f"arn:{n}") for n in alarm_names}


def _page(alarms: dict[str, MetricAlarm | CompositeAlarm], query: AlarmQuery):  # type: ignore[no-untyped-def]
    return alarm_page(alarms, query, children_of=lambda c: (), parents_of=lambda n: ())


class TestAlarmPage:
    @given(names, st.integers(1, 7))
    def test_pages_visit_every_alarm_once_by_name(self, found: list[str], size: int) -> None:
        """Following NextToken with any MaxRecords lists each alarm once, in name order."""
        alarms = _alarms(found)
        seen: list[str] = []
        token: str | None = None
        for _ in range(len(found) + 1):
            page = _page(alarms, {"max_records": size, "next_token": token})
            seen += [a.name for a in page.metric_alarms]
            token = page.next_token
            if token is None:
                break
        assert seen == sorted(found)

    @given(names, st.text("abcxyz", max_size=2))
    def test_prefix_filter_is_a_startswith(self, found: list[str], prefix: str) -> None:
        """AlarmNamePrefix keeps exactly the names that start with it."""
        page = _page(_alarms(found), {"alarm_name_prefix": prefix})
        assert [a.name for a in page.metric_alarms] == sorted(
            n for n in found if n.startswith(prefix)
        )

    def test_state_filter_and_names_with_prefix_refused(self) -> None:
        """StateValue filters; AlarmNames and AlarmNamePrefix together are refused."""
        alarms = _alarms(["a", "b"])
        alarms["b"].state = AlarmState.ALARM
        page = _page(alarms, {"state_value": "ALARM"})
        assert [a.name for a in page.metric_alarms] == ["b"]
        with pytest.raises(InvalidParameterCombination):
            _page(alarms, {"alarm_names": ["a"], "alarm_name_prefix": "a"})

    def test_foreign_token_refused(self) -> None:
        """A NextToken this listing did not hand out is InvalidNextToken."""
        with pytest.raises(InvalidNextToken, match="Invalid NextToken: nope"):
            _page(_alarms(["a"]), {"next_token": "nope"})


class TestHistoryPage:
    def test_history_newest_first_and_paged(self) -> None:
        """History pages newest first by default, with a numeric NextToken."""
        cloud = Cloud(clock=VirtualClock(T0))
        for name in ("a", "b", "c"):
            cloud.cloudwatch.put_metric_alarm(
                name,
                metric_name="m",
                namespace="App",
                statistic="Sum",
                period=60,
                evaluation_periods=1,
                threshold=1.0,
                comparison_operator="GreaterThanThreshold",
            )
        args = {
            "alarm_name": None,
            "alarm_types": (),
            "history_item_type": None,
            "start_date": None,
            "end_date": None,
            "scan_by": "TimestampDescending",
        }
        first, token = history_page(
            cloud.cloudwatch.alarm_history, max_records=2, next_token=None, **args
        )
        assert [i.alarm_name for i in first] == ["c", "b"]
        rest, end = history_page(
            cloud.cloudwatch.alarm_history, max_records=2, next_token=token, **args
        )
        assert [i.alarm_name for i in rest] == ["a"] and end is None

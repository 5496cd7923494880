"""Reading alarms and their history a page at a time: DescribeAlarms' and history's rules.

Pure functions over what the alarm owner holds; they change nothing.

- `AlarmPage`: DescribeAlarms' answer.
- `alarm_page`: the filters, ordering and paging of DescribeAlarms.
- `alarms_for_metric`: DescribeAlarmsForMetric's filter.
- `history_page`: DescribeAlarmHistory's filters and paging.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypedDict

from attrs import frozen

from awsmon.cloudwatch.alarms.checks import check_names
from awsmon.cloudwatch.alarms.model import AlarmState
from awsmon.cloudwatch.alarms.records import (
    AlarmHistoryItem,
    AlarmType,
    CompositeAlarm,
    HistoryItemType,
    MetricAlarm,
)
from awsmon.cloudwatch.errors import InvalidNextToken, InvalidParameterCombination, ValidationError
from awsmon.cloudwatch.metrics.model import MetricKey, StandardUnit

__all__ = ["AlarmPage", "AlarmQuery", "alarm_page", "alarms_for_metric", "history_page"]


@frozen
class AlarmPage:
    """DescribeAlarms' answer.

    Attributes:
        metric_alarms: the metric alarms of the page, by name.
        composite_alarms: the composite alarms of the page, by name.
        next_token: the token of the next page, or None.
        view: ``"full"``, or ``"children"`` / ``"parents"`` when the request
            asked for ChildrenOfAlarmName / ParentsOfAlarmName (AWS then
            returns fewer fields).
    """

    metric_alarms: tuple[MetricAlarm, ...]
    composite_alarms: tuple[CompositeAlarm, ...]
    next_token: str | None = None
    view: str = "full"


class AlarmQuery(TypedDict, total=False):
    """DescribeAlarms' filters, snake_cased (see `CloudWatch.describe_alarms`); the one list."""

    alarm_names: Sequence[str]
    alarm_name_prefix: str | None
    alarm_types: Sequence[AlarmType | str]
    children_of_alarm_name: str | None
    parents_of_alarm_name: str | None
    state_value: AlarmState | str | None
    action_prefix: str | None
    max_records: int | None
    next_token: str | None


_AlarmMap = Mapping[str, MetricAlarm | CompositeAlarm]


def _token(name: str) -> str:
    return base64.urlsafe_b64encode(f"awsmon:{name}".encode()).decode()


def _after(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        text = ""
    if not text.startswith("awsmon:"):
        raise InvalidNextToken(f"Invalid NextToken: {token}", param="NextToken", value=token)
    return text[len("awsmon:") :]


def _related(
    alarms: _AlarmMap,
    query: AlarmQuery,
    children_of: Callable[[CompositeAlarm], Collection[str]],
    parents_of: Callable[[str], Collection[str]],
) -> tuple[list[MetricAlarm | CompositeAlarm], str]:
    others = [
        query.get("alarm_names"),
        query.get("alarm_name_prefix"),
        query.get("alarm_types"),
        query.get("state_value"),
        query.get("action_prefix"),
    ]
    children, parents = query.get("children_of_alarm_name"), query.get("parents_of_alarm_name")
    if any(others) or (children and parents):
        raise ValidationError(
            "ChildrenOfAlarmName and ParentsOfAlarmName can only be combined with "
            "MaxRecords and NextToken.",
            param="ChildrenOfAlarmName" if children is not None else "ParentsOfAlarmName",
        )
    if children is not None:
        parent = alarms.get(children)
        names = set(children_of(parent)) if isinstance(parent, CompositeAlarm) else set()
        view = "children"
    else:
        assert parents is not None
        names = set(parents_of(parents))
        view = "parents"
    return [alarms[n] for n in sorted(names) if n in alarms], view


def _filtered(alarms: _AlarmMap, query: AlarmQuery) -> list[MetricAlarm | CompositeAlarm]:
    names, prefix = query.get("alarm_names", ()), query.get("alarm_name_prefix")
    if names and prefix is not None:
        raise InvalidParameterCombination(
            "AlarmNames and AlarmNamePrefix cannot be used together.",
            param="AlarmNamePrefix",
        )
    types = {AlarmType(t) for t in query.get("alarm_types", ())} or {AlarmType.METRIC_ALARM}
    state_value = query.get("state_value")
    state = None if state_value is None else AlarmState(state_value)
    wanted = set(names)
    action_prefix = query.get("action_prefix")
    return [
        alarm
        for name, alarm in sorted(alarms.items())
        if alarm.alarm_type in types
        and (not wanted or name in wanted)
        and (prefix is None or name.startswith(prefix))
        and (state is None or alarm.state is state)
        and (action_prefix is None or any(a.startswith(action_prefix) for a in alarm.all_actions()))
    ]


def alarm_page(
    alarms: _AlarmMap,
    query: AlarmQuery,
    *,
    children_of: Callable[[CompositeAlarm], Collection[str]],
    parents_of: Callable[[str], Collection[str]],
) -> AlarmPage:
    """Alarms matching every filter of `query`, by name, one page (DescribeAlarms).

    Args:
        children_of: the names of the alarms a composite's rule references.
        parents_of: the names of the composites that reference an alarm.

    Raises:
        ValidationError: filters that cannot be combined.
        InvalidNextToken: a token this listing did not hand out.
    """
    check_names(query.get("alarm_names", ()))
    related = (query.get("children_of_alarm_name"), query.get("parents_of_alarm_name"))
    if related != (None, None):
        matched, view = _related(alarms, query, children_of, parents_of)
    else:
        matched, view = _filtered(alarms, query), "full"
    after = _after(query.get("next_token"))
    if after is not None:
        matched = [a for a in matched if a.name > after]
    size = query.get("max_records") or 100
    page, rest = matched[:size], matched[size:]
    return AlarmPage(
        tuple(a for a in page if isinstance(a, MetricAlarm)),
        tuple(a for a in page if isinstance(a, CompositeAlarm)),
        _token(page[-1].name) if rest else None,
        view,
    )


def alarms_for_metric(
    alarms: Iterable[MetricAlarm | CompositeAlarm],
    key: MetricKey,
    *,
    statistic: str | None,
    extended_statistic: str | None,
    period: int | None,
    unit: StandardUnit | None,
) -> list[MetricAlarm]:
    """The single-metric alarms on exactly `key` that match the other filters given."""
    return [
        alarm
        for alarm in alarms
        if isinstance(alarm, MetricAlarm)
        and alarm.metric == key
        and (statistic is None or alarm.statistic == statistic)
        and (extended_statistic is None or alarm.extended_statistic == extended_statistic)
        and (period is None or alarm.period == period)
        and (unit is None or alarm.unit is unit)
    ]


def history_page(
    history: Sequence[AlarmHistoryItem],
    *,
    alarm_name: str | None,
    alarm_types: Sequence[AlarmType | str],
    history_item_type: HistoryItemType | str | None,
    start_date: datetime | None,
    end_date: datetime | None,
    scan_by: str,
    max_records: int | None,
    next_token: str | None,
) -> tuple[list[AlarmHistoryItem], str | None]:
    """History items matching the filters, newest first unless ``TimestampAscending``.

    Raises:
        InvalidNextToken: a token this listing did not hand out.
    """
    types = {AlarmType(t) for t in alarm_types} or {AlarmType.METRIC_ALARM}
    kind = None if history_item_type is None else HistoryItemType(history_item_type)
    found = [
        item
        for item in history
        if item.alarm_type in types
        and (alarm_name is None or item.alarm_name == alarm_name)
        and (kind is None or item.item_type is kind)
        and (start_date is None or item.timestamp >= start_date)
        and (end_date is None or item.timestamp <= end_date)
    ]
    if scan_by != "TimestampAscending":
        found.reverse()
    start = 0
    if next_token is not None:
        if not next_token.isdecimal() or int(next_token) > len(found):
            raise InvalidNextToken(
                f"Invalid NextToken: {next_token}", param="NextToken", value=next_token
            )
        start = int(next_token)
    size = max_records or 100
    following = start + size
    return found[start:following], (str(following) if following < len(found) else None)

"""Metric filters and subscription filters: their operations and what they do on ingestion.

`FiltersMixin` adds to `awsmon.logs.service.CloudWatchLogs` the operations
PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter and
TestMetricFilter (the subscription filters' operations are in
`awsmon.logs.subscription_filters`), and `apply_filters`, which PutLogEvents
calls with each accepted batch:

- each metric filter publishes, for every event that matches, its
  ``metricValue`` (a number, or the value a ``$.field`` / ``$name`` / ``$N``
  selector extracts) into CloudWatch at the event's timestamp floored to the
  minute, with the dimensions its selectors extract; and its
  ``defaultValue`` (when set) for every event that does not match. So a
  metric filter feeds an alarm with no extra code.
- each subscription filter sends the matching events to its destination
  (`awsmon.logs.subscriptions`).

Simulation notes: an event whose metric value or a dimension does not
resolve to a value is skipped (AWS: UNCONFIRMED); the defaultValue is
published once per non-matching event, so the Sum over a minute equals
AWS's per-minute figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from awsmon import registry
from awsmon.cloudwatch import StandardUnit
from awsmon.dispatch import operation
from awsmon.logs._core import LogsCore, Page, check_limit, paginate
from awsmon.logs.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from awsmon.logs.filter_batch import FilterBatch, json_keys
from awsmon.logs.filter_pattern import FilterPattern, PatternKind
from awsmon.logs.filter_pattern_scan import parse_number
from awsmon.logs.model import (
    LogGroup,
    MetricFilter,
    MetricFilterMatch,
    MetricTransformation,
    check_filter_name,
    check_log_group_name,
    validation_message,
)
from awsmon.logs.subscriptions import deliver, event_id

__all__ = ["MAX_METRIC_FILTERS", "FiltersMixin", "limit_exceeded"]

#: Metric filters per log group (a fixed quota).
MAX_METRIC_FILTERS = 100
#: Filters with regexes per log group (metric and subscription filters together).
MAX_REGEX_FILTERS = 5
#: Messages TestMetricFilter takes.
MAX_TEST_MESSAGES = 50

_METRIC_NAME = re.compile(r"[^:*$]*")
_SELECTOR = re.compile(r"\$(\.|\[|[A-Za-z_][\w]*$|[0-9]+$)")


def limit_exceeded(param: str, value: object) -> LimitExceededException:
    """AWS's error for a per-group filter quota reached."""
    return LimitExceededException("Resource limit exceeded.", param=param, value=value)


def _check_transformation(
    pattern: FilterPattern, transformation: MetricTransformation, index: int
) -> None:
    """Check one metric transformation against AWS's rules and its pattern.

    Raises:
        InvalidParameterException: a name, value or dimension breaks a rule.
    """
    where = f"metricTransformations.{index}.member"
    for param, value in (
        ("metricName", transformation.metric_name),
        ("metricNamespace", transformation.metric_namespace),
    ):
        if len(value) > 255:
            raise InvalidParameterException(
                validation_message(
                    f"{where}.{param}", value, "Member must have length less than or equal to 255"
                ),
                param=param,
                value=value,
            )
        if not value or _METRIC_NAME.fullmatch(value) is None:
            raise InvalidParameterException(
                validation_message(
                    f"{where}.{param}",
                    value,
                    "Member must satisfy regular expression pattern: [^:*$]*",
                ),
                param=param,
                value=value,
            )
    value = transformation.metric_value
    if len(value) > 100 or not value:
        raise InvalidParameterException(
            validation_message(
                f"{where}.metricValue", value, "Member must have length less than or equal to 100"
            ),
            param="metricValue",
            value=value,
        )
    _check_selector(pattern, value, "metricValue", number_allowed=True)
    if transformation.dimensions:
        if transformation.default_value is not None:
            raise InvalidParameterException(
                "You cannot have both default value and dimensions in a metric transformation.",
                param="defaultValue",
                value=transformation.default_value,
            )
        if len(transformation.dimensions) > 3:
            raise InvalidParameterException(
                "You can have up to 3 dimensions for a metric transformation.",
                param="dimensions",
                value=dict(transformation.dimensions),
            )
        if pattern.kind not in (PatternKind.JSON, PatternKind.SPACE_DELIMITED):
            raise InvalidParameterException(
                "Dimensions are only supported for JSON and space-delimited filter patterns.",
                param="dimensions",
                value=dict(transformation.dimensions),
            )
        for name, selector in transformation.dimensions.items():
            if not name or len(name) > 255 or len(selector) > 255:
                raise InvalidParameterException(
                    f"Invalid dimension {name!r}: names and values are 1 to 255 characters.",
                    param="dimensions",
                    value=name,
                )
            _check_selector(pattern, selector, "dimensions", number_allowed=False)


def _check_selector(pattern: FilterPattern, text: str, param: str, *, number_allowed: bool) -> None:
    """A metric value or dimension is a number (values only) or a selector of the pattern."""
    if not text.startswith("$"):
        if number_allowed and parse_number(text) is not None:
            return
        raise InvalidParameterException(
            f"Invalid {param} '{text}': use a number or a field selector ($.field, $name or $N).",
            param=param,
            value=text,
        )
    if _SELECTOR.match(text) is None:
        raise InvalidParameterException(
            f"Invalid {param} '{text}': not a field selector.", param=param, value=text
        )
    json_selector = text.startswith(("$.", "$["))
    if json_selector and pattern.kind is not PatternKind.JSON:
        raise InvalidParameterException(
            f"Invalid {param} '{text}': a JSON selector needs a JSON filter pattern.",
            param=param,
            value=text,
        )
    if not json_selector and pattern.kind is not PatternKind.SPACE_DELIMITED:
        raise InvalidParameterException(
            f"Invalid {param} '{text}': a field selector needs a space-delimited filter pattern.",
            param=param,
            value=text,
        )


class FiltersMixin(LogsCore):
    """Metric and subscription filter operations of `CloudWatchLogs`."""

    # -- metric filters -----------------------------------------------------------------

    @operation("PutMetricFilter")
    def put_metric_filter(
        self,
        log_group_name: str,
        filter_name: str,
        filter_pattern: str,
        metric_transformations: Sequence[MetricTransformation],
        *,
        apply_on_transformed_logs: bool = False,
    ) -> MetricFilter:
        """Create or replace a metric filter (PutMetricFilter).

        Applies to events ingested from now on (no back-fill). Exactly one
        transformation is allowed; a log group has at most 100 metric filters.

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: a bad name, pattern or transformation.
            LimitExceededException: a 101st filter, or a 6th filter with a regex.
        """
        check_log_group_name(log_group_name)
        check_filter_name(filter_name)
        pattern = FilterPattern.parse(filter_pattern)
        if len(metric_transformations) != 1:
            bound = (
                "less than or equal to 1"
                if metric_transformations
                else "greater than or equal to 1"
            )
            raise InvalidParameterException(
                validation_message(
                    "metricTransformations",
                    list(metric_transformations),
                    f"Member must have length {bound}",
                ),
                param="metricTransformations",
                value=len(metric_transformations),
            )
        for index, transformation in enumerate(metric_transformations, 1):
            _check_transformation(pattern, transformation, index)
        group = self.log_group(log_group_name)
        replacing = filter_name in group.metric_filters
        if not replacing and len(group.metric_filters) >= MAX_METRIC_FILTERS:
            raise limit_exceeded("filterName", filter_name)
        self._check_regex_quota(group, pattern, filter_name, metric=True)
        created = MetricFilter(
            name=filter_name,
            log_group_name=log_group_name,
            pattern=pattern,
            transformations=tuple(metric_transformations),
            created_at_ms=self.now_ms(),
            apply_on_transformed_logs=apply_on_transformed_logs,
        )
        group.metric_filters[filter_name] = created
        return created

    def _check_regex_quota(
        self, group: LogGroup, pattern: FilterPattern, name: str, *, metric: bool
    ) -> None:
        if not pattern.regex_count:
            return
        others = [
            f.pattern for f in group.metric_filters.values() if not (metric and f.name == name)
        ] + [
            f.pattern
            for f in group.subscription_filters.values()
            if not (not metric and f.name == name)
        ]
        if sum(1 for p in others if p.regex_count) >= MAX_REGEX_FILTERS:
            raise limit_exceeded("filterPattern", pattern.text)

    @operation("DescribeMetricFilters")
    def describe_metric_filters(
        self,
        *,
        log_group_name: str | None = None,
        filter_name_prefix: str | None = None,
        metric_name: str | None = None,
        metric_namespace: str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Page[MetricFilter]:
        """The metric filters, sorted by name (DescribeMetricFilters).

        Without `log_group_name`, those of every group. `filter_name_prefix`
        needs `log_group_name`; `metric_name` and `metric_namespace` go together.

        Raises:
            InvalidParameterException: the combinations above, a bad limit.
            ResourceNotFoundException: no such group.
        """
        size = check_limit(limit, 50, 50)
        if filter_name_prefix is not None and log_group_name is None:
            raise InvalidParameterException(
                "If you specify filterNamePrefix, you must also specify logGroupName.",
                param="filterNamePrefix",
                value=filter_name_prefix,
            )
        if (metric_name is None) != (metric_namespace is None):
            raise InvalidParameterException(
                "metricName and metricNamespace must be specified together.",
                param="metricName" if metric_name is None else "metricNamespace",
                value=metric_name or metric_namespace,
            )
        if log_group_name is not None:
            groups = [self.log_group(log_group_name)]
        else:
            groups = list(self.log_groups.values())
        found = [
            f
            for group in groups
            for f in group.metric_filters.values()
            if (filter_name_prefix is None or f.name.startswith(filter_name_prefix))
            and (
                metric_name is None
                or any(
                    t.metric_name == metric_name and t.metric_namespace == metric_namespace
                    for t in f.transformations
                )
            )
        ]
        found.sort(key=lambda f: (f.name, f.log_group_name))
        return paginate(found, lambda f: f"{f.name}\x00{f.log_group_name}", next_token, size)

    @operation("DeleteMetricFilter")
    def delete_metric_filter(self, log_group_name: str, filter_name: str) -> None:
        """Delete a metric filter (DeleteMetricFilter); its metric stays in CloudWatch.

        Raises:
            ResourceNotFoundException: no such group or filter.
        """
        group = self.log_group(log_group_name)
        if group.metric_filters.pop(filter_name, None) is None:
            raise ResourceNotFoundException(
                "The specified metric filter does not exist.", param="filterName", value=filter_name
            )

    @operation("TestMetricFilter")
    def test_metric_filter(
        self, filter_pattern: str, log_event_messages: Sequence[str]
    ) -> list[MetricFilterMatch]:
        """Which of up to 50 messages a pattern matches, and what it extracts (TestMetricFilter).

        Raises:
            InvalidParameterException: a bad pattern, or not 1 to 50 messages.
        """
        pattern = FilterPattern.parse(filter_pattern)
        if not 1 <= len(log_event_messages) <= MAX_TEST_MESSAGES:
            bound = (
                f"less than or equal to {MAX_TEST_MESSAGES}"
                if log_event_messages
                else "greater than or equal to 1"
            )
            raise InvalidParameterException(
                validation_message(
                    "logEventMessages", list(log_event_messages), f"Member must have length {bound}"
                ),
                param="logEventMessages",
                value=len(log_event_messages),
            )
        matches = []
        for number, message in enumerate(log_event_messages, 1):
            result = pattern.match(message)
            if result is not None:
                matches.append(MetricFilterMatch(number, message, dict(result.extracted_values)))
        return matches

    # -- on ingestion ---------------------------------------------------------------------------

    def apply_filters(
        self,
        group: LogGroup,
        stream_name: str,
        times: Sequence[int],
        first_seq: int,
        messages: Sequence[str],
    ) -> None:
        """Run the group's metric and subscription filters over an accepted batch."""
        if group.metric_filters:
            self._publish_metric_filters(group, times, messages)
        for subscription in list(group.subscription_filters.values()):
            test = subscription.pattern.matches
            matched = [
                (event_id(timestamp, first_seq + index), timestamp, message)
                for index, (timestamp, message) in enumerate(zip(times, messages, strict=True))
                if test(message)
            ]
            if matched:
                deliver(self, subscription, stream_name, matched)

    def _cloudwatch(self) -> Any:
        try:
            registry.spec("cloudwatch")
        except KeyError:
            return None
        return self.ctx.sibling("cloudwatch")

    def _publish_metric_filters(
        self, group: LogGroup, times: Sequence[int], messages: Sequence[str]
    ) -> None:
        cloudwatch = self._cloudwatch()
        if cloudwatch is None:
            return
        metric_filters = list(group.metric_filters.values())
        keys = json_keys((f.pattern, f.transformations) for f in metric_filters)
        batch = FilterBatch(times, messages, keys)
        for metric_filter in metric_filters:
            for transformation in metric_filter.transformations:
                points = batch.points(metric_filter.pattern, transformation)
                unit = transformation.unit or StandardUnit.NONE
                for key, values in points.items():
                    cloudwatch.publish(key, values, unit=unit, storage_resolution=60)
                hits = sum(len(values) for values in points.values())
                if hits:
                    self.ctx.note(
                        "metric-filter",
                        f"metric filter {metric_filter.name} on {group.name}: {hits} values "
                        f"for {transformation.metric_name}",
                        filter=metric_filter.name,
                        group=group.name,
                        values=hits,
                    )

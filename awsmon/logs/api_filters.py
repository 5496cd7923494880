"""CloudWatch Logs wire operations for metric filters and subscription filters.

Internal to `awsmon.logs.api`, whose `LogsApi` inherits `FiltersApi`.
"""

from __future__ import annotations

from awsmon.logs.api_common import LogsWireApi, Response, paged
from awsmon.logs.model import (
    MetricFilter,
    MetricTransformation,
    SubscriptionFilter,
)
from awsmon.wire import Params, handles

__all__ = ["FiltersApi"]

_UNITS = (
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
    "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
    "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
)  # fmt: skip


def _transformation(t: MetricTransformation) -> Response:
    out: Response = {
        "metricName": t.metric_name,
        "metricNamespace": t.metric_namespace,
        "metricValue": t.metric_value,
    }
    if t.default_value is not None:
        out["defaultValue"] = t.default_value
    if t.dimensions:
        out["dimensions"] = dict(t.dimensions)
    if t.unit is not None:
        out["unit"] = t.unit.value
    return out


def _metric_filter(f: MetricFilter) -> Response:
    return {
        "filterName": f.name,
        "filterPattern": f.pattern.text,
        "metricTransformations": [_transformation(t) for t in f.transformations],
        "creationTime": f.created_at_ms,
        "logGroupName": f.log_group_name,
        "applyOnTransformedLogs": f.apply_on_transformed_logs,
    }


def _subscription(f: SubscriptionFilter) -> Response:
    out: Response = {
        "filterName": f.name,
        "logGroupName": f.log_group_name,
        "filterPattern": f.pattern.text,
        "destinationArn": f.destination_arn,
    }
    if f.role_arn is not None:
        out["roleArn"] = f.role_arn
    out["distribution"] = f.distribution.value
    out["applyOnTransformedLogs"] = f.apply_on_transformed_logs
    out["creationTime"] = f.created_at_ms
    return out


class FiltersApi(LogsWireApi):
    """Handlers of the metric filter and subscription filter operations."""

    @handles("PutMetricFilter")
    def put_metric_filter(self, params: Params) -> Response:
        """PutMetricFilter."""
        group = self._group_name(params)
        name = self._stream_name(params, "filterName")
        pattern = self._pattern(params, required=True)
        raw = params.items("metricTransformations", required=True, min_items=1, max_items=1)
        transformations = []
        for item in raw:
            each = params.nested(item if isinstance(item, dict) else {})
            unit = each.string("unit", choices=_UNITS)
            transformations.append(
                MetricTransformation(
                    metric_name=each.string("metricName", required=True, max_length=255) or "",
                    metric_namespace=each.string("metricNamespace", required=True, max_length=255)
                    or "",
                    metric_value=each.string("metricValue", required=True, max_length=100) or "",
                    default_value=each.number("defaultValue"),
                    dimensions=each.mapping("dimensions"),
                    unit=unit,
                )
            )
        self.domain.put_metric_filter(
            group,
            name,
            pattern,
            transformations,
            apply_on_transformed_logs=bool(params.boolean("applyOnTransformedLogs")),
        )
        return {}

    @handles("DescribeMetricFilters")
    def describe_metric_filters(self, params: Params) -> Response:
        """DescribeMetricFilters."""
        page = self.domain.describe_metric_filters(
            log_group_name=self._group_name(params, required=False),
            filter_name_prefix=self._stream_name(params, "filterNamePrefix", required=False),
            metric_name=params.string("metricName", max_length=255),
            metric_namespace=params.string("metricNamespace", max_length=255),
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return paged("metricFilters", page, _metric_filter)

    @handles("DeleteMetricFilter")
    def delete_metric_filter(self, params: Params) -> Response:
        """DeleteMetricFilter."""
        self.domain.delete_metric_filter(
            self._group_name(params), self._stream_name(params, "filterName")
        )
        return {}

    @handles("TestMetricFilter")
    def test_metric_filter(self, params: Params) -> Response:
        """TestMetricFilter: ``matches`` (eventNumber, eventMessage, extractedValues)."""
        pattern = self._pattern(params, required=True)
        messages = params.strings("logEventMessages", required=True, min_items=1, max_items=50)
        for index, message in enumerate(messages):
            if not isinstance(message, str) or not message:
                raise params.invalid(
                    f"logEventMessages.{index + 1}.member",
                    message,
                    "Member must have length greater than or equal to 1",
                )
        matches = self.domain.test_metric_filter(pattern, messages)
        return {
            "matches": [
                {
                    "eventNumber": m.event_number,
                    "eventMessage": m.event_message,
                    "extractedValues": dict(m.extracted_values),
                }
                for m in matches
            ]
        }

    # -- subscription filters ----------------------------------------------------------------------

    @handles("PutSubscriptionFilter")
    def put_subscription_filter(self, params: Params) -> Response:
        """PutSubscriptionFilter."""
        destination = params.string("destinationArn", required=True, min_length=1)
        self.domain.put_subscription_filter(
            self._group_name(params),
            self._stream_name(params, "filterName"),
            self._pattern(params, required=True),
            destination,
            role_arn=params.string("roleArn", min_length=1),
            distribution=params.string(
                "distribution", choices=("Random", "ByLogStream"), default="ByLogStream"
            )
            or "ByLogStream",
            apply_on_transformed_logs=bool(params.boolean("applyOnTransformedLogs")),
        )
        return {}

    @handles("DescribeSubscriptionFilters")
    def describe_subscription_filters(self, params: Params) -> Response:
        """DescribeSubscriptionFilters."""
        page = self.domain.describe_subscription_filters(
            self._group_name(params),
            filter_name_prefix=self._stream_name(params, "filterNamePrefix", required=False),
            limit=self._limit(params, 50),
            next_token=params.string("nextToken", min_length=1),
        )
        return paged("subscriptionFilters", page, _subscription)

    @handles("DeleteSubscriptionFilter")
    def delete_subscription_filter(self, params: Params) -> Response:
        """DeleteSubscriptionFilter."""
        self.domain.delete_subscription_filter(
            self._group_name(params), self._stream_name(params, "filterName")
        )
        return {}

    # -- export tasks ------------------------------------------------------------------------------

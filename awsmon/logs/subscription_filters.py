"""Subscription filters: Put-, Describe- and DeleteSubscriptionFilter.

`SubscriptionFiltersMixin` is one of the bases of
`awsmon.logs.service.CloudWatchLogs`. A subscription filter's destination is
checked when it is put (`awsmon.logs.subscriptions.check_destination`); the
matching events are sent on ingestion by `awsmon.logs.filters`.
"""

from __future__ import annotations

from awsmon.dispatch import operation
from awsmon.logs._core import Page, check_limit, paginate
from awsmon.logs.errors import ResourceNotFoundException
from awsmon.logs.filter_pattern import FilterPattern
from awsmon.logs.filters import FiltersMixin, limit_exceeded
from awsmon.logs.model import (
    Distribution,
    SubscriptionFilter,
    check_filter_name,
    check_log_group_name,
)
from awsmon.logs.subscriptions import check_destination

__all__ = ["MAX_SUBSCRIPTION_FILTERS", "SubscriptionFiltersMixin"]

#: Subscription filters per log group.
MAX_SUBSCRIPTION_FILTERS = 2


class SubscriptionFiltersMixin(FiltersMixin):
    """The subscription filter operations of `CloudWatchLogs`."""

    # -- subscription filters ----------------------------------------------------------------

    @operation("PutSubscriptionFilter")
    def put_subscription_filter(
        self,
        log_group_name: str,
        filter_name: str,
        filter_pattern: str,
        destination_arn: str,
        *,
        role_arn: str | None = None,
        distribution: Distribution | str = Distribution.BY_LOG_STREAM,
        apply_on_transformed_logs: bool = False,
    ) -> SubscriptionFilter:
        """Create or replace a subscription filter (PutSubscriptionFilter).

        The destination is checked as AWS does: a Lambda function must let
        ``logs.amazonaws.com`` invoke it; Kinesis and Firehose need a
        `role_arn` and receive a CONTROL_MESSAGE at once. At most two
        subscription filters per group.

        Raises:
            ResourceNotFoundException: no such group.
            InvalidParameterException: a bad name, pattern or destination.
            LimitExceededException: a third filter.
        """
        check_log_group_name(log_group_name)
        check_filter_name(filter_name)
        pattern = FilterPattern.parse(filter_pattern)
        group = self.log_group(log_group_name)
        replacing = filter_name in group.subscription_filters
        if not replacing and len(group.subscription_filters) >= MAX_SUBSCRIPTION_FILTERS:
            raise limit_exceeded("filterName", filter_name)
        self._check_regex_quota(group, pattern, filter_name, metric=False)
        created = SubscriptionFilter(
            name=filter_name,
            log_group_name=log_group_name,
            pattern=pattern,
            destination_arn=destination_arn,
            role_arn=role_arn,
            distribution=Distribution(distribution),
            created_at_ms=self.now_ms(),
            apply_on_transformed_logs=apply_on_transformed_logs,
        )
        check_destination(self, created, group.arn)
        group.subscription_filters[filter_name] = created
        return created

    @operation("DescribeSubscriptionFilters")
    def describe_subscription_filters(
        self,
        log_group_name: str,
        *,
        filter_name_prefix: str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Page[SubscriptionFilter]:
        """The group's subscription filters, sorted by name (DescribeSubscriptionFilters).

        Raises:
            ResourceNotFoundException: no such group.
        """
        size = check_limit(limit, 50, 50)
        group = self.log_group(log_group_name)
        found = sorted(
            (
                f
                for f in group.subscription_filters.values()
                if filter_name_prefix is None or f.name.startswith(filter_name_prefix)
            ),
            key=lambda f: f.name,
        )
        return paginate(found, lambda f: f.name, next_token, size)

    @operation("DeleteSubscriptionFilter")
    def delete_subscription_filter(self, log_group_name: str, filter_name: str) -> None:
        """Delete a subscription filter (DeleteSubscriptionFilter).

        Raises:
            ResourceNotFoundException: no such group or filter.
        """
        group = self.log_group(log_group_name)
        if group.subscription_filters.pop(filter_name, None) is None:
            raise ResourceNotFoundException(
                "The specified subscription filter does not exist.",
                param="filterName",
                value=filter_name,
            )

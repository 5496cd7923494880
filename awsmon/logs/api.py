"""CloudWatch Logs wire operations: AWS parameter names in, boto3 response shapes out.

Logs speaks JSON 1.1 with camelCase members; timestamps are epoch
milliseconds (longs) both ways, so responses carry ints where boto3 does.
Bad input raises ``InvalidParameterException`` with AWS's validation wording.

>>> from awsmon import Cloud
>>> logs = Cloud().client("logs")
>>> _ = logs.create_log_group(logGroupName="app")
>>> [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
['app']
>>> logs.put_retention_policy(logGroupName="app", retentionInDays=2)
Traceback (most recent call last):
...
awsmon.logs.errors.InvalidParameterException: ... Value '2' at 'retentionInDays' failed ...
"""

from __future__ import annotations

from awsmon.logs.api_destinations import DestinationsApi
from awsmon.logs.api_events import LogEventsApi
from awsmon.logs.api_exports import ExportsApi
from awsmon.logs.api_filters import FiltersApi
from awsmon.logs.api_groups import GroupsApi
from awsmon.logs.insights.api import InsightsApi
from awsmon.logs.service import CloudWatchLogs

__all__ = ["LogsApi"]


class LogsApi(InsightsApi, GroupsApi, LogEventsApi, FiltersApi, ExportsApi, DestinationsApi):
    """The CloudWatch Logs wire API (API 2014-03-28).

    One class with every operation's handler; the handlers live with their
    resource: `GroupsApi` (log groups, tags, streams, resource policies),
    `LogEventsApi` (put, get and filter events), `FiltersApi` (metric and
    subscription filters), `ExportsApi` (export tasks), `DestinationsApi`
    (cross-account destinations), `InsightsApi` (Logs Insights queries,
    `awsmon.logs.insights.api`).
    """

    domain: CloudWatchLogs

"""The shared base of the CloudWatch Logs wire API: error classes, common readers, pages.

Internal to `awsmon.logs.api`: each resource's handlers (`api_groups`,
`api_events`, `api_filters`, `api_exports`) extend `LogsWireApi`.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from awsmon.logs._core import Page
from awsmon.logs.errors import InvalidParameterException
from awsmon.logs.model import (
    LOG_GROUP_NAME_PATTERN,
    LOG_STREAM_NAME_PATTERN,
)
from awsmon.logs.service import CloudWatchLogs
from awsmon.wire import Params, WireApi

__all__ = ["IDENTIFIER", "LogsWireApi", "Response", "paged"]

Response = dict[str, Any]

IDENTIFIER = r"[\w#+=/:,.@-]*"


def paged(key: str, page: Page[Any], render: Any) -> Response:
    """A Describe response: the rendered items under `key`, and the next token if any."""
    out: Response = {key: [render(item) for item in page.items]}
    if page.next_token is not None:
        out["nextToken"] = page.next_token
    return out


class LogsWireApi(WireApi):
    """The base of the CloudWatch Logs wire API and of its per-resource parts.

    Holds the service's error classes and the readers several operations
    share. Its subclasses are mixed into `awsmon.logs.api.LogsApi`; the
    handlers of every base in the MRO are collected, so a part can be added by
    listing it among `LogsApi`'s bases.
    """

    domain: CloudWatchLogs
    invalid_parameter = InvalidParameterException
    missing_parameter = InvalidParameterException

    @overload
    @staticmethod
    def _group_name(params: Params, name: str = ..., required: Literal[True] = ...) -> str: ...
    @overload
    @staticmethod
    def _group_name(params: Params, name: str = ..., *, required: bool) -> str | None: ...
    @staticmethod
    def _group_name(
        params: Params, name: str = "logGroupName", required: bool = True
    ) -> str | None:
        return params.string(
            name, required=required, min_length=1, max_length=512, pattern=LOG_GROUP_NAME_PATTERN
        )

    @overload
    @staticmethod
    def _stream_name(params: Params, name: str = ..., required: Literal[True] = ...) -> str: ...
    @overload
    @staticmethod
    def _stream_name(params: Params, name: str = ..., *, required: bool) -> str | None: ...
    @staticmethod
    def _stream_name(
        params: Params, name: str = "logStreamName", required: bool = True
    ) -> str | None:
        return params.string(
            name, required=required, min_length=1, max_length=512, pattern=LOG_STREAM_NAME_PATTERN
        )

    @staticmethod
    def _identifier(params: Params) -> str | None:
        return params.string(
            "logGroupIdentifier", min_length=1, max_length=2048, pattern=IDENTIFIER
        )

    @overload
    @staticmethod
    def _pattern(params: Params, required: Literal[True]) -> str: ...
    @overload
    @staticmethod
    def _pattern(params: Params, required: bool = ...) -> str | None: ...
    @staticmethod
    def _pattern(params: Params, required: bool = False) -> str | None:
        return params.string("filterPattern", required=required, max_length=1024)

    @staticmethod
    def _time(params: Params, name: str) -> int | None:
        return params.integer(name, minimum=0)

    @staticmethod
    def _limit(params: Params, maximum: int) -> int | None:
        return params.integer("limit", minimum=1, maximum=maximum)

    # -- log groups ------------------------------------------------------------------------

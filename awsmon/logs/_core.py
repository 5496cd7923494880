"""The state CloudWatch Logs keeps in one account and region, and the helpers every part shares.

`LogsCore` is the base of `awsmon.logs.service.CloudWatchLogs`: it owns the
log groups, export tasks and resource policies, finds groups and streams
with AWS's errors, runs the retention clock job, and pages lists the way the
Describe operations do. The operations themselves live in the service and in
the filter and export modules, which extend this class.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from attrs import frozen

from awsmon.arn import Arn, InvalidArn
from awsmon.clock import Job
from awsmon.cloudwatch import StandardUnit, VendedMetrics
from awsmon.dispatch import Service
from awsmon.logs.errors import REQUEST, InvalidParameterException, ResourceNotFoundException
from awsmon.logs.model import ExportTask, LogGroup, LogStream, ResourcePolicy, to_millis

__all__ = ["DAY_MS", "LogsCore", "Page"]

T = TypeVar("T")

DAY_MS = 86_400_000
#: How often the retention job frees expired events.
PURGE_INTERVAL_S = 3600


@frozen
class Page(Generic[T]):
    """One page of a Describe operation: the items and the token of the next page (or None)."""

    items: tuple[T, ...]
    next_token: str | None = None


def encode_token(text: str) -> str:
    """An opaque pagination token that carries `text`."""
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_token(token: str) -> str:
    """The text a token from `encode_token` carries.

    Raises:
        InvalidParameterException: not a token awsmon made.
    """
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid_token(token) from None


def invalid_token(token: str) -> InvalidParameterException:
    """AWS's error for a token it did not issue (observed wording)."""
    return InvalidParameterException(
        "The specified nextToken is invalid.", param="nextToken", value=token
    )


def check_limit(limit: int | None, maximum: int, default: int) -> int:
    """The page size: `default` when None, else 1..`maximum`.

    Raises:
        InvalidParameterException: outside the range (AWS's validation wording).
    """
    if limit is None:
        return default
    if limit < 1:
        raise REQUEST.invalid("limit", limit, "Member must have value greater than or equal to 1")
    if limit > maximum:
        raise REQUEST.invalid(
            "limit", limit, f"Member must have value less than or equal to {maximum}"
        )
    return limit


def paginate(
    items: Sequence[T], key: Callable[[T], str], next_token: str | None, limit: int
) -> Page[T]:
    """The page of `items` (sorted by `key`) after the one `next_token` ended."""
    start = 0
    if next_token is not None:
        after = decode_token(next_token)
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    chosen = tuple(items[start : start + limit])
    more = start + limit < len(items)
    return Page(chosen, encode_token(key(chosen[-1])) if more and chosen else None)


class LogsCore(Service):
    """State and shared helpers of CloudWatch Logs in one account and region.

    Attributes:
        log_groups: group name → `LogGroup`.
        export_tasks: task id → `ExportTask`, in creation order.
        resource_policies: policy key (name, or group ARN) → `ResourcePolicy`.
    """

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.log_groups: dict[str, LogGroup] = {}
        self.export_tasks: dict[str, ExportTask] = {}
        self.resource_policies: dict[str, ResourcePolicy] = {}
        self._purge_job: Job | None = None
        #: The AWS/Logs metrics: incoming events and bytes per group and for the
        #: account, and what subscription filters forward (`awsmon.logs.subscriptions`).
        self.vended = VendedMetrics(ctx, "AWS/Logs")

    def count_incoming(
        self, group_name: str, messages: Sequence[str], nbytes: int | None = None
    ) -> None:
        """Count an accepted batch in IncomingLogEvents and IncomingBytes (group and account).

        `nbytes`, the messages' UTF-8 bytes, when the caller counted them already.
        """
        vended = self.vended
        if not vended.enabled:
            return
        if nbytes is None:
            nbytes = sum(len(m.encode("utf-8", "surrogatepass")) for m in messages)
        size = float(nbytes)
        for where in ((("LogGroupName", group_name),), ()):
            vended.add("IncomingLogEvents", where, float(len(messages)))
            vended.add("IncomingBytes", where, size, StandardUnit.BYTES)

    # -- time ----------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The virtual now, in epoch milliseconds."""
        return to_millis(self.ctx.now())

    def retention_cutoff(self, group: LogGroup) -> int | None:
        """The oldest timestamp (ms) still kept by the group's retention, or None."""
        if group.retention_in_days is None:
            return None
        return self.now_ms() - group.retention_in_days * DAY_MS

    def ensure_purge_job(self) -> None:
        """Start the hourly clock job that frees expired events, once some group has a retention."""
        if self._purge_job is None:
            self._purge_job = self.ctx.clock.call_every(
                PURGE_INTERVAL_S, self.purge_expired, name=f"logs retention {self.region}"
            )

    def purge_expired(self) -> int:
        """Free every event past its group's retention; return how many (the clock job)."""
        freed = 0
        for group in self.log_groups.values():
            cutoff = self.retention_cutoff(group)
            if cutoff is not None:
                for stream in group.streams.values():
                    freed += stream.store.expire_before(cutoff)
        return freed

    # -- lookups ---------------------------------------------------------------------------

    def group_arn(self, name: str) -> str:
        """The ARN of log group `name` with the trailing ``:*``."""
        return self.ctx.arn(f"log-group:{name}:*")

    def log_group(self, log_group_name: str) -> LogGroup:
        """The log group `log_group_name`.

        Raises:
            ResourceNotFoundException: no such group.
        """
        found = self.log_groups.get(log_group_name)
        if found is None:
            raise ResourceNotFoundException(
                "The specified log group does not exist.",
                param="logGroupName",
                value=log_group_name,
            )
        return found

    def resolve_group(self, name: str | None, identifier: str | None) -> LogGroup:
        """The group named by `name` or by `identifier` (a name or an ARN); exactly one.

        Raises:
            InvalidParameterException: both or neither given.
            ResourceNotFoundException: no such group (here: other accounts' groups
                are not visible without cross-account observability).
        """
        if name is not None and identifier is not None:
            raise InvalidParameterException(
                "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
                param="logGroupIdentifier",
                value=identifier,
            )
        if name is not None:
            return self.log_group(name)
        if identifier is None:
            raise InvalidParameterException(
                "Should provide either name or ARN of the log group.",
                param="logGroupName",
                value=None,
            )
        return self.log_group(self.group_name_of(identifier))

    def group_name_of(self, identifier: str) -> str:
        """The group name in a log group identifier (a name or an ARN of this account and region).

        Raises:
            ResourceNotFoundException: an ARN of another place or of no log group.
        """
        if not identifier.startswith("arn:"):
            return identifier
        try:
            arn: Arn | None = Arn.parse(identifier)
        except InvalidArn:
            arn = None
        if (
            arn is None
            or arn.service != "logs"
            or not arn.resource.startswith("log-group:")
            or (arn.region, arn.account_id) != (self.region, self.account_id)
        ):
            raise ResourceNotFoundException(
                "The specified log group does not exist.",
                param="logGroupIdentifier",
                value=identifier,
            )
        name = arn.resource_id
        return name[:-2] if name.endswith(":*") else name

    def group_by_arn(self, resource_arn: str) -> LogGroup:
        """The log group of this account and region that `resource_arn` names.

        Raises:
            ResourceNotFoundException: not the ARN of an existing group here.
        """
        try:
            name = self.group_name_of(resource_arn) if resource_arn.startswith("arn:") else None
        except ResourceNotFoundException:
            name = None
        if name is None or name not in self.log_groups:
            raise ResourceNotFoundException(
                f"The specified resource does not exist: {resource_arn}",
                param="resourceArn",
                value=resource_arn,
            )
        return self.log_groups[name]

    def log_stream(self, group: LogGroup, log_stream_name: str) -> LogStream:
        """The stream `log_stream_name` of `group`.

        Raises:
            ResourceNotFoundException: no such stream.
        """
        found = group.streams.get(log_stream_name)
        if found is None:
            raise ResourceNotFoundException(
                "The specified log stream does not exist.",
                param="logStreamName",
                value=log_stream_name,
            )
        return found

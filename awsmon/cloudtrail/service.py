"""AWS CloudTrail: every call recorded, the 90-day event history, trails.

`CloudTrail` is the service of one account and region (``cloud.cloudtrail``).
Its operations, by purpose:

- event history: `lookup_events` (LookupEvents), and `events`, the domain
  helper that answers "who did what, when?" in one line;
- trails: `create_trail`, `update_trail`, `delete_trail`, `describe_trails`,
  `get_trail`, `list_trails`, `get_trail_status`, `start_logging`,
  `stop_logging`, `add_tags`, `remove_tags`, `list_tags`
  (`awsmon.cloudtrail.trail_ops`);
- selectors: `put_event_selectors`, `get_event_selectors`,
  `put_insight_selectors`, `get_insight_selectors`.

Recording needs no call: the cloud's `Recorder` (installed when the cloud is
built) hands every logged call of this place to `record`. Management events
become visible to LookupEvents `history_delay` after the call (default
`HISTORY_DELAY`, 5 minutes: AWS shows events in the event history "within
about 5 minutes" of the call; set it to zero in tests that do not care) and
are kept 90 days. Data events never appear in the event history; trails
with data selectors deliver them. Management events also go to the default
event bus of this place as "AWS API Call via CloudTrail" (no trail needed,
as in AWS; read-only ones reach only rules in state
``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``, which EventBridge decides).

>>> from datetime import timedelta
>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> _ = cloud.client("logs").create_log_group(logGroupName="app")
>>> [(e.operation, e.principal.type) for e in cloud.cloudtrail.events(name="CreateLogGroup")]
[('CreateLogGroup', 'Root')]
>>> cloud.clock.advance(timedelta(minutes=5))
>>> page = cloud.client("cloudtrail").lookup_events(
...     LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateLogGroup"}])
>>> [(e["EventName"], e["Username"]) for e in page["Events"]]
[('CreateLogGroup', 'root')]
"""

from __future__ import annotations

import base64
import collections
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from awsmon.clock import to_datetime
from awsmon.cloudtrail.errors import (
    InvalidEventCategoryException,
    InvalidLookupAttributesException,
    InvalidMaxResultsException,
    InvalidNextTokenException,
    InvalidTimeRangeException,
    ThrottlingException,
)
from awsmon.cloudtrail.history import LOOKUP_KEYS, RETENTION, History
from awsmon.cloudtrail.insights import InsightWatch
from awsmon.cloudtrail.recording import recorder_of
from awsmon.cloudtrail.records import EVENT_VERSION, CallRecord, render, username
from awsmon.cloudtrail.trail_ops import TrailOperations
from awsmon.dispatch import Service, ServiceContext, operation
from awsmon.errors import ServiceError
from awsmon.identity import Principal

__all__ = ["HISTORY_DELAY", "CloudTrail", "LookupPage"]

#: How long after a call its management event shows in the event history.
HISTORY_DELAY = timedelta(minutes=5)

#: EventBridge sources that are not ``aws.`` + the endpoint prefix.
_EVENTBRIDGE_SOURCES = {"monitoring.amazonaws.com": "aws.cloudwatch"}

_INSIGHT_KEYS = ("EventId", "EventName", "EventSource")


@frozen
class LookupPage:
    """One page of LookupEvents: records (newest first) and the token for the next page."""

    events: list[CallRecord | dict[str, Any]]
    next_token: str | None


class CloudTrail(TrailOperations, Service):
    """The CloudTrail service of one account and region.

    Attributes:
        history: every record of this place (`awsmon.cloudtrail.history.History`).
        history_delay: how long a management event takes to show in LookupEvents.
        throttle_lookups: enforce LookupEvents' 2 requests per second (off by default).
        forward_to_eventbridge: send management events to the default bus.
        event_version: the ``eventVersion`` written.
        insight_events: the Insights events of this place, as AWS writes them.

    Simulation notes: calls CloudTrail itself makes to deliver (S3, Logs, SNS)
    are recorded but never delivered by trails, so delivery does not feed on
    itself.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.history = History()
        self.history_delay = HISTORY_DELAY
        self.throttle_lookups = False
        self.forward_to_eventbridge = True
        self.event_version = EVENT_VERSION
        self.insight_events: list[dict[str, Any]] = []
        self.insights = InsightWatch()
        self._events: Any = None
        self._lookup_times: collections.deque[datetime] = collections.deque(maxlen=2)
        self._recorder = recorder_of(ctx.cloud)
        self._recorder.join(ctx.account_id, ctx.region, self)
        self._init_trails()

    # -- recording -------------------------------------------------------------------

    def record(self, record: CallRecord) -> None:
        """Keep one logged call of this place (the recorder calls this)."""
        history = self.history
        if not history.end & 1023:  # now and then, not on every call
            history.expire(record.at - RETENTION)
        if history.append(record):  # a management event
            if self.forward_to_eventbridge:
                self._to_eventbridge(record)
            if self.insights.active:
                self.insights.count(record)

    def _to_eventbridge(self, record: CallRecord) -> None:
        events = self._events
        if events is None:
            try:
                events = self._events = self.ctx.sibling("events")
            except KeyError:
                return
        if not events.bus(None).rules:
            return  # no rule can match: build nothing
        source = record.event_source
        try:
            events.put_aws_event(
                source=_EVENTBRIDGE_SOURCES.get(source, "aws." + source.split(".", 1)[0]),
                detail_type="AWS API Call via CloudTrail",
                detail=render(record, event_version=self.event_version),
                time=record.at,
            )
        except ServiceError:
            return  # a delivery problem of EventBridge's own; the call stands

    # -- event history ---------------------------------------------------------------

    def events(
        self,
        *,
        name: str | None = None,
        principal: str | Principal | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        source: str | None = None,
        failed: bool | None = None,
    ) -> list[CallRecord]:
        """The recorded calls of this place, oldest first (a simulation helper).

        Unlike LookupEvents this sees every record at once (no delivery delay)
        and data events too.

        Args:
            name: only this operation (``"StopInstances"``).
            principal: only calls by this principal: an ARN, a `Principal`, or a
                LookupEvents user name (``root``, a user or session name).
            since / until: only calls in this time range (inclusive).
            source: only this ``eventSource`` (``ec2.amazonaws.com``).
            failed: only failed (True) or successful (False) calls.
        """
        who = principal.arn if isinstance(principal, Principal) else principal
        start = None if since is None else to_datetime(since)
        end = None if until is None else to_datetime(until)
        found = []
        for record in self.history.records():
            if name is not None and record.operation != name:
                continue
            if who is not None and who not in (record.principal.arn, username(record.principal)):
                continue
            if start is not None and record.at < start:
                continue
            if end is not None and record.at > end:
                continue
            if source is not None and record.event_source != source:
                continue
            if failed is not None and (record.error_code is not None) != failed:
                continue
            found.append(record)
        return found

    def render(self, record: CallRecord) -> dict[str, Any]:
        """The record as AWS writes it, with this service's ``eventVersion``."""
        return render(record, event_version=self.event_version)

    @operation("LookupEvents")
    def lookup_events(
        self,
        lookup_attributes: Sequence[tuple[str, str]] | Mapping[str, str] = (),
        *,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        event_category: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> LookupPage:
        """Management events of the last 90 days, newest first (LookupEvents).

        Args:
            lookup_attributes: at most one (AttributeKey, AttributeValue): an
                exact, case-sensitive match on ``EventId``, ``EventName``,
                ``ReadOnly``, ``Username``, ``ResourceType``, ``ResourceName``,
                ``EventSource`` or ``AccessKeyId``.
            start_time / end_time: the inclusive range (default: 90 days ago / now).
            event_category: ``"insight"`` for Insights events instead.
            max_results: page size, 1–50 (default 50).
            next_token: the token of the previous page of the same query.

        Raises:
            InvalidLookupAttributesException / InvalidTimeRangeException /
            InvalidMaxResultsException / InvalidNextTokenException /
            InvalidEventCategoryException / ThrottlingException.
        """
        self._throttle()
        pairs = list(
            lookup_attributes.items()
            if isinstance(lookup_attributes, Mapping)
            else lookup_attributes
        )
        if len(pairs) > 1:
            raise InvalidLookupAttributesException(
                "You cannot specify more than one lookup attribute.",
                param="LookupAttributes",
                value=pairs,
            )
        if event_category is not None and event_category != "insight":
            raise InvalidEventCategoryException(
                f"Event category {event_category} is not valid. Valid value is insight.",
                param="EventCategory",
                value=event_category,
            )
        allowed = _INSIGHT_KEYS if event_category else LOOKUP_KEYS
        attribute = pairs[0] if pairs else None
        if attribute is not None and attribute[0] not in allowed:
            raise InvalidLookupAttributesException(
                f"Lookup attribute key {attribute[0]} is not valid"
                + (" with event category insight." if event_category else "."),
                param="AttributeKey",
                value=attribute[0],
            )
        limit = 50 if max_results is None else max_results
        if not 1 <= limit <= 50:
            raise InvalidMaxResultsException(
                f"Value {limit} for MaxResults is not valid. It must be between 1 and 50.",
                param="MaxResults",
                value=limit,
            )
        now = self.ctx.now()
        start = now - RETENTION if start_time is None else to_datetime(start_time)
        end = now if end_time is None else to_datetime(end_time)
        if start > end:
            raise InvalidTimeRangeException(
                "Start time must be before end time.", param="StartTime", value=start_time
            )
        query = _query_key(attribute, start_time, end_time, event_category)
        before = None if next_token is None else _read_token(next_token, query)
        start = max(start, now - RETENTION)
        if event_category:
            return self._insight_page(attribute, start, end, before, limit, query)
        self.history.expire(now - RETENTION)
        end = min(end, now - self.history_delay)
        page, more = self.history.lookup(attribute, start, end, before=before, limit=limit)
        token = None if more is None else _token(more, query)
        found: list[CallRecord | dict[str, Any]] = [record for _, record in page]
        return LookupPage(found, token)

    def _insight_page(
        self,
        attribute: tuple[str, str] | None,
        start: datetime,
        end: datetime,
        before: int | None,
        limit: int,
        query: str,
    ) -> LookupPage:
        fields = {"EventId": "eventID", "EventName": "eventName", "EventSource": "eventSource"}
        chosen: list[CallRecord | dict[str, Any]] = []
        top = len(self.insight_events) if before is None else before
        for index in range(top - 1, -1, -1):
            event = self.insight_events[index]
            at = to_datetime(datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00")))
            if not start <= at <= end:
                continue
            if attribute is not None:
                details = event.get("insightDetails", {})
                key = fields[attribute[0]]
                if (event.get(key) or details.get(key)) != attribute[1]:
                    continue
            if len(chosen) == limit:
                return LookupPage(chosen, _token(index + 1, query))
            chosen.append(event)
        return LookupPage(chosen, None)

    def _throttle(self) -> None:
        if not self.throttle_lookups:
            return
        now = self.ctx.now()
        times = self._lookup_times
        if len(times) == 2 and now - times[0] < timedelta(seconds=1):
            raise ThrottlingException("Rate exceeded", param="LookupEvents", value=None)
        times.append(now)


def _query_key(
    attribute: tuple[str, str] | None,
    start: datetime | None,
    end: datetime | None,
    category: str | None,
) -> str:
    text = json.dumps([attribute, str(start), str(end), category], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _token(seq: int, query: str) -> str:
    return base64.urlsafe_b64encode(f"{seq}:{query}".encode()).decode()


def _read_token(token: str, query: str) -> int:
    try:
        seq_text, _, key = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        seq = int(seq_text)
    except (ValueError, UnicodeDecodeError):
        seq, key = -1, ""
    if key != query or seq < 0:
        raise InvalidNextTokenException(
            "Invalid NextToken: it does not belong to this query.",
            param="NextToken",
            value=token,
        )
    return seq

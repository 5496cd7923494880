"""EventBridge wire operations for partner event sources and the event sources they offer.

Internal to `awsmon.events.api`, whose `EventsApi` inherits `EventSourcesApi`.
"""

from __future__ import annotations

from typing import Any

from awsmon.events.api_common import (
    SOURCE_NAME,
    EventsWireApi,
    entries_from_wire,
    events_result,
    listed,
    page,
    source_shape,
)
from awsmon.wire import Params, handles

__all__ = ["EventSourcesApi"]

Response = dict[str, Any]

_ACCOUNT = r"\d{12}"
_PARTNER_PREFIX = r"aws\.partner/[\.\-_A-Za-z0-9]+/[/\.\-_A-Za-z0-9]*"


class EventSourcesApi(EventsWireApi):
    """Partner event sources on the wire (part of `EventsApi`)."""

    @staticmethod
    def _source_name(params: Params, key: str = "Name") -> str:
        return params.string(key, required=True, min_length=1, max_length=256, pattern=SOURCE_NAME)

    @staticmethod
    def _account(params: Params) -> str:
        return params.string(
            "Account", required=True, min_length=12, max_length=12, pattern=_ACCOUNT
        )

    @handles("CreatePartnerEventSource")
    def create_partner_event_source(self, params: Params) -> Response:
        """CreatePartnerEventSource: EventSourceArn."""
        name = self._source_name(params)
        source = self.domain.create_partner_event_source(name, self._account(params))
        return {"EventSourceArn": source.arn}

    @handles("DeletePartnerEventSource")
    def delete_partner_event_source(self, params: Params) -> Response:
        """DeletePartnerEventSource: nothing."""
        name = self._source_name(params)
        self.domain.delete_partner_event_source(name, self._account(params))
        return {}

    @handles("DescribePartnerEventSource")
    def describe_partner_event_source(self, params: Params) -> Response:
        """DescribePartnerEventSource: Arn and Name."""
        source = self.domain.describe_partner_event_source(self._source_name(params))
        return {"Arn": source.arn, "Name": source.name}

    @handles("ListPartnerEventSources")
    def list_partner_event_sources(self, params: Params) -> Response:
        """ListPartnerEventSources: PartnerEventSources (and NextToken)."""
        prefix = params.string(
            "NamePrefix",
            required=True,
            min_length=1,
            max_length=256,
            pattern=_PARTNER_PREFIX,
        )
        sources, token = page(self.domain.list_partner_event_sources(prefix), params)
        return listed(
            {"PartnerEventSources": [{"Arn": s.arn, "Name": s.name} for s in sources]}, token
        )

    @handles("ListPartnerEventSourceAccounts")
    def list_partner_event_source_accounts(self, params: Params) -> Response:
        """ListPartnerEventSourceAccounts: PartnerEventSourceAccounts (and NextToken)."""
        name = self._source_name(params, "EventSourceName")
        sources, token = page(self.domain.list_partner_event_source_accounts(name), params)
        return listed(
            {
                "PartnerEventSourceAccounts": [
                    source_shape(s, partner_account=True) for s in sources
                ]
            },
            token,
        )

    @handles("PutPartnerEvents")
    def put_partner_events(self, params: Params) -> Response:
        """PutPartnerEvents: FailedEntryCount and Entries."""
        entries = entries_from_wire(params, partner=True)
        return events_result(self.domain.put_partner_events(entries))

    @handles("DescribeEventSource")
    def describe_event_source(self, params: Params) -> Response:
        """DescribeEventSource: the source as the customer sees it."""
        return source_shape(self.domain.describe_event_source(self._source_name(params)))

    @handles("ListEventSources")
    def list_event_sources(self, params: Params) -> Response:
        """ListEventSources: EventSources (and NextToken)."""
        prefix = params.string(
            "NamePrefix",
            min_length=1,
            max_length=256,
            pattern=r"[/\.\-_A-Za-z0-9]+",
        )
        sources, token = page(self.domain.list_event_sources(prefix), params)
        return listed({"EventSources": [source_shape(s) for s in sources]}, token)

    @handles("ActivateEventSource")
    def activate_event_source(self, params: Params) -> Response:
        """ActivateEventSource: nothing."""
        self.domain.activate_event_source(self._source_name(params))
        return {}

    @handles("DeactivateEventSource")
    def deactivate_event_source(self, params: Params) -> Response:
        """DeactivateEventSource: nothing."""
        self.domain.deactivate_event_source(self._source_name(params))
        return {}

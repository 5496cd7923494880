"""Partner event sources: the SaaS side and the customer side (part of `EventBridge`).

A partner (any account acting as a SaaS provider) creates an event source
``aws.partner/<partner>/<...>`` for a customer account
(CreatePartnerEventSource). The customer sees it as PENDING
(ListEventSources, DescribeEventSource) until it creates a partner bus of the
same name (CreateEventBus with EventSourceName), which makes it ACTIVE. The
partner's PutPartnerEvents then reaches that bus, whose rules and targets work
as on any bus; the events carry the customer's account. The customer can
pause a source (DeactivateEventSource, back to PENDING) and resume it
(ActivateEventSource); the partner can delete it (DeletePartnerEventSource:
DELETED).

Simulation notes: a partner may create the same source name for several
accounts; PutPartnerEvents delivers to every one whose source is ACTIVE and
whose bus exists. ExpirationTime of pending sources is not simulated (AWS
documents no value), and what DeactivateEventSource shows as the state is
UNCONFIRMED (PENDING here).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from awsmon.arn import partition_for
from awsmon.dispatch import Service, operation
from awsmon.events.detail import parse_detail
from awsmon.events.errors import (
    InvalidStateException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from awsmon.events.model import (
    EventBus,
    EventSource,
    EventSourceState,
    PutEventsEntry,
    PutEventsResult,
    PutEventsResultEntry,
)

__all__ = ["PartnerOperations"]


def _no_source(name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        f"Event source {name} does not exist.", param="Name", value=name
    )


class PartnerOperations(Service):
    """Partner event sources of one account and region (part of `EventBridge`)."""

    if TYPE_CHECKING:
        buses: dict[str, EventBus]

        def _check_batch(self, entries: Sequence[PutEventsEntry], most: int) -> None: ...

        def accept(
            self,
            bus: EventBus,
            *,
            source: str,
            detail_type: str,
            detail: dict[str, Any],
            resources: list[str],
            time: datetime | None,
            account: str,
        ) -> str: ...

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.event_sources: dict[str, EventSource] = {}  # sources offered to this account
        self.partner_sources: dict[str, set[str]] = {}  # sources this partner made -> accounts

    def _customer(self, account: str) -> PartnerOperations:
        customer: PartnerOperations = self.ctx.sibling(self.ctx.spec.name, account_id=account)
        return customer

    def _set_source_state(self, name: str, state: EventSourceState) -> None:
        source = self.event_sources[name]
        self.event_sources[name] = attrs.evolve(source, state=state)

    # -- the partner's side ---------------------------------------------------------------

    @operation("CreatePartnerEventSource")
    def create_partner_event_source(self, name: str, account: str) -> EventSource:
        """Offer the event source `name` to the customer `account` (CreatePartnerEventSource).

        Raises:
            ResourceAlreadyExistsException: this source exists for that account.
        """
        customer = self._customer(account)
        existing = customer.event_sources.get(name)
        if existing is not None and existing.state is not EventSourceState.DELETED:
            raise ResourceAlreadyExistsException(
                f"Event source {name} already exists.", param="Name", value=name
            )
        source = EventSource(
            name=name,
            arn=f"arn:{partition_for(self.region)}:events:{self.region}::event-source/{name}",
            created_by=self.account_id,
            account=account,
            created_at=self.ctx.now(),
            expires_at=None,
            state=EventSourceState.PENDING,
        )
        customer.event_sources[name] = source
        self.partner_sources.setdefault(name, set()).add(account)
        return source

    def _partner_source(self, name: str) -> set[str]:
        accounts = self.partner_sources.get(name)
        if accounts is None:
            raise _no_source(name)
        return accounts

    @operation("DeletePartnerEventSource")
    def delete_partner_event_source(self, name: str, account: str) -> None:
        """Withdraw the source from `account`: it becomes DELETED (DeletePartnerEventSource)."""
        accounts = self.partner_sources.get(name, set())
        if account not in accounts:
            return
        customer = self._customer(account)
        if name in customer.event_sources:
            customer._set_source_state(name, EventSourceState.DELETED)

    @operation("DescribePartnerEventSource")
    def describe_partner_event_source(self, name: str) -> EventSource:
        """A source this partner created (DescribePartnerEventSource).

        Raises:
            ResourceNotFoundException: this partner made no such source.
        """
        accounts = self._partner_source(name)
        account = sorted(accounts)[0]
        return self._customer(account).event_sources[name]

    @operation("ListPartnerEventSources")
    def list_partner_event_sources(self, name_prefix: str) -> list[EventSource]:
        """The sources this partner created whose names start with `name_prefix`."""
        return [
            self.describe_partner_event_source(name)
            for name in sorted(self.partner_sources)
            if name.startswith(name_prefix)
        ]

    @operation("ListPartnerEventSourceAccounts")
    def list_partner_event_source_accounts(self, event_source_name: str) -> list[EventSource]:
        """The customer accounts of a source, with its state in each."""
        accounts = self._partner_source(event_source_name)
        return [
            self._customer(account).event_sources[event_source_name] for account in sorted(accounts)
        ]

    @operation("PutPartnerEvents")
    def put_partner_events(self, entries: Sequence[PutEventsEntry]) -> PutEventsResult:
        """Send events from this partner's sources to their customers' buses (PutPartnerEvents).

        Each entry's ``source`` is the event source name; the event reaches the
        partner bus of every account where that source is ACTIVE.

        Raises:
            ValidationException: not 1..20 entries, or over the size limit.
        """
        self._check_batch(entries, 20)
        return PutEventsResult(tuple(self._partner_entry(e) for e in entries))

    def _partner_entry(self, entry: PutEventsEntry) -> PutEventsResultEntry:
        for member, value in (
            ("Source", entry.source),
            ("DetailType", entry.detail_type),
            ("Detail", entry.detail),
        ):
            if not value and value != {}:
                return PutEventsResultEntry(
                    error_code="InvalidArgument",
                    error_message=f"Parameter {member} is not valid. Reason: {member} is a "
                    "required argument.",
                )
        assert entry.source is not None and entry.detail_type is not None
        assert entry.detail is not None
        detail = parse_detail(entry.detail)
        if detail is None:
            return PutEventsResultEntry(
                error_code="MalformedDetail", error_message="Detail is malformed."
            )
        accounts = self.partner_sources.get(entry.source)
        if accounts is None:
            return PutEventsResultEntry(
                error_code="NotAuthorizedForSourceException",
                error_message=f"Not authorized for the source {entry.source}.",
            )
        event_id = ""
        for account in sorted(accounts):
            customer = self._customer(account)
            source = customer.event_sources.get(entry.source)
            bus = customer.buses.get(entry.source)
            if source is None or source.state is not EventSourceState.ACTIVE or bus is None:
                continue
            event_id = customer.accept(
                bus,
                source=entry.source,
                detail_type=entry.detail_type,
                detail=detail,
                resources=[r for r in entry.resources if r is not None],
                time=entry.time,
                account=account,
            )
        return PutEventsResultEntry(event_id=event_id or self.ctx.ids.uuid())

    # -- the customer's side ------------------------------------------------------------------

    def _source(self, name: str) -> EventSource:
        found = self.event_sources.get(name)
        if found is None:
            raise _no_source(name)
        return found

    @operation("DescribeEventSource")
    def describe_event_source(self, name: str) -> EventSource:
        """A partner event source offered to this account (DescribeEventSource)."""
        return self._source(name)

    @operation("ListEventSources")
    def list_event_sources(self, name_prefix: str | None = None) -> list[EventSource]:
        """The partner event sources offered to this account, by name (ListEventSources)."""
        return [
            self.event_sources[name]
            for name in sorted(self.event_sources)
            if name.startswith(name_prefix or "")
        ]

    @operation("ActivateEventSource")
    def activate_event_source(self, name: str) -> None:
        """Resume a deactivated source (ActivateEventSource).

        Raises:
            ResourceNotFoundException: no such source.
            InvalidStateException: the source was deleted, or has no bus yet.
        """
        source = self._source(name)
        if source.state is EventSourceState.DELETED or name not in self.buses:
            raise InvalidStateException(
                f"Event source {name} is in state {source.state.value} and cannot be activated.",
                param="Name",
                value=name,
            )
        self._set_source_state(name, EventSourceState.ACTIVE)

    @operation("DeactivateEventSource")
    def deactivate_event_source(self, name: str) -> None:
        """Pause a source: its bus stops receiving events (DeactivateEventSource).

        Raises:
            ResourceNotFoundException: no such source.
            InvalidStateException: the source is not ACTIVE.
        """
        source = self._source(name)
        if source.state is not EventSourceState.ACTIVE:
            raise InvalidStateException(
                f"Event source {name} is in state {source.state.value} and cannot be deactivated.",
                param="Name",
                value=name,
            )
        self._set_source_state(name, EventSourceState.PENDING)

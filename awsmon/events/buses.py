"""EventBridge buses, their resource policies and tags (part of `EventBridge`).

`BusOperations` holds the buses of one account and region: the default bus
(made with the service), custom buses and partner buses, each with its
resource policy (PutPermission / RemovePermission, or a whole Policy
document), which decides whether another account may put events on it
(`allows_put_events`), and the tags of buses and rules.

Simulation notes: PutPermission with a StatementId already in the policy is
refused with ResourceAlreadyExistsException, and a policy over 10,240
characters with PolicyLengthExceededException; both messages are awsmon's
(UNCONFIRMED). DeleteEventBus refuses a bus that still has rules (message
UNCONFIRMED).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from awsmon import jsondoc
from awsmon.arn import Arn, InvalidArn
from awsmon.dispatch import Service, operation
from awsmon.events.errors import (
    LimitExceededException,
    ManagedRuleException,
    PolicyLengthExceededException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from awsmon.events.model import (
    DEFAULT_BUS,
    MAX_BUSES,
    MAX_POLICY_LENGTH,
    EventBus,
    EventSource,
    EventSourceState,
    Rule,
)
from awsmon.identity import Principal
from awsmon.policy import MalformedPolicy, PolicyDocument

__all__ = ["LIMIT_MESSAGE", "BusOperations"]

LIMIT_MESSAGE = "The requested resource exceeds the maximum number allowed."


def _not_found_bus(name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        f"Event bus {name} does not exist.", param="EventBusName", value=name
    )


class BusOperations(Service):
    """The buses of one account and region (part of `EventBridge`)."""

    if TYPE_CHECKING:
        event_sources: dict[str, EventSource]

        def _set_source_state(self, name: str, state: EventSourceState) -> None: ...

        def _managed(self, rule: Rule) -> ManagedRuleException: ...

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        now = ctx.now()
        self.buses: dict[str, EventBus] = {
            DEFAULT_BUS: EventBus(
                name=DEFAULT_BUS,
                arn=self.bus_arn(DEFAULT_BUS),
                created_at=now,
                last_modified_at=now,
            )
        }

    def bus_arn(self, name: str) -> str:
        """The ARN of bus `name` here."""
        return self.ctx.arn(f"event-bus/{name}")

    def bus(self, name_or_arn: str | None = None) -> EventBus:
        """The bus named by its name or ARN (None: the default bus).

        Raises:
            ResourceNotFoundException: no such bus in this account and region.
        """
        if name_or_arn is None:
            return self.buses[DEFAULT_BUS]
        name = name_or_arn
        if name_or_arn.startswith("arn:"):
            try:
                arn = Arn.parse(name_or_arn)
            except InvalidArn:
                raise _not_found_bus(name_or_arn) from None
            name = arn.resource.split("/", 1)[-1]
            if (arn.region, arn.account_id) != (self.region, self.account_id):
                raise _not_found_bus(name)
        found = self.buses.get(name)
        if found is None:
            raise _not_found_bus(name)
        return found

    # -- buses ------------------------------------------------------------------------

    @operation("CreateEventBus")
    def create_event_bus(
        self,
        name: str,
        *,
        event_source_name: str | None = None,
        description: str | None = None,
        kms_key_identifier: str | None = None,
        dead_letter_arn: str | None = None,
        log_config: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> EventBus:
        """Create a custom bus, or a partner bus for `event_source_name` (CreateEventBus).

        Raises:
            ResourceAlreadyExistsException: a bus of that name exists.
            ValidationException: a custom bus name with ``/``.
            ResourceNotFoundException: no such partner event source for this account.
            LimitExceededException: 100 buses already.
        """
        if name in self.buses:
            raise ResourceAlreadyExistsException(
                f"Event bus {name} already exists.", param="Name", value=name
            )
        source = None
        if event_source_name is None:
            if "/" in name:
                raise ValidationException(
                    "Event bus name must not contain '/'.", param="Name", value=name
                )
        else:
            source = self.event_sources.get(event_source_name)
            if source is None or source.state is EventSourceState.DELETED:
                raise ResourceNotFoundException(
                    f"Event source {event_source_name} does not exist.",
                    param="EventSourceName",
                    value=event_source_name,
                )
            if name != event_source_name:
                raise ValidationException(
                    "Event bus name must be the same as the event source name.",
                    param="Name",
                    value=name,
                )
        if len(self.buses) >= MAX_BUSES:
            raise LimitExceededException(LIMIT_MESSAGE, param="Name", value=name)
        now = self.ctx.now()
        bus = EventBus(
            name=name,
            arn=self.bus_arn(name),
            created_at=now,
            last_modified_at=now,
            description=description,
            kms_key_identifier=kms_key_identifier,
            dead_letter_arn=dead_letter_arn,
            log_config=dict(log_config) if log_config else None,
            event_source_name=event_source_name,
            tags=dict(tags or {}),
        )
        self.buses[name] = bus
        if source is not None:
            self._set_source_state(source.name, EventSourceState.ACTIVE)
        return bus

    @operation("DescribeEventBus")
    def describe_event_bus(self, name: str | None = None) -> EventBus:
        """The bus `name` (name or ARN; None: default) (DescribeEventBus)."""
        return self.bus(name)

    @operation("UpdateEventBus")
    def update_event_bus(
        self,
        name: str | None = None,
        *,
        description: str | None = None,
        kms_key_identifier: str | None = None,
        dead_letter_arn: str | None = None,
        log_config: Mapping[str, str] | None = None,
    ) -> EventBus:
        """Change a bus's description, key, dead-letter queue or logging (UpdateEventBus)."""
        bus = self.bus(name)
        bus.description = description
        bus.kms_key_identifier = kms_key_identifier
        bus.dead_letter_arn = dead_letter_arn
        bus.log_config = dict(log_config) if log_config else None
        bus.last_modified_at = self.ctx.now()
        return bus

    @operation("DeleteEventBus")
    def delete_event_bus(self, name: str) -> None:
        """Delete a custom or partner bus; unknown names are ignored (DeleteEventBus).

        Raises:
            ValidationException: the default bus, or a bus that still has rules.
        """
        if name == DEFAULT_BUS:
            raise ValidationException("Cannot delete event bus default.", param="Name", value=name)
        bus = self.buses.get(name)
        if bus is None:
            return
        if bus.rules:
            raise ValidationException(
                f"Cannot delete event bus {name} because it has rules; delete them first.",
                param="Name",
                value=name,
            )
        del self.buses[name]
        if bus.event_source_name is not None and bus.event_source_name in self.event_sources:
            self._set_source_state(bus.event_source_name, EventSourceState.PENDING)

    @operation("ListEventBuses")
    def list_event_buses(self, name_prefix: str | None = None) -> list[EventBus]:
        """The buses whose names start with `name_prefix`, by name (ListEventBuses)."""
        return sorted(
            (b for b in self.buses.values() if b.name.startswith(name_prefix or "")),
            key=lambda b: b.name,
        )

    # -- resource policy -------------------------------------------------------------------

    @operation("PutPermission")
    def put_permission(
        self,
        event_bus_name: str | None = None,
        *,
        action: str | None = None,
        principal: str | None = None,
        statement_id: str | None = None,
        condition: Mapping[str, str] | None = None,
        policy: str | None = None,
    ) -> None:
        """Let other accounts put events on a bus (PutPermission).

        Either a statement (`action` ``events:PutEvents``, `principal` an
        account id or ``*``, `statement_id`, optional `condition` with
        ``Type``/``Key``/``Value``), or a whole `policy` document that replaces
        the bus's policy.

        Raises:
            ResourceNotFoundException: no such bus.
            ValidationException: a malformed policy or statement.
            PolicyLengthExceededException: the policy would pass 10,240 characters.
        """
        bus = self.bus(event_bus_name)
        if policy is not None:
            try:
                PolicyDocument.parse(policy)
            except MalformedPolicy:
                raise ValidationException(
                    "This policy contains invalid Json", param="Policy", value=policy
                ) from None
            document = jsondoc.loads(policy)
        else:
            if principal is None:
                raise ValidationException(
                    "Parameter Principal must be specified.", param="Principal", value=None
                )
            if action != "events:PutEvents":
                raise ValidationException(
                    "Provided value in parameter 'action' is not supported.",
                    param="Action",
                    value=action,
                )
            if statement_id is None:
                raise ValidationException(
                    "Parameter StatementId must be specified.", param="StatementId", value=None
                )
            statement: dict[str, Any] = {
                "Sid": statement_id,
                "Effect": "Allow",
                "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
                "Action": action,
                "Resource": bus.arn,
            }
            if condition:
                statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
            existing = list((bus.policy or {}).get("Statement", []))
            if any(s.get("Sid") == statement_id for s in existing):
                raise ResourceAlreadyExistsException(
                    "Statement with the provided id already exists.",
                    param="StatementId",
                    value=statement_id,
                )
            document = {"Version": "2012-10-17", "Statement": [*existing, statement]}
        text = json.dumps(document, separators=(",", ":"))
        if len(text) > MAX_POLICY_LENGTH:
            raise PolicyLengthExceededException(
                f"Policy length {len(text)} exceeds the maximum of {MAX_POLICY_LENGTH} characters.",
                param="Policy",
                value=len(text),
            )
        bus.policy = document
        bus.last_modified_at = self.ctx.now()

    @operation("RemovePermission")
    def remove_permission(
        self,
        statement_id: str | None = None,
        *,
        remove_all_permissions: bool = False,
        event_bus_name: str | None = None,
    ) -> None:
        """Take a statement (or every statement) out of a bus's policy (RemovePermission).

        Raises:
            ResourceNotFoundException: no such bus, no policy, or no such statement.
        """
        bus = self.bus(event_bus_name)
        if remove_all_permissions:
            bus.policy = None
            return
        if not bus.policy:
            raise ResourceNotFoundException(
                "EventBus does not have a policy.", param="EventBusName", value=bus.name
            )
        statements = list(bus.policy.get("Statement", []))
        kept = [s for s in statements if s.get("Sid") != statement_id]
        if len(kept) == len(statements):
            raise ResourceNotFoundException(
                "Statement with the provided id does not exist.",
                param="StatementId",
                value=statement_id,
            )
        bus.policy = {**bus.policy, "Statement": kept} if kept else None
        bus.last_modified_at = self.ctx.now()

    def allows_put_events(self, bus: EventBus, principal: Principal) -> bool:
        """Whether `principal` may put events on `bus` (its own account, or the policy says so)."""
        if principal.account_id == self.account_id:
            return True
        if not bus.policy:
            return False
        try:
            document = PolicyDocument.parse(json.dumps(bus.policy))
        except MalformedPolicy:
            return False
        context = {"aws:PrincipalAccount": principal.account_id}
        return document.evaluate(principal.arn, "events:PutEvents", bus.arn, context).allowed

    # -- tags ------------------------------------------------------------------------

    def _tagged(self, resource_arn: str, *, changing: bool) -> dict[str, str]:
        try:
            arn: Arn | None = Arn.parse(resource_arn)
        except InvalidArn:
            arn = None
        if arn is not None and (arn.region, arn.account_id) == (self.region, self.account_id):
            kind, _, path = arn.resource.partition("/")
            if kind == "event-bus" and path in self.buses:
                return self.buses[path].tags
            if kind == "rule":
                bus_name, _, name = path.rpartition("/")
                bus = self.buses.get(bus_name or DEFAULT_BUS)
                if bus is not None and name in bus.rules:
                    rule = bus.rules[name]
                    if changing and rule.managed_by is not None:
                        raise self._managed(rule)
                    return rule.tags
        name = resource_arn.rsplit("/", 1)[-1]
        raise ResourceNotFoundException(
            f"Rule {name} does not exist on EventBus default.",
            param="ResourceARN",
            value=resource_arn,
        )

    @operation("TagResource")
    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags of a rule or bus (TagResource)."""
        self._tagged(resource_arn, changing=True).update(tags)

    @operation("UntagResource")
    def untag_resource(self, resource_arn: str, tag_keys: Iterable[str]) -> None:
        """Remove tags of a rule or bus (UntagResource)."""
        tags = self._tagged(resource_arn, changing=True)
        for key in tag_keys:
            tags.pop(key, None)

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """The tags of a rule or bus (ListTagsForResource)."""
        return dict(self._tagged(resource_arn, changing=False))

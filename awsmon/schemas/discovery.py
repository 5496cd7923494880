"""Schema discovery: discoverers watching event buses (part of `Schemas`).

A discoverer (CreateDiscoverer on a bus of this account and region) sees
every event reaching its bus, through EventBridge's bus listener, before the
bus's rules (so the original event, whatever input transformer a target
uses), and events of other accounts when `Discoverer.cross_account` is set.
Events are only queued on the way in, so ``put_events`` stays fast; a clock
job `discovery_delay` later merges them into one `Inference` per
``source@PascalCase(detail-type)`` and writes a schema into
``discovered-schemas``, or a new version when the events' structure changed
(a new field, a field gone optional, a widened type).

Simulation notes: the discoverer id is ``events-event-bus-<bus name>``, one
per bus (a second is a ``ConflictException``), and the delay is 5 minutes by
default (`discovery_delay`); AWS documents neither (UNCONFIRMED). A
discovered schema changed by UpdateSchema is the base the next events merge
into.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from awsmon import jsondoc
from awsmon.arn import Arn, InvalidArn
from awsmon.clock import Job
from awsmon.dispatch import operation
from awsmon.schemas._paging import page
from awsmon.schemas.errors import BadRequestException, ConflictException, NotFoundException
from awsmon.schemas.inference import Inference, schema_name
from awsmon.schemas.model import DISCOVERED_REGISTRY, Discoverer, DiscovererState, SchemaType
from awsmon.schemas.registries import RegistryOperations

if TYPE_CHECKING:
    from awsmon.schemas.model import Registry, Schema

__all__ = ["DEFAULT_DISCOVERY_DELAY", "DiscoveryOperations"]

#: The fields of an event the discovery queue keeps, in the queue's order.
_QUEUED = ("detail-type", "source", "replay-name", "resources", "detail")
#: The fields EventBridge always sets as strings, with a value of their form (reference A.1).
_FIXED = {
    "version": "0",
    "id": "00000000-0000-4000-8000-000000000000",
    "account": "123456789012",
    "time": "1970-01-01T00:00:00Z",
    "region": "us-east-1",
}

#: How long after events their schemas appear (UNCONFIRMED; a setting of `Schemas`).
DEFAULT_DISCOVERY_DELAY = timedelta(minutes=5)


class DiscoveryOperations(RegistryOperations):
    """The discoverers of one account and region (part of `Schemas`).

    Attributes:
        discovery_delay: time from an event to its schema (a clock job).
        discoverers: id → `Discoverer`.
    """

    if TYPE_CHECKING:

        def add_version(
            self, registry: Registry, schema_name: str, content: str, schema_type: SchemaType
        ) -> Schema: ...

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.discovery_delay = DEFAULT_DISCOVERY_DELAY
        self.discoverers: dict[str, Discoverer] = {}
        self._inferences: dict[str, Inference] = {}
        self._pending: list[Any] = []  # `len(_QUEUED)` values per event
        self._job: Job | None = None
        self._unhooks: dict[str, Callable[[], None]] = {}

    def discoverer(self, discoverer_id: str) -> Discoverer:
        """The discoverer `discoverer_id`; NotFoundException when missing."""
        found = self.discoverers.get(discoverer_id)
        if found is None:
            raise NotFoundException(
                f"Discoverer with id {discoverer_id} does not exist.",
                param="DiscovererId",
                value=discoverer_id,
            )
        return found

    def _bus_name(self, source_arn: str) -> str:
        try:
            arn = Arn.parse(source_arn)
        except InvalidArn:
            arn = None
        if (
            arn is None
            or arn.service != "events"
            or arn.resource_type != "event-bus"
            or (arn.region, arn.account_id) != (self.region, self.account_id)
        ):
            raise BadRequestException(
                f"SourceArn {source_arn} is not the ARN of an event bus of this account and "
                "region.",
                param="SourceArn",
                value=source_arn,
            )
        name = arn.resource_id
        try:
            self.ctx.sibling("events").bus(name)
        except LookupError:
            raise BadRequestException(
                f"Event bus {name} does not exist.", param="SourceArn", value=source_arn
            ) from None
        return name

    @operation("CreateDiscoverer")
    def create_discoverer(
        self,
        source_arn: str,
        *,
        description: str | None = None,
        cross_account: bool = True,
        tags: Mapping[str, str] | None = None,
    ) -> Discoverer:
        """Start discovering the schemas of the events on a bus (CreateDiscoverer).

        Args:
            source_arn: the bus's ARN (this account and region).
            cross_account: also infer events put by other accounts.

        Raises:
            BadRequestException: not a bus of this account and region.
            ConflictException: the bus has a discoverer.
        """
        bus_name = self._bus_name(source_arn)
        discoverer_id = f"events-event-bus-{bus_name}"
        if discoverer_id in self.discoverers:
            raise ConflictException(
                f"Discoverer {discoverer_id} already exists for {source_arn}.",
                param="SourceArn",
                value=source_arn,
            )
        discoverer = Discoverer(
            id=discoverer_id,
            arn=self.ctx.arn(f"discoverer/{discoverer_id}"),
            source_arn=source_arn,
            description=description,
            cross_account=cross_account,
            tags=dict(tags or {}),
        )
        self.discoverers[discoverer_id] = discoverer
        self._watch(discoverer, bus_name)
        return discoverer

    @operation("DescribeDiscoverer")
    def describe_discoverer(self, discoverer_id: str) -> Discoverer:
        """The discoverer `discoverer_id` (DescribeDiscoverer)."""
        return self.discoverer(discoverer_id)

    @operation("UpdateDiscoverer")
    def update_discoverer(
        self,
        discoverer_id: str,
        *,
        description: str | None = None,
        cross_account: bool | None = None,
    ) -> Discoverer:
        """Change a discoverer's description or cross-account setting (UpdateDiscoverer)."""
        discoverer = self.discoverer(discoverer_id)
        if description is not None:
            discoverer.description = description
        if cross_account is not None:
            discoverer.cross_account = cross_account
        return discoverer

    @operation("StartDiscoverer")
    def start_discoverer(self, discoverer_id: str) -> Discoverer:
        """Resume discovery (StartDiscoverer)."""
        discoverer = self.discoverer(discoverer_id)
        if discoverer.state is DiscovererState.STOPPED:
            discoverer.state = DiscovererState.STARTED
            self._watch(discoverer, Arn.parse(discoverer.source_arn).resource_id)
        return discoverer

    @operation("StopDiscoverer")
    def stop_discoverer(self, discoverer_id: str) -> Discoverer:
        """Pause discovery (StopDiscoverer): events from now on are not inferred."""
        discoverer = self.discoverer(discoverer_id)
        discoverer.state = DiscovererState.STOPPED
        self._unwatch(discoverer)
        return discoverer

    @operation("DeleteDiscoverer")
    def delete_discoverer(self, discoverer_id: str) -> None:
        """Delete a discoverer (DeleteDiscoverer); its schemas stay."""
        discoverer = self.discoverer(discoverer_id)
        self._unwatch(discoverer)
        del self.discoverers[discoverer_id]

    @operation("ListDiscoverers")
    def list_discoverers(
        self,
        *,
        discoverer_id_prefix: str | None = None,
        source_arn_prefix: str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[Discoverer], str | None]:
        """One page of discoverers, by id (ListDiscoverers), and the next token."""
        chosen = [
            d
            for d in self.discoverers.values()
            if (discoverer_id_prefix is None or d.id.startswith(discoverer_id_prefix))
            and (source_arn_prefix is None or d.source_arn.startswith(source_arn_prefix))
        ]
        return page(chosen, key=lambda d: d.id, limit=limit, token=next_token)

    # -- watching -------------------------------------------------------------------------

    def _watch(self, discoverer: Discoverer, bus_name: str) -> None:
        pending = self._pending
        account = self.account_id

        def seen(event: dict[str, Any]) -> None:
            # The hot path of put_events: queue only, the clock job infers. The queue is one
            # flat list (no container per event) of what inference needs: the fields that vary
            # in shape. EventBridge's own fields (version, id, account, time, region) are
            # always strings of a known form, so holding on to their values would only cost
            # memory while the events wait.
            get = event.get
            if discoverer.cross_account or get("account") == account:
                resources = get("resources")
                pending.extend(
                    (
                        get("detail-type"),
                        get("source"),
                        get("replay-name"),
                        tuple(resources) if type(resources) is list else resources,
                        get("detail"),
                    )
                )
                if self._job is None:
                    self._job = self.ctx.clock.call_later(
                        self.discovery_delay, self._discover, name="schemas discovery"
                    )

        events = self.ctx.sibling("events")
        self._unhooks[discoverer.id] = events.add_bus_listener(bus_name, seen)

    def _unwatch(self, discoverer: Discoverer) -> None:
        unhook = self._unhooks.pop(discoverer.id, None)
        if unhook is not None:
            unhook()

    def _discover(self) -> None:
        """The clock job: merge the queued events, publish what changed."""
        self._job = None
        queued, self._pending[:] = list(self._pending), []
        size = len(_QUEUED)
        events = [_thawed(queued[i : i + size]) for i in range(0, len(queued), size)]
        registry = self.registries[DISCOVERED_REGISTRY]
        changed: list[str] = []
        for event in events:
            source, detail_type = event.get("source"), event.get("detail-type")
            if not isinstance(source, str) or not isinstance(detail_type, str):
                continue
            name = schema_name(source, detail_type)
            inference = self._inference_for(name, registry.schemas.get(name))
            if (inference.add(event) or name not in registry.schemas) and name not in changed:
                changed.append(name)
        for name in changed:
            content = json.dumps(self._inferences[name].document())
            self.add_version(registry, name, content, SchemaType.OPEN_API_3)

    def _inference_for(self, name: str, schema: Schema | None) -> Inference:
        inference = self._inferences.get(name)
        if inference is None:
            inference = Inference()
            if schema is not None and schema.latest.type is SchemaType.OPEN_API_3:
                inference = Inference.from_document(jsondoc.loads(schema.latest.content))
            self._inferences[name] = inference
        return inference

    def forget_inference(self, registry_name: str, schema_name: str) -> None:
        """Drop what discovery learnt of a discovered schema (after it was changed or deleted)."""
        if registry_name == DISCOVERED_REGISTRY:
            self._inferences.pop(schema_name, None)


def _thawed(values: list[Any]) -> dict[str, Any]:
    """The event queued values stand for, in the envelope's order (reference A.1)."""
    detail_type, source, replay_name, resources, detail = values
    event: dict[str, Any] = {
        "version": _FIXED["version"],
        "id": _FIXED["id"],
        "detail-type": detail_type,
        "source": source,
        "account": _FIXED["account"],
        "time": _FIXED["time"],
        "region": _FIXED["region"],
    }
    if replay_name is not None:
        event["replay-name"] = replay_name
    event["resources"] = list(resources) if type(resources) is tuple else resources
    event["detail"] = detail
    return event

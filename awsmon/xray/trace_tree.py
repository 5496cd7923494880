"""The pieces of a processed trace: its entity tree, service nodes and calls.

- `Entity`: a segment or subsegment in the tree of a trace.
- `Node`: a service node (a traced service, an inferred resource, a client).
- `Call`: a call from one node to another, seen from the caller's subsegment.
- `status_of` and `OK`, `ERROR`, `THROTTLE`, `FAULT`: the outcome class of a
  document (reference C.7.2).

`awsmon.xray.trace` (which re-exports these names) builds them into a
`TraceView`; `awsmon.xray.rootcause` and `awsmon.xray.graph` read them.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from attrs import Factory, field, frozen

from awsmon.xray.model import ServiceId

__all__ = ["ERROR", "FAULT", "OK", "THROTTLE", "Call", "Entity", "Node", "http_status", "status_of"]

#: Outcome classes of a segment, subsegment or call (reference C.7.2 classify).
OK, ERROR, THROTTLE, FAULT = 0, 1, 2, 3


def status_of(doc: Mapping[str, Any]) -> int:
    """`OK`, `ERROR`, `THROTTLE` or `FAULT` for a document, from its flags or HTTP status."""
    status = http_status(doc)
    if doc.get("fault") is True or (status is not None and 500 <= status <= 599):
        return FAULT
    if doc.get("throttle") is True or status == 429:
        return THROTTLE
    if doc.get("error") is True or (status is not None and 400 <= status <= 499):
        return ERROR
    return OK


def http_status(doc: Mapping[str, Any]) -> int | None:
    """The HTTP response status of a document, or None when it has none."""
    http = doc.get("http")
    if isinstance(http, dict):
        response = http.get("response")
        if isinstance(response, dict):
            status = response.get("status")
            if isinstance(status, int) and not isinstance(status, bool):
                return status
    return None


class Entity:
    """A segment or subsegment in a processed trace tree."""

    __slots__ = (
        "__weakref__",
        "_owner",
        "_status",
        "children",
        "doc",
        "end",
        "id",
        "inferred",
        "name",
        "node",
        "start",
    )

    def __init__(self, doc: Mapping[str, Any], owner: Entity | None, node: Node | None) -> None:
        self.doc = doc
        self.id: str = doc["id"]
        self.name: str = doc["name"]
        self.start: float = float(doc["start_time"])
        end = doc.get("end_time")
        self.end: float | None = (
            None if end is None or doc.get("in_progress") is True else float(end)
        )
        self.children: list[Entity] = []
        # A weak link up: a tree without reference cycles is freed as soon as
        # it is dropped, without waiting for the cycle collector.
        self._owner = None if owner is None or owner is self else weakref.ref(owner)
        self.node: Node | None = node
        self.inferred = False
        self._status = -1

    @property
    def owner(self) -> Entity:
        """The segment this entity belongs to (itself for a segment)."""
        ref = self._owner
        top = None if ref is None else ref()
        return self if top is None else top

    @property
    def duration(self) -> float | None:
        """End minus start, None while in progress."""
        return None if self.end is None else self.end - self.start

    @property
    def status(self) -> int:
        """`OK`, `ERROR`, `THROTTLE` or `FAULT` (computed once)."""
        if self._status < 0:
            self._status = status_of(self.doc)
        return self._status

    def walk(self) -> list[Entity]:
        """This entity and every subsegment below it, depth first."""
        found = [self]
        if self.children:
            stack = list(reversed(self.children))
            while stack:
                entity = stack.pop()
                found.append(entity)
                if entity.children:
                    stack.extend(reversed(entity.children))
        return found

    def render(self) -> dict[str, Any]:
        """The processed document (attached subsegments nested in)."""
        doc = dict(self.doc)
        doc.pop("type", None)
        if self.children:
            doc["subsegments"] = [child.render() for child in self.children]
        else:
            doc.pop("subsegments", None)
        return doc


@frozen
class Node:
    """A service node: a traced service, an inferred downstream resource, or a client.

    Attributes:
        name: the node name.
        type: the node type (``AWS::EC2::Instance``, ``AWS::DynamoDB::Table``,
            ``remote``, ``client``), or None.
        account_id: the account, when known.
        inferred: True for nodes standing for untraced downstream resources.
    """

    name: str
    type: str | None = None
    account_id: str | None = None
    inferred: bool = False
    #: The identity of the node in a service graph: (name, type, account).
    key: tuple[str, str | None, str | None] = field(
        init=False,
        eq=False,
        repr=False,
        default=Factory(lambda self: (self.name, self.type, self.account_id), takes_self=True),
    )

    @property
    def service_id(self) -> ServiceId:
        """The node as a TraceSummary ``ServiceId``."""
        return ServiceId(self.name, self.type, self.account_id)


@frozen
class Call:
    """A call from `source` to `target`, seen from the caller's subsegment (`entity`)."""

    source: Node
    target: Node
    entity: Entity

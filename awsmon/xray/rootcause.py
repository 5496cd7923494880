"""Root-cause analysis of a processed trace: the TraceSummary root causes.

For faults, errors and throttles, every *terminal* failing entity (a segment
or subsegment that fails while none of its callees or subsegments fails the
same way) is a root cause; its path from the trace root is cut into one
entry per service it crosses, each with the entity names inside that
service, and the exceptions recorded on the entities. ``ClientImpacting``
is true when the root segment itself failed that way. For response time, the
path follows, from the root, the longest-running child at each level, each
entity carrying its ``Coverage`` (its duration over the root's).

`RootCauses.subjects` gives the filter-expression subjects of
``rootcause.<kind>.<service|entity|exception> { ... }``: ``name``,
``type``, ``message``, ``index`` (0-based position in the path), ``first``,
``last``, ``remote``, ``coverage``, ``inferred`` and ``root``.

Simulation notes: AWS does not document how it picks root causes; the rule
above reproduces its documented examples (the deepest faulty entity, the
services crossed on the way) and is UNCONFIRMED in detail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from attrs import frozen

from awsmon.xray.filter_syntax import ServiceRef, Value
from awsmon.xray.trace_tree import ERROR, FAULT, THROTTLE, Entity, Node

__all__ = ["AnalysedTrace", "CauseEntity", "CauseService", "RootCause", "RootCauses", "analyse"]


class AnalysedTrace(Protocol):
    """What the analysis reads of a trace (`awsmon.xray.trace.TraceView`)."""

    @property
    def root(self) -> Entity | None:
        """The root segment, None if none arrived yet."""

    @property
    def segments(self) -> Sequence[Entity]:
        """The real segments, subsegments attached."""

    def all_segments(self) -> Iterable[Entity]:
        """The real and the inferred segments."""


@frozen
class CauseEntity:
    """One entity on a root-cause path."""

    name: str
    exceptions: tuple[tuple[str, str], ...] = ()
    remote: bool = False
    coverage: float | None = None


@frozen
class CauseService:
    """The part of a root-cause path inside one service node."""

    node: Node
    entities: tuple[CauseEntity, ...]
    is_root: bool = False


@frozen
class RootCause:
    """One root cause: the services from the trace root to the failing entity."""

    services: tuple[CauseService, ...]
    client_impacting: bool

    def document(self, kind: str) -> dict[str, Any]:
        """The TraceSummary form (``{"Services": [...], "ClientImpacting": ...}``)."""
        services = []
        for service in self.services:
            path = []
            for entity in service.entities:
                item: dict[str, Any] = {"Name": entity.name}
                if kind == "responsetime":
                    item["Coverage"] = entity.coverage if entity.coverage is not None else 0.0
                else:
                    item["Exceptions"] = [
                        {"Name": name, "Message": message} for name, message in entity.exceptions
                    ]
                item["Remote"] = entity.remote
                path.append(item)
            entry: dict[str, Any] = {"Name": service.node.name, "Names": [service.node.name]}
            if service.node.type is not None:
                entry["Type"] = service.node.type
            if service.node.account_id is not None:
                entry["AccountId"] = service.node.account_id
            entry["EntityPath"] = path
            entry["Inferred"] = service.node.inferred
            services.append(entry)
        return {"Services": services, "ClientImpacting": self.client_impacting}


@frozen
class RootCauses:
    """The root causes of a trace, by kind (fault, error, throttle, responsetime)."""

    fault: tuple[RootCause, ...] = ()
    error: tuple[RootCause, ...] = ()
    throttle: tuple[RootCause, ...] = ()
    responsetime: tuple[RootCause, ...] = ()

    def of(self, kind: str) -> tuple[RootCause, ...]:
        """The causes of `kind`."""
        found: tuple[RootCause, ...] = getattr(self, kind)
        return found

    def documents(self) -> list[dict[str, Any]]:
        """Every cause in TraceSummary form, for ``rootcause.json``."""
        return [
            cause.document(kind)
            for kind in ("fault", "error", "responsetime")
            for cause in self.of(kind)
        ]

    def subjects(self, kind: str, level: str) -> list[_CauseSubject]:
        """The filter subjects of ``rootcause.<kind>.<level>``."""
        found: list[_CauseSubject] = []
        for cause in self.of(kind):
            if level == "service":
                count = len(cause.services)
                for index, service in enumerate(cause.services):
                    found.append(
                        _CauseSubject(
                            name=service.node.name,
                            type=service.node.type,
                            index=index,
                            last=index == count - 1,
                            inferred=service.node.inferred,
                            root=service.is_root,
                        )
                    )
                continue
            entities = [(s, e) for s in cause.services for e in s.entities]
            if level == "entity":
                for index, (service, entity) in enumerate(entities):
                    found.append(
                        _CauseSubject(
                            name=entity.name,
                            type=service.node.type,
                            message=tuple(m for _, m in entity.exceptions),
                            index=index,
                            last=index == len(entities) - 1,
                            remote=entity.remote,
                            coverage=entity.coverage,
                            inferred=service.node.inferred,
                            root=service.is_root,
                        )
                    )
                continue
            exceptions = [
                (service, entity, exc) for service, entity in entities for exc in entity.exceptions
            ]
            for index, (service, entity, (name, message)) in enumerate(exceptions):
                found.append(
                    _CauseSubject(
                        name=name,
                        type=service.node.type,
                        message=(message,),
                        index=index,
                        last=index == len(exceptions) - 1,
                        remote=entity.remote,
                        inferred=service.node.inferred,
                        root=service.is_root,
                    )
                )
        return found


@frozen(kw_only=True)
class _CauseSubject:
    name: str
    type: str | None = None
    message: tuple[str, ...] = ()
    index: int = 0
    last: bool = False
    remote: bool = False
    coverage: float | None = None
    inferred: bool = False
    root: bool = False

    def flag(self, keyword: str) -> bool | None:
        if keyword == "first":
            return self.index == 0
        if keyword in ("last", "remote", "inferred", "root"):
            value: bool = getattr(self, keyword)
            return value
        return None

    def number(self, keyword: str) -> float | None:
        if keyword == "index":
            return float(self.index)
        if keyword == "coverage":
            return self.coverage
        return None

    def strings(self, keyword: str) -> Sequence[str]:
        if keyword == "name":
            return [self.name]
        if keyword == "type":
            return [self.type] if self.type else []
        if keyword == "message":
            return list(self.message)
        return []

    def annotations(self, key: str) -> Sequence[Value]:
        return []

    def services(self, ref: ServiceRef | None) -> Iterable[Any]:
        return ()

    def edges(self, source: ServiceRef, target: ServiceRef) -> Iterable[Any]:
        return ()

    def in_group(self, attribute: str, value: str) -> bool:
        return False

    def root_causes(self, kind: str, level: str) -> Iterable[Any]:
        return ()

    def root_cause_documents(self) -> Sequence[Mapping[str, Any]]:
        return ()


def analyse(view: AnalysedTrace) -> RootCauses:
    """The root causes of `view`."""
    root = view.root
    if root is None:
        return RootCauses()
    parents: dict[int, Entity] = {}
    downstream: dict[str, list[Entity]] = {}
    by_id: dict[str, Entity] = {}
    for segment in view.segments:
        for entity in segment.walk():
            by_id.setdefault(entity.id, entity)
            for child in entity.children:
                parents[id(child)] = entity
    for segment in view.all_segments():
        caller = by_id.get(segment.doc.get("parent_id", ""))
        if caller is not None and segment is not root:
            parents[id(segment)] = caller
            downstream.setdefault(caller.id, []).append(segment)

    def children(entity: Entity) -> list[Entity]:
        return entity.children + downstream.get(entity.id, [])

    def failing(test: Callable[[Entity], bool]) -> tuple[RootCause, ...]:
        causes: list[RootCause] = []
        for segment in view.all_segments():
            for entity in segment.walk():
                if test(entity) and not any(test(c) for c in children(entity)):
                    chain = _chain(entity, parents)
                    if chain[0] is root:
                        causes.append(_cause(chain, root, test(root), None))
        return tuple(causes)

    return RootCauses(
        fault=failing(lambda e: e.status == FAULT),
        error=failing(lambda e: e.status in (ERROR, THROTTLE)),
        throttle=failing(lambda e: e.status == THROTTLE),
        responsetime=_slowest(root, children),
    )


def _chain(entity: Entity, parents: Mapping[int, Entity]) -> list[Entity]:
    chain = [entity]
    seen = {id(entity)}
    while id(chain[-1]) in parents:
        parent = parents[id(chain[-1])]
        if id(parent) in seen:
            break
        seen.add(id(parent))
        chain.append(parent)
    chain.reverse()
    return chain


def _cause(chain: list[Entity], root: Entity, impacting: bool, total: float | None) -> RootCause:
    services: list[CauseService] = []
    current: Node | None = None
    entities: list[CauseEntity] = []
    is_root = False
    for entity in chain:
        node = entity.owner.node
        if node is None:
            continue
        if node != current or entity.owner is entity:
            if current is not None:
                services.append(CauseService(current, tuple(entities), is_root))
            current, entities, is_root = node, [], entity.owner is root
        coverage = None
        if total and entity.duration is not None:
            coverage = entity.duration / total
        entities.append(
            CauseEntity(
                name=entity.name,
                exceptions=_exceptions(entity.doc),
                remote=entity.doc.get("namespace") == "remote" or _remote(entity.doc),
                coverage=coverage,
            )
        )
    if current is not None:
        services.append(CauseService(current, tuple(entities), is_root))
    return RootCause(tuple(services), impacting)


def _exceptions(doc: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    cause = doc.get("cause")
    if not isinstance(cause, dict):
        return ()
    found = []
    for exc in cause.get("exceptions") or ():
        if isinstance(exc, dict):
            found.append((str(exc.get("type", "")), str(exc.get("message", ""))))
    return tuple(found)


def _remote(doc: Mapping[str, Any]) -> bool:
    cause = doc.get("cause")
    if not isinstance(cause, dict):
        return False
    exceptions = cause.get("exceptions") or ()
    return any(isinstance(e, dict) and e.get("remote") is True for e in exceptions)


def _slowest(root: Entity, children: Callable[[Entity], list[Entity]]) -> tuple[RootCause, ...]:
    total = root.duration
    if not total:
        return ()
    chain = [root]
    seen = {id(root)}
    while True:
        timed = [c for c in children(chain[-1]) if c.duration is not None and id(c) not in seen]
        if not timed:
            break
        slowest = max(timed, key=lambda c: (c.duration or 0.0, -c.start))
        seen.add(id(slowest))
        chain.append(slowest)
    return (_cause(chain, root, True, total),)

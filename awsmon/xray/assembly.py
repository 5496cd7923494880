"""Trace assembly: from stored pieces to a processed `TraceView`.

`build_view` builds the segment trees (nested subsegments, then the
subsegments sent on their own, hung under their parents even when they came
first), picks the root, finds the calls between nodes, creates the inferred
segments of calls nobody traced, and indexes the annotations. See
`awsmon.xray.trace` for the model and the simulation notes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from awsmon.xray.filter_syntax import Value
from awsmon.xray.nodes import inferred_key, is_call, segment_key
from awsmon.xray.trace import (
    MAX_INDEXED_ANNOTATIONS,
    Call,
    Entity,
    Node,
    TraceRecord,
    TraceView,
)

__all__ = ["build_view"]

def _inferred_id(trace_id: str, parent_id: str) -> str:
    return hashlib.blake2b(f"{trace_id}/{parent_id}".encode(), digest_size=8).hexdigest()


def _inferred_node(sub: Entity) -> tuple[Node, str | None]:
    key, origin = inferred_key(sub.doc, sub.name)
    return _node(*key, True), origin


def build_view(record: TraceRecord) -> TraceView | None:
    """Process `record` into a `TraceView`; None while it has no segment yet."""
    if not record.has_segments:
        return None
    trace_id = record.trace_id
    by_id: dict[str, Entity] = {}
    segments: list[Entity] = []
    flat: list[list[Entity]] = []  # each segment's entities, depth first
    for seg in sorted(record.segments.values(), key=lambda s: (s.start_time, s.id)):
        parsed = seg.document
        entities: list[Entity] = []
        segments.append(_tree(parsed, None, _segment_node(parsed), by_id, entities))
        flat.append(entities)
    if record.has_subsegments:
        _attach(record, by_id)
        flat = [segment.walk() for segment in segments]
    called = {s.doc.get("parent_id") for s in segments}
    # The root: a segment whose parent is not in the trace, the earliest such.
    root = next((s for s in segments if s.doc.get("parent_id") not in by_id), segments[0])
    inferred: list[Entity] = []
    calls: list[Call] = []
    annotations: dict[str, list[tuple[Value, Node]]] = {}
    partial = False
    for segment, entities in zip(segments, flat, strict=True):
        node = segment.node
        assert node is not None
        parent = by_id.get(segment.doc.get("parent_id", ""))
        if parent is not None:
            owner = parent.owner
            if owner.node is not None and owner is not segment:
                calls.append(Call(owner.node, node, parent))
        for entity in entities:
            if entity.end is None:
                partial = True
            doc = entity.doc
            if "annotations" in doc:
                _index_annotations(annotations, doc["annotations"], node)
            if entity is segment or entity.id in called:
                continue
            if is_call(doc):
                downstream = _inferred_segment(trace_id, entity)
                inferred.append(downstream)
                assert downstream.node is not None
                calls.append(Call(node, downstream.node, entity))
    everything = segments + inferred if inferred else segments
    nodes: dict[tuple[str, str | None, str | None], list[Entity]] = {}
    ends = []
    for entity in everything:
        assert entity.node is not None
        key = entity.node.key
        found = nodes.get(key)
        if found is None:
            nodes[key] = [entity]
        else:
            found.append(entity)
        if entity.end is not None:
            ends.append(entity.end)
    return TraceView(
        trace_id=trace_id,
        segments=segments,
        inferred=inferred,
        root=root,
        calls=calls,
        start=min(e.start for e in everything),
        end=max(ends) if ends else None,
        updated_at=record.updated_at,
        revision=record.revision,
        is_partial=partial,
        limit_exceeded=record.limit_exceeded,
        annotations=annotations,
        nodes=nodes,
    )


def _segment_node(doc: Mapping[str, Any]) -> Node:
    return _node(*segment_key(doc))


@lru_cache(maxsize=4096)
def _node(name: str, type_: str | None, account: str | None, inferred: bool = False) -> Node:
    """One shared `Node` per identity: traces repeat the same few services."""
    return Node(name, type_, account, inferred)


def _tree(
    doc: Mapping[str, Any],
    owner: Entity | None,
    node: Node | None,
    by_id: dict[str, Entity] | None = None,
    flat: list[Entity] | None = None,
) -> Entity:
    """The entity of `doc` and its nested subsegments (registered in `by_id` and `flat`)."""
    entity = Entity(doc, owner, node)
    if flat is not None:
        flat.append(entity)
    if by_id is not None and entity.id not in by_id:
        by_id[entity.id] = entity
    children = doc.get("subsegments")
    if children:
        top = entity.owner
        entity.children = [_tree(child, top, None, by_id, flat) for child in children]
    return entity


def _attach(record: TraceRecord, by_id: dict[str, Entity]) -> None:
    """Hang independent subsegments under their parents (parents may be pending ones)."""
    pending = sorted(record.subsegments.values(), key=lambda s: (s.start_time, s.id))
    while pending:
        waiting = []
        for sub in pending:
            parent = by_id.get(sub.parent_id or "")
            if parent is None:
                waiting.append(sub)
                continue
            existing = by_id.get(sub.id)
            if existing is not None and existing.owner is parent.owner:
                if existing.end is not None and sub.in_progress:
                    continue
                siblings = _parent_of(existing, parent.owner)
                if siblings is not None:
                    siblings.children.remove(existing)
            entity = _tree(sub.document, parent.owner, None)
            parent.children.append(entity)
            for item in entity.walk():
                by_id[item.id] = item
        if len(waiting) == len(pending):
            return  # the rest wait for their parents
        pending = waiting


def _parent_of(target: Entity, top: Entity) -> Entity | None:
    for entity in top.walk():
        if target in entity.children:
            return entity
    return None


def _inferred_segment(trace_id: str, sub: Entity) -> Entity:
    node, origin = _inferred_node(sub)
    doc: dict[str, Any] = {
        "id": _inferred_id(trace_id, sub.id),
        "name": sub.name,
        "start_time": sub.start,
        "trace_id": trace_id,
        "parent_id": sub.id,
        "inferred": True,
    }
    if sub.end is None:
        doc["in_progress"] = True
    else:
        doc["end_time"] = sub.end
    for key in ("http", "aws", "error", "fault", "throttle", "cause", "sql"):
        if key in sub.doc:
            doc[key] = sub.doc[key]
    if origin is not None:
        doc["origin"] = origin
    entity = Entity(doc, None, node)
    entity.inferred = True
    return entity


def _index_annotations(
    index: dict[str, list[tuple[Value, Node]]], annotations: Mapping[str, Any], node: Node
) -> None:
    for key, value in annotations.items():
        if value is None:
            continue
        values = index.get(key)
        if values is None:
            if len(index) >= MAX_INDEXED_ANNOTATIONS:
                continue
            values = index[key] = []
        values.append((value, node))

"""What the store keeps of a processed trace, and a filter subject over it.

A processed trace is kept as *facts*: one flat tuple of strings, numbers and
tuples of them (`Facts`, built by `make_facts` or `facts_of`): the minute the
trace started, the groups it belongs to, its entry in the store's update-time
log, whether it is partial, then its service-graph contribution
(`awsmon.xray.graph`, read back by `facts_part`) spread in place. Flat,
because the cycle collector stops tracking a tuple only once it has found
every member untracked, one nesting level a pass: a flat tuple of entries is
untracked before it reaches the oldest generation, where a day of traces
would be walked by every full collection.

`TraceSketch` answers filter-expression questions from those facts alone:
the root segment's outcome and response time, the duration, the outcome and
time of each segment of each node (``service(...) { ... }``) and of each call
(``edge(...) { ... }``), the groups. For anything else (HTTP fields, users,
annotations, root causes, in-progress pieces) it raises
`awsmon.xray.filter_expression.CannotTell`, so that
`FilterExpression.verdict` says True or False only when the facts decide it.
GetTraceSummaries skips the traces whose verdict is False without rebuilding
them from their documents.

>>> from awsmon.xray.filter_expression import FilterExpression
>>> node = (("api", None, None), False, 3, 0.25, 10.0, 10.25, True)   # a fault at the root
>>> sketch = TraceSketch(((node,), ()), partial=False, groups=())
>>> [FilterExpression.parse(t).verdict(sketch) for t in ("fault", 'service("api") { ok }', "user")]
[True, False, None]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from awsmon.xray.filter_expression import CannotTell, node_matches
from awsmon.xray.filter_syntax import ServiceRef, Value
from awsmon.xray.graph import Contribution, NodeEntry, contribution
from awsmon.xray.trace import ERROR, FAULT, OK, THROTTLE, TraceView

__all__ = ["Facts", "TraceSketch", "facts_of", "facts_part", "make_facts"]

#: (minute of the trace start, (group name, ARN, version) of its groups,
#: update-time log entry, partial, number of node entries, *node entries,
#: *edge entries): see the module notes.
Facts = tuple[Any, ...]


def make_facts(
    minute: int,
    groups: tuple[tuple[str, str, int], ...],
    part: Contribution,
    updated: tuple[float, str, str],
    partial: bool,
) -> Facts:
    """The facts of a processed trace from their pieces."""
    nodes, edges = part
    return (minute, groups, updated, partial, len(nodes), *nodes, *edges)


def facts_part(facts: Facts) -> Contribution:
    """The graph contribution kept in `facts`."""
    count = facts[4]
    return facts[5 : 5 + count], facts[5 + count :]


def facts_of(
    view: TraceView, groups: tuple[tuple[str, str, int], ...], updated: tuple[float, str, str]
) -> Facts:
    """The facts of a processed trace."""
    return make_facts(int(view.start // 60), groups, contribution(view), updated, view.is_partial)


def _status_flag(status: int, keyword: str) -> bool:
    if keyword == "ok":
        return status == OK
    if keyword == "fault":
        return status == FAULT
    if keyword == "error":
        return status in (ERROR, THROTTLE)
    if keyword == "throttle" and status == THROTTLE:
        return True
    # ``throttle`` may also be a flag of a document whose outcome is a fault.
    raise CannotTell(keyword)


class TraceSketch:
    """A filter `Subject` over a trace's facts (see the module docstring).

    Args:
        part: the trace's graph contribution.
        partial: True when some segment or subsegment is in progress (the
            contribution then lacks it).
        groups: (name, ARN, version) of the groups the trace belongs to.
    """

    __slots__ = ("_edges", "_groups", "_nodes", "_partial", "_root")

    def __init__(
        self, part: Contribution, *, partial: bool, groups: tuple[tuple[str, str, int], ...]
    ) -> None:
        nodes, edges = part
        self._nodes = nodes
        self._root: NodeEntry | None = next((n for n in nodes if n[6]), None)
        # With a complete root, the contribution's first edge is the client's.
        self._edges = edges[1:] if self._root is not None else edges
        self._partial = partial
        self._groups = groups

    def flag(self, keyword: str) -> bool | None:
        if keyword == "partial":
            return self._partial
        if keyword == "inferred":
            if any(n[1] for n in self._nodes):
                return True
            if self._partial:
                raise CannotTell(keyword)
            return False
        if self._root is None:
            raise CannotTell(keyword)
        return _status_flag(self._root[2], keyword)

    def number(self, keyword: str) -> float | None:
        if keyword == "responsetime" and self._root is not None:
            return self._root[3]
        if keyword == "duration" and not self._partial:
            start = min(n[4] for n in self._nodes)
            end = max(n[5] for n in self._nodes)
            return max(end - start, 0.0)
        raise CannotTell(keyword)

    def strings(self, keyword: str) -> Sequence[str]:
        raise CannotTell(keyword)

    def annotations(self, key: str) -> Sequence[Value]:
        raise CannotTell(key)

    def services(self, ref: ServiceRef | None) -> Iterable[_Entry]:
        root_key = None if self._root is None else self._root[0]
        for entry in self._nodes:
            key = entry[0]
            if ref is None or node_matches(ref, key[0], key[1], key[2]):
                yield _Entry(entry[2], entry[3], entry[1], root_key, key)
        if self._partial:
            raise CannotTell("service")

    def edges(self, source: ServiceRef, target: ServiceRef) -> Iterable[_Entry]:
        for entry in self._edges:
            s, t = entry[0], entry[1]
            if node_matches(source, s[0], s[1], s[2]) and node_matches(target, t[0], t[1], t[2]):
                yield _Entry(entry[3], entry[4], entry[2], None, None)
        if self._partial:
            raise CannotTell("edge")

    def in_group(self, attribute: str, value: str) -> bool:
        return any(value in (name, arn) for name, arn, _ in self._groups)

    def root_causes(self, kind: str, level: str) -> Iterable[Any]:
        raise CannotTell("rootcause")

    def root_cause_documents(self) -> Sequence[Mapping[str, Any]]:
        raise CannotTell("rootcause")


class _Entry:
    """One completed segment of a node (`key` set) or one completed call (`key` None)."""

    __slots__ = ("inferred", "key", "response", "root_key", "status")

    def __init__(
        self,
        status: int,
        response: float,
        inferred: bool,
        root_key: tuple[str, str | None, str | None] | None,
        key: tuple[str, str | None, str | None] | None,
    ) -> None:
        self.status = status
        self.response = response
        self.inferred = inferred
        self.root_key = root_key
        self.key = key

    def flag(self, keyword: str) -> bool | None:
        if keyword == "partial":
            return False
        if keyword == "inferred":
            return self.inferred
        if keyword == "root":
            if self.key is None:
                return False
            if self.root_key is None:
                raise CannotTell(keyword)
            return self.key == self.root_key
        return _status_flag(self.status, keyword)

    def number(self, keyword: str) -> float | None:
        if keyword in ("responsetime", "duration"):
            return self.response
        raise CannotTell(keyword)

    def strings(self, keyword: str) -> Sequence[str]:
        if self.key is not None and keyword == "name":
            return [self.key[0]]
        if self.key is not None and keyword == "type":
            return [] if self.key[1] is None else [self.key[1]]
        raise CannotTell(keyword)

    def annotations(self, key: str) -> Sequence[Value]:
        return ()

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

"""The trace store of one account and region: records, processed views, indexes, graphs.

`TraceStore` keeps every `TraceRecord`, processes changed traces into
`TraceView`s on demand (`process`: each trace once per change, however
many pieces arrived in between), and keeps:

- time indexes (sortedcontainers) for the three GetTraceSummaries time range
  types: the trace id time, the last update time and segment end times;
- per group and per minute of trace start, the summed service graph
  (`GraphAggregate`), updated as traces are (re)processed, so GetServiceGraph
  and GetTimeSeriesServiceStatistics over a day merge 1,440 small
  aggregates instead of visiting every trace;
- group membership of each trace, tested when the trace is processed with
  the group's filter expression of the time (so a changed expression only
  affects traces processed later, as in AWS).

`expire` drops every trace whose id time is before a cutoff (retention).
`_check` asserts the invariants between the indexes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from attrs import frozen
from sortedcontainers import SortedList

from awsmon.xray.assembly import build_view
from awsmon.xray.filter_expression import FilterExpression
from awsmon.xray.graph import Contribution, GraphAggregate, contribution
from awsmon.xray.model import Group, Segment, TimeRangeType
from awsmon.xray.trace import TraceRecord, TraceView

__all__ = ["GroupFilter", "TraceStore"]


@frozen
class GroupFilter:
    """A group as the store tests traces against it."""

    group: Group
    expression: FilterExpression | None


@frozen
class _Part:
    minute: int
    groups: tuple[tuple[str, int], ...]  # (group name, version) the trace was counted in
    contribution: Contribution


class TraceStore:
    """Every trace of one account and region, processed lazily and indexed.

    Args:
        groups: returns the groups to test traces against (``Default`` first).
    """

    def __init__(self, groups: Callable[[], Sequence[GroupFilter]]) -> None:
        self._groups = groups
        self.records: dict[str, TraceRecord] = {}
        self.views: dict[str, TraceView] = {}
        self._parts: dict[str, _Part] = {}
        self._dirty: dict[str, None] = {}
        self._by_id_time: SortedList = SortedList()
        self._by_update: SortedList = SortedList()
        self._by_segment_end: SortedList = SortedList()
        self._buckets: dict[str, dict[int, GraphAggregate]] = {}
        self._versions: dict[str, dict[int, dict[int, int]]] = {}
        #: Bumped whenever a trace is added, changed or dropped (cache key of queries).
        self.version = 0
        self._candidates: tuple[tuple[object, ...], list[str]] | None = None

    def __len__(self) -> int:
        return len(self.records)

    # -- ingestion ------------------------------------------------------------------

    def put(self, segment: Segment, now: float) -> None:
        """Store one accepted segment document received at `now` (epoch seconds)."""
        trace_id = segment.trace_id
        record = self.records.get(trace_id)
        if record is None:
            record = self.records[trace_id] = TraceRecord(trace_id)
            self._by_id_time.add((record.id_epoch, trace_id))
        elif trace_id not in self._dirty:
            # The update-time index is brought up to date when the trace is processed.
            self._by_update.discard((record.updated_at, trace_id))
        store = record.subsegments if segment.independent_subsegment else record.segments
        old = store.get(segment.id)
        if record.put(segment, now) and old is not None and old.end_time is not None:
            self._by_segment_end.discard((old.end_time, trace_id, old.id))
        if segment.end_time is not None:
            self._by_segment_end.add((segment.end_time, trace_id, segment.id))
        self._dirty[trace_id] = None
        self.version += 1

    def process(self) -> None:
        """Process every changed trace: rebuild its view, its graph part, its groups."""
        if not self._dirty:
            return
        groups = self._groups()
        dirty, self._dirty = self._dirty, {}
        for trace_id in dirty:
            record = self.records.get(trace_id)
            if record is None:
                continue
            self._by_update.add((record.updated_at, trace_id))
            view = build_view(record)
            self._remove_part(trace_id)
            if view is None:
                self.views.pop(trace_id, None)
                continue
            members = []
            names = set()
            for entry in groups:
                group = entry.group
                if entry.expression is None or entry.expression.matches(view):
                    members.append((group.name, group.version))
                    names.add(group.name)
                    names.add(group.arn)
            view.groups = frozenset(names)
            self.views[trace_id] = view
            part = _Part(math.floor(view.start / 60), tuple(members), contribution(view))
            self._add_part(trace_id, part)

    def view(self, trace_id: str) -> TraceView | None:
        """The processed trace `trace_id` (processing pending changes first)."""
        if trace_id in self._dirty:
            self.process()
        return self.views.get(trace_id)

    def _add_part(self, trace_id: str, part: _Part) -> None:
        self._parts[trace_id] = part
        for name, version in part.groups:
            bucket = self._buckets.setdefault(name, {}).get(part.minute)
            if bucket is None:
                bucket = self._buckets[name][part.minute] = GraphAggregate()
            bucket.add(part.contribution)
            counts = self._versions.setdefault(name, {}).setdefault(part.minute, {})
            counts[version] = counts.get(version, 0) + 1

    def _remove_part(self, trace_id: str) -> None:
        part = self._parts.pop(trace_id, None)
        if part is None:
            return
        for name, version in part.groups:
            bucket = self._buckets.get(name, {}).get(part.minute)
            if bucket is not None:
                bucket.add(part.contribution, -1)
                if bucket.traces == 0:
                    del self._buckets[name][part.minute]
            counts = self._versions.get(name, {}).get(part.minute)
            if counts is not None:
                counts[version] -= 1
                if not counts[version]:
                    del counts[version]

    # -- queries --------------------------------------------------------------------

    def candidates(self, start: float, end: float, kind: TimeRangeType) -> list[str]:
        """Trace ids in the window [start, end] by `kind`, most recent first.

        The end is inclusive: on a virtual clock that stands still, a trace
        started "now" belongs to a window ending now.
        """
        self.process()
        key = (start, end, kind, self.version)
        if self._candidates is not None and self._candidates[0] == key:
            return self._candidates[1]
        if kind is TimeRangeType.TRACE_ID:
            low, high = math.ceil(start), math.floor(end)
            found = [t for _, t in self._by_id_time.irange((low,), (high, "~"))]
        elif kind is TimeRangeType.EVENT:
            found = [t for _, t in self._by_update.irange((start,), (end, "~"))]
        else:
            seen: dict[str, None] = {}
            for _, trace_id, _ in self._by_segment_end.irange((start,), (end, "~")):
                seen.pop(trace_id, None)
                seen[trace_id] = None
            found = list(seen)
        found.reverse()
        result = [t for t in found if t in self.views]
        self._candidates = (key, result)  # pages of one query reuse it
        return result

    def graph(self, start: float, end: float, group: str) -> tuple[GraphAggregate, set[int]]:
        """The summed graph of `group` for traces started in [start, end) (whole minutes).

        Returns:
            The aggregate, and the group versions it contains.
        """
        self.process()
        total = GraphAggregate()
        versions: set[int] = set()
        buckets = self._buckets.get(group, {})
        counts = self._versions.get(group, {})
        for minute in self._minutes(start, end, buckets):
            total.merge(buckets[minute])
            versions.update(counts.get(minute, {}))
        return total, versions

    def graph_series(
        self, start: float, end: float, group: str, period: int
    ) -> Iterator[tuple[int, GraphAggregate]]:
        """(period start epoch, aggregate) for each period with data in [start, end)."""
        self.process()
        buckets = self._buckets.get(group, {})
        current: tuple[int, GraphAggregate] | None = None
        for minute in self._minutes(start, end, buckets):
            slot = (minute * 60) // period * period
            if current is None or current[0] != slot:
                if current is not None:
                    yield current
                current = (slot, GraphAggregate())
            current[1].merge(buckets[minute])
        if current is not None:
            yield current

    @staticmethod
    def _minutes(start: float, end: float, buckets: dict[int, GraphAggregate]) -> list[int]:
        first, last = math.floor(start / 60), math.ceil(end / 60)
        if last - first > len(buckets):
            return sorted(m for m in buckets if first <= m < last)
        return [m for m in range(first, last) if m in buckets]

    # -- retention ------------------------------------------------------------------

    def expire(self, cutoff: float) -> int:
        """Drop every trace whose id time is before `cutoff` (epoch seconds); returns how many."""
        old = list(self._by_id_time.irange(maximum=(math.ceil(cutoff),), inclusive=(True, False)))
        for entry in old:
            trace_id = entry[1]
            self._by_id_time.remove(entry)
            record = self.records.pop(trace_id)
            self._by_update.discard((record.updated_at, trace_id))
            for segment in (*record.segments.values(), *record.subsegments.values()):
                if segment.end_time is not None:
                    self._by_segment_end.discard((segment.end_time, trace_id, segment.id))
            self._remove_part(trace_id)
            self.views.pop(trace_id, None)
            self._dirty.pop(trace_id, None)
        self.version += 1
        return len(old)

    def _check(self) -> None:
        """Assert the invariants between records, indexes and views."""
        assert len(self._by_id_time) == len(self.records)
        assert len(self._by_update) == len(self.records) - len(self._dirty)
        assert set(self.views) <= set(self.records)
        assert set(self._parts) == set(self.views)
        for trace_id, record in self.records.items():
            if trace_id not in self._dirty:
                assert (record.updated_at, trace_id) in self._by_update

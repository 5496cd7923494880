"""The trace store of one account and region: records, processed facts, indexes, graphs.

`TraceStore` keeps every `TraceRecord` (the documents as JSON text) and
processes changed traces on demand (`process`: each trace once per change,
however many pieces arrived in between) into compact *facts* (plain
tuples, `awsmon.xray.sketch`): the minute it started, the groups it belongs
to, its graph contribution. Processing reads the digests the upload took of
each document (`awsmon.xray.trace_facts`): no document is parsed again and
no `TraceView` is built, except for a trace with subsegments sent on their
own (`build_view` attaches them) or a group whose filter expression the
facts cannot decide. Views are built from the records when a query needs
them (the `view_cache_size` most recently used are kept); `verdict` answers
most filter expressions from the facts alone, so a query builds only the
views of the traces that may match.

Beside the records the store keeps:

- time indexes for the three GetTraceSummaries time range types: the trace
  id time (a sorted list), the last update time and segment end times
  (append-only logs, sorted when a query reads them: the virtual clock only
  moves forward, so they are nearly sorted already);
- per group and per minute of trace start, the summed service graph
  (`GraphAggregate`), updated as traces are (re)processed, so GetServiceGraph
  and GetTimeSeriesServiceStatistics over a day merge 1,440 small
  aggregates instead of visiting every trace;
- group membership of each trace, tested when the trace is processed with
  the group's filter expression of the time (so a changed expression only
  affects traces processed later, as in AWS).

Why facts and text rather than parsed documents and views: a day of traces
is millions of small dicts and objects, and CPython's cycle collector walks
every live container again and again while a store grows; strings and
tuples of strings and numbers it skips. `expire` drops every trace whose id
time is before a cutoff (retention); `_check` asserts the invariants.
"""

from __future__ import annotations

import bisect
import math
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence

from attrs import frozen
from sortedcontainers import SortedList

from awsmon.xray.assembly import build_view
from awsmon.xray.filter_expression import FilterExpression
from awsmon.xray.graph import Contribution, GraphAggregate
from awsmon.xray.model import Group, Segment, TimeRangeType
from awsmon.xray.record import TraceFull, TraceLimits, TraceRecord
from awsmon.xray.sketch import Facts, TraceSketch, facts_of, facts_part, make_facts
from awsmon.xray.trace import TraceView
from awsmon.xray.trace_facts import digest_facts

__all__ = ["GroupFilter", "TraceStore"]


@frozen
class GroupFilter:
    """A group as the store tests traces against it."""

    group: Group
    expression: FilterExpression | None


class _Log:
    """An append-only index of (time, trace id, extra) entries, sorted when read.

    Entries go stale when a trace changes or expires; readers check them
    against the records, and the log drops them when they outnumber the
    live ones.
    """

    def __init__(self) -> None:
        self.entries: list[tuple[float, str, str]] = []
        self._sorted = 0  # entries[:_sorted] are in order
        self.stale = 0

    def add(self, entry: tuple[float, str, str]) -> None:
        entries = self.entries
        if self._sorted == len(entries) and (not entries or entries[-1] <= entry):
            self._sorted += 1
        entries.append(entry)

    def window(self, start: float, end: float) -> list[tuple[float, str, str]]:
        """Entries with time in [start, end], in time order (stale ones included)."""
        entries = self.entries
        if self._sorted != len(entries):
            entries.sort()
            self._sorted = len(entries)
        low = bisect.bisect_left(entries, (start,))
        high = bisect.bisect_right(entries, (end, "\U0010ffff"))
        return entries[low:high]

    def compact(self, live: Callable[[tuple[float, str, str]], bool]) -> None:
        """Drop stale entries (and copies of live ones) once they are more than half of the log."""
        if self.stale * 2 > len(self.entries):
            self.entries = sorted({e for e in self.entries if live(e)})
            self._sorted = len(self.entries)
            self.stale = 0


class TraceStore:
    """Every trace of one account and region, processed lazily and indexed.

    Args:
        groups: returns the groups to test traces against (``Default`` first).

    Attributes:
        records: the stored documents of each trace, by trace id.
        view_cache_size: how many processed views are kept for queries.
        version: bumped whenever a trace is added, changed or dropped (the
            cache key of queries).
    """

    def __init__(self, groups: Callable[[], Sequence[GroupFilter]]) -> None:
        self._groups = groups
        self.records: dict[str, TraceRecord] = {}
        self.view_cache_size = 10_000
        self._views: OrderedDict[str, TraceView] = OrderedDict()  # least recently used first
        self._facts: dict[str, Facts] = {}
        self._dirty: dict[str, None] = {}
        self._by_id_time: SortedList = SortedList()
        self._by_update = _Log()  # (updated_at, trace id, "")
        # (end time, trace id, segment id): an independent subsegment's id behind "/".
        self._by_segment_end = _Log()
        self._buckets: dict[str, dict[int, GraphAggregate]] = {}
        self._versions: dict[str, dict[int, dict[int, int]]] = {}
        self.version = 0
        self._candidates: tuple[tuple[object, ...], list[str]] | None = None

    def __len__(self) -> int:
        return len(self.records)

    # -- ingestion ------------------------------------------------------------------

    def put(self, segment: Segment, now: float, limits: TraceLimits | None = None) -> bool:
        """Store one accepted segment document received at `now` (epoch seconds).

        Returns:
            False when the document does not fit in its trace (`limits`).
        """
        trace_id = segment.trace_id
        record = self.records.get(trace_id)
        if record is None:
            record = self.records[trace_id] = TraceRecord(trace_id)
            self._by_id_time.add((record.id_epoch, trace_id))
        old = record.get(segment.id, segment.independent_subsegment)
        try:
            stored = record.put(segment, now, limits)
        except TraceFull:
            if trace_id not in self._dirty:  # LimitExceeded changes the trace
                self._dirty[trace_id] = None
                self.version += 1
            return False
        if stored:
            end = segment.end_time
            if old is not None and old.end_time is not None and old.end_time != end:
                self._by_segment_end.stale += 1
            if end is not None and (old is None or old.end_time != end):
                key = "/" + segment.id if segment.independent_subsegment else segment.id
                self._by_segment_end.add((end, trace_id, key))
            self._dirty[trace_id] = None
            self.version += 1
        return True

    def process(self) -> None:
        """Process every changed trace: its view, its graph contribution, its groups."""
        if not self._dirty:
            return
        groups = [(g.group, g.expression) for g in self._groups()]
        # Groups without an expression hold every trace: one answer for the whole batch.
        every: tuple[tuple[str, str, int], ...] | None = None
        if all(expression is None for _, expression in groups):
            every = tuple((group.name, group.arn, group.version) for group, _ in groups)
        dirty, self._dirty = self._dirty, {}
        facts = self._facts
        views = self._views
        by_update = self._by_update
        for trace_id in dirty:
            record = self.records.get(trace_id)
            if record is None:
                continue
            old = facts.get(trace_id)
            if old is not None:
                self._remove_facts(trace_id)
            views.pop(trace_id, None)
            quick = digest_facts(record)
            view = None
            if quick is None:
                view = build_view(record)
                if view is None:
                    continue
            updated = (record.updated_at, trace_id, str(record.revision))
            if old is None or old[2] != updated:
                if old is not None:
                    by_update.stale += 1
                by_update.add(updated)
            if view is not None:
                members = tuple(
                    (group.name, group.arn, group.version)
                    for group, expression in groups
                    if expression is None or expression.matches(view)
                )
                view.groups = _names(members)
                self._add_facts(trace_id, facts_of(view, members, updated))
            else:
                assert quick is not None
                start, part, partial = quick
                members = every or self._members(record, groups, part, partial)
                minute = int(start // 60)
                self._add_facts(trace_id, make_facts(minute, members, part, updated, partial))
            # Not cached here: views kept a little while during a bulk load
            # reach the oldest GC generation and make it collect over and over.
        by_update.compact(self._live_update)

    @staticmethod
    def _members(
        record: TraceRecord,
        groups: list[tuple[Group, FilterExpression | None]],
        part: Contribution,
        partial: bool,
    ) -> tuple[tuple[str, str, int], ...]:
        """The groups a trace belongs to: from its facts, or its view when they cannot tell."""
        members = []
        sketch: TraceSketch | None = None
        view: TraceView | None = None
        for group, expression in groups:
            if expression is not None:
                if sketch is None:
                    sketch = TraceSketch(part, partial=partial, groups=())
                verdict = expression.verdict(sketch)
                if verdict is None:
                    if view is None:
                        view = build_view(record)
                        assert view is not None
                    verdict = expression.matches(view)
                if not verdict:
                    continue
            members.append((group.name, group.arn, group.version))
        return tuple(members)

    def view(self, trace_id: str) -> TraceView | None:
        """The processed trace `trace_id` (processing pending changes first)."""
        if trace_id in self._dirty:
            self.process()
        view = self._views.get(trace_id)
        if view is not None:
            self._views.move_to_end(trace_id)
            return view
        facts = self._facts.get(trace_id)
        if facts is None:
            return None
        view = build_view(self.records[trace_id])
        assert view is not None
        view.groups = _names(facts[1])
        self._cache(trace_id, view)
        return view

    def verdict(self, trace_id: str, expression: FilterExpression) -> bool | None:
        """Whether the processed trace matches `expression`, from its facts (None: cannot tell).

        Cheap: no view is built (see `awsmon.xray.sketch`).
        """
        facts = self._facts.get(trace_id)
        if facts is None:
            return False
        sketch = TraceSketch(facts_part(facts), partial=facts[3], groups=facts[1])
        return expression.verdict(sketch)

    def _cache(self, trace_id: str, view: TraceView) -> None:
        views = self._views
        views[trace_id] = view
        while len(views) > self.view_cache_size:
            views.popitem(last=False)

    def _add_facts(self, trace_id: str, facts: Facts) -> None:
        self._facts[trace_id] = facts
        minute, groups, part = facts[0], facts[1], facts_part(facts)
        for name, _, version in groups:
            buckets = self._buckets.setdefault(name, {})
            bucket = buckets.get(minute)
            if bucket is None:
                bucket = buckets[minute] = GraphAggregate()
            bucket.add(part)
            counts = self._versions.setdefault(name, {}).setdefault(minute, {})
            counts[version] = counts.get(version, 0) + 1

    def _remove_facts(self, trace_id: str) -> None:
        facts = self._facts.pop(trace_id, None)
        if facts is None:
            return
        minute, groups, part = facts[0], facts[1], facts_part(facts)
        for name, _, version in groups:
            bucket = self._buckets.get(name, {}).get(minute)
            if bucket is not None:
                bucket.add(part, -1)
                if bucket.traces == 0:
                    del self._buckets[name][minute]
            counts = self._versions.get(name, {}).get(minute)
            if counts is not None:
                counts[version] -= 1
                if not counts[version]:
                    del counts[version]

    def _live_update(self, entry: tuple[float, str, str]) -> bool:
        facts = self._facts.get(entry[1])
        return facts is not None and facts[2] == entry

    def _live_end(self, entry: tuple[float, str, str]) -> bool:
        record = self.records.get(entry[1])
        if record is None:
            return False
        end, _, key = entry
        if key[0] == "/":
            segment = record.get(key[1:], independent_subsegment=True)
        else:
            segment = record.get(key)
        return segment is not None and segment.end_time == end

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
        facts = self._facts
        if kind is TimeRangeType.TRACE_ID:
            low, high = math.ceil(start), math.floor(end)
            found = [t for _, t in self._by_id_time.irange((low,), (high, "~"))]
        elif kind is TimeRangeType.EVENT:
            live = self._live_update
            found = [e[1] for e in self._by_update.window(start, end) if live(e)]
        else:
            self._by_segment_end.compact(self._live_end)
            live = self._live_end
            seen: dict[str, None] = {}
            for entry in self._by_segment_end.window(start, end):
                if live(entry):
                    seen.pop(entry[1], None)
                    seen[entry[1]] = None
            found = list(seen)
        found.reverse()
        result = [t for t in found if t in facts]
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
            if trace_id in self._facts:
                self._by_update.stale += 1
            self._by_segment_end.stale += sum(
                1 for s in record.documents() if s.end_time is not None
            )
            self._remove_facts(trace_id)
            self._views.pop(trace_id, None)
            self._dirty.pop(trace_id, None)
        self._by_update.compact(self._live_update)
        self._by_segment_end.compact(self._live_end)
        self.version += 1
        return len(old)

    def _check(self) -> None:
        """Assert the invariants between records, indexes, facts and views."""
        assert len(self._by_id_time) == len(self.records)
        assert set(self._facts) <= set(self.records)
        assert set(self._views) <= set(self._facts)
        assert len(self._views) <= self.view_cache_size
        live = [e for e in self._by_update.entries if self._live_update(e)]
        assert sorted(e[1] for e in live) == sorted(self._facts)
        assert len(self._by_update.entries) - len(live) == self._by_update.stale
        # An end time set back to an earlier value makes its old entry live again:
        # live entries are counted once each, and their copies were counted stale.
        ends = {e for e in self._by_segment_end.entries if self._live_end(e)}
        assert len(self._by_segment_end.entries) - len(ends) == self._by_segment_end.stale
        assert len(ends) == sum(
            1
            for record in self.records.values()
            for s in record.documents()
            if s.end_time is not None
        )


def _names(groups: tuple[tuple[str, str, int], ...]) -> frozenset[str]:
    return frozenset(part for name, arn, _ in groups for part in (name, arn))

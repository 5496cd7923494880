"""The record store of one account and region, and LookupEvents over it.

`History` keeps every logged call of its place in time order (management and
data events: trails deliver both; the event history shows only management
events). Records carry absolute sequence numbers, so trails and readers keep
cursors that survive the 90-day expiry of old records. Management events are
indexed by each LookupEvents attribute, so a lookup by ``EventName`` costs a
binary search and a page, not a scan. The index is brought up to date by the
lookups themselves (recording only appends): the first lookup after many
calls pays for indexing them, once.

`lookup` is the event-history query: one attribute (or none), an inclusive
time range, newest first, pages of at most 50.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from operator import attrgetter

from awsmon.cloudtrail.classify import Category
from awsmon.cloudtrail.records import CallRecord, event_id_of, lookup_resources, username

__all__ = ["LOOKUP_KEYS", "RETENTION", "History", "attribute_values"]

#: How long the event history keeps management events (90 days).
RETENTION = timedelta(days=90)

_MANAGEMENT = Category.MANAGEMENT
#: A record's time: what the store is ordered by (binary searches go by it).
_time_of = attrgetter("at")

#: LookupEvents' attribute keys.
LOOKUP_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)


def attribute_values(record: CallRecord) -> list[tuple[str, str]]:
    """Every (key, value) by which LookupEvents finds `record` (EventId excluded)."""
    pairs = [
        ("EventName", record.operation),
        ("EventSource", record.event_source),
        ("ReadOnly", "true" if record.read_only else "false"),
        ("Username", username(record.principal)),
    ]
    if record.access_key_id:
        pairs.append(("AccessKeyId", record.access_key_id))
    for kind, name in lookup_resources(record):
        pairs.append(("ResourceType", kind))
        pairs.append(("ResourceName", name))
    return pairs


class History:
    """Every record of one account and region, oldest first.

    Attributes:
        base: the sequence number of the oldest record kept.
    """

    def __init__(self) -> None:
        self._records: list[CallRecord] = []
        self.base = 0
        # Sequence numbers as machine integers: 8 bytes an entry, not a Python int each.
        self._management: array[int] = array("q")
        self._index: dict[tuple[str, str], array[int]] = {}
        self._indexed = 0  # management events before this position in _management are indexed

    def __len__(self) -> int:
        return len(self._records)

    @property
    def end(self) -> int:
        """The sequence number the next record will get."""
        return self.base + len(self._records)

    @property
    def oldest_at(self) -> datetime | None:
        """The time of the oldest record kept, or None when empty."""
        return self._records[0].at if self._records else None

    def append(self, record: CallRecord) -> bool:
        """Keep `record` (its time is not before the last one's: the clock only moves on).

        Returns:
            True for a management event (which the event history shows).
        """
        records = self._records
        records.append(record)
        if record.kind.category is _MANAGEMENT:
            self._management.append(self.base + len(records) - 1)
            return True
        return False

    def _catch_up(self) -> None:
        """Index the management events recorded since the last lookup.

        Recording only appends; the per-attribute index is brought up to date
        here, when someone reads the history, so calls nobody looks up cost
        nothing to index.
        """
        management = self._management
        index = self._index
        for position in range(self._indexed, len(management)):
            seq = management[position]
            for pair in attribute_values(self.get(seq)):
                found = index.get(pair)
                if found is None:
                    index[pair] = array("q", (seq,))
                elif found[-1] != seq:
                    found.append(seq)
        self._indexed = len(management)

    def get(self, seq: int) -> CallRecord:
        """The record of sequence number `seq` (it must still be kept)."""
        return self._records[seq - self.base]

    def since(self, seq: int) -> Iterator[tuple[int, CallRecord]]:
        """The records from sequence number `seq` on, with their numbers."""
        start = max(seq, self.base)
        for offset, record in enumerate(self._records[start - self.base :]):
            yield start + offset, record

    def expire(self, before: datetime) -> int:
        """Forget the records older than `before`; returns how many."""
        count = bisect.bisect_left(self._records, before, key=_time_of)
        if count == 0:
            return 0
        del self._records[:count]
        self.base += count
        cut = self.base
        dropped = bisect.bisect_left(self._management, cut)
        self._management = self._management[dropped:]
        self._indexed = max(0, self._indexed - dropped)
        for key in list(self._index):
            seqs = self._index[key]
            kept = seqs[bisect.bisect_left(seqs, cut) :]
            if kept:
                self._index[key] = kept
            else:
                del self._index[key]
        return count

    def records(self) -> list[CallRecord]:
        """Every kept record, oldest first."""
        return list(self._records)

    def lookup(
        self,
        attribute: tuple[str, str] | None,
        start: datetime,
        end: datetime,
        *,
        before: int | None,
        limit: int,
    ) -> tuple[list[tuple[int, CallRecord]], int | None]:
        """Management events matching `attribute` in [`start`, `end`], newest first.

        Args:
            attribute: (key, value) of one LookupEvents attribute, or None for all.
            start / end: the inclusive time range.
            before: continue below this sequence number (a page token), or None.
            limit: the page size.

        Returns:
            The page (sequence number, record) and the sequence number to
            continue below, or None when nothing more matches.
        """
        self._catch_up()
        lo = self.base + bisect.bisect_left(self._records, start, key=_time_of)
        hi = self.base + bisect.bisect_right(self._records, end, key=_time_of)
        if before is not None:
            hi = min(hi, before)
        candidates: array[int]
        if attribute is not None and attribute[0] == "EventId":
            wanted = attribute[1]
            candidates = array(
                "q", (s for s in self._management if event_id_of(self.get(s).request_id) == wanted)
            )
        elif attribute is None:
            candidates = self._management
        else:
            candidates = self._index.get(attribute, array("q"))
        top = bisect.bisect_left(candidates, hi)
        bottom = bisect.bisect_left(candidates, lo)
        chosen = list(candidates[max(bottom, top - limit) : top])
        page = [(seq, self.get(seq)) for seq in reversed(chosen)]
        more = top - limit > bottom
        return page, (chosen[0] if more and chosen else None)

    def _check(self) -> None:
        """Assert the store's invariants (for tests)."""
        times = [record.at for record in self._records]
        assert all(a <= b for a, b in pairwise(times))
        assert all(self.get(s).management for s in self._management)
        for seqs in self._index.values():
            assert list(seqs) == sorted(set(seqs))
            assert all(s >= self.base for s in seqs)

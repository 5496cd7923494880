"""One timeline of everything that happened in a cloud, in time order.

Main classes:

- `Moment`: one thing that happened (an API call, an alarm's state change, a
  rule match, a delivery, a clock job ...), when, where and a one-line summary.
- `Timeline`: the bounded ring of moments a `Cloud` keeps (`Cloud.timeline`).
- `TimelineView`: a selection of moments, readable as text (``str``), as a
  notebook table (``_repr_html_``) and as objects (iteration, indexing).

Services add moments with `ServiceContext.note` at the few points that matter;
API calls come from the dispatcher's listeners and clock jobs from the clock.
The ring keeps the newest `size` moments, so a long run holds bounded memory.

>>> from datetime import UTC, datetime
>>> line = Timeline(size=2)
>>> at = datetime(2025, 1, 1, tzinfo=UTC)
>>> for n in range(3):
...     _ = line.add(at, "job", "clock", "", "", f"job {n}")
>>> [m.summary for m in line.view()]
['job 1', 'job 2']
"""

from __future__ import annotations

import html
import itertools
from collections import deque
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, overload

from attrs import field, frozen

__all__ = ["KINDS", "Moment", "Timeline", "TimelineView"]

#: The kinds of moment awsmon records (services may add their own).
KINDS = (
    "call",  # an API operation call (any layer)
    "alarm-state",  # an alarm changed state
    "alarm-action",  # an alarm action ran, or was suppressed
    "rule-match",  # an EventBridge rule matched an event
    "delivery",  # a delivery to a target (attempt, retry, DLQ, refusal)
    "log-events",  # log events accepted into a stream
    "metric-filter",  # a metric filter matched log events
    "trace",  # X-Ray segments received
    "job",  # a clock job ran
)


@frozen
class Moment:
    """One thing that happened in the simulation.

    Attributes:
        at: the virtual instant.
        kind: what sort of thing (one of `KINDS`, or a service's own).
        service: the service it happened in (botocore name), ``"clock"`` for jobs.
        account_id: the account ("" when not tied to one).
        region: the region ("" when not tied to one).
        summary: one readable line.
        detail: structured facts for tests (names, states, counts).
        seq: the order of recording (ties at one instant keep it).
    """

    at: datetime
    kind: str
    service: str
    account_id: str
    region: str
    summary: str
    detail: Mapping[str, Any] = field(factory=dict)
    seq: int = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> Moment:
        # A moment never changes once recorded: forks of a cloud share it.
        return self

    def __str__(self) -> str:
        where = f"{self.account_id}/{self.region}" if self.account_id else "-"
        return (
            f"{self.at.strftime('%Y-%m-%d %H:%M:%S')}  {self.kind:<13} "
            f"{self.service:<11} {where:<22} {self.summary}"
        )


class TimelineView(Sequence[Moment]):
    """A selection of moments in time order: text, a notebook table, and objects."""

    def __init__(self, moments: Sequence[Moment]) -> None:
        self._moments = tuple(moments)

    @overload
    def __getitem__(self, index: int) -> Moment: ...
    @overload
    def __getitem__(self, index: slice) -> TimelineView: ...
    def __getitem__(self, index: int | slice) -> Moment | TimelineView:
        if isinstance(index, slice):
            return TimelineView(self._moments[index])
        return self._moments[index]

    def __len__(self) -> int:
        return len(self._moments)

    def __iter__(self) -> Iterator[Moment]:
        return iter(self._moments)

    def kinds(self) -> list[str]:
        """The kind of each moment, in order (handy in assertions)."""
        return [m.kind for m in self._moments]

    def __str__(self) -> str:
        if not self._moments:
            return "(no moments)"
        return "\n".join(str(m) for m in self._moments)

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>" for h in ("time", "kind", "service", "where", "what")
        )
        rows = "".join(
            "<tr>"
            f"<td>{m.at.strftime('%Y-%m-%d %H:%M:%S')}</td><td>{html.escape(m.kind)}</td>"
            f"<td>{html.escape(m.service)}</td>"
            f"<td>{html.escape(f'{m.account_id}/{m.region}' if m.account_id else '')}</td>"
            f"<td>{html.escape(m.summary)}</td></tr>"
            for m in self._moments
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

    def __repr__(self) -> str:
        return f"<TimelineView {len(self._moments)} moments>"


class Timeline:
    """The ring of the newest `size` moments of one cloud.

    Args:
        size: how many moments to keep (0 keeps none: recording is off).
    """

    def __init__(self, size: int = 10_000) -> None:
        if size < 0:
            raise ValueError(f"a timeline's size is 0 or more, got {size}")
        self.size = size
        self._ring: deque[Moment] = deque(maxlen=size)
        self._seq = itertools.count()
        self.dropped = 0

    def add(
        self,
        at: datetime,
        kind: str,
        service: str,
        account_id: str,
        region: str,
        summary: str,
        detail: Mapping[str, Any] | None = None,
    ) -> Moment | None:
        """Record one moment; returns it (None when the timeline keeps nothing)."""
        if self.size == 0:
            return None
        if len(self._ring) == self.size:
            self.dropped += 1
        moment = Moment(
            at, kind, service, account_id, region, summary, dict(detail or {}), next(self._seq)
        )
        self._ring.append(moment)
        return moment

    def view(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        services: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
    ) -> TimelineView:
        """The moments kept, in time order, from `since` (inclusive) to `until` (exclusive).

        Args:
            since: the first instant wanted (aware datetime).
            until: the instant where the view stops.
            services: only these services (botocore names, ``"clock"`` for jobs).
            kinds: only these kinds.
        """
        chosen = [
            m
            for m in self._ring
            if (since is None or m.at >= since)
            and (until is None or m.at < until)
            and (services is None or m.service in services)
            and (kinds is None or m.kind in kinds)
        ]
        chosen.sort(key=lambda m: (m.at, m.seq))
        return TimelineView(chosen)

    def clear(self) -> None:
        """Forget every moment kept."""
        self._ring.clear()

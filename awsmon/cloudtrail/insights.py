"""CloudTrail Insights: unusual API call and error rates, on the clock.

`InsightWatch` counts, per minute, the write management calls
(ApiCallRateInsight) and the failed management calls (ApiErrorRateInsight)
of each (eventSource, eventName) while a trail of its place has Insights
selectors, and `InsightWatch.scan` turns each closed minute into Start and End
insight events.

AWS does not publish its anomaly model; awsmon uses this deterministic one
(documented, configurable through the attributes):

- baseline = the mean per-minute count of the key over the preceding
  `baseline_window` (7 days, AWS's documented baseline length), counting
  minutes without calls as zero; an insight needs at least `min_history`
  of counting first;
- an insight starts in the first minute whose count exceeds
  ``max(factor * baseline, baseline + min_delta)`` (factor 3, min_delta 10),
  and ends at the first minute whose count falls back to that threshold;
- Start carries ``insight.average`` = the first minute's count; End carries
  the mean over the insight's minutes and ``insightDuration`` in minutes;
  both share a ``sharedEventID``; attributions are left empty.
"""

from __future__ import annotations

import collections
from datetime import datetime, timedelta
from typing import Any

from attrs import define, field

from awsmon.cloudtrail.records import CallRecord, event_time

__all__ = ["InsightWatch"]

_CALL_RATE = "ApiCallRateInsight"
_ERROR_RATE = "ApiErrorRateInsight"


@define
class _Anomaly:
    start: datetime
    counts: list[int]
    baseline: float
    shared_id: str


@define
class InsightWatch:
    """Per-minute counts of one place, and the insights open on them.

    Attributes:
        types: the insight types enabled by the place's trails.
        baseline_window / min_history / factor / min_delta: the model's knobs.
    """

    types: set[str] = field(factory=set)
    baseline_window: timedelta = timedelta(days=7)
    min_history: timedelta = timedelta(days=7)
    factor: float = 3.0
    min_delta: float = 10.0
    started_at: datetime | None = None
    _minutes: dict[tuple[str, str, str], collections.Counter[datetime]] = field(factory=dict)
    _open: dict[tuple[str, str, str], _Anomaly] = field(factory=dict)
    _scanned_to: datetime | None = None

    @property
    def active(self) -> bool:
        """True while some trail of the place asks for Insights."""
        return bool(self.types)

    def count(self, record: CallRecord) -> None:
        """Count one management event in its minute."""
        minute = record.at.replace(second=0, microsecond=0)
        source = record.event_source
        if _CALL_RATE in self.types and not record.read_only:
            key = (_CALL_RATE, source, record.operation)
            self._minutes.setdefault(key, collections.Counter())[minute] += 1
        if _ERROR_RATE in self.types and record.error_code is not None:
            key = (_ERROR_RATE, source, record.operation)
            self._minutes.setdefault(key, collections.Counter())[minute] += 1

    def scan(
        self, now: datetime, new_id: Any, account_id: str, region: str
    ) -> list[dict[str, Any]]:
        """Close every whole minute before `now`; return the insight events they produce.

        Args:
            now: the current time.
            new_id: a function giving a fresh GUID.
            account_id / region: the place (``recipientAccountId``, ``awsRegion``).
        """
        if self.started_at is None:
            return []
        last = now.replace(second=0, microsecond=0)
        first = self._scanned_to or self.started_at.replace(second=0, microsecond=0)
        produced: list[dict[str, Any]] = []
        minute = first
        while minute < last:
            for key, counts in self._minutes.items():
                produced.extend(self._step(key, counts, minute, new_id, account_id, region))
            minute += timedelta(minutes=1)
        self._scanned_to = max(first, last)
        return produced

    def _step(
        self,
        key: tuple[str, str, str],
        counts: collections.Counter[datetime],
        minute: datetime,
        new_id: Any,
        account_id: str,
        region: str,
    ) -> list[dict[str, Any]]:
        assert self.started_at is not None
        if minute - self.started_at < self.min_history:
            return []
        window_start = minute - self.baseline_window
        total = sum(c for m, c in counts.items() if window_start <= m < minute)
        minutes = self.baseline_window.total_seconds() / 60
        baseline = total / minutes
        threshold = max(self.factor * baseline, baseline + self.min_delta)
        value = counts.get(minute, 0)
        anomaly = self._open.get(key)
        if anomaly is None:
            if value > threshold:
                anomaly = _Anomaly(minute, [value], baseline, new_id())
                self._open[key] = anomaly
                return [self._event("Start", key, anomaly, minute, new_id, account_id, region)]
            return []
        if value > max(self.factor * anomaly.baseline, anomaly.baseline + self.min_delta):
            anomaly.counts.append(value)
            return []
        del self._open[key]
        return [self._event("End", key, anomaly, minute, new_id, account_id, region)]

    def _event(
        self,
        state: str,
        key: tuple[str, str, str],
        anomaly: _Anomaly,
        at: datetime,
        new_id: Any,
        account_id: str,
        region: str,
    ) -> dict[str, Any]:
        insight_type, source, name = key
        counts = anomaly.counts
        statistics: dict[str, Any] = {
            "baseline": {"average": anomaly.baseline},
            "insight": {"average": counts[0] if state == "Start" else sum(counts) / len(counts)},
            "insightDuration": len(counts),
            "baselineDuration": int(self.baseline_window.total_seconds() // 60),
        }
        return {
            "eventVersion": "1.08",
            "eventTime": event_time(at),
            "awsRegion": region,
            "eventID": new_id(),
            "eventType": "AwsCloudTrailInsight",
            "recipientAccountId": account_id,
            "sharedEventID": anomaly.shared_id,
            "insightDetails": {
                "state": state,
                "eventSource": source,
                "eventName": name,
                "insightType": insight_type,
                "insightContext": {"statistics": statistics, "attributions": []},
            },
            "eventCategory": "Insight",
        }

"""Vended metrics: what an AWS service publishes about itself, counted, sent on the clock.

Main class: `VendedMetrics`. A service (SQS, SNS, Kinesis, Firehose, Logs, S3)
owns one per namespace. Its hot paths call `add` (a dictionary update: no
datapoint is built, no CloudWatch call is made); a clock job at each period
boundary turns what was added into one statistic set per metric and
dimensions, stamped with the start of the period that ended, and publishes it
through `CloudWatch.publish_statistics`. A `sampler` gives the gauges
(queue depths, ages of oldest records) at each boundary, and zeros for the
counters of resources AWS counts as active.

Publishing periods follow AWS's documentation: one minute for SQS, SNS,
Kinesis (basic and enhanced), Firehose, Logs, S3 request metrics and
AWS/Usage; one day for S3 storage metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from awsmon.cloudwatch.metrics.model import MetricKey, StandardUnit, StatisticSet
from awsmon.cloudwatch.metrics.store import epoch_seconds, from_epoch

if TYPE_CHECKING:
    from awsmon.clock import Job

__all__ = ["Dims", "Sample", "VendedMetrics", "dims"]

#: Dimensions as a hashable, ordered tuple of (name, value) pairs.
Dims = tuple[tuple[str, str], ...]
#: One sampled point: metric name, dimensions, value, unit.
Sample = tuple[str, Dims, float, StandardUnit]

_COUNT = StandardUnit.COUNT


def dims(**pairs: str) -> Dims:
    """Dimensions from keyword pairs: ``dims(QueueName="jobs")``."""
    return tuple(sorted(pairs.items()))


class VendedMetrics:
    """The vended metrics of one namespace of one service instance (see the module).

    Attributes:
        namespace: ``AWS/SQS``, ``AWS/SNS`` ...
        period: the publishing period (60 s, or a day for S3 storage).
        enabled: False stops counting and publishing (for benchmarks and for
            tests that want a quiet CloudWatch).
    """

    def __init__(
        self,
        ctx: Any,
        namespace: str,
        *,
        period: timedelta = timedelta(minutes=1),
        sampler: Callable[[datetime], Iterable[Sample]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.namespace = namespace
        self.period = period
        self.enabled = True
        self._sampler = sampler
        self._stats: dict[tuple[str, Dims, StandardUnit], list[float]] = {}
        self._job: Job | None = None

    def add(
        self, metric: str, dimensions: Dims, value: float = 1.0, unit: StandardUnit = _COUNT
    ) -> None:
        """Count `value` of `metric` now; published at the end of this period."""
        if not self.enabled:
            return
        key = (metric, dimensions, unit)
        stats = self._stats.get(key)
        if stats is None:
            self._stats[key] = [1.0, value, value, value]
            if self._job is None:
                self.wake()
            return
        stats[0] += 1.0
        stats[1] += value
        if value < stats[2]:
            stats[2] = value
        elif value > stats[3]:
            stats[3] = value

    def wake(self) -> None:
        """Start the publishing job (a resource whose gauges must be published now exists)."""
        if self._job is not None or not self.enabled:
            return
        step = int(self.period.total_seconds())
        now = epoch_seconds(self.ctx.now())
        self._job = self.ctx.clock.call_every(
            self.period,
            self._flush,
            first=from_epoch(now - now % step + step),
            name=f"{self.namespace} metrics {self.ctx.account_id}/{self.ctx.region}",
        )

    def pending(self) -> Mapping[tuple[str, Dims, StandardUnit], list[float]]:
        """What was counted this period, by (metric, dimensions, unit): [n, sum, min, max]."""
        return self._stats

    def _flush(self) -> None:
        now = self.ctx.now()
        stats, self._stats = self._stats, {}
        if self._sampler is not None:
            for metric, dimensions, value, unit in self._sampler(now):
                key = (metric, dimensions, unit)
                if key not in stats:  # a counted key keeps its counts (zero-fill)
                    stats[key] = [1.0, value, value, value]
        if not stats:
            if self._job is not None:
                self._job.cancel()
                self._job = None
            return
        try:
            cloudwatch = self.ctx.sibling("cloudwatch")
        except KeyError:
            return
        at = now - self.period
        for (metric, dimensions, unit), (n, total, low, high) in stats.items():
            cloudwatch.publish_statistics(
                MetricKey.of(self.namespace, metric, dimensions),
                at,
                StatisticSet(sample_count=n, sum=total, minimum=low, maximum=high),
                unit=unit,
            )

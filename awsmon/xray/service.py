"""AWS X-Ray: segments in, traces, summaries and service graphs out.

`XRay` is the service of one account and region (``cloud.xray``). Its
operations, by purpose:

- ingestion: `put_trace_segments` (and the UDP daemon, `start_daemon`;
  the aws-xray-sdk emitter, `sdk_emitter`; the simulated-application
  recorder, `recorder`);
- reading traces: `get_trace_summaries`, `batch_get_traces`, `get_trace_graph`;
- service graphs: `get_service_graph`, `get_time_series_service_statistics`
  (`awsmon.xray.graph_ops`);
- sampling: `create_sampling_rule`, `get_sampling_rules`,
  `update_sampling_rule`, `delete_sampling_rule`, `get_sampling_targets`,
  `get_sampling_statistic_summaries`, and `sampler` (the SDK algorithm for a
  simulated application);
- groups, encryption, telemetry and tags (`awsmon.xray.config`).

Traces keep 30 days (a clock job every hour drops older ones, by the time in
the trace id). A trace holds at most 500 KB of documents, 100 KB when they
trickle in with time gaps (`trace_limits`, `awsmon.xray.record.TraceLimits`);
past that its documents are rejected and BatchGetTraces says LimitExceeded.
Documents the daemon received enter the cloud on the simulation's own
thread: at the next X-Ray call, or at the next whole second the clock passes
while the daemon runs.

>>> from datetime import timedelta
>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> now = cloud.clock.time()
>>> doc = {"name": "api", "id": "70de5b6f19ff9a0a", "start_time": now - 0.5, "end_time": now,
...        "trace_id": "1-67d4465e-a006649127e371903a2de979"}
>>> cloud.xray.put_trace_segments([doc])
[]
>>> end = cloud.clock.now()
>>> page = cloud.xray.get_trace_summaries(end - timedelta(minutes=5), end,
...                                       filter_expression='service("api")')
>>> [v.trace_id for v in page.traces], page.traces[0].response_time
(['1-67d4465e-a006649127e371903a2de979'], 0.5)
"""

from __future__ import annotations

import collections
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

import awsmon.xray._paging as paging
from awsmon import jsondoc
from awsmon.dispatch import Service, ServiceContext, operation
from awsmon.skew import SKEW_LIMIT
from awsmon.xray.config import ConfigOperations
from awsmon.xray.daemon import DaemonHandle
from awsmon.xray.emitter import SdkEmitter, SdkSampler
from awsmon.xray.filter_expression import FilterExpression
from awsmon.xray.graph_ops import GraphOperations, SeriesPoint, ServiceGraph
from awsmon.xray.model import SamplingStrategyName, Segment, TimeRangeType, trace_id_epoch
from awsmon.xray.recorder import Recorder
from awsmon.xray.sampling import Sampler
from awsmon.xray.segments import MAX_TRACE_AGE_SECONDS, Rejection, parse_documents
from awsmon.xray.store import TraceStore
from awsmon.xray.trace import TraceLimits, TraceView

__all__ = ["SeriesPoint", "ServiceGraph", "SummaryPage", "TraceBatch", "XRay"]


@frozen(kw_only=True)
class SummaryPage:
    """One page of GetTraceSummaries."""

    traces: list[TraceView]
    approximate_time: datetime
    processed_count: int
    next_token: str | None


@frozen(kw_only=True)
class TraceBatch:
    """One page of BatchGetTraces: the traces found and the ids not found."""

    traces: list[TraceView]
    unprocessed: list[str]
    next_token: str | None


class XRay(ConfigOperations, GraphOperations, Service):
    """The X-Ray service of one account and region.

    Attributes:
        max_trace_age: the oldest trace id time PutTraceSegments accepts, and
            the retention of trace data (30 days).
        max_summary_window: the longest GetTraceSummaries time range (24 h;
            reference U21, UNCONFIRMED).
        summaries_page_size: trace summaries per page (100, UNCONFIRMED).
        traces_per_batch: traces per BatchGetTraces page (5, UNCONFIRMED).
        trace_limits: how large a trace may grow (`TraceLimits`: 500 KB
            batched, 100 KB trickled in; None: no limit).
        store: the `TraceStore`.
    """

    max_trace_age: timedelta | None = timedelta(seconds=MAX_TRACE_AGE_SECONDS)
    max_summary_window: timedelta | None = timedelta(hours=24)
    summaries_page_size = 100
    traces_per_batch = 5
    trace_limits: TraceLimits | None = TraceLimits()

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self._init_config()
        self.store = TraceStore(self.group_filters)
        self._inbox: collections.deque[bytes] = collections.deque()
        self.pump_datagramsing = False
        #: The last `MAX_DAEMON_REJECTIONS` refused datagrams (text cut to
        #: `REJECTED_TEXT_CHARS`): a diagnostic, so bounded whatever arrives.
        self.daemon_rejections: collections.deque[tuple[str, Rejection | None]] = (
            collections.deque(maxlen=MAX_DAEMON_REJECTIONS)
        )
        self._retention_job: Any = None

    # -- ingestion ------------------------------------------------------------------

    def _check_skew(self, segment: Segment) -> None:
        """The wall-clock seam: say so once when a segment is stamped far from virtual now."""
        self.ctx.check_skew("a segment's start_time", segment.start_time)
        self.ctx.check_skew("a trace id's time", trace_id_epoch(segment.trace_id))

    @operation("PutTraceSegments")
    def put_trace_segments(
        self, trace_segment_documents: Sequence[str | Mapping[str, Any]]
    ) -> list[Rejection]:
        """Upload segment documents (PutTraceSegments); returns the rejected ones.

        Each document is a JSON string (or its parsed mapping): a segment, an
        in-progress segment, a subsegment sent on its own or an array of
        subsegments. Valid documents are kept even when others are rejected.
        """
        self.pump_datagrams()
        now = self.ctx.clock.time()
        max_age = None if self.max_trace_age is None else self.max_trace_age.total_seconds()
        rejected: list[Rejection] = []
        store = self.store
        limits = self.trace_limits
        skew = SKEW_LIMIT.total_seconds()
        stored = 0
        traces: dict[str, None] = {}  # the traces of the accepted documents, in order
        for document in trace_segment_documents:
            accepted, bad = parse_documents(document, now=now, max_trace_age=max_age)
            if bad:
                rejected.extend(bad)
            for segment in accepted:
                trace_id = segment.trace_id
                # The skew warning's own check is dear; most segments are stamped near now.
                if abs(segment.start_time - now) > skew or (
                    trace_id not in traces and abs(trace_id_epoch(trace_id) - now) > skew
                ):
                    self._check_skew(segment)
                if not store.put(segment, now, limits):
                    rejected.append(Rejection.trace_too_large(segment))
                traces[trace_id] = None
            stored += len(accepted)
        if stored:
            # One moment per call (a batch of up to 50 documents), not one per document.
            self.ctx.note(
                "trace",
                f"{stored} segment document(s) for trace " + ", ".join(sorted(traces)),
                segments=stored,
            )
        if self._retention_job is None and len(store):
            self._retention_job = self.ctx.clock.call_every(
                timedelta(hours=1), self._expire, name="xray retention"
            )
        return rejected

    def _expire(self) -> None:
        age = self.max_trace_age or timedelta(seconds=MAX_TRACE_AGE_SECONDS)
        self.store.expire(self.ctx.clock.time() - age.total_seconds())

    def receive_datagram(self, data: bytes) -> None:
        """Queue one daemon datagram (any thread; `pump_datagrams` takes it in)."""
        self._inbox.append(data)

    def pump_datagrams(self) -> None:
        """Bring in the daemon's datagrams, in batches of 50 as the daemon uploads them."""
        if self.pump_datagramsing or not self._inbox:
            return
        self.pump_datagramsing = True
        try:
            batch: list[str] = []
            while self._inbox:
                raw = self._inbox.popleft()
                document = _daemon_body(raw)
                if document is None:
                    text = raw[:REJECTED_TEXT_CHARS].decode("utf-8", "replace")
                    self.daemon_rejections.append((text, None))
                    continue
                batch.append(document)
                if len(batch) == 50:
                    self._upload(batch)
                    batch = []
            if batch:
                self._upload(batch)
        finally:
            self.pump_datagramsing = False

    def _upload(self, batch: list[str]) -> None:
        for rejection in self.put_trace_segments(batch):
            self.daemon_rejections.append(("", rejection))

    # -- traces ---------------------------------------------------------------------

    @operation("GetTraceSummaries")
    def get_trace_summaries(
        self,
        start_time: datetime,
        end_time: datetime,
        *,
        time_range_type: TimeRangeType = TimeRangeType.TRACE_ID,
        filter_expression: str | None = None,
        sampling: bool = False,
        sampling_strategy: tuple[SamplingStrategyName, float] | None = None,
        next_token: str | None = None,
    ) -> SummaryPage:
        """Trace summaries in a time range, most recent first (GetTraceSummaries).

        Args:
            start_time, end_time: the window (the trace id time, the update time
                or a segment end time, by `time_range_type`).
            filter_expression: keep only traces it matches.
            sampling: return only a subset (`sampling_strategy`, default
                FixedRate 0.1): FixedRate keeps a fixed share of the traces,
                chosen by trace id; PartialScan scans only that share of the
                most recent traces.
            next_token: the token of the previous page.

        Raises:
            InvalidRequestException: end before start, a window longer than
                `max_summary_window`, a bad filter expression or token.
        """
        self.pump_datagrams()
        paging.check_window(start_time, end_time, self.max_summary_window)
        compiled = FilterExpression.parse(filter_expression) if filter_expression else None
        fingerprint = paging.fingerprint(
            start_time, end_time, time_range_type, filter_expression, sampling, sampling_strategy
        )
        offset = paging.read_token(next_token, fingerprint)
        candidates = self.store.candidates(
            start_time.timestamp(), end_time.timestamp(), time_range_type
        )
        if sampling:
            name, rate = sampling_strategy or (SamplingStrategyName.FIXED_RATE, 0.1)
            if name is SamplingStrategyName.PARTIAL_SCAN:
                candidates = candidates[: max(1, int(len(candidates) * rate))]
            else:
                candidates = [t for t in candidates if _share(t) < rate]
        found: list[TraceView] = []
        position = offset
        store = self.store
        while position < len(candidates) and len(found) < self.summaries_page_size:
            trace_id = candidates[position]
            position += 1
            # The trace's facts rule most traces out without rebuilding them.
            if compiled is not None and store.verdict(trace_id, compiled) is False:
                continue
            view = store.view(trace_id)
            if view is not None and (compiled is None or compiled.matches(view)):
                found.append(view)
        token = paging.token(fingerprint, position) if position < len(candidates) else None
        return SummaryPage(
            traces=found,
            approximate_time=self.ctx.now(),
            processed_count=position - offset,
            next_token=token,
        )

    @operation("BatchGetTraces")
    def batch_get_traces(
        self, trace_ids: Sequence[str], *, next_token: str | None = None
    ) -> TraceBatch:
        """The processed traces with these ids, `traces_per_batch` per page (BatchGetTraces)."""
        self.pump_datagrams()
        fingerprint = paging.fingerprint(*trace_ids)
        offset = paging.read_token(next_token, fingerprint)
        page = list(trace_ids)[offset : offset + self.traces_per_batch]
        found, missing = [], []
        for trace_id in page:
            view = self.store.view(trace_id)
            if view is None:
                missing.append(trace_id)
            else:
                found.append(view)
        end = offset + len(page)
        token = paging.token(fingerprint, end) if end < len(trace_ids) else None
        return TraceBatch(traces=found, unprocessed=missing, next_token=token)

    # -- interfaces for real clients --------------------------------------------------

    def start_daemon(self, host: str = "127.0.0.1", port: int = 2000) -> DaemonHandle:
        """Listen for the daemon protocol on UDP `host`:`port` (0: any free port).

        Returns:
            The handle: ``address``, ``port``, ``stop()``.
        """
        return DaemonHandle.start(self, host, port)

    def sampler(self, client_id: str | None = None) -> Sampler:
        """The SDK sampling algorithm for one simulated application.

        Its counters are reported (GetSamplingTargets) every 10 s and its
        rules refreshed (GetSamplingRules) every 300 s, as clock jobs; draws
        come from the cloud's seeded random source.
        """
        clock = self.ctx.clock

        def fetch_targets(reports: list[Any]) -> tuple[list[Any], datetime | None]:
            targets, modified, _ = self.get_sampling_targets(reports)
            return targets, modified

        sampler = Sampler(
            client_id=client_id or self.ctx.ids.hex(24),
            now=clock.time,
            rng=self.ctx.rng,
            fetch_rules=self.get_sampling_rules,
            fetch_targets=fetch_targets,
        )
        clock.call_every(10, lambda: sampler.report(self.ctx.now()), name="xray sampler report")
        clock.call_every(300, sampler.refresh_rules, name="xray sampler rules")
        return sampler

    def recorder(self, service_name: str, **options: Any) -> Recorder:
        """A recorder for a simulated application named `service_name` (`awsmon.xray.recorder`)."""
        return Recorder(self, service_name, **options)

    def sdk_emitter(self) -> SdkEmitter:
        """An emitter for ``aws_xray_sdk``'s recorder: its segments land here, no network."""
        return SdkEmitter(self)

    def sdk_sampler(self) -> SdkSampler:
        """A sampler for ``aws_xray_sdk``'s recorder that follows this service's rules."""
        return SdkSampler(self)

    def segments(self, trace_id: str) -> list[Segment]:
        """The stored documents of a trace, as received (segments, then subsegments)."""
        self.pump_datagrams()
        record = self.store.records.get(trace_id)
        if record is None:
            return []
        return list(record.documents())


#: How many refused daemon datagrams `XRay.daemon_rejections` keeps, and how much of each.
MAX_DAEMON_REJECTIONS = 1000
REJECTED_TEXT_CHARS = 1024


def _daemon_body(raw: bytes) -> str | None:
    """The document of a daemon datagram, or None when the header is not json version 1."""
    header, newline, body = raw.partition(b"\n")
    if not newline or not body.strip():
        return None
    if header in _GOOD_HEADERS:  # the SDKs send the same header every time
        return body.decode("utf-8", "replace")
    try:
        parsed = jsondoc.loads(header)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    fmt, version = parsed.get("format"), parsed.get("version")
    if not isinstance(fmt, str) or fmt.lower() != "json" or version != 1:
        return None
    if len(_GOOD_HEADERS) < 64:
        _GOOD_HEADERS.add(header)
    return body.decode("utf-8", "replace")


#: Daemon headers accepted lately (byte for byte), so as not to parse them again.
_GOOD_HEADERS: set[bytes] = set()


def _share(trace_id: str) -> float:
    digest = hashlib.blake2b(trace_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64

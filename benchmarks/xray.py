"""X-Ray: awsmon beside moto's backend on the same work (issue 8's benchmark).

Work: 100,000 traces of 5 segments each spread over one day (a frontend
calling an orders service, which calls inventory, payments and a
notifications service; orders also calls DynamoDB, an inferred node).

(a) ingestion: the 500,000 segment documents (JSON strings, as the daemon
    uploads them, 50 per PutTraceSegments call through the domain), then the
    processing of every trace (assembly, inferred segments, graph buckets);
(b) GetTraceSummaries over the day with ``service("payments") { fault }``
    (first page, and every page), through the wire client;
(c) GetServiceGraph over the day, through the wire client.

moto's X-Ray backend (if installed) ingests the same documents
(``process_segment``) and answers an unfiltered GetTraceSummaries (it has no
filter expressions and no service graph). Prints figures and ratios;
asserts nothing.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from awsmon import Cloud, VirtualClock

TRACES = 100_000
DAY = 86_400
END = datetime(2025, 6, 2, tzinfo=UTC)
START = END - timedelta(days=1)

try:
    from moto.xray.models import XRayBackend

    HAVE_MOTO = True
except ImportError:  # pragma: no cover - moto is optional
    HAVE_MOTO = False


def documents(seed: int = 1) -> list[str]:
    """5 segment documents per trace, JSON text."""
    rng = random.Random(seed)
    out = []
    base = START.timestamp()
    for n in range(TRACES):
        t0 = base + n * DAY / TRACES
        trace_id = f"1-{int(t0):08x}-{n:024x}"
        ids = [f"{n:010x}{k:06x}" for k in range(12)]
        fault = rng.random() < 0.02
        status = 500 if fault else (404 if rng.random() < 0.03 else 200)

        def seg(
            i: int, name: str, start: float, dur: float, parent: str | None, *,
            ids: list[str] = ids, trace_id: str = trace_id, **kw: Any,
        ) -> str:
            doc: dict[str, Any] = {
                "name": name, "id": ids[i], "trace_id": trace_id, "start_time": start,
                "end_time": start + dur, "origin": "AWS::EC2::Instance",
                "http": {"request": {"method": "GET", "url": f"https://{name}/api"},
                         "response": {"status": kw.pop("status", 200)}},
            }
            if parent:
                doc["parent_id"] = parent
            doc.update(kw)
            return json.dumps(doc)

        def call(
            i: int, name: str, start: float, dur: float, *, ids: list[str] = ids, **kw: Any
        ) -> dict[str, Any]:
            return {"id": ids[i], "name": name, "start_time": start, "end_time": start + dur,
                    "namespace": "remote", **kw}

        out += [
            seg(0, "frontend", t0, 0.2, None, status=status, user=f"u{n % 500}",
                annotations={"tenant": f"t{n % 7}"},
                subsegments=[call(5, "orders", t0 + 0.01, 0.18)]),
            seg(1, "orders", t0 + 0.011, 0.17, ids[5], subsegments=[
                call(6, "inventory", t0 + 0.02, 0.03), call(7, "payments", t0 + 0.06, 0.05),
                call(8, "notifications", t0 + 0.12, 0.02),
                {"id": ids[9], "name": "DynamoDB", "start_time": t0 + 0.15,
                 "end_time": t0 + 0.16, "namespace": "aws", "aws": {"table_name": "orders"}}]),
            seg(2, "inventory", t0 + 0.021, 0.028, ids[6]),
            seg(3, "payments", t0 + 0.061, 0.048, ids[7], status=status,
                fault=fault),
            seg(4, "notifications", t0 + 0.121, 0.018, ids[8]),
        ]
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def row(label: str, ours: float, theirs: float | None, unit: str) -> None:
    if theirs is None:
        print(f"  {label:<52} awsmon {ours:>12,.3f} {unit}")
        return
    ratio = ours / theirs if unit.endswith("/s") else theirs / ours
    print(f"  {label:<52} awsmon {ours:>12,.3f} {unit}  moto {theirs:>12,.3f} {unit}"
          f"  awsmon/moto {ratio:,.1f}x")


def main() -> None:
    docs = documents()
    print(f"X-Ray benchmark: {TRACES:,} traces, {len(docs):,} segment documents over one day")
    cloud = Cloud(clock=VirtualClock(start=END))
    xray = cloud.xray

    def ingest() -> None:
        for i in range(0, len(docs), 50):
            xray.put_trace_segments(docs[i : i + 50])

    put_seconds, _ = timed(ingest)
    process_seconds, _ = timed(xray.store.process)
    moto_put = None
    backend: Any = None
    if HAVE_MOTO:
        backend = XRayBackend("us-east-1", "123456789012")

        def moto_ingest() -> None:
            for doc in docs:
                backend.process_segment(doc)

        moto_put, _ = timed(moto_ingest)
    total = put_seconds + process_seconds
    print("(a) ingestion")
    row("PutTraceSegments (validate, store, index)", len(docs) / put_seconds,
        None if moto_put is None else len(docs) / moto_put, "segments/s")
    row("processing (assembly, inferred, graph buckets)", len(docs) / process_seconds, None,
        "segments/s")
    row("ingestion + processing", len(docs) / total,
        None if moto_put is None else len(docs) / moto_put, "segments/s")

    client = cloud.client("xray")
    window = {"StartTime": START, "EndTime": END}
    flt = 'service("payments") { fault }'
    first, page = timed(lambda: client.get_trace_summaries(**window, FilterExpression=flt))

    def every_page() -> int:
        count, token = 0, None
        while True:
            extra = {"NextToken": token} if token else {}
            answer = client.get_trace_summaries(**window, FilterExpression=flt, **extra)
            count += len(answer["TraceSummaries"])
            token = answer.get("NextToken")
            if not token:
                return count

    all_pages, found = timed(every_page)
    unfiltered, _ = timed(lambda: client.get_trace_summaries(**window))
    moto_summary = None
    if backend is not None:
        moto_summary, _ = timed(
            lambda: backend.get_trace_summary(START.replace(tzinfo=None),
                                              END.replace(tzinfo=None), None))
    print("(b) GetTraceSummaries over the day")
    row(f"{flt}: first page ({len(page['TraceSummaries'])} summaries)", first, None, "s")
    row(f"{flt}: all pages ({found:,} traces)", all_pages, None, "s")
    row("no filter: first page (moto: everything, unfiltered)", unfiltered, moto_summary, "s")

    graph_seconds, graph = timed(lambda: client.get_service_graph(**window))
    print("(c) GetServiceGraph over the day (moto: not implemented)")
    row(f"{len(graph['Services'])} nodes", graph_seconds, None, "s")


if __name__ == "__main__":
    main()

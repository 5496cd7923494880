"""X-Ray: awsmon beside moto's backend on the same work (issue 8's benchmark).

Work: 100,000 traces of 5 segments each spread over one day (a frontend
calling an orders service, which calls inventory, payments and a
notifications service; orders also calls DynamoDB, an inferred node).

(a) ingestion: the 500,000 segment documents (JSON strings, as the daemon
    uploads them, 50 per PutTraceSegments call through the domain), alone and
    followed by the processing of every trace (assembly, inferred segments,
    graph buckets: what any query over the day waits for); the same through
    the wire client (``client("xray").put_trace_segments``), and through the
    daemon: every document a datagram handed to the UDP bridge
    (`XRay.receive_datagram`, what the reader thread does) and brought in,
    and a real UDP run (10% of the documents sent to a started daemon on
    loopback; datagrams the OS drops are counted, not hidden);
(b) GetTraceSummaries over the day with ``service("payments") { fault }``
    (first page, and every page), through the wire client;
(c) GetServiceGraph over the day, through the wire client.

moto's X-Ray backend (if installed) ingests the same documents
(``process_segment``: parse and keep, no processing) and answers an
unfiltered GetTraceSummaries (it has no filter expressions and no service
graph). awsmon runs first and its cloud is dropped before moto runs, so that
neither pays for the other's heap in garbage collection. Every figure is the
best of ``--repeat`` runs (default 3): the machine may be shared and noisy.
Prints figures and ratios; asserts nothing.

Figures (2026-12-07, 100,000 traces, best of 3, shared 2-core machine at
load 1-3.5; main before the upload digests / after):

- ingestion + processing: 18,400 / 24,100-26,200 segments/s (moto 24,000-29,300);
- PutTraceSegments only: 36,800 / 25,700-27,400 segments/s;
- through the wire client 17,900 / 23,600; the daemon's bridge 15,900 / 22,200.

Later the same day, on a quieter machine (a new session), before / after
the flat tuples (records keep each document as one flat plain tuple, facts
are one flat tuple: the cycle collector untracks them before its oldest
generation, so a loading store sees 12 -> 7 full collections while
uploading and 5 -> 2 while processing): the wire client with processing,
back to back, 34,300-40,100 / 43,600-46,000 segments/s; the whole
benchmark after, best of 3: ingestion + processing 46,900, through the wire
client 48,400, the daemon's bridge 44,500, PutTraceSegments only 69,600
segments/s (moto 35,200). Of what remains, validating the documents is
about a third, msgspec's parse a tenth, full collections about a tenth
(one `TraceRecord` and its dict per trace stay tracked), storing, digest
facts and graph buckets the rest.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from awsmon import Cloud, VirtualClock

if TYPE_CHECKING:  # for annotations only: the run imports X-Ray when it first uses it
    from awsmon.xray import XRay

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
            i: int,
            name: str,
            start: float,
            dur: float,
            parent: str | None,
            *,
            ids: list[str] = ids,
            trace_id: str = trace_id,
            **kw: Any,
        ) -> str:
            doc: dict[str, Any] = {
                "name": name,
                "id": ids[i],
                "trace_id": trace_id,
                "start_time": start,
                "end_time": start + dur,
                "origin": "AWS::EC2::Instance",
                "http": {
                    "request": {"method": "GET", "url": f"https://{name}/api"},
                    "response": {"status": kw.pop("status", 200)},
                },
            }
            if parent:
                doc["parent_id"] = parent
            doc.update(kw)
            return json.dumps(doc)

        def call(
            i: int, name: str, start: float, dur: float, *, ids: list[str] = ids, **kw: Any
        ) -> dict[str, Any]:
            return {
                "id": ids[i],
                "name": name,
                "start_time": start,
                "end_time": start + dur,
                "namespace": "remote",
                **kw,
            }

        out += [
            seg(
                0,
                "frontend",
                t0,
                0.2,
                None,
                status=status,
                user=f"u{n % 500}",
                annotations={"tenant": f"t{n % 7}"},
                subsegments=[call(5, "orders", t0 + 0.01, 0.18)],
            ),
            seg(
                1,
                "orders",
                t0 + 0.011,
                0.17,
                ids[5],
                subsegments=[
                    call(6, "inventory", t0 + 0.02, 0.03),
                    call(7, "payments", t0 + 0.06, 0.05),
                    call(8, "notifications", t0 + 0.12, 0.02),
                    {
                        "id": ids[9],
                        "name": "DynamoDB",
                        "start_time": t0 + 0.15,
                        "end_time": t0 + 0.16,
                        "namespace": "aws",
                        "aws": {"table_name": "orders"},
                    },
                ],
            ),
            seg(2, "inventory", t0 + 0.021, 0.028, ids[6]),
            seg(3, "payments", t0 + 0.061, 0.048, ids[7], status=status, fault=fault),
            seg(4, "notifications", t0 + 0.121, 0.018, ids[8]),
        ]
    return out


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Best wall-clock and CPU seconds of `repeat` runs (a shared machine), and the last result."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        result = None  # the last run's cloud would double the heap the collector walks
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, result


def row(label: str, ours: float, theirs: float | None, unit: str) -> None:
    if theirs is None:
        print(f"  {label:<55} awsmon {ours:>11,.3f} {unit}")
        return
    ratio = ours / theirs if unit.endswith("/s") else theirs / ours
    print(
        f"  {label:<55} awsmon {ours:>11,.3f} {unit}  moto {theirs:>11,.3f} {unit}"
        f"  awsmon/moto {ratio:,.1f}x"
    )


FILTER = 'service("payments") { fault }'


def run_awsmon(docs: list[str], repeat: int) -> dict[str, float]:
    """Every awsmon figure; the cloud is dropped before moto runs (one heap at a time)."""
    out: dict[str, float] = {}

    def ingest_only() -> Cloud:
        cloud = Cloud(clock=VirtualClock(start=END))
        xray = cloud.xray
        for i in range(0, len(docs), 50):
            xray.put_trace_segments(docs[i : i + 50])
        return cloud

    def ingest_and_process() -> Cloud:
        cloud = ingest_only()
        cloud.xray.store.process()
        return cloud

    def wire_and_process() -> Cloud:
        cloud = Cloud(clock=VirtualClock(start=END))
        client = cloud.client("xray")
        for i in range(0, len(docs), 50):
            client.put_trace_segments(TraceSegmentDocuments=docs[i : i + 50])
        cloud.xray.store.process()
        return cloud

    def bridge_and_process() -> Cloud:
        cloud = Cloud(clock=VirtualClock(start=END))
        xray = cloud.xray
        for datagram in datagrams:
            xray.receive_datagram(datagram)
        xray.pump_datagrams()
        xray.store.process()
        return cloud

    datagrams = [HEADER + doc.encode() for doc in docs]
    out["put_wall"], out["put_cpu"], cloud = best_of(repeat, ingest_only)
    del cloud
    out["wire_wall"], out["wire_cpu"], cloud = best_of(repeat, wire_and_process)
    del cloud
    out["bridge_wall"], out["bridge_cpu"], cloud = best_of(repeat, bridge_and_process)
    del cloud
    datagrams.clear()
    udp = datagrams_over_udp(docs[: len(docs) // 10])
    out["udp_wall"], out["udp_cpu"], (out["udp_sent"], out["udp_stored"]) = best_of(repeat, udp)
    out["total_wall"], out["total_cpu"], cloud = best_of(repeat, ingest_and_process)
    client = cloud.client("xray")
    window = {"StartTime": START, "EndTime": END}

    def first_page() -> int:
        return len(client.get_trace_summaries(**window, FilterExpression=FILTER)["TraceSummaries"])

    def every_page() -> int:
        count, token = 0, None
        while True:
            extra: dict[str, str] = {"NextToken": token} if token else {}
            answer = client.get_trace_summaries(**window, FilterExpression=FILTER, **extra)
            count += len(answer["TraceSummaries"])
            token = answer.get("NextToken")
            if not token:
                return count

    out["first_page"], _, out["first_count"] = best_of(repeat, first_page)
    out["all_pages"], _, out["all_count"] = best_of(repeat, every_page)
    out["unfiltered"], _, _ = best_of(repeat, lambda: client.get_trace_summaries(**window))
    out["graph"], _, graph = best_of(repeat, lambda: client.get_service_graph(**window))
    out["nodes"] = len(graph["Services"])
    return out


HEADER = b'{"format": "json", "version": 1}\n'


def wait_for(done: Callable[[], bool], patience: float = 0.2) -> None:
    """Until `done()`, or until `patience` seconds pass (a datagram the OS dropped)."""
    deadline = time.monotonic() + patience
    while not done() and time.monotonic() < deadline:
        time.sleep(0.0002)


def datagrams_over_udp(docs: list[str]) -> Callable[[], tuple[int, int]]:
    """Send `docs` as datagrams to a started daemon, then bring them in and process them."""

    def run() -> tuple[int, int]:
        cloud = Cloud(clock=VirtualClock(start=END))
        xray: XRay = cloud.xray
        with (
            xray.start_daemon(port=0) as daemon,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
        ):
            target = (daemon.host, daemon.port)
            for n, doc in enumerate(docs, 1):
                sender.sendto(HEADER + doc.encode(), target)
                if n % 50 == 0:  # a burst, then let the reader catch up (the OS buffer is finite)

                    def caught_up(n: int = n) -> bool:
                        return daemon.received >= n

                    wait_for(caught_up)
            wait_for(lambda: daemon.received >= len(docs))
        xray.store.process()
        stored = sum(
            len(record.segments) + len(record.subsegments) for record in xray.store.records.values()
        )
        return len(docs), stored

    return run


def run_moto(docs: list[str], repeat: int) -> dict[str, float]:
    out: dict[str, float] = {}
    if not HAVE_MOTO:
        return out

    def ingest() -> Any:
        backend = XRayBackend("us-east-1", "123456789012")
        for doc in docs:
            backend.process_segment(doc)
        return backend

    out["put_wall"], out["put_cpu"], backend = best_of(repeat, ingest)
    start, end = START.replace(tzinfo=None), END.replace(tzinfo=None)
    out["unfiltered"], _, _ = best_of(repeat, lambda: backend.get_trace_summary(start, end, None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--traces", type=int, default=TRACES, help=f"traces (default {TRACES:,})")
    args = parser.parse_args()
    repeat = args.repeat
    globals()["TRACES"] = args.traces
    docs = documents()
    n = len(docs)
    print(
        f"X-Ray benchmark: {TRACES:,} traces, {n:,} segment documents over one day; "
        f"best of {repeat} runs, wall clock (CPU time beside ingestion figures)"
    )
    ours = run_awsmon(docs, repeat)
    gc.collect()
    theirs = run_moto(docs, repeat)
    moto_rate = n / theirs["put_wall"] if theirs else None
    print("(a) ingestion (aim: >= 40,000 segments/s with processing)")
    row(
        "PutTraceSegments only (validate, store, index)",
        n / ours["put_wall"],
        moto_rate,
        "segments/s",
    )
    row(
        "ingestion + processing (assembly, inferred, graph)",
        n / ours["total_wall"],
        moto_rate,
        "segments/s",
    )
    row("  the same through the wire client", n / ours["wire_wall"], moto_rate, "segments/s")
    row("  the same through the daemon's bridge", n / ours["bridge_wall"], moto_rate, "segments/s")
    sent, stored = ours["udp_sent"], ours["udp_stored"]
    row(
        f"  the same over UDP ({stored:,.0f} of {sent:,.0f} datagrams stored)",
        sent / ours["udp_wall"],
        moto_rate,
        "segments/s",
    )
    moto_cpu = None if not theirs else n / theirs["put_cpu"]
    row("  the same in CPU time", n / ours["total_cpu"], moto_cpu, "segments/s")
    row("  the wire client in CPU time", n / ours["wire_cpu"], moto_cpu, "segments/s")
    row("  the daemon's bridge in CPU time", n / ours["bridge_cpu"], moto_cpu, "segments/s")
    print("(b) GetTraceSummaries over the day, through the wire client")
    row(
        f"{FILTER}: first page ({ours['first_count']:.0f} summaries)", ours["first_page"], None, "s"
    )
    row(f"{FILTER}: all pages ({ours['all_count']:,.0f} traces)", ours["all_pages"], None, "s")
    row(
        "no filter: first page (moto: everything, unfiltered)",
        ours["unfiltered"],
        theirs.get("unfiltered"),
        "s",
    )
    print("(c) GetServiceGraph over the day (moto: not implemented)")
    row(f"{ours['nodes']:.0f} nodes", ours["graph"], None, "s")


if __name__ == "__main__":
    main()

"""CloudWatch Logs end to end: ingestion with metric filters, FilterLogEvents at scale.

Figures printed (nothing asserted), all measured in the same run:

1. PutLogEvents of 1,000,000 events (~200 bytes, batches of 4,000: the 1 MiB batch limit) into one
   stream, through the domain and through the wire client, without and with
   three metric filters on the group (a term count, a JSON value, a
   space-delimited value); moto's ``LogsBackend.put_log_events`` on the same
   batches when moto is importable.
2. FilterLogEvents over 100,000 and 1,000,000 stored events, paging through
   every match (10,000 per page), with a term pattern, a JSON pattern and a
   space-delimited pattern, in events searched per second; moto's
   ``filter_log_events`` on the term pattern (the only kind moto applies
   correctly) and a bare ``term in message`` loop as baselines.

Every figure is the best of 3 runs in CPU time (``time.process_time``): on
the shared two-core machine wall time mostly measures the neighbours (the
old code gave 30,600 events/s of wall time and 97,000 of CPU time for the
same space-delimited FilterLogEvents over 1,000,000 events, which is how a
"15,000 events/s" could be read off it).

Last session (branch ``logsput``) took the term+JSON+delimited row from
49,300 to 33,200 instructions an event (cachegrind), 112,000-120,000 to
145,000-169,000 events/s of CPU time. Its figures, before -> after: domain
no filters 138,467 -> 162,317; wire no filters 688,695 -> 857,609; wire 3
term filters 350,826 -> 556,956; FilterLogEvents space-delimited 394,850 ->
431,059 (one round; rows whose code did not change move by up to 20%).

This session (branch ``logs2``, 2026-12-07), same row, where the time went:

- a JSON message is read only as far as the group's JSON filters look
  (`awsmon.logs.json_fields.FieldsReader`): msgspec decodes it into a struct
  declaring only the top-level fields their selectors start with, skipping
  the rest in C (~0.4 us against ~3-5 us for a whole parse); anything msgspec
  refuses, or a text with more opening brackets than the depth bound, goes
  the plain way (`load_object`), so every answer is the plain path's;
- the depth bound's bracket count: numpy passes over the batch's joined
  bytes instead of two ``str.count`` per message (~5 instructions a
  character, and an argument parse per call);
- a pattern that is one numeric comparison of a top-level field
  (``{ $.latency > 100 }``) is decided by C-level passes, and the values it
  publishes converted the same way; JSON candidates found by their first
  character; hits gathered and scattered with ``itemgetter``;
- space-delimited values of ASCII digits converted by ``map(float, ...)``;
- CloudWatch's publish counts each minute's run with ``Counter`` (the store's
  own write, ``SeriesStore.add_values`` and ``ExactSlot.add``, still loops
  per distinct value in Python: ~150 instructions each, not mine to change);
- the store packs its 64-bit columns with ``struct.pack`` (``array("q",
  list)`` parses each item through the argument parser).

Counted by cachegrind (the ingest of 8,000 events through the wire minus the
same process without it, ``PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1``, after
``gc.freeze()`` as below): 28,657 instructions an event at aa55430 (this
session's start), 20,012 after (1.43x); without filters 4,053 -> 3,505. The
space-delimited gate regex is now the largest part (~3,000: sre's own
per-call set-up, a data stack malloc and a state memset, is ~800 of it), then
msgspec (~1,100 an event, 2,200 a JSON message) and the garbage collector
traversing the batch's young lists (~600).

Figures (events/s of CPU time, best of 3, ``python benchmarks/logs.py
200000``; before = aa55430, after = ``logs2`` at 1c82f6f; before and after
back to back, load average 1.3 to 2; the machine was slow: moto's row, whose
code is the same in both, moves from 190,000 to 332,000):

    =================================  =========  =========  =========  =========
    row                                before 1   after 1    before 2   after 2
    =================================  =========  =========  =========  =========
    domain, no filters                   229,399    203,582    225,876    274,761
    domain, 3 term filters               160,161    180,549    145,871    219,415
    wire, no filters                     698,719    729,594    743,799  1,218,131
    wire, 3 term filters                 350,029    359,620    365,123    439,809
    wire, term+JSON+delimited            106,748    148,175    128,174    212,968
    moto backend, no filters             249,097    196,378    190,084    331,939
    Filter, term (100,000 events)      2,216,372  2,874,815  2,019,643  2,680,202
    Filter, json                         732,138    662,008    773,543    862,453
    Filter, space-delimited              280,779    366,253    365,835    368,748
    bare loop 'ERROR' in m             5,777,698  5,910,367  5,718,879  6,029,014
    moto Filter, term                    257,111    253,565    358,874    380,849
    =================================  =========  =========  =========  =========

On a quieter machine the next day (a new session, same code but for X-Ray),
``python benchmarks/logs.py`` (1,000,000 events): wire term+JSON+delimited
308,000-338,000 events/s (aim 200,000), wire without filters 1,020,000-
1,030,000, FilterLogEvents space-delimited 505,000-524,000 (aim 300,000);
moto's backend without filters 410,000-428,000.

Run: ``PYTHONPATH=. python benchmarks/logs.py [count]`` from the repository root
(default 1,000,000; awsmon need not be installed).
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from logs_filter import access_lines, json_lines

from awsmon import Cloud
from awsmon.logs.model import MetricTransformation, to_millis

BATCH = 4_000  # ~226 bytes each with the overhead: under the 1 MiB batch limit

TERM_FILTERS = [
    ("errors", "ERROR", "1"),
    ("upstream", '"ERROR upstream" -favicon', "1"),
    ("logins", "?login ?cart", "1"),
]

FILTERS = [
    ("errors", "ERROR", "1"),
    ("latency", "{ $.latency > 100 }", "$.latency"),
    ("bytes", "[ip, id, user, ts, request, status=5*, size, ...]", "$size"),
]


def batches(messages: Sequence[str], start_ms: int) -> list[list[tuple[int, str]]]:
    """Batches of (timestamp, message), one millisecond apart, within a day."""
    out = []
    for first in range(0, len(messages), BATCH):
        chunk = messages[first : first + BATCH]
        out.append([(start_ms + (first + i) // 20, m) for i, m in enumerate(chunk)])
    return out


def fresh(group: str = "bench") -> Cloud:
    cloud = Cloud()
    cloud.logs.create_log_group(group)
    cloud.logs.create_log_stream(group, "s")
    return cloud


#: Runs per figure; the best is printed.
REPEATS = 3


def timed(run: Callable[[], Any]) -> float:
    """CPU seconds of one run (the machine is shared: wall time measures the neighbours too)."""
    start = time.process_time()
    run()
    return time.process_time() - start


def best(run: Callable[[], float]) -> float:
    """The best of `REPEATS` figures `run` returns (each run sets itself up afresh)."""
    return min(run() for _ in range(REPEATS))


def ingest_awsmon(
    work: list[list[tuple[int, str]]],
    *,
    filters: list[tuple[str, str, str]] | None,
    wire: bool,
) -> float:
    cloud = fresh()
    if filters:
        for name, pattern, value in filters:
            cloud.logs.put_metric_filter(
                "bench",
                name,
                pattern,
                [
                    MetricTransformation(
                        metric_name=name, metric_namespace="Bench", metric_value=value
                    )
                ],
            )
    if wire:
        client = cloud.client("logs")
        wire_work = [[{"timestamp": t, "message": m} for t, m in batch] for batch in work]

        def run() -> None:
            for batch in wire_work:
                client.put_log_events(logGroupName="bench", logStreamName="s", logEvents=batch)

        return timed(run)
    logs = cloud.logs
    return timed(lambda: [logs.put_log_events("bench", "s", batch) for batch in work])


def moto_backend() -> Any:
    try:
        from moto.logs.models import LogsBackend
    except ImportError:
        return None
    return LogsBackend("us-east-1", "123456789012")


def moto_batches(work: list[list[tuple[int, str]]]) -> list[list[dict[str, Any]]]:
    """The same batches, re-stamped near the wall clock (moto checks ages against it)."""
    shift = int(time.time() * 1000) - 3_600_000 - work[0][0][0]
    return [[{"timestamp": t + shift, "message": m} for t, m in batch] for batch in work]


def ingest_moto(work: list[list[tuple[int, str]]]) -> tuple[float, Any]:
    backend = moto_backend()
    backend.create_log_group("bench", {})
    backend.create_log_stream("bench", "s")
    wire_work = moto_batches(work)

    def run() -> None:
        for batch in wire_work:
            backend.put_log_events("bench", "s", batch)

    return timed(run), backend


def filter_awsmon(cloud: Cloud, pattern: str) -> tuple[float, int]:
    """Seconds to page through every match of `pattern`, and the match count."""
    logs = cloud.logs
    hits = 0

    def run() -> None:
        nonlocal hits
        hits = 0
        token = None
        while True:
            page = logs.filter_log_events("bench", filter_pattern=pattern, next_token=token)
            hits += len(page.events)
            token = page.next_token
            if token is None:
                return

    return timed(run), hits


def filter_moto(backend: Any, pattern: str) -> tuple[float, int]:
    hits = 0

    def run() -> None:
        nonlocal hits
        hits = 0
        token = None
        while True:
            events, token, _ = backend.filter_log_events(
                "bench", [], 0, 2**62, 10_000, token, pattern, True
            )
            hits += len(events)
            if not token:
                return

    return timed(run), hits


def bare_loop(messages: Sequence[str], term: str) -> float:
    """CPU seconds of the plainest search there is: ``term in message`` in a loop."""
    start = time.process_time()
    sum(1 for m in messages if term in m)
    return time.process_time() - start


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(7)
    print(f"generating {count:,} access-log and {count:,} JSON lines ...")
    text = access_lines(count, rng)
    documents = json_lines(count, rng)
    start_ms = to_millis(Cloud().clock.now()) - 3_600_000
    work = batches(text, start_ms)
    gc.collect()
    gc.freeze()  # the generated corpora are not the simulator's garbage to traverse
    mixed = batches(
        [d if i % 2 else t for i, (t, d) in enumerate(zip(text, documents, strict=True))], start_ms
    )

    print(f"\n1. PutLogEvents, {count:,} events in batches of {BATCH:,}")
    rows = [
        ("awsmon domain, no filters", best(lambda: ingest_awsmon(work, filters=None, wire=False))),
        (
            "awsmon domain, 3 term filters",
            best(lambda: ingest_awsmon(work, filters=TERM_FILTERS, wire=False)),
        ),
        ("awsmon wire, no filters", best(lambda: ingest_awsmon(work, filters=None, wire=True))),
        (
            "awsmon wire, 3 term filters",
            best(lambda: ingest_awsmon(work, filters=TERM_FILTERS, wire=True)),
        ),
        (
            "awsmon wire, term+JSON+delimited",
            best(lambda: ingest_awsmon(mixed, filters=FILTERS, wire=True)),
        ),
    ]
    backend = moto_backend()
    if backend is not None:
        rows.append(("moto backend, no filters", best(lambda: ingest_moto(work)[0])))
    for label, seconds in rows:
        print(f"  {label:34} {count / seconds:12,.0f} events/s (CPU)")

    print("\n2. FilterLogEvents, paging through every match (events searched per second)")
    sizes = [n for n in (100_000, 1_000_000) if n <= count] or [count]
    for size in sizes:
        cloud, json_cloud = fresh(), fresh()
        for batch in batches(text[:size], start_ms):
            cloud.logs.put_log_events("bench", "s", batch)
        for batch in batches(documents[:size], start_ms):
            json_cloud.logs.put_log_events("bench", "s", batch)
        print(f"  over {size:,} events:")
        cases = [
            ("term", cloud, "ERROR"),
            ("json", json_cloud, "{ $.latency > 1500 && $.level = ERROR }"),
            ("space-delimited", cloud, FILTERS[2][1]),
        ]
        for label, target, pattern in cases:
            filter_awsmon(target, pattern)  # warm: the first search joins the stream's text
            seconds, hits = filter_awsmon(target, pattern)

            def search(t: Cloud = target, p: str = pattern) -> float:
                return filter_awsmon(t, p)[0]

            seconds = min(seconds, best(search))
            print(f"    awsmon {label:18} {size / seconds:12,.0f} events/s  ({hits:,} matches)")
        loop_hits = sum(1 for m in text[:size] if "ERROR" in m)

        def scan(head: Sequence[str] = text[:size]) -> float:
            return bare_loop(head, "ERROR")

        loop = best(scan)
        print(
            f"    bare loop 'ERROR' in m   {size / loop:12,.0f} events/s  ({loop_hits:,} matches)"
        )
        if backend is not None:
            moto_small = moto_backend()
            moto_small.create_log_group("bench", {})
            moto_small.create_log_stream("bench", "s")
            for moto_batch in moto_batches(batches(text[:size], start_ms)):
                moto_small.put_log_events("bench", "s", moto_batch)
            seconds, hits = filter_moto(moto_small, "ERROR")

            def search_moto(m: Any = moto_small) -> float:
                return filter_moto(m, "ERROR")[0]

            seconds = min(seconds, best(search_moto))
            print(
                f"    moto term               {size / seconds:12,.0f} events/s  ({hits:,} matches)"
            )


if __name__ == "__main__":
    main()

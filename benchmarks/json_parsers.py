"""JSON parsing: msgspec (and orjson) against the standard library on awsmon's real documents.

Does a faster parser pay where user JSON is parsed? Two kinds of figures,
each the best of ``--repeat`` runs in CPU time (the machine may be shared):

(a) parsing alone, documents per second: ``json.loads``, msgspec's
    decoder, ``orjson.loads`` when installed (not used by awsmon: a
    reference), and `awsmon.jsondoc.loads` with each backend (the depth
    bound, and the fall-back that keeps msgspec's answers exactly json's), on X-Ray segment
    documents (as benchmarks/xray.py makes them, and with random trace ids
    as the SDKs make them), EventBridge event details (benchmarks/events.py),
    JSON log records (benchmarks/logs_filter.py) and EMF documents;
(b) whole operations: X-Ray PutTraceSegments with processing and Logs
    PutLogEvents with EMF extraction, run with each `jsondoc` backend (both
    parse through `jsondoc`); EventBridge PutEvents and a Logs JSON metric
    filter parse with decoders of their own, so their row is a projection:
    the operation's time with the parse share replaced by jsondoc-msgspec's.
(c) serialization: ``json.dumps`` against msgspec's encoder on a response
    body (BatchGetTraces' shape), for the wire layer.

Why msgspec rather than orjson (measured here, 2026-12-07): msgspec keeps
integers of any length exact, as json does, so `jsondoc` needs no scan of
each text for long digit runs (orjson reads integers past 64 bits as floats),
and it decodes as fast or faster. Counted in instructions (cachegrind, per
document, `jsondoc.loads` whole): X-Ray segment documents 48,800 with orjson
and its checks, 28,300 with msgspec; Logs JSON records 19,700 and 13,800.
In CPU time (this script, 10,000 documents, a loaded machine): X-Ray
documents 111,700/s for msgspec's decoder, 113,300/s for orjson's, 49,900/s
for jsondoc-json and 144,400/s for jsondoc-msgspec.

Prints figures and ratios (msgspec/json); asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import events as events_bench
import logs_filter
import xray as xray_bench

from awsmon import Cloud, VirtualClock, jsondoc
from awsmon.events import PutEventsEntry
from awsmon.logs.model import MetricTransformation


def _optional(name: str) -> ModuleType | None:
    """The module `name`, or None when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - msgspec is the `fast` extra, orjson a reference only
        return None


msgspec = _optional("msgspec")
orjson = _optional("orjson")


def best_cpu(repeat: int, run: Callable[[], Any]) -> float:
    """The least CPU seconds of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def with_backend(name: str, run: Callable[[], Any]) -> Callable[[], Any]:
    def wrapped() -> Any:
        old = jsondoc.use_backend(name)
        try:
            return run()
        finally:
            jsondoc.use_backend(old)

    return wrapped


def random_trace_ids(docs: Sequence[str], seed: int = 7) -> list[str]:
    """The same documents with 24 random hex digits in each trace id (as the SDKs make them)."""
    rng = random.Random(seed)
    ids: dict[str, str] = {}
    out = []
    for doc in docs:
        start = doc.index('"trace_id": "') + 13
        old = doc[start : start + 35]
        new = ids.setdefault(old, old[:11] + f"{rng.getrandbits(96):024x}")
        out.append(doc[:start] + new + doc[start + 35 :])
    return out


def emf_lines(count: int, rng: random.Random) -> list[str]:
    """EMF documents as aws-embedded-metrics writes them, about 400 bytes each."""
    lines = []
    for n in range(count):
        document = {
            "_aws": {
                "Timestamp": 1_700_000_000_000 + n,
                "CloudWatchMetrics": [
                    {
                        "Namespace": "Shop",
                        "Dimensions": [["Service", "Operation"]],
                        "Metrics": [
                            {"Name": "Latency", "Unit": "Milliseconds"},
                            {"Name": "Orders", "Unit": "Count"},
                        ],
                    }
                ],
            },
            "Service": "checkout",
            "Operation": rng.choice(["Pay", "Cart", "Ship"]),
            "Latency": round(rng.random() * 300, 3),
            "Orders": rng.randrange(5),
            "requestId": f"{rng.getrandbits(64):016x}",
        }
        lines.append(json.dumps(document))
    return lines


def document_sets(size: int) -> dict[str, list[str]]:
    rng = random.Random(3)
    xray_bench.TRACES = size // 5
    segments = xray_bench.documents()
    return {
        "X-Ray segments (benchmarks/xray.py)": segments,
        "X-Ray segments, random trace ids": random_trace_ids(segments),
        "EventBridge details": [
            json.dumps(events_bench.detail_for(rng.randrange(300), rng)) for _ in range(size)
        ],
        "Logs JSON records": logs_filter.json_lines(size, rng),
        "EMF documents": emf_lines(size, rng),
    }


def parse_rows(sets: dict[str, list[str]], repeat: int) -> None:
    print("(a) parsing alone, documents/s (CPU)")
    print(
        f"  {'documents':<38} {'json':>10} {'orjson':>10} {'msgspec':>10} {'jsondoc':>10}"
        f" {'+msgspec':>10}  ratio"
    )
    assert msgspec is not None  # main() returns before this without msgspec
    decode = msgspec.json.Decoder().decode
    for label, docs in sets.items():

        def each(parse: Callable[[str], Any], docs: list[str] = docs) -> Callable[[], Any]:
            return lambda: [parse(d) for d in docs]

        rates = [
            len(docs) / best_cpu(repeat, each(json.loads)),
            len(docs) / best_cpu(repeat, each(orjson.loads)) if orjson else float("nan"),
            len(docs) / best_cpu(repeat, each(decode)),
            len(docs) / best_cpu(repeat, with_backend("json", each(jsondoc.loads))),
            len(docs) / best_cpu(repeat, with_backend("msgspec", each(jsondoc.loads))),
        ]
        cells = " ".join(f"{r:>10,.0f}" for r in rates)
        print(f"  {label:<38} {cells}  {rates[4] / rates[3]:.2f}x")


def xray_operation(docs: list[str]) -> Callable[[], Any]:
    def run() -> None:
        cloud = Cloud(clock=VirtualClock(start=xray_bench.END))
        xray = cloud.xray
        for i in range(0, len(docs), 50):
            xray.put_trace_segments(docs[i : i + 50])
        xray.store.process()

    return run


def emf_operation(lines: list[str]) -> Callable[[], Any]:
    batches = [
        [(1_700_000_000_000 + i + k, line) for k, line in enumerate(lines[i : i + 1000])]
        for i in range(0, len(lines), 1000)
    ]

    def run() -> None:
        cloud = Cloud(clock=VirtualClock(start=1_700_000_000))
        cloud.logs.create_log_group("emf")
        cloud.logs.create_log_stream("emf", "s")
        for batch in batches:
            cloud.logs.put_log_events("emf", "s", batch, emf=True)

    return run


def events_operation(details: list[str]) -> Callable[[], Any]:
    rules = 50
    entries = [
        PutEventsEntry(source=f"app.{n % 997}", detail_type=f"Type {n}", detail=detail)
        for n, detail in enumerate(details)
    ]

    def run() -> None:
        cloud = Cloud()
        for n in range(rules):
            cloud.events.put_rule(f"rule-{n}", event_pattern=events_bench.rule(n))
        for i in range(0, len(entries), 10):
            cloud.events.put_events(entries[i : i + 10])

    return run


def json_filter_operation(lines: list[str]) -> Callable[[], Any]:
    batches = [
        [(1_700_000_000_000 + i + k, line) for k, line in enumerate(lines[i : i + 1000])]
        for i in range(0, len(lines), 1000)
    ]

    def run() -> None:
        cloud = Cloud(clock=VirtualClock(start=1_700_000_000))
        cloud.logs.create_log_group("g")
        cloud.logs.create_log_stream("g", "s")
        transformation = [
            MetricTransformation(metric_name="slow", metric_namespace="B", metric_value="1")
        ]
        cloud.logs.put_metric_filter("g", "slow", "{ $.latency > 1000 }", transformation)
        for batch in batches:
            cloud.logs.put_log_events("g", "s", batch)

    return run


def figures(label: str, plain: float, fast: float) -> None:
    """One row: json's rate, msgspec's, and their ratio."""
    print(f"  {label:<52} {plain:>10,.0f} {fast:>10,.0f}  {fast / plain:.2f}x")


def operation_rows(sets: dict[str, list[str]], repeat: int) -> None:
    print("(b) whole operations, documents/s (CPU)")
    print(f"  {'operation':<52} {'json':>10} {'msgspec':>10}  ratio")
    direct = [
        (
            "X-Ray PutTraceSegments + processing",
            xray_operation,
            "X-Ray segments (benchmarks/xray.py)",
        ),
        ("  the same, random trace ids", xray_operation, "X-Ray segments, random trace ids"),
        ("Logs PutLogEvents with EMF extraction", emf_operation, "EMF documents"),
    ]
    for label, make, key in direct:
        docs = sets[key]
        plain = best_cpu(repeat, with_backend("json", make(docs)))
        fast = best_cpu(repeat, with_backend("msgspec", make(docs)))
        figures(label, len(docs) / plain, len(docs) / fast)
    projected = [
        ("EventBridge PutEvents, 50 rules (projected)", events_operation, "EventBridge details"),
        ("Logs JSON metric filter (projected)", json_filter_operation, "Logs JSON records"),
    ]
    for label, make, key in projected:
        docs = sets[key]
        whole = best_cpu(repeat, make(docs))

        def stdlib_parse(docs: list[str] = docs) -> list[Any]:
            return [json.loads(d) for d in docs]

        def jsondoc_parse(docs: list[str] = docs) -> list[Any]:
            return [jsondoc.loads(d) for d in docs]

        stdlib = best_cpu(repeat, stdlib_parse)
        fast = best_cpu(repeat, with_backend("msgspec", jsondoc_parse))
        after = whole - stdlib + fast
        figures(label, len(docs) / whole, len(docs) / after)


def serialization_row(repeat: int) -> None:
    print("(c) serialization of a response body, bodies/s (CPU)")
    xray_bench.TRACES = 5
    segments = [{"Id": f"{n:016x}", "Document": d} for n, d in enumerate(xray_bench.documents())]
    body = {
        "Traces": [{"Id": f"1-{n:08x}", "Duration": 0.2, "Segments": segments} for n in range(5)]
    }
    count = 2000
    plain = best_cpu(repeat, lambda: [json.dumps(body) for _ in range(count)])
    assert msgspec is not None  # main() returns before this without msgspec
    encode = msgspec.json.encode
    fast = best_cpu(repeat, lambda: [encode(body).decode() for _ in range(count)])
    print(
        f"  {'BatchGetTraces body, 25 segments (~13 KB)':<52} {count / plain:>10,.0f} "
        f"{count / fast:>10,.0f}  {plain / fast:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--size", type=int, default=20_000, help="documents per set")
    args = parser.parse_args()
    if msgspec is None:
        print("msgspec is not installed (pip install 'awsmon[fast]'): nothing to compare")
        return
    print(f"JSON parsers: {args.size:,} documents per set, best of {args.repeat} runs, CPU time")
    sets = document_sets(args.size)
    parse_rows(sets, args.repeat)
    operation_rows(sets, args.repeat)
    serialization_row(args.repeat)


if __name__ == "__main__":
    main()

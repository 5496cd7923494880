"""How fast one bus's rules match events: the indexed RuleMatcher against a naive loop.

Builds 10, 100, 1,000 and 10,000 rules from a fixed seed, mixing every
operator (exact values, prefix, suffix, equals-ignore-case, wildcard, numeric
ranges, CIDR, anything-but, exists true/false, ``$or``), and matches 20,000
random EC2-style events through `RuleMatcher.matching` and through a loop over
each rule's `EventPattern.matches`. Prints events per second for both and the
ratio. The matcher's rate is the best of `repeats` runs (3 by default: a
shared machine's noise only slows runs down). The naive loop gets at most a
few seconds per size (its rate is taken over the events it got through); the
two answers are compared on those events and the agreement printed. Figures
only; nothing is asserted.

Run: ``python benchmarks/events_pattern.py [events] [repeats]``
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from awsmon.events.pattern import EventPattern
from awsmon.events.ruler import RuleMatcher

SOURCES = [f"aws.{name}" for name in ["ec2", "s3", "rds", "lambda", "ecs", "sqs", "sns"]] + [
    f"custom.app{n}" for n in range(13)
]
DETAIL_TYPES = [f"Type {n} State-change Notification" for n in range(30)]
STATES = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated",
          "rebooting", "initializing", "error", "unknown"]  # fmt: skip
USERS = [f"user{n}@example.com" for n in range(200)]
FILES = [f"/data/{d}/file{n}.{ext}" for d in ("in", "out", "tmp") for n in range(50)
         for ext in ("png", "txt", "jar")]  # fmt: skip
NAIVE_SECONDS = 3.0


def event(rng: random.Random) -> dict[str, Any]:
    """One EventBridge event with about fifteen leaves, some in arrays."""
    detail: dict[str, Any] = {
        "instance-id": f"i-{rng.randrange(5000):05d}",
        "state": rng.choice(STATES),
        "size": rng.randrange(10_000),
        "ratio": round(rng.random(), 3),
        "source-ip": f"10.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "user": rng.choice(USERS),
        "file": rng.choice(FILES),
        "tags": [
            {"key": f"k{rng.randrange(5)}", "value": f"v{rng.randrange(20)}"}
            for _ in range(rng.randrange(3))
        ],
    }
    if rng.random() < 0.1:
        detail["error"] = {"code": rng.choice(["Throttled", "Timeout", "Denied"])}
    return {
        "version": "0",
        "id": f"{rng.getrandbits(64):016x}",
        "detail-type": rng.choice(DETAIL_TYPES),
        "source": rng.choice(SOURCES),
        "account": "123456789012",
        "time": f"2024-05-{rng.randrange(1, 29):02d}T12:00:00Z",
        "region": rng.choice(["us-east-1", "eu-west-3"]),
        "resources": [f"arn:aws:ec2:us-east-1:123456789012:instance/{detail['instance-id']}"],
        "detail": detail,
    }


def rule(rng: random.Random) -> dict[str, Any]:
    """One rule drawn from a mix of the shapes real rules take."""
    source = {"source": [rng.choice(SOURCES)]}
    kind = rng.randrange(12)
    if kind == 0:
        return {**source, "detail-type": [rng.choice(DETAIL_TYPES)]}
    if kind == 1:
        return {**source, "detail": {"state": rng.sample(STATES, 2)}}
    if kind == 2:
        return {"detail": {"instance-id": [{"prefix": f"i-{rng.randrange(500):03d}"}]}}
    if kind == 3:
        low = rng.randrange(9000)
        size = [{"numeric": [">=", low, "<", low + rng.randrange(1, 1000)]}]
        return {**source, "detail": {"size": size}}
    if kind == 4:
        block = f"10.{rng.randrange(4)}.{rng.randrange(256)}.0/24"
        return {"detail": {"source-ip": [{"cidr": block}]}}
    if kind == 5:
        return {**source, "detail": {"state": [{"anything-but": rng.sample(STATES, 3)}]}}
    if kind == 6:
        user = rng.choice(USERS).split("@")[0]
        return {**source, "detail": {"user": [{"wildcard": f"{user}*@example.*"}]}}
    if kind == 7:
        return {"detail-type": [{"equals-ignore-case": rng.choice(DETAIL_TYPES).upper()}]}
    if kind == 8:
        ext = rng.choice(["png", "txt", "jar"])
        return {**source, "detail": {"file": [{"suffix": f"{rng.randrange(50)}.{ext}"}]}}
    if kind == 9:
        return {**source, "detail": {"error": {"code": [{"exists": True}]}}}
    if kind == 10:
        big = {"source": [rng.choice(SOURCES)], "detail": {"size": [{"numeric": [">", 9990]}]}}
        tagged = {"detail": {"tags": {"key": ["k1"], "value": [f"v{rng.randrange(20)}"]}}}
        return {"$or": [big, tagged]}
    if rng.random() < 0.1:  # a few rules only absence can decide: checked on every event
        ratio = [{"numeric": [">", 0.99]}]
        return {**source, "detail": {"error": [{"exists": False}], "ratio": ratio}}
    return {**source, "detail": {"ratio": [{"numeric": ["<", round(rng.random(), 2)]}]}}


def run(
    rule_count: int, events: list[dict[str, Any]], rng: random.Random, repeats: int = 3
) -> None:
    """Build `rule_count` rules, match `events` both ways, print one line."""
    patterns = [EventPattern.parse(rule(rng)) for _ in range(rule_count)]
    matcher = RuleMatcher()
    started = time.perf_counter()
    for n, pattern in enumerate(patterns):
        matcher.add(f"rule-{n}", pattern)
    build = time.perf_counter() - started

    ruler_rate = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        indexed = [matcher.matching(e) for e in events]
        ruler_rate = max(ruler_rate, len(events) / (time.perf_counter() - started))

    started = time.perf_counter()
    naive: list[list[str]] = []
    for e in events:
        naive.append([f"rule-{n}" for n, pattern in enumerate(patterns) if pattern.matches(e)])
        if time.perf_counter() - started > NAIVE_SECONDS:
            break
    naive_rate = len(naive) / (time.perf_counter() - started)

    agree = indexed[: len(naive)] == naive
    matches = sum(map(len, indexed)) / len(events)
    print(
        f"{rule_count:>6} rules  build {build * 1000:8.1f} ms  "
        f"ruler {ruler_rate:>9,.0f} ev/s  naive {naive_rate:>9,.0f} ev/s "
        f"({len(naive):>6} ev)  ratio {ruler_rate / naive_rate:7.1f}x  "
        f"matches/ev {matches:6.2f}  agree {'yes' if agree else 'NO'}"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = random.Random(20240501)
    events = [event(rng) for _ in range(count)]
    print(f"{count:,} events, matcher best of {repeats} runs, Python {sys.version.split()[0]}")
    for rule_count in (10, 100, 1_000, 10_000):
        run(rule_count, events, rng, repeats)


if __name__ == "__main__":
    main()

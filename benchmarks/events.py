"""How fast EventBridge takes events as its buses fill with rules, beside moto's backend.

Puts events (100,000 by default, in PutEvents calls of 10 entries) on the
default bus of a fresh cloud holding 10, 100, 1,000 and 10,000 rules, through
the domain (``cloud.events.put_events``, which is dispatched and audited like
any call). The rules mix every operator — exact strings and numbers, prefix,
suffix, equals-ignore-case, anything-but, numeric ranges, CIDR, wildcard,
exists, ``$or`` — each naming values of its own, as real rules do, so an
event matches about one of them whatever their number. Each size is run
twice: without targets, and with one extra rule that matches every event and
sends it to an SQS queue. moto's events backend, when moto is importable, runs
the same rules and events for as long as `MOTO_SECONDS` allows (its rate is
taken over the events it got through); the ratio is awsmon's rate over moto's.

Prints events per second per size, the drop from 10 to 10,000 rules, and the
ratios. awsmon's rate is the best of `repeats` runs (3 by default), since a
shared machine's noise only ever slows a run down. Figures only; nothing is
asserted.

Run: ``python benchmarks/events.py [events] [repeats]``
"""

from __future__ import annotations

import json
import random
import sys
import time
from typing import Any

from awsmon import Cloud
from awsmon.events import PutEventsEntry, Target

RULE_COUNTS = (10, 100, 1_000, 10_000)
MOTO_SECONDS = 3.0
ACCOUNT = "123456789012"
STATES = ["pending", "running", "stopping", "stopped", "terminated"]


def rule(n: int) -> dict[str, Any]:
    """Rule number `n`: one of eleven shapes, with values only it uses."""
    source = {"source": [f"app.{n % 997}"]}
    kind = n % 11
    if kind == 0:
        return {**source, "detail-type": [f"Type {n}"]}
    if kind == 1:
        return {**source, "detail": {"order": [n, n + 0.5]}}
    if kind == 2:
        return {"detail": {"customer": [{"prefix": f"cust-{n}-"}]}}
    if kind == 3:
        return {"detail": {"file": [{"suffix": f"/{n}.png"}]}}
    if kind == 4:
        return {"detail-type": [{"equals-ignore-case": f"TYPE {n}"}]}
    if kind == 5:
        return {"detail": {"size": [{"numeric": [">=", n * 10, "<", n * 10 + 5]}]}}
    if kind == 6:
        return {"detail": {"ip": [{"cidr": f"10.{n // 256 % 256}.{n % 256}.0/24"}]}}
    if kind == 7:
        return {**source, "detail": {"user": [{"wildcard": f"user{n}*@example.*"}]}}
    if kind == 8:
        return {**source, "detail": {"state": [{"anything-but": STATES[:2]}], "order": [n]}}
    if kind == 9:
        return {**source, "detail": {"error": [{"exists": True}], "order": [n]}}
    return {"$or": [{"detail": {"order": [n]}}, {"detail": {"customer": [f"vip-{n}"]}}]}


def detail_for(n: int, rng: random.Random) -> dict[str, Any]:
    """An event detail carrying rule `n`'s values (so it likely matches rule `n`)."""
    detail: dict[str, Any] = {
        "order": n,
        "customer": f"cust-{n}-{rng.randrange(100)}",
        "file": f"/data/{n}.png",
        "size": n * 10 + rng.randrange(5),
        "ip": f"10.{n // 256 % 256}.{n % 256}.{rng.randrange(256)}",
        "user": f"user{n}{rng.randrange(9)}@example.com",
        "state": rng.choice(STATES),
    }
    if rng.random() < 0.5:
        detail["error"] = {"code": "Throttled"}
    return detail


def entries(count: int, rule_count: int, seed: int) -> list[list[dict[str, Any]]]:
    """`count` wire entries in batches of 10, each aimed at a random rule."""
    rng = random.Random(seed)
    batches = []
    for start in range(0, count, 10):
        batch = []
        for _ in range(min(10, count - start)):
            n = rng.randrange(rule_count)
            batch.append(
                {
                    "Source": f"app.{n % 997}",
                    "DetailType": f"Type {n}",
                    "Detail": json.dumps(detail_for(n, rng)),
                    "Resources": [f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-{n:08d}"],
                }
            )
        batches.append(batch)
    return batches


def run_awsmon(rule_count: int, batches: list[list[dict[str, Any]]], target: bool) -> float:
    """awsmon's events per second."""
    cloud = Cloud()
    events = cloud.events
    events.max_rules_per_bus = rule_count + 1  # AWS's quota (300) is adjustable
    for n in range(rule_count):
        events.put_rule(f"rule-{n}", event_pattern=rule(n))
    if target:
        queue = cloud.sqs.create_queue("sink")
        policy = {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue.arn,
                }
            ]
        }
        cloud.sqs.set_queue_attributes(queue.url, {"Policy": json.dumps(policy)})
        events.put_rule("all", event_pattern={"source": [{"prefix": "app."}]})
        events.put_targets("all", [Target(id="sink", arn=queue.arn)])
    prepared = [
        [
            PutEventsEntry(
                source=e["Source"],
                detail_type=e["DetailType"],
                detail=e["Detail"],
                resources=tuple(e["Resources"]),
            )
            for e in batch
        ]
        for batch in batches
    ]
    count = sum(map(len, prepared))
    started = time.perf_counter()
    for batch in prepared:
        events.put_events(batch)
    rate = count / (time.perf_counter() - started)
    if target:
        delivered = len(cloud.sqs.queue("sink").messages)
        assert delivered == count, (delivered, count)
    return rate


def run_moto(rule_count: int, batches: list[list[dict[str, Any]]], target: bool) -> float | None:
    """moto's events per second over what it got through in MOTO_SECONDS, or None."""
    try:
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.events.models import events_backends
        from moto.sqs.models import sqs_backends
    except ImportError:
        return None
    account = DEFAULT_ACCOUNT_ID
    backend = events_backends[account]["us-east-1"]
    backend.reset()
    for n in range(rule_count):
        backend.put_rule(f"rule-{n}", event_pattern=json.dumps(rule(n)))
    if target:
        sqs = sqs_backends[account]["us-east-1"]
        sqs.reset()
        sqs.create_queue("sink")
        backend.put_rule("all", event_pattern=json.dumps({"source": [{"prefix": "app."}]}))
        arn = f"arn:aws:sqs:us-east-1:{account}:sink"
        backend.put_targets("all", None, [{"Id": "sink", "Arn": arn}])
    done = 0
    started = time.perf_counter()
    for batch in batches:
        try:
            backend.put_events(batch)
        except ImportError:  # moto's SQS target path needs jsonpath_ng, an optional extra
            return None
        done += len(batch)
        if time.perf_counter() - started > MOTO_SECONDS:
            break
    return done / (time.perf_counter() - started)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(
        f"{count:,} events per run, PutEvents batches of 10, awsmon best of {repeats} runs, "
        f"Python {sys.version.split()[0]}"
    )
    for target in (False, True):
        label = "with one matching SQS target" if target else "without targets"
        print(f"-- {label}")
        rates: dict[int, float] = {}
        for rule_count in RULE_COUNTS:
            batches = entries(count, rule_count, seed=rule_count)
            ours = max(run_awsmon(rule_count, batches, target) for _ in range(repeats))
            rates[rule_count] = ours
            theirs = run_moto(rule_count, batches, target)
            versus = "moto: not installed (or lacks an optional extra for this run)"
            if theirs is not None:
                versus = f"moto {theirs:>9,.0f} ev/s  ratio {ours / theirs:8.1f}x"
            print(f"{rule_count:>6} rules  awsmon {ours:>9,.0f} ev/s  {versus}")
        print(f"   drop from 10 to 10,000 rules: {rates[10] / rates[10_000]:.2f}x")


if __name__ == "__main__":
    main()

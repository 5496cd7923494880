"""How fast resource-policy wildcards match, beside the regex translation they replaced.

`awsmon.policy.wildcard_match` matches IAM's ``*``/``?`` patterns by taking the
pieces between stars at their leftmost place, in time linear in the text. The
baseline, run in the same script, is the regex translation awsmon used before
(``*`` → ``.*``, ``?`` → ``.``, fullmatch), which backtracks: a pattern of k stars
against a near-miss costs it about n**k steps.

Also: one check of a typical one-statement queue policy (the SNS guide's, with
``ArnEquals aws:SourceArn``), compiled once, in µs, beside parsing it for every
check (the baseline); the whole ``ctx.check_delivery`` a service makes per
delivery (verdict and `Delivery` record), for a request the document has
answered before (remembered) and for a new one; and SNS → SQS fan-out to 10 queues with
``Cloud(policies="enforce")`` beside ``"off"`` (the ratio the issue bounds at 1.2).

Three wildcard workloads: typical policy patterns against matching and non-matching ARNs
(many calls), and a pathological pattern (``*a`` repeated, then ``*b``) against
``a`` repeated n times for growing n, where the baseline runs up to
`BASELINE_MAX_N` characters only. Prints calls per second (or
seconds per call) and the ratios. Figures only; nothing is asserted.

Run: ``python benchmarks/policy.py [calls]``
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from functools import lru_cache

from awsmon import Cloud
from awsmon.policy import PolicyDocument, guides, wildcard_match
from awsmon.policy.document import _parse

BASELINE_MAX_N = 40
TYPICAL = [
    ("arn:aws:s3:::trail-bucket/AWSLogs/*", "arn:aws:s3:::trail-bucket/AWSLogs/1/x.json.gz"),
    ("arn:aws:s3:::trail-bucket/AWSLogs/*", "arn:aws:s3:::other/AWSLogs/1/x.json.gz"),
    ("arn:aws:sqs:*:123456789012:jobs-?", "arn:aws:sqs:us-east-1:123456789012:jobs-7"),
    ("arn:aws:logs:*:*:log-group:/aws/*/app:*", "arn:aws:logs:eu-west-1:1:log-group:/x/y"),
]


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL)


def regex_match(pattern: str, value: str) -> bool:
    """The baseline: the regex translation (compiled once per pattern), as awsmon matched before."""
    return _compiled(pattern).fullmatch(value) is not None


def rate(match: Callable[[str, str], bool], calls: int) -> float:
    """Calls per second over the typical patterns, best of three runs."""
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for i in range(calls):
            pattern, value = TYPICAL[i % len(TYPICAL)]
            match(pattern, value)
        best = max(best, calls / (time.perf_counter() - start))
    return best


def seconds(match: Callable[[str, str], bool], n: int) -> float:
    """Seconds for one pathological call on a text of `n` characters."""
    start = time.perf_counter()
    match("*a" * 6 + "*b", "a" * n)
    return time.perf_counter() - start


TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:inbox"


def check_micros(calls: int, *, compiled: bool) -> float:
    """µs per check of the SNS guide's queue policy (best of three runs)."""
    text = guides.sns_to_sqs(TOPIC, QUEUE)
    context = {"aws:SourceArn": TOPIC, "aws:SourceAccount": "123456789012"}
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            if not compiled:
                _parse.cache_clear()
            PolicyDocument.parse(text).evaluate(
                "sns.amazonaws.com", "sqs:SendMessage", QUEUE, context
            )
        best = min(best, (time.perf_counter() - start) / calls * 1e6)
    return best


def delivery_micros(calls: int, *, remembered: bool) -> float:
    """µs of CPU per ``ctx.check_delivery`` of the SNS guide's queue policy (best of three).

    What a service pays per delivery: the check, its verdict and its `Delivery`
    record. With `remembered` False, the document's remembered answers are
    forgotten before each check (the statements stay compiled): the cost of a
    request the document has not seen.
    """
    cloud = Cloud(policies="enforce")
    text = guides.sns_to_sqs(TOPIC, QUEUE)
    document = PolicyDocument.parse(text)
    context = {"aws:SourceArn": TOPIC, "aws:SourceAccount": "123456789012"}
    ctx = cloud.sqs.ctx
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(calls):
            if not remembered:
                document._answers.clear()
            ctx.check_delivery(
                source=TOPIC, target=QUEUE, principal="sns.amazonaws.com",
                action="sqs:SendMessage", policy=text, context=context, what="queue policy",
            )  # fmt: skip
        best = min(best, (time.process_time() - start) / calls * 1e6)
    return best


def fan_out_seconds(policies: str, publishes: int) -> float:
    """Seconds for `publishes` messages to a topic with 10 subscribed queues (best of three)."""
    cloud = Cloud(policies=policies)
    topic = cloud.sns.create_topic("alerts").arn
    for i in range(10):
        queue = cloud.sqs.create_queue(f"q{i}")
        cloud.sqs.set_queue_attributes(queue.url, {"Policy": guides.sns_to_sqs(topic, queue.arn)})
        cloud.sns.subscribe(topic, "sqs", queue.arn)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(publishes):
            cloud.sns.publish(topic, "hello")
        best = min(best, time.perf_counter() - start)
        for i in range(10):  # keep the queues small between runs
            cloud.sqs.purge_queue(cloud.sqs.queue_url(f"q{i}"))
            cloud.clock.advance(61)
    return best


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    once, every = (
        check_micros(calls // 10, compiled=True),
        check_micros(calls // 100, compiled=False),
    )
    print(f"queue policy check: compiled once {once:.2f} µs, parsed every time {every:.2f} µs, "
          f"ratio {every / once:.1f}x")  # fmt: skip
    seen, unseen = (
        delivery_micros(calls // 10, remembered=True),
        delivery_micros(calls // 10, remembered=False),
    )
    print(f"ctx.check_delivery (CPU): a request seen before {seen:.2f} µs, "
          f"a new one {unseen:.2f} µs, ratio {unseen / seen:.1f}x")  # fmt: skip
    publishes = max(calls // 500, 20)
    on = off = float("inf")
    for _ in range(3):  # alternate, so load on a shared machine hits both alike
        on = min(on, fan_out_seconds("enforce", publishes))
        off = min(off, fan_out_seconds("off", publishes))
    print(f"SNS -> 10 SQS queues, {publishes} publishes: policies on {on * 1e3:.1f} ms, "
          f"off {off * 1e3:.1f} ms, ratio {on / off:.3f}")  # fmt: skip
    ours, theirs = rate(wildcard_match, calls), rate(regex_match, calls)
    print(f"typical patterns: awsmon {ours:,.0f} calls/s, regex {theirs:,.0f} calls/s, "
          f"ratio {ours / theirs:.2f}")  # fmt: skip
    for n in (10, 20, 30, 40, 10_000, 1_000_000):
        ours_s = seconds(wildcard_match, n)
        line = f"pathological n={n:>9,}: awsmon {ours_s * 1e6:10.1f} µs"
        if n <= BASELINE_MAX_N:
            theirs_s = seconds(regex_match, n)
            line += f", regex {theirs_s * 1e6:14.1f} µs, ratio {theirs_s / ours_s:,.0f}x"
        else:
            line += ", regex not run (it grows as n**7: hours)"
        print(line)


if __name__ == "__main__":
    main()

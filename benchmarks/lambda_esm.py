"""Lambda: 100,000 SQS messages through an event source mapping and a trivial handler (issue 14).

The queue is filled first (through the queue's own enqueue path, not timed);
then the mapping is created and the clock advanced until the queue is empty.
Printed: the CPU time of the draining (the machine may be shared), messages
per second, invocations.
Run twice: with SQS's default BatchSize (10: 10,000 invocations, each with
its log lines and AWS/Lambda metrics) and with BatchSize 10,000 (a one-second
batching window, as AWS requires above 10).

Baseline, in the same run: the same messages consumed by a hand-written loop
of ReceiveMessage (10 at a time) and DeleteMessage calls on awsmon's SQS, what
a test would do without a mapping. Asserts nothing.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from awsmon import Cloud, VirtualClock

T0 = datetime(2025, 6, 1, tzinfo=UTC)
MESSAGES = 100_000


def filled(count: int) -> tuple[Cloud, Any]:
    cloud = Cloud(clock=VirtualClock(T0), seed=3)
    queue = cloud.sqs.create_queue("orders")
    for index in range(count):
        cloud.sqs.deliver(queue.arn, f"order {index}", sender_id="bench")
    return cloud, queue


def through_mapping(count: int, batch_size: int) -> tuple[float, int]:
    cloud, queue = filled(count)
    seen = [0]

    def handler(event: Any, context: Any) -> None:
        seen[0] += len(event["Records"])

    cloud.lambda_.register("consume", handler)
    window = 1 if batch_size > 10 else 0
    cloud.lambda_.create_event_source_mapping(
        "consume",
        queue.arn,
        batch_size=batch_size,
        maximum_batching_window_in_seconds=window,
    )
    cloud.clock.advance(1)  # Creating -> Enabled
    started = time.process_time()
    while seen[0] < count:
        cloud.clock.advance(1)
    elapsed = time.process_time() - started
    invocations = len(cloud.lambda_.function("consume").invocations)
    return elapsed, invocations


def by_hand(count: int) -> float:
    cloud, queue = filled(count)
    started = time.process_time()
    done = 0
    while done < count:
        for message in cloud.sqs.receive_message(queue.url, max_number_of_messages=10):
            cloud.sqs.delete_message(queue.url, message.receipt_handle)
            done += 1
    return time.process_time() - started


def main() -> None:
    through_mapping(100, 10)  # warm up imports
    for batch_size in (10, 10_000):
        elapsed, invocations = through_mapping(MESSAGES, batch_size)
        print(
            f"mapping, BatchSize {batch_size:>6}: {MESSAGES:,} messages in {elapsed:.2f} s "
            f"({MESSAGES / elapsed:,.0f}/s, {invocations:,} invocations)"
        )
    sample = MESSAGES // 10
    baseline = by_hand(sample) * (MESSAGES / sample)
    print(f"baseline, ReceiveMessage/DeleteMessage loop: {baseline:.2f} s (scaled from {sample:,})")
    best, _ = through_mapping(MESSAGES, 10_000)
    print(f"ratio baseline / mapping (BatchSize 10,000): {baseline / best:.1f}x")


if __name__ == "__main__":
    main()

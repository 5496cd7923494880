"""What vended metrics cost the hot paths: SQS send/receive/delete and SNS publish, on vs off.

Each workload runs on a fresh cloud twice per round, once with the service's
vended metrics off (``vended.enabled = False``: the baseline) and once on,
and the clock advances one minute every 1,000 operations so the publishing
job runs as it would in a test. awsmon's rate is the best of `repeats`
rounds (3 by default), since a shared machine's noise only ever slows a run
down. Prints operations per second for each and the added cost in percent
(the aim, issue 14: under 10 %), and, since a shared machine's noise can
exceed that, an estimate from the measured cost of one count times the
counts per operation. Figures only; nothing is asserted.

Run: ``python benchmarks/vended.py [operations] [repeats]``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import timedelta

from awsmon import Cloud
from awsmon.cloudwatch import VendedMetrics
from awsmon.policy import guides


def sqs_round_trip(cloud: Cloud, operations: int) -> None:
    """Send, receive (batches of 10) and delete `operations` messages."""
    url = cloud.sqs.create_queue("bench").url
    tick = timedelta(minutes=1)
    for start in range(0, operations, 1000):
        for n in range(start, min(start + 1000, operations)):
            cloud.sqs.send_message(url, f"message {n}")
        while True:
            got = cloud.sqs.receive_message(url, max_number_of_messages=10)
            if not got:
                break
            for message in got:
                cloud.sqs.delete_message(url, message.receipt_handle)
        cloud.clock.advance(tick)


def sns_publish(cloud: Cloud, operations: int) -> None:
    """Publish `operations` messages to a topic with one SQS and one filtered email subscriber."""
    topic = cloud.sns.create_topic("bench").arn
    queue = cloud.sqs.create_queue("inbox")
    cloud.sqs.set_queue_attributes(queue.url, {"Policy": guides.sns_to_sqs(topic, queue.arn)})
    cloud.sns.subscribe(topic, "sqs", queue.arn, {"RawMessageDelivery": "true"})
    cloud.sns.subscribe(topic, "email", "ops@example.com", {"FilterPolicy": '{"k": ["v"]}'})
    tick = timedelta(minutes=1)
    for n in range(operations):
        cloud.sns.publish(topic, f"message {n}")
        if n % 1000 == 999:
            queue.messages.clear()
            cloud.clock.advance(tick)


def rate(workload: Callable[[Cloud, int], None], operations: int, *, vended: bool) -> float:
    """Operations per second of one run of `workload` on a fresh cloud."""
    cloud = Cloud()
    cloud.sqs.vended.enabled = vended
    cloud.sns.vended.enabled = vended
    began = time.perf_counter()
    workload(cloud, operations)
    return operations / (time.perf_counter() - began)


def add_cost(calls: int = 200_000) -> float:
    """Seconds per `VendedMetrics.add` on a warm key (the whole hot-path cost of a count)."""
    cloud = Cloud()
    vended = VendedMetrics(cloud.cloudwatch.ctx, "AWS/Bench")
    where = (("QueueName", "bench"),)
    vended.add("M", where)
    began = time.perf_counter()
    for _ in range(calls):
        vended.add("M", where, 1.0)
    return (time.perf_counter() - began) / calls


def main(operations: int = 20_000, repeats: int = 3) -> None:
    workloads = (("SQS send+receive+delete", sqs_round_trip), ("SNS publish", sns_publish))
    for name, workload in workloads:
        off = on = 0.0
        for _ in range(repeats):
            off = max(off, rate(workload, operations, vended=False))
            on = max(on, rate(workload, operations, vended=True))
        added = (off / on - 1.0) * 100.0
        print(f"{name:26} off {off:10,.0f}/s   on {on:10,.0f}/s   added {added:+5.1f} %")
        # counts per operation: an SQS round trip adds sent, size, deleted and a tenth of a
        # received (batches of 10); an SNS publish adds published, size, one delivered, two
        # filtered-out (the email subscription) and the queue's sent and size
        counts = 3.1 if name.startswith("SQS") else 7.0
        estimate = counts * add_cost() * off * 100.0
        print(f"{'':26} estimated from the cost of one count: {estimate:+5.2f} %")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)

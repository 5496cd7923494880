"""The AWS/SQS metrics a queue vends: what is counted where, and what is sampled each minute.

SQS publishes one-minute metrics with the dimension ``QueueName`` for every
active queue: one that holds messages or had a send, receive or delete in
the last six hours. Counters (NumberOfMessagesSent/Received/Deleted,
NumberOfEmptyReceives, SentMessageSize) are added by the message operations;
`sample` gives the gauges (ApproximateNumberOfMessagesVisible/NotVisible/
Delayed, ApproximateAgeOfOldestMessage) and zeros for the counters of
active queues, as AWS shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from awsmon.cloudwatch import StandardUnit
from awsmon.neighbours.sqs.model import Queue

__all__ = ["COUNTERS", "INACTIVE_AFTER", "NAMESPACE", "sample"]

NAMESPACE = "AWS/SQS"
#: A queue without messages and without activity for this long publishes nothing.
INACTIVE_AFTER = timedelta(hours=6)
#: The counted metrics, published as 0 for an active queue that saw none.
COUNTERS = (
    "NumberOfMessagesSent",
    "NumberOfMessagesReceived",
    "NumberOfMessagesDeleted",
    "NumberOfEmptyReceives",
)

_COUNT = StandardUnit.COUNT


def sample(
    queues: Iterable[Queue], now: datetime
) -> Iterator[tuple[str, tuple[tuple[str, str], ...], float, StandardUnit]]:
    """The gauges and zero counters of the active `queues` at `now`."""
    for queue in queues:
        if not queue.messages and (
            queue.active_at is None or now - queue.active_at > INACTIVE_AFTER
        ):
            continue
        visible, in_flight, delayed = queue.counts(now)
        oldest = min(
            (m.sent_at for m in queue.messages.values() if m.receive_count or m.visible_at <= now),
            default=None,
        )
        age = 0.0 if oldest is None else float(int((now - oldest).total_seconds()))
        dims = queue.dims
        yield "ApproximateNumberOfMessagesVisible", dims, float(visible), _COUNT
        yield "ApproximateNumberOfMessagesNotVisible", dims, float(in_flight), _COUNT
        yield "ApproximateNumberOfMessagesDelayed", dims, float(delayed), _COUNT
        yield "ApproximateAgeOfOldestMessage", dims, age, StandardUnit.SECONDS
        for name in COUNTERS:
            yield name, dims, 0.0, _COUNT

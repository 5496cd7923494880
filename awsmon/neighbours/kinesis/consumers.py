"""Kinesis enhanced fan-out: stream consumers and SubscribeToShard.

`Consumers` sits between `Resharding` and `Kinesis`: RegisterStreamConsumer
(CREATING for `Streams.creation_delay`, then ACTIVE), DescribeStreamConsumer,
ListStreamConsumers, DeregisterStreamConsumer (DELETING, then gone) and
SubscribeToShard. A subscription (`ShardSubscription`) lasts five minutes of
virtual time, as AWS's does; each `ShardSubscription.next_event` is one
SubscribeToShardEvent: the records that arrived since the last one,
``ContinuationSequenceNumber``, ``MillisBehindLatest`` and, at the end of a
closed shard, ``ChildShards``. A second subscription of the same consumer
and shard while one is live is ``ResourceInUseException``.

Simulation notes: SubscribeToShard is a domain call only (boto3 reads it as
an HTTP/2 event stream, which the wire layer does not produce); records
are pulled by `next_event` rather than pushed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from attrs import define, field

from awsmon.dispatch import operation
from awsmon.neighbours.kinesis.errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from awsmon.neighbours.kinesis.model import Record, SequenceNumber
from awsmon.neighbours.kinesis.reshard import Resharding
from awsmon.neighbours.kinesis.store import Shard, Stream, counter_of, read

__all__ = ["Consumer", "Consumers", "ShardEvent", "ShardSubscription"]

#: How long a SubscribeToShard subscription lives.
SUBSCRIPTION_LIFETIME = timedelta(minutes=5)
#: Registered consumers per stream (AWS's quota).
MAX_CONSUMERS = 20


@define(eq=False, kw_only=True)
class Consumer:
    """A registered enhanced fan-out consumer of a stream."""

    name: str
    arn: str
    stream_arn: str
    status: str = "CREATING"
    created_at: datetime


@define(frozen=True, kw_only=True)
class ShardEvent:
    """One SubscribeToShardEvent."""

    records: tuple[Record, ...]
    continuation_sequence_number: str | None
    millis_behind_latest: int
    child_shards: tuple[str, ...] = ()


@define(eq=False)
class ShardSubscription:
    """A live SubscribeToShard subscription: pull its events with `next_event`."""

    service: Consumers
    stream: Stream
    shard: Shard
    consumer: Consumer
    position: int
    expires_at: datetime
    ended: bool = field(default=False)

    @property
    def live(self) -> bool:
        """True until five minutes have passed, the shard ended or the consumer went."""
        return (
            not self.ended
            and self.service.ctx.now() < self.expires_at
            and self.consumer.status == "ACTIVE"
        )

    def next_event(self) -> ShardEvent | None:
        """The records since the last event (None once the subscription is over)."""
        if not self.live:
            self.ended = True
            return None
        now = self.service.ctx.now()
        self.stream.trim(now)
        taken, position, behind = read(self.shard, self.position, 10_000, now)
        self.position = position
        children: tuple[str, ...] = ()
        continuation: str | None = str(
            SequenceNumber(self.shard.created, self.shard.index, max(position - 1, 0),
                           int(now.timestamp()))
        )  # fmt: skip
        if not self.shard.is_open and position >= self.shard.next_counter:
            children = tuple(c.shard_id for c in self.stream.children_of(self.shard))
            continuation = None
            self.ended = True
        return ShardEvent(
            records=tuple(taken),
            continuation_sequence_number=continuation,
            millis_behind_latest=behind,
            child_shards=children,
        )


class Consumers(Resharding):
    """Enhanced fan-out consumers of the streams of one account and region."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._consumer_table: dict[str, Consumer] = {}
        self._subscriptions: dict[tuple[str, str], ShardSubscription] = {}

    def _consumers(self) -> dict[str, Consumer]:
        return self._consumer_table

    def _consumer(
        self, consumer_arn: str | None, stream_arn: str | None, name: str | None
    ) -> Consumer:
        table = self._consumers()
        if consumer_arn is not None:
            found = table.get(consumer_arn)
        else:
            found = next(
                (c for c in table.values() if c.stream_arn == stream_arn and c.name == name),
                None,
            )
        if found is None:
            raise ResourceNotFoundException(
                f"Consumer {consumer_arn or name} not found.",
                param="ConsumerARN" if consumer_arn else "ConsumerName",
                value=consumer_arn or name,
            )
        return found

    @operation("RegisterStreamConsumer")
    def register_stream_consumer(self, stream_arn: str, consumer_name: str) -> Consumer:
        """Register an enhanced fan-out consumer (RegisterStreamConsumer); ACTIVE after a moment.

        Raises:
            ResourceNotFoundException: no such stream.
            ResourceInUseException: a consumer of that name exists.
            LimitExceededException: the stream has 20 consumers.
        """
        stream = self.stream(stream_arn)
        table = self._consumers()
        mine = [c for c in table.values() if c.stream_arn == stream.arn]
        if any(c.name == consumer_name for c in mine):
            raise ResourceInUseException(
                f"Consumer {consumer_name} under stream {stream.name} already exists.",
                param="ConsumerName",
                value=consumer_name,
            )
        if len(mine) >= MAX_CONSUMERS:
            raise LimitExceededException(
                f"Stream {stream.name} has {MAX_CONSUMERS} consumers.", param="StreamARN"
            )
        now = self.ctx.now()
        consumer = Consumer(
            name=consumer_name,
            arn=f"{stream.arn}/consumer/{consumer_name}:{int(now.timestamp())}",
            stream_arn=stream.arn,
            created_at=now,
        )
        table[consumer.arn] = consumer

        def activate() -> None:
            if consumer.status == "CREATING":
                consumer.status = "ACTIVE"

        self.ctx.clock.call_later(self.creation_delay, activate, name=f"kinesis:{consumer.arn}")
        return consumer

    @operation("DescribeStreamConsumer")
    def describe_stream_consumer(
        self,
        *,
        consumer_arn: str | None = None,
        stream_arn: str | None = None,
        consumer_name: str | None = None,
    ) -> Consumer:
        """A consumer by ARN, or by stream ARN and name (DescribeStreamConsumer)."""
        return self._consumer(consumer_arn, stream_arn, consumer_name)

    @operation("ListStreamConsumers")
    def list_stream_consumers(self, stream_arn: str) -> list[Consumer]:
        """The stream's consumers, oldest first (ListStreamConsumers)."""
        stream = self.stream(stream_arn)
        return [c for c in self._consumers().values() if c.stream_arn == stream.arn]

    @operation("DeregisterStreamConsumer")
    def deregister_stream_consumer(
        self,
        *,
        consumer_arn: str | None = None,
        stream_arn: str | None = None,
        consumer_name: str | None = None,
    ) -> None:
        """Deregister a consumer (DeregisterStreamConsumer): DELETING, then gone."""
        consumer = self._consumer(consumer_arn, stream_arn, consumer_name)
        consumer.status = "DELETING"
        table = self._consumers()

        def forget() -> None:
            table.pop(consumer.arn, None)

        self.ctx.clock.call_later(self.deletion_delay, forget, name=f"kinesis:{consumer.arn}")

    @operation("SubscribeToShard")
    def subscribe_to_shard(
        self,
        consumer_arn: str,
        shard_id: str,
        starting_position: str,
        *,
        sequence_number: str | None = None,
        timestamp: datetime | None = None,
    ) -> ShardSubscription:
        """Subscribe a consumer to a shard for five minutes (SubscribeToShard).

        `starting_position` is TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER,
        AFTER_SEQUENCE_NUMBER or AT_TIMESTAMP (with `sequence_number` /
        `timestamp`).

        Raises:
            ResourceNotFoundException: no such consumer, stream or shard.
            ResourceInUseException: the consumer is not ACTIVE, or is already
                subscribed to the shard.
            InvalidArgumentException: a starting position without its argument.
        """
        consumer = self._consumer(consumer_arn, None, None)
        if consumer.status != "ACTIVE":
            raise ResourceInUseException(
                f"Consumer {consumer.arn} is not ACTIVE.", param="ConsumerARN", value=consumer_arn
            )
        stream = self._usable(consumer.stream_arn)
        shard = next((s for s in stream.shards if s.shard_id == shard_id), None)
        if shard is None:
            raise ResourceNotFoundException(
                f"Shard {shard_id} in stream {stream.name} under account {stream.account_id} "
                "does not exist",
                param="ShardId",
                value=shard_id,
            )
        key = (consumer.arn, shard.shard_id)
        live = self._subscriptions.get(key)
        if live is not None and live.live:
            raise ResourceInUseException(
                f"Another active subscription exists for consumer {consumer.arn} on shard "
                f"{shard.shard_id}.",
                param="ShardId",
                value=shard_id,
            )
        position = self._start(stream, shard, starting_position, sequence_number, timestamp)
        now = self.ctx.now()
        subscription = ShardSubscription(
            self, stream, shard, consumer, position, now + SUBSCRIPTION_LIFETIME
        )
        self._subscriptions[key] = subscription
        return subscription

    def _start(
        self,
        stream: Stream,
        shard: Shard,
        kind: str,
        sequence_number: str | None,
        timestamp: datetime | None,
    ) -> int:
        if kind == "TRIM_HORIZON":
            return 0
        if kind == "LATEST":
            return shard.next_counter
        if kind == "AT_TIMESTAMP" and timestamp is not None:
            return shard.counter_at(timestamp)
        if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER") and sequence_number:
            counter = counter_of(stream, shard, sequence_number)
            return counter if kind == "AT_SEQUENCE_NUMBER" else counter + 1
        raise InvalidArgumentException(
            f"StartingPosition {kind} needs its sequence number or timestamp.",
            param="StartingPosition",
            value=kind,
        )


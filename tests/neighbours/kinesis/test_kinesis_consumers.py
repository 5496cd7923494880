"""Tests of awsmon/neighbours/kinesis/consumers.py: enhanced fan-out and SubscribeToShard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from awsmon import Cloud
from awsmon.neighbours.kinesis import HASH_KEY_LIMIT, ResourceInUseException


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud()
    cloud.kinesis.create_stream("s", 1)
    cloud.clock.advance(1)
    return cloud


def test_register_list_describe_deregister(cloud: Cloud) -> None:
    """A consumer is CREATING, then ACTIVE; deregistered, DELETING, then gone."""
    client = cloud.client("kinesis")
    arn = cloud.kinesis.stream("s").arn
    made = client.register_stream_consumer(StreamARN=arn, ConsumerName="app")["Consumer"]
    assert made["ConsumerStatus"] == "CREATING"
    assert made["ConsumerARN"].startswith(f"{arn}/consumer/app:")
    cloud.clock.advance(1)
    described = client.describe_stream_consumer(StreamARN=arn, ConsumerName="app")
    assert described["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE"
    listed = client.list_stream_consumers(StreamARN=arn)["Consumers"]
    assert [c["ConsumerName"] for c in listed] == ["app"]
    client.deregister_stream_consumer(ConsumerARN=made["ConsumerARN"])
    cloud.clock.advance(1)
    assert client.list_stream_consumers(StreamARN=arn)["Consumers"] == []


def test_subscription_reads_then_ends_at_the_split(cloud: Cloud) -> None:
    """Events carry new records; a split ends the subscription with the children."""
    consumer = cloud.kinesis.register_stream_consumer(cloud.kinesis.stream("s").arn, "app")
    cloud.clock.advance(1)
    subscription = cloud.kinesis.subscribe_to_shard(
        consumer.arn, "shardId-000000000000", "LATEST"
    )
    with pytest.raises(ResourceInUseException):
        cloud.kinesis.subscribe_to_shard(consumer.arn, "shardId-000000000000", "LATEST")
    cloud.kinesis.put_record("s", b"one", "k")
    event = subscription.next_event()
    assert event is not None and [r.data for r in event.records] == [b"one"]
    empty = subscription.next_event()
    assert empty is not None and empty.records == ()
    cloud.kinesis.split_shard("s", "shardId-000000000000", HASH_KEY_LIMIT // 2)
    last = subscription.next_event()
    assert last is not None
    assert last.child_shards == ("shardId-000000000001", "shardId-000000000002")
    assert last.continuation_sequence_number is None
    assert subscription.next_event() is None


def test_subscription_lasts_five_minutes(cloud: Cloud) -> None:
    """After five virtual minutes the subscription gives no more events."""
    consumer = cloud.kinesis.register_stream_consumer(cloud.kinesis.stream("s").arn, "app")
    cloud.clock.advance(1)
    subscription = cloud.kinesis.subscribe_to_shard(
        consumer.arn, "shardId-000000000000", "TRIM_HORIZON"
    )
    cloud.clock.advance(timedelta(minutes=5))
    assert subscription.next_event() is None
    again = cloud.kinesis.subscribe_to_shard(consumer.arn, "shardId-000000000000", "LATEST")
    assert again.live

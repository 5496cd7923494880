"""Tests of awsmon/neighbours/kinesis/reshard.py: SplitShard, MergeShards, UpdateShardCount."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon import Cloud
from awsmon.neighbours.kinesis import HASH_KEY_LIMIT, InvalidArgumentException


@pytest.fixture
def cloud() -> Cloud:
    cloud = Cloud()
    cloud.kinesis.create_stream("s", 1)
    cloud.clock.advance(1)
    return cloud


def read_all(client: object, shard_id: str) -> dict[str, object]:
    """Read a shard from TRIM_HORIZON until the end or an empty page."""
    kinesis = client
    iterator = kinesis.get_shard_iterator(  # type: ignore[attr-defined]
        StreamName="s", ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    data: list[bytes] = []
    while True:
        page = kinesis.get_records(ShardIterator=iterator)  # type: ignore[attr-defined]
        data += [r["Data"] for r in page["Records"]]
        if "NextShardIterator" not in page:
            return {"data": data, "children": page["ChildShards"]}
        if not page["Records"]:
            return {"data": data, "children": None}
        iterator = page["NextShardIterator"]


class TestSplit:
    def test_parent_closes_and_children_take_the_writes(self, cloud: Cloud) -> None:
        """After a split the parent ends with ChildShards; new records go to the children."""
        client = cloud.client("kinesis")
        client.put_record(StreamName="s", Data=b"before", PartitionKey="k")
        middle = str(HASH_KEY_LIMIT // 2)
        client.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                           NewStartingHashKey=middle)  # fmt: skip
        assert client.describe_stream(StreamName="s")["StreamDescription"]["StreamStatus"] == (
            "UPDATING"
        )
        cloud.clock.advance(1)
        put = client.put_record(StreamName="s", Data=b"after", PartitionKey="k")
        assert put["ShardId"] in ("shardId-000000000001", "shardId-000000000002")
        shards = client.list_shards(StreamName="s")["Shards"]
        assert [s["ShardId"] for s in shards] == [f"shardId-00000000000{i}" for i in range(3)]
        assert "EndingSequenceNumber" in shards[0]["SequenceNumberRange"]
        assert shards[1]["ParentShardId"] == shards[2]["ParentShardId"] == shards[0]["ShardId"]
        assert shards[1]["HashKeyRange"]["EndingHashKey"] == str(HASH_KEY_LIMIT // 2 - 1)
        parent = read_all(client, "shardId-000000000000")
        assert parent["data"] == [b"before"]
        assert [c["ShardId"] for c in parent["children"]] == [  # type: ignore[union-attr]
            "shardId-000000000001",
            "shardId-000000000002",
        ]
        child = read_all(client, put["ShardId"])
        assert child["data"] == [b"after"] and child["children"] is None

    def test_key_outside_the_range(self, cloud: Cloud) -> None:
        """A new starting key at the shard's own start is refused."""
        with pytest.raises(InvalidArgumentException):
            cloud.kinesis.split_shard("s", "shardId-000000000000", 0)
        assert len(cloud.kinesis.stream("s").shards) == 1


class TestMerge:
    def test_adjacent_shards_merge(self, cloud: Cloud) -> None:
        """Two adjacent shards merge into one child naming both parents."""
        cloud.kinesis.split_shard("s", "shardId-000000000000", HASH_KEY_LIMIT // 2)
        cloud.clock.advance(1)
        child = cloud.kinesis.merge_shards("s", "shardId-000000000001", "shardId-000000000002")
        cloud.clock.advance(1)
        assert (child.starting_hash_key, child.ending_hash_key) == (0, HASH_KEY_LIMIT - 1)
        shards = cloud.client("kinesis").list_shards(StreamName="s")["Shards"]
        assert shards[3]["ParentShardId"] == "shardId-000000000001"
        assert shards[3]["AdjacentParentShardId"] == "shardId-000000000002"

    def test_not_adjacent(self) -> None:
        """Shards whose ranges do not touch are refused."""
        cloud = Cloud()
        cloud.kinesis.create_stream("s", 3)
        cloud.clock.advance(1)
        with pytest.raises(InvalidArgumentException, match="not an adjacent pair"):
            cloud.kinesis.merge_shards("s", "shardId-000000000000", "shardId-000000000002")


class TestUpdateShardCount:
    def test_uniform_scaling(self, cloud: Cloud) -> None:
        """UpdateShardCount closes the open shards and opens the target number."""
        answer = cloud.client("kinesis").update_shard_count(
            StreamName="s", TargetShardCount=2, ScalingType="UNIFORM_SCALING"
        )
        assert (answer["CurrentShardCount"], answer["TargetShardCount"]) == (1, 2)
        cloud.clock.advance(1)
        stream = cloud.kinesis.stream("s")
        assert len(stream.open_shards()) == 2
        with pytest.raises(InvalidArgumentException):
            cloud.kinesis.update_shard_count("s", 5)

    @settings(max_examples=25)
    @given(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    def test_open_shards_always_cover_every_hash_key(self, targets: list[int]) -> None:
        """Whatever the scaling steps, the open shards tile 0..2**128-1 without overlap."""
        cloud = Cloud()
        cloud.kinesis.create_stream("s", 2)
        cloud.clock.advance(1)
        for target in targets:
            try:
                cloud.kinesis.update_shard_count("s", target)
            except InvalidArgumentException:
                continue
            cloud.clock.advance(1)
        ranges = sorted(
            (s.starting_hash_key, s.ending_hash_key)
            for s in cloud.kinesis.stream("s").open_shards()
        )
        assert ranges[0][0] == 0 and ranges[-1][1] == HASH_KEY_LIMIT - 1
        assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(ranges))

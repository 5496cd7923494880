"""Kinesis resharding: SplitShard, MergeShards and UpdateShardCount.

`Resharding` sits between `StreamOptions` and `Kinesis`. A reshard closes
shards and opens children: a split gives a shard two children dividing its
hash key range at a new starting key; a merge gives two adjacent shards one
child covering both; UpdateShardCount (UNIFORM_SCALING) closes every open
shard and opens the target number with uniform ranges, each child naming
the old shards its range overlaps as parents. Closed shards keep their
records (readable until retention trims them) and report an
EndingSequenceNumber; new records go to the children. A reader that
reaches the end of a closed shard gets no NextShardIterator and the
ChildShards to go on with (`Kinesis.get_records`). The stream is UPDATING
for `creation_delay` during a reshard, as AWS shows it.
"""

from __future__ import annotations

from awsmon.dispatch import operation
from awsmon.neighbours.kinesis.errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceNotFoundException,
)
from awsmon.neighbours.kinesis.model import hash_key_ranges
from awsmon.neighbours.kinesis.options import StreamOptions
from awsmon.neighbours.kinesis.store import Shard, Stream

__all__ = ["Resharding"]


class Resharding(StreamOptions):
    """The reshard operations of the streams of one account and region."""

    def _open_shard(self, stream: Stream, shard_id: str, param: str) -> Shard:
        for shard in stream.shards:
            if shard.shard_id == shard_id and shard.is_open:
                return shard
        raise ResourceNotFoundException(
            f"Could not find shard {shard_id} in stream {stream.name} under account "
            f"{stream.account_id}.",
            param=param,
            value=shard_id,
        )

    def _child(self, stream: Stream, start: int, end: int, parents: tuple[int, ...]) -> Shard:
        child = Shard(len(stream.shards), start, end, int(self.ctx.clock.time()), parents=parents)
        stream.shards.append(child)
        return child

    def _close(self, shard: Shard) -> None:
        shard.closed_at = int(self.ctx.clock.time())

    @operation("SplitShard")
    def split_shard(
        self, stream_name: str, shard_to_split: str, new_starting_hash_key: int | str
    ) -> list[Shard]:
        """Split an open shard in two at `new_starting_hash_key` (SplitShard).

        Returns:
            The two children, lower range first.

        Raises:
            ResourceNotFoundException: no such stream or open shard.
            ResourceInUseException: the stream is not ACTIVE.
            InvalidArgumentException: the key is not strictly inside the shard's range.
        """
        stream = self._retention_target(stream_name)
        shard = self._open_shard(stream, shard_to_split, "ShardToSplit")
        key = int(new_starting_hash_key)
        if not shard.starting_hash_key < key <= shard.ending_hash_key:
            raise InvalidArgumentException(
                f"NewStartingHashKey {key} used in SplitShard() on shard {shard.shard_id} in "
                f"stream {stream.name} under account {stream.account_id} is not both greater "
                "than one plus the shard's StartingHashKey "
                f"{shard.starting_hash_key} and less than the shard's EndingHashKey "
                f"{shard.ending_hash_key}.",
                param="NewStartingHashKey",
                value=str(key),
            )
        self._check_quota(stream, 1)
        self._close(shard)
        low = self._child(stream, shard.starting_hash_key, key - 1, (shard.index,))
        high = self._child(stream, key, shard.ending_hash_key, (shard.index,))
        self._update(stream)
        return [low, high]

    @operation("MergeShards")
    def merge_shards(
        self, stream_name: str, shard_to_merge: str, adjacent_shard_to_merge: str
    ) -> Shard:
        """Merge two open shards with adjacent hash key ranges into one (MergeShards).

        Raises:
            ResourceNotFoundException: no such stream or open shard.
            ResourceInUseException: the stream is not ACTIVE.
            InvalidArgumentException: the ranges are not adjacent.
        """
        stream = self._retention_target(stream_name)
        first = self._open_shard(stream, shard_to_merge, "ShardToMerge")
        second = self._open_shard(stream, adjacent_shard_to_merge, "AdjacentShardToMerge")
        low, high = sorted((first, second), key=lambda s: s.starting_hash_key)
        if low.ending_hash_key + 1 != high.starting_hash_key:
            raise InvalidArgumentException(
                f"Shards {first.shard_id} and {second.shard_id} in stream {stream.name} under "
                f"account {stream.account_id} are not an adjacent pair of shards eligible for "
                "merging",
                param="AdjacentShardToMerge",
                value=adjacent_shard_to_merge,
            )
        self._close(first)
        self._close(second)
        child = self._child(
            stream, low.starting_hash_key, high.ending_hash_key, (first.index, second.index)
        )
        self._update(stream)
        return child

    @operation("UpdateShardCount")
    def update_shard_count(
        self, stream_name: str, target_shard_count: int, scaling_type: str = "UNIFORM_SCALING"
    ) -> tuple[int, int]:
        """Reshard to `target_shard_count` uniform shards (UpdateShardCount).

        Returns:
            (current, target) open shard counts.

        Raises:
            ResourceNotFoundException / ResourceInUseException: no ACTIVE stream.
            InvalidArgumentException: a scaling type other than UNIFORM_SCALING,
                or a target above double or below half the current count.
            LimitExceededException: the account's shard quota would be exceeded.
        """
        stream = self._retention_target(stream_name)
        if scaling_type != "UNIFORM_SCALING":
            raise InvalidArgumentException(
                f"Unsupported scaling type {scaling_type}.", param="ScalingType", value=scaling_type
            )
        current = stream.open_shards()
        count = len(current)
        if not (count + 1) // 2 <= target_shard_count <= 2 * count:
            raise InvalidArgumentException(
                f"UpdateShardCount cannot scale {stream.name} from {count} to "
                f"{target_shard_count} shards: the target must be between half and double the "
                "current count.",
                param="TargetShardCount",
                value=target_shard_count,
            )
        self._check_quota(stream, target_shard_count)
        for shard in current:
            self._close(shard)
        for start, end in hash_key_ranges(target_shard_count):
            parents = tuple(
                s.index
                for s in current
                if s.starting_hash_key <= end and start <= s.ending_hash_key
            )
            self._child(stream, start, end, parents[:2])
        self._update(stream)
        return count, target_shard_count

    def _check_quota(self, stream: Stream, added: int) -> None:
        quota = 500 if self.region in ("us-east-1", "us-west-2", "eu-west-1") else 200
        open_now = sum(len(s.open_shards()) for s in self.streams.values())
        if open_now + added > quota:
            raise LimitExceededException(
                f"This request would exceed the shard limit for the account {self.account_id} "
                f"in {self.region}. Current shard count for the account: {open_now}. "
                f"Limit: {quota}.",
                param="StreamName",
                value=stream.name,
            )


"""Kinesis stream options: enhanced (shard-level) monitoring and server-side encryption.

`StreamOptions` sits between `Streams` (the stream operations) and `Kinesis`
(the record operations). Enhanced monitoring turns on the shard-level
AWS/Kinesis metrics (`awsmon.neighbours.kinesis.metrics`); encryption marks
the stream ``KMS`` with a key, which PutRecord(s) and DescribeStream report.
Both changes make the stream UPDATING for `Streams.creation_delay`, as AWS
updates a stream for a few seconds.

Simulation notes: records are stored as given (the encryption is a label:
awsmon does not call KMS), and the key is not checked to exist.
"""

from __future__ import annotations

from collections.abc import Iterable

from awsmon.dispatch import operation
from awsmon.neighbours.kinesis.errors import InvalidArgumentException
from awsmon.neighbours.kinesis.metrics import SHARD_LEVEL
from awsmon.neighbours.kinesis.model import StreamStatus
from awsmon.neighbours.kinesis.store import Stream
from awsmon.neighbours.kinesis.streams import Streams

__all__ = ["StreamOptions"]


class StreamOptions(Streams):
    """Enhanced monitoring and encryption of the streams of one account and region."""

    def _metric_names(self, names: Iterable[str]) -> set[str]:
        wanted = list(names)
        if not wanted:
            raise InvalidArgumentException(
                "ShardLevelMetrics must not be empty.", param="ShardLevelMetrics"
            )
        for name in wanted:
            if name != "ALL" and name not in SHARD_LEVEL:
                raise InvalidArgumentException(
                    f"Unrecognized shard-level metric {name}.",
                    param="ShardLevelMetrics",
                    value=name,
                )
        return set(SHARD_LEVEL) if "ALL" in wanted else set(wanted)

    def _update(self, stream: Stream) -> None:
        """Make an ACTIVE stream UPDATING for `creation_delay`, then ACTIVE again."""
        if stream.status is not StreamStatus.ACTIVE:
            return
        stream.status = StreamStatus.UPDATING

        def done() -> None:
            if stream.status is StreamStatus.UPDATING:
                stream.status = StreamStatus.ACTIVE

        self.ctx.clock.call_later(self.creation_delay, done, name=f"kinesis:{stream.name}")

    @operation("EnableEnhancedMonitoring")
    def enable_enhanced_monitoring(
        self, stream_name: str, shard_level_metrics: Iterable[str]
    ) -> tuple[list[str], list[str]]:
        """Turn shard-level metrics on (EnableEnhancedMonitoring); ``ALL`` for every one.

        Returns:
            (current, desired): the shard-level metrics before and after, sorted.

        Raises:
            ResourceNotFoundException / ResourceInUseException: no usable stream.
            InvalidArgumentException: an unknown metric name.
        """
        stream = self._retention_target(stream_name)
        names = self._metric_names(shard_level_metrics)
        current = sorted(stream.shard_level_metrics)
        stream.shard_level_metrics |= names
        return current, sorted(stream.shard_level_metrics)

    @operation("DisableEnhancedMonitoring")
    def disable_enhanced_monitoring(
        self, stream_name: str, shard_level_metrics: Iterable[str]
    ) -> tuple[list[str], list[str]]:
        """Turn shard-level metrics off (DisableEnhancedMonitoring); ``ALL`` for every one.

        Returns:
            (current, desired): the shard-level metrics before and after, sorted.

        Raises:
            ResourceNotFoundException / ResourceInUseException: no usable stream.
            InvalidArgumentException: an unknown metric name.
        """
        stream = self._retention_target(stream_name)
        names = self._metric_names(shard_level_metrics)
        current = sorted(stream.shard_level_metrics)
        stream.shard_level_metrics -= names
        return current, sorted(stream.shard_level_metrics)

    @operation("StartStreamEncryption")
    def start_stream_encryption(self, stream_name: str, encryption_type: str, key_id: str) -> None:
        """Encrypt new records with a KMS key (StartStreamEncryption); UPDATING for a moment.

        Raises:
            ResourceNotFoundException / ResourceInUseException: no usable stream.
            InvalidArgumentException: `encryption_type` is not ``KMS``.
        """
        stream = self._retention_target(stream_name)
        if encryption_type != "KMS":
            raise InvalidArgumentException(
                f"Encryption type {encryption_type} is not supported for starting encryption.",
                param="EncryptionType",
                value=encryption_type,
            )
        stream.encryption_type, stream.key_id = "KMS", key_id
        self._update(stream)

    @operation("StopStreamEncryption")
    def stop_stream_encryption(self, stream_name: str, encryption_type: str, key_id: str) -> None:
        """Stop encrypting new records (StopStreamEncryption); UPDATING for a moment.

        Raises:
            ResourceNotFoundException / ResourceInUseException: no usable stream.
            InvalidArgumentException: the stream is not encrypted with that type and key.
        """
        stream = self._retention_target(stream_name)
        if encryption_type != stream.encryption_type or key_id != stream.key_id:
            raise InvalidArgumentException(
                f"Stream {stream.name} under account {stream.account_id} is not encrypted "
                f"with {encryption_type} key {key_id}.",
                param="KeyId",
                value=key_id,
            )
        stream.encryption_type, stream.key_id = "NONE", None
        self._update(stream)

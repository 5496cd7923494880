"""Kinesis wire operations: AWS parameter names in, boto3 response shapes out.

Validation errors follow Kinesis's JSON wording (``1 validation error
detected: Value '0' at 'shardCount' failed to satisfy constraint: ...``,
member names in lower camel case); blobs (``Data``) are accepted as bytes or
text, as botocore accepts them, and returned as bytes, as boto3 decodes them.

>>> from awsmon import Cloud
>>> cloud = Cloud()
>>> kinesis = cloud.client("kinesis")
>>> kinesis.create_stream(StreamName="s", ShardCount=1)
{}
>>> cloud.clock.advance(1)
>>> kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")["ShardId"]
'shardId-000000000000'
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from awsmon import jsondoc
from awsmon.neighbours.kinesis.consumers import Consumer
from awsmon.neighbours.kinesis.errors import InvalidArgumentException, ValidationException
from awsmon.neighbours.kinesis.metrics import SHARD_LEVEL
from awsmon.neighbours.kinesis.model import RecordInput
from awsmon.neighbours.kinesis.service import Kinesis
from awsmon.neighbours.kinesis.store import Shard, Stream
from awsmon.wire import Params, WireApi, Wording, handles, tags_page

__all__ = ["KinesisApi"]

Response = dict[str, Any]

_NAME = r"[a-zA-Z0-9_.-]+"
_ARN = r"arn:aws.*:kinesis:.*:\d{12}:stream/\S+"
_HASH_KEY = r"0|([1-9]\d{0,38})"
_SEQUENCE = r"0|([1-9]\d{0,128})"
_ITERATOR_TYPES = (
    "AT_SEQUENCE_NUMBER",
    "AFTER_SEQUENCE_NUMBER",
    "TRIM_HORIZON",
    "LATEST",
    "AT_TIMESTAMP",
)
_SHARD_METRICS = (*SHARD_LEVEL, "ALL")
_SHARD_FILTERS = (
    "AFTER_SHARD_ID",
    "AT_TRIM_HORIZON",
    "FROM_TRIM_HORIZON",
    "AT_LATEST",
    "AT_TIMESTAMP",
    "FROM_TIMESTAMP",
)


def _shard(shard: Shard, stream: Stream | None = None) -> Response:
    out: Response = {"ShardId": shard.shard_id}
    if stream is not None and shard.parents:
        out["ParentShardId"] = stream.shards[shard.parents[0]].shard_id
        if len(shard.parents) > 1:
            out["AdjacentParentShardId"] = stream.shards[shard.parents[1]].shard_id
    out["HashKeyRange"] = {
        "StartingHashKey": str(shard.starting_hash_key),
        "EndingHashKey": str(shard.ending_hash_key),
    }
    numbers = {"StartingSequenceNumber": shard.starting_sequence_number}
    if shard.ending_sequence_number is not None:
        numbers["EndingSequenceNumber"] = shard.ending_sequence_number
    out["SequenceNumberRange"] = numbers
    return out


def _common(stream: Stream) -> Response:
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": stream.status.value,
        "StreamModeDetails": {"StreamMode": stream.mode.value},
    }


def _details(stream: Stream) -> Response:
    return {
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": stream.created_at.replace(microsecond=0),
        "EnhancedMonitoring": [{"ShardLevelMetrics": sorted(stream.shard_level_metrics)}],
        "EncryptionType": stream.encryption_type,
        **({"KeyId": stream.key_id} if stream.key_id is not None else {}),
    }


def _token(payload: Mapping[str, Any]) -> str:
    return base64.b64encode(json.dumps(payload, sort_keys=True).encode()).decode()


def _untoken(token: str) -> dict[str, Any]:
    try:
        found = jsondoc.loads(base64.b64decode(token.encode(), validate=True))
    except (ValueError, TypeError):
        found = None
    if not isinstance(found, dict):
        raise InvalidArgumentException(
            f"Invalid NextToken: {token}", param="NextToken", value=token
        )
    return found


class KinesisApi(WireApi):
    """The Kinesis wire API."""

    domain: Kinesis
    invalid_parameter = ValidationException
    missing_parameter = ValidationException
    wording = Wording(member_case="camel", missing="null")

    def _stream(self, params: Params) -> str:
        name = params.string("StreamName", min_length=1, max_length=128, pattern=_NAME)
        arn = params.string("StreamARN", min_length=1, max_length=2048, pattern=_ARN)
        found = arn if name is None else name
        if found is None:
            raise InvalidArgumentException(
                "Either StreamName or StreamARN should be provided.", param="StreamName"
            )
        return found

    # -- streams --------------------------------------------------------------------

    @handles("CreateStream")
    def create_stream(self, params: Params) -> Response:
        """CreateStream → nothing (the stream is CREATING)."""
        name = params.string("StreamName", required=True, max_length=128, pattern=_NAME)
        count = params.integer("ShardCount", minimum=1)
        mode = None
        if "StreamModeDetails" in params:
            details = params.nested(params.mapping("StreamModeDetails"))
            mode = details.string("StreamMode", required=True, choices=("PROVISIONED", "ON_DEMAND"))
        size = params.integer("MaxRecordSizeInKiB", minimum=1024, maximum=10240)
        tags = {str(k): str(v) for k, v in params.mapping("Tags").items()}
        self.domain.create_stream(
            name, count, stream_mode=mode, tags=tags, max_record_size_in_kib=size
        )
        return {}

    @handles("DescribeStream")
    def describe_stream(self, params: Params) -> Response:
        """DescribeStream → ``StreamDescription`` with up to ``Limit`` shards (100)."""
        target = self._stream(params)
        limit = params.integer("Limit", minimum=1, maximum=10000, default=100)
        after = params.string("ExclusiveStartShardId", max_length=128, pattern=_NAME)
        stream = self.domain.describe_stream(target)
        shards = [s for s in stream.visible_shards() if after is None or s.shard_id > after]
        description = _common(stream)
        description["Shards"] = [_shard(s, stream) for s in shards[:limit]]
        description["HasMoreShards"] = len(shards) > limit
        description.update(_details(stream))
        return {"StreamDescription": description}

    @handles("DescribeStreamSummary")
    def describe_stream_summary(self, params: Params) -> Response:
        """DescribeStreamSummary → ``StreamDescriptionSummary``."""
        stream = self.domain.describe_stream_summary(self._stream(params))
        summary = _common(stream)
        summary.update(_details(stream))
        summary["OpenShardCount"] = len(stream.visible_shards())
        summary["ConsumerCount"] = 0
        summary["MaxRecordSizeInKiB"] = stream.max_record_size_kib
        return {"StreamDescriptionSummary": summary}

    @handles("ListStreams")
    def list_streams(self, params: Params) -> Response:
        """ListStreams → ``StreamNames``, ``StreamSummaries``, ``HasMoreStreams``, NextToken."""
        limit = params.integer("Limit", minimum=1, maximum=10000, default=100)
        start = params.string("ExclusiveStartStreamName", max_length=128, pattern=_NAME)
        token = params.string("NextToken", min_length=1)
        if token is not None:
            start = str(_untoken(token).get("after", ""))
        streams = [s for s in self.domain.list_streams() if start is None or s.name > start]
        page, more = streams[:limit], len(streams) > limit
        response: Response = {
            "StreamNames": [s.name for s in page],
            "HasMoreStreams": more,
        }
        if more:
            response["NextToken"] = _token({"after": page[-1].name})
        summaries = []
        for stream in page:
            summary = _common(stream)
            summary["StreamCreationTimestamp"] = stream.created_at.replace(microsecond=0)
            summaries.append(summary)
        response["StreamSummaries"] = summaries
        return response

    @handles("ListShards")
    def list_shards(self, params: Params) -> Response:
        """ListShards → ``Shards`` and ``NextToken`` when more remain (pages of 1,000)."""
        token = params.string("NextToken", min_length=1)
        has_stream = "StreamName" in params or "StreamARN" in params
        if token is not None and has_stream:
            raise InvalidArgumentException(
                "NextToken and StreamName cannot be provided together.", param="NextToken"
            )
        if token is None and not has_stream:
            raise InvalidArgumentException(
                "Either NextToken or StreamName should be provided.", param="StreamName"
            )
        limit = params.integer("MaxResults", minimum=1, maximum=10000, default=1000)
        after = params.string("ExclusiveStartShardId", max_length=128, pattern=_NAME)
        if token is not None:
            state = _untoken(token)
            target, after = str(state.get("stream", "")), str(state.get("after", ""))
        else:
            target = self._stream(params)
        if "ShardFilter" in params:
            shard_filter = params.nested(params.mapping("ShardFilter"))
            kind = shard_filter.string("Type", required=True, choices=_SHARD_FILTERS)
            if kind == "AFTER_SHARD_ID":
                after = shard_filter.string("ShardId", pattern=_NAME)
                if after is None:
                    raise InvalidArgumentException(
                        "ShardId must be specified when using the AFTER_SHARD_ID filter type.",
                        param="ShardFilter",
                    )
            elif kind in ("AT_TIMESTAMP", "FROM_TIMESTAMP") and "Timestamp" not in shard_filter:
                raise InvalidArgumentException(
                    f"Timestamp must be specified when using the {kind} filter type.",
                    param="ShardFilter",
                )
        shards = [s for s in self.domain.list_shards(target) if not after or s.shard_id > after]
        page = shards[:limit]
        owner = self.domain.stream(target)
        response: Response = {"Shards": [_shard(s, owner) for s in page]}
        if len(shards) > limit:
            response["NextToken"] = _token({"stream": target, "after": page[-1].shard_id})
        return response

    @handles("DeleteStream")
    def delete_stream(self, params: Params) -> Response:
        """DeleteStream → nothing (the stream is DELETING)."""
        enforce = params.boolean("EnforceConsumerDeletion", default=False)
        self.domain.delete_stream(self._stream(params), enforce_consumer_deletion=bool(enforce))
        return {}

    def _hours(self, params: Params) -> int:
        hours = params.integer("RetentionPeriodHours", required=True)
        return hours

    @handles("IncreaseStreamRetentionPeriod")
    def increase_stream_retention_period(self, params: Params) -> Response:
        """IncreaseStreamRetentionPeriod → nothing."""
        target = self._stream(params)
        self.domain.increase_stream_retention_period(target, self._hours(params))
        return {}

    @handles("DecreaseStreamRetentionPeriod")
    def decrease_stream_retention_period(self, params: Params) -> Response:
        """DecreaseStreamRetentionPeriod → nothing."""
        target = self._stream(params)
        self.domain.decrease_stream_retention_period(target, self._hours(params))
        return {}

    @handles("AddTagsToStream")
    def add_tags_to_stream(self, params: Params) -> Response:
        """AddTagsToStream → nothing."""
        tags = params.mapping("Tags", required=True)
        target = self._stream(params)
        self.domain.add_tags_to_stream(target, {str(k): str(v) for k, v in tags.items()})
        return {}

    @handles("RemoveTagsFromStream")
    def remove_tags_from_stream(self, params: Params) -> Response:
        """RemoveTagsFromStream → nothing."""
        keys = params.strings("TagKeys", required=True, min_items=1, max_items=50)
        self.domain.remove_tags_from_stream(self._stream(params), [str(k) for k in keys])
        return {}

    @handles("ListTagsForStream")
    def list_tags_for_stream(self, params: Params) -> Response:
        """ListTagsForStream → ``Tags`` (key order) and ``HasMoreTags``."""
        limit = params.integer("Limit", minimum=1, maximum=50, default=50)
        start = params.string("ExclusiveStartTagKey")
        tags = self.domain.list_tags_for_stream(self._stream(params))
        page, more = tags_page(tags, start, limit)
        return {"Tags": page, "HasMoreTags": more}

    # -- records --------------------------------------------------------------------

    def _record(self, params: Params) -> RecordInput:
        data = params.blob("Data", required=True)
        key = params.string("PartitionKey", required=True, min_length=1, max_length=256)
        explicit = params.string("ExplicitHashKey", pattern=_HASH_KEY)
        return RecordInput(
            data=data,
            partition_key=key,
            explicit_hash_key=int(explicit) if explicit is not None else None,
        )

    @handles("PutRecord")
    def put_record(self, params: Params) -> Response:
        """PutRecord → ``ShardId``, ``SequenceNumber``, ``EncryptionType``."""
        record = self._record(params)
        ordering = params.string("SequenceNumberForOrdering", pattern=_SEQUENCE)
        result = self.domain.put_record(
            self._stream(params),
            record.data,
            record.partition_key,
            explicit_hash_key=record.explicit_hash_key,
            sequence_number_for_ordering=ordering,
        )
        return {
            "ShardId": result.shard_id,
            "SequenceNumber": result.sequence_number,
            "EncryptionType": result.encryption_type,
        }

    @handles("PutRecords")
    def put_records(self, params: Params) -> Response:
        """PutRecords → ``FailedRecordCount``, ``Records`` (per entry), ``EncryptionType``."""
        entries = params.items("Records", required=True, min_items=1, max_items=500)
        records = []
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise params.invalid("Records", entry, "Member must be a structure")
            records.append(self._record(params.nested(entry)))
        results = self.domain.put_records(self._stream(params), records)
        wire: list[Response] = []
        for result in results:
            if result.failed:
                wire.append({"ErrorCode": result.error_code, "ErrorMessage": result.error_message})
            else:
                wire.append({"SequenceNumber": result.sequence_number, "ShardId": result.shard_id})
        return {
            "FailedRecordCount": sum(1 for r in results if r.failed),
            "Records": wire,
            "EncryptionType": self.domain.stream(self._stream(params)).encryption_type,
        }

    @handles("GetShardIterator")
    def get_shard_iterator(self, params: Params) -> Response:
        """GetShardIterator → ``ShardIterator``."""
        shard = params.string("ShardId", required=True, max_length=128, pattern=_NAME)
        kind = params.string("ShardIteratorType", required=True, choices=_ITERATOR_TYPES)
        number = params.string("StartingSequenceNumber", pattern=_SEQUENCE)
        when = params.timestamp("Timestamp")
        iterator = self.domain.get_shard_iterator(
            self._stream(params), shard, kind, starting_sequence_number=number, timestamp=when
        )
        return {"ShardIterator": iterator}

    @handles("GetRecords")
    def get_records(self, params: Params) -> Response:
        """GetRecords → ``Records``, ``NextShardIterator``, ``MillisBehindLatest``."""
        iterator = params.string("ShardIterator", required=True, min_length=1, max_length=512)
        limit = params.integer("Limit", minimum=1, maximum=10000)
        result = self.domain.get_records(iterator, limit=limit)
        response: Response = {
            "Records": [
                {
                    "SequenceNumber": r.sequence_number,
                    "ApproximateArrivalTimestamp": r.arrived_at,
                    "Data": r.data,
                    "PartitionKey": r.partition_key,
                }
                for r in result.records
            ],
            "MillisBehindLatest": result.millis_behind_latest,
        }
        if result.next_shard_iterator is not None:
            response["NextShardIterator"] = result.next_shard_iterator
        else:
            response["ChildShards"] = [
                {
                    "ShardId": shard_id,
                    "ParentShards": list(parents),
                    "HashKeyRange": {"StartingHashKey": str(low), "EndingHashKey": str(high)},
                }
                for shard_id, parents, low, high in result.child_shards
            ]
        return response

    # -- resharding -----------------------------------------------------------------

    @handles("SplitShard")
    def split_shard(self, params: Params) -> Response:
        """SplitShard → nothing (the stream is UPDATING)."""
        shard = params.string("ShardToSplit", required=True, max_length=128, pattern=_NAME)
        key = params.string("NewStartingHashKey", required=True, pattern=_HASH_KEY)
        self.domain.split_shard(self._stream(params), shard, int(key))
        return {}

    @handles("MergeShards")
    def merge_shards(self, params: Params) -> Response:
        """MergeShards → nothing (the stream is UPDATING)."""
        first = params.string("ShardToMerge", required=True, max_length=128, pattern=_NAME)
        second = params.string(
            "AdjacentShardToMerge", required=True, max_length=128, pattern=_NAME
        )
        self.domain.merge_shards(self._stream(params), first, second)
        return {}

    @handles("UpdateShardCount")
    def update_shard_count(self, params: Params) -> Response:
        """UpdateShardCount → the current and target counts."""
        target = params.integer("TargetShardCount", required=True, minimum=1, maximum=100000)
        scaling = params.string("ScalingType", required=True, choices=("UNIFORM_SCALING",))
        name = self._stream(params)
        current, wanted = self.domain.update_shard_count(name, target, scaling)
        stream = self.domain.stream(name)
        return {
            "StreamName": stream.name,
            "CurrentShardCount": current,
            "TargetShardCount": wanted,
            "StreamARN": stream.arn,
        }

    # -- options --------------------------------------------------------------------

    def _monitoring(self, params: Params, enable: bool) -> Response:
        names = params.strings(
            "ShardLevelMetrics", required=True, min_items=1, max_items=7, choices=_SHARD_METRICS
        )
        target = self._stream(params)
        change = (
            self.domain.enable_enhanced_monitoring
            if enable
            else self.domain.disable_enhanced_monitoring
        )
        current, desired = change(target, names)
        stream = self.domain.stream(target)
        return {
            "StreamName": stream.name,
            "CurrentShardLevelMetrics": current,
            "DesiredShardLevelMetrics": desired,
            "StreamARN": stream.arn,
        }

    @handles("EnableEnhancedMonitoring")
    def enable_enhanced_monitoring(self, params: Params) -> Response:
        """EnableEnhancedMonitoring → the stream and its Current/Desired ShardLevelMetrics."""
        return self._monitoring(params, True)

    @handles("DisableEnhancedMonitoring")
    def disable_enhanced_monitoring(self, params: Params) -> Response:
        """DisableEnhancedMonitoring → the stream and its Current/Desired ShardLevelMetrics."""
        return self._monitoring(params, False)

    def _encryption(self, params: Params) -> tuple[str, str, str]:
        kind = params.string("EncryptionType", required=True, choices=("NONE", "KMS"))
        key = params.string("KeyId", required=True, min_length=1, max_length=2048)
        return self._stream(params), kind, key

    @handles("StartStreamEncryption")
    def start_stream_encryption(self, params: Params) -> Response:
        """StartStreamEncryption → nothing (the stream is UPDATING)."""
        self.domain.start_stream_encryption(*self._encryption(params))
        return {}

    @handles("StopStreamEncryption")
    def stop_stream_encryption(self, params: Params) -> Response:
        """StopStreamEncryption → nothing (the stream is UPDATING)."""
        self.domain.stop_stream_encryption(*self._encryption(params))
        return {}

    # -- enhanced fan-out consumers ----------------------------------------------------

    def _consumer_args(self, params: Params) -> dict[str, str | None]:
        return {
            "consumer_arn": params.string("ConsumerARN", min_length=1, max_length=2048),
            "stream_arn": params.string("StreamARN", min_length=1, max_length=2048),
            "consumer_name": params.string("ConsumerName", min_length=1, max_length=128),
        }

    @handles("RegisterStreamConsumer")
    def register_stream_consumer(self, params: Params) -> Response:
        """RegisterStreamConsumer → ``Consumer`` (CREATING)."""
        stream_arn = params.string("StreamARN", required=True, min_length=1, max_length=2048)
        name = params.string("ConsumerName", required=True, min_length=1, max_length=128)
        return {"Consumer": _consumer(self.domain.register_stream_consumer(stream_arn, name))}

    @handles("DescribeStreamConsumer")
    def describe_stream_consumer(self, params: Params) -> Response:
        """DescribeStreamConsumer → ``ConsumerDescription``."""
        found = self.domain.describe_stream_consumer(**self._consumer_args(params))
        return {"ConsumerDescription": {**_consumer(found), "StreamARN": found.stream_arn}}

    @handles("ListStreamConsumers")
    def list_stream_consumers(self, params: Params) -> Response:
        """ListStreamConsumers → ``Consumers`` (one page)."""
        stream_arn = params.string("StreamARN", required=True, min_length=1, max_length=2048)
        params.integer("MaxResults", minimum=1, maximum=10000)
        found = self.domain.list_stream_consumers(stream_arn)
        return {"Consumers": [_consumer(c) for c in found]}

    @handles("DeregisterStreamConsumer")
    def deregister_stream_consumer(self, params: Params) -> Response:
        """DeregisterStreamConsumer → nothing (the consumer is DELETING)."""
        self.domain.deregister_stream_consumer(**self._consumer_args(params))
        return {}


def _consumer(found: Consumer) -> Response:
    return {
        "ConsumerName": found.name,
        "ConsumerARN": found.arn,
        "ConsumerStatus": found.status,
        "ConsumerCreationTimestamp": found.created_at.replace(microsecond=0),
    }

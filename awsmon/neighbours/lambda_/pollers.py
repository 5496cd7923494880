"""What an event source mapping does at each poll: read its source, invoke, checkpoint.

- `poll_sqs`: receive batches (``BatchSize``, ``MaximumBatchingWindowInSeconds``)
  from a standard or FIFO queue, invoke, then delete what succeeded. A failed
  batch is not deleted: its messages come back after the visibility timeout
  and the queue's redrive policy moves them to the dead-letter queue; with
  ``ReportBatchItemFailures`` only the ``batchItemFailures`` are kept.
- `poll_kinesis`: read each shard from its checkpoint (``StartingPosition``
  first), invoke, publish ``IteratorAge``; a failed batch is retried at the
  next poll (halved with ``BisectBatchOnFunctionError``) until
  ``MaximumRetryAttempts`` or ``MaximumRecordAgeInSeconds`` sends its
  description to the ``OnFailure`` destination and the shard moves on.

The Kinesis poller calls the stream's operations as the function's execution
role, so they show in CloudTrail as Lambda's calls do in AWS.

Simulation notes: the SQS poller reads and deletes through the queue's
`take`/`settle` (batches of up to 10,000 in one step), which CloudTrail does
not record; a queue with no visible message is not polled (AWS's pollers
would make empty receives).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from attrs import define, field

from awsmon import jsondoc
from awsmon.arn import Arn
from awsmon.dispatch import ServiceContext
from awsmon.errors import ServiceError
from awsmon.neighbours.lambda_.destinations import deliver
from awsmon.neighbours.lambda_.events import kinesis_event
from awsmon.neighbours.lambda_.logformat import timestamp
from awsmon.neighbours.lambda_.mappings import EventSourceMapping
from awsmon.neighbours.lambda_.model import Invocation, LambdaFunction
from awsmon.neighbours.lambda_.runtime import execution_role
from awsmon.neighbours.lambda_.telemetry import publish_counts

__all__ = ["ShardState", "failed_items", "poll_kinesis", "poll_sqs"]

Invoke = Callable[[LambdaFunction, Any], Invocation]


def failed_items(invocation: Invocation, ids: Sequence[str], report: bool) -> set[str]:
    """The item ids of a batch that failed, as Lambda reads the function's answer.

    Everything failed when the function failed, or when a partial batch
    response names an item that is empty or not in the batch; with
    ``ReportBatchItemFailures``, the ``batchItemFailures``' ``itemIdentifier``
    otherwise; nothing when the answer is anything else.
    """
    if invocation.function_error is not None:
        return set(ids)
    if not report:
        return set()
    try:
        answer = jsondoc.loads(invocation.payload)
    except ValueError:
        return set()
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not failures or not isinstance(failures, list):
        return set()
    known = set(ids)
    failed: set[str] = set()
    for failure in failures:
        item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(item, str) or item not in known:
            return set(ids)
        failed.add(item)
    return failed


def poll_sqs(
    ctx: ServiceContext, mapping: EventSourceMapping, function: LambdaFunction, invoke: Invoke
) -> None:
    """One poll of a queue: every batch available now, unless the window says wait."""
    sqs = ctx.service_at(mapping.source_arn, "sqs")
    try:
        queue = sqs.queue(mapping.source_arn)
    except ServiceError:
        return
    now = ctx.now()
    visible = queue.counts(now)[0]
    if visible == 0:
        mapping.window_started = None
        return
    if mapping.window and visible < mapping.batch_size:
        if mapping.window_started is None:
            mapping.window_started = now
        if now - mapping.window_started < timedelta(seconds=mapping.window):
            return
    mapping.window_started = None
    region = Arn.parse(mapping.source_arn).region
    while True:
        batch = sqs.take(mapping.source_arn, mapping.batch_size)
        if not batch:
            return
        event = {"Records": [_sqs_record(m, mapping.source_arn, region) for m in batch]}
        invocation = invoke(function, event)
        failed = failed_items(invocation, [m.message_id for m in batch], mapping.report_failures)
        sqs.settle(
            mapping.source_arn, [m.receipt_handle for m in batch if m.message_id not in failed]
        )


def _sqs_record(message: Any, queue_arn: str, region: str) -> dict[str, Any]:
    """A received message as the record of an SQS event (`events.sqs_event`'s shape)."""
    return {
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": dict(message.attributes),
        "messageAttributes": {
            name: {
                "stringValue": value.string_value,
                "binaryValue": value.binary_value,
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.data_type,
            }
            for name, value in message.message_attributes.items()
        },
        "md5OfBody": message.md5_of_body,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


@define
class ShardState:
    """Where a mapping is in one shard.

    Attributes:
        iterator: the next shard iterator, None until the first read (or expired).
        checkpoint: the sequence number of the last record done with.
        pending: the batches read and not yet done with, oldest first
            (a failed batch, halved when bisecting).
        attempts: failed invocations of the first pending batch.
    """

    iterator: str | None = None
    checkpoint: str | None = None
    pending: list[list[Any]] = field(factory=list)
    attempts: int = 0


def poll_kinesis(
    ctx: ServiceContext, mapping: EventSourceMapping, function: LambdaFunction, invoke: Invoke
) -> None:
    """One poll of a stream: each shard's next batches, until one fails."""
    kinesis = ctx.service_at(mapping.source_arn, "kinesis")
    with ctx.as_principal(execution_role(function)):
        try:
            shards = kinesis.list_shards(mapping.source_arn)
        except ServiceError:
            return
        for shard in shards:
            state = mapping.shards.setdefault(shard.shard_id, ShardState())
            if not state.pending and not _read(ctx, kinesis, mapping, shard.shard_id, state):
                continue
            while state.pending:
                if not _process(ctx, mapping, function, invoke, shard.shard_id, state):
                    break
                if not state.pending and not _read(ctx, kinesis, mapping, shard.shard_id, state):
                    break


def _read(
    ctx: ServiceContext, kinesis: Any, mapping: EventSourceMapping, shard_id: str, state: ShardState
) -> bool:
    """Read the shard's next batch into `state.pending`; False when there is none (yet)."""
    for _ in range(2):
        if state.iterator is None:
            state.iterator = _iterator(kinesis, mapping, shard_id, state)
        try:
            result = kinesis.get_records(state.iterator, limit=mapping.batch_size)
        except ServiceError as error:
            if error.code != "ExpiredIteratorException":
                return False
            state.iterator = None
            continue
        records = list(result.records)
        if not records:
            state.iterator = result.next_shard_iterator
            return False
        now = ctx.now()
        if mapping.window and len(records) < mapping.batch_size:
            if mapping.window_started is None:
                mapping.window_started = now
            if now - mapping.window_started < timedelta(seconds=mapping.window):
                return False  # keep the iterator: read these again when the window ends
        mapping.window_started = None
        state.iterator = result.next_shard_iterator
        state.pending.append(records)
        return True
    return False


def _iterator(kinesis: Any, mapping: EventSourceMapping, shard_id: str, state: ShardState) -> str:
    if state.checkpoint is not None:
        return str(
            kinesis.get_shard_iterator(
                mapping.source_arn,
                shard_id,
                "AFTER_SEQUENCE_NUMBER",
                starting_sequence_number=state.checkpoint,
            )
        )
    return str(
        kinesis.get_shard_iterator(
            mapping.source_arn,
            shard_id,
            mapping.starting_position or "LATEST",
            timestamp=mapping.starting_timestamp,
        )
    )


def _process(
    ctx: ServiceContext,
    mapping: EventSourceMapping,
    function: LambdaFunction,
    invoke: Invoke,
    shard_id: str,
    state: ShardState,
) -> bool:
    """Invoke the first pending batch; True when the shard may go on."""
    batch = state.pending[0]
    now = ctx.now()
    if mapping.max_record_age >= 0 and now - batch[0].arrived_at > timedelta(
        seconds=mapping.max_record_age
    ):
        _give_up(ctx, mapping, function, shard_id, state, "RecordAgeExceeded", None)
        return True
    region = Arn.parse(mapping.source_arn).region
    event = kinesis_event(
        [
            {
                "PartitionKey": r.partition_key,
                "SequenceNumber": r.sequence_number,
                "Data": r.data,
                "ApproximateArrivalTimestamp": r.arrived_at,
            }
            for r in batch
        ],
        stream_arn=mapping.source_arn,
        region=region,
        shard_id=shard_id,
    )
    invocation = invoke(function, event)
    age = (now - batch[-1].arrived_at).total_seconds() * 1000
    publish_counts(ctx, function, {"IteratorAge": age}, unit="Milliseconds")
    sequence = [r.sequence_number for r in batch]
    failed = failed_items(invocation, sequence, mapping.report_failures)
    if not failed:
        state.pending.pop(0)
        state.checkpoint = batch[-1].sequence_number
        state.attempts = 0
        mapping.last_result = "OK"
        return True
    mapping.last_result = "PROBLEM: Function call failed"
    first = min(sequence.index(s) for s in failed)
    if first > 0:  # a partial batch response: what came before the first failure is done
        state.checkpoint = batch[first - 1].sequence_number
        state.pending[0] = batch = batch[first:]
    state.attempts += 1
    if 0 <= mapping.max_retries < state.attempts:
        _give_up(ctx, mapping, function, shard_id, state, "RetryAttemptsExhausted", invocation)
        return True
    if mapping.bisect and len(batch) > 1:
        half = len(batch) // 2
        state.pending[0:1] = [batch[:half], batch[half:]]
    return False


def _give_up(
    ctx: ServiceContext,
    mapping: EventSourceMapping,
    function: LambdaFunction,
    shard_id: str,
    state: ShardState,
    condition: str,
    invocation: Invocation | None,
) -> None:
    """Skip the first pending batch, sending its description to the OnFailure destination."""
    batch = state.pending.pop(0)
    attempts = state.attempts
    state.checkpoint = batch[-1].sequence_number
    state.attempts = 0
    if mapping.on_failure is None:
        return
    record = _kinesis_failure(mapping, function, shard_id, batch, condition, attempts, invocation)
    record["timestamp"] = timestamp(ctx.now())
    deliver(ctx, function, mapping.on_failure, record, success=False)


def _kinesis_failure(
    mapping: EventSourceMapping,
    function: LambdaFunction,
    shard_id: str,
    batch: Sequence[Any],
    condition: str,
    attempts: int,
    invocation: Invocation | None,
) -> dict[str, Any]:
    """The on-failure record of a Kinesis batch, as AWS documents it."""
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if invocation is not None and invocation.function_error is not None:
        response["functionError"] = invocation.function_error
    first: datetime = batch[0].arrived_at
    last: datetime = batch[-1].arrived_at
    return {
        "requestContext": {
            "requestId": invocation.request_id if invocation is not None else "",
            "functionArn": function.arn,
            "condition": condition,
            "approximateInvokeCount": max(attempts, 1),
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": "",
        "KinesisBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": batch[0].sequence_number,
            "endSequenceNumber": batch[-1].sequence_number,
            "approximateArrivalOfFirstRecord": timestamp(first),
            "approximateArrivalOfLastRecord": timestamp(last),
            "batchSize": len(batch),
            "streamArn": mapping.source_arn,
        },
    }

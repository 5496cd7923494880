"""Amazon SQS: standard and FIFO queues on the virtual clock.

`SQS` (service.py) is the service of one account and region, built on `Queues`
(queues.py: lookup and the queue operations); `model.py` holds the values and the
checks SQS applies, `errors.py` the error classes, `api.py` the wire translation.
"""

from __future__ import annotations

from awsmon.neighbours.sqs.api import SqsApi
from awsmon.neighbours.sqs.errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidBatchEntryId,
    InvalidMessageContents,
    InvalidParameterValue,
    MessageNotInflight,
    MissingParameter,
    PurgeQueueInProgress,
    QueueAccessDenied,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
    ReceiptHandleIsInvalid,
    TooManyEntriesInBatchRequest,
)
from awsmon.neighbours.sqs.model import (
    ALL_ATTRIBUTES,
    SETTABLE,
    Message,
    MessageAttribute,
    Queue,
    ReceivedMessage,
    SendResult,
    check_message,
    md5_of_message_attributes,
    validate_attributes,
)
from awsmon.neighbours.sqs.queues import Queues
from awsmon.neighbours.sqs.service import SQS

__all__ = [
    "ALL_ATTRIBUTES",
    "SETTABLE",
    "SQS",
    "BatchEntryIdsNotDistinct",
    "BatchRequestTooLong",
    "EmptyBatchRequest",
    "InvalidAttributeName",
    "InvalidAttributeValue",
    "InvalidBatchEntryId",
    "InvalidMessageContents",
    "InvalidParameterValue",
    "Message",
    "MessageAttribute",
    "MessageNotInflight",
    "MissingParameter",
    "PurgeQueueInProgress",
    "Queue",
    "QueueAccessDenied",
    "QueueDeletedRecently",
    "QueueDoesNotExist",
    "QueueNameExists",
    "Queues",
    "ReceiptHandleIsInvalid",
    "ReceivedMessage",
    "SendResult",
    "SqsApi",
    "TooManyEntriesInBatchRequest",
    "check_message",
    "md5_of_message_attributes",
    "validate_attributes",
]

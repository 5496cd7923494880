"""SQS's error classes.

SQS speaks JSON but keeps its old Query error codes: AWS answers with the
x-amzn-query-error header, botocore puts that code in Error.Code and the
shape name in Error.QueryErrorCode (which picks the modelled exception).
"""

from __future__ import annotations

from typing import Any

from awsmon.errors import (
    AccessDenied,
    AlreadyExists,
    Conflict,
    InvalidParameter,
    NotFound,
    ServiceError,
)

__all__ = [
    "BatchEntryIdsNotDistinct",
    "BatchRequestTooLong",
    "EmptyBatchRequest",
    "InvalidAttributeName",
    "InvalidAttributeValue",
    "InvalidBatchEntryId",
    "InvalidMessageContents",
    "InvalidParameterValue",
    "MessageNotInflight",
    "MissingParameter",
    "PurgeQueueInProgress",
    "QueueAccessDenied",
    "QueueDeletedRecently",
    "QueueDoesNotExist",
    "QueueNameExists",
    "ReceiptHandleIsInvalid",
    "TooManyEntriesInBatchRequest",
]


class _SqsError(ServiceError, service="sqs"):
    #: The shape name botocore reads from Error.QueryErrorCode to pick the modelled
    #: exception: the class's own name unless the class says otherwise (None: unmodelled).
    query_name: str | None = None

    def __init_subclass__(cls, *, query_name: str | None = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.query_name = cls.__name__ if query_name == "" else query_name

    def to_response(self) -> dict[str, Any]:
        response = super().to_response()
        if self.query_name is not None:
            response["Error"]["QueryErrorCode"] = self.query_name
        return response


class QueueDoesNotExist(
    _SqsError, NotFound, code="AWS.SimpleQueueService.NonExistentQueue", service="sqs"
):
    """The queue named by a URL or name does not exist."""


class QueueNameExists(AlreadyExists, _SqsError, code="QueueAlreadyExists", service="sqs"):
    """A queue of that name exists with different attributes."""


class QueueDeletedRecently(
    Conflict, _SqsError, code="AWS.SimpleQueueService.QueueDeletedRecently", service="sqs"
):
    """A queue of that name was deleted less than 60 seconds ago."""


class PurgeQueueInProgress(
    Conflict, _SqsError, code="AWS.SimpleQueueService.PurgeQueueInProgress", service="sqs"
):
    """The queue was purged less than 60 seconds ago."""


class InvalidParameterValue(
    InvalidParameter, _SqsError, code="InvalidParameterValue", query_name=None
):
    """A parameter's value breaks SQS's rules."""


class MissingParameter(InvalidParameter, _SqsError, code="MissingParameter", query_name=None):
    """A required parameter is missing."""


class InvalidAttributeName(InvalidParameter, _SqsError, code="InvalidAttributeName"):
    """An unknown queue attribute name."""


class InvalidAttributeValue(InvalidParameter, _SqsError, code="InvalidAttributeValue"):
    """A queue attribute's value is out of range or malformed."""


class InvalidMessageContents(InvalidParameter, _SqsError, code="InvalidMessageContents"):
    """The message body holds characters SQS does not allow."""


class ReceiptHandleIsInvalid(InvalidParameter, _SqsError, code="ReceiptHandleIsInvalid"):
    """The receipt handle was never issued by this queue."""


class MessageNotInflight(
    Conflict, _SqsError, code="AWS.SimpleQueueService.MessageNotInflight", service="sqs"
):
    """The message is not in flight, so its visibility cannot change."""


class EmptyBatchRequest(
    InvalidParameter, _SqsError, code="AWS.SimpleQueueService.EmptyBatchRequest"
):
    """A batch request with no entries."""


class TooManyEntriesInBatchRequest(
    InvalidParameter, _SqsError, code="AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
):
    """A batch request with more than 10 entries."""


class BatchEntryIdsNotDistinct(
    InvalidParameter, _SqsError, code="AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
):
    """Two batch entries share an Id."""


class InvalidBatchEntryId(
    InvalidParameter, _SqsError, code="AWS.SimpleQueueService.InvalidBatchEntryId"
):
    """A batch entry Id breaks the Id rules."""


class BatchRequestTooLong(
    InvalidParameter, _SqsError, code="AWS.SimpleQueueService.BatchRequestTooLong"
):
    """The batch's messages together exceed the size limit."""


class QueueAccessDenied(
    AccessDenied,
    _SqsError,
    code="AccessDenied",
    service="sqs",
    http_status=403,
    query_name="AccessDenied",
):
    """Another account's caller whom the queue policy does not let in."""

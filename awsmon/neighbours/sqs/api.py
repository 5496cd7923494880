"""SQS wire operations: AWS parameter names in, boto3 response shapes out.

SQS speaks JSON (botocore 1.43: protocol ``json``, target ``AmazonSQS``)
with its old Query error codes (see `awsmon.neighbours.sqs.model`).

>>> from awsmon import Cloud
>>> sqs = Cloud().client("sqs")
>>> url = sqs.create_queue(QueueName="q")["QueueUrl"]
>>> sqs.send_message(QueueUrl=url, MessageBody="hi")["MD5OfMessageBody"]
'49f68a5c8493ec2c0bf489821c21fc3b'
>>> sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]
'hi'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from awsmon.errors import ServiceError
from awsmon.neighbours.sqs.errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    InvalidParameterValue,
    MissingParameter,
    TooManyEntriesInBatchRequest,
)
from awsmon.neighbours.sqs.model import (
    MessageAttribute,
    ReceivedMessage,
    SendResult,
    md5_of_message_attributes,
)
from awsmon.neighbours.sqs.service import SQS
from awsmon.wire import Params, WireApi, handles

__all__ = ["SqsApi"]

_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_BATCH_LIMIT = 1_048_576

Response = dict[str, Any]


def message_attributes_from_wire(
    raw: Mapping[str, Any], param: str = "MessageAttributes"
) -> dict[str, MessageAttribute]:
    """Message attributes from their wire form, checked as SQS checks them.

    Raises:
        InvalidParameterValue: a bad name, type or value.
    """
    found: dict[str, MessageAttribute] = {}
    for name, value in raw.items():
        if (
            not _ATTRIBUTE_NAME.fullmatch(name)
            or name.lower().startswith(("aws.", "amazon."))
            or ".." in name
            or name.startswith(".")
            or name.endswith(".")
        ):
            raise InvalidParameterValue(
                f"Message ({param}) attribute name '{name}' is invalid.", param=param, value=name
            )
        if not isinstance(value, Mapping) or not value.get("DataType"):
            raise InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute type.",
                param=param,
                value=name,
            )
        data_type = str(value["DataType"])
        base = data_type.split(".", 1)[0]
        string_value = value.get("StringValue")
        binary_value = value.get("BinaryValue")
        if base not in ("String", "Number", "Binary"):
            raise InvalidParameterValue(
                f"The type of message ({param}) attribute '{name}' is invalid. You must use "
                "only the following supported type prefixes: Binary, Number, String.",
                param=param,
                value=data_type,
            )
        if base == "Binary":
            if binary_value is None:
                raise InvalidParameterValue(
                    f"The message attribute '{name}' with type 'Binary' must use field 'Binary'.",
                    param=param,
                    value=name,
                )
            if isinstance(binary_value, str):
                binary_value = binary_value.encode()
            found[name] = MessageAttribute(data_type, binary_value=bytes(binary_value))
            continue
        if string_value is None or string_value == "":
            raise InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute "
                "value for message attribute type '{base}'.".replace("{base}", base),
                param=param,
                value=name,
            )
        if base == "Number":
            try:
                float(string_value)
            except ValueError:
                raise InvalidParameterValue(
                    f"Can't cast the value of message ({param}) attribute '{name}' to a number.",
                    param=param,
                    value=string_value,
                ) from None
        found[name] = MessageAttribute(data_type, string_value=str(string_value))
    return found


def message_attributes_to_wire(attributes: Mapping[str, MessageAttribute]) -> Response:
    """Message attributes in the shape boto3 returns them."""
    wire: Response = {}
    for name, value in attributes.items():
        item: Response = {"DataType": value.data_type}
        if value.binary_value is not None:
            item["BinaryValue"] = value.binary_value
        else:
            item["StringValue"] = value.string_value
        wire[name] = item
    return wire


def _send_response(result: SendResult) -> Response:
    response: Response = {"MD5OfMessageBody": result.md5_of_message_body}
    if result.md5_of_message_attributes:
        response["MD5OfMessageAttributes"] = result.md5_of_message_attributes
    if result.md5_of_message_system_attributes:
        response["MD5OfMessageSystemAttributes"] = result.md5_of_message_system_attributes
    response["MessageId"] = result.message_id
    if result.sequence_number:
        response["SequenceNumber"] = result.sequence_number
    return response


def _failure(entry_id: str, error: ServiceError) -> Response:
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": error.code,
        "Message": error.message,
    }


class SqsApi(WireApi):
    """The SQS wire API."""

    domain: SQS
    invalid_parameter = InvalidParameterValue
    missing_parameter = MissingParameter

    def _url(self, params: Params) -> str:
        url = params.string("QueueUrl", required=True)
        return url

    # -- queues -----------------------------------------------------------------

    @handles("CreateQueue")
    def create_queue(self, params: Params) -> Response:
        """CreateQueue → ``QueueUrl``."""
        name = params.string("QueueName", required=True)
        queue = self.domain.create_queue(
            name,
            {k: str(v) for k, v in params.mapping("Attributes").items()},
            {k: str(v) for k, v in params.mapping("tags").items()},
        )
        return {"QueueUrl": queue.url}

    @handles("GetQueueUrl")
    def get_queue_url(self, params: Params) -> Response:
        """GetQueueUrl → ``QueueUrl``."""
        name = params.string("QueueName", required=True)
        owner = params.string("QueueOwnerAWSAccountId", pattern=r"\d{12}")
        return {"QueueUrl": self.domain.get_queue_url(name, owner)}

    @handles("ListQueues")
    def list_queues(self, params: Params) -> Response:
        """ListQueues → ``QueueUrls`` (absent when there are none), paged by MaxResults."""
        urls = self.domain.list_queues(
            params.string("QueueNamePrefix"),
            max_results=params.integer("MaxResults", minimum=1, maximum=1000),
        )
        return _page(params, urls, "QueueUrls")

    @handles("ListDeadLetterSourceQueues")
    def list_dead_letter_source_queues(self, params: Params) -> Response:
        """ListDeadLetterSourceQueues → ``queueUrls``."""
        urls = self.domain.list_dead_letter_source_queues(self._url(params))
        page = _page(params, urls, "queueUrls")
        page.setdefault("queueUrls", [])
        return page

    @handles("DeleteQueue")
    def delete_queue(self, params: Params) -> Response:
        """DeleteQueue → nothing."""
        self.domain.delete_queue(self._url(params))
        return {}

    @handles("PurgeQueue")
    def purge_queue(self, params: Params) -> Response:
        """PurgeQueue → nothing."""
        self.domain.purge_queue(self._url(params))
        return {}

    @handles("GetQueueAttributes")
    def get_queue_attributes(self, params: Params) -> Response:
        """GetQueueAttributes → ``Attributes`` (absent when no name was asked for)."""
        names = params.strings("AttributeNames")
        url = self._url(params)
        if not names:
            self.domain.queue(url)
            return {}
        attributes = self.domain.get_queue_attributes(url, names)
        return {"Attributes": attributes} if attributes else {}

    @handles("SetQueueAttributes")
    def set_queue_attributes(self, params: Params) -> Response:
        """SetQueueAttributes → nothing."""
        attributes = params.mapping("Attributes", required=True)
        self.domain.set_queue_attributes(
            self._url(params), {k: str(v) for k, v in attributes.items()}
        )
        return {}

    @handles("TagQueue")
    def tag_queue(self, params: Params) -> Response:
        """TagQueue → nothing."""
        tags = params.mapping("Tags", required=True)
        self.domain.tag_queue(self._url(params), {k: str(v) for k, v in tags.items()})
        return {}

    @handles("UntagQueue")
    def untag_queue(self, params: Params) -> Response:
        """UntagQueue → nothing."""
        self.domain.untag_queue(self._url(params), params.strings("TagKeys", required=True))
        return {}

    @handles("ListQueueTags")
    def list_queue_tags(self, params: Params) -> Response:
        """ListQueueTags → ``Tags`` (absent when the queue has none)."""
        tags = self.domain.list_queue_tags(self._url(params))
        return {"Tags": tags} if tags else {}

    # -- messages ---------------------------------------------------------------

    def _send_args(self, data: Mapping[str, Any], params: Params) -> dict[str, Any]:
        entry = self.params(data)
        body = entry.string("MessageBody")
        if body is None:
            raise MissingParameter(
                "The request must contain the parameter MessageBody.", param="MessageBody"
            )
        system = message_attributes_from_wire(
            entry.mapping("MessageSystemAttributes"), "MessageSystemAttributes"
        )
        for name in system:
            if name != "AWSTraceHeader":
                raise InvalidParameterValue(
                    f"Message system attribute name '{name}' is invalid.",
                    param="MessageSystemAttributes",
                    value=name,
                )
        return {
            "message_body": body,
            "delay_seconds": entry.integer("DelaySeconds"),
            "message_attributes": message_attributes_from_wire(entry.mapping("MessageAttributes")),
            "message_system_attributes": system,
            "message_deduplication_id": entry.string("MessageDeduplicationId", max_length=128),
            "message_group_id": entry.string("MessageGroupId", max_length=128),
        }

    @handles("SendMessage")
    def send_message(self, params: Params) -> Response:
        """SendMessage → MD5s, ``MessageId`` (and ``SequenceNumber`` on FIFO queues)."""
        url = self._url(params)
        result = self.domain.send_message(url, **self._send_args(params.data, params))
        return _send_response(result)

    def _entries(self, params: Params) -> list[Mapping[str, Any]]:
        entries = [entry.data for entry in params.structs("Entries")]
        if not entries:
            raise EmptyBatchRequest(
                "There should be at least one SendMessageBatchRequestEntry in the request.",
                param="Entries",
            )
        if len(entries) > 10:
            raise TooManyEntriesInBatchRequest(
                f"Maximum number of entries per request are 10. You have sent {len(entries)}.",
                param="Entries",
                value=len(entries),
            )
        ids = [str(entry.get("Id", "")) for entry in entries]
        for entry_id in ids:
            if not _BATCH_ID.fullmatch(entry_id):
                raise InvalidBatchEntryId(
                    "A batch entry id can only contain alphanumeric characters, hyphens and "
                    "underscores. It can be at most 80 letters long.",
                    param="Id",
                    value=entry_id,
                )
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise BatchEntryIdsNotDistinct(f"Id {duplicate} repeated.", param="Id", value=duplicate)
        return entries

    def _batch(
        self, entries: list[Mapping[str, Any]], run: Callable[[Mapping[str, Any]], Response]
    ) -> Response:
        successful: list[Response] = []
        failed: list[Response] = []
        for entry in entries:
            try:
                successful.append({"Id": entry["Id"], **run(entry)})
            except ServiceError as error:
                failed.append(_failure(entry["Id"], error))
        return {"Successful": successful, "Failed": failed}

    @handles("SendMessageBatch")
    def send_message_batch(self, params: Params) -> Response:
        """SendMessageBatch → ``Successful`` and ``Failed`` entries."""
        url = self._url(params)
        entries = self._entries(params)
        queue = self.domain.queue(url)
        total = sum(len(str(entry.get("MessageBody", "")).encode()) for entry in entries)
        if total > min(_BATCH_LIMIT, queue.setting("MaximumMessageSize")):
            raise BatchRequestTooLong(
                f"Batch requests cannot be longer than {_BATCH_LIMIT} bytes. You have sent "
                f"{total} bytes.",
                param="Entries",
                value=total,
            )
        return self._batch(
            entries,
            lambda entry: _send_response(
                self.domain.send_message(url, **self._send_args(entry, params))
            ),
        )

    @handles("ReceiveMessage")
    def receive_message(self, params: Params) -> Response:
        """ReceiveMessage → ``Messages`` (absent when none), filtered to the names asked for."""
        url = self._url(params)
        system_names = set(params.strings("AttributeNames")) | set(
            params.strings("MessageSystemAttributeNames")
        )
        attribute_names = params.strings("MessageAttributeNames")
        received = self.domain.receive_message(
            url,
            max_number_of_messages=params.integer("MaxNumberOfMessages", default=1),
            visibility_timeout=params.integer("VisibilityTimeout"),
            wait_time_seconds=params.integer("WaitTimeSeconds"),
        )
        if not received:
            return {}
        return {"Messages": [_message(m, system_names, attribute_names) for m in received]}

    @handles("DeleteMessage")
    def delete_message(self, params: Params) -> Response:
        """DeleteMessage → nothing."""
        handle = params.string("ReceiptHandle", required=True)
        self.domain.delete_message(self._url(params), handle)
        return {}

    @handles("DeleteMessageBatch")
    def delete_message_batch(self, params: Params) -> Response:
        """DeleteMessageBatch → ``Successful`` and ``Failed`` entries."""
        url = self._url(params)

        def run(entry: Mapping[str, Any]) -> Response:
            self.domain.delete_message(url, str(entry.get("ReceiptHandle", "")))
            return {}

        return self._batch(self._entries(params), run)

    @handles("ChangeMessageVisibility")
    def change_message_visibility(self, params: Params) -> Response:
        """ChangeMessageVisibility → nothing."""
        handle = params.string("ReceiptHandle", required=True)
        timeout = params.integer("VisibilityTimeout", required=True)
        self.domain.change_message_visibility(self._url(params), handle, timeout)
        return {}

    @handles("ChangeMessageVisibilityBatch")
    def change_message_visibility_batch(self, params: Params) -> Response:
        """ChangeMessageVisibilityBatch → ``Successful`` and ``Failed`` entries."""
        url = self._url(params)

        def run(entry: Mapping[str, Any]) -> Response:
            timeout = params.nested(entry, "Entries").integer("VisibilityTimeout", default=0)
            self.domain.change_message_visibility(
                url, str(entry.get("ReceiptHandle", "")), timeout
            )
            return {}

        return self._batch(self._entries(params), run)


def _page(params: Params, items: list[str], key: str) -> Response:
    limit = params.integer("MaxResults", minimum=1, maximum=1000)
    token = params.string("NextToken")
    start = 0
    if token:
        if not token.isdecimal():
            raise InvalidParameterValue(
                f"Invalid NextToken value {token}.", param="NextToken", value=token
            )
        start = int(token)
    page = items[start:] if limit is None else items[start : start + limit]
    response: Response = {key: page} if page else {}
    if limit is not None and start + limit < len(items):
        response["NextToken"] = str(start + limit)
    return response


def _message(
    received: ReceivedMessage, system_names: set[str], attribute_names: list[str]
) -> Response:
    item: Response = {
        "MessageId": received.message_id,
        "ReceiptHandle": received.receipt_handle,
        "MD5OfBody": received.md5_of_body,
        "Body": received.body,
    }
    if system_names:
        every = "All" in system_names
        attributes = {k: v for k, v in received.attributes.items() if every or k in system_names}
        if attributes:
            item["Attributes"] = attributes
    chosen: dict[str, MessageAttribute] = {}
    for name, value in received.message_attributes.items():
        for wanted in attribute_names:
            if (
                wanted in ("All", ".*")
                or wanted == name
                or (wanted.endswith(".*") and name.startswith(wanted[:-1]))
            ):
                chosen[name] = value
                break
    if chosen:
        item["MD5OfMessageAttributes"] = md5_of_message_attributes(chosen)
        item["MessageAttributes"] = message_attributes_to_wire(chosen)
    return item

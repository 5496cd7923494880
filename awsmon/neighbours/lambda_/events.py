"""The events AWS services send to Lambda functions, as pure builders.

Each function returns the event dict exactly as the source service shapes it,
so a handler under test sees what it would see in AWS:

- `sns_event`: SNS notifications (``Records[].Sns``).
- `sqs_event`: an SQS event source mapping's batch (``Records[]`` with ``eventSource: aws:sqs``).
- `eventbridge_event`: an EventBridge rule target gets the event itself.
- `logs_subscription_event`: a CloudWatch Logs subscription (``awslogs.data``,
  base64 of the gzipped JSON).
- `kinesis_event`: a Kinesis event source mapping's batch.

>>> event = logs_subscription_event(
...     owner="123456789012", log_group="/app", log_stream="s", subscription_filters=["f"],
...     log_events=[{"id": "1", "timestamp": 0, "message": "hi"}])
>>> decode_logs_subscription_event(event)["logEvents"][0]["message"]
'hi'
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from awsmon import jsondoc

__all__ = [
    "decode_logs_subscription_event",
    "eventbridge_event",
    "kinesis_event",
    "logs_subscription_event",
    "sns_event",
    "sqs_event",
]


def _iso_ms(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def sns_event(
    *,
    subscription_arn: str,
    topic_arn: str,
    message_id: str,
    message: str,
    timestamp: datetime,
    subject: str | None = None,
    message_attributes: Mapping[str, tuple[str, str]] | None = None,
    signature: str = "",
    signing_cert_url: str = "",
    unsubscribe_url: str = "",
    signature_version: str = "1",
) -> dict[str, Any]:
    """The event SNS invokes a subscribed function with (one record per message).

    Args:
        message_attributes: name → (Type, Value), as SNS writes them.

    Note the Lambda spelling ``SigningCertUrl``/``UnsubscribeUrl`` (the SQS
    envelope says ``...URL``) and ``Subject: null`` when there is none.
    """
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": _iso_ms(timestamp),
                    "SignatureVersion": signature_version,
                    "Signature": signature,
                    "SigningCertUrl": signing_cert_url,
                    "UnsubscribeUrl": unsubscribe_url,
                    "MessageAttributes": {
                        name: {"Type": kind, "Value": value}
                        for name, (kind, value) in (message_attributes or {}).items()
                    },
                },
            }
        ]
    }


def sqs_event(
    messages: Iterable[Mapping[str, Any]], *, queue_arn: str, region: str
) -> dict[str, Any]:
    """The batch an SQS event source mapping hands a function.

    Args:
        messages: ReceiveMessage-shaped messages (``MessageId``, ``ReceiptHandle``,
            ``Body``, ``Attributes``, ``MessageAttributes``, ``MD5OfBody``).
        queue_arn: the queue's ARN (``eventSourceARN``).
        region: the queue's region (``awsRegion``).
    """
    records = []
    for message in messages:
        attributes = {}
        for name, value in (message.get("MessageAttributes") or {}).items():
            attributes[name] = {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.get("DataType"),
            }
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes") or {}),
            "messageAttributes": attributes,
            "md5OfBody": message.get(
                "MD5OfBody", hashlib.md5(message["Body"].encode()).hexdigest()
            ),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        records.append(record)
    return {"Records": records}


def eventbridge_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """What a function targeted by an EventBridge rule receives: the event itself.

    >>> eventbridge_event({"source": "my.app", "detail": {}})["source"]
    'my.app'
    """
    return jsondoc.loads(json.dumps(event))  # type: ignore[no-any-return]


def logs_subscription_event(
    *,
    owner: str,
    log_group: str,
    log_stream: str,
    subscription_filters: Sequence[str],
    log_events: Iterable[Mapping[str, Any]],
    message_type: str = "DATA_MESSAGE",
) -> dict[str, Any]:
    """The event a CloudWatch Logs subscription filter invokes a function with.

    The payload is ``{"awslogs": {"data": base64(gzip(json))}}`` with the
    documented ``owner``, ``logGroup``, ``logStream``, ``subscriptionFilters``,
    ``messageType`` and ``logEvents`` (``id``, ``timestamp`` in ms, ``message``).
    """
    payload = {
        "messageType": message_type,
        "owner": owner,
        "logGroup": log_group,
        "logStream": log_stream,
        "subscriptionFilters": list(subscription_filters),
        "logEvents": [dict(event) for event in log_events],
    }
    data = gzip.compress(json.dumps(payload).encode(), compresslevel=6, mtime=0)
    return {"awslogs": {"data": base64.b64encode(data).decode()}}


def decode_logs_subscription_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON inside a Logs subscription event (what handlers decode)."""
    data = base64.b64decode(event["awslogs"]["data"])
    decoded: dict[str, Any] = jsondoc.loads(gzip.decompress(data))
    return decoded


def kinesis_event(
    records: Iterable[Mapping[str, Any]], *, stream_arn: str, region: str, shard_id: str
) -> dict[str, Any]:
    """The batch a Kinesis event source mapping hands a function.

    Args:
        records: GetRecords-shaped records (``SequenceNumber``, ``Data`` bytes,
            ``PartitionKey``, ``ApproximateArrivalTimestamp``).
    """
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": record["PartitionKey"],
                    "sequenceNumber": record["SequenceNumber"],
                    "data": base64.b64encode(record["Data"]).decode(),
                    "approximateArrivalTimestamp": record[
                        "ApproximateArrivalTimestamp"
                    ].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard_id}:{record['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "",
                "awsRegion": region,
                "eventSourceARN": stream_arn,
            }
            for record in records
        ]
    }

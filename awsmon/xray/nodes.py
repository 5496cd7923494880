"""Which service node a document stands for: the pure rules, on parsed documents.

- `segment_key`: the node of a segment (its name, ``origin`` and
  ``aws.account_id``).
- `is_call`: whether a subsegment is a call to another node (namespace
  ``aws`` or ``remote``, or ``http.request.traced``).
- `inferred_key`: the node of the inferred segment standing for a call
  nobody traced (an AWS resource named after its table, queue, function or
  bucket; a SQL database; any other remote service), and its ``origin``.

Keys are ``(name, type, account)`` tuples, the identity of a node in a
service graph (`awsmon.xray.trace_tree.Node.key`). Both the upload (which
keeps a digest of each document, `awsmon.xray.segments`) and the assembly
of a full view (`awsmon.xray.assembly`) use these rules, so that the two
always agree. See `awsmon.xray.trace` for the simulation notes.

>>> segment_key({"name": "api", "origin": "AWS::EC2::Instance"})
('api', 'AWS::EC2::Instance', None)
>>> inferred_key({"namespace": "aws", "aws": {"table_name": "orders"}}, "DynamoDB")
(('orders', 'AWS::DynamoDB::Table', None), 'AWS::DynamoDB::Table')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsmon.arn import Arn, InvalidArn

__all__ = ["NodeKey", "inferred_key", "is_call", "segment_key"]

#: The identity of a node in a service graph: (name, type, account).
NodeKey = tuple[str, str | None, str | None]

_AWS_TYPES = {
    "DynamoDB": "AWS::DynamoDB::Table",
    "SQS": "AWS::SQS::Queue",
    "SNS": "AWS::SNS",
    "Lambda": "AWS::Lambda",
    "S3": "AWS::S3::Bucket",
    "Kinesis": "AWS::Kinesis::Stream",
    "EventBridge": "AWS::Events",
    "CloudWatch": "AWS::CloudWatch",
    "STS": "AWS::STS",
}

_KEYS: dict[NodeKey, NodeKey] = {}  # one shared tuple per key: traces repeat a few services


def _key(name: str, type_: str | None, account: str | None) -> NodeKey:
    key = (name, type_, account)
    found = _KEYS.get(key)
    if found is None:
        if len(_KEYS) >= 4096:
            _KEYS.clear()
        found = _KEYS[key] = key
    return found


def segment_key(doc: Mapping[str, Any]) -> NodeKey:
    """The node of a segment document (whose ``name`` is a valid string)."""
    origin = doc.get("origin")
    aws = doc.get("aws")
    account = aws.get("account_id") if isinstance(aws, dict) else None
    return _key(
        doc["name"],
        origin if isinstance(origin, str) else None,
        account if isinstance(account, str) else None,
    )


def is_call(doc: Mapping[str, Any]) -> bool:
    """True when a subsegment document is a call to another node."""
    if doc.get("namespace") in ("aws", "remote"):
        return True
    http = doc.get("http")
    if http is None:
        return False
    request = http.get("request") if isinstance(http, dict) else None
    return isinstance(request, dict) and request.get("traced") is True


def _function_name(value: Any) -> str | None:
    """The function name in a Lambda function ARN (without its version or alias)."""
    if not isinstance(value, str):
        return None
    try:
        return Arn.parse(value).resource_id.split(":")[0] or None
    except InvalidArn:
        return None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def inferred_key(doc: Mapping[str, Any], name: str) -> tuple[NodeKey, str | None]:
    """The inferred node of the call `doc` (a subsegment named `name`), and its origin."""
    if doc.get("namespace") == "aws":
        raw = doc.get("aws")
        aws: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        kind = _AWS_TYPES.get(name, f"AWS::{name}")
        found: Any = name
        if name == "DynamoDB":
            found = aws.get("table_name") or _first(aws.get("resource_names")) or name
        elif name == "SQS" and isinstance(aws.get("queue_url"), str):
            found = aws["queue_url"].rstrip("/").rsplit("/", 1)[-1]
        elif name == "Lambda":
            found = aws.get("function_name") or _function_name(aws.get("function_arn")) or name
        elif name == "S3" and aws.get("bucket_name"):
            found = aws["bucket_name"]
        account = aws.get("account_id") if isinstance(aws.get("account_id"), str) else None
        return _key(str(found), kind, account), kind
    if isinstance(doc.get("sql"), dict):
        return _key(name, "Database::SQL", None), "Database::SQL"
    return _key(name, "remote", None), None

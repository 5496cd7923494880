"""Trail delivery: log files to S3, records to CloudWatch Logs, SNS notices, digests.

A trail's delivery is a clock job every `DELIVERY_INTERVAL` (5 minutes: AWS
publishes log files "about every 5 minutes") while it logs. Each run takes,
for every region the trail covers, the records recorded since its previous
run that its selectors choose, and:

- writes them as one gzip JSON ``{"Records": [...]}`` object per region at
  AWS's key (`awsmon.cloudtrail.trails.log_file_key`), records in arrival order;
- notifies the trail's SNS topic per object with
  ``{"s3Bucket": ..., "s3ObjectKey": [key]}``;
- puts one log event per record (timestamp = eventTime) in the stream
  ``<account>_CloudTrail_<region>`` of the trail's log group.

With log file validation on, a digest file per region is written every hour
(`DIGEST_INTERVAL`), also when no log file was delivered, chained to the
previous one. Simulation note: the signature in ``x-amz-meta-signature`` is
a stand-in, the hex SHA-256 of AWS's signing string (digest end time, bucket
and key, the digest's SHA-256, the previous signature), not an RSA signature;
`verify_digest` checks it.

Deliveries run as the service principal ``cloudtrail.amazonaws.com``, so the
bucket and topic policies decide as in AWS; a refusal is recorded in the
trail's status (LatestDeliveryError ...), never raised.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from awsmon import jsondoc
from awsmon.arn import Arn
from awsmon.cloudtrail.records import CallRecord, data_resources, event_time
from awsmon.cloudtrail.selectors import Facts
from awsmon.cloudtrail.trails import Trail, digest_key, log_file_key
from awsmon.errors import ServiceError
from awsmon.identity import Principal

if TYPE_CHECKING:
    from awsmon.cloudtrail.history import History
    from awsmon.dispatch import ServiceContext

__all__ = [
    "DELIVERY_INTERVAL",
    "DIGEST_INTERVAL",
    "PRINCIPAL",
    "TrailHome",
    "deliver",
    "deliver_insights",
    "facts_of",
    "log_group_name",
    "sign",
    "verify_digest",
    "write_digests",
]

DELIVERY_INTERVAL = timedelta(minutes=5)
DIGEST_INTERVAL = timedelta(hours=1)
PRINCIPAL = "cloudtrail.amazonaws.com"
_GLOBAL_SOURCES = frozenset({"iam.amazonaws.com", "sts.amazonaws.com", "cloudfront.amazonaws.com"})


class TrailHome(Protocol):
    """What delivery needs of the service that keeps a trail."""

    ctx: ServiceContext
    history: History

    @property
    def region(self) -> str: ...

    def render(self, record: CallRecord) -> dict[str, Any]: ...

    def places_of(self, trail: Trail) -> list[Any]: ...


def facts_of(record: CallRecord) -> Facts:
    """What the selectors see of `record`."""
    return Facts(
        category=record.kind.category.value,
        read_only=record.read_only,
        event_source=record.event_source,
        event_name=record.operation,
        error_code=record.error_code,
        user_arn=None if record.principal.type == "AWSService" else record.principal.arn,
        resources=tuple(data_resources(record)),
    )


def _chosen(trail: Trail, record: CallRecord) -> bool:
    if record.principal.arn == PRINCIPAL:
        return False  # CloudTrail's own deliveries
    if not trail.include_global_service_events and record.event_source in _GLOBAL_SOURCES:
        return False
    return trail.selection.selects(facts_of(record))


def log_group_name(arn: str) -> str:
    """The group name in a log group ARN (``arn:aws:logs:r:a:log-group:NAME:*``)."""
    resource = Arn.parse(arn).resource
    name = resource.split(":", 1)[1] if resource.startswith("log-group:") else resource
    return name[:-2] if name.endswith(":*") else name


def deliver(home: TrailHome, trail: Trail) -> None:
    """One delivery run of `trail` (the clock job)."""
    if not trail.status.is_logging:
        return
    now = home.ctx.now()
    for place in home.places_of(trail):
        region = place.region
        history = place.history
        cursor = trail.cursors.get(region, history.base)
        records = [r for _, r in history.since(cursor) if _chosen(trail, r)]
        trail.cursors[region] = history.end
        if not records:
            continue
        rendered = [home.render(r) for r in records]
        _to_s3(home, trail, region, rendered, now)
        if trail.cloudwatch_logs_log_group_arn:
            _to_logs(home, trail, region, records, rendered, now)


def _as_cloudtrail(home: TrailHome) -> Any:
    return home.ctx.as_principal(Principal.service(PRINCIPAL, home.ctx.account_id))


def _put(
    home: TrailHome, trail: Trail, key: str, content: bytes, metadata: dict[str, str] | None = None
) -> str | None:
    """Write `content` (JSON) gzipped to the trail's bucket as CloudTrail; the error code, or None.

    The one way every CloudTrail file (logs, Insights events, digests) reaches S3.
    """
    try:
        with _as_cloudtrail(home):
            home.ctx.sibling("s3").put_object(
                trail.s3_bucket_name,
                key,
                gzip.compress(content, mtime=0),
                content_type="application/json",
                content_encoding="gzip",
                metadata=metadata,
                acl="bucket-owner-full-control",
                source_arn=trail.arn,
            )
    except ServiceError as error:
        return error.code
    return None


def _records_file(records: list[dict[str, Any]]) -> bytes:
    return json.dumps({"Records": records}, separators=(",", ":")).encode()


def _to_s3(
    home: TrailHome, trail: Trail, region: str, rendered: list[dict[str, Any]], now: datetime
) -> None:
    key = log_file_key(
        trail.s3_key_prefix, trail.account_id, region, now, home.ctx.ids.alphanumeric(16)
    )
    status = trail.status
    body = _records_file(rendered)
    error = _put(home, trail, key, body)
    if error is not None:
        status.latest_delivery_error = error
        return
    status.latest_delivery_time = now
    status.latest_delivery_error = None
    times = [r["eventTime"] for r in rendered]
    trail.digest_files.setdefault(region, []).append(
        {
            "s3Bucket": trail.s3_bucket_name,
            "s3Object": key,
            "hashValue": hashlib.sha256(body).hexdigest(),
            "hashAlgorithm": "SHA-256",
            "newestEventTime": max(times),
            "oldestEventTime": min(times),
        }
    )
    if trail.sns_topic_arn:
        _notify(home, trail, [key], now)


def _notify(home: TrailHome, trail: Trail, keys: list[str], now: datetime) -> None:
    message = json.dumps({"s3Bucket": trail.s3_bucket_name, "s3ObjectKey": keys})
    assert trail.sns_topic_arn is not None
    try:
        sns = home.ctx.service_at(trail.sns_topic_arn, "sns")
        check = home.ctx.check_delivery(
            source=trail.arn,
            target=trail.sns_topic_arn,
            principal=PRINCIPAL,
            action="SNS:Publish",
            policy=sns.topic(trail.sns_topic_arn).attributes.get("Policy"),
            context={"aws:SourceArn": trail.arn, "aws:SourceAccount": trail.account_id},
            what="topic policy",
        )
        if not check.delivered:
            trail.status.latest_notification_error = "AuthorizationError"
            return
        with _as_cloudtrail(home):
            sns.publish(trail.sns_topic_arn, message)
    except ServiceError as error:
        trail.status.latest_notification_error = error.code
        return
    trail.status.latest_notification_time = now
    trail.status.latest_notification_error = None


def _to_logs(
    home: TrailHome,
    trail: Trail,
    region: str,
    records: list[CallRecord],
    rendered: list[dict[str, Any]],
    now: datetime,
) -> None:
    assert trail.cloudwatch_logs_log_group_arn is not None
    group = log_group_name(trail.cloudwatch_logs_log_group_arn)
    stream = f"{trail.account_id}_CloudTrail_{region}"
    events = [
        (record.at, json.dumps(body, separators=(",", ":")))
        for record, body in zip(records, rendered, strict=True)
    ]
    status = trail.status
    try:
        with _as_cloudtrail(home):
            logs = home.ctx.service_at(trail.cloudwatch_logs_log_group_arn, "logs")
            if stream not in logs.log_group(group).streams:
                logs.create_log_stream(group, stream)
            logs.put_log_events(group, stream, events)
    except ServiceError as error:
        status.latest_cloudwatch_logs_delivery_error = error.code
        return
    status.latest_cloudwatch_logs_delivery_time = now
    status.latest_cloudwatch_logs_delivery_error = None


def deliver_insights(home: TrailHome, trail: Trail, events: list[dict[str, Any]]) -> None:
    """Write Insights events to the trail's ``CloudTrail-Insight`` folder (one object)."""
    if not (events and trail.status.is_logging and trail.insight_types):
        return
    now = home.ctx.now()
    region = home.region
    unique = home.ctx.ids.alphanumeric(16)
    path = log_file_key(None, trail.account_id, region, now, unique)
    path = path.replace("CloudTrail", "CloudTrail-Insight")  # folder and file name
    key = f"{trail.s3_key_prefix}/{path}" if trail.s3_key_prefix else path
    error = _put(home, trail, key, _records_file(events))
    if error is not None:
        trail.status.latest_delivery_error = error


def sign(end: str, bucket: str, key: str, content: bytes, previous: str | None) -> str:
    """The stand-in signature of a digest file (see the module notes)."""
    text = "\n".join(
        [end, f"{bucket}/{key}", hashlib.sha256(content).hexdigest(), previous or "null"]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def write_digests(home: TrailHome, trail: Trail) -> None:
    """Write the hourly digest file of each region the trail covers (the clock job)."""
    if not (trail.status.is_logging and trail.log_file_validation_enabled):
        return
    now = home.ctx.now()
    start = now - DIGEST_INTERVAL
    for place in home.places_of(trail):
        region = place.region
        files = trail.digest_files.pop(region, [])
        previous = trail.last_digest.get(region)
        key = digest_key(
            trail.s3_key_prefix, trail.account_id, region, trail.name, trail.home_region, now
        )
        body = {
            "awsAccountId": trail.account_id,
            "digestStartTime": event_time(start),
            "digestEndTime": event_time(now),
            "digestS3Bucket": trail.s3_bucket_name,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": hashlib.md5(region.encode()).hexdigest(),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": max((f["newestEventTime"] for f in files), default=None),
            "oldestEventTime": min((f["oldestEventTime"] for f in files), default=None),
            "previousDigestS3Bucket": trail.s3_bucket_name if previous else None,
            "previousDigestS3Object": previous[0] if previous else None,
            "previousDigestHashValue": previous[2] if previous else None,
            "previousDigestHashAlgorithm": "SHA-256" if previous else None,
            "previousDigestSignature": previous[1] if previous else None,
            "logFiles": files,
        }
        content = json.dumps(body, separators=(",", ":")).encode()
        signature = sign(
            event_time(now),
            trail.s3_bucket_name,
            key,
            content,
            previous[1] if previous else None,
        )
        metadata = {"signature": signature, "signature-algorithm": "SHA256withRSA"}
        error = _put(home, trail, key, content, metadata)
        if error is not None:
            trail.status.latest_digest_delivery_error = error
            continue
        trail.last_digest[region] = (key, signature, hashlib.sha256(content).hexdigest())
        trail.status.latest_digest_delivery_time = now
        trail.status.latest_digest_delivery_error = None


def verify_digest(
    bucket: str, key: str, content: bytes, metadata: Mapping[str, str], previous: str | None
) -> bool:
    """True when a digest file's stand-in signature matches its content.

    Args:
        bucket / key: where the digest is.
        content: the digest's uncompressed bytes.
        metadata: its S3 user metadata (``signature``).
        previous: the previous digest's signature (None for the first).
    """
    end = jsondoc.loads(content)["digestEndTime"]
    return metadata.get("signature") == sign(end, bucket, key, content, previous)

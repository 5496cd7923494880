"""Trails: their model, naming rules, and where a trail's events go.

Main pieces:

- `Trail`: one trail (settings, selectors, Insights selectors, tags, status
  and delivery cursors); it lives in its home region's `CloudTrail`.
- `TrailStatus`: what GetTrailStatus answers.
- `check_trail_name`: CloudTrail's naming rules (3–128 characters, letters,
  digits and ``. _ -`` between them, not two separators in a row, not an IP
  address).
- `log_file_key` and `digest_key`: AWS's S3 key layout.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from attrs import define, field

from awsmon.clock import Job
from awsmon.cloudtrail.selectors import Selection

__all__ = [
    "Trail",
    "TrailStatus",
    "check_trail_name",
    "digest_key",
    "log_file_key",
    "trail_name_error",
]

_NAME = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def trail_name_error(name: str) -> str | None:
    """Why `name` is not a valid trail name, or None when it is.

    >>> trail_name_error("my-trail") is None, trail_name_error("my--trail") is not None
    (True, True)
    """
    if not 3 <= len(name) <= 128:
        return "Trail name must be between 3 and 128 characters"
    if _IPV4.fullmatch(name):
        return "Trail name must not be formatted as an IP address"
    if not _NAME.fullmatch(name):
        return (
            "Trail name must start and end with a letter or number and contain only "
            "letters, numbers, periods, underscores and dashes, without adjacent separators"
        )
    return None


def check_trail_name(name: str) -> bool:
    """True for a valid trail name."""
    return trail_name_error(name) is None


@define(kw_only=True)
class TrailStatus:
    """A trail's logging and delivery status (GetTrailStatus)."""

    is_logging: bool = False
    start_logging_time: datetime | None = None
    stop_logging_time: datetime | None = None
    latest_delivery_time: datetime | None = None
    latest_delivery_error: str | None = None
    latest_notification_time: datetime | None = None
    latest_notification_error: str | None = None
    latest_cloudwatch_logs_delivery_time: datetime | None = None
    latest_cloudwatch_logs_delivery_error: str | None = None
    latest_digest_delivery_time: datetime | None = None
    latest_digest_delivery_error: str | None = None


@define(eq=False, kw_only=True)
class Trail:
    """One trail, kept by its home region.

    Attributes:
        name / arn / home_region / account_id: identity.
        s3_bucket_name / s3_key_prefix: where log files go.
        sns_topic_arn: the topic notified per delivered file, or None.
        include_global_service_events / is_multi_region_trail /
        log_file_validation_enabled / is_organization_trail: the flags.
        cloudwatch_logs_log_group_arn / cloudwatch_logs_role_arn: Logs delivery.
        kms_key_id: the key the files are encrypted with, or None.
        selection: the event selectors.
        insight_types: the Insights types enabled (``ApiCallRateInsight`` ...).
        tags: the trail's tags.
        status: logging and delivery status.
        cursors: per region, the sequence number of the next record to deliver.
    """

    name: str
    arn: str
    home_region: str
    account_id: str
    s3_bucket_name: str
    s3_key_prefix: str | None = None
    sns_topic_arn: str | None = None
    include_global_service_events: bool = True
    is_multi_region_trail: bool = False
    log_file_validation_enabled: bool = False
    is_organization_trail: bool = False
    cloudwatch_logs_log_group_arn: str | None = None
    cloudwatch_logs_role_arn: str | None = None
    kms_key_id: str | None = None
    selection: Selection = field(factory=Selection.default)
    insight_types: dict[str, tuple[str, ...]] = field(factory=dict)
    tags: dict[str, str] = field(factory=dict)
    status: TrailStatus = field(factory=TrailStatus)
    cursors: dict[str, int] = field(factory=dict, repr=False)
    delivery_job: Job | None = field(default=None, repr=False)
    digest_job: Job | None = field(default=None, repr=False)
    digest_files: dict[str, list[dict[str, Any]]] = field(factory=dict, repr=False)
    last_digest: dict[str, tuple[str, str, str]] = field(factory=dict, repr=False)

    @property
    def sns_topic_name(self) -> str | None:
        """The topic's name (the last part of its ARN)."""
        return None if self.sns_topic_arn is None else self.sns_topic_arn.rsplit(":", 1)[-1]

    def covers(self, region: str) -> bool:
        """True when the trail logs events of `region`."""
        return self.is_multi_region_trail or region == self.home_region


def _prefix(prefix: str | None) -> str:
    return f"{prefix}/" if prefix else ""


def log_file_key(
    prefix: str | None, account_id: str, region: str, at: datetime, unique: str
) -> str:
    """The S3 key of a log file delivered at `at`.

    >>> from datetime import UTC
    >>> log_file_key(None, "111122223333", "us-east-2", datetime(2015, 8, 1, 2, 10, tzinfo=UTC),
    ...              "Mu0KsOhtH1ar15ZZ")
    'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz'
    """
    day = at.strftime("%Y/%m/%d")
    stamp = at.strftime("%Y%m%dT%H%MZ")
    name = f"{account_id}_CloudTrail_{region}_{stamp}_{unique}.json.gz"
    return f"{_prefix(prefix)}AWSLogs/{account_id}/CloudTrail/{region}/{day}/{name}"


def digest_key(
    prefix: str | None, account_id: str, region: str, trail: str, home: str, end: datetime
) -> str:
    """The S3 key of the digest file whose window ends at `end`.

    >>> from datetime import UTC
    >>> digest_key(None, "111122223333", "us-east-2", "your-trail-name", "us-east-2",
    ...            datetime(2015, 8, 17, 15, 1, 31, tzinfo=UTC))
    'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz'
    """
    day = end.strftime("%Y/%m/%d")
    stamp = end.strftime("%Y%m%dT%H%M%SZ")
    name = f"{account_id}_CloudTrail-Digest_{region}_{trail}_{home}_{stamp}.json.gz"
    return f"{_prefix(prefix)}AWSLogs/{account_id}/CloudTrail-Digest/{region}/{day}/{name}"

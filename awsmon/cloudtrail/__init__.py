"""AWS CloudTrail, simulated: every call recorded, event history, trails, Insights.

``cloud.cloudtrail`` is the `CloudTrail` service of the cloud's default
account and region. Recording needs no set-up: the cloud installs CloudTrail's
recorder when it is built, so every call — domain, wire or boto3 — becomes a
record, classified as AWS classifies it (`classify`).

Main names: `CloudTrail`, `CallRecord`, `Trail`, `TrailStatus`,
`EventSelector`, `DataResource`, `AdvancedEventSelector`, `FieldSelector`,
`Classification`, `Category`, `classify`, `render`.
"""

from __future__ import annotations

from awsmon.cloudtrail.classify import Category, Classification, classify
from awsmon.cloudtrail.records import CallRecord, render
from awsmon.cloudtrail.selectors import (
    AdvancedEventSelector,
    DataResource,
    EventSelector,
    FieldSelector,
)
from awsmon.cloudtrail.service import CloudTrail, LookupPage
from awsmon.cloudtrail.trails import Trail, TrailStatus

__all__ = [
    "AdvancedEventSelector",
    "CallRecord",
    "Category",
    "Classification",
    "CloudTrail",
    "DataResource",
    "EventSelector",
    "FieldSelector",
    "LookupPage",
    "Trail",
    "TrailStatus",
    "classify",
    "render",
]
